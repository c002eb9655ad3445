"""Factory functions for test rows: sensible defaults, override what a test cares about."""

import datetime as dt
import itertools
from types import SimpleNamespace

from werkzeug.security import generate_password_hash

from tracker.models import (
    Competency,
    Engagement,
    Goal,
    Meeting,
    MeetingCompetency,
    MeetingStrategy,
    Organization,
    PlanItem,
    Stage,
    Strategy,
    TeamMember,
    Unit,
    User,
    change_plan,
)

PASSWORD = "correct horse battery"
_hashes = {}


def password_hash(password):
    """Hash each test password once per run: a real (scrypt) hash takes ~0.1 s, and most tests
    create a dozen users."""
    if password not in _hashes:
        _hashes[password] = generate_password_hash(password)
    return _hashes[password]


_seq = itertools.count(1)


def organization(name=None, kind="recipient"):
    return Organization.create(name=name or f"Organization {next(_seq)}", kind=kind)


def unit(org=None, name=None):
    return Unit.create(organization=org or organization(), name=name or f"Unit {next(_seq)}")


def user(role="isp", email=None, name=None, unit=None, organization=None, password=PASSWORD, **kwargs):
    n = next(_seq)
    u = User(
        email=email or f"{role}{n}@example.org",
        name=name or f"{role.title()} {n}",
        role=role,
        unit=unit,
        organization=organization,
        **kwargs,
    )
    u.password_hash = password_hash(password)
    u.save()
    return u


def engagement(
    unit_=None,
    co_leads=None,
    supporting=(),
    title=None,
    start=dt.date(2026, 1, 5),
    stage=None,
    intermediary=None,
    **kwargs,
):
    kwargs.setdefault("status", "active")
    e = Engagement.create(
        unit=unit_ or unit(),
        title=title or f"Engagement {next(_seq)}",
        start_date=start,
        intermediary=intermediary,
        **kwargs,
    )
    if co_leads is None:
        co_leads = [user("isp"), user("isp")]
    e.set_isps([u.id for u in co_leads], [u.id for u in supporting])
    if stage:
        e.enter_stage(Stage.get(Stage.key == stage), start)
    return e


def meeting(engagement_, date=dt.date(2026, 2, 3), competencies=(), strategies=(), **kwargs):
    m = Meeting.create(engagement=engagement_, date=date, **kwargs)
    for key in competencies:
        c = Competency.get(Competency.key == key)
        MeetingCompetency.create(meeting=m, competency=c, label=c.name)
    for key in strategies:
        s = Strategy.get(Strategy.key == key)
        MeetingStrategy.create(meeting=m, strategy=s, label=s.name)
    return m


def goal(engagement_, title="Core components written down", **kwargs):
    return Goal.create(engagement=engagement_, title=title, **kwargs)


def measured_goal(engagement_, direction="up", baseline=40.0, target=80.0, title="Sites using the protocol", **kwargs):
    """A goal whose indicator carries a measure (baseline on the engagement's start, target in a year)."""
    kwargs.setdefault("measure_unit", "% of sites")
    return Goal.create(
        engagement=engagement_,
        title=title,
        measure_direction=direction,
        baseline_value=baseline,
        baseline_on=engagement_.start_date,
        target_value=target,
        target_on=engagement_.start_date + dt.timedelta(days=365),
        **kwargs,
    )


def team_member(engagement_, name="Alex Rivera", position="manager", **kwargs):
    return TeamMember.create(engagement=engagement_, name=name, position=position, **kwargs)


def plan_item(engagement_, by, strategy=None, **values):
    """One item of the engagement's plan (a new version), monthly, 60 minutes, `by` responsible."""
    values = {
        "strategy": (strategy or Strategy.select().order_by(Strategy.id).first()).id,
        "sessions_per_month": 1,
        "minutes_per_session": 60,
        "start_date": engagement_.start_date,
        "responsible_user": by.id,
        **values,
    }
    change_plan(engagement_, by, add=[values])
    return PlanItem.select().where(PlanItem.engagement == engagement_.id).order_by(PlanItem.id.desc()).first()


def small_world():
    """An intermediary with four ISPs; a foundation with units A and B and another funder with unit C;
    an engagement in each unit.

    isp_a1 and isp_a2 co-lead engagement A; isp_b co-leads B (with isp_a2) and C (with isp_a1);
    isp_none is on no engagement.
    """
    center = organization("Implementation Centre", kind="intermediary")
    foundation = organization("Foundation", kind="recipient")
    other = organization("Other Funder", kind="recipient")
    unit_a = unit(foundation, "Unit A")
    unit_b = unit(foundation, "Unit B")
    unit_c = unit(other, "Unit C")
    isp_a1 = user("isp", "isp.a1@example.org", "Ada ISP", organization=center)
    isp_a2 = user("isp", "isp.a2@example.org", "Ben ISP", organization=center)
    isp_b = user("isp", "isp.b@example.org", "Cai ISP", organization=center)
    isp_none = user("isp", "isp.none@example.org", "Dee ISP", organization=center)
    eng_a = engagement(unit_a, [isp_a1, isp_a2], title="Engagement A", intermediary=center, stage="exploration")
    eng_b = engagement(unit_b, [isp_b, isp_a2], title="Engagement B", intermediary=center)
    eng_c = engagement(unit_c, [isp_b, isp_a1], title="Engagement C", intermediary=center)
    return SimpleNamespace(
        center=center,
        foundation=foundation,
        other=other,
        unit_a=unit_a,
        unit_b=unit_b,
        unit_c=unit_c,
        isp_a1=isp_a1,
        isp_a2=isp_a2,
        isp_b=isp_b,
        isp_none=isp_none,
        engagement_a=eng_a,
        engagement_b=eng_b,
        engagement_c=eng_c,
        recipient_a=user("recipient", "rec.a@example.org", "Rae Recipient", unit=unit_a, organization=foundation),
        recipient_b=user("recipient", "rec.b@example.org", "Rob Recipient", unit=unit_b, organization=foundation),
        leader_foundation=user("leader", "lead.f@example.org", "Lee Leader", organization=foundation),
        leader_other=user("leader", "lead.o@example.org", "Lou Leader", organization=other),
        leader_all=user("leader", "lead.all@example.org", "Liv Leader", reads_all_organizations=True),
        admin=user("admin", "admin@example.org", "Ari Admin"),
    )
