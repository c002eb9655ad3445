"""What every form view does the same way."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, current_app, flash, has_request_context, redirect, render_template, url_for
from flask_login import current_user

from .. import audit, policy
from ..dates import format_date
from ..db import database
from ..forms import BaseForm
from ..models import StaleEdit, ValidationError
from ..services import parts


def save_form(form, write, success, next_url):
    """On a valid POST run `write(form)` in one transaction, flash `success` and redirect.

    A model ValidationError rolls everything back and shows its messages next to the fields; the
    caller then re-renders the form (with the user's input kept) with status 400. A StaleEdit (the
    record changed since the form was opened; see VersionedForm) writes nothing either and puts the
    other person's change in `form.conflict` (status 409). Returns the redirect response, or None when
    the form is to be shown (again).
    """
    if not form.validate_on_submit():
        return None
    try:
        with database.atomic():
            result = write(form)
    except StaleEdit as exc:
        show_conflict(form, exc)
        return None
    except ValidationError as exc:
        form.add_errors(exc.errors)
        return None
    flash(success(result) if callable(success) else success, "success")
    return redirect(next_url(result) if callable(next_url) else next_url)


def save_fields(row, form):
    """The write of a plain form: the form's fields onto `row` (WTForms populate_obj), saved; returns it."""
    form.populate_obj(row)
    row.save()
    return row


def form_status(form):
    """409 for a stale edit, 400 for a form that was submitted and refused, 200 for a fresh one."""
    if getattr(form, "conflict", None):
        return 409
    return 400 if form.errors or form.form_errors else 200


_THINGS = {
    "TeamMember": "team member",
    "GoalMeasurement": "value",
    "ContextNote": "context note",
    "SupportRequest": "support request",
}


def show_conflict(form, exc):
    """Put a StaleEdit on the form in words: who changed the record and when, which fields, and their
    values beside the ones submitted. The form's version becomes the stored one: saving again (after
    reading theirs) then keeps what the form holds."""
    entity = type(exc.record).__name__ if exc.record is not None else ""
    thing = _THINGS.get(entity, entity.lower() or "record")
    labels = {name: field.label.text for name, field in form._fields.items() if hasattr(field, "label")}
    labels.update({"co_leads": "Co-leads", "supporting": "Supporting ISPs"})

    def label_of(field):
        return labels.get(field) or audit.field_words(field).capitalize()

    def words(values):
        shown = {f: show_date(v) if isinstance(v, dt.date) else v for f, v in values.items()}
        return audit.values_in_words(entity, shown)

    theirs, yours = words(exc.theirs), words(exc.yours)
    who = exc.by or "Someone"
    when = ""
    if exc.at is not None:
        time = exc.at.strftime("%H:%M") + " UTC"
        when = (
            f" at {time} today"
            if exc.at.date() == dt.datetime.now(dt.UTC).date()
            else f" on {show_date(exc.at)} at {time}"
        )
    fields = ", ".join(label_of(f)[:1].lower() + label_of(f)[1:] for f in exc.changed)
    form.conflict = {
        "message": f"{who} changed this {thing}{when}" + (f": {fields}." if fields else "."),
        "detail": "Nothing was saved. Your input is kept below: compare it with their values, then save "
        "again to keep yours, or leave the page to keep theirs.",
        "rows": [(label_of(f), theirs[f], yours[f]) for f in exc.theirs],
    }
    if exc.record is not None and hasattr(form, "version"):
        form.version.data = exc.record.version


def form_page(form, write, success, next_url, template, **context):
    """save_form, or else the form's page: fresh (200) or refused with its messages (400)."""
    done = save_form(form, write, success, next_url)
    if done:
        return done
    return render_template(template, form=form, **context), form_status(form)


@dataclass(frozen=True)
class PartForm:
    """The add and edit pages of one kind of part of an engagement (a goal, a deliverable, ...).

    Declared once per blueprint: the model, the template and its variable, the section of the engagement
    page to go back to, the messages, and the page's title and button where the view gives them (templates
    that word their own leave add_title None). `page` serves both the add view (`part` None) and the edit
    view."""

    model: type  # the part's model (with an `engagement` foreign key)
    template: str
    name: str  # the template's variable for the part (None when adding)
    anchor: str  # the section of the engagement page to go back to
    added: Callable  # part -> the message after adding
    saved: Callable  # part -> the message after saving
    add_title: str | None = None
    add_button: str | None = None
    edit_title: Callable | None = None  # part -> the edit page's title
    edit_button: str = "Save changes"

    def page(self, engagement, part, form, write=None, **context):
        """The page; `write(form)` defaults to the form's fields onto the part (or onto a new one of the
        engagement), saved."""
        adding = part is None
        if write is None:
            row = self.model(engagement=engagement) if adding else part
            write = lambda form: save_fields(row, form)  # noqa: E731  (the write of form_page)
        if self.add_title is not None:
            context["title"] = self.add_title if adding else self.edit_title(part)
            context["button"] = self.add_button if adding else self.edit_button
        return form_page(
            form,
            write,
            self.added if adding else self.saved,
            url_for("engagements.detail", engagement_id=engagement.id, _anchor=self.anchor),
            self.template,
            e=engagement,
            **{self.name: part},
            **context,
        )


def date_style():
    """How to show dates: the signed-in person's choice, else the site default (a key of tracker.dates.STYLES)."""
    user = current_user._get_current_object() if has_request_context() else None  # one proxy lookup a date
    if user is not None and user.is_authenticated:
        return user.date_format
    return current_app.config["DATE_FORMAT"]


def show_date(value):
    """A date (or datetime) as the reader wants to see it.

    A site DATE_FORMAT with a `%` in it (an instance config written when it was a strftime pattern) is
    still used as one; every built-in style is formatted by tracker.dates, independent of the platform."""
    style = date_style()
    if "%" in style:
        return value.strftime(style)
    return format_date(value, style)


def delete_part_page(part, *, title, message, button, action, back, done):
    """The confirmation page before deleting a part of an engagement (GET), and the soft delete
    itself (POST with a valid CSRF token, else 400): `done(part)` is the flash message. `part` comes
    from policy.get_part (its .engagement set); policy.can_delete_part decides (403)."""
    if not policy.can_delete_part(current_user, part.engagement):
        abort(403)
    if BaseForm().validate_on_submit():  # a POST with a bad CSRF token answers 400 there
        parts.delete_part(part)
        flash(done(part) + " An administrator can restore it.", "success")
        return redirect(back)
    return render_template(
        "confirm.html",
        title=title,
        message=message + " An administrator can restore it.",
        action=action,
        button=button,
        cancel=back,
    )
