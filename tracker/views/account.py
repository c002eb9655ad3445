"""Your account: any signed-in person sets how dates are shown to them and how they are told by email, and
changes their password."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user
from werkzeug.datastructures import MultiDict

from ..db import database
from ..forms.account import ChangePasswordForm, DateFormatForm, NotificationForm
from ..models import ValidationError
from ..services import account as service
from .helpers import form_status, save_form

bp = Blueprint("account", __name__, url_prefix="/account")


def _date_form():
    return DateFormatForm(formdata=MultiDict(), data={"date_format": current_user.date_format})


def _notification_form():
    return NotificationForm(formdata=MultiDict(), data={"notification_choice": current_user.notification_choice})


def _page(date_form=None, password_form=None, notification_form=None):
    date_form = date_form or _date_form()
    password_form = password_form or ChangePasswordForm(formdata=MultiDict())
    notification_form = notification_form or _notification_form()
    status = max(form_status(date_form), form_status(password_form), form_status(notification_form))
    for field in (password_form.current_password, password_form.new_password, password_form.confirm_password):
        field.data = ""  # passwords are never sent back to the browser
    return render_template(
        "account/index.html", date_form=date_form, password_form=password_form, notification_form=notification_form
    ), status


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    form = DateFormatForm(data={"date_format": current_user.date_format} if request.method == "GET" else None)
    done = save_form(
        form,
        lambda f: service.set_date_format(current_user, f.date_format.data),
        "Saved. Dates are now shown the way you chose.",
        url_for("account.index"),
    )
    if done:
        return done
    return _page(date_form=form)


NOTIFICATION_SAVED = {
    "immediate": "Saved. You get one email for each thing that needs you.",
    "digest": "Saved. You get one digest a day of what needed you.",
    "none": "Saved. You get no email; your home page still shows what needs you.",
}


@bp.route("/notifications", methods=["POST"])
@login_required
def notifications():
    form = NotificationForm()
    done = save_form(
        form,
        lambda f: service.set_notification_choice(current_user, f.notification_choice.data),
        lambda user: NOTIFICATION_SAVED[user.notification_choice],
        url_for("account.index"),
    )
    if done:
        return done
    return _page(notification_form=form)


@bp.route("/password", methods=["POST"])
@login_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        problem = service.check_current_password(current_user, form.current_password.data, request.remote_addr)
        if problem:
            form.current_password.errors = list(form.current_password.errors) + [problem]
        else:
            try:
                with database.atomic():
                    user, revoked = service.change_password(current_user, form.new_password.data)
            except ValidationError as exc:  # the password policy, shown next to the new password
                form.add_errors(exc.errors)
            else:
                # The old session token is gone: sign this browser in again with the new one (and renew the
                # "keep me signed in" cookie if this browser had one), so only here stays signed in.
                remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
                login_user(user, remember=remembered, fresh=True)
                tokens = f", and {service.token_words(revoked)} revoked" if revoked else ""
                flash(
                    "Your password is changed. You are still signed in here; every other browser and device "
                    f"has been signed out{tokens}. We sent you an email about it.",
                    "success",
                )
                return redirect(url_for("account.index"))
    return _page(password_form=form)
