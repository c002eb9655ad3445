"""The research export: tidy, long-format CSV files for researchers (`flask --app tracker
export-research OUT_DIR`, tracker/cli/research.py).

One row per observation, one column per variable, a codebook (codebook.csv) that names every
column's type, meaning and allowed values, and a REDCap-style data dictionary
(data_dictionary.csv). People are replaced by stable pseudonymous ids (a keyed hash of the row id
with the install's SECRET_KEY, so the same person gets the same id in every export of this install
and cannot be looked up without the key); names, emails and free-text notes are left out (notes
only with --include-notes).

Feedback follows the disclosure rule (docs/disclosure.md): feedback_items.csv holds one row per
answer, only of answers released on their scale (never a response before it is in a release of at
least three), with the release's date instead of the answer's, and the response as a pseudonym (not
its row id, whose order would follow the order of answering): nothing links a row to an invitation, a
meeting or a person. A deleted response stays in the export if it was released, as it stays in the
figures shown.

Every file is written by the app's one CSV writer (tracker/exports.py: formula escaping, notes
included) and created readable by its owner only (0600), in a folder only its owner may enter.
"""

import hashlib
import hmac
import os

from flask import current_app
from peewee import JOIN

from . import models as m
from .exports import write_csv_file

INT, DATE, TEXT, BOOL, DECIMAL = "integer", "date", "text", "boolean", "number"


def _choices(pairs):
    return "|".join(k for k, _ in pairs)


def pseudonym(kind, row_id):
    if row_id is None:
        return ""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"{kind}:{row_id}".encode(), hashlib.sha256).hexdigest()[:10]
    return f"{kind[0].upper()}-{digest}"


# file -> [(column, type, meaning, allowed values)]
CODEBOOK = {
    "engagements": [
        ("engagement_id", INT, "Engagement (row id)", ""),
        ("unit_id", INT, "Recipient unit (row id)", ""),
        ("organization_id", INT, "Recipient organization (row id)", ""),
        ("support_model", TEXT, "Model of support", _choices(m.SUPPORT_MODELS)),
        ("status", TEXT, "Status at export", _choices(m.ENGAGEMENT_STATUSES)),
        ("start_date", DATE, "Start date", ""),
        ("end_date", DATE, "Planned or actual end date (empty: open)", ""),
        ("engagement_length", TEXT, "Limited (up to 12 months) or high (12+ months), from the dates", "limited|high"),
        ("from_request", BOOL, "Came from a support request", "0|1"),
        ("on_behalf_of_partner", BOOL, "Request made on behalf of an external partner or grantee", "0|1"),
        ("current_stage", TEXT, "Implementation stage at export", ""),
        ("co_lead_1", TEXT, "First ISP co-lead (pseudonym)", ""),
        ("co_lead_2", TEXT, "Second ISP co-lead (pseudonym)", ""),
        ("supporting_isps", INT, "Number of supporting ISPs", ""),
    ],
    "meetings": [
        ("meeting_id", INT, "Meeting or session (row id)", ""),
        ("engagement_id", INT, "Engagement (row id)", ""),
        ("date", DATE, "Date held", ""),
        ("kind", TEXT, "Kind of session", _choices(m.MEETING_KINDS)),
        ("mode", TEXT, "In person or virtual", _choices(m.MEETING_MODES)),
        ("duration_minutes", INT, "Dose: minutes of support", ""),
        ("team_attendees", INT, "Implementation team members attending", ""),
        ("isp_attendees", INT, "ISPs attending", ""),
        ("logged_by", TEXT, "ISP who logged it (pseudonym)", ""),
        ("notes", TEXT, "Meeting notes (only with --include-notes)", ""),
    ],
    "meeting_competencies": [
        ("meeting_id", INT, "Meeting (row id)", ""),
        ("competency_key", TEXT, "Competency used (catalog key)", ""),
        ("domain_key", TEXT, "Competency domain (catalog key)", ""),
        ("framework_key", TEXT, "Competency framework (catalog key)", ""),
    ],
    "meeting_strategies": [
        ("meeting_id", INT, "Meeting (row id)", ""),
        ("strategy_key", TEXT, "Strategy used (catalog key; ERIC or ISP activity)", ""),
        ("cluster_key", TEXT, "ERIC cluster (Waltz et al. 2015) or isp_activities", ""),
        ("minutes", INT, "Minutes given to this strategy, when recorded", ""),
    ],
    "goals_history": [
        ("goal_id", INT, "Goal (row id)", ""),
        ("engagement_id", INT, "Engagement (row id)", ""),
        ("status", TEXT, "Status from this date", _choices(m.GOAL_STATUSES)),
        ("changed_on", DATE, "Date of the change", ""),
        ("meeting_id", INT, "Meeting where it was recorded (empty: outside a meeting)", ""),
    ],
    "stage_history": [
        ("engagement_id", INT, "Engagement (row id)", ""),
        ("stage_key", TEXT, "Stage entered", "exploration|installation|initial_implementation|full_implementation"),
        ("entered_on", DATE, "Date entered (a stage may be entered again: a revisit)", ""),
        ("visit", INT, "1 for the first entry into this stage, 2 for the first revisit, ...", ""),
    ],
    "benchmarks": [
        ("benchmark_id", INT, "Benchmark (row id)", ""),
        ("engagement_id", INT, "Engagement (row id)", ""),
        ("stage_key", TEXT, "Stage the benchmark belongs to", ""),
        ("from_template", BOOL, "A default benchmark of the stage (0: engagement-specific)", "0|1"),
        ("completed_on", DATE, "Date completed (empty: open)", ""),
    ],
    "feedback_items": [
        ("response", TEXT, "Feedback response (pseudonym; the same for each answer of one response)", ""),
        ("engagement_id", INT, "Engagement (row id)", ""),
        ("kind", TEXT, "Pulse or full survey", _choices(m.FEEDBACK_KINDS)),
        ("released_on", DATE, "Date the answer was released with at least two others (not when answered)", ""),
        ("instrument_key", TEXT, "Instrument (catalog key)", ""),
        ("instrument_version", INT, "Instrument version the answer was given on", ""),
        ("item_key", TEXT, "Item (catalog key)", ""),
        ("scale", TEXT, "Scale of the item", "aim|iam|fim|trust|knowledge|application|capacity"),
        ("value", INT, "Answer: 1 completely disagree ... 5 completely agree", "1|2|3|4|5"),
    ],
}


def _d(value):
    return value.isoformat() if value else ""


def _b(value):
    return "1" if value else "0"


def _engagements(organization_id):
    query = m.Engagement.live().join(m.Unit)
    if organization_id:
        query = query.where((m.Unit.organization == organization_id) | (m.Engagement.intermediary == organization_id))
    return query


def collect(date_from=None, date_to=None, organization_id=None, include_notes=False):
    """{file: [row tuples]} in the column order of CODEBOOK; a fixed number of queries."""
    engagements = list(
        _engagements(organization_id)
        .select(m.Engagement, m.Unit, m.SupportRequest, m.Stage)
        .switch(m.Engagement)
        .join(m.SupportRequest, JOIN.LEFT_OUTER)
        .switch(m.Engagement)
        .join(m.Stage, JOIN.LEFT_OUTER, on=(m.Engagement.current_stage == m.Stage.id))
    )
    ids = [e.id for e in engagements]
    isps = {}
    for link in m.EngagementISP.select().where(m.EngagementISP.engagement.in_(ids)).order_by(m.EngagementISP.id):
        isps.setdefault(link.engagement_id, []).append(link)
    out = {name: [] for name in CODEBOOK}
    for e in engagements:
        leads = [pseudonym("person", link.user_id) for link in isps.get(e.id, []) if link.role == "co_lead"]
        leads += ["", ""]
        out["engagements"].append(
            (
                e.id,
                e.unit_id,
                e.unit.organization_id,
                e.support_model,
                e.status,
                _d(e.start_date),
                _d(e.end_date),
                e.engagement_length,
                _b(e.request_id),
                _b(e.request_id and e.request.on_behalf_of),
                e.current_stage.key if e.current_stage_id else "",
                leads[0],
                leads[1],
                sum(1 for link in isps.get(e.id, []) if link.role == "supporting"),
            )
        )

    meetings = m.Meeting.live().where(m.Meeting.engagement.in_(ids))
    if date_from:
        meetings = meetings.where(m.Meeting.date >= date_from)
    if date_to:
        meetings = meetings.where(m.Meeting.date <= date_to)
    meetings = list(meetings.order_by(m.Meeting.engagement, m.Meeting.date, m.Meeting.id))
    meeting_ids = [x.id for x in meetings]
    attendance = {}
    for a in (
        m.MeetingAttendee.select(m.MeetingAttendee)
        .join(m.TeamMember, JOIN.LEFT_OUTER, on=(m.MeetingAttendee.team_member == m.TeamMember.id))
        .where(m.MeetingAttendee.meeting.in_(meeting_ids) & m.TeamMember.deleted_at.is_null())  # ISPs: no member
    ):
        team, isp = attendance.get(a.meeting_id, (0, 0))
        attendance[a.meeting_id] = (team + (a.team_member_id is not None), isp + (a.user_id is not None))
    for x in meetings:
        team, isp = attendance.get(x.id, (0, 0))
        out["meetings"].append(
            (
                x.id,
                x.engagement_id,
                _d(x.date),
                x.kind,
                x.mode,
                x.duration_minutes,
                team,
                isp,
                pseudonym("person", x.logged_by_id),
                x.notes if include_notes else "",
            )
        )
    for link in (
        m.MeetingCompetency.select(m.MeetingCompetency, m.Competency, m.CompetencyDomain, m.CompetencyFramework)
        .join(m.Competency)
        .join(m.CompetencyDomain)
        .join(m.CompetencyFramework)
        .where(m.MeetingCompetency.meeting.in_(meeting_ids))
        .order_by(m.MeetingCompetency.id)
    ):
        c = link.competency
        out["meeting_competencies"].append((link.meeting_id, c.key, c.domain.key, c.domain.framework.key))
    for link in (
        m.MeetingStrategy.select(m.MeetingStrategy, m.Strategy, m.StrategyCluster)
        .join(m.Strategy)
        .join(m.StrategyCluster)
        .where(m.MeetingStrategy.meeting.in_(meeting_ids))
        .order_by(m.MeetingStrategy.id)
    ):
        out["meeting_strategies"].append(
            (
                link.meeting_id,
                link.strategy.key,
                link.strategy.cluster.key,
                "" if link.minutes is None else link.minutes,
            )
        )

    history = (
        m.GoalStatusChange.select(m.GoalStatusChange, m.Goal)
        .join(m.Goal)
        .where(m.Goal.engagement.in_(ids) & m.Goal.deleted_at.is_null())
    )
    if date_from:
        history = history.where(m.GoalStatusChange.changed_on >= date_from)
    if date_to:
        history = history.where(m.GoalStatusChange.changed_on <= date_to)
    for h in history.order_by(
        m.Goal.engagement, m.GoalStatusChange.goal, m.GoalStatusChange.changed_on, m.GoalStatusChange.id
    ):
        out["goals_history"].append(
            (h.goal_id, h.goal.engagement_id, h.status, _d(h.changed_on), "" if h.meeting_id is None else h.meeting_id)
        )
    visits = {}
    for entry in (
        m.StageEntry.select(m.StageEntry, m.Stage)
        .join(m.Stage)
        .where(m.StageEntry.engagement.in_(ids))
        .order_by(m.StageEntry.engagement, m.StageEntry.entered_on, m.StageEntry.id)
    ):
        key = (entry.engagement_id, entry.stage.key)
        visits[key] = visits.get(key, 0) + 1
        out["stage_history"].append((entry.engagement_id, entry.stage.key, _d(entry.entered_on), visits[key]))
    for b in (
        m.Benchmark.select(m.Benchmark, m.Stage)
        .join(m.Stage)
        .where(m.Benchmark.engagement.in_(ids) & m.Benchmark.deleted_at.is_null())
        .order_by(m.Benchmark.engagement, m.Stage.position, m.Benchmark.position, m.Benchmark.id)
    ):
        out["benchmarks"].append((b.id, b.engagement_id, b.stage.key, _b(b.template_id), _d(b.completed_on)))

    answers = (
        m.FeedbackAnswer.select(
            m.FeedbackAnswer.response.alias("response_id"),
            m.FeedbackRelease.engagement.alias("engagement_id"),
            m.FeedbackResponse.kind.alias("kind"),
            m.FeedbackRelease.released_on.alias("released_on"),
            m.FeedbackInstrument.key.alias("instrument_key"),
            m.FeedbackInstrument.version.alias("instrument_version"),
            m.FeedbackItem.key.alias("item_key"),
            m.FeedbackItem.scale.alias("scale"),
            m.FeedbackAnswer.value.alias("value"),
        )
        .join(m.FeedbackResponse)
        .switch(m.FeedbackAnswer)
        .join(m.FeedbackItem)
        .join(m.FeedbackInstrument)
        .switch(m.FeedbackAnswer)
        .join(
            m.FeedbackReleased,
            on=(m.FeedbackReleased.response == m.FeedbackAnswer.response)
            & (m.FeedbackReleased.subject == m.FeedbackItem.scale),
        )
        .join(m.FeedbackRelease)
        .where(m.FeedbackRelease.engagement.in_(ids))
    )
    if date_from:
        answers = answers.where(m.FeedbackRelease.released_on >= date_from)
    if date_to:
        answers = answers.where(m.FeedbackRelease.released_on <= date_to)
    rows = [
        (
            pseudonym("response", a["response_id"]),
            a["engagement_id"],
            a["kind"],
            _d(a["released_on"]),
            a["instrument_key"],
            a["instrument_version"],
            a["item_key"],
            a["scale"] or "",
            a["value"],
        )
        for a in answers.dicts()
    ]
    out["feedback_items"] = sorted(rows, key=lambda r: (r[1], r[3], r[0], r[6]))
    return out


def _redcap_rows():
    """A REDCap-style data dictionary: one instrument (form) per file, one field per column."""
    header = [
        "Variable / Field Name",
        "Form Name",
        "Section Header",
        "Field Type",
        "Field Label",
        "Choices, Calculations, OR Slider Labels",
        "Field Note",
        "Text Validation Type OR Show Slider Number",
        "Text Validation Min",
        "Text Validation Max",
        "Identifier?",
    ]
    rows = []
    validation = {INT: "integer", DATE: "date_ymd", DECIMAL: "number", TEXT: "", BOOL: ""}
    for form, columns in CODEBOOK.items():
        for column, kind, meaning, allowed in columns:
            if kind == BOOL:
                field_type, choices = "yesno", ""
            elif allowed and kind == TEXT:
                field_type = "dropdown"
                choices = " | ".join(f"{i}, {value}" for i, value in enumerate(allowed.split("|"), 1))
            else:
                field_type, choices = ("notes" if column == "notes" else "text"), ""
            rows.append(
                [f"{form}_{column}"[:100], form, "", field_type, meaning, choices, "", validation[kind], "", "", ""]
            )
    return header, rows


def write(out_dir, data):
    os.makedirs(out_dir, mode=0o700, exist_ok=True)
    counts = {}
    for name, columns in CODEBOOK.items():
        write_csv_file(os.path.join(out_dir, f"{name}.csv"), [[c[0] for c in columns], *data[name]])
        counts[name] = len(data[name])
    codebook = [["file", "column", "type", "meaning", "allowed_values"]]
    codebook += [
        [f"{name}.csv", column, kind, meaning, allowed]
        for name, columns in CODEBOOK.items()
        for column, kind, meaning, allowed in columns
    ]
    write_csv_file(os.path.join(out_dir, "codebook.csv"), codebook)
    header, rows = _redcap_rows()
    write_csv_file(os.path.join(out_dir, "data_dictionary.csv"), [header, *rows])
    return counts
