"""A signed-in person's own account: how dates are shown to them, and their password.

Writes raise models.ValidationError({field: message}); callers run them inside database.atomic().
"""

from ..auth import throttled_for
from ..db import database
from ..models import SignInAttempt, User

WRONG_CURRENT = "That is not your current password."


def set_date_format(user, key):
    user.date_format = key
    user.save()  # validate() refuses a key that is not one of DATE_FORMATS
    return user


def check_current_password(user, password, address):
    """None when `password` is the user's password; else the message to show next to the field.

    Wrong guesses count as failed sign-ins of the account (the same throttle as the sign-in page), so
    a session left open on a shared computer cannot be used to guess the password at leisure.
    """
    address = (address or "unknown")[:64]
    wait = throttled_for(user.email, address)
    if wait:
        return (
            f"Too many wrong passwords. Try again in {wait} minute{'s' if wait != 1 else ''}, "
            "or ask an administrator to reset your password."
        )
    if user.check_password(password or ""):
        return None
    with database.atomic():
        SignInAttempt.create(email=user.email, address=address)
    return WRONG_CURRENT


def change_password(user, new_password):
    """Set the new password and rotate the session token: every other browser and device is signed
    out (the caller signs this session in again with the new token)."""
    user = User.get_by_id(user.id)
    user.change_password(new_password)  # the password policy: User.password_problems, refused as "password"
    user.rotate_session_token()
    user.save()
    with database.atomic():
        SignInAttempt.delete().where(SignInAttempt.email == user.email).execute()
    return user
