"""Forms of the "Your account" page: how dates are shown, how you are told by email, and a new password."""

from wtforms import PasswordField
from wtforms.validators import DataRequired, Length, ValidationError

from ..models import DATE_FORMATS, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, NOTIFICATION_CHOICES, PASSWORD_HINT
from . import BaseForm
from .fields import ChoiceField


class _FormatChoice(ChoiceField):
    def pre_validate(self, form):
        if self.data not in ("", None) and self.data not in dict(self.choices):
            raise ValidationError("Choose one of the date formats in the list.")


class DateFormatForm(BaseForm):
    date_format = _FormatChoice(
        "Show dates as", choices=DATE_FORMATS, validators=[DataRequired("Choose how dates are shown.")]
    )


class _NotificationChoice(ChoiceField):
    def pre_validate(self, form):
        if self.data not in ("", None) and self.data not in dict(self.choices):
            raise ValidationError("Choose one of the ways in the list.")


class NotificationForm(BaseForm):
    notification_choice = _NotificationChoice(
        "Email me when something needs me",
        choices=NOTIFICATION_CHOICES,
        validators=[DataRequired("Choose how you are told.")],
    )


class ChangePasswordForm(BaseForm):
    """The password policy is the model's (User.password_problems), reported as "password" and shown
    next to the new password."""

    error_fields = {"password": "new_password"}

    current_password = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password."), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        f"New password ({PASSWORD_HINT})",
        validators=[DataRequired("Enter a new password.")],
        render_kw={"autocomplete": "new-password", "minlength": MIN_PASSWORD_LENGTH},
    )
    confirm_password = PasswordField(
        "New password again",
        validators=[DataRequired("Type the new password a second time.")],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_confirm_password(self, field):
        if self.new_password.data and field.data != self.new_password.data:
            raise ValidationError("The two new passwords are not the same. Type them again.")

    def validate_new_password(self, field):
        if field.data and field.data == self.current_password.data:
            raise ValidationError("Choose a new password that differs from the current one.")
