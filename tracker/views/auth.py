"""Sign in and sign out."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..auth import BAD_CREDENTIALS, SignInRefused, authenticate, safe_next  # noqa: F401 (BAD_CREDENTIALS: for tests)
from ..db import database
from ..forms import BaseForm
from ..forms.auth import SignInForm
from ..services import account
from .helpers import form_status

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
