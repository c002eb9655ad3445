"""The audit log in people's words: names instead of ids, record types as labels, times and dates in the
reader's format, "field: old → new" with field labels, an engagement picker, and a fixed number of queries."""

import datetime as dt
import re

from playhouse.test_utils import count_queries

from tracker.audit import acting_as
from tracker.models import AuditEntry, Goal, GoalStatusChange, StageEntry, User
from tracker.models.audit import entity_label

from . import factories


def rows(html):
    """The audit table's rows as lists of cell texts (tags dropped, spaces collapsed)."""
    body = re.split(r'<table [^>]*class="table audit[^"]*"[^>]*>', html, maxsplit=1)[1].split("</table>", 1)[0]
    return [
        [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S)
    ]


def test_record_types_read_as_labels():
    assert entity_label("GoalStatusChange") == "Goal status change"
    assert entity_label("StageEntry") == "Stage entry"
    assert entity_label("Meeting") == "Session"
    assert entity_label("SomethingNew") == "Something new"


def test_who_what_and_where_by_name(demo, as_user):
    AuditEntry.delete().execute()
    with acting_as(demo.isp_a1):
        goal = factories.goal(demo.engagement_a, title="Write the manual")
        goal.title = "Write the practice manual"
        goal.save()
    html = as_user(demo.admin).get("/admin/audit").get_data(as_text=True)
    newest, created = rows(html)
    assert newest[1:] == [
        "Ada ISP",
        "Goal Write the practice manual in Engagement A",
        "updated goal Title: Write the manual → Write the practice manual",
    ]
    assert created[2] == "Goal Write the practice manual in Engagement A"
    assert f'<a href="/engagements/{demo.engagement_a.id}">Engagement A</a>' in html
    assert "#" not in newest[2]  # no ids where a name exists


def test_a_record_that_is_gone_or_deleted_says_so(demo, as_user):
    AuditEntry.delete().execute()
    kept = factories.goal(demo.engagement_a, title="Set aside")
    kept.soft_delete()
    gone_id = factories.goal(demo.engagement_a, title="Short-lived").id
    Goal.delete().where(Goal.id == gone_id).execute()  # no longer in the database at all
    table = rows(as_user(demo.admin).get("/admin/audit").get_data(as_text=True))
    records = [row[2] for row in table]
    assert f"Goal deleted record #{gone_id} in Engagement A" in records
    assert "Goal Set aside (deleted) in Engagement A" in records


def test_dates_follow_the_readers_format(demo, as_user):
    AuditEntry.delete().execute()
    engagement = demo.engagement_a
    engagement.end_date = dt.date(2026, 12, 31)
    engagement.save()
    User.update(date_format="iso").where(User.id == demo.admin.id).execute()
    html = as_user(demo.admin).get("/admin/audit").get_data(as_text=True)
    [row] = rows(html)
    assert row[0].startswith(dt.date.today().isoformat())  # the time, in the reader's date format
    assert "End date: — → 2026-12-31" in row[3]
    User.update(date_format="d_mon_y").where(User.id == demo.admin.id).execute()
    [row] = rows(as_user(demo.admin).get("/admin/audit").get_data(as_text=True))
    assert "End date: — → 31 Dec 2026" in row[3]


def test_record_type_and_engagement_are_picked_by_name(demo, as_user):
    factories.goal(demo.engagement_b, title="Goal of B")
    client = as_user(demo.admin)
    html = client.get("/admin/audit").get_data(as_text=True)
    assert '<select aria-invalid="false" id="engagement_id" name="engagement_id">' in html
    assert f'<option value="{demo.engagement_b.id}">Engagement B</option>' in html
    assert '<option value="Goal">Goal</option>' in html
    picked = client.get(f"/admin/audit?engagement={demo.engagement_b.id}&entity=Goal").get_data(as_text=True)
    assert [row[2] for row in rows(picked)] == ["Goal Goal of B in Engagement B"]
    assert f'<option selected value="{demo.engagement_b.id}">Engagement B</option>' in picked


def _count(client):
    with count_queries() as counter:
        assert client.get("/admin/audit").status_code == 200
    return counter.count


def _changes(n, engagement, stage):
    for i in range(n):
        goal = factories.goal(engagement, title=f"Goal {i}")
        GoalStatusChange.create(goal=goal, status="in_progress", changed_on=dt.date(2026, 6, 1 + i))
        StageEntry.create(engagement=engagement, stage=stage, entered_on=dt.date(2026, 7, 1 + i))


def test_names_load_in_a_fixed_number_of_queries(demo, as_user):
    AuditEntry.delete().execute()
    client = as_user(demo.admin)
    stage = demo.engagement_a.current_stage
    _changes(2, demo.engagement_a, stage)
    client.get("/admin/audit")  # both counts on a second visit (the header's "My work" count is then kept)
    few = _count(client)
    _changes(10, demo.engagement_b, stage)  # more rows and engagements, the same record types
    assert len(rows(client.get("/admin/audit").get_data(as_text=True))) > 6
    assert _count(client) == few
