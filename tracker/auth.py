"""Sign-in: flask-login wiring, role decorators and safe redirects. Who may see what is in policy.py."""
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, jsonify, redirect, request, url_for
from flask_login import LoginManager, current_user

from .models import User

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


def init_app(app):
    login_manager.init_app(app)


@login_manager.user_loader
def load_user(session_token):
    # The session holds the user's session token, not the id: rotating it signs them out everywhere.
    return User.select().where((User.session_token == session_token) & User.is_active).first()


def wants_json():
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["application/json", "text/html"]) == "application/json")


@login_manager.unauthorized_handler
def unauthorized():
    if wants_json():
        return jsonify(error={"code": "unauthorized", "message": "Sign in first.", "fields": {}}), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def safe_next(target, default="home.index"):
    """Only same-site relative paths are followed after sign-in; anything else goes home."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target:
            return target
    return url_for(default)


def roles_required(*roles):
    """Signed-in users with one of `roles` only (others: 403; anonymous: sign in first)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator
