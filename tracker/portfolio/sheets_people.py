"""The workbook's first sheets: organizations, units, users, support requests and engagements (issue 20).

Users come without passwords: an administrator invites them after the import (the users page), so nobody's
password ever travels in a spreadsheet.
"""

from ..models import (
    ENGAGEMENT_STATUSES,
    ORGANIZATION_KINDS,
    REQUEST_STATUSES,
    ROLES,
    SUPPORT_MODELS,
    Engagement,
    EngagementISP,
    Organization,
    SupportRequest,
    Unit,
    User,
    ValidationError,
    capacity_problem,
)
from .format import Column, Sheet, register, set_fields

register(
    Sheet(
        "organizations",
        Organization,
        (
            Column("name", required=True, field="name", max_length=200, help="The organization's name (unique)."),
            Column(
                "kind",
                "choice",
                required=True,
                field="kind",
                choices=ORGANIZATION_KINDS,
                help="intermediary: it provides support (its ISPs log engagements); recipient: its units receive it.",
            ),
            Column("hourly_rate", "float", field="hourly_rate", help="An intermediary's hourly rate for its ISPs."),
        ),
        "Intermediary and recipient organizations.",
    )
)

register(
    Sheet(
        "units",
        Unit,
        (
            Column("organization", "ref", required=True, field="organization", ref="organizations"),
            Column("name", required=True, field="name", max_length=200, help="Unique within its organization."),
        ),
        "The units of the recipient organizations (and of intermediaries, if they have any).",
    )
)


def _capacity_read(user, ids):
    return {"capacity_hours": user.capacity_minutes // 60 if user.capacity_minutes is not None else None}


def _user_apply(user, values, ids):
    set_fields(sheet_users, user, values, ids)
    hours = values["capacity_hours"]
    user.capacity_minutes = hours * 60 if hours is not None else None
    problem = capacity_problem(user.capacity_minutes)
    if problem:
        raise ValidationError({"capacity_hours": problem})
    user.save()
    return user


sheet_users = register(
    Sheet(
        "users",
        User,
        (
            Column("email", required=True, field="email", max_length=254, help="Their sign-in address (unique)."),
            Column("name", required=True, field="name", max_length=200),
            Column("role", "choice", required=True, field="role", choices=ROLES),
            Column("organization", "ref", field="organization", ref="organizations"),
            Column("unit", "ref", field="unit", ref="units", help="A recipient's unit."),
            Column("is_active", "bool", field="is_active", help="FALSE: the account cannot sign in."),
            Column(
                "reads_all_organizations",
                "bool",
                field="reads_all_organizations",
                help="A leader who reads every organization.",
            ),
            Column("hourly_rate", "float", field="hourly_rate", help="An ISP's hourly cost."),
            Column("capacity_hours", "int", help="An ISP's monthly capacity in hours."),
        ),
        "People who use the tracker. No passwords: invite them from the users page after the import.",
        read=_capacity_read,
        apply=_user_apply,
    )
)

register(
    Sheet(
        "requests",
        SupportRequest,
        (
            Column(
                "ref",
                field="ref",
                max_length=20,
                help="The readable id (REQ-2026-031); empty: given one.",
                kept_when_empty=True,
            ),
            Column("unit", "ref", required=True, field="unit", ref="units"),
            Column("requested_by", "ref", field="requested_by", ref="users"),
            Column("intermediary", "ref", field="intermediary", ref="organizations"),
            Column("title", required=True, field="title", max_length=200),
            Column("description", field="description", max_length=5000),
            Column("for_whom", field="for_whom", max_length=2000),
            Column("on_behalf_of", field="on_behalf_of", max_length=200),
            Column("hoped_start", "date", field="hoped_start"),
            Column("urgent", "bool", field="urgent"),
            Column("urgency_note", field="urgency_note", max_length=2000),
            Column("status", "choice", required=True, field="status", choices=REQUEST_STATUSES),
            Column("info_question", field="info_question", max_length=5000),
            Column("info_answer", field="info_answer", max_length=5000),
            Column("decline_reason", field="decline_reason", max_length=5000),
            Column("decided_by", "ref", field="decided_by", ref="users"),
            Column("decided_at", "datetime", field="decided_at"),
            Column("created_at", "datetime", required=True, field="created_at", help="When it was submitted (UTC)."),
        ),
        "Support requests from units; their events (questions, answers, decisions) are on request_events.",
    )
)


def _engagement_read(engagement, ids):
    links = EngagementISP.select().where(EngagementISP.engagement == engagement.id).order_by(EngagementISP.id)
    out = {"co_leads": [], "supporting": []}
    for link in links:
        out["co_leads" if link.role == "co_lead" else "supporting"].append(ids.external("users", link.user_id))
    return out


def _engagement_apply(engagement, values, ids):
    set_fields(sheet_engagements, engagement, values, ids)
    co_leads = [ids.record_id("users", e, "co_leads") for e in values["co_leads"]]
    supporting = [ids.record_id("users", e, "supporting") for e in values["supporting"]]
    problems = Engagement.isp_problems(co_leads, supporting, keep=co_leads + supporting if engagement.id else ())
    if problems:
        raise ValidationError({k.replace("co_lead_ids", "co_leads").replace("supporting_ids", "supporting"): v
                               for k, v in problems.items()})  # fmt: skip
    engagement.save()
    current = _engagement_read(engagement, ids)
    if (current["co_leads"], current["supporting"]) != (values["co_leads"], values["supporting"]):
        engagement.set_isps(co_leads, supporting)
    return engagement


sheet_engagements = register(
    Sheet(
        "engagements",
        Engagement,
        (
            Column(
                "ref",
                field="ref",
                max_length=20,
                help="The readable id (ENG-2026-014); empty: given one.",
                kept_when_empty=True,
            ),
            Column("title", required=True, field="title", max_length=200),
            Column("unit", "ref", required=True, field="unit", ref="units", help="The unit supported."),
            Column("intermediary", "ref", field="intermediary", ref="organizations", help="Who provides it."),
            Column("request", "ref", field="request", ref="requests", help="The request it came from, if any."),
            Column("problem_statement", field="problem_statement", max_length=10000),
            Column("support_model", "choice", required=True, field="support_model", choices=SUPPORT_MODELS),
            Column("start_date", "date", required=True, field="start_date"),
            Column("end_date", "date", field="end_date", help="Planned end while running; actual end once closed."),
            Column("status", "choice", required=True, field="status", choices=ENGAGEMENT_STATUSES),
            Column("closing_summary", field="closing_summary", max_length=10000),
            Column("created_at", "datetime", required=True, field="created_at"),
            Column("co_leads", "refs", required=True, ref="users", help="Two ISPs (their external_ids), “a; b”."),
            Column("supporting", "refs", ref="users", help="Supporting ISPs, “c; d”."),
        ),
        "Engagements, with their co-leads and supporting ISPs. The current stage follows from stage_entries.",
        read=_engagement_read,
        apply=_engagement_apply,
    )
)
