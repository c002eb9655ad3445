"""Sign in and sign out."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..auth import BAD_CREDENTIALS, SignInRefused, authenticate, safe_next  # noqa: F401 (BAD_CREDENTIALS: for tests)
from ..db import database
from ..forms import BaseForm
from ..forms.admin import SetPasswordForm
from ..forms.auth import SignInForm
from ..services import account
from ..services import admin as admin_service
from .helpers import form_status, save_form

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data, request.remote_addr)
        except SignInRefused as refused:
            form.form_errors.append(str(refused))
            return render_template("auth/login.html", form=form), refused.status, refused.headers
        next_url = safe_next(request.args.get("next"))
        session.clear()  # a fresh session on sign-in: nothing from before carries over
        login_user(user, remember=form.remember.data)
        flash(f"Signed in as {user.name}.", "success")
        return redirect(next_url)
    return render_template("auth/login.html", form=form), form_status(form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    form = BaseForm()
    form.validate_on_submit()  # 400 on a bad CSRF token: nobody is signed out from another site
    # End the session on the server: a new session token makes this session cookie, and any copy of it
    # or of a "keep me signed in" cookie, worthless (the user's other browsers sign in again too).
    with database.atomic():
        account.sign_out(current_user)
    # Clear the session first: logout_user() then leaves its flag that deletes the remember cookie.
    session.clear()
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


# Why a set-password link does not work, in words (services/admin.py LinkRefused.reason).
LINK_REFUSED = {
    "invalid": (
        "This link does not work",
        "The link is not complete, or a newer link replaced it. Use the newest email you received, "
        "or ask an administrator to send you a new one.",
    ),
    "used": (
        "This link was already used",
        "A password was set with this link. Sign in with it, or ask an administrator for a new link "
        "if you do not know it.",
    ),
    "expired": (
        "This link has expired",
        "Links to set a password work for a few days only. Ask an administrator to send you a new one.",
    ),
}


@bp.route("/invite/<token>", methods=["GET", "POST"])
def set_password(token):
    """The page of an invitation (or reset) link: the person chooses their own password, then signs in.
    A link that does not work says why (404 for an unknown one, as a feedback link; 410 for a used or
    expired one)."""
    try:
        invitation = admin_service.invitation_for_token(token)
    except admin_service.LinkRefused as refused:
        title, message = LINK_REFUSED[refused.reason]
        status = 404 if refused.reason == "invalid" else 410
        return render_template("auth/set_password.html", refused=title, message=message, form=None), status
    form = SetPasswordForm()
    done = save_form(
        form,
        lambda f: admin_service.accept_invitation(token, f.new_password.data),
        "Your password is set. Sign in with your email and the new password.",
        url_for("auth.login"),
    )
    if done:
        return done
    form.new_password.data = form.confirm_password.data = ""  # passwords are never sent back
    return render_template("auth/set_password.html", form=form, person=invitation.user), form_status(form)
