"""Demo data: the reference setting (five ISPs of an intermediary supporting a foundation's units).

`seed()` builds it once, in one transaction, from a fixed random seed and a fixed anchor date, so every
run gives the same engagements, meetings, goals and feedback. Nothing is dated after `ANCHOR`.
Running it again when the demo intermediary exists changes nothing.
"""

import datetime as dt
import hashlib
import io
import json
import random
import secrets

import click
from flask import has_app_context
from flask.cli import with_appcontext
from peewee import chunked, fn
from werkzeug.datastructures import FileStorage
from werkzeug.security import generate_password_hash

from ..catalog import crosswalk
from ..db import database
from ..models import (
    Activity,
    ActivityCompetency,
    ActivityISP,
    ActivityStrategy,
    Attachment,
    AuditEntry,
    Benchmark,
    Competency,
    CompetencyFramework,
    ContextNote,
    Deliverable,
    Engagement,
    EngagementISP,
    FeedbackAnswer,
    FeedbackInstrument,
    FeedbackInvitation,
    FeedbackItem,
    FeedbackRelease,
    FeedbackResponse,
    Goal,
    GoalMeasurement,
    GoalStatusChange,
    GoalTemplate,
    Meeting,
    MeetingAttendee,
    MeetingCompetency,
    MeetingDecision,
    MeetingPrinciple,
    MeetingStrategy,
    Modification,
    NextStep,
    Organization,
    OutboxMessage,
    PlanAgreement,
    PlanItem,
    PlanVersion,
    Principle,
    RequestEvent,
    Stage,
    StageEntry,
    Strategy,
    SupportRequest,
    TeamMember,
    Unit,
    User,
    agree_to_plan,
    change_plan,
    record_modification,
)
from ..schema import init_db
from ..services.attachments import add_attachment

DEMO_PASSWORD = "demo-password-2026"
SEED = 2026
ANCHOR = dt.date(2026, 11, 20)  # "today" of the demo: nothing is dated after it
PAUSED_QUIET_DAYS = 10 * 7  # the paused engagement has had no meeting for this long (stalling)
MAX_MONTHLY = 18

INTERMEDIARY = "Northbridge Implementation Centre"
FOUNDATION = "Harlow Family Foundation"
UNITS = [
    "Early Childhood",
    "Youth Opportunity",
    "Community Health",
    "Education Equity",
    "Evaluation and Learning",
    "Grants Management",
]

ROLE_ORDER = {"admin": 0, "leader": 1, "isp": 2, "recipient": 3}

# (role, email, name, organization: "centre"/"foundation", unit or None)
PEOPLE = [
    ("admin", "sam.whitfield@northbridge.example", "Sam Whitfield", "centre", None),
    ("leader", "helen.carver@northbridge.example", "Helen Carver", "centre", None),
    ("leader", "ruth.alvarez@harlowfoundation.example", "Ruth Alvarez", "foundation", None),
    ("isp", "maya.okafor@northbridge.example", "Maya Okafor", "centre", None),
    ("isp", "daniel.reyes@northbridge.example", "Daniel Reyes", "centre", None),
    ("isp", "priya.raman@northbridge.example", "Priya Raman", "centre", None),
    ("isp", "tomas.lindqvist@northbridge.example", "Tomas Lindqvist", "centre", None),
    ("isp", "grace.mbeki@northbridge.example", "Grace Mbeki", "centre", None),
    ("recipient", "jordan.kim@harlowfoundation.example", "Jordan Kim", "foundation", "Early Childhood"),
    ("recipient", "leila.haddad@harlowfoundation.example", "Leila Haddad", "foundation", "Community Health"),
    ("recipient", "marcus.bell@harlowfoundation.example", "Marcus Bell", "foundation", "Youth Opportunity"),
]

# Cost of support (issue 19): the hourly rates the administrator set; Tomas and Grace have none of their
# own, so their sessions cost the centre's rate.
HOURLY_RATES = {"maya.okafor": 95, "daniel.reyes": 80, "priya.raman": 70}
CENTRE_HOURLY_RATE = 75
# Monthly capacity in hours (issue 22): what the Team report measures each ISP's load against; Grace has none set.
CAPACITY_HOURS = {"maya.okafor": 60, "daniel.reyes": 40, "priya.raman": 40, "tomas.lindqvist": 20}

D = dt.date

# Measured indicators (issue 19), by goal title: (unit, direction, baseline, target, implementation
# outcome, the values as shares of the way from baseline to target, recorded at monthly meetings spread
# over the engagement; a share above 1 passes the target, a fall shows a setback).
MEASURES = {
    "Supervisors coach to the practice profile": ("supervisors", "up", 2, 10, "adoption", [0.25, 0.5, 0.75, 1.0]),
    "Fidelity data used in team meetings": ("% of monthly meetings", "up", 20, 90, "fidelity", [0.3, 0.55, 0.7]),
    "Matching process documented": ("% of new matches", "up", 0, 100, "penetration", [0.2, 0.45]),
    "Referral workflow in use in all clinics": ("referrals a month", "up", 6, 40, "adoption", [0.2, 0.6, 1.1, 0.85]),
    "CHW supervision routine established": ("% of CHWs supervised", "up", 25, 100, "feasibility", [0.33, 0.2, 0.66]),
    "Shared data on CHW contacts": ("days from contact to record", "down", 21, 7, "fidelity", [0.3, 0.6, 0.9]),
    "Evidence brief read before renewals": ("% of renewals", "up", 10, 75, "adoption", [0.3, 0.7, 1.0]),
    "Reviewers score readiness consistently": ("% agreement", "up", 55, 80, "fidelity", [0.2, 0.48]),
    "Providers stay in coaching": ("% retained at 3 months", "up", 60, 80, "sustainability", [0.25, 0.5]),
}

# Lapse prompts and FRAME-IS modifications (issue 19), by engagement title: a monthly plan item whose
# strategy has gone unlogged since it started (the engagement page asks "what changed" today); an earlier
# item that lapsed and was answered by a modification from its prompt, which closed it; and a modification
# recorded without a prompt, of a strategy the sessions log. Strategy keys are preferences: the first not
# logged in the engagement is used for the two plan items.
MODIFICATIONS = {
    "Home visiting: operationalizing core components": {
        "unlogged": (["conduct_educational_outreach_visits", "develop_educational_materials"], D(2026, 6, 1)),
        "answered": (
            ["create_learning_collaborative", "visit_other_sites"],
            D(2025, 6, 2),
            D(2025, 8, 20),
            {
                "description": "The monthly learning collaborative for home visitors was dropped: supervisors "
                "could not release staff for a half day. Peer learning moved into the existing team meetings.",
                "modified": "context_format",
                "nature": "integrating",
                "fidelity": "consistent",
                "goal": "aaf",
                "reason_level": "organization",
                "timing": "implementation",
                "planning": "unplanned_reactive",
                "participants": "isp,team,leadership",
                "decided_by": "team",
                "reach": "organization",
            },
        ),
        "direct": (
            D(2026, 2, 10),
            {
                "description": "Feedback reports shortened to one page per supervisor, read together at the start "
                "of each coaching session instead of sent by email.",
                "modified": "content",
                "nature": "shortening",
                "fidelity": "consistent",
                "goal": "adoption",
                "reason_level": "recipient",
                "timing": "implementation",
                "planning": "planned_proactive",
                "participants": "isp,team",
                "decided_by": "team",
                "reach": "group",
            },
        ),
    },
    "Integrating community health workers into clinic teams": {
        "unlogged": (["conduct_ongoing_training", "develop_educational_materials"], D(2026, 5, 4)),
        "answered": (
            ["visit_other_sites", "shadow_other_experts"],
            D(2025, 7, 7),
            D(2025, 10, 6),
            {
                "description": "Site visits to a clinic that already works with CHWs were replaced by a video call "
                "with its CHW supervisor: travel was not approved for the spring.",
                "modified": "context_setting",
                "nature": "substituting",
                "fidelity": "unknown",
                "goal": "cost",
                "reason_level": "sociopolitical",
                "timing": "pre_implementation",
                "planning": "planned_reactive",
                "participants": "isp,leadership,funder",
                "decided_by": "leadership",
                "reach": "unit",
            },
        ),
        "direct": (
            D(2026, 3, 16),
            {
                "description": "Audit and feedback of referral data tailored to each clinic: each gets its own "
                "figures beside the network's, not the network's alone.",
                "modified": "content",
                "nature": "tailoring",
                "fidelity": "consistent",
                "goal": "effectiveness",
                "reason_level": "implementer",
                "timing": "implementation",
                "planning": "planned_proactive",
                "participants": "isp,team",
                "decided_by": "isp",
                "reach": "network",
            },
        ),
    },
}

# Implementation plans (issue 19), by engagement title: items (strategy key, sessions a month, minutes per
# session, months after the start it begins, months it ends or None, who is responsible: "co_lead",
# "supporting" or "team" (a team member), the goal served (its index) or None), agreed in the plan's first
# weeks; `agreed`: who agreed to the first version ("all": both co-leads and the team lead; "co_leads");
# `change`: (months after the start, item index, {field: value}), a change made after the agreement, which
# asks everyone again (`then`: who has agreed to the new version since).
PLANS = {
    "Home visiting: operationalizing core components": {
        "items": [
            ("team_meeting_facilitation", 1, 90, 2, None, "co_lead", None),
            ("coaching", 2, 60, 3, None, "supporting", 0),
            ("audit_and_provide_feedback", 1 / 3, 120, 3, None, "co_lead", 1),
            ("conduct_ongoing_training", 1 / 3, 90, 4, None, "team", 0),
        ],
        "agreed": "all",
    },
    "Scaling a near-peer mentoring model": {
        "items": [
            ("team_meeting_facilitation", 1, 75, 1, None, "co_lead", None),
            ("develop_implementation_blueprint", 1, 60, 1, 6, "co_lead", 0),
            ("purposely_reexamine_implementation", 1 / 3, 90, 2, None, "team", None),
        ],
        "agreed": "all",
        "change": (7, 2, {"sessions_per_month": 1 / 2, "minutes_per_session": 60}),
        "then": ("co_lead",),
    },
    "Integrating community health workers into clinic teams": {
        "items": [
            ("team_meeting_facilitation", 1, 90, 2, None, "co_lead", None),
            ("facilitation", 1, 60, 3, None, "supporting", 0),
            ("data_collection", 1 / 3, 60, 4, None, "team", 2),
            ("provide_ongoing_consultation", 1, 45, 5, None, "co_lead", 1),
        ],
        "agreed": "co_leads",
    },
}

# --- the engagements ------------------------------------------------------------------------------
# stages: [(stage key, months after start, note)]; goals: (title, indicator, target, status path);
# deliverables: (kind, title, due months after start, delivered?); context: (kind, domain, months, text);
# team: [(name, position)] (a recipient user of the unit is added as a manager).

ENGAGEMENTS = [
    {
        "unit": "Early Childhood",
        "title": "Home visiting: operationalizing core components",
        "on_behalf_of": "Bright Start Home Visiting Network",
        "support_model": "co_creation",
        "status": "active",
        "start": D(2025, 3, 3),
        "end": D(2027, 2, 26),
        "co_leads": ("maya.okafor", "daniel.reyes"),
        "supporting": ("priya.raman",),
        "request": {
            "title": "Help Bright Start define what makes its home visits work",
            "for_whom": "Bright Start's twelve home-visiting sites and their supervisors",
            "created": D(2025, 1, 27),
            "decided": D(2025, 2, 10),
        },
        "problem": "Bright Start's twelve home-visiting sites deliver the same model in very different ways, "
        "and neither the network nor the foundation can say which practices drive family outcomes. "
        "The unit asked for help defining the model's core components in observable terms, so that "
        "they can be taught, coached and checked for fidelity across sites before the next funding cycle.",
        "stages": [
            ("exploration", 0, ""),
            ("installation", 4, "Practice profile agreed; preparing coaching and fidelity tools."),
            ("initial_implementation", 10, "First four sites using the practice profile."),
            ("full_implementation", 17, "All sites use the profile; fidelity checks routine."),
        ],
        "goals": [
            (
                "Core components defined and operationalized",
                "Practice profile drafted and validated with site supervisors",
                "Practice profile approved by all 12 site supervisors",
                ["in_progress", "achieved"],
            ),
            (
                "Supervisors coach to the practice profile",
                "Share of supervisors using the coaching guide monthly",
                "10 of 12 supervisors",
                ["in_progress", "achieved"],
            ),
            (
                "Fidelity data used in team meetings",
                "Fidelity dashboard reviewed at each monthly meeting",
                "Reviewed at 9 of 10 meetings",
                ["in_progress"],
            ),
        ],
        "deliverables": [
            ("core_components", "Bright Start practice profile (core components and fidelity criteria)", 5, True),
            ("tool_resource", "Supervisor coaching guide and observation checklist", 9, True),
            ("stage_guidance", "Stage-based guidance for onboarding new sites", 15, True),
            ("scaling_approach", "Recommended approach for scaling to the rural sites", 22, False),
        ],
        "context": [
            ("facilitator", "inner_setting", 1, "Network director protects time for the implementation team."),
            ("barrier", "individuals", 6, "Two site supervisors see the practice profile as extra paperwork."),
            ("facilitator", "intervention", 8, "Co-leads on site every month; the team knows whom to call."),
            ("barrier", "outer_setting", 13, "State reporting requirements changed mid-year and took staff time."),
        ],
        "team": [
            ("Angela Torres", "senior_leader"),
            ("Beth Nakamura", "partner"),
            ("Luis Ortega", "support_staff"),
            ("Nadia Petrova", "partner"),
            ("Owen Fraser", "other"),
        ],
    },
    {
        "unit": "Youth Opportunity",
        "title": "Scaling a near-peer mentoring model",
        "on_behalf_of": "Pathways Youth Mentoring Alliance",
        "support_model": "push_pull",
        "status": "active",
        "start": D(2026, 1, 12),
        "end": D(2026, 12, 18),
        "co_leads": ("priya.raman", "tomas.lindqvist"),
        "supporting": (),
        "request": {
            "title": "Plan the scale-up of Pathways' mentoring model",
            "for_whom": "Pathways Youth Mentoring Alliance and three new partner schools",
            "created": D(2025, 12, 1),
            "decided": D(2025, 12, 15),
        },
        "problem": "Pathways' near-peer mentoring works well in its two founding schools but the alliance wants "
        "to grow to five schools in a year. Mentor recruitment, training and matching depend on two "
        "staff members; the unit wants a scaling plan that keeps what makes the model effective.",
        "stages": [
            ("exploration", 0, ""),
            ("installation", 3, "Scaling plan approved by the alliance board."),
            ("initial_implementation", 7, "Mentoring started in the first two new schools."),
        ],
        "goals": [
            (
                "Readiness of new schools assessed",
                "Readiness assessment completed per candidate school",
                "5 schools assessed, 3 selected",
                ["in_progress", "achieved"],
            ),
            (
                "Mentor training package ready to hand over",
                "Training modules piloted and revised",
                "4 modules delivered by alliance trainers",
                ["in_progress", "achieved"],
            ),
            (
                "Matching process documented",
                "Matching protocol used by school coordinators",
                "Used for all new matches",
                ["in_progress"],
            ),
        ],
        "deliverables": [
            ("scaling_approach", "Scaling plan: sequencing schools and roles", 3, True),
            ("tool_resource", "Mentor training modules (train-the-trainer)", 6, True),
            ("tool_resource", "School readiness checklist", 2, True),
        ],
        "context": [
            ("facilitator", "outer_setting", 1, "District superintendent supports the expansion publicly."),
            ("barrier", "inner_setting", 5, "Mentor coordinator role is half-time; matching backlog is growing."),
            ("facilitator", "process", 8, "Monthly data on matches keeps the team focused."),
        ],
        "team": [
            ("Keisha Brown", "senior_leader"),
            ("Ravi Menon", "partner"),
            ("Sofia Delgado", "support_staff"),
            ("Ethan Walsh", "partner"),
        ],
    },
    {
        "unit": "Community Health",
        "title": "Integrating community health workers into clinic teams",
        "on_behalf_of": "Eastside Community Clinics",
        "support_model": "co_creation",
        "status": "active",
        "start": D(2025, 5, 5),
        "end": D(2027, 4, 30),
        "co_leads": ("grace.mbeki", "maya.okafor"),
        "supporting": ("tomas.lindqvist",),
        "request": {
            "title": "Support Eastside to integrate community health workers",
            "for_whom": "Eastside Community Clinics (four clinics) and their CHW program",
            "created": D(2025, 4, 7),
            "decided": D(2025, 4, 22),
        },
        "problem": "Eastside hired eight community health workers with foundation funds, but clinic teams are "
        "unsure how to refer patients to them and CHWs spend much of their time on outreach with no "
        "follow-up. The clinics want referral workflows, supervision and data routines that make CHWs "
        "part of the care team.",
        "stages": [
            ("exploration", 0, ""),
            ("installation", 3, "Referral workflow drafted with two clinics."),
            ("initial_implementation", 8, "Referrals live in all four clinics."),
            (
                "installation",
                12,
                "Two clinic managers left: back to installation to rebuild supervision "
                "and referral routines with the new managers.",
            ),
            ("initial_implementation", 15, "Supervision restored; referrals back at previous levels."),
        ],
        "goals": [
            (
                "Referral workflow in use in all clinics",
                "Monthly referrals from clinicians to CHWs",
                "At least 40 referrals a month across clinics",
                ["in_progress", "achieved", "in_progress"],
            ),
            (
                "CHW supervision routine established",
                "Share of CHWs with a monthly supervision session",
                "All 8 CHWs supervised monthly",
                ["in_progress", "revised", "in_progress"],
            ),
            (
                "Shared data on CHW contacts",
                "CHW contact data reviewed at the team meeting",
                "Data reviewed every month",
                ["in_progress", "achieved"],
            ),
            (
                "Billing for CHW services",
                "CHW services billed to the state program",
                "Billing in place in one clinic",
                ["in_progress", "dropped"],
            ),
        ],
        "deliverables": [
            ("core_components", "CHW role description and core activities", 4, True),
            ("tool_resource", "Referral workflow and script for clinicians", 7, True),
            ("stage_guidance", "Guidance for onboarding new clinic managers", 14, True),
            ("tool_resource", "CHW supervision toolkit", 19, False),
        ],
        "context": [
            ("facilitator", "individuals", 2, "Medical director is a strong champion for CHWs."),
            ("barrier", "inner_setting", 11, "Turnover: two of four clinic managers left within a month."),
            ("barrier", "outer_setting", 9, "State Medicaid rules on CHW billing remain unclear."),
            ("facilitator", "intervention", 14, "Stable co-lead pair kept continuity through the turnover."),
            ("facilitator", "process", 16, "Short improvement cycles on referral scripts show quick wins."),
        ],
        "team": [
            ("Dr. Helena Cruz", "senior_leader"),
            ("Marisol Vega", "manager"),
            ("Andre Thompson", "partner"),
            ("Fatima Noor", "support_staff"),
            ("Kevin O'Brien", "manager"),
        ],
    },
    {
        "unit": "Education Equity",
        "title": "Foundation-wide early literacy grantmaking strategy",
        "on_behalf_of": "",
        "support_model": "push_pull",
        "status": "paused",
        "start": D(2025, 6, 9),
        "end": D(2026, 12, 11),
        "co_leads": ("daniel.reyes", "grace.mbeki"),
        "supporting": (),
        "request": None,
        "problem": "The Education Equity unit funds 40 literacy grantees with different approaches and no shared "
        "theory of change. Program officers want an evidence-informed strategy that says which "
        "approaches the foundation backs, how grantees are supported to implement them, and how "
        "progress is tracked.",
        "stages": [
            ("exploration", 0, ""),
            ("installation", 6, "Strategy draft adopted; building grantee support plan."),
        ],
        "goals": [
            (
                "Shared theory of change for early literacy",
                "Theory of change endorsed by the unit's leadership",
                "Endorsed by the unit director and board committee",
                ["in_progress", "achieved"],
            ),
            (
                "Grantee support plan",
                "Support plan drafted for the 12 largest grantees",
                "12 grantee plans",
                ["in_progress"],
            ),
        ],
        "deliverables": [
            ("stage_guidance", "Evidence review and strategy options for early literacy", 4, True),
            ("tool_resource", "Grantee implementation support plan template", 10, False),
        ],
        "context": [
            ("facilitator", "inner_setting", 2, "Program officers eager to align their portfolios."),
            ("barrier", "inner_setting", 13, "Unit director left; the work is paused until the new director starts."),
            ("barrier", "process", 14, "Decisions on the strategy deferred twice."),
        ],
        "team": [("Catherine Moss", "senior_leader"), ("Ibrahim Sesay", "manager"), ("Hannah Lee", "support_staff")],
    },
    {
        "unit": "Evaluation and Learning",
        "title": "Building an evidence-use routine for program officers",
        "on_behalf_of": "",
        "support_model": "push",
        "status": "closed",
        "start": D(2025, 1, 13),
        "end": D(2025, 10, 31),
        "co_leads": ("tomas.lindqvist", "priya.raman"),
        "supporting": (),
        "request": {
            "title": "Training for program officers on using evidence in grant decisions",
            "for_whom": "Program officers across the foundation (about 30)",
            "created": D(2024, 12, 9),
            "decided": D(2025, 1, 6),
        },
        "problem": "Program officers rarely consult evaluation findings when they renew grants. The Evaluation "
        "and Learning unit asked for training and a simple routine so that evidence summaries are "
        "read and discussed before renewal decisions.",
        "closing_summary": "The evidence-brief routine is part of the renewal checklist and 24 of 30 program "
        "officers completed the training. Evaluation and Learning now runs the quarterly "
        "evidence sessions itself; the centre handed over all materials in October 2025.",
        "stages": [
            ("exploration", 0, ""),
            ("installation", 3, "Training curriculum agreed."),
            ("initial_implementation", 6, "Evidence briefs in use for renewals."),
        ],
        "goals": [
            (
                "Program officers trained in evidence use",
                "Program officers completing the three sessions",
                "24 of 30 program officers",
                ["in_progress", "achieved"],
            ),
            (
                "Evidence brief read before renewals",
                "Share of renewals with an evidence brief on file",
                "75% of renewals",
                ["in_progress", "achieved"],
            ),
        ],
        "deliverables": [
            ("tool_resource", "Evidence brief template and examples", 3, True),
            ("tool_resource", "Three-session training for program officers", 5, True),
            ("stage_guidance", "Hand-over guide for the quarterly evidence sessions", 9, True),
        ],
        "context": [
            (
                "facilitator",
                "inner_setting",
                1,
                "Renewal checklist owned by Grants Management could carry the routine.",
            ),
            ("barrier", "individuals", 4, "Some program officers doubt the relevance of evaluation findings."),
            ("facilitator", "process", 7, "Short evidence briefs (two pages) lowered the effort."),
        ],
        "team": [
            ("Dr. Naomi Fischer", "senior_leader"),
            ("Paul Adeyemi", "manager"),
            ("Irene Kowalski", "support_staff"),
        ],
    },
    {
        "unit": "Grants Management",
        "title": "Embedding implementation readiness in grant review",
        "on_behalf_of": "",
        "support_model": "push_pull",
        "status": "active",
        "start": D(2026, 2, 2),
        "end": D(2027, 1, 29),
        "co_leads": ("daniel.reyes", "priya.raman"),
        "supporting": ("grace.mbeki",),
        "request": {
            "title": "Add implementation readiness to how we review proposals",
            "for_whom": "Grants Management staff and the review committee",
            "created": D(2026, 1, 5),
            "decided": D(2026, 1, 19),
        },
        "problem": "Proposals are reviewed on need and program design, but not on whether grantees are ready to "
        "implement. Grants Management asked for help to add readiness questions and a scoring guide "
        "to the review, without lengthening the application.",
        "stages": [("exploration", 0, ""), ("installation", 4, "Readiness questions piloted in the spring round.")],
        "goals": [
            (
                "Readiness questions added to the application",
                "Questions approved by the review committee",
                "Approved for the fall round",
                ["in_progress", "achieved"],
            ),
            (
                "Reviewers score readiness consistently",
                "Agreement between two reviewers on readiness scores",
                "80% agreement",
                ["in_progress"],
            ),
            (
                "Readiness findings shared with grantees",
                "Grantees receiving readiness feedback with the award",
                "All new awards",
                [],
            ),
        ],
        "deliverables": [
            ("tool_resource", "Readiness questions and scoring guide", 4, True),
            ("tool_resource", "Reviewer calibration exercise", 8, False),
        ],
        "context": [
            ("facilitator", "inner_setting", 1, "Review committee chair asked for the change."),
            ("barrier", "individuals", 5, "Reviewers worry about added workload in a busy round."),
            ("facilitator", "intervention", 7, "Virtual coaching fits reviewers' schedules."),
        ],
        "team": [
            ("Rachel Goldberg", "senior_leader"),
            ("Victor Chen", "manager"),
            ("Amara Osei", "support_staff"),
            ("Lena Hartmann", "other"),
        ],
    },
    {
        "unit": "Early Childhood",
        "title": "Coaching network for family child care providers",
        "on_behalf_of": "Little Harbor Family Child Care Network",
        "support_model": "co_creation",
        "status": "active",
        "start": D(2026, 4, 6),
        "end": D(2027, 3, 26),
        "co_leads": ("maya.okafor", "tomas.lindqvist"),
        "supporting": (),
        "request": {
            "title": "Coaching model for Little Harbor's family child care providers",
            "for_whom": "Little Harbor network staff and about 60 home-based providers",
            "created": D(2026, 2, 23),
            "decided": D(2026, 3, 9),
        },
        "problem": "Little Harbor coaches visit home-based child care providers but each coach works differently "
        "and providers drop out of coaching after a few months. The network wants a shared coaching "
        "model, co-designed with providers, and a way to see whether it keeps them engaged.",
        "stages": [("exploration", 0, ""), ("installation", 4, "Coaching model co-designed with providers.")],
        "goals": [
            (
                "Shared coaching model co-designed with providers",
                "Model drafted in co-design sessions",
                "Model endorsed by coaches and a provider panel",
                ["in_progress", "achieved"],
            ),
            (
                "Providers stay in coaching",
                "Providers still in coaching after 3 months",
                "80% retention",
                ["in_progress"],
            ),
        ],
        "deliverables": [
            ("core_components", "Coaching model: core activities of a coaching visit", 4, True),
            ("tool_resource", "Coaching visit log for coaches", 6, False),
        ],
        "context": [
            ("facilitator", "individuals", 1, "Provider panel members are keen to shape the model."),
            ("barrier", "outer_setting", 3, "Licensing inspections crowd the providers' calendars in spring."),
            ("facilitator", "process", 5, "Co-design sessions held in the evening suit providers."),
        ],
        "team": [("Yvonne Baptiste", "senior_leader"), ("Carlos Mendes", "partner"), ("Dana Whitaker", "partner")],
    },
    {
        "unit": "Community Health",
        "title": "Doula program expansion: defining the problem",
        "on_behalf_of": "Harlow County Doula Collaborative",
        "support_model": "co_creation",
        "status": "proposed",
        "start": D(2026, 10, 19),
        "end": D(2027, 10, 15),
        "co_leads": ("grace.mbeki", "daniel.reyes"),
        "supporting": (),
        "request": {
            "title": "Help the doula collaborative plan its expansion",
            "for_whom": "Harlow County Doula Collaborative and two hospital partners",
            "created": D(2026, 9, 21),
            "decided": D(2026, 10, 9),
        },
        "problem": "The doula collaborative wants to double the number of families it serves with two hospital "
        "partners. Definition meetings are under way to agree what the implementation problem is: "
        "referral pathways, doula workforce, or hospital policies.",
        "stages": [("exploration", 0, "")],
        "goals": [
            (
                "Implementation problem defined",
                "Problem statement agreed in definition meetings",
                "Agreed with the collaborative and both hospitals",
                [],
            ),
            ("Support plan agreed", "Goals, strategies and deliverables agreed", "Signed-off support plan", []),
        ],
        "deliverables": [("stage_guidance", "Exploration summary and proposed support plan", 2, False)],
        "context": [
            ("facilitator", "outer_setting", 0, "State maternal health initiative funds doula services."),
            ("barrier", "inner_setting", 1, "Hospital partners have different intake processes."),
        ],
        "team": [("Tamika Hayes", "partner"), ("Dr. Susan Park", "senior_leader"), ("Joy Adebayo", "partner")],
    },
]

OTHER_REQUESTS = [
    {
        "unit": "Youth Opportunity",
        "title": "Summer learning program: are grantees ready to scale?",
        "description": "Three summer learning grantees want to grow; we would like help judging their readiness.",
        "for_whom": "Three summer learning grantees",
        "on_behalf_of": "Summer Bridge Coalition",
        "status": "submitted",
        "created": D(2026, 11, 12),
        "by": "marcus.bell",
        "hoped_start": D(2027, 1, 11),
    },
    {
        "unit": "Grants Management",
        "title": "Build a database for grantee reporting",
        "description": "A custom database where grantees upload their quarterly reports.",
        "for_whom": "All grantees",
        "on_behalf_of": "",
        "status": "declined",
        "created": D(2026, 5, 4),
        "decided": D(2026, 5, 18),
        "by": None,
        "decline_reason": "Outside the centre's scope: this is a data system build, not implementation support. "
        "We referred the unit to the foundation's IT partner and offered help with the "
        "reporting indicators later.",
    },
    {
        "unit": "Early Childhood",
        "title": "Support for a pre-K teacher coaching pilot",
        "description": "The unit is considering a coaching pilot with two pre-K providers.",
        "for_whom": "Two pre-K providers",
        "on_behalf_of": "Riverside Early Learning",
        "status": "info_requested",
        "created": D(2026, 10, 26),
        "by": "jordan.kim",
        "hoped_start": D(2027, 2, 1),
        "info_question": "Is the pilot already funded, and who at Riverside would sit on the implementation team?",
    },
]

# --- phrase pools ------------------------------------------------------------------------------------

STAGE_NOTES = {
    "exploration": [
        "Mapped needs and assets with the team and agreed what the problem is.",
        "Reviewed the readiness assessment; fit and capacity look good, resources are the gap.",
        "Discussed who else needs to be at the table and how decisions will be made.",
    ],
    "installation": [
        "Worked through the implementation plan: roles, timeline and the data we need.",
        "Reviewed draft materials; the team asked for simpler versions for front-line staff.",
        "Agreed the training schedule and who will coach after training.",
    ],
    "initial_implementation": [
        "Looked at the first month of data; uptake is uneven across sites.",
        "Ran a short improvement cycle on the weakest step and agreed a change to test.",
        "Staff report the new routine takes longer than expected; agreed to trim it.",
    ],
    "full_implementation": [
        "Data show the practice is routine; discussed keeping fidelity checks light.",
        "Planned how the network will sustain coaching without the centre.",
        "Reviewed the scaling approach with leadership.",
    ],
}
KIND_NOTES = {
    "definition": "Definition meeting: heard from each team member how they see the problem and what success "
    "would look like.",
    "planning": "Planning call with the team lead for the monthly meeting: agenda, data to bring, decisions needed.",
    "debrief": "Debrief of the monthly meeting: what went well, open questions, follow-ups to send.",
    "coaching": "Coaching session with the team lead on leading the next step and handling pushback.",
}
# Power balance (issue 19): who sets a session's agenda and takes its decisions, by model of support, early
# in an engagement (its first six months) and later (the ISPs hand over as the team takes the lead).
AGENDA_WEIGHTS = {
    "co_creation": ({"isp": 4, "joint": 5, "recipient": 1}, {"isp": 1, "joint": 6, "recipient": 3}),
    "push_pull": ({"isp": 6, "joint": 3, "recipient": 1}, {"isp": 4, "joint": 4, "recipient": 2}),
    "push": ({"isp": 9, "joint": 1, "recipient": 0}, {"isp": 8, "joint": 2, "recipient": 0}),
}
# A co-creation engagement whose ISPs have set every agenda of the last months: "needing attention".
ISP_LED_LATELY = "Integrating community health workers into clinic teams"
ISP_LED_FROM = dt.date(2026, 7, 1)
DECISIONS = [
    "Adopt the fidelity checklist for all home visits",
    "Pilot the new intake script with two teams",
    "Move the monthly meeting to the first Tuesday",
    "Ask the data lead to share the dashboard each month",
    "Pause the second cohort until the coaches are trained",
    "Use the team's own definitions of the core components",
    "Bring the family advisory group into the next review",
    "Keep the current referral pathway for another quarter",
]

NEXT_STEPS = [
    "Circulate the revised draft to the team",
    "Collect this month's data from each site",
    "Schedule the co-design session with front-line staff",
    "Share the readiness summary with leadership",
    "Update the implementation plan with today's decisions",
    "Draft the training agenda",
    "Prepare the fidelity data for the next meeting",
    "Check in with the two sites that are behind",
    "Send the meeting notes and action list",
    "Invite the new manager to the next team meeting",
    "Test the revised referral script for two weeks",
    "Book rooms for the next in-person meeting",
]
EVIDENCE = [
    "Minutes of the team meeting",
    "Signed memorandum of understanding",
    "Plan shared on the team drive",
    "Training attendance list",
    "Data report reviewed by the team",
    "Email confirmation from leadership",
]
COMMENTS = {
    "strengths": [
        "The co-leads listen and adapt to what we need.",
        "Having data at every meeting keeps us honest.",
        "Clear agendas and follow-ups after each meeting.",
        "They helped us talk about hard issues openly.",
    ],
    "limitations": [
        "Meetings sometimes run long.",
        "Too many new tools at once.",
        "We would like more time with the ISPs between meetings.",
    ],
    "needs_not_met": [
        "Help to explain the work to our board.",
        "More support for front-line supervisors.",
        "Guidance on sustaining this after the engagement ends.",
    ],
}
SCALE_OFFSET = {
    "trust": 0.4,
    "aim": 0.25,
    "iam": 0.1,
    "fim": 0.0,
    "knowledge": -0.1,
    "application": -0.35,
    "capacity": -0.5,
}
PULSE_ITEMS = ["trust_1", "aim_1", "iam_1", "fim_1", "knowledge_1", "application_1", "capacity_1"]

COMPETENCY_WEIGHTS = {
    "monthly": {
        "p20_facilitation": 6,
        "p20_communication": 4,
        "p20_developing_teams": 3,
        "p20_conducting_improvement_cycles": 3,
        "p20_co_learning": 3,
        "p20_understanding_context": 2,
        "p20_applying_implementation_frameworks": 3,
        "p20_tailoring_support": 2,
        "p20_growing_sustaining_relationships": 2,
        "p20_building_capacity": 2,
    },
    "planning": {
        "p20_applying_implementation_frameworks": 4,
        "p20_assessing_needs_and_assets": 3,
        "p20_tailoring_support": 3,
        "p20_co_design": 2,
        "p20_communication": 2,
    },
    "debrief": {
        "p20_conducting_improvement_cycles": 3,
        "p20_communication": 3,
        "p20_understanding_context": 3,
        "p20_growing_sustaining_relationships": 2,
        "p20_co_learning": 2,
    },
    "coaching": {
        "p20_building_capacity": 5,
        "p20_cultivating_leaders_champions": 4,
        "p20_tailoring_support": 3,
        "p20_growing_sustaining_relationships": 3,
        "p20_communication": 1,
    },
    "definition": {
        "p20_assessing_needs_and_assets": 5,
        "p20_understanding_context": 5,
        "p20_co_learning": 3,
        "p20_brokering": 2,
        "p20_growing_sustaining_relationships": 3,
        "p20_addressing_power_differentials": 1,
    },
}
MODEL_COMPETENCY_BONUS = {
    "co_creation": {
        "p20_co_design": 3,
        "p20_co_learning": 2,
        "p20_addressing_power_differentials": 2,
        "p20_brokering": 1,
    },
    "push_pull": {"p20_tailoring_support": 2, "p20_assessing_needs_and_assets": 1},
    "push": {"p20_building_capacity": 2, "p20_communication": 2},
}
STRATEGY_FIRST = {
    "monthly": "team_meeting_facilitation",
    "coaching": "coaching",
    "planning": None,
    "debrief": None,
    "definition": None,
}
STRATEGY_WEIGHTS = {
    "monthly": {
        "facilitation": 3,
        "audit_and_provide_feedback": 2,
        "purposely_reexamine_implementation": 2,
        "data_collection": 2,
        "capture_and_share_local_knowledge": 1,
        "conduct_local_consensus_discussions": 1,
    },
    "planning": {
        "develop_implementation_blueprint": 3,
        "tool_resource_development": 3,
        "tailor_strategies": 2,
        "data_collection": 2,
    },
    "debrief": {
        "audit_and_provide_feedback": 3,
        "purposely_reexamine_implementation": 2,
        "data_collection": 2,
        "capture_and_share_local_knowledge": 1,
    },
    "coaching": {
        "provide_ongoing_consultation": 3,
        "identify_and_prepare_champions": 2,
        "recruit_designate_train_for_leadership": 1,
        "develop_educational_materials": 1,
    },
    "definition": {
        "assess_readiness_barriers_facilitators": 4,
        "conduct_local_needs_assessment": 3,
        "conduct_local_consensus_discussions": 2,
        "outreach": 2,
        "build_coalition": 1,
    },
}
STAGE_STRATEGIES = {
    "exploration": {"assess_readiness_barriers_facilitators": 3, "conduct_local_needs_assessment": 2},
    "installation": {
        "develop_implementation_blueprint": 3,
        "develop_educational_materials": 2,
        "conduct_ongoing_training": 1,
        "tool_resource_development": 2,
    },
    "initial_implementation": {
        "conduct_cyclical_small_tests_of_change": 3,
        "audit_and_provide_feedback": 2,
        "develop_quality_monitoring_tools": 1,
    },
    "full_implementation": {
        "stage_implementation_scale_up": 3,
        "develop_quality_monitoring_systems": 2,
        "identify_and_prepare_champions": 1,
    },
}
PRINCIPLES = [
    "be_empathetic",
    "be_curious",
    "be_committed",
    "advance_equity",
    "use_critical_thinking",
    "embrace_cross_disciplinary_approaches",
]


# --- helpers -----------------------------------------------------------------------------------------


def add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, 28))


def weekday(day):
    """The nearest working day (Saturday -> Friday, Sunday -> Monday)."""
    if day.weekday() == 5:
        return day - dt.timedelta(days=1)
    if day.weekday() == 6:
        return day + dt.timedelta(days=1)
    return day


def nth_weekday(year, month, wd, n):
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(wd - first.weekday()) % 7 + 7 * (n - 1))


def weighted_sample(rng, weights, k):
    pool = [(key, w) for key, w in weights.items() if w > 0]
    out = []
    while pool and len(out) < k:
        r = rng.random() * sum(w for _, w in pool)
        for i, (key, w) in enumerate(pool):
            r -= w
            if r <= 0 or i == len(pool) - 1:
                out.append(key)
                pool.pop(i)
                break
    return out


def merged(*dicts):
    out = {}
    for d in dicts:
        for key, w in d.items():
            out[key] = out.get(key, 0) + w
    return out


def at(day, hour=17):
    return dt.datetime.combine(day, dt.time(hour, 0))


def _next_dated(dated, value, default):
    """The date of the first not yet used (value, date) pair of `dated` whose value is `value`; the
    pair is used up, so the Nth change to a value gets the Nth date."""
    for n, (candidate, day) in enumerate(dated):
        if candidate == value:
            del dated[n]
            return day
    return default


def accounts():
    """[(role, email, name)] of the demo users in the database, admins first, then leaders, ISPs, recipients."""
    emails = [p[1] for p in PEOPLE]
    order = {email: i for i, email in enumerate(emails)}
    users = list(User.select().where(User.email.in_(emails)))
    users.sort(key=lambda u: (ROLE_ORDER.get(u.role, 9), order[u.email]))
    return [(u.role, u.email, u.name) for u in users]


def seed():
    """Create the demo data once; returns (created, accounts)."""
    if Organization.select().where(Organization.name == INTERMEDIARY).exists():
        return False, accounts()
    with database.atomic():
        _Builder(random.Random(SEED)).build()
    return True, accounts()


class _Builder:
    def __init__(self, rng):
        self.rng = rng
        self.power_rng = random.Random(19)  # its own stream: the rest of the demo stays as it was  # nosec B311
        self.links = {
            MeetingDecision: [],
            MeetingCompetency: [],
            MeetingStrategy: [],
            MeetingPrinciple: [],
            MeetingAttendee: [],
            NextStep: [],
            FeedbackAnswer: [],
        }

    # -- catalog, looked up once
    def load_catalog(self):
        framework = CompetencyFramework.default()
        self.competencies = {c.key: c for c in Competency.in_framework(framework)}
        self.competencies_by_id = {c.id: c.key for c in self.competencies.values()}
        self.strategies = {s.key: s for s in Strategy.select().where(~Strategy.retired).order_by(Strategy.number)}
        self.principles = {p.key: p for p in Principle.select().where(~Principle.retired).order_by(Principle.position)}
        self.stages = {s.key: s for s in Stage.ordered()}
        self.instrument = (
            FeedbackInstrument.select()
            .where(FeedbackInstrument.key == "recipient_feedback")
            .order_by(FeedbackInstrument.version.desc())
            .first()
        )
        self.items = {}
        if self.instrument is not None:
            self.items = {
                i.key: i
                for i in FeedbackItem.select()
                .where(FeedbackItem.instrument == self.instrument)
                .order_by(FeedbackItem.position)
            }

    def build(self):
        first_entry = AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id.desc()).scalar() or 0
        self.load_catalog()
        centre = Organization.create(name=INTERMEDIARY, kind="intermediary", hourly_rate=CENTRE_HOURLY_RATE)
        foundation = Organization.create(name=FOUNDATION, kind="recipient")
        self.units = {name: Unit.create(organization=foundation, name=name) for name in UNITS}
        password_hash = generate_password_hash(DEMO_PASSWORD)  # one hash (salted once) for every demo user
        self.users = {}
        for role, email, name, org, unit in PEOPLE:
            user = User.create(
                email=email,
                name=name,
                role=role,
                password_hash=password_hash,
                organization=centre if org == "centre" else foundation,
                unit=self.units[unit] if unit else None,
                hourly_rate=HOURLY_RATES.get(email.split("@")[0]),
                capacity_minutes=CAPACITY_HOURS.get(email.split("@")[0], 0) * 60 or None,
            )
            self.users[email.split("@")[0]] = user
        self.director = self.users["helen.carver"]
        for spec in ENGAGEMENTS:
            self.engagement(spec, centre)
        for spec in OTHER_REQUESTS:
            self.other_request(spec)
        for model, rows in self.links.items():
            for batch in chunked(rows, 200):
                model.insert_many(batch).execute()
        self.audit_dates = {}  # (entity, id) -> (at, user id) of rows whose audit entries need a date of their own
        self.modifications()
        FeedbackRelease.replay()  # released as they came in (docs/disclosure.md)
        self.internal_notes_and_other_framework()
        self.activities()
        self.review_states()
        self.goal_templates()
        self.attachments()
        self.date_audit_entries(first_entry)

    GOAL_TEMPLATES = (  # (title, indicator, default target): goals the centre reuses across engagements
        (
            "Implementation team meets monthly",
            "Team meetings held, from the meeting log",
            "At least 10 of 12 months with a team meeting",
        ),
        (
            "Fidelity data reviewed each quarter",
            "Quarters in which the team reviewed fidelity data at a meeting",
            "Every quarter of the year",
        ),
        (
            "Practice profile in use",
            "Sites using the practice profile in coaching",
            "All sites by the end of installation",
        ),
        (
            "Data system in place",
            "A data system the team uses to make decisions",
            "In use at the monthly review",
        ),
    )

    def goal_templates(self):
        """The goal templates the administrator curates (issue 23), when the database has none yet."""
        if GoalTemplate.select().exists():
            return
        admin = self.users["sam.whitfield"]
        made = at(ANCHOR - dt.timedelta(days=120), 10)
        for title, indicator, target in self.GOAL_TEMPLATES:
            template = GoalTemplate.create(title=title, indicator=indicator, target=target, created_at=made)
            self.audit_dates[("GoalTemplate", template.id)] = (made, admin.id)

    def attachments(self):
        """A few files on the first three engagements' meetings and deliverables (issue 23): an agenda (text)
        on the first meeting, fidelity scores (CSV) on the latest monthly meeting, a one-page PDF on the first
        delivered deliverable. Uploaded through the app's one path (services/attachments.py: the same type
        check as a person's upload), by a co-lead, dated on the record's day. No random draw. The files go to
        the app's storage: without an app (a bare seed() in a test) there is none, and they are left out."""
        if not has_app_context():
            return
        for spec in ENGAGEMENTS[:3]:
            engagement = Engagement.get(Engagement.title == spec["title"])
            author = self.users[spec["co_leads"][0]]
            meetings = list(
                Meeting.live().where(Meeting.engagement == engagement.id).order_by(Meeting.date, Meeting.id)
            )
            monthly = [m for m in meetings if m.kind == "monthly"]
            delivered = (
                Deliverable.live()
                .where((Deliverable.engagement == engagement.id) & Deliverable.delivered_on.is_null(False))
                .order_by(Deliverable.delivered_on, Deliverable.id)
                .first()
            )
            files = []
            if meetings:
                files.append((meetings[0], meetings[0].date, "agenda.txt", _agenda(engagement, meetings[0])))
            if monthly:
                files.append((monthly[-1], monthly[-1].date, "fidelity-scores.csv", _scores(monthly[-1])))
            if delivered is not None:
                name = f"{delivered.title.lower().replace(' ', '-')[:60]}.pdf"
                files.append((delivered, delivered.delivered_on, name, _pdf(delivered.title)))
            for record, day, name, data in files:
                attachment = add_attachment(record, FileStorage(io.BytesIO(data), name), author)
                Attachment.update(created_at=at(day, 18)).where(Attachment.id == attachment.id).execute()
                self.audit_dates[("Attachment", attachment.id)] = (at(day, 18), author.id)

    # -- the work between meetings (issue 22): "conducted outreach, collected data, provided implementation
    # coaching, and developed tools and resources ... weekly or biweekly"
    ACTIVITY_RHYTHM = (  # (kind, every n weeks, weekday offset, minutes to draw from, notes to draw from)
        ("outreach", 2, 1, (30, 45, 60), ("Calls with site leads about the next steps", "Check-in emails to sites")),
        ("data_collection", 4, 2, (60, 90, 120), ("Fidelity observations at two sites", "Collected site data")),
        ("coaching_preparation", 4, 3, (30, 45, 60), ("Prepared the coaching session", "Reviewed coaching notes")),
        ("tool_development", 8, 4, (90, 120, 180), ("Drafted a tool for the team", "Revised the practice profile")),
    )

    def activities(self):
        """On every engagement that has met: its ISPs' work between meetings, from its start to its last
        session (biweekly outreach, monthly data collection and coaching preparation, tool development every two
        months: what ISPs log of it, sparse enough that seeding stays quick),
        by one or two of its ISPs, some tagged with a strategy or competency its sessions used. Its own random
        stream, so the rest of the demo stays as it was."""
        rng = random.Random(22)  # nosec B311
        for spec in ENGAGEMENTS:
            engagement = Engagement.get(Engagement.title == spec["title"])
            meetings = Meeting.live().where(Meeting.engagement == engagement.id)
            last = meetings.select(fn.MAX(Meeting.date)).scalar()
            if last is None:
                continue
            last = min(last, ANCHOR, engagement.end_date or ANCHOR)
            isps = [self.users[k] for k in (*spec["co_leads"], *spec.get("supporting", ()))]
            used = {
                "strategy": sorted(
                    {r.strategy_id for r in MeetingStrategy.select().where(MeetingStrategy.meeting.in_(meetings))}
                ),
                "competency": sorted(
                    {r.competency_id for r in MeetingCompetency.select().where(MeetingCompetency.meeting.in_(meetings))}
                ),
            }
            names = {
                "strategy": {s.id: s.name for s in Strategy.select().where(Strategy.id.in_(used["strategy"] or [0]))},
                "competency": {
                    c.id: c.name for c in Competency.select().where(Competency.id.in_(used["competency"] or [0]))
                },
            }
            week = 0
            while True:
                monday = engagement.start_date + dt.timedelta(days=7 * week - engagement.start_date.weekday())
                if monday > last:
                    break
                for kind, every, offset, minutes, notes in self.ACTIVITY_RHYTHM:
                    day = monday + dt.timedelta(days=offset)
                    if week % every or not engagement.start_date <= day <= last or rng.random() < 0.15:
                        continue  # a week without it now and then
                    who = rng.sample(isps, 2 if len(isps) > 1 and rng.random() < 0.3 else 1)
                    activity = Activity.create(
                        engagement=engagement,
                        date=day,
                        kind=kind,
                        minutes=rng.choice(minutes),
                        notes=rng.choice(notes),
                        logged_by=who[0],
                        created_at=at(day),
                    )
                    self.audit_dates[("Activity", activity.id)] = (at(day), who[0].id)
                    ActivityISP.insert_many([{"activity": activity.id, "user": u.id} for u in who]).execute()
                    for name, model in (("strategy", ActivityStrategy), ("competency", ActivityCompetency)):
                        if used[name] and kind in ("coaching_preparation", "tool_development") and rng.random() < 0.5:
                            tag = rng.choice(used[name])
                            model.create(activity=activity, label=names[name][tag], **{name: tag})
                week += 1

    # -- internal notes and sessions logged with the 2021 competencies (issue 19)
    INTERNAL_CONTEXT = (
        "Internal: the unit lead is stretched across two initiatives and hinted at leaving; raise workload with "
        "the director before the next review, not in the team meeting."
    )
    INTERNAL_SESSION = (
        "Internal: coaching went less well than the team's summary says; the supervisor disagrees with the "
        "fidelity checklist. Plan a one-to-one before the next monthly meeting."
    )

    # -- review of logs (issue 23): most logs were submitted within a few working days and approved by the
    # other co-lead; the last weeks' logs wait for review, a few were returned with a note, a few are drafts.
    RETURN_NOTES = (
        "Add the next steps agreed with the team.",
        "Which competencies did you draw on? Tick them before resubmitting.",
        "The duration looks off: was it really this long?",
    )

    def review_states(self):
        rng = random.Random(23)  # its own stream: the rest of the demo stays as it was  # nosec B311
        co_leads = {}
        # Every draw in a fixed order (ties by id): the same demo on SQLite and PostgreSQL, whose orders of equal
        # dates differ.
        for link in EngagementISP.select().where(EngagementISP.role == "co_lead").order_by(EngagementISP.id):
            co_leads.setdefault(link.engagement_id, []).append(link.user_id)
        recent = ANCHOR - dt.timedelta(days=21)
        for model in (Meeting, Activity):
            logs = model.select(model.id, model.engagement, model.date, model.logged_by).order_by(model.date, model.id)
            for log in logs:
                lag = rng.choice((0, 0, 1, 1, 2, 3, 4, 6, 9))  # days from the session to its submission
                submitted = min(at(log.date + dt.timedelta(days=lag), hour=rng.choice((9, 12, 16))), at(ANCHOR))
                others = [u for u in co_leads.get(log.engagement_id, []) if u != log.logged_by_id] or [None]
                values = {"submitted_at": submitted, "review_state": "submitted", "review_note": ""}
                if log.date < recent:
                    values.update(
                        review_state="approved",
                        reviewed_by=others[0],
                        reviewed_at=min(submitted + dt.timedelta(days=rng.choice((1, 2, 3))), at(ANCHOR)),
                    )
                else:
                    roll = rng.random()
                    if roll < 0.15:
                        values.update(review_state="draft", submitted_at=None)
                    elif roll < 0.3:
                        values.update(
                            review_state="returned",
                            reviewed_by=others[0],
                            reviewed_at=min(submitted + dt.timedelta(days=1), at(ANCHOR)),
                            review_note=rng.choice(self.RETURN_NOTES),
                        )
                model.update(**values).where(model.id == log.id).execute()

    def internal_notes_and_other_framework(self):
        """On the first two engagements: an internal context note and their latest coaching session's notes
        marked internal (ISPs and leaders see them with an "Internal" badge, recipients never). The second
        engagement's sessions of its first three months were logged with the 2021 competencies (mapped from the
        ones drawn through the crosswalk), so the competency report shows counts from both frameworks."""
        walk = {link["from"]: link["to"] for link in reversed(crosswalk()["links"])}  # the first link of each
        newer = {c.key: c for c in Competency.select().where(Competency.key.in_(list(walk.values())))}
        for number, spec in enumerate(ENGAGEMENTS[:2]):
            engagement = Engagement.get(Engagement.title == spec["title"])
            meetings = list(Meeting.select().where(Meeting.engagement == engagement).order_by(Meeting.date, Meeting.id))
            co_lead = (
                EngagementISP.select(EngagementISP.user)
                .where((EngagementISP.engagement == engagement) & (EngagementISP.role == "co_lead"))
                .order_by(EngagementISP.id)
                .first()
            )
            coaching = [m for m in meetings if m.kind == "coaching"]
            if coaching:
                Meeting.update(notes=self.INTERNAL_SESSION, notes_internal=True).where(
                    Meeting.id == coaching[-1].id
                ).execute()
            if meetings:
                ContextNote.create(
                    engagement=engagement,
                    kind="barrier",
                    domain="individuals",
                    text=self.INTERNAL_CONTEXT,
                    noted_on=meetings[-1].date,
                    created_by=co_lead.user_id if co_lead else None,
                    internal=True,
                )
            if number == 1 and meetings:
                early = [m.id for m in meetings if m.date < add_months(meetings[0].date, 3)]
                links = list(MeetingCompetency.select().where(MeetingCompetency.meeting.in_(early)))
                targets = {}
                for link in links:
                    key = self.competencies_by_id[link.competency_id]
                    targets.setdefault(link.meeting_id, set()).add(walk[key])
                MeetingCompetency.delete().where(MeetingCompetency.meeting.in_(early)).execute()
                if targets:
                    MeetingCompetency.insert_many(
                        [
                            {"meeting": mid, "competency": newer[key].id, "label": newer[key].name}
                            for mid, keys in targets.items()
                            for key in sorted(keys)
                        ]
                    ).execute()

    # -- the audit log, dated as the demo's story (not the day it was seeded)
    def date_audit_entries(self, after_id):
        """Give each audit entry written while seeding the date and the person of what it records: a
        request submitted on 12 Nov by its requester, a meeting added on its day by a co-lead, a goal
        moved to "In progress" on the day of that status change... so the engagement page's Activity
        and every history agree with the dates shown beside them. Anonymous feedback stays anonymous
        (no person, the day's midnight, as the app records it)."""
        engagements = {e.id: e for e in Engagement.select()}
        co_lead = {}
        for link in EngagementISP.select().where(EngagementISP.role == "co_lead").order_by(EngagementISP.id):
            co_lead.setdefault(link.engagement_id, link.user_id)
        earliest = min(
            [e.created_at for e in engagements.values()] + [r.created_at for r in SupportRequest.select()]
        ) - dt.timedelta(days=7)
        when = {}  # (entity, id) -> (at, user id)
        for r in SupportRequest.select():
            when[("SupportRequest", r.id)] = (r.created_at, r.requested_by_id)
        for e in engagements.values():
            when[("Engagement", e.id)] = (e.created_at, co_lead[e.id])
        for g in Goal.select():
            when[("Goal", g.id)] = (g.created_at, co_lead.get(g.engagement_id))
        for v in GoalMeasurement.select(GoalMeasurement.id, GoalMeasurement.date, GoalMeasurement.recorded_by):
            when[("GoalMeasurement", v.id)] = (at(v.date, 12), v.recorded_by_id)
        for m in Meeting.select(Meeting.id, Meeting.engagement, Meeting.date):
            when[("Meeting", m.id)] = (at(m.date), co_lead.get(m.engagement_id))
        for item in PlanItem.select(PlanItem.id, PlanItem.engagement, PlanItem.start_date):
            made = weekday(add_months(engagements[item.engagement_id].start_date, 1))  # as plan() dates it
            when[("PlanItem", item.id)] = (at(made, 15), co_lead[item.engagement_id])
        for t in TeamMember.select():
            day = t.joined_on or engagements[t.engagement_id].start_date
            when[("TeamMember", t.id)] = (at(day, 9), co_lead.get(t.engagement_id))
        for n in ContextNote.select():
            when[("ContextNote", n.id)] = (at(n.noted_on), n.created_by_id or co_lead.get(n.engagement_id))
        for d in Deliverable.select():
            day = d.delivered_on or engagements[d.engagement_id].start_date
            when[("Deliverable", d.id)] = (at(day), co_lead.get(d.engagement_id))
        for b in Benchmark.select().where(Benchmark.completed_on.is_null(False)):
            when[("Benchmark", b.id)] = (at(b.completed_on), co_lead.get(b.engagement_id))
        when.update(self.audit_dates)
        for f in FeedbackResponse.select(FeedbackResponse.id, FeedbackResponse.submitted_on):
            when[("FeedbackResponse", f.id)] = (dt.datetime.combine(f.submitted_on, dt.time(0, 0)), None)
        # updates in order: the Nth status change of a goal, the Nth stage entered by an engagement
        goal_changes, stage_entries = {}, {}
        for c in GoalStatusChange.select().order_by(GoalStatusChange.changed_on, GoalStatusChange.id):
            goal_changes.setdefault(c.goal_id, []).append((c.status, at(c.changed_on)))
        for s_ in StageEntry.select().order_by(StageEntry.entered_on, StageEntry.id):
            stage_entries.setdefault(s_.engagement_id, []).append((s_.stage_id, at(s_.entered_on, 10)))
        for entry in AuditEntry.select().where(AuditEntry.id > after_id).order_by(AuditEntry.id):
            key = (entry.entity, entry.entity_id)
            stamp, user = when.get(key, (earliest, None))
            changes = entry.change_map if entry.action == "update" else {}
            if entry.entity == "Goal" and "status" in changes:
                stamp = _next_dated(goal_changes.get(entry.entity_id, []), changes["status"][1], stamp)
            elif entry.entity == "Engagement" and "current_stage" in changes:
                stamp = _next_dated(stage_entries.get(entry.entity_id, []), changes["current_stage"][1], stamp)
            elif entry.entity == "Engagement" and "status" in changes:
                e = engagements[entry.entity_id]
                day = {"closed": e.end_date, "paused": ANCHOR - dt.timedelta(days=PAUSED_QUIET_DAYS)}.get(e.status)
                stamp = at(day or e.start_date)
            AuditEntry.update(at=stamp, user=user).where(AuditEntry.id == entry.id).execute()

    # -- lapse prompts and FRAME-IS modifications (issue 19)
    def modifications(self):
        """MODIFICATIONS on the reference engagements, written as the pages write them (change_plan,
        record_modification), then dated as the story says (versions, rows and their audit entries)."""
        for title, spec in MODIFICATIONS.items():
            engagement = Engagement.get(Engagement.title == title)
            self.modifications_of(engagement, spec)
            plan = PLANS.get(title, {})
            if plan.get("agreed") == "all" and "change" not in plan:
                # the plan these changes made was agreed again by all three, a few days after the last one
                latest = PlanVersion.latest(engagement.id)
                co_leads = [link.user for link in engagement.isps() if link.role == "co_lead"]
                day = min(latest.changed_at.date() + dt.timedelta(days=3), ANCHOR)
                self.agree(engagement, latest, co_leads, TeamMember.lead_of(engagement.id), "all", day)

    def modifications_of(self, engagement, spec):
        co_lead = (
            EngagementISP.select()
            .where((EngagementISP.engagement == engagement.id) & (EngagementISP.role == "co_lead"))
            .order_by(EngagementISP.id)
            .first()
            .user
        )
        logged = {
            s.strategy_id
            for s in MeetingStrategy.select(MeetingStrategy.strategy)
            .join(Meeting)
            .where(Meeting.engagement == engagement.id)
        }

        def unlogged(keys_, taken=()):
            """The first of `keys_` (then of the catalog) that the engagement's sessions never logged."""
            return next(
                self.strategies[k]
                for k in [*keys_, *self.strategies]
                if k in self.strategies and self.strategies[k].id not in logged and k not in taken
            )

        def plan_item(strategy, start):
            version = change_plan(
                engagement,
                co_lead,
                add=[
                    {
                        "strategy": strategy.id,
                        "sessions_per_month": 1,
                        "minutes_per_session": 60,
                        "start_date": start,
                        "responsible_user": co_lead.id,
                    }
                ],
                summary=f"{strategy.name} added, monthly.",
            )
            PlanVersion.update(changed_at=at(start, 9)).where(PlanVersion.id == version.id).execute()
            item = next(i for i in PlanItem.of(engagement.id) if i.strategy_id == strategy.id)
            PlanItem.update(created_at=at(start, 9)).where(PlanItem.id == item.id).execute()
            self.audit_dates[("PlanItem", item.id)] = (at(start, 9), co_lead.id)
            return item

        def dated(modification, day):
            Modification.update(created_at=at(day, 16)).where(Modification.id == modification.id).execute()
            self.audit_dates[("Modification", modification.id)] = (at(day, 16), co_lead.id)
            closing = PlanVersion.latest(engagement.id)
            if modification.plan_effect == "close":
                PlanVersion.update(changed_at=at(day, 16)).where(PlanVersion.id == closing.id).execute()

        keys_, start, decided, values = spec["answered"]
        answered = plan_item(unlogged(keys_), start)
        modification = record_modification(
            engagement,
            co_lead,
            {**values, "plan_item": answered.id, "decided_on": decided, "plan_effect": "close", "prompted": True},
        )
        dated(modification, decided)
        keys_, start = spec["unlogged"]
        plan_item(unlogged(keys_, taken={answered.strategy.key}), start)
        decided, values = spec["direct"]
        most_logged = (
            MeetingStrategy.select(MeetingStrategy.strategy)
            .join(Meeting)
            .where((Meeting.engagement == engagement.id) & (Meeting.date <= decided))
            .group_by(MeetingStrategy.strategy)
            .order_by(fn.COUNT(MeetingStrategy.id).desc(), MeetingStrategy.strategy)
            .scalar()
        )
        dated(
            record_modification(engagement, co_lead, {**values, "strategy": most_logged, "decided_on": decided}),
            decided,
        )

    def other_request(self, spec):
        req = SupportRequest.create(
            unit=self.units[spec["unit"]],
            requested_by=self.users.get(spec["by"]) if spec["by"] else None,
            title=spec["title"],
            description=spec["description"],
            for_whom=spec["for_whom"],
            on_behalf_of=spec["on_behalf_of"],
            hoped_start=spec.get("hoped_start"),
            status=spec["status"],
            info_question=spec.get("info_question", ""),
            decline_reason=spec.get("decline_reason", ""),
            decided_by=self.director if spec.get("decided") else None,
            decided_at=at(spec["decided"], 10) if spec.get("decided") else None,
            created_at=at(spec["created"], 9),
        )
        # its story, dated as the request says (the "submitted" event is written by the model)
        if spec.get("info_question"):
            asked = weekday(spec["created"] + dt.timedelta(days=5))
            RequestEvent.record(req, "question", by=self.director, text=spec["info_question"], at=at(asked, 10))
        if spec["status"] == "declined":
            RequestEvent.record(
                req, "declined", by=self.director, text=spec.get("decline_reason", ""), at=req.decided_at
            )

    # -- one engagement
    def engagement(self, spec, centre):
        rng = self.rng
        unit = self.units[spec["unit"]]
        start, status = spec["start"], spec["status"]
        if status == "closed":
            limit = spec["end"]
        elif status == "paused":
            limit = ANCHOR - dt.timedelta(days=PAUSED_QUIET_DAYS)
        else:
            limit = ANCHOR
        co_leads = [self.users[k] for k in spec["co_leads"]]
        supporting = [self.users[k] for k in spec["supporting"]]
        recipients = [u for u in self.users.values() if u.role == "recipient" and u.unit_id == unit.id]

        request = None
        if spec["request"]:
            r = spec["request"]
            request = SupportRequest.create(
                unit=unit,
                requested_by=recipients[0] if recipients else None,
                title=r["title"],
                description=spec["problem"],
                for_whom=r["for_whom"],
                on_behalf_of=spec["on_behalf_of"],
                hoped_start=start,
                status="accepted",
                decided_by=self.director,
                decided_at=at(r["decided"], 10),
                created_at=at(r["created"], 9),
            )
        engagement = Engagement.create(
            unit=unit,
            intermediary=centre,
            request=request,
            title=spec["title"],
            problem_statement=spec["problem"],
            support_model=spec["support_model"],
            start_date=start,
            end_date=spec["end"],
            status="active",
            created_at=at(start, 9),
        )
        if request is not None:
            RequestEvent.record(request, "accepted", by=self.director, engagement=engagement, at=request.decided_at)
        engagement.set_isps([u.id for u in co_leads], [u.id for u in supporting])

        # team
        team = []
        members = [(u.name, "manager", u) for u in recipients[:1]] + [(n, p, None) for n, p in spec["team"]]
        domain = (spec["on_behalf_of"].lower().replace(" ", "") or "harlowfoundation")[:24]
        for i, (name, position, user) in enumerate(members[:6]):
            email = (
                user.email
                if user
                else (
                    name.lower().replace("dr. ", "").replace("'", "").replace(" ", ".")
                    + "@"
                    + (domain if position == "partner" else "harlowfoundation")
                    + ".example"
                )
            )
            left = None
            if spec["title"].startswith("Integrating") and position == "manager" and user is None:
                left = add_months(start, 11)  # the managers who left (the stage revisit)
            team.append(
                TeamMember.create(
                    engagement=engagement,
                    name=name,
                    email=email,
                    position=position,
                    user=user,
                    joined_on=start + dt.timedelta(days=7 * i % 28),
                    left_on=left,
                )
            )

        # stage path (dates), then the goals, meetings, benchmarks...
        stage_path = []
        for key, months, note in spec["stages"]:
            entered = weekday(add_months(start, months) if months else start)
            if entered <= limit:
                stage_path.append((self.stages[key], entered, note))

        def stage_on(day):
            current = stage_path[0][0]
            for stage, entered, _ in stage_path:
                if entered <= day:
                    current = stage
            return current

        goals = [
            Goal.create(engagement=engagement, title=t, indicator=ind, target=tgt, created_at=at(start, 11))
            for t, ind, tgt, _ in spec["goals"]
        ]
        meetings = self.meetings(engagement, spec, start, limit, team, co_leads, supporting, goals, stage_on)
        monthly = [m for m in meetings if m.kind == "monthly"]

        # stages (in date order; the revisit re-enters an earlier stage)
        for stage, entered, note in stage_path:
            engagement.enter_stage(stage, entered, note=note, user=co_leads[0])

        # goal statuses, changed at monthly meetings spread over the timeline
        for goal, (_, _, _, path) in zip(goals, spec["goals"], strict=False):
            goal.change_status(
                "not_started",
                start + dt.timedelta(days=rng.randint(7, 21)),
                note="Agreed in the co-learning process.",
                user=co_leads[0],
            )
            if not monthly:
                continue
            slots = sorted(rng.sample(range(len(monthly)), min(len(path), len(monthly))))
            for status_key, slot in zip(path, slots, strict=False):
                meeting = monthly[slot]
                goal.change_status(
                    status_key,
                    meeting.date,
                    meeting=meeting,
                    user=rng.choice(co_leads),
                    note={
                        "achieved": "Target met; confirmed with the team.",
                        "revised": "Target revised after the team changed.",
                        "dropped": "Dropped: outside what the team can influence now.",
                    }.get(status_key, ""),
                    reason={"achieved": "as_planned", "revised": "replaced", "dropped": "not_a_priority"}.get(
                        status_key
                    ),
                )
        self.measures(engagement, goals, monthly, start, co_leads)
        self.plan(engagement, spec, start, team, co_leads, supporting, goals)
        if status != "active":
            engagement.status = status
            engagement.closing_summary = spec.get("closing_summary", "")
            engagement.save()

        self.benchmarks(engagement, stage_path, limit, meetings)
        self.deliverables(engagement, spec, start, limit)
        for kind, domain_key, months, text in spec["context"]:
            noted = min(weekday(add_months(start, months) + dt.timedelta(days=rng.randint(0, 10))), limit)
            ContextNote.create(
                engagement=engagement,
                kind=kind,
                domain=domain_key,
                text=text,
                noted_on=noted,
                created_by=rng.choice(co_leads),
            )
        if monthly and status != "proposed":
            self.feedback(engagement, start, limit, monthly, falling=status == "paused")

    def monthly_dates(self, start, limit):
        rng = self.rng
        wd, n = rng.choice([1, 2, 3]), rng.choice([2, 3])
        first = add_months(dt.date(start.year, start.month, 1), 1)
        dates = []
        month = first
        while True:
            day = nth_weekday(month.year, month.month, wd, n)
            if rng.random() < 0.15:
                day += dt.timedelta(days=7 if n == 2 else -7)
            if day > limit:
                break
            skip = month.month in (8, 12) and rng.random() < 0.5
            if not skip and day > start + dt.timedelta(days=20):
                dates.append(day)
            month = add_months(month, 1)
        while len(dates) > MAX_MONTHLY:
            dates.pop(rng.randrange(1, len(dates) - 1))
        return dates

    def measures(self, engagement, goals, monthly, start, co_leads):
        """The measures of the goals named in MEASURES, and their values at monthly meetings spread evenly,
        the latest at the most recent monthly meeting (as a team logs them with the meeting form)."""
        for goal in goals:
            if goal.title not in MEASURES or not monthly:
                continue
            unit, direction, baseline, target, outcome, shares = MEASURES[goal.title]
            goal.measure_unit, goal.measure_direction, goal.outcome = unit, direction, outcome
            goal.baseline_value, goal.baseline_on = baseline, start + dt.timedelta(days=14)
            goal.target_value, goal.target_on = target, engagement.end_date or add_months(start, 18)
            goal.save()
            shares = shares[: len(monthly)]
            step = len(monthly) // len(shares)
            for k, share_ in enumerate(shares):
                meeting = monthly[len(monthly) - 1 - (len(shares) - 1 - k) * step]
                GoalMeasurement.create(
                    goal=goal,
                    date=meeting.date,
                    value=round(baseline + share_ * (target - baseline), 1),
                    recorded_by=co_leads[0],
                    meeting_id=meeting.id,
                    created_at=at(meeting.date, 12),
                )

    def plan(self, engagement, spec, start, team, co_leads, supporting, goals):
        """The engagement's implementation plan (PLANS), its recipient team lead, and the agreements given."""
        current = [m for m in team if m.left_on is None]
        lead = next((m for m in current if m.user_id), current[0])
        lead.is_lead = True
        lead.save()
        plan = PLANS.get(engagement.title)
        if plan is None:
            return
        people = {"co_lead": co_leads[0], "supporting": (supporting or co_leads)[0]}
        member = next((m for m in current if m.id != lead.id), lead)
        items = []
        for key, spm, minutes, begins, ends, who, goal in plan["items"]:
            items.append(
                {
                    "strategy": self.strategies[key].id,
                    "sessions_per_month": spm,
                    "minutes_per_session": minutes,
                    "start_date": weekday(add_months(start, begins)),
                    "end_date": weekday(add_months(start, ends)) if ends else None,
                    "responsible_user": people[who].id if who != "team" else None,
                    "responsible_member": member.id if who == "team" else None,
                    "goal": goals[goal].id if goal is not None else None,
                }
            )
        made = weekday(add_months(start, 1))
        first = change_plan(engagement, co_leads[0], add=items, summary="The plan agreed in the co-learning process.")
        PlanVersion.update(changed_at=at(made, 15)).where(PlanVersion.id == first.id).execute()
        self.agree(engagement, first, co_leads, lead, plan["agreed"], made + dt.timedelta(days=7))
        if "change" in plan:
            months, index, values = plan["change"]
            item = PlanItem.of(engagement.id)[index]
            changed = weekday(add_months(start, months))
            version = change_plan(
                engagement, co_leads[1], update=[(item, values)], summary=f"{item.strategy.name}: less often."
            )
            PlanVersion.update(changed_at=at(changed, 15)).where(PlanVersion.id == version.id).execute()
            self.agree(engagement, version, co_leads, lead, plan.get("then", ()), changed + dt.timedelta(days=3))

    @staticmethod
    def agree(engagement, version, co_leads, lead, who, day):
        """The agreements to `version`: "all" (both co-leads and the team lead), "co_leads", or the parties named."""
        parties = {"all": ("co_lead", "co_lead_2", "team_lead"), "co_leads": ("co_lead", "co_lead_2")}.get(who, who)
        for party in parties:
            if party == "team_lead":
                by = lead.user if lead.user_id else co_leads[0]
                agreement = agree_to_plan(engagement.id, by, "team_lead", version.number)
            else:
                by = co_leads[1] if party == "co_lead_2" else co_leads[0]
                agreement = agree_to_plan(engagement.id, by, "co_lead", version.number)
            PlanAgreement.update(agreed_at=at(day, 16)).where(PlanAgreement.id == agreement.id).execute()

    def meetings(self, engagement, spec, start, limit, team, co_leads, supporting, goals, stage_on):
        rng = self.rng
        model = spec["support_model"]
        plan = []  # (date, kind, mode, minutes)
        d1 = weekday(start + dt.timedelta(days=rng.randint(1, 4)))
        plan.append((d1, "definition", "in_person", rng.choice([90, 105, 120])))
        plan.append(
            (
                weekday(d1 + dt.timedelta(days=rng.randint(9, 16))),
                "definition",
                rng.choice(["in_person", "virtual"]),
                rng.choice([60, 90]),
            )
        )
        if spec["status"] != "proposed":
            for day in self.monthly_dates(start, limit):
                plan.append(
                    (
                        day,
                        "monthly",
                        "in_person" if rng.random() < 0.85 else "virtual",
                        rng.choice([60, 75, 90, 90, 105, 120]),
                    )
                )
                if rng.random() < 0.55:
                    plan.append(
                        (
                            weekday(day - dt.timedelta(days=rng.randint(3, 7))),
                            "planning",
                            "virtual",
                            rng.choice([30, 45]),
                        )
                    )
                if rng.random() < 0.5:
                    plan.append(
                        (
                            weekday(day + dt.timedelta(days=rng.randint(1, 4))),
                            "debrief",
                            "virtual",
                            rng.choice([30, 30, 45]),
                        )
                    )
                if rng.random() < 0.45:
                    plan.append(
                        (
                            weekday(day + dt.timedelta(days=rng.randint(10, 17))),
                            "coaching",
                            "virtual",
                            rng.choice([45, 60]),
                        )
                    )
        plan = sorted(p for p in plan if start <= p[0] <= limit)

        meetings = []
        open_from = ANCHOR - dt.timedelta(days=7)
        for day, kind, mode, minutes in plan:
            stage = stage_on(day)
            if kind == "monthly":
                goal = rng.choice(goals).title if goals else spec["title"]
                notes = f"Reviewed progress on “{goal}”. " + rng.choice(STAGE_NOTES.get(stage.key, [""]))
            elif kind == "definition":
                notes = KIND_NOTES["definition"]
            else:
                notes = KIND_NOTES[kind]
            agenda, decisions = self.power_balance(spec, start, day, kind)
            meeting = Meeting.create(
                engagement=engagement,
                date=day,
                kind=kind,
                mode=mode,
                duration_minutes=minutes,
                notes=notes,
                agenda_set_by=agenda,
                logged_by=rng.choice(co_leads),
                created_at=at(day),
                updated_at=at(day),
            )
            meetings.append(meeting)
            self.links[MeetingDecision].extend(
                {"meeting": meeting.id, "text": text, "decided_by": by} for text, by in decisions
            )
            # competencies
            weights = merged(COMPETENCY_WEIGHTS[kind], MODEL_COMPETENCY_BONUS[model])
            weights = {k: w for k, w in weights.items() if k in self.competencies}
            for key in weighted_sample(rng, weights, rng.randint(2, 5)):
                self.links[MeetingCompetency].append(
                    {
                        "meeting": meeting.id,
                        "competency": self.competencies[key].id,
                        "label": self.competencies[key].name,
                    }
                )
            # strategies, with the minutes split between them
            first = STRATEGY_FIRST[kind]
            weights = merged(STRATEGY_WEIGHTS[kind], STAGE_STRATEGIES.get(stage.key, {}))
            weights = {k: w for k, w in weights.items() if k in self.strategies and k != first}
            chosen = [first] if first in self.strategies else []
            chosen += weighted_sample(rng, weights, rng.randint(1, 4) - len(chosen) or 1)
            chosen = chosen[:4]
            share = [minutes // len(chosen) // 5 * 5] * len(chosen)
            share[0] += minutes - sum(share)
            for key, dose in zip(chosen, share, strict=False):
                self.links[MeetingStrategy].append(
                    {
                        "meeting": meeting.id,
                        "strategy": self.strategies[key].id,
                        "label": self.strategies[key].name,
                        "minutes": dose,
                    }
                )
            # principles
            for key in rng.sample(PRINCIPLES, rng.choice([0, 1, 1, 2])):
                if key in self.principles:
                    self.links[MeetingPrinciple].append({"meeting": meeting.id, "principle": self.principles[key].id})
            # attendees
            current = [m for m in team if m.joined_on <= day and (m.left_on is None or m.left_on > day)] or team
            if kind in ("monthly", "definition"):
                people = [m for m in current if rng.random() < 0.85] or current[:1]
                isps = list(co_leads) + [u for u in supporting if rng.random() < 0.3]
            elif kind == "coaching":
                people = rng.sample(current, min(len(current), rng.randint(1, 2)))
                isps = [rng.choice(co_leads)]
            else:
                people = rng.sample(current, min(len(current), rng.randint(0, 1)))
                isps = list(co_leads)
            self.links[MeetingAttendee].extend(
                {"meeting": meeting.id, "team_member": m.id, "user": None} for m in people
            )
            self.links[MeetingAttendee].extend({"meeting": meeting.id, "team_member": None, "user": u.id} for u in isps)
            # next steps
            count = {
                "monthly": rng.randint(1, 3),
                "definition": 1,
                "planning": rng.randint(0, 1),
                "debrief": rng.randint(0, 1),
                "coaching": rng.randint(0, 1),
            }[kind]
            owners = [m.name for m in current] + [u.name for u in co_leads]
            for text in rng.sample(NEXT_STEPS, count):
                due = weekday(day + dt.timedelta(days=rng.randint(10, 30)))
                done = None
                if spec["status"] == "closed" or (
                    due < open_from and rng.random() < (0.8 if spec["status"] == "paused" else 0.95)
                ):
                    done = min(due + dt.timedelta(days=rng.randint(-7, 3)), limit, ANCHOR)
                    done = max(done, day)
                self.links[NextStep].append(
                    {"meeting": meeting.id, "text": text, "owner": rng.choice(owners), "due_on": due, "done_on": done}
                )
        return meetings

    def power_balance(self, spec, start, day, kind):
        """Who set a session's agenda (None for a few: not recorded) and its decisions [(text, by)]."""
        rng = self.power_rng
        if spec["title"] == ISP_LED_LATELY and day >= ISP_LED_FROM:
            weights = {"isp": 1}
        else:
            weights = AGENDA_WEIGHTS[spec["support_model"]][day >= add_months(start, 6)]
        parties = [k for k, w in weights.items() if w]
        agenda = rng.choices(parties, [weights[k] for k in parties])[0] if rng.random() > 0.05 else None
        count = {"monthly": rng.randint(0, 2), "planning": rng.randint(0, 1)}.get(kind, 0)
        decisions = [
            (text, rng.choices(parties, [weights[k] for k in parties])[0]) for text in rng.sample(DECISIONS, count)
        ]
        return agenda, decisions

    def benchmarks(self, engagement, stage_path, limit, meetings):
        rng = self.rng
        if not stage_path:
            return
        # the span of each stage: first entry to the next entry of another stage after its last visit
        spans = {}
        for i, (stage, entered, _) in enumerate(stage_path):
            left = stage_path[i + 1][1] if i + 1 < len(stage_path) else None
            first, _ = spans.get(stage.id, (entered, None))
            spans[stage.id] = (first, left)
        current_id = stage_path[-1][0].id
        by_stage = {}
        for b in (
            Benchmark.select().where(Benchmark.engagement == engagement).order_by(Benchmark.position, Benchmark.id)
        ):
            by_stage.setdefault(b.stage_id, []).append(b)
        for stage_id, rows in by_stage.items():
            first, left = spans[stage_id]
            passed = stage_id != current_id and left is not None
            end = left if passed else limit
            share = rng.uniform(0.8, 1.0) if passed else rng.uniform(0.2, 0.6)
            if engagement.status == "proposed":
                share = 0.25
            done_count = round(len(rows) * share)
            in_span = [m for m in meetings if first <= m.date <= end and m.kind in ("monthly", "definition")]
            span_days = max(1, (end - first).days)
            for j, benchmark in enumerate(rows[:done_count]):
                day = first + dt.timedelta(days=round(span_days * (j + 1) / (done_count + 1)))
                meeting = min(in_span, key=lambda m: abs((m.date - day).days)) if in_span else None
                if meeting is not None and rng.random() < 0.7:
                    benchmark.completed_on = meeting.date
                    benchmark.completed_in_meeting_id = meeting.id
                else:
                    benchmark.completed_on = min(weekday(day), end)
                if rng.random() < 0.4:
                    benchmark.evidence = rng.choice(EVIDENCE)
                benchmark.save()

    def deliverables(self, engagement, spec, start, limit):
        rng = self.rng
        for kind, title, months, delivered in spec["deliverables"]:
            due = weekday(add_months(start, months))
            delivered_on = None
            if delivered:
                delivered_on = min(weekday(due + dt.timedelta(days=rng.randint(-10, 20))), limit)
            Deliverable.create(
                engagement=engagement,
                kind=kind,
                title=title,
                due_on=due,
                delivered_on=delivered_on,
                note="Shared with the implementation team." if delivered_on else "",
            )

    def feedback(self, engagement, start, limit, monthly, falling=False):
        rng = self.rng
        if self.instrument is None:
            return
        likert = [k for k, item in self.items.items() if item.kind == "likert"]
        texts = [k for k, item in self.items.items() if item.kind == "text"]
        span = max(1, (limit - start).days)
        occasions = []  # (meeting, kind, respondents)
        for i, meeting in enumerate(monthly):
            if i % 3 == 2:
                occasions.append((meeting, "pulse", rng.randint(2, 4)))
        for i in sorted({len(monthly) // 2, len(monthly) - 1}):
            occasions.append((monthly[i], "survey", rng.randint(3, 5)))
        members = list(
            TeamMember.select(TeamMember.id, TeamMember.email)
            .where((TeamMember.engagement == engagement) & (TeamMember.email != ""))
            .order_by(TeamMember.id)
        )
        invitations = []
        for meeting, kind, respondents in occasions:
            progress = (meeting.date - start).days / span
            answered = []  # (submitted day, item keys) of each response, for its invitation
            for _r in range(respondents):
                submitted = min(meeting.date + dt.timedelta(days=rng.randint(0, 6)), limit)
                mean = 2.9 + 1.6 * progress + rng.gauss(0, 0.35)
                if falling and progress > 0.8:
                    mean -= 1.0
                comments = {}
                if kind == "survey":
                    keys_ = likert
                    if texts and rng.random() < 0.45:
                        for key in rng.sample(texts, rng.randint(1, min(2, len(texts)))):
                            comments[key] = rng.choice(COMMENTS.get(key, COMMENTS["strengths"]))
                else:
                    keys_ = rng.sample([k for k in PULSE_ITEMS if k in self.items], 4)
                response = FeedbackResponse.create(
                    engagement=engagement,
                    instrument=self.instrument,
                    kind=kind,
                    meeting=meeting,
                    anonymous=True,
                    submitted_on=submitted,
                    comments=json.dumps(comments),
                    created_at=at(submitted, 12),
                )
                for key in keys_:
                    item = self.items[key]
                    value = round(mean + SCALE_OFFSET.get(item.scale, 0) + rng.gauss(0, 0.5))
                    self.links[FeedbackAnswer].append(
                        {"response": response.id, "item": item.id, "value": max(1, min(5, value))}
                    )
                answered.append((submitted, keys_))
            invitations += self.invitations(engagement, meeting, kind, members, answered)
        for batch in chunked(invitations, 200):
            FeedbackInvitation.insert_many(batch).execute()
        sent = [
            {
                "to_email": email,
                "subject": ("Three quick questions" if kind == "pulse" else "Feedback survey")
                + f": {engagement.title}",
                "body": "(the invitation email, its link hidden)",
                "created_at": created,
                "sent_at": created,
                "status": "sent",
                "attempts": 1,
                "last_attempt_at": created,
                "engagement_id": engagement.id,
                "invitation_id": invitation_id,
            }
            for invitation_id, email, kind, created in FeedbackInvitation.select(
                FeedbackInvitation.id, FeedbackInvitation.email, FeedbackInvitation.kind, FeedbackInvitation.created_at
            )
            .where(FeedbackInvitation.engagement == engagement.id)
            .tuples()
        ]
        for batch in chunked(sent, 200):
            OutboxMessage.insert_many(batch).execute()

    def invitations(self, engagement, meeting, kind, members, answered):
        """The recorded invitations behind an occasion's responses: one per response (used on the day it
        was answered, coarsened to midnight as the app does), plus the team members who did not answer.
        No random draw, so the rest of the demo is unchanged; tokens are random and never shown."""
        emails = [m.email for m in members]
        while len(emails) < len(answered):
            emails.append(f"respondent{len(emails) + 1}@harlowfoundation.example")
        sent = at(meeting.date, 11)
        default_keys = answered[0][1] if answered else []
        rows = []
        for n, email in enumerate(emails):
            day, keys_ = answered[n] if n < len(answered) else (None, default_keys)
            rows.append(
                {
                    "engagement": engagement.id,
                    "meeting": meeting.id,
                    "instrument": self.instrument.id,
                    "kind": kind,
                    "email": email,
                    "team_member": members[n].id if n < len(members) else None,
                    "sent_by": None,
                    "token_hash": hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
                    "item_keys": ",".join(keys_),
                    "created_at": sent,
                    "expires_at": sent + dt.timedelta(days=14),
                    "used_at": dt.datetime.combine(day, dt.time(0, 0)) if day else None,
                }
            )
        return rows


def _agenda(engagement, meeting):
    """A meeting's agenda as plain text."""
    return (
        f"Agenda: {engagement.title}\n{meeting.date.isoformat()}\n\n"
        "1. Welcome and check-in\n2. What the team learned since the last meeting\n"
        "3. Next steps and who does them\n"
    ).encode()


def _scores(meeting):
    """Fidelity scores by site as CSV (fixed numbers: the demo stays the same on every run)."""
    rows = [
        "site,observed_on,fidelity_score",
        *(f"Site {n},{meeting.date.isoformat()},{60 + 7 * n}" for n in (1, 2, 3)),
    ]
    return ("\n".join(rows) + "\n").encode("utf-8")


def _pdf(title):
    """A one-page PDF showing `title` (the smallest file a PDF reader opens)."""
    text = title.replace("\\", "").replace("(", "").replace(")", "")
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Fill the database with the reference setting: five ISPs supporting a foundation's units."""
    init_db()
    created, demo_accounts = seed()
    if created:
        click.echo("Demo data created.")
    else:
        click.echo("Demo data is already present; nothing changed.")
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for role, email, name in demo_accounts:
        click.echo(f"  {role:<10} {email:<40} {name}")
