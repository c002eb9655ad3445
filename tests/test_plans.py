"""The implementation plan in the browser (issue 19): the plan page, its items (add, edit, remove with
refusals next to the field and the input kept), the history of versions, the agreement by both co-leads
and the recipient team lead (a stale version refused), a recipient's read-only page, the team lead rule.

On factories.small_world(): engagement A is co-led by isp_a1 and isp_a2; recipient_a is of A's unit.
"""

import datetime as dt

from tracker import research
from tracker.models import (
    PlanAgreement,
    PlanItem,
    PlanVersion,
    Strategy,
    StrategyCluster,
    TeamMember,
    agree_to_plan,
    change_plan,
)

from . import factories
from .conftest import field_error, post_form

D = dt.date


def plan_url(e, tail=""):
    return f"/engagements/{e.id}/plan{tail}"


def _strategy(isp_activity=False):
    query = Strategy.select().join(StrategyCluster)
    if isp_activity:
        query = query.where(StrategyCluster.key == StrategyCluster.ISP_ACTIVITIES)
    else:
        query = query.where(StrategyCluster.key != StrategyCluster.ISP_ACTIVITIES)
    return query.order_by(Strategy.id).first()


def _item_form(strategy, responsible, **extra):
    return {
        "strategy": str(strategy.id),
        "goal": "",
        "stage": "",
        "sessions_per_month": "1",
        "minutes_per_session": "60",
        "start_date": "2026-02-01",
        "end_date": "",
        "responsible": responsible,
        **extra,
    }


def _lead(demo, user=None):
    return factories.team_member(demo.engagement_a, name="Tess Lead", is_lead=True, user=user)


def _one_item_plan(demo, by=None):
    change_plan(
        demo.engagement_a,
        by or demo.isp_a1,
        add=[
            {
                "strategy": _strategy().id,
                "sessions_per_month": 1,
                "minutes_per_session": 60,
                "start_date": D(2026, 2, 1),
                "responsible_user": demo.isp_a1.id,
            }
        ],
    )
    return PlanItem.of(demo.engagement_a.id)[0]


def test_empty_plan_page_and_engagement_section_invite_an_editor_to_build_it(demo, as_user):
    client = as_user(demo.isp_a1)
    html = client.get(plan_url(demo.engagement_a)).get_data(as_text=True)
    assert "No implementation plan yet." in html
    assert f'href="{plan_url(demo.engagement_a, "/items/new")}"' in html
    page = client.get(f"/engagements/{demo.engagement_a.id}").get_data(as_text=True)
    assert "No implementation plan yet." in page
    assert "Build the implementation plan" in page


def test_item_form_groups_strategies_and_offers_isps_and_team_members(demo, as_user):
    member = factories.team_member(demo.engagement_a, name="Maya Chen")
    html = as_user(demo.isp_a1).get(plan_url(demo.engagement_a, "/items/new")).get_data(as_text=True)
    assert '<optgroup label="ISP activities">' in html
    assert '<optgroup label="ERIC: ' in html
    assert f'value="user-{demo.isp_a1.id}"' in html
    assert f'value="member-{member.id}"' in html
    assert "1 = monthly, 0.33 = quarterly, 4 = weekly" in html
    assert f'value="{dt.date.today().isoformat()}"' in html  # start defaults to today


def test_add_an_item_makes_version_one_shown_in_the_table_and_history(demo, as_user):
    client = as_user(demo.isp_a1)
    activity = _strategy(isp_activity=True)
    member = factories.team_member(demo.engagement_a, name="Maya Chen")
    response = post_form(client, plan_url(demo.engagement_a, "/items/new"), _item_form(activity, f"member-{member.id}"))
    assert response.status_code == 302
    item = PlanItem.get(PlanItem.engagement == demo.engagement_a.id)
    assert (item.strategy_id, item.responsible_member_id, item.responsible_user_id) == (activity.id, member.id, None)
    html = client.get(plan_url(demo.engagement_a)).get_data(as_text=True)
    assert activity.name in html and "Monthly" in html and "Maya Chen" in html
    assert "Version 1" in html and f"Added {activity.name}." in html
    assert "I agree to version 1" in html  # isp_a1 is a co-lead who has not agreed


def test_refusals_are_shown_next_to_the_field_with_the_input_kept(demo, as_user):
    client = as_user(demo.isp_a1)
    strategy = _strategy()
    response = post_form(
        client,
        plan_url(demo.engagement_a, "/items/new"),
        _item_form(strategy, "", sessions_per_month="0", end_date="2026-01-01", minutes_per_session="45"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error(html, "responsible") == "Choose who is responsible: one ISP or one team member."
    assert "more than 0" in field_error(html, "sessions_per_month")
    assert field_error(html, "end_date") == "The end date cannot be before the start date."
    assert 'value="45"' in html  # typed input kept
    assert f'<option selected value="{strategy.id}">' in html
    assert PlanItem.select().count() == 0 and PlanVersion.select().count() == 0


def test_an_isp_of_another_engagement_is_refused_as_responsible(demo, as_user):
    response = post_form(
        as_user(demo.isp_a1),
        plan_url(demo.engagement_a, "/items/new"),
        _item_form(_strategy(), f"user-{demo.isp_none.id}"),
    )
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "responsible") == (
        "The responsible ISP must be one of the engagement's ISPs."
    )


def test_edit_and_remove_each_make_a_version(demo, as_user):
    client = as_user(demo.isp_a2)
    item = _one_item_plan(demo)
    form = client.get(plan_url(demo.engagement_a, f"/items/{item.id}/edit")).get_data(as_text=True)
    assert f'<option selected value="user-{demo.isp_a1.id}">' in form
    data = _item_form(item.strategy, f"user-{demo.isp_a2.id}", sessions_per_month="0.33", minutes_per_session="90")
    assert post_form(client, plan_url(demo.engagement_a, f"/items/{item.id}/edit"), data).status_code == 302
    item = PlanItem.get_by_id(item.id)
    assert (item.sessions_per_month, item.minutes_per_session, item.responsible_user_id) == (0.33, 90, demo.isp_a2.id)
    assert item.frequency_label == "quarterly"
    confirm = client.get(plan_url(demo.engagement_a, f"/items/{item.id}/remove"))
    assert confirm.status_code == 200 and "Remove the item" in confirm.get_data(as_text=True)
    assert PlanItem.get_by_id(item.id).deleted_at is None  # the GET only asks
    assert post_form(client, plan_url(demo.engagement_a, f"/items/{item.id}/remove"), {}).status_code == 302
    assert PlanItem.of(demo.engagement_a.id) == []
    versions = PlanVersion.history(demo.engagement_a.id)
    assert [v.number for v in versions] == [3, 2, 1]
    assert versions[0].summary == f"Removed {item.strategy.name}."
    assert versions[1].changed_by_id == demo.isp_a2.id
    assert versions[1].summary == f"Changed {item.strategy.name}: frequency, minutes per session, who is responsible."
    html = client.get(plan_url(demo.engagement_a)).get_data(as_text=True)
    assert html.count("<details>") == 3 and "No items in this version." in html


def test_both_co_leads_and_the_recipient_team_lead_agree_then_a_change_asks_again(demo, as_user):
    lead = _lead(demo, user=demo.recipient_a)
    _one_item_plan(demo)
    for user, party in ((demo.isp_a1, "co_lead"), (demo.isp_a2, "co_lead"), (demo.recipient_a, "team_lead")):
        client = as_user(user)
        html = client.get(plan_url(demo.engagement_a)).get_data(as_text=True)
        assert "I agree to version 1" in html
        response = post_form(client, plan_url(demo.engagement_a, "/agree"), {"version": "1", "party": party})
        assert response.status_code == 302
    assert PlanAgreement.select().count() == 3
    assert PlanAgreement.get(PlanAgreement.party == "team_lead").team_member_id == lead.id
    page = as_user(demo.isp_a1).get(f"/engagements/{demo.engagement_a.id}").get_data(as_text=True)
    assert "Agreed by all three" in page
    # the plan changes: version 2 asks everyone again
    item = PlanItem.of(demo.engagement_a.id)[0]
    post_form(
        as_user(demo.isp_a1),
        plan_url(demo.engagement_a, f"/items/{item.id}/edit"),
        _item_form(item.strategy, f"user-{demo.isp_a1.id}", minutes_per_session="30"),
    )
    html = as_user(demo.isp_a2).get(plan_url(demo.engagement_a)).get_data(as_text=True)
    assert "The plan changed since it was last agreed" in html
    assert "I agree to version 2" in html
    page = as_user(demo.isp_a2).get(f"/engagements/{demo.engagement_a.id}").get_data(as_text=True)
    assert f"Awaiting agreement: {demo.isp_a1.name}, {demo.isp_a2.name}, Tess Lead" in page or (
        f"Awaiting agreement: {demo.isp_a2.name}, {demo.isp_a1.name}, Tess Lead" in page
    )


def test_agreeing_to_a_version_no_longer_current_is_refused(demo, as_user):
    item = _one_item_plan(demo)
    change_plan(demo.engagement_a, demo.isp_a2, update=[(item, {"minutes_per_session": 30})])
    response = post_form(
        as_user(demo.isp_a1), plan_url(demo.engagement_a, "/agree"), {"version": "1", "party": "co_lead"}
    )
    assert response.status_code == 409
    assert "The plan changed (now version 2) since you read it: read it again." in response.get_data(as_text=True)
    assert PlanAgreement.select().count() == 0


def test_a_co_lead_records_the_team_leads_agreement_given_in_a_meeting(demo, as_user):
    lead = _lead(demo)  # no account
    _one_item_plan(demo)
    client = as_user(demo.isp_a1)
    assert "Record the team lead&#39;s agreement given in a meeting" in client.get(
        plan_url(demo.engagement_a)
    ).get_data(as_text=True)
    response = post_form(client, plan_url(demo.engagement_a, "/agree"), {"version": "1", "party": "team_lead"})
    assert response.status_code == 302
    given = PlanAgreement.get(PlanAgreement.party == "team_lead")
    assert (given.team_member_id, given.recorded_by_id, given.user_id) == (lead.id, demo.isp_a1.id, None)


def test_a_recipient_reads_the_plan_without_editing_and_only_the_team_lead_agrees(demo, as_user):
    _one_item_plan(demo)
    reader = as_user(demo.recipient_a)
    html = reader.get(plan_url(demo.engagement_a)).get_data(as_text=True)
    assert _strategy().name in html
    assert "Add an item" not in html and "/edit" not in html and "I agree" not in html
    assert "mark a member of the implementation team" not in html
    assert reader.get(plan_url(demo.engagement_a, "/items/new")).status_code == 403
    refused = post_form(reader, plan_url(demo.engagement_a, "/agree"), {"version": "1", "party": "team_lead"})
    assert refused.status_code == 403
    assert as_user(demo.recipient_b).get(plan_url(demo.engagement_a)).status_code == 404
    _lead(demo, user=demo.recipient_a)
    assert "I agree to version 1" in reader.get(plan_url(demo.engagement_a)).get_data(as_text=True)


def test_without_a_team_lead_the_panel_asks_to_mark_one(demo, as_user):
    _one_item_plan(demo)
    html = as_user(demo.isp_a1).get(plan_url(demo.engagement_a)).get_data(as_text=True)
    assert "mark a member of the implementation team as team lead" in html


def test_marking_a_team_lead_unmarks_the_one_before(demo, as_user):
    first = _lead(demo)
    client = as_user(demo.isp_a1)
    response = post_form(
        client,
        f"/engagements/{demo.engagement_a.id}/team/new",
        {"name": "Sam Second", "position": "manager", "email": "", "joined_on": "2026-01-12", "is_lead": "y"},
    )
    assert response.status_code == 302
    second = TeamMember.get(TeamMember.name == "Sam Second")
    assert second.is_lead and not TeamMember.get_by_id(first.id).is_lead
    assert TeamMember.lead_of(demo.engagement_a.id).id == second.id
    html = client.get(f"/engagements/{demo.engagement_a.id}").get_data(as_text=True)
    assert html.count("Team lead</span>") == 1


def test_the_research_export_has_plan_items_and_versions(app, demo):
    """Engagement A: a monthly ERIC strategy (version 1, 1 item), then an ISP activity quarterly with a team
    member responsible (version 2, 2 items), agreed by both co-leads and the team lead; removing the ERIC item
    makes version 3 (1 item), not agreed. plan_items.csv: the one live item, 1/3 a month = 0.3333;
    plan_versions.csv: agreed_by_all 0, 1, 0."""

    lead = _lead(demo)
    member = factories.team_member(demo.engagement_a, name="Maya Chen")
    factories.plan_item(demo.engagement_a, demo.isp_a1)
    activity = factories.plan_item(
        demo.engagement_a,
        demo.isp_a1,
        strategy=_strategy(isp_activity=True),
        sessions_per_month=1 / 3,
        responsible_user=None,
        responsible_member=member.id,
        start_date=D(2026, 3, 2),
    )
    for user in (demo.isp_a1, demo.isp_a2):
        agree_to_plan(demo.engagement_a.id, user, "co_lead", 2)
    agree_to_plan(demo.engagement_a.id, demo.isp_a1, "team_lead", 2, team_member=lead)
    first = PlanItem.of(demo.engagement_a.id)[0]
    change_plan(demo.engagement_a, demo.isp_a2, remove=[first])
    with app.app_context():
        data = research.collect()
    items = [
        dict(zip([c for c, *_ in research.CODEBOOK["plan_items"]], row, strict=True)) for row in data["plan_items"]
    ]
    assert items == [
        {
            "engagement_id": demo.engagement_a.id,
            "plan_item_id": activity.id,
            "plan_strategy_key": _strategy(isp_activity=True).key,
            "plan_strategy_kind": "isp_activity",
            "plan_goal_id": "",
            "plan_stage_key": "",
            "item_start_date": "2026-03-02",
            "item_end_date": "",
            "sessions_per_month": 0.3333,
            "minutes_per_session": 60,
            "responsible_kind": "team_member",
        }
    ]
    columns = [c for c, *_ in research.CODEBOOK["plan_versions"]]
    versions = [dict(zip(columns, row, strict=True)) for row in data["plan_versions"]]
    assert [(v["plan_version"], v["version_items"], v["agreed_by_all"]) for v in versions] == [
        (1, 1, "0"),
        (2, 2, "1"),
        (3, 1, "0"),
    ]
