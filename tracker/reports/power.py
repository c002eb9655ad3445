"""Power balance (issue 19): how far an engagement's sessions are shared with the recipient team.

Over an engagement's live meetings, grouped by calendar quarter of the meeting's date (every quarter
from the first meeting's to the last one's, empty ones included, so the trend shows gaps), and for
the whole engagement:

- recipient share of attendees = attendances of implementation-team members / all attendances (team
  members and ISPs). An attendance is one person at one meeting, so a quarter of two meetings with 3
  team members and 1 ISP each counts 6 of 8 (75%). Attendances of deleted team members are left out,
  as on the meeting page.
- shared agendas = meetings whose agenda the recipient team set, or set jointly with the ISPs / meetings
  whose agenda setter is recorded. Meetings logged without it ("not recorded") count in neither.
- shared decisions = decisions taken by the recipient team or jointly / all decisions recorded.

Each share is {"count", "of", "share"}; "share" is None when "of" is 0 (nothing to divide: shown as
a dash, never as 0%). The parties are models.POWER_PARTIES; "shared" is models.SHARED_PARTIES.

ISP-led co-creation (the "needing attention" rule, `isp_led_co_creation`): an engagement whose model
of support is co-creation, with at least one meeting with a recorded agenda dated from three calendar
months before `as_of` (same day of the month, or the month's last day) up to `as_of`, and every such
meeting's agenda set by the ISPs.
"""

import datetime as dt
from collections import defaultdict

from peewee import JOIN, fn

from ..models import SHARED_PARTIES, Engagement, Meeting, MeetingAttendee, MeetingDecision, TeamMember
from .cache import cached_by_arguments
from .filters import as_date, logged

ISP_LED_MONTHS = 3
CO_CREATION = "co_creation"


def share(count, of):
    return {"count": count, "of": of, "share": (count / of) if of else None}


def quarter_of(day):
    return day.year, (day.month - 1) // 3 + 1


def quarter_label(key):
    return f"Q{key[1]} {key[0]}"


def _quarters(first, last):
    out, (year, quarter) = [], first
    while (year, quarter) <= last:
        out.append((year, quarter))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return out


def months_before(day, months):
    """The same day `months` calendar months earlier (the month's last day when it has no such day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for last_day in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last_day))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has a 28th


@cached_by_arguments
def engagement_power(engagement_id):
    """{"periods": [{"key", "label", "meetings", "attendees", "agendas", "decisions"}], "total": {...}}
    for one engagement (see the module's docstring for each share). Three queries."""
    meetings = {
        mid: (as_date(day), agenda)
        for mid, day, agenda in Meeting.select(Meeting.id, Meeting.date, Meeting.agenda_set_by)
        .where((Meeting.engagement == engagement_id) & Meeting.deleted_at.is_null() & logged(Meeting))
        .tuples()
    }
    if not meetings:
        return {"periods": [], "total": {"meetings": 0, **_shares([], {}, {})}}
    live = Meeting.select(Meeting.id).where(
        (Meeting.engagement == engagement_id) & Meeting.deleted_at.is_null() & logged(Meeting)
    )
    attendance = {
        mid: (team, everyone)
        for mid, team, everyone in MeetingAttendee.select(
            MeetingAttendee.meeting, fn.COUNT(MeetingAttendee.team_member), fn.COUNT(MeetingAttendee.id)
        )
        .join(TeamMember, JOIN.LEFT_OUTER, on=(MeetingAttendee.team_member == TeamMember.id))
        .where(MeetingAttendee.meeting.in_(live) & TeamMember.deleted_at.is_null())  # ISPs: no member
        .group_by(MeetingAttendee.meeting)
        .tuples()
    }
    decisions = defaultdict(list)
    for mid, by in (
        MeetingDecision.select(MeetingDecision.meeting, MeetingDecision.decided_by)
        .where(MeetingDecision.meeting.in_(live))
        .tuples()
    ):
        decisions[mid].append(by)
    by_quarter = defaultdict(list)
    for mid, (day, _) in meetings.items():
        by_quarter[quarter_of(day)].append(mid)
    periods = []
    for key in _quarters(min(by_quarter), max(by_quarter)):
        ids = by_quarter.get(key, [])
        row = _shares([meetings[i][1] for i in ids], {i: attendance.get(i, (0, 0)) for i in ids}, decisions, ids)
        periods.append({"key": f"{key[0]}-Q{key[1]}", "label": quarter_label(key), "meetings": len(ids), **row})
    total = _shares([agenda for _, agenda in meetings.values()], attendance, decisions, list(meetings))
    return {"periods": periods, "total": {"meetings": len(meetings), **total}}


def _shares(agendas, attendance, decisions, ids=()):
    team = sum(attendance[i][0] for i in ids if i in attendance)
    everyone = sum(attendance[i][1] for i in ids if i in attendance)
    recorded = [a for a in agendas if a]
    taken = [by for i in ids for by in decisions.get(i, [])]
    return {
        "attendees": share(team, everyone),
        "agendas": share(sum(1 for a in recorded if a in SHARED_PARTIES), len(recorded)),
        "decisions": share(sum(1 for by in taken if by in SHARED_PARTIES), len(taken)),
    }


def isp_led_co_creation(engagement_ids, as_of):
    """{engagement_id: (sessions, since)} for the co-creation engagements among `engagement_ids` whose
    sessions since `since` (three months before `as_of`) were all ISP-led: at least one with a recorded
    agenda, every recorded agenda set by the ISPs. One query."""
    since = months_before(as_of, ISP_LED_MONTHS)
    counts = defaultdict(dict)
    for eid, agenda, n in (
        Meeting.select(Meeting.engagement, Meeting.agenda_set_by, fn.COUNT(Meeting.id))
        .join(Engagement)
        .where(
            Meeting.engagement.in_(engagement_ids)
            & (Engagement.support_model == CO_CREATION)
            & Meeting.deleted_at.is_null()
            & logged(Meeting)
            & Meeting.agenda_set_by.is_null(False)
            & (Meeting.date >= since)
            & (Meeting.date <= as_of)
        )
        .group_by(Meeting.engagement, Meeting.agenda_set_by)
        .tuples()
    ):
        counts[eid][agenda] = n
    return {eid: (by["isp"], since) for eid, by in counts.items() if set(by) == {"isp"}}
