"""Lapse prompts and FRAME-IS modifications (issue 19): who is asked, when a prompt goes away, the form's
flows and refusals, the plan effects (close, change), the API and the research export.

Dates are set relative to today (lapses are read on today), so each test's numbers hold on any day:
a monthly item that started 120 days ago and was never logged lapsed two months after its start."""

import datetime as dt
import re

import pytest

from tracker import research
from tracker.models import (
    Engagement,
    EngagementISP,
    Modification,
    PlanItem,
    PlanVersion,
    Strategy,
    change_plan,
    lapses,
    record_modification,
    today,
)
from tracker.tools.demo import MODIFICATIONS

from . import factories
from .api_helpers import Api
from .conftest import field_error, post_form

FRAME = {  # a complete set of the required modules, as the form posts them
    "description": "Monthly trainings shortened to 30 minutes and held online.",
    "modified": "context_format",
    "nature": "shortening",
    "fidelity": "consistent",
    "goal": "aaf",
    "reason_level": "recipient",
}


def _strategy(n=0):
    return Strategy.select().where(~Strategy.retired).order_by(Strategy.id).offset(n).first()


@pytest.fixture
def world(demo):
    """engagement A (started 200 days ago) with one monthly plan item started 120 days ago, never logged:
    due at start + 2 months (about 60 days ago), so it has lapsed today."""
    e = demo.engagement_a
    e.start_date = today() - dt.timedelta(days=200)
    e.save()
    strategy = _strategy()
    change_plan(
        e,
        demo.isp_a1,
        add=[
            {
                "strategy": strategy.id,
                "sessions_per_month": 1,
                "minutes_per_session": 60,
                "start_date": today() - dt.timedelta(days=120),
                "responsible_user": demo.isp_a1.id,
            }
        ],
    )
    demo.item = PlanItem.of(e.id)[0]
    demo.strategy = strategy
    return demo


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_an_isp_is_asked_on_the_engagement_page_and_a_recipient_is_not(world, as_user):
    e, item = world.engagement_a, world.item
    link = f"/engagements/{e.id}/modifications/new?plan_item={item.id}&amp;prompted=1"
    html = _page(as_user(world.isp_a1), f"/engagements/{e.id}")
    assert 'class="lapse-prompts notice" role="status"' in html
    assert f"<strong>{world.strategy.name}</strong> has not been logged since the item started on" in html
    assert "(planned monthly)" in html and link in html
    assert "Logging the strategy in a session also answers its prompt." in html
    recipient = _page(as_user(world.recipient_a), f"/engagements/{e.id}")
    assert "lapse-prompts" not in recipient and "modifications/new" not in recipient
    assert 'id="modifications-h"' in recipient and "No modifications recorded." in recipient


def test_the_meeting_form_asks_too_and_logging_the_strategy_answers(world, as_user):
    e = world.engagement_a
    isp = as_user(world.isp_a1)
    html = _page(isp, f"/engagements/{e.id}/meetings/new")
    assert "lapse-prompts" in html and "also answers its prompt" in html
    assert html.index("lapse-prompts") > html.index('id="strategies-h"')
    factories.meeting(e, date=today() - dt.timedelta(days=3), strategies=[world.strategy.key])
    assert lapses(e.id) == []
    assert "lapse-prompts" not in _page(isp, f"/engagements/{e.id}")
    assert "lapse-prompts" not in _page(isp, f"/engagements/{e.id}/meetings/new")


def test_a_prompted_modification_that_closes_the_item_ends_the_prompt(world, as_user):
    e, item = world.engagement_a, world.item
    isp = as_user(world.isp_a1)
    url = f"/engagements/{e.id}/modifications/new?plan_item={item.id}&prompted=1"
    form = _page(isp, url)
    assert f"<strong>{world.strategy.name}</strong>" in form and 'name="plan_effect"' in form
    assert 'name="prompted" type="hidden" value="1"' in form
    for legend in ("1. Description", "2. What is modified", "3. The nature of the change", "7. How widespread"):
        assert f"<legend>{legend}" in form
    data = {**FRAME, "decided_on": today().isoformat(), "plan_effect": "close", "prompted": "1"}
    data.update(participants=["isp", "team"], decided_by="team")
    response = post_form(isp, url, data)
    assert response.status_code == 302 and response.headers["Location"].endswith("#modifications-h")
    m = Modification.get()
    assert (m.plan_item_id, m.strategy_id, m.prompted, m.participants) == (item.id, item.strategy_id, True, "isp,team")
    assert PlanItem.get_by_id(item.id).end_date == today()  # closed on the date of the change
    assert PlanVersion.latest(e.id).number == 2
    page = _page(isp, f"/engagements/{e.id}")
    assert "lapse-prompts" not in page
    assert "a lapse prompt" in page and "Shortening" in page and "Fidelity-consistent" in page


def test_a_refused_submit_keeps_what_was_typed(world, as_user):
    e, item = world.engagement_a, world.item
    isp = as_user(world.isp_a1)
    url = f"/engagements/{e.id}/modifications/new?plan_item={item.id}&prompted=1"
    data = {**FRAME, "nature": "", "decided_on": today().isoformat(), "plan_effect": "none", "prompted": "1"}
    data["participants"] = ["funder"]
    response = post_form(isp, url, data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert field_error(html, "nature") == "Choose the nature of the change."
    assert "Monthly trainings shortened to 30 minutes and held online." in html
    assert "checked" in re.search(r'<input [^>]*value="context_format"[^>]*>', html).group()  # the radio kept
    assert 'value="funder" id="participants-funder" checked' in html
    assert 'name="prompted" type="hidden" value="1"' in html
    assert Modification.select().count() == 0


def test_change_opens_the_plan_items_edit_page(world, as_user):
    e, item = world.engagement_a, world.item
    url = f"/engagements/{e.id}/modifications/new?plan_item={item.id}"
    data = {**FRAME, "decided_on": today().isoformat(), "plan_effect": "change"}
    response = post_form(as_user(world.isp_a1), url, data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/engagements/{e.id}/plan/items/{item.id}/edit")
    m = Modification.get()
    assert (m.plan_effect, m.prompted) == ("change", False)
    assert PlanItem.get_by_id(item.id).end_date is None  # the plan engineer's edit page changes it


def test_without_a_plan_item_the_strategy_is_chosen_and_the_plan_is_left_alone(world, as_user):
    e = world.engagement_a
    isp = as_user(world.isp_a1)
    url = f"/engagements/{e.id}/modifications/new"
    html = _page(isp, url)
    assert 'name="plan_effect"' not in html
    assert re.search(r'<select [^>]*id="strategy"', html)
    refused = post_form(isp, url, {**FRAME, "decided_on": today().isoformat()})
    assert field_error(refused.get_data(as_text=True), "strategy") == "Choose the strategy that was modified."
    other = _strategy(3)
    done = post_form(isp, url, {**FRAME, "strategy": other.id, "decided_on": today().isoformat()})
    assert done.status_code == 302
    m = Modification.get()
    assert (m.strategy_id, m.plan_item_id, m.plan_effect, m.prompted) == (other.id, None, "none", False)
    assert lapses(e.id) != []  # a modification of another strategy answers no prompt


def test_a_date_before_the_engagement_is_refused_next_to_the_field(world, as_user):
    e, item = world.engagement_a, world.item
    url = f"/engagements/{e.id}/modifications/new?plan_item={item.id}"
    early = (e.start_date - dt.timedelta(days=1)).isoformat()
    response = post_form(as_user(world.isp_a1), url, {**FRAME, "decided_on": early, "plan_effect": "none"})
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "decided_on")
    assert Modification.select().count() == 0


def _record(world, **values):
    data = {**FRAME, "decided_on": today(), "plan_item": world.item.id, **values}
    return record_modification(world.engagement_a, world.isp_a1, data)


def test_detail_edit_and_delete(world, as_user):
    e = world.engagement_a
    m = _record(world, participants="isp,leadership", decided_by="leadership", reach="unit", timing="implementation")
    isp = as_user(world.isp_a1)
    base = f"/engagements/{e.id}/modifications/{m.id}"
    html = _page(isp, base)
    for words in ("Context: format", "Shortening", "Acceptability, appropriateness or feasibility", "A unit",
                  "The ISPs, The recipient&#39;s leadership", "Implementation"):  # fmt: skip
        assert words in html
    edit = _page(isp, base + "/edit")
    assert 'value="leadership" id="participants-leadership" checked' in edit and 'name="plan_effect"' not in edit
    data = {**FRAME, "nature": "tailoring", "decided_on": today().isoformat(), "version": "1"}
    data["participants"] = ["isp"]
    response = post_form(isp, base + "/edit", data)
    assert response.status_code == 302 and response.headers["Location"].endswith(base)
    m = Modification.get_by_id(m.id)
    assert (m.nature, m.participants, m.plan_item_id, m.strategy_id) == (
        "tailoring",
        "isp",
        world.item.id,
        world.item.strategy_id,
    )
    confirm = _page(isp, base + "/delete")
    assert "Delete this modification?" in confirm
    assert Modification.get_by_id(m.id).deleted_at is None  # the GET asks, it does not delete
    assert post_form(isp, base + "/delete", {}, token_from=base + "/delete").status_code == 302
    assert Modification.get_by_id(m.id).deleted_at is not None
    assert isp.get(base).status_code == 404


def test_who_may_read_and_who_may_record(world, as_user):
    e = world.engagement_a
    m = _record(world)
    base = f"/engagements/{e.id}/modifications"
    recipient = as_user(world.recipient_a)
    assert recipient.get(f"{base}/{m.id}").status_code == 200  # co-creation: recipients read them
    assert "Edit the modification" not in _page(recipient, f"{base}/{m.id}")
    for url in (f"{base}/new", f"{base}/{m.id}/edit", f"{base}/{m.id}/delete"):
        assert recipient.get(url).status_code == 403
        assert as_user(world.leader_foundation).get(url).status_code == 403
    assert as_user(world.isp_b).get(f"{base}/{m.id}").status_code == 404  # not on engagement A
    assert as_user(world.recipient_b).get(f"{base}/{m.id}").status_code == 404
    assert as_user(world.isp_a1).get(f"{base}/new?plan_item=999999").status_code == 404
    other = f"/engagements/{world.engagement_b.id}/modifications/{m.id}"
    assert as_user(world.admin).get(other).status_code == 404  # another engagement's id


def test_api_records_with_201_and_location_and_lists(world, client):
    e, item = world.engagement_a, world.item
    api = Api(client, world.isp_a1)
    body = {**FRAME, "plan_item": item.id, "decided_on": today().isoformat(), "participants": ["isp", "team"]}
    body.update(plan_effect="close", prompted=True, timing="implementation", decided_by="team")
    response = api.post(f"/engagements/{e.id}/modifications", body)
    assert response.status_code == 201, response.get_json()
    out = response.get_json()
    assert response.headers["Location"] == f"/api/v1/modifications/{out['id']}"
    assert (out["strategy"], out["plan_item"], out["participants"]) == (world.strategy.key, item.id, ["isp", "team"])
    assert (out["plan_effect"], out["prompted"], out["timing"], out["reach"]) == ("close", True, "implementation", None)
    assert PlanItem.get_by_id(item.id).end_date == today()
    assert client.get(response.headers["Location"], headers=api.headers()).get_json()["id"] == out["id"]
    listed = Api(client, world.recipient_a).get(f"/engagements/{e.id}/modifications").get_json()
    assert [x["id"] for x in listed["items"]] == [out["id"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"nature": None}, "nature"),
        ({"nature": "invented"}, "nature"),
        ({"strategy": "no_such_strategy"}, "strategy"),
        ({"participants": ["isp", "isp"]}, "participants"),
        ({"participants": ["king"]}, "participants"),
        ({"plan_item": None, "strategy": None}, "strategy"),
        ({"plan_item": None, "plan_effect": "close"}, "plan_effect"),
        ({"plan_item": 999999}, "plan_item"),
        ({"decided_on": "2001-01-01"}, "decided_on"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_api_refuses_bad_input_with_the_one_envelope_and_writes_nothing(world, client, change, field):
    body = {**FRAME, "plan_item": world.item.id, "decided_on": today().isoformat(), **change}
    if world.item.strategy is not None and change.get("strategy", "") is None:
        body.pop("strategy")
    body = {k: v for k, v in body.items() if not (k == "nature" and v is None)}
    response = Api(client, world.isp_a1).post(f"/engagements/{world.engagement_a.id}/modifications", body)
    assert response.status_code == 400, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and field in error["fields"]
    assert Modification.select().count() == 0
    assert PlanVersion.latest(world.engagement_a.id).number == 1


def test_api_a_recipient_reads_but_does_not_record(world, client):
    api = Api(client, world.recipient_a)
    url = f"/engagements/{world.engagement_a.id}/modifications"
    assert api.get(url).status_code == 200
    assert api.post(url, {**FRAME, "plan_item": world.item.id, "decided_on": today().isoformat()}).status_code == 403
    assert Api(client, world.isp_b).get(url).status_code == 404


def test_the_research_export_has_every_frame_is_field(app, world):
    _record(world, participants="isp,funder", decided_by="funder", reach="network", plan_effect="close", prompted=True)
    with app.app_context():
        [row] = research.collect()["modifications"]
        [with_notes] = research.collect(include_notes=True)["modifications"]
    columns = [c for c, *_ in research.CODEBOOK["modifications"]]
    named = dict(zip(columns, row, strict=True))
    assert (named["mod_strategy_key"], named["mod_nature"], named["mod_fidelity"]) == (
        world.strategy.key,
        "shortening",
        "consistent",
    )
    assert (named["mod_took_part_isp"], named["mod_took_part_team"], named["mod_took_part_funder"]) == ("1", "0", "1")
    assert (named["mod_decided_by"], named["mod_reach"], named["mod_plan_effect"], named["mod_prompted"]) == (
        "funder",
        "network",
        "close",
        "1",
    )
    assert named["mod_timing"] == "" and named["mod_description"] == ""  # free text only with --include-notes
    assert dict(zip(columns, with_notes, strict=True))["mod_description"] == FRAME["description"]
    codebook = {c: choices for c, _k, _m, choices in research.CODEBOOK["modifications"]}
    assert ("shortening", "Shortening") in codebook["mod_nature"]  # each key with its words


def test_the_demo_has_a_prompt_and_modifications_on_two_reference_engagements(app, as_user, seeded_demo):
    assert seeded_demo[0]
    for title in MODIFICATIONS:
        e = Engagement.get(Engagement.title == title)
        [(item, last, _due)] = [row for row in lapses(e.id) if row[0].start_date.year == 2026]
        assert last is None  # never logged since the item started
        recorded = Modification.of(e.id)
        assert sorted((m.prompted, m.plan_effect) for m in recorded) == [(False, "none"), (True, "close")]
        co_lead = EngagementISP.get((EngagementISP.engagement == e.id) & (EngagementISP.role == "co_lead")).user
        html = _page(as_user(co_lead), f"/engagements/{e.id}")
        assert f"<strong>{item.strategy.name}</strong> has not been logged since the item started on" in html
        assert html.count("/modifications/") >= 3  # two listed, one to record
