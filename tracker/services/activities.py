"""The work between meetings: logging several activities at once, in one transaction.

`log_activities(engagement, rows, user)` takes a list of plain dicts (the quick-entry form's rows, or
one API body):

    date, kind, minutes, notes, isps (ids of ISPs of the engagement),
    strategies, competencies (ids of catalog rows, optional)

Every row is checked (the model's rules, then the ids against the engagement and the catalogs) before
anything is written; a problem raises models.ValidationError keyed `rows-<index>-<field>` (the form's
field names; a row may carry "row", its index on the form) and nothing is stored. Blank rows (no kind,
no minutes, no notes) are skipped, so a form can offer empty lines.
"""

from ..db import database
from ..models import (
    MAX_ACTIVITIES_AT_ONCE,
    Activity,
    ActivityCompetency,
    ActivityISP,
    ActivityStrategy,
    Competency,
    EngagementISP,
    Strategy,
    ValidationError,
)


def _blank(row):
    return not row.get("kind") and row.get("minutes") in (None, "") and not (row.get("notes") or "").strip()


def _catalog_rows(model, wanted, usable_retired=()):
    """{id: row} of the catalog rows wanted, or None when one is unknown or retired."""
    found = {r.id: r for r in model.select().where(model.id.in_(list(wanted) or [0]))}
    if set(wanted) - {i for i, r in found.items() if not r.retired or i in usable_retired}:
        return None
    return found


def check_activity(engagement, row, activity=None):
    """(errors {field: message}, what to write) for one row; `activity`: the entry being changed."""
    candidate = activity or Activity(engagement=engagement.id)
    for name in ("date", "kind", "minutes"):
        setattr(candidate, name, row.get(name))
    candidate.notes = (row.get("notes") or "").strip()
    errors = candidate.validate()
    on_engagement = {
        link.user_id
        for link in EngagementISP.select(EngagementISP.user).where(EngagementISP.engagement == engagement.id)
    }
    if activity is not None:  # an ISP listed before they left the engagement stays listable on this entry
        on_engagement |= {link.user_id for link in ActivityISP.select().where(ActivityISP.activity == activity.id)}
    isps = list(dict.fromkeys(row.get("isps") or []))
    if not isps:
        errors["isps"] = "Choose who did the work (at least one ISP)."
    elif set(isps) - on_engagement:
        errors["isps"] = "Only the ISPs of this engagement can be listed."
    tags = {}
    for name, model, message in (
        ("strategies", Strategy, "Choose strategies from the list."),
        ("competencies", Competency, "Choose competencies from the list."),
    ):
        wanted = list(dict.fromkeys(row.get(name) or []))
        before = ()
        if activity is not None:
            links = activity.strategy_links if name == "strategies" else activity.competency_links
            before = {getattr(link, model._meta.table_name + "_id") for link in links}
        found = _catalog_rows(model, wanted, before)
        if found is None:
            errors[name] = message
        else:
            tags[name] = [found[i] for i in wanted]
    return errors, {"activity": candidate, "isps": isps, **tags}


def _write_links(activity, checked, replace=False):
    if replace:
        for model in (ActivityISP, ActivityStrategy, ActivityCompetency):
            model.delete().where(model.activity == activity.id).execute()
    if checked["isps"]:
        ActivityISP.insert_many([{"activity": activity.id, "user": i} for i in checked["isps"]]).execute()
    if checked["strategies"]:
        ActivityStrategy.insert_many(
            [{"activity": activity.id, "strategy": s.id, "label": s.name} for s in checked["strategies"]]
        ).execute()
    if checked["competencies"]:
        ActivityCompetency.insert_many(
            [{"activity": activity.id, "competency": c.id, "label": c.name} for c in checked["competencies"]]
        ).execute()


def write_links(activity, checked, new=False):
    """Write the ISPs and tags of `checked` (check_activity) on `activity`, replacing those it had unless it
    is `new` (the portfolio import)."""
    _write_links(activity, checked, replace=not new)


def log_activities(engagement, rows, user, draft=False):
    """Log the non-blank `rows` as activities of `engagement` by `user`, all or none, submitted for review or
    as drafts (`draft`). Returns them."""
    rows = [row for row in rows if not _blank(row)]
    if not rows:
        raise ValidationError({"rows": "Fill in at least one line: the date, the kind of work and the minutes."})
    if len(rows) > MAX_ACTIVITIES_AT_ONCE:
        raise ValidationError({"rows": f"At most {MAX_ACTIVITIES_AT_ONCE} activities at once."})
    errors, checked = {}, []
    for index, row in enumerate(rows):
        problems, ready = check_activity(engagement, row)
        position = row.get("row", index)
        errors.update({f"rows-{position}-{field}": message for field, message in problems.items()})
        checked.append(ready)
    if errors:
        raise ValidationError(errors)
    with database.atomic():
        for ready in checked:
            activity = ready["activity"]
            activity.logged_by = user.id if user is not None else None
            activity.review_state = "draft" if draft else "submitted"
            activity.save()
            _write_links(activity, ready)
    return [ready["activity"] for ready in checked]


def update_activity(activity, row, user):
    """Change one activity (what `row` holds replaces it, tags and ISPs included); refused when approved."""
    activity.check_unlocked()
    engagement = activity.engagement
    errors, ready = check_activity(engagement, row, activity)
    if errors:
        raise ValidationError(errors)
    with database.atomic():
        ready["activity"].save()
        _write_links(activity, ready, replace=True)
    return activity
