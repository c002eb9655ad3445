"""No lost update: two people editing the same record, on the pages and through the API.

Each scenario opens the record twice (two signed-in browsers, or two API clients reading it), saves
the first change, then the second: the second is refused (409) with the other person's change shown
(who, when, which fields, their values beside yours), the second person's input is kept, and the
first save's values are still stored. A save without a version (an old client) keeps working.
"""

import datetime as dt
import html as htmllib
import re
from html.parser import HTMLParser

import pytest

from tracker.models import (
    AuditEntry,
    ContextNote,
    Deliverable,
    Engagement,
    Goal,
    GoalStatusChange,
    Meeting,
    StaleEdit,
    User,
    ValidationError,
    acting_as,
)
from tracker.services import meetings as meeting_service

from . import factories
from .api_helpers import Api

# --- a browser's form submission ------------------------------------------------------------------


class _FormFields(HTMLParser):
    """The name/value pairs a browser submits for each POST form of a page: inputs (checked boxes
    only), textareas and selected options."""

    def __init__(self):
        super().__init__()
        self.forms, self.current, self.textarea, self.select = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.current = []
            self.forms.append(self.current)
        if self.current is None or not a.get("name") and tag != "option":
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.current.append([a["name"], a.get("value", "on" if kind == "checkbox" else "")])
        elif tag == "textarea":
            self.textarea = [a["name"], ""]
            self.current.append(self.textarea)
        elif tag == "select":
            self.select = a["name"]
        elif tag == "option" and self.select and "selected" in a:
            self.current.append([self.select, a.get("value", "")])

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            if self.textarea is not None:  # the newline after <textarea> is not part of the value
                self.textarea[1] = self.textarea[1].removeprefix("\r\n").removeprefix("\n")
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.current = None


def form_of(html):
    """The main form of a page (its largest) as a browser would submit it: {name: value or [values]}."""
    parser = _FormFields()
    parser.feed(html)
    pairs = max(parser.forms, key=len)  # not the header's sign-out form
    data = {}
    for name, value in pairs:
        value = htmllib.unescape(value)
        if name in data:
            data[name] = (data[name] if isinstance(data[name], list) else [data[name]]) + [value]
        else:
            data[name] = value
    return data


def open_edit_page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return form_of(response.get_data(as_text=True))


def race(first, second, url, theirs, yours):
    """Both open the edit page; `first` saves `theirs`, then `second` saves `yours` and is refused.
    Returns the refused page and the words of its conflict box."""
    first_form, second_form = open_edit_page(first, url), open_edit_page(second, url)
    assert first_form["version"] == second_form["version"]
    assert first.post(url, data={**first_form, **theirs}).status_code == 302
    response = second.post(url, data={**second_form, **yours})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    return html, conflict_box(html)


def conflict_box(html):
    match = re.search(r'<div class="form-errors conflict" role="alert" id="conflict">(.*?)</div>', html, re.S)
    assert match, "no conflict box on the page"
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


# --- pages: engagement, goal, meeting ---------------------------------------------------------------


@pytest.fixture
def two(demo, as_user):
    """Ada and Ben co-lead engagement A: each in a browser of their own."""
    demo.ada, demo.ben = as_user(demo.isp_a1), as_user(demo.isp_a2)
    return demo


def test_engagement_second_save_is_refused_with_the_first_change_shown(two):
    e = two.engagement_a
    url = f"/engagements/{e.id}/edit"
    ada_form, ben_form = open_edit_page(two.ada, url), open_edit_page(two.ben, url)
    assert ada_form["version"] == ben_form["version"] == str(Engagement.get_by_id(e.id).version)

    ada_form.update(title="Engagement A, renamed by Ada", supporting=[str(two.isp_b.id)])
    assert two.ada.post(url, data=ada_form).status_code == 302

    ben_form.update(problem_statement="Ben's sharper problem statement.")
    response = two.ben.post(url, data=ben_form)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    box = conflict_box(html)
    assert re.search(r"Ada ISP changed this engagement at \d\d:\d\d UTC today: title, supporting ISPs\.", box)
    assert "Their value (saved) Your value (not saved)" in box
    assert "Title Engagement A, renamed by Ada Engagement A" in box
    assert "Supporting ISPs Cai ISP none" in box
    assert "Nothing was saved" in box
    # Ben's input is kept, and the form now carries the stored version (saving again is deliberate)
    kept = form_of(html)
    assert kept["problem_statement"] == "Ben's sharper problem statement."
    assert kept["version"] == str(Engagement.get_by_id(e.id).version)

    stored = Engagement.get_by_id(e.id)
    assert stored.title == "Engagement A, renamed by Ada"
    assert stored.problem_statement != "Ben's sharper problem statement."
    assert [link.user_id for link in stored.isps() if link.role == "supporting"] == [two.isp_b.id]

    # Ben read their values and saves again: now his whole form is what he means to keep
    kept["title"] = "Engagement A, renamed by Ada"
    kept["supporting"] = [str(two.isp_b.id)]
    assert two.ben.post(url, data=kept).status_code == 302
    stored = Engagement.get_by_id(e.id)
    assert (stored.title, stored.problem_statement) == (
        "Engagement A, renamed by Ada",
        "Ben's sharper problem statement.",
    )
    assert [link.user_id for link in stored.isps() if link.role == "supporting"] == [two.isp_b.id]


def test_engagement_isp_only_change_is_caught_too(two):
    """Ada changes nothing but the supporting ISPs; Ben's save (which would put them back) is refused."""
    e = two.engagement_a
    url = f"/engagements/{e.id}/edit"
    ada_form, ben_form = open_edit_page(two.ada, url), open_edit_page(two.ben, url)
    ada_form["supporting"] = [str(two.isp_b.id), str(two.isp_none.id)]
    assert two.ada.post(url, data=ada_form).status_code == 302
    ben_form["title"] = "Ben's title"
    response = two.ben.post(url, data=ben_form)
    assert response.status_code == 409
    box = conflict_box(response.get_data(as_text=True))
    assert "Ada ISP changed this engagement" in box and ": supporting ISPs." in box
    assert "Supporting ISPs Cai ISP, Dee ISP none" in box
    stored = Engagement.get_by_id(e.id)
    assert stored.title == "Engagement A"
    assert sorted(link.user_id for link in stored.isps() if link.role == "supporting") == sorted(
        [two.isp_b.id, two.isp_none.id]
    )


def test_goal_second_save_is_refused_with_the_first_change_shown(two):
    goal = factories.goal(two.engagement_a, "Core components written down")
    url = f"/engagements/{two.engagement_a.id}/goals/{goal.id}/edit"
    theirs = {"title": "Core components written and agreed", "target": "All four teams"}
    html, box = race(two.ada, two.ben, url, theirs, {"title": "Core components drafted"})
    assert "Ada ISP changed this goal at " in box and "UTC today: goal, target." in box
    assert "Goal Core components written and agreed Core components drafted" in box
    assert "Target All four teams —" in box
    assert form_of(html)["title"] == "Core components drafted"
    stored = Goal.get_by_id(goal.id)
    assert (stored.title, stored.target) == ("Core components written and agreed", "All four teams")


def test_meeting_second_save_is_refused_with_the_first_change_shown(two):
    e = two.engagement_a
    meeting = factories.meeting(e, date=dt.date.today() - dt.timedelta(days=3), notes="First notes.")
    url = f"/engagements/{e.id}/meetings/{meeting.id}/edit"
    theirs = {"notes": "Ada's notes of the meeting.", "duration_minutes": "90"}
    html, box = race(two.ada, two.ben, url, theirs, {"notes": "Ben's notes of the meeting."})
    assert "Ada ISP changed this meeting at " in box
    assert "notes" in box.split("today:")[1]
    assert "Ada's notes of the meeting. Ben's notes of the meeting." in box
    assert form_of(html)["notes"] == "Ben's notes of the meeting."
    stored = Meeting.get_by_id(meeting.id)
    assert (stored.notes, stored.duration_minutes) == ("Ada's notes of the meeting.", 90)


@pytest.mark.parametrize("kind", ["team", "deliverables", "context-notes"])
def test_other_part_edit_pages_carry_the_version_too(two, kind):
    e = two.engagement_a
    if kind == "team":
        part = factories.team_member(e, "Alex Rivera", "manager")
        field, theirs, yours = "name", "Alex Rivera-Jones", "Alexandra Rivera"
    elif kind == "deliverables":
        part = Deliverable.create(engagement=e, title="Practice profile", kind="other")
        field, theirs, yours = "title", "Practice profile, v2", "Practice profile, final"
    else:
        noted_on = Engagement.get_by_id(e.id).start_date
        part = ContextNote.create(engagement=e, kind="barrier", domain="inner_setting", text="A", noted_on=noted_on)
        field, theirs, yours = "text", "Leadership changed in May.", "A new director started."
    url = f"/engagements/{e.id}/{kind}/{part.id}/edit"
    assert open_edit_page(two.ada, url)["version"] == str(part.version)
    _html, box = race(two.ada, two.ben, url, {field: theirs}, {field: yours})
    assert f"{theirs} {yours}" in box
    assert getattr(type(part).get_by_id(part.id), field) == theirs


def test_a_form_posted_without_a_version_is_saved_as_before(two):
    """Last write wins for a client that sends no version (nothing to check against)."""
    goal = factories.goal(two.engagement_a, "Core components written down")
    url = f"/engagements/{two.engagement_a.id}/goals/{goal.id}/edit"
    form = open_edit_page(two.ada, url)
    goal.title = "Changed meanwhile"
    goal.save()
    del form["version"]
    form["title"] = "Saved without a version"
    assert two.ada.post(url, data=form).status_code == 302
    assert Goal.get_by_id(goal.id).title == "Saved without a version"


def test_a_meeting_moving_a_goal_is_not_refused_and_raises_the_goal_version(two):
    """A goal status set by a meeting is not a user's edit of the goal: never checked, never refused."""
    goal = factories.goal(two.engagement_a, "Core components written down")
    url = f"/engagements/{two.engagement_a.id}/goals/{goal.id}/edit"
    stale_form = open_edit_page(two.ben, url)
    before = (goal.version, GoalStatusChange.select().where(GoalStatusChange.goal == goal.id).count())
    with acting_as(two.isp_a1):
        goal_row = Goal.get_by_id(goal.id)
        goal_row.expected_version = None
        goal_row.change_status("in_progress", dt.date.today(), user=two.isp_a1.id)
    stored = Goal.get_by_id(goal.id)
    assert stored.status == "in_progress" and stored.version == before[0] + 1
    assert GoalStatusChange.select().where(GoalStatusChange.goal == goal.id).count() == before[1] + 1
    # the goal page opened before it is stale: its save is refused, showing the status change
    stale_form["title"] = "Ben's title"
    response = two.ben.post(url, data=stale_form)
    assert response.status_code == 409
    assert "Ada ISP changed this goal" in conflict_box(response.get_data(as_text=True))
    assert Goal.get_by_id(goal.id).title == "Core components written down"


# --- the model layer ----------------------------------------------------------------------------------


def test_stale_edit_names_who_and_what_from_the_audit_log(demo):
    e = Engagement.get_by_id(demo.engagement_a.id)
    mine = Engagement.get_by_id(e.id)
    start = e.version
    with acting_as(demo.isp_a2):
        e.expected_version = start
        e.title = "Theirs"
        e.save()
    assert e.version == start + 1 and e.expected_version is None
    mine.expected_version = start
    mine.title = "Mine"
    with pytest.raises(StaleEdit) as caught:
        mine.save()
    exc = caught.value
    assert (exc.by, exc.changed, exc.theirs, exc.yours) == (
        "Ben ISP",
        ["title"],
        {"title": "Theirs"},
        {"title": "Mine"},
    )
    assert exc.record.title == "Theirs" and exc.record.version == start + 1
    assert exc.at == AuditEntry.select().order_by(AuditEntry.id.desc()).first().at
    assert Engagement.get_by_id(e.id).title == "Theirs"


def test_saves_without_an_expected_version_raise_the_version_and_are_never_refused(demo):
    e = Engagement.get_by_id(demo.engagement_a.id)
    start = e.version
    other = Engagement.get_by_id(e.id)
    e.title = "One"
    e.save()
    other.title = "Two"
    other.save()  # last write wins: no version was given
    stored = Engagement.get_by_id(e.id)
    assert (stored.title, stored.version) == ("Two", start + 2)
    unchanged = Engagement.get_by_id(e.id)
    unchanged.save()  # nothing changed: the version stays
    assert Engagement.get_by_id(e.id).version == start + 2


# --- the API ------------------------------------------------------------------------------------------


@pytest.fixture
def apis(demo, client):
    demo.ada_api, demo.ben_api = Api(client, demo.isp_a1), Api(client, demo.isp_a2)
    return demo


def test_api_engagement_second_patch_is_refused_with_the_current_record(apis):
    e = apis.engagement_a
    url = f"/engagements/{e.id}"
    ada_read, ben_read = apis.ada_api.get(url).get_json(), apis.ben_api.get(url).get_json()
    start = ada_read["version"]
    assert ben_read["version"] == start == Engagement.get_by_id(e.id).version

    first = apis.ada_api.patch(url, json={"supporting_ids": [apis.isp_b.id], "version": start})
    assert first.status_code == 200 and first.get_json()["version"] == start + 1

    second = apis.ben_api.patch(url, json={"supporting_ids": [apis.isp_none.id], "version": ben_read["version"]})
    assert second.status_code == 409
    error = second.get_json()["error"]
    assert error["code"] == "stale_version"
    assert "Ada ISP" in error["message"]
    assert set(error["fields"]) == {"supporting_ids"}
    assert error["changed_by"] == "Ada ISP"
    assert error["theirs"] == {"supporting_ids": [apis.isp_b.id]}
    assert error["yours"] == {"supporting_ids": [apis.isp_none.id]}
    assert error["current"]["supporting_ids"] == [apis.isp_b.id] and error["current"]["version"] == start + 1

    assert apis.ben_api.get(url).get_json()["supporting_ids"] == [apis.isp_b.id]  # nothing lost
    # Ben merges and sends again with the current version
    merged = apis.ben_api.patch(url, json={"supporting_ids": [apis.isp_b.id, apis.isp_none.id], "version": start + 1})
    assert merged.status_code == 200 and merged.get_json()["version"] == start + 2


def test_api_goal_second_patch_is_refused(apis):
    goal = factories.goal(apis.engagement_a, "Core components written down")
    url = f"/engagements/{apis.engagement_a.id}/goals/{goal.id}"
    version = apis.ada_api.get(f"/engagements/{apis.engagement_a.id}/goals").get_json()["items"][0]["version"]
    first = apis.ada_api.patch(url, json={"title": "Ada's goal", "version": version})
    assert first.status_code == 200 and first.get_json()["version"] == version + 1
    second = apis.ben_api.patch(url, json={"title": "Ben's goal", "status": "in_progress", "version": version})
    assert second.status_code == 409
    error = second.get_json()["error"]
    assert error["fields"].keys() == {"title"} and error["current"]["title"] == "Ada's goal"
    assert error["theirs"] == {"title": "Ada's goal"} and error["yours"] == {"title": "Ben's goal"}
    stored = Goal.get_by_id(goal.id)
    assert (stored.title, stored.status) == ("Ada's goal", "not_started")  # neither part of Ben's change


def test_api_meeting_second_patch_is_refused(apis):
    e = apis.engagement_a
    meeting = factories.meeting(e, date=dt.date.today() - dt.timedelta(days=3), notes="First notes.")
    url = f"/engagements/{e.id}/meetings/{meeting.id}"
    version = apis.ben_api.get(url).get_json()["version"]
    assert apis.ada_api.patch(url, json={"notes": "Ada's notes.", "version": version}).status_code == 200
    second = apis.ben_api.patch(url, json={"notes": "Ben's notes.", "duration_minutes": 30, "version": version})
    assert second.status_code == 409
    error = second.get_json()["error"]
    assert "notes" in error["fields"]
    assert error["theirs"]["notes"] == "Ada's notes." and error["yours"]["notes"] == "Ben's notes."
    assert error["current"]["notes"] == "Ada's notes." and "attendee_ids" in error["current"]
    stored = Meeting.get_by_id(meeting.id)
    assert stored.notes == "Ada's notes." and stored.duration_minutes != 30


def test_api_patch_without_version_is_last_write_wins(apis):
    url = f"/engagements/{apis.engagement_a.id}"
    start = Engagement.get_by_id(apis.engagement_a.id).version
    assert apis.ada_api.patch(url, json={"title": "Ada's"}).status_code == 200
    response = apis.ben_api.patch(url, json={"title": "Ben's"})
    assert response.status_code == 200 and response.get_json()["title"] == "Ben's"
    assert response.get_json()["version"] == start + 2


def test_api_version_must_be_a_positive_integer(apis):
    url = f"/engagements/{apis.engagement_a.id}"
    response = apis.ada_api.patch(url, json={"title": "x", "version": "1"})
    assert response.status_code == 400 and "version" in response.get_json()["error"]["fields"]
    assert Engagement.get_by_id(apis.engagement_a.id).title == "Engagement A"


def test_meeting_service_side_effects_keep_working_on_a_changed_goal(demo):
    """The meeting form's goal changes save the goal without a version: a goal edited meanwhile is
    moved, not refused."""
    e = demo.engagement_a
    goal = factories.goal(e, "Core components written down")
    goal.title = "Renamed meanwhile"
    goal.save()
    data = {
        "date": dt.date.today() - dt.timedelta(days=1),
        "kind": "monthly",
        "mode": "virtual",
        "duration_minutes": 60,
        "notes": "",
        "team_members": [],
        "isps": [demo.isp_a1.id],
        "competencies": [],
        "strategies": [],
        "principles": [],
        "next_steps": [],
        "goal_changes": [{"goal_id": goal.id, "status": "in_progress", "note": ""}],
        "benchmarks": [],
    }
    meeting_service.log_meeting(e, data, demo.isp_a1)
    assert Goal.get_by_id(goal.id).status == "in_progress"


def test_admin_user_edit_is_checked_too(demo, as_user):
    second_admin = factories.user("admin", "admin2@example.org", "Bo Admin")
    first, second = as_user(demo.admin), as_user(second_admin)
    url = f"/admin/users/{demo.isp_b.id}/edit"
    theirs = {"organization": str(demo.foundation.id), "name": "Cai Renamed"}
    _html, box = race(first, second, url, theirs, {"name": "Cai Other"})
    assert "Ari Admin changed this user at " in box
    assert "Cai Renamed Cai Other" in box and "Foundation Implementation Centre" in box
    stored = User.get_by_id(demo.isp_b.id)
    assert (stored.name, stored.organization_id) == ("Cai Renamed", demo.foundation.id)


def test_a_refused_invalid_save_changes_no_version(demo):
    """A versioned save refused for an invalid field leaves the row and its version; the corrected
    save then goes through against the same version."""
    goal = factories.goal(demo.engagement_a, "Core components written down")
    start = goal.version
    goal.expected_version = start
    goal.title = ""
    with pytest.raises(ValidationError) as caught:
        goal.save()
    assert not isinstance(caught.value, StaleEdit)
    assert goal.version == start and Goal.get_by_id(goal.id).version == start
    goal.title = "Core components agreed"
    goal.save()
    assert (Goal.get_by_id(goal.id).title, Goal.get_by_id(goal.id).version) == ("Core components agreed", start + 1)
