"""JSON API: the implementation plan (issue 19). GET and POST /engagements/<id>/plan, GET, PATCH and DELETE
/plan-items/<id>: each write one version; bad input 400 with nothing written; the engagement's access rules."""

from tracker.models import PlanItem, PlanVersion, Stage, Strategy, StrategyCluster, agree_to_plan

from . import factories
from .api_helpers import Api


def _strategy_key(isp_activity=False):
    op = StrategyCluster.key == StrategyCluster.ISP_ACTIVITIES
    return Strategy.select().join(StrategyCluster).where(op if isp_activity else ~op).order_by(Strategy.id).first().key


def _body(demo, **extra):
    return {
        "strategy": _strategy_key(),
        "sessions_per_month": 1,
        "minutes_per_session": 60,
        "start_date": "2026-02-01",
        "responsible": {"isp": demo.isp_a1.id},
        **extra,
    }


def test_post_adds_an_item_with_its_location_and_get_shows_the_plan(client, demo):
    api = Api(client, demo.isp_a1)
    member = factories.team_member(demo.engagement_a, name="Maya Chen")
    stage = Stage.ordered().first()
    response = api.post(
        f"/engagements/{demo.engagement_a.id}/plan",
        _body(
            demo,
            strategy=_strategy_key(isp_activity=True),
            sessions_per_month=0.33,
            stage=stage.key,
            responsible={"team_member": member.id},
        ),
    )
    assert response.status_code == 201, response.get_json()
    item = response.get_json()
    assert response.headers["Location"] == f"/api/v1/plan-items/{item['id']}"
    assert item["responsible"] == {"team_member": member.id, "name": "Maya Chen"}
    assert (item["frequency"], item["stage"], item["goal"]) == ("quarterly", stage.key, None)
    plan = api.get(f"/engagements/{demo.engagement_a.id}/plan").get_json()
    assert plan["version"] == 1 and plan["agreed"] is False
    assert [i["id"] for i in plan["items"]] == [item["id"]]
    assert api.get(f"/plan-items/{item['id']}").get_json()["strategy"] == _strategy_key(isp_activity=True)


def test_an_empty_plan_has_no_version(client, demo):
    plan = Api(client, demo.recipient_a).get(f"/engagements/{demo.engagement_a.id}/plan").get_json()
    assert plan == {"version": None, "agreed": False, "items": []}


def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(client, demo):
    api = Api(client, demo.isp_a1)
    url = f"/engagements/{demo.engagement_a.id}/plan"
    cases = [
        (_body(demo, strategy="no_such_strategy"), "strategy"),
        (_body(demo, sessions_per_month=0), "sessions_per_month"),
        (_body(demo, minutes_per_session="60"), "minutes_per_session"),
        (_body(demo, responsible={"isp": demo.isp_a1.id, "team_member": 1}), "responsible"),
        (_body(demo, responsible={"isp": demo.isp_none.id}), "responsible"),  # not an ISP of the engagement
        (_body(demo, end_date="2026-01-01"), "end_date"),
        (_body(demo, colour="red"), "colour"),
    ]
    for body, field in cases:
        response = api.post(url, body)
        assert response.status_code == 400, (field, response.get_json())
        error = response.get_json()["error"]
        assert error["code"] == "validation_error" and any(name.startswith(field) for name in error["fields"]), (
            field,
            error,
        )
    assert PlanItem.select().count() == 0 and PlanVersion.select().count() == 0


def test_patch_and_delete_each_make_a_version_and_ask_for_agreement_again(client, demo):
    api = Api(client, demo.isp_a1)
    lead = factories.team_member(demo.engagement_a, name="Tess Lead", is_lead=True)
    item_id = api.post(f"/engagements/{demo.engagement_a.id}/plan", _body(demo)).get_json()["id"]
    for user in (demo.isp_a1, demo.isp_a2):
        agree_to_plan(demo.engagement_a.id, user, "co_lead", 1)
    agree_to_plan(demo.engagement_a.id, demo.isp_a1, "team_lead", 1, team_member=lead)
    assert api.get(f"/engagements/{demo.engagement_a.id}/plan").get_json()["agreed"] is True
    response = api.patch(f"/plan-items/{item_id}", {"minutes_per_session": 90, "responsible": {"isp": demo.isp_a2.id}})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["minutes_per_session"] == 90
    assert response.get_json()["responsible"]["isp"] == demo.isp_a2.id
    plan = api.get(f"/engagements/{demo.engagement_a.id}/plan").get_json()
    assert (plan["version"], plan["agreed"]) == (2, False)
    refused = api.patch(f"/plan-items/{item_id}", {"sessions_per_month": 40})
    assert refused.status_code == 400
    assert PlanVersion.select().count() == 2  # nothing written
    assert api.delete(f"/plan-items/{item_id}").status_code == 204
    assert api.get(f"/plan-items/{item_id}").status_code == 404
    plan = api.get(f"/engagements/{demo.engagement_a.id}/plan").get_json()
    assert (plan["version"], plan["items"]) == (3, [])


def test_the_engagement_access_rules(client, demo):
    item = factories.plan_item(demo.engagement_a, demo.isp_a1)
    url = f"/engagements/{demo.engagement_a.id}/plan"
    assert Api(client, demo.recipient_a).get(url).status_code == 200
    assert Api(client, demo.recipient_b).get(url).status_code == 404
    assert Api(client).get(url).status_code == 401
    assert Api(client, demo.recipient_a).post(url, _body(demo)).status_code == 403
    assert (
        Api(client, demo.leader_foundation).patch(f"/plan-items/{item.id}", {"minutes_per_session": 5}).status_code
        == 403
    )
    assert Api(client, demo.isp_b).delete(f"/plan-items/{item.id}").status_code == 404
    assert Api(client, demo.isp_a1).get("/plan-items/999999").status_code == 404
    assert PlanItem.get_by_id(item.id).minutes_per_session == 60 and PlanItem.get_by_id(item.id).deleted_at is None
