"""A signed-in person's own account: how dates are shown to them, how they are told by email, and their
password; and what ends a person's sessions (their password changed or reset, "sign out everywhere"), told to the owner.

Writes raise models.ValidationError({field: message}); callers run them inside database.atomic().
"""

from .. import mail
from ..auth import SignInRefused, SignInThrottled, authenticate
from ..models import SignInAttempt, User

WRONG_CURRENT = "That is not your current password."

# Why a person's sessions ended: the subject and the sentence of the mail that tells them.
ENDED = {
    "password_changed": (
        "Your password was changed",
        "Your password was changed, and every other browser and device was signed out",
    ),
    "password_reset": (
        "An administrator set a new password for you",
        "An administrator set a new password for your account, and every browser and device was signed out",
    ),
    "signed_out": (
        "You were signed out everywhere",
        "An administrator signed your account out on every browser and device",
    ),
}


def set_date_format(user, key):
    user.date_format = key
    user.save()  # validate() refuses a key that is not one of DATE_FORMATS
    return user


def set_notification_choice(user, key):
    """How the person is told by email (services/notifications.py); validate() refuses an unknown key."""
    user = User.get_by_id(user.id)
    user.notification_choice = key
    user.save()
    return user


def check_current_password(user, password, address):
    """None when `password` is the user's password; else the message to show next to the field.

    It is a sign-in of the account (auth.authenticate: the same throttle, the same recorded failures),
    so a session left open on a shared computer cannot be used to guess the password at leisure.
    """
    try:
        authenticate(user.email, password, address)
    except SignInThrottled as throttled:
        return (
            f"Too many wrong passwords. Try again in {throttled.wait_words}, "
            "or ask an administrator to reset your password."
        )
    except SignInRefused:
        return WRONG_CURRENT
    return None


def sign_out(user):
    """Sign-out: a new session token, so this session cookie (and any copy of it, and any "keep me
    signed in" cookie) no longer signs anyone in. The user's API tokens stay (scripts are not browsers)."""
    user = User.get_by_id(user.id)
    user.rotate_session_token()
    user.save()
    return user


def end_sessions(user, why):
    """Sign `user` out on every browser and device, revoke their API tokens and tell them by mail
    (the outbox: sent after the transaction commits). `why` is a key of ENDED. Returns the number of
    API tokens revoked. Call it inside a transaction."""
    revoked = user.end_sessions()
    subject, sentence = ENDED[why]
    tokens = f"; {token_words(revoked)} revoked" if revoked else ""
    mail.queue(
        user.email,
        f"{subject} (Engagement Tracker)",
        f"Hello {user.name},\n\n{sentence}{tokens}.\n\nIf you did not expect this, tell an administrator at once.\n",
    )
    return revoked


def token_words(count):
    """'1 API token', '3 API tokens' (for the messages that say what was revoked)."""
    return f"{count} API token{'s' if count != 1 else ''}"


def change_password(user, new_password):
    """Set the new password and end every session and API token of the user (the caller signs this
    session in again with the new session token); the owner is told by mail. Returns (user, tokens
    revoked)."""
    user = User.get_by_id(user.id)
    user.change_password(new_password)  # the password policy: User.password_problems, refused as "password"
    revoked = end_sessions(user, "password_changed")
    SignInAttempt.clear(user.email)
    return user, revoked
