"""The research export: tidy, long-format CSV files for researchers (`flask --app tracker
export-research OUT_DIR`, tracker/cli/research.py).

One row per observation, one column per variable: engagements, team positions, support requests,
meetings with their competencies, strategies, principles and next steps, the work between meetings
(activities), goal and stage history,
the values of goals' measured indicators, implementation plans (items, and versions with their
agreement), FRAME-IS modifications of planned strategies, benchmarks, deliverables, context notes (and
their counts by engagement, CFIR domain and kind) and released feedback answers. A codebook
(codebook.csv) names every column's type, meaning and allowed values, and a REDCap data dictionary
(data_dictionary.csv, REDCap's 18 columns in REDCap's order) defines one form per file and one field per
column, named as the column: names are valid REDCap variable names, unique across the export except the
record identifier engagement_id that every file carries, and choices are coded
with the codes the files hold. People are replaced by stable pseudonymous ids (a keyed hash of the
row id with the install's SECRET_KEY, so the same person gets the same id in every export of this
install and cannot be looked up without the key); names, emails, titles and free-text notes are
left out (meeting notes, context notes, next steps and modifications' descriptions only with
--include-notes, then flagged as identifiers in the dictionary).

Feedback follows the disclosure rule (docs/disclosure.md): feedback_items.csv holds one row per
answer, only of answers released on their scale (a full survey's) or on their item (a pulse's), never
a response before it is in a release of at least three, with the release's date instead of the
answer's, and the response as a pseudonym (not its row id, whose order would follow the order of
answering): nothing links a row to an invitation, a meeting or a person. A deleted response stays in
the export if it was released, as it stays in the figures shown.

Every file is written by the app's one CSV writer (tracker/exports.py: formula escaping, notes
included) and created readable by its owner only (0600), in a folder only its owner may enter.
"""

import datetime as dt
import hashlib
import hmac
import os

from flask import current_app
from peewee import JOIN, Value

from . import catalog
from . import models as m
from .exports import write_csv_file
from .reports import activities as activity_report

INT, DATE, TEXT, BOOL, DECIMAL = "integer", "date", "text", "boolean", "number"

RECORD_ID = "engagement_id"  # REDCap's record identifier: first field of the first form, in every file
# Stages, scales and the 1-5 labels come from the shipped catalogs (tracker/catalog/*.json): the codes
# the data holds are the catalog keys.
STAGES = tuple((stage["key"], stage["name"]) for stage in catalog.read("stages")["stages"])
_FEEDBACK = catalog.read("feedback")["instruments"][0]
SCALES = tuple((scale["key"], scale["name"]) for scale in _FEEDBACK["scales"])
LENGTHS = (("limited", "Limited (up to 12 months)"), ("high", "High (12+ months)"))
AGREEMENT = tuple(sorted(_FEEDBACK["scale_labels"].items()))
YES_NO = (("0", "No"), ("1", "Yes"))
SCORED = {"value": (1, 5)}  # scored items: integer answers within these bounds
IDENTIFIERS = {
    "notes",
    "context_text",
    "step_text",
    "mod_description",
    "activity_notes",
}  # free text that may name people


def pseudonym(kind, row_id):
    if row_id is None:
        return ""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"{kind}:{row_id}".encode(), hashlib.sha256).hexdigest()[:10]
    return f"{kind[0].upper()}-{digest}"


# file -> [(column, type, meaning, choices as (code, label) pairs: the codes are what the file holds)].
# Column names are REDCap variable names (lowercase letters, digits and underscores, starting with a
# letter, at most 26 characters) and unique across the export, except RECORD_ID: every file carries
# it to name its record (an engagement), as a REDCap import does.
CODEBOOK = {
    "engagements": [
        ("engagement_id", INT, "Engagement (row id)", ()),
        ("unit_id", INT, "Recipient unit (row id)", ()),
        ("organization_id", INT, "Recipient organization (row id)", ()),
        ("support_model", TEXT, "Model of support", m.SUPPORT_MODELS),
        ("status", TEXT, "Status at export", m.ENGAGEMENT_STATUSES),
        ("start_date", DATE, "Start date", ()),
        ("end_date", DATE, "Planned or actual end date (empty: open)", ()),
        ("engagement_length", TEXT, "Limited (up to 12 months) or high (12+ months), from the dates", LENGTHS),
        ("from_request", BOOL, "Came from a support request", YES_NO),
        ("on_behalf_of_partner", BOOL, "Request made on behalf of an external partner or grantee", YES_NO),
        ("current_stage", TEXT, "Implementation stage at export", STAGES),
        ("co_lead_1", TEXT, "First ISP co-lead (pseudonym)", ()),
        ("co_lead_2", TEXT, "Second ISP co-lead (pseudonym)", ()),
        ("supporting_isps", INT, "Number of supporting ISPs", ()),
    ],
    "team_positions": [
        ("engagement_id", INT, "Engagement (row id)", ()),
        ("team_member", TEXT, "Implementation team member (pseudonym)", ()),
        ("position", TEXT, "Position in the recipient unit", m.POSITIONS),
        ("joined_on", DATE, "Joined the team (empty: not recorded)", ()),
        ("left_on", DATE, "Left the team (empty: still a member)", ()),
    ],
    "support_requests": [
        ("request_id", INT, "Support request (row id)", ()),
        ("engagement_id", INT, "Engagement it became (empty: none)", ()),
        ("request_unit_id", INT, "Unit the request is for (row id)", ()),
        ("request_status", TEXT, "Status at export", m.REQUEST_STATUSES),
        ("submitted_on", DATE, "Date submitted", ()),
        ("hoped_start", DATE, "Hoped start date (empty: none given)", ()),
        ("urgent", BOOL, "Marked urgent", YES_NO),
        ("for_partner", BOOL, "On behalf of an external partner or grantee", YES_NO),
        ("decided_on", DATE, "Date accepted or declined (empty: not decided)", ()),
    ],
    "meetings": [
        ("meeting_id", INT, "Meeting or session (row id)", ()),
        ("engagement_id", INT, "Engagement (row id)", ()),
        ("date", DATE, "Date held", ()),
        ("kind", TEXT, "Kind of session", m.MEETING_KINDS),
        ("mode", TEXT, "In person or virtual", m.MEETING_MODES),
        ("duration_minutes", INT, "Dose: minutes of support", ()),
        ("team_attendees", INT, "Implementation team members attending", ()),
        ("isp_attendees", INT, "ISPs attending", ()),
        ("agenda_set_by", TEXT, "Who set the agenda (empty: not recorded)", m.POWER_PARTIES),
        ("logged_by", TEXT, "ISP who logged it (pseudonym)", ()),
        ("notes", TEXT, "Meeting notes (only with --include-notes; may name people)", ()),
    ],
    "meeting_competencies": [
        ("engagement_id", INT, "Engagement (row id)", ()),
        ("competency_meeting_id", INT, "Meeting (row id, meeting_id of meetings.csv)", ()),
        ("competency_key", TEXT, "Competency used (catalog key)", ()),
        ("domain_key", TEXT, "Competency domain (catalog key)", ()),
        ("framework_key", TEXT, "Competency framework (catalog key)", ()),
    ],
    "meeting_strategies": [
        ("engagement_id", INT, "Engagement (row id)", ()),
        ("strategy_meeting_id", INT, "Meeting (row id, meeting_id of meetings.csv)", ()),
        ("strategy_key", TEXT, "Strategy used (catalog key; ERIC or ISP activity)", ()),
        ("cluster_key", TEXT, "ERIC cluster (Waltz et al. 2015) or isp_activities", ()),
        ("strategy_minutes", INT, "Minutes given to this strategy, when recorded", ()),
    ],
    "meeting_principles": [
        ("engagement_id", INT, "Engagement (row id)", ()),
        ("principle_meeting_id", INT, "Meeting (row id, meeting_id of meetings.csv)", ()),
        ("principle_key", TEXT, "Principle followed (catalog key)", ()),
    ],
    "meeting_decisions": [
        ("engagement_id", INT, "Engagement (row id)", ()),
        ("decision_meeting_id", INT, "Meeting where it was taken (row id, meeting_id of meetings.csv)", ()),
        ("decided_by", TEXT, "Who took the decision", m.POWER_PARTIES),
        ("decision_text", TEXT, "The decision (only with --include-notes; may name people)", ()),
    ],
    "next_steps": [
        ("engagement_id", INT, "Engagement (row id)", ()),
        ("next_step_id", INT, "Next step (row id)", ()),
        ("step_meeting_id", INT, "Meeting where it was agreed (row id, meeting_id of meetings.csv)", ()),
        ("step_due_on", DATE, "Due date (empty: none)", ()),
        ("step_done_on", DATE, "Date done (empty: open)", ()),
        ("step_text", TEXT, "The step (only with --include-notes; may name people)", ()),
    ],
    # issue 22: the work between meetings (outreach, data collection, ...), its own dose beside the meetings
    "activities": [
        ("activity_id", INT, "Work between meetings (row id)", ()),
        ("engagement_id", INT, "Engagement (row id)", ()),
        ("activity_date", DATE, "Date of the work", ()),
        ("activity_kind", TEXT, "Kind of work", m.ACTIVITY_KINDS),
        ("activity_minutes", INT, "Minutes (for each ISP listed)", ()),
        ("activity_isps", TEXT, "ISPs who did it (pseudonyms, separated by ;)", ()),
        ("activity_strategies", TEXT, "Strategies tagged (catalog keys, separated by ;)", ()),
        ("activity_competencies", TEXT, "Competencies tagged (catalog keys, separated by ;)", ()),
        ("activity_logged_by", TEXT, "Who logged it (pseudonym)", ()),
        ("activity_notes", TEXT, "Note (only with --include-notes; may name people)", ()),
    ],
    "goals_history": [
        ("goal_id", INT, "Goal (row id)", ()),
        ("engagement_id", INT, "Engagement (row id)", ()),
        ("goal_status", TEXT, "Status from this date", m.GOAL_STATUSES),
        ("changed_on", DATE, "Date of the change", ()),
        ("goal_meeting_id", INT, "Meeting where it was recorded (empty: outside a meeting)", ()),
    ],
    "goal_measurements": [
        ("engagement_id", INT, "Engagement (row id)", ()),
        ("measured_goal_id", INT, "Goal (row id, goal_id of goals_history.csv)", ()),
        ("measure_unit", TEXT, "Unit of the goal's measured indicator", ()),
        ("measure_direction", TEXT, "Which way is better", m.MEASURE_DIRECTIONS),
        ("baseline_value", DECIMAL, "Baseline value", ()),
        ("baseline_on", DATE, "Date of the baseline", ()),
        ("target_value", DECIMAL, "Target value", ()),
        ("target_on", DATE, "Date the target should be reached", ()),
        (
            "outcome",
            TEXT,
            "Implementation outcome the indicator is tagged with (Proctor et al. 2011)",
            m.IMPLEMENTATION_OUTCOMES,
        ),
        ("measured_on", DATE, "Date of the value", ()),
        ("measured_value", DECIMAL, "The value recorded", ()),
        ("progress", DECIMAL, "(value - baseline) / (target - baseline), capped to 0..1", ()),
        ("value_meeting_id", INT, "Meeting where it was recorded (empty: outside a meeting)", ()),
    ],
    # FRAME-IS modifications of planned strategies (Miller et al. 2021; issue 19): one row each, one column
    # per module's code; who took part in the decision as one yes/no column per party.
    "modifications": [
        ("engagement_id", INT, "Engagement (row id)", ()),
        ("modification_id", INT, "Modification (row id)", ()),
        ("mod_plan_item_id", INT, "Plan item modified (row id; empty: none)", ()),
        ("mod_strategy_key", TEXT, "Strategy modified (catalog key; ERIC or ISP activity)", ()),
        ("mod_decided_on", DATE, "Date of the change", ()),
        ("mod_modified", TEXT, "FRAME-IS 2: what is modified", m.MODIFIED_ASPECTS),
        ("mod_nature", TEXT, "FRAME-IS 3: nature of the change", m.MODIFICATION_NATURES),
        ("mod_fidelity", TEXT, "FRAME-IS 3: consistent with the strategy's core elements", m.FIDELITY),
        ("mod_goal", TEXT, "FRAME-IS 4: goal of the change", m.MODIFICATION_GOALS),
        ("mod_reason_level", TEXT, "FRAME-IS 4: level of the reason", m.REASON_LEVELS),
        ("mod_timing", TEXT, "FRAME-IS 5: when it began (empty: not recorded)", m.MODIFICATION_TIMING),
        ("mod_planning", TEXT, "FRAME-IS 5: planned or not (empty: not recorded)", m.MODIFICATION_PLANNING),
        *[
            (f"mod_took_part_{key}", BOOL, f"FRAME-IS 6: {words} took part in the decision", YES_NO)
            for key, words in m.DECISION_PARTIES
        ],
        ("mod_decided_by", TEXT, "FRAME-IS 6: who decided (empty: not recorded)", m.DECISION_PARTIES),
        ("mod_reach", TEXT, "FRAME-IS 7: how widespread (empty: not recorded)", m.MODIFICATION_REACH),
        ("mod_plan_effect", TEXT, "What it did to its plan item", m.PLAN_EFFECTS),
        ("mod_prompted", BOOL, "Answered a lapse prompt (the strategy had gone unlogged)", YES_NO),
        ("mod_description", TEXT, "FRAME-IS 1: the change described (only with --include-notes)", ()),
    ],
    "plan_items": [
        ("engagement_id", INT, "Engagement (row id)", ()),
        ("plan_item_id", INT, "Plan item (row id)", ()),
        ("plan_strategy_key", TEXT, "Strategy planned (catalog key; ERIC or ISP activity)", ()),
        ("plan_strategy_kind", TEXT, "Kind of strategy", (("eric", "ERIC strategy"), ("isp_activity", "ISP activity"))),
        ("plan_goal_id", INT, "Goal it serves (row id; empty: none)", ()),
        ("plan_stage_key", TEXT, "Stage it belongs to (empty: none)", STAGES),
        ("item_start_date", DATE, "Date the item starts", ()),
        ("item_end_date", DATE, "Date the item ends (empty: open)", ()),
        ("sessions_per_month", DECIMAL, "Planned sessions a month (1 monthly, 0.33 quarterly, 4 weekly)", ()),
        ("minutes_per_session", INT, "Planned minutes per session", ()),
        ("responsible_kind", TEXT, "Who is responsible", (("isp", "An ISP"), ("team_member", "A team member"))),
    ],
    "plan_versions": [
        ("engagement_id", INT, "Engagement (row id)", ()),
        ("plan_version", INT, "Version number (1, 2, ... per engagement; each change to the plan is one)", ()),
        ("version_changed_on", DATE, "Date of the change (UTC)", ()),
        ("version_summary", TEXT, "What changed, in words", ()),
        ("version_items", INT, "Number of items in the plan after the change", ()),
        (
            "agreed_by_all",
            BOOL,
            "Agreed by both co-leads and the recipient team lead (each agreement is to one version)",
            YES_NO,
        ),
    ],
    "stage_history": [
        ("engagement_id", INT, "Engagement (row id)", ()),
        ("stage_key", TEXT, "Stage entered", STAGES),
        ("entered_on", DATE, "Date entered (a stage may be entered again: a revisit)", ()),
        ("visit", INT, "1 for the first entry into this stage, 2 for the first revisit, ...", ()),
    ],
    "benchmarks": [
        ("benchmark_id", INT, "Benchmark (row id)", ()),
        ("engagement_id", INT, "Engagement (row id)", ()),
        ("benchmark_stage", TEXT, "Stage the benchmark belongs to", STAGES),
        ("from_template", BOOL, "A default benchmark of the stage (0: engagement-specific)", YES_NO),
        ("completed_on", DATE, "Date completed (empty: open)", ()),
    ],
    "deliverables": [
        ("deliverable_id", INT, "Deliverable (row id)", ()),
        ("engagement_id", INT, "Engagement (row id)", ()),
        ("deliverable_kind", TEXT, "Kind of deliverable", m.DELIVERABLE_KINDS),
        ("due_on", DATE, "Due date (empty: none)", ()),
        ("delivered_on", DATE, "Date delivered (empty: not yet)", ()),
    ],
    "context_notes": [
        ("context_note_id", INT, "Context note (row id)", ()),
        ("engagement_id", INT, "Engagement (row id)", ()),
        ("context_kind", TEXT, "Barrier or facilitator", m.CONTEXT_KINDS),
        ("cfir_domain", TEXT, "CFIR domain", m.CFIR_DOMAINS),
        ("noted_on", DATE, "Date noted", ()),
        ("context_text", TEXT, "The note (only with --include-notes; may name people)", ()),
    ],
    "context_counts": [
        ("engagement_id", INT, "Engagement (row id)", ()),
        ("ctx_unit_id", INT, "Recipient unit of the engagement (row id)", ()),
        ("ctx_domain", TEXT, "CFIR domain", m.CFIR_DOMAINS),
        ("ctx_kind", TEXT, "Barrier or facilitator", m.CONTEXT_KINDS),
        ("ctx_notes", INT, "Context notes of this engagement, domain and kind in the export's dates", ()),
        ("ctx_first_on", DATE, "Date of the first of these notes", ()),
        ("ctx_last_on", DATE, "Date of the last of these notes", ()),
    ],
    "feedback_items": [
        ("response", TEXT, "Feedback response (pseudonym; the same for each answer of one response)", ()),
        ("engagement_id", INT, "Engagement (row id)", ()),
        ("feedback_kind", TEXT, "Pulse or full survey", m.FEEDBACK_KINDS),
        ("released_on", DATE, "Date the answer was released with at least two others (not when answered)", ()),
        ("instrument_key", TEXT, "Instrument (catalog key)", ()),
        ("instrument_version", INT, "Instrument version the answer was given on", ()),
        ("item_key", TEXT, "Item (catalog key)", ()),
        ("scale", TEXT, "Scale of the item", SCALES),
        ("value", INT, "Answer: 1 completely disagree ... 5 completely agree", AGREEMENT),
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


def _activities(out, ids, date_from, date_to, include_notes):
    """activities.csv: the live activities of the engagements in the period, with their ISPs as pseudonyms
    and their tags as catalog keys; notes as meeting notes (only with --include-notes). Four queries."""
    activities = m.Activity.live().where(m.Activity.engagement.in_(ids))
    if date_from:
        activities = activities.where(m.Activity.date >= date_from)
    if date_to:
        activities = activities.where(m.Activity.date <= date_to)
    activities = list(activities.order_by(m.Activity.engagement, m.Activity.date, m.Activity.id))
    for a in activity_report.with_links(activities):
        out["activities"].append(
            (
                a.id,
                a.engagement_id,
                _d(a.date),
                a.kind,
                a.minutes,
                ";".join(pseudonym("person", u.id) for u in sorted(a.isps, key=lambda u: u.id)),
                ";".join(sorted(s["key"] for s in a.strategies)),
                ";".join(sorted(c["key"] for c in a.competencies)),
                pseudonym("person", a.logged_by_id),
                a.notes if include_notes else "",
            )
        )


def _plans(out, ids, co_leads, date_from, date_to):
    """plan_items (live items whose window meets the period) and plan_versions (changed in the period; agreed
    by all: as many co-lead agreements as the engagement has co-leads, and the team lead's). Three queries."""
    items = (
        m.PlanItem.select(m.PlanItem, m.Strategy, m.StrategyCluster, m.Stage)
        .join(m.Strategy)
        .join(m.StrategyCluster)
        .switch(m.PlanItem)
        .join(m.Stage, JOIN.LEFT_OUTER)
        .where(m.PlanItem.engagement.in_(ids) & m.PlanItem.deleted_at.is_null())
    )
    if date_from:
        items = items.where(m.PlanItem.end_date.is_null() | (m.PlanItem.end_date >= date_from))
    if date_to:
        items = items.where(m.PlanItem.start_date <= date_to)
    for i in items.order_by(m.PlanItem.engagement, m.PlanItem.start_date, m.PlanItem.id):
        isp_activity = i.strategy.cluster.key == m.StrategyCluster.ISP_ACTIVITIES
        out["plan_items"].append(
            (
                i.engagement_id,
                i.id,
                i.strategy.key,
                "isp_activity" if isp_activity else "eric",
                "" if i.goal_id is None else i.goal_id,
                i.stage.key if i.stage_id else "",
                _d(i.start_date),
                _d(i.end_date),
                round(i.sessions_per_month, 4),
                i.minutes_per_session,
                "isp" if i.responsible_user_id else "team_member",
            )
        )
    versions = m.PlanVersion.select().where(m.PlanVersion.engagement.in_(ids))
    if date_from:
        versions = versions.where(m.PlanVersion.changed_at >= dt.datetime.combine(date_from, dt.time()))
    if date_to:
        versions = versions.where(
            m.PlanVersion.changed_at < dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time())
        )
    versions = list(versions.order_by(m.PlanVersion.engagement, m.PlanVersion.number))
    given = {}
    for version_id, party in (
        m.PlanAgreement.select(m.PlanAgreement.version, m.PlanAgreement.party)
        .where(m.PlanAgreement.version.in_([v.id for v in versions] or [0]))
        .tuples()
    ):
        given.setdefault(version_id, []).append(party)
    for v in versions:
        parties = given.get(v.id, [])
        needed = max(1, co_leads.get(v.engagement_id, 0))
        out["plan_versions"].append(
            (
                v.engagement_id,
                v.number,
                _d(v.changed_at.date()),
                v.summary,
                len(v.item_list),
                _b(parties.count("co_lead") >= needed and "team_lead" in parties),
            )
        )


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

    for t in (
        m.TeamMember.live().where(m.TeamMember.engagement.in_(ids)).order_by(m.TeamMember.engagement, m.TeamMember.id)
    ):
        out["team_positions"].append(
            (t.engagement_id, pseudonym("member", t.id), t.position, _d(t.joined_on), _d(t.left_on))
        )
    requests = m.SupportRequest.select(m.SupportRequest, m.Unit).join(m.Unit)
    if organization_id:
        requests = requests.where(
            (m.Unit.organization == organization_id) | (m.SupportRequest.intermediary == organization_id)
        )
    if date_from:
        requests = requests.where(m.SupportRequest.created_at >= dt.datetime.combine(date_from, dt.time()))
    if date_to:
        day_after = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time())
        requests = requests.where(m.SupportRequest.created_at < day_after)
    became = {e.request_id: e.id for e in engagements if e.request_id}
    for r in requests.order_by(m.SupportRequest.created_at, m.SupportRequest.id):
        out["support_requests"].append(
            (
                r.id,
                became.get(r.id, ""),
                r.unit_id,
                r.status,
                _d(r.submitted_on),
                _d(r.hoped_start),
                _b(r.urgent),
                _b(not r.is_internal),
                _d(r.decided_at.date() if r.decided_at else None),
            )
        )

    meetings = m.Meeting.live().where(m.Meeting.engagement.in_(ids))
    if date_from:
        meetings = meetings.where(m.Meeting.date >= date_from)
    if date_to:
        meetings = meetings.where(m.Meeting.date <= date_to)
    meetings = list(meetings.order_by(m.Meeting.engagement, m.Meeting.date, m.Meeting.id))
    meeting_ids = [x.id for x in meetings]
    engagement_of = {x.id: x.engagement_id for x in meetings}
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
                x.agenda_set_by or "",
                pseudonym("person", x.logged_by_id),
                x.notes if include_notes else "",
            )
        )
    _activities(out, ids, date_from, date_to, include_notes)
    for link in (
        m.MeetingCompetency.select(m.MeetingCompetency, m.Competency, m.CompetencyDomain, m.CompetencyFramework)
        .join(m.Competency)
        .join(m.CompetencyDomain)
        .join(m.CompetencyFramework)
        .where(m.MeetingCompetency.meeting.in_(meeting_ids))
        .order_by(m.MeetingCompetency.id)
    ):
        c = link.competency
        out["meeting_competencies"].append(
            (engagement_of[link.meeting_id], link.meeting_id, c.key, c.domain.key, c.domain.framework.key)
        )
    for link in (
        m.MeetingStrategy.select(m.MeetingStrategy, m.Strategy, m.StrategyCluster)
        .join(m.Strategy)
        .join(m.StrategyCluster)
        .where(m.MeetingStrategy.meeting.in_(meeting_ids))
        .order_by(m.MeetingStrategy.id)
    ):
        out["meeting_strategies"].append(
            (
                engagement_of[link.meeting_id],
                link.meeting_id,
                link.strategy.key,
                link.strategy.cluster.key,
                "" if link.minutes is None else link.minutes,
            )
        )
    for link in (
        m.MeetingPrinciple.select(m.MeetingPrinciple, m.Principle)
        .join(m.Principle)
        .where(m.MeetingPrinciple.meeting.in_(meeting_ids))
        .order_by(m.MeetingPrinciple.id)
    ):
        out["meeting_principles"].append((engagement_of[link.meeting_id], link.meeting_id, link.principle.key))
    for decision in (
        m.MeetingDecision.select().where(m.MeetingDecision.meeting.in_(meeting_ids)).order_by(m.MeetingDecision.id)
    ):
        out["meeting_decisions"].append(
            (
                engagement_of[decision.meeting_id],
                decision.meeting_id,
                decision.decided_by,
                decision.text if include_notes else "",
            )
        )
    for step in m.NextStep.live().where(m.NextStep.meeting.in_(meeting_ids)).order_by(m.NextStep.id):
        out["next_steps"].append(
            (
                engagement_of[step.meeting_id],
                step.id,
                step.meeting_id,
                _d(step.due_on),
                _d(step.done_on),
                step.text if include_notes else "",
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
    values = (
        m.GoalMeasurement.select(m.GoalMeasurement, m.Goal)
        .join(m.Goal)
        .where(m.Goal.engagement.in_(ids) & m.Goal.deleted_at.is_null() & m.GoalMeasurement.deleted_at.is_null())
    )
    if date_from:
        values = values.where(m.GoalMeasurement.date >= date_from)
    if date_to:
        values = values.where(m.GoalMeasurement.date <= date_to)
    for v in values.order_by(m.Goal.engagement, m.GoalMeasurement.goal, m.GoalMeasurement.date, m.GoalMeasurement.id):
        g = v.goal
        out["goal_measurements"].append(
            (
                g.engagement_id,
                g.id,
                g.measure_unit,
                g.measure_direction or "",
                g.baseline_value,
                _d(g.baseline_on),
                g.target_value,
                _d(g.target_on),
                g.outcome or "",
                _d(v.date),
                v.value,
                round(g.progress(v), 4) if g.has_measure else "",
                "" if v.meeting_id is None else v.meeting_id,
            )
        )
    changes = (
        m.Modification.select(m.Modification, m.Strategy)
        .join(m.Strategy)
        .where(m.Modification.engagement.in_(ids) & m.Modification.deleted_at.is_null())
    )
    if date_from:
        changes = changes.where(m.Modification.decided_on >= date_from)
    if date_to:
        changes = changes.where(m.Modification.decided_on <= date_to)
    for x in changes.order_by(m.Modification.engagement, m.Modification.decided_on, m.Modification.id):
        took_part = x.participant_keys
        out["modifications"].append(
            (
                x.engagement_id,
                x.id,
                "" if x.plan_item_id is None else x.plan_item_id,
                x.strategy.key,
                _d(x.decided_on),
                x.modified,
                x.nature,
                x.fidelity,
                x.goal,
                x.reason_level,
                x.timing or "",
                x.planning or "",
                *[_b(key in took_part) for key, _words in m.DECISION_PARTIES],
                x.decided_by or "",
                x.reach or "",
                x.plan_effect,
                _b(x.prompted),
                x.description if include_notes else "",
            )
        )
    co_leads = {e_id: sum(1 for link in links if link.role == "co_lead") for e_id, links in isps.items()}
    _plans(out, ids, co_leads, date_from, date_to)
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
    for d in (
        m.Deliverable.live()
        .where(m.Deliverable.engagement.in_(ids))
        .order_by(m.Deliverable.engagement, m.Deliverable.id)
    ):
        out["deliverables"].append((d.id, d.engagement_id, d.kind, _d(d.due_on), _d(d.delivered_on)))
    notes = m.ContextNote.live().where(m.ContextNote.engagement.in_(ids))
    if date_from:
        notes = notes.where(m.ContextNote.noted_on >= date_from)
    if date_to:
        notes = notes.where(m.ContextNote.noted_on <= date_to)
    counts, unit_of = {}, {e.id: e.unit_id for e in engagements}
    for n in notes.order_by(m.ContextNote.engagement, m.ContextNote.noted_on, m.ContextNote.id):
        out["context_notes"].append(
            (n.id, n.engagement_id, n.kind, n.domain, _d(n.noted_on), n.text if include_notes else "")
        )
        key = (n.engagement_id, unit_of[n.engagement_id], n.domain, n.kind)
        first, _last, count = counts.get(key, (n.noted_on, None, 0))
        counts[key] = (first, n.noted_on, count + 1)
    # Barriers and facilitators by CFIR domain: one row per engagement, domain and kind with a note.
    out["context_counts"] = [
        (eid, unit_id, domain, kind, count, _d(first), _d(last))
        for (eid, unit_id, domain, kind), (first, last, count) in sorted(counts.items())
    ]

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
            & (
                (m.FeedbackReleased.subject == m.FeedbackItem.scale)
                | (m.FeedbackReleased.subject == Value(m.RELEASE_ITEM).concat(m.FeedbackItem.key))
            ),
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


# REDCap's data dictionary columns, in REDCap's order (columns A to R of its data dictionary CSV).
REDCAP_COLUMNS = (
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
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)


def _redcap_field(form, column, kind, meaning, choices):
    """One data dictionary row: REDCap's field type, coded choices, validation and identifier flag."""
    field_type, coded, note, validation, low, high = "text", "", "", "", "", ""
    if kind == BOOL:
        field_type = "yesno"  # REDCap codes it 1, Yes | 0, No: what the file holds
    elif column in SCORED:
        low, high = SCORED[column]
        validation = "integer"
        note = "; ".join(f"{code} = {label}" for code, label in choices)
    elif choices:
        field_type = "dropdown"
        coded = " | ".join(f"{code}, {label}" for code, label in choices)
    elif column in IDENTIFIERS:
        field_type = "notes"
    elif kind == INT:
        validation = "integer"
    elif kind == DATE:
        validation = "date_ymd"
    elif kind == DECIMAL:
        validation = "number"
    row = dict.fromkeys(REDCAP_COLUMNS, "")
    row.update(
        {
            "Variable / Field Name": column,
            "Form Name": form,
            "Field Type": field_type,
            "Field Label": meaning,
            "Choices, Calculations, OR Slider Labels": coded,
            "Field Note": note,
            "Text Validation Type OR Show Slider Number": validation,
            "Text Validation Min": low,
            "Text Validation Max": high,
            "Identifier?": "y" if column in IDENTIFIERS else "",
            "Required Field?": "y" if column == RECORD_ID else "",
            "Field Annotation": f"{form}.csv",
        }
    )
    return [row[name] for name in REDCAP_COLUMNS]


def redcap_dictionary():
    """The REDCap data dictionary: one form per file, one field per column, named as the column. The
    record identifier (engagement_id) is defined once, as the first field of the first form; the other
    files carry it to name their record."""
    rows = []
    for form, columns in CODEBOOK.items():
        for column, kind, meaning, choices in columns:
            if column == RECORD_ID and rows:
                continue
            rows.append(_redcap_field(form, column, kind, meaning, choices))
    return [list(REDCAP_COLUMNS), *rows]


def write(out_dir, data):
    os.makedirs(out_dir, mode=0o700, exist_ok=True)
    counts = {}
    for name, columns in CODEBOOK.items():
        write_csv_file(os.path.join(out_dir, f"{name}.csv"), [[c[0] for c in columns], *data[name]])
        counts[name] = len(data[name])
    codebook = [["file", "column", "type", "meaning", "allowed_values"]]
    codebook += [
        [f"{name}.csv", column, kind, meaning, "|".join(code for code, _ in choices)]
        for name, columns in CODEBOOK.items()
        for column, kind, meaning, choices in columns
    ]
    write_csv_file(os.path.join(out_dir, "codebook.csv"), codebook)
    write_csv_file(os.path.join(out_dir, "data_dictionary.csv"), redcap_dictionary())
    return counts
