"""Synthetic portfolio for performance work: `flask --app tracker generate-data --scale N`.

At scale 1: 200 engagements across 40 units, 4,000 meetings, 30,000 competency tags, 25,000 strategy
tags, 2,000 feedback responses, 800 goals with their history, and every benchmark of each stage
entered. Scale N multiplies all of it (a float: 0.05 gives a tiny portfolio for tests).

Deterministic: one random.Random(seed), a fixed anchor date, explicit ids and timestamps, so the
same scale and seed give the same rows (whatever the batch size). Fast and lean at any scale: catalog
rows are read once; the small plan of every engagement is drawn first, then engagements are written
`BATCH` at a time with everything under them (multi-row INSERT on SQLite, COPY on PostgreSQL), inside
one transaction (no per-row save, so no audit entries), so memory holds one batch, not the portfolio.
Realistic enough: meeting counts per engagement vary widely (one engagement has exactly 100, for the
benchmark), some engagements stall (paused, no meeting for months), some revisit an earlier stage.
"""

import csv
import datetime as dt
import hashlib
import io
import json
import math
import random
import time
from array import array
from collections import Counter, namedtuple

import click
from flask.cli import with_appcontext
from peewee import chunked

from .. import rollups
from ..db import database, is_sqlite
from ..models import (
    Benchmark,
    BenchmarkTemplate,
    Competency,
    Engagement,
    EngagementISP,
    FeedbackAnswer,
    FeedbackInstrument,
    FeedbackItem,
    FeedbackRelease,
    FeedbackResponse,
    Goal,
    GoalStatusChange,
    Meeting,
    MeetingAttendee,
    MeetingCompetency,
    MeetingStrategy,
    NextStep,
    Organization,
    Stage,
    StageEntry,
    Strategy,
    TeamMember,
    Unit,
    User,
)
from ..models.engagements import format_ref
from ..schema import init_db

SEED = 8
ANCHOR = dt.date(2026, 11, 20)  # "today" of the synthetic portfolio
CHUNK = 500  # rows per multi-row INSERT (fewer when a table's columns would pass SQLite's variable limit)
SQLITE_MAX_VARIABLES = 32766
BATCH = 200  # engagements written at a time, each with everything under it (about 4,600 meetings' rows at most)
COPY_NULL = "\\N"  # how COPY is told a value is NULL

PER_SCALE = {
    "units": 40,
    "engagements": 200,
    "meetings": 4000,
    "competency_tags": 30000,
    "strategy_tags": 25000,
    "feedback_responses": 2000,
    "goals": 800,
    "isps": 25,
}
BIG_ENGAGEMENT_MEETINGS = 100  # the first engagement: the benchmark's "engagement page with 100 meetings"

# Tables the generator fills, in insert order (ids are given explicitly).
TABLES = [
    Organization,
    Unit,
    User,
    Engagement,
    EngagementISP,
    TeamMember,
    StageEntry,
    Benchmark,
    Goal,
    GoalStatusChange,
    Meeting,
    MeetingAttendee,
    MeetingCompetency,
    MeetingStrategy,
    NextStep,
    FeedbackResponse,
    FeedbackAnswer,
]
SYNTHETIC_ORG = "Synthetic Implementation Centre"
LEADER_EMAIL = "leader@synthetic.example"
ADMIN_EMAIL = "admin@synthetic.example"
REVISIT_NOTE = "The team asked to revisit this stage."
GOAL_REASON = {"achieved": "as_planned", "dropped": "not_a_priority", "revised": "replaced"}


# An engagement's frame, drawn before any row is written.
_Plan = namedtuple("_Plan", "number unit start limit status co_leads supporting path created_at")


class NotEmpty(Exception):
    pass


def counts_for(scale):
    """How many of each thing a scale asks for."""
    out = {k: max(1, round(v * scale)) for k, v in PER_SCALE.items()}
    out["isps"] = max(4, out["isps"])
    out["engagements"] = max(2, out["engagements"])
    return out


def is_empty():
    return not (Engagement.select().exists() or Organization.select().exists() or User.select().exists())


def _split(total, n, rng, spread=0.8):
    """Split `total` into n non-negative integer parts with varying sizes (sum exact)."""
    weights = [rng.uniform(1 - spread, 1 + spread) for _ in range(n)]
    s = sum(weights)
    parts = [int(total * w / s) for w in weights]
    for i in range(total - sum(parts)):
        parts[i % n] += 1
    return parts


def _spread_counts(total, n, rng):
    """n counts that sum to `total`, each within one of the mean, in random order."""
    base, extra = divmod(total, n)
    counts = [base + 1] * extra + [base] * (n - extra)
    rng.shuffle(counts)
    return counts


def _weekday(day):
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _at(day, hour=9):
    return dt.datetime.combine(day, dt.time(hour, 0))


def _catalog():
    """The catalog rows the generator draws from, read once: (competencies, strategies, stages,
    benchmark templates by stage, feedback instrument id, its likert item ids)."""
    competencies = list(
        Competency.select(Competency.id, Competency.name).where(~Competency.retired).order_by(Competency.id).tuples()
    )
    strategies = list(
        Strategy.select(Strategy.id, Strategy.name).where(~Strategy.retired).order_by(Strategy.id).tuples()
    )
    stages = [s for (s,) in Stage.select(Stage.id).order_by(Stage.position).tuples()]
    templates = {}
    for stage, tid, text, position in (
        BenchmarkTemplate.select(
            BenchmarkTemplate.stage, BenchmarkTemplate.id, BenchmarkTemplate.text, BenchmarkTemplate.position
        )
        .where(~BenchmarkTemplate.retired)
        .order_by(BenchmarkTemplate.stage, BenchmarkTemplate.position)
        .tuples()
    ):
        templates.setdefault(stage, []).append((tid, text, position))
    instrument = (
        FeedbackInstrument.select()
        .where(FeedbackInstrument.key == "recipient_feedback")
        .order_by(FeedbackInstrument.version.desc())
        .first()
    ) or FeedbackInstrument.select().first()
    likert = []
    if instrument is not None:
        likert = [
            i
            for (i,) in FeedbackItem.select(FeedbackItem.id)
            .where((FeedbackItem.instrument == instrument) & (FeedbackItem.kind == "likert"))
            .order_by(FeedbackItem.position)
            .tuples()
        ]
    if not competencies or not strategies or not stages:
        raise NotEmpty("The catalogs are missing: run `flask --app tracker init-db` first.")
    return competencies, strategies, stages, templates, (instrument.id if instrument else None), likert


class _Rows:
    """The rows of one batch, per table, with explicit ids that go on across batches. `flush` writes
    them (multi-row INSERT, or COPY on PostgreSQL) and forgets them: memory holds one batch at most."""

    def __init__(self, copy):
        self.copy = copy
        self.rows = {model: [] for model in TABLES}
        self.ids = {model: 0 for model in TABLES}
        self.counts = {model: 0 for model in TABLES}

    def add(self, model, **values):
        self.ids[model] += 1
        values["id"] = self.ids[model]
        if "updated_at" in model._meta.fields:  # never the clock: the same seed gives the same data
            values.setdefault("updated_at", values.get("created_at") or _at(ANCHOR))
        self.rows[model].append(values)
        return self.ids[model]

    def flush(self):
        for model in TABLES:  # parents before children
            rows = self.rows[model]
            if not rows:
                continue
            fields = [model._meta.fields[name] for name in rows[0]]  # every row of a table names the same columns
            if self.copy:
                _copy(model, fields, rows)
            else:
                per_insert = max(1, min(CHUNK, SQLITE_MAX_VARIABLES // len(fields)))
                for batch in chunked(rows, per_insert):
                    model.insert_many([tuple(row[f.name] for f in fields) for row in batch], fields=fields).execute()
            self.counts[model] += len(rows)
            rows.clear()


def _copy(model, fields, rows):
    """PostgreSQL: COPY the rows in (CSV, NULL written \\N). Several times faster than multi-row INSERT
    for the link tables, which are most of the rows."""
    given = set(fields)
    defaults = [(f, d) for f, d in model._meta.defaults.items() if f not in given]  # what insert_many fills in
    fields = fields + [f for f, _ in defaults]
    buffer = io.StringIO()
    out = csv.writer(buffer)
    for row in rows:
        row = dict(row, **{f.name: d() if callable(d) else d for f, d in defaults})
        values = []
        for f in fields:
            value = f.db_value(row[f.name])
            if value == COPY_NULL:  # the one string COPY would read as NULL
                raise ValueError(f"{model._meta.table_name}.{f.column_name} cannot hold {COPY_NULL!r} through COPY")
            values.append(COPY_NULL if value is None else value)
        out.writerow(values)
    buffer.seek(0)
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    database.cursor().copy_expert(
        f"COPY \"{model._meta.table_name}\" ({columns}) FROM STDIN WITH (FORMAT csv, NULL '{COPY_NULL}')",
        buffer,
    )


def _plan_engagements(n_eng, units, isps, stages, rng):
    """Each engagement's frame, drawn first for all of them (a few small values each): what later
    rows need to know before any is written (which engagements take feedback, the readable ids)."""
    plans = []
    for e in range(n_eng):
        start = _weekday(ANCHOR - dt.timedelta(days=rng.randint(120, 900)))
        roll = rng.random()
        status = "active"
        limit = ANCHOR
        if e == 0:
            roll = 0.5
        if roll < 0.12:  # stalls: paused, no meeting for the last three months or more
            status = "paused"
            limit = ANCHOR - dt.timedelta(days=rng.randint(90, 150))
        elif roll < 0.27:
            status = "closed"
            limit = ANCHOR - dt.timedelta(days=rng.randint(10, 100))
        elif roll < 0.32 and e != 0:
            status = "proposed"
        if limit <= start + dt.timedelta(days=30):
            start = _weekday(limit - dt.timedelta(days=rng.randint(60, 300)))
        co_leads = rng.sample(isps, 2)
        supporting = [i for i in rng.sample(isps, min(len(isps), 2)) if i not in co_leads][: rng.randint(0, 1)]
        # stage path; about one in five revisits an earlier stage
        depth = rng.randint(1, len(stages))
        path = list(stages[:depth])
        if depth >= 2 and rng.random() < 0.2:
            path.append(stages[depth - 2])
        plans.append(
            _Plan(
                number=e + 1,
                unit=units[e % len(units)],
                start=start,
                limit=limit,
                status=status,
                co_leads=co_leads,
                supporting=supporting,
                path=path,
                created_at=_at(start),
            )
        )
    return plans


def _refs(plans):
    """Readable ids as the app gives them (models.assign_ref, which reads the database row by row): the
    year each was created and its place among that year's, in order of creation (the database is empty)."""
    per_year = Counter()
    refs = [None] * len(plans)
    for plan in sorted(plans, key=lambda p: (p.created_at, p.number)):
        year = plan.created_at.year
        per_year[year] += 1
        refs[plan.number - 1] = format_ref("ENG", year, per_year[year])
    return refs


class _Engagements:
    """Writes one engagement and everything under it (team, stages and benchmarks, goals and their
    history, meetings with their attendees, next steps, tags and feedback), drawing from one random
    stream in engagement order: the same seed gives the same rows whatever the batch size."""

    def __init__(self, add, rng, centre, catalog, per_engagement, goals_per, tags, answered, feedback):
        self.add, self.rng, self.centre = add, rng, centre
        self.competencies, self.strategies, self.templates = catalog
        self.per_engagement, self.goals_per = per_engagement, goals_per
        self.competency_tags, self.strategy_tags = tags
        self.answered = answered  # sorted eligible meeting indexes, one per feedback response
        self.answers = 0  # feedback responses written so far (index into answered)
        self.instrument, self.likert = feedback
        self.meetings = 0  # meetings written so far (index into the tag counts)
        self.eligible = 0  # meetings of engagements that take feedback, written so far

    def write(self, e, plan, ref):
        add, rng, start, limit, status = self.add, self.rng, plan.start, plan.limit, plan.status
        co_leads, path = plan.co_leads, plan.path
        span = max(1, (limit - start).days)
        entered = sorted(start + dt.timedelta(days=span * k // (len(path) + 1)) for k in range(len(path)))
        eid = add(
            Engagement,
            ref=ref,
            unit=plan.unit,
            intermediary=self.centre,
            request=None,
            title=f"Synthetic engagement {e + 1:04d}",
            problem_statement="A synthetic engagement for performance measurements.",
            support_model=rng.choice(["push", "push_pull", "co_creation"]),
            start_date=start,
            end_date=limit if status == "closed" else start + dt.timedelta(days=rng.randint(365, 900)),
            status=status,
            current_stage=path[-1],
            closing_summary="Closed: the goals were met or handed over." if status == "closed" else "",
            created_at=plan.created_at,
            deleted_at=None,
        )
        add(EngagementISP, engagement=eid, user=co_leads[0], role="co_lead")
        add(EngagementISP, engagement=eid, user=co_leads[1], role="co_lead")
        for s in plan.supporting:
            add(EngagementISP, engagement=eid, user=s, role="supporting")
        team = [
            add(
                TeamMember,
                engagement=eid,
                name=f"Member {e + 1}-{k + 1}",
                email=f"m{e + 1}.{k + 1}@unit.example",
                position=rng.choice(["senior_leader", "manager", "support_staff", "partner", "other"]),
                user=None,
                joined_on=start,
                left_on=None,
            )
            for k in range(rng.randint(3, 6))
        ]
        seen = set()
        for stage, day in zip(path, entered, strict=False):
            note = REVISIT_NOTE if stage in seen else ""  # going back to a stage says why (services/stages.py)
            add(StageEntry, engagement=eid, stage=stage, entered_on=day, note=note, created_by=co_leads[0])
            if stage in seen:
                continue
            seen.add(stage)
            passed = stage != path[-1]
            for tid, text, position in self.templates.get(stage, []):
                done = passed or rng.random() < 0.4
                add(
                    Benchmark,
                    engagement=eid,
                    stage=stage,
                    template=tid,
                    text=text,
                    position=position,
                    completed_on=min(limit, day + dt.timedelta(days=rng.randint(5, 60))) if done else None,
                    evidence="",
                    completed_in_meeting_id=None,
                )
        # goals, each with 2-4 dated changes, the last one the goal's status
        for g in range(self.goals_per[e]):
            steps = ["not_started", "in_progress"] + rng.choice(
                [[], ["achieved"], ["revised"], ["dropped"], ["revised", "achieved"]]
            )
            steps = steps[: rng.randint(2, len(steps))] if len(steps) > 2 else steps
            days = sorted(start + dt.timedelta(days=rng.randint(0, span)) for _ in steps)
            gid = add(
                Goal,
                engagement=eid,
                title=f"Goal {g + 1} of engagement {e + 1}",
                indicator="Share of sites using the practice",
                target="8 of 10 sites",
                status=steps[-1],
                created_at=_at(start, 11),
                deleted_at=None,
            )
            for st, day in zip(steps, days, strict=False):
                add(
                    GoalStatusChange,
                    goal=gid,
                    status=st,
                    changed_on=day,
                    reason=GOAL_REASON.get(st),  # achieved, dropped and revised say why (goal hygiene)
                    note="",
                    meeting_id=None,
                    changed_by=co_leads[0],
                )
        for day in sorted(start + dt.timedelta(days=rng.randint(0, span)) for _ in range(self.per_engagement[e])):
            self._meeting(eid, plan, team, day)
        return eid

    def _meeting(self, eid, plan, team, day):
        """A meeting with its attendees, next step, competency and strategy tags and feedback responses."""
        add, rng, co_leads = self.add, self.rng, plan.co_leads
        kind = rng.choices(
            ["monthly", "planning", "debrief", "coaching", "definition", "other"], [45, 20, 15, 12, 5, 3]
        )[0]
        minutes = rng.choice([30, 45, 60, 75, 90, 120])
        mid = add(
            Meeting,
            engagement=eid,
            date=day,
            kind=kind,
            mode="in_person" if rng.random() < 0.6 else "virtual",
            duration_minutes=minutes,
            notes="Reviewed progress and agreed next steps.",
            logged_by=co_leads[0],
            created_at=_at(day, 17),
            updated_at=_at(day, 17),
            deleted_at=None,
            review_state="approved",  # submitted the day it was held, approved by the other co-lead
            submitted_at=_at(day, 17),
            reviewed_by=co_leads[-1],
            reviewed_at=_at(day, 18),
        )
        for m in rng.sample(team, min(len(team), rng.randint(1, 3))):
            add(MeetingAttendee, meeting=mid, team_member=m, user=None)
        add(MeetingAttendee, meeting=mid, team_member=None, user=co_leads[0])
        due = day + dt.timedelta(days=rng.randint(7, 30))
        add(
            NextStep,
            meeting=mid,
            text="Share the draft with the team.",
            owner="Co-lead",
            due_on=due,
            done_on=due if due < ANCHOR - dt.timedelta(days=14) and rng.random() < 0.9 else None,
        )
        k = self.competency_tags[self.meetings]
        for cid, name in rng.sample(self.competencies, min(k, len(self.competencies))):
            add(MeetingCompetency, meeting=mid, competency=cid, label=name)
        k = self.strategy_tags[self.meetings]
        chosen = rng.sample(self.strategies, min(k, len(self.strategies)))
        for j, (sid, name) in enumerate(chosen):
            add(
                MeetingStrategy,
                meeting=mid,
                strategy=sid,
                label=name,
                minutes=(minutes // len(chosen)) if j < 3 else None,
            )
        self.meetings += 1
        if plan.status == "proposed":
            return
        while self.answers < len(self.answered) and self.answered[self.answers] == self.eligible:
            self._response(eid, plan, mid, day)
            self.answers += 1
        self.eligible += 1

    def _response(self, eid, plan, mid, day):
        add, rng, start, limit = self.add, self.rng, plan.start, plan.limit
        submitted = min(limit, day + dt.timedelta(days=rng.randint(0, 6)))
        kind = "pulse" if rng.random() < 0.7 else "survey"
        rid = add(
            FeedbackResponse,
            engagement=eid,
            instrument=self.instrument,
            kind=kind,
            meeting=mid,
            respondent=None,
            respondent_email="",
            anonymous=True,
            submitted_on=submitted,
            comments="{}",
            created_at=_at(submitted, 12),
            deleted_at=None,
        )
        progress = (day - start).days / max(1, (limit - start).days)
        mean = 2.9 + 1.6 * progress + rng.gauss(0, 0.35)
        items = self.likert if kind == "survey" else rng.sample(self.likert, min(4, len(self.likert)))
        for item in items:
            add(FeedbackAnswer, response=rid, item=item, value=max(1, min(5, round(mean + rng.gauss(0, 0.5)))))


def generate(scale=1.0, seed=SEED, batch=BATCH, copy=None, progress=None):
    """Fill an empty database (catalogs loaded) with the synthetic portfolio; returns the counts.

    Written `batch` engagements at a time (each with everything under it), so memory holds one batch
    and the small plans and catalogs, whatever the scale; the batch size does not change the data.
    `copy`: write with PostgreSQL's COPY (the default on PostgreSQL; False: multi-row INSERT).
    `progress`: called with a line of text after each batch."""
    if not is_empty():
        raise NotEmpty(
            "The database already holds organizations, users or engagements: generate-data only "
            "fills a fresh database (create a new one, or drop the tables and run init-db)."
        )
    if copy is None:
        copy = not is_sqlite()
    rng = random.Random(seed)
    want = counts_for(scale)
    competencies, strategies, stages, templates, instrument, likert = _catalog()
    out = _Rows(copy)
    add = out.add
    # the bulk write without the rollup triggers (one refresh per row written), the rollups rebuilt once at the end
    with rollups.bulk_load(), database.atomic():
        # organizations, units, people
        centre = add(Organization, name=SYNTHETIC_ORG, kind="intermediary", created_at=_at(ANCHOR))
        foundations = []
        units = []
        for u in range(want["units"]):
            if u % 10 == 0:
                foundations.append(
                    add(
                        Organization,
                        name=f"Synthetic Foundation {len(foundations) + 1}",
                        kind="recipient",
                        created_at=_at(ANCHOR),
                    )
                )
            units.append(add(Unit, organization=foundations[-1], name=f"Unit {u + 1:03d}", created_at=_at(ANCHOR)))
        add(
            User,
            email=ADMIN_EMAIL,
            name="Synthetic Admin",
            role="admin",
            organization=centre,
            unit=None,  # every user row names the same columns (insert_many takes the first row's)
            session_token=f"synthetic-admin-{seed}",
            reads_all_organizations=False,  # every user row names the same columns (insert_many)
            created_at=_at(ANCHOR),
        )
        add(
            User,
            email=LEADER_EMAIL,
            name="Synthetic Leader",
            role="leader",
            organization=None,
            unit=None,
            reads_all_organizations=True,  # the portfolio's reader: every organization
            session_token=f"synthetic-leader-{seed}",
            created_at=_at(ANCHOR),
        )
        isps = [
            add(
                User,
                email=f"isp{i + 1:03d}@synthetic.example",
                name=f"ISP {i + 1:03d}",
                role="isp",
                organization=centre,
                unit=None,
                session_token=f"synthetic-isp{i + 1}-{seed}",
                reads_all_organizations=False,  # every user row names the same columns (insert_many)
                created_at=_at(ANCHOR),
            )
            for i in range(want["isps"])
        ]
        for i, unit in enumerate(units):
            add(
                User,
                email=f"recipient{i + 1:03d}@synthetic.example",
                name=f"Recipient {i + 1:03d}",
                role="recipient",
                unit=unit,
                organization=foundations[i // 10],
                session_token=f"synthetic-recipient{i + 1}-{seed}",
                reads_all_organizations=False,  # every user row names the same columns (insert_many)
                created_at=_at(ANCHOR),
            )

        # what later rows need, drawn up front (numbers, not rows): meetings and goals per engagement,
        # each engagement's frame, tags per meeting, and which meetings the feedback responses answer
        n_eng = want["engagements"]
        total_meetings = want["meetings"]
        big = min(BIG_ENGAGEMENT_MEETINGS, total_meetings // 2)
        per_engagement = [big] + _split(total_meetings - big, n_eng - 1, rng, spread=0.9)
        goals_per = _split(want["goals"], n_eng, rng, spread=0.5)
        plans = _plan_engagements(n_eng, units, isps, stages, rng)
        refs = _refs(plans)
        n_meetings = sum(per_engagement)
        competency_tags = array("H", _spread_counts(want["competency_tags"], n_meetings, rng))
        strategy_tags = array("H", _spread_counts(want["strategy_tags"], n_meetings, rng))
        # feedback responses answer meetings of engagements that are not proposed, uniformly: the
        # k-th eligible meeting (in the order meetings are written) gets as many as it was drawn
        eligible = sum(n for plan, n in zip(plans, per_engagement, strict=True) if plan.status != "proposed")
        answered = array("l")  # sorted: the eligible meetings' indexes, one per response (not a dict: 200,000 at N=100)
        if eligible and instrument is not None:
            answered = array("l", sorted(rng.randrange(eligible) for _ in range(want["feedback_responses"])))

        writer = _Engagements(
            add,
            rng,
            centre,
            (competencies, strategies, templates),
            per_engagement,
            goals_per,
            (competency_tags, strategy_tags),
            answered,
            (instrument, likert),
        )
        for first in range(0, n_eng, batch):
            last = min(n_eng, first + batch)
            written = [writer.write(e, plans[e], refs[e]) for e in range(first, last)]
            out.flush()
            FeedbackRelease.replay(written)  # released as they came in (docs/disclosure.md)
            if progress:
                progress(f"engagements {last:,} / {n_eng:,}")
        if not is_sqlite():  # explicit ids: move each PostgreSQL sequence past them
            for model in TABLES:
                table = model._meta.table_name
                database.execute_sql(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # nosec B608 # a model's table name, no input
                    f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))'
                )
    if not is_sqlite():
        # Statistics for the planner now, not when autovacuum gets round to it: without them PostgreSQL
        # guesses one row per table and nests loops (the strategies report took 1.1 s at scale 1, not
        # 30 ms). SQLite is left without sqlite_stat1: measured, ANALYZE made its report plans slower.
        database.execute_sql("ANALYZE")
    return {model._meta.table_name: out.counts[model] for model in TABLES}


def digest():
    """A SHA-256 of the generated rows (secrets and timestamps left to the database excluded)."""
    h = hashlib.sha256()
    for model in TABLES:
        fields = [f for name, f in model._meta.fields.items() if name not in ("password_hash", "session_token")]
        for row in model.select(*fields).order_by(model._meta.primary_key).tuples():
            h.update(json.dumps(row, default=str).encode())
    return h.hexdigest()


@click.command("generate-data")
@with_appcontext
@click.option(
    "--scale",
    type=float,
    default=1.0,
    show_default=True,
    help="Size of the portfolio: 1 = 200 engagements, 4,000 meetings...; 0.05 for a tiny one.",
)
@click.option("--seed", type=int, default=SEED, show_default=True, help="Random seed (same seed, same data).")
def generate_data_command(scale, seed):
    """Fill a fresh database with a synthetic portfolio proportional to --scale."""
    if scale <= 0 or math.isnan(scale):
        raise click.ClickException("The scale must be more than 0.")
    database.connect(reuse_if_open=True)
    init_db()
    began = time.perf_counter()
    try:
        counts = generate(scale, seed, progress=click.echo)
    except NotEmpty as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Generated the synthetic portfolio at scale {scale:g} in {time.perf_counter() - began:.1f} s:")
    for table, n in counts.items():
        click.echo(f"  {table:<22} {n:>9,}")
