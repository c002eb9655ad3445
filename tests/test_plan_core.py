"""Implementation plans in the model layer (issue 19): month counting, planned sessions across part months,
lapses, one version per change, agreement by both co-leads and the team lead (asked again after a change),
and FRAME-IS modifications that close their plan item.
"""

import datetime as dt
import json

import pytest

from tracker.models import (
    Modification,
    PlanAgreement,
    PlanItem,
    PlanVersion,
    Strategy,
    ValidationError,
    add_months,
    agree_to_plan,
    change_plan,
    lapses,
    months_between,
    plan_agreement,
    record_modification,
)

from . import factories

D = dt.date


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (D(2026, 1, 15), D(2026, 3, 1), 1 + 14 / 28),  # to 15 Feb, then 14 of February's 28 days
        (D(2026, 1, 1), D(2026, 4, 1), 3.0),
        (D(2026, 1, 31), D(2026, 2, 28), 1.0),  # 31 Jan + 1 month = 28 Feb (the short month's last day)
        (D(2026, 3, 10), D(2026, 3, 25), 15 / 31),  # within one month: days over March's 31
        (D(2026, 5, 1), D(2026, 5, 1), 0.0),
        (D(2026, 5, 2), D(2026, 5, 1), 0.0),  # an end before the start counts nothing
    ],
)
def test_months_between_counts_whole_then_part_months(start, end, months):
    assert months_between(start, end) == pytest.approx(months)


def test_add_months_takes_fractions_as_a_share_of_the_next_month():
    assert add_months(D(2026, 1, 15), 2) == D(2026, 3, 15)
    assert add_months(D(2026, 2, 1), 0.5) == D(2026, 2, 15)  # half of February's 28 days
    assert add_months(D(2026, 1, 1), 6) == D(2026, 7, 1)


def _strategy(key_index=0):
    return Strategy.select().order_by(Strategy.id).offset(key_index).first()


def _world():
    isp1, isp2 = factories.user("isp"), factories.user("isp")
    e = factories.engagement(co_leads=[isp1, isp2], start=D(2026, 1, 5))
    return e, isp1, isp2


def test_planned_sessions_for_monthly_and_quarterly_items_across_part_months(app):
    """Monthly item 15 Jan -> (today) 1 Mar: 1.5 months x 1 = 1.5 sessions, x 60 min = 90 minutes.
    Quarterly item (1/3 a month) 5 Jan -> ends 20 May, read on 1 Jun: 5 Jan->5 May = 4 months, then
    15 of the 31 days from 5 May to 5 Jun -> 4 + 15/31 = 4.4839 months x 1/3 = 1.4946 sessions."""
    e, isp1, _ = _world()
    change_plan(
        e,
        isp1,
        add=[
            {
                "strategy": _strategy(0).id,
                "sessions_per_month": 1,
                "minutes_per_session": 60,
                "start_date": D(2026, 1, 15),
                "responsible_user": isp1.id,
            },
            {
                "strategy": _strategy(1).id,
                "sessions_per_month": 1 / 3,
                "minutes_per_session": 120,
                "start_date": D(2026, 1, 5),
                "end_date": D(2026, 5, 20),
                "responsible_user": isp1.id,
            },
        ],
    )
    monthly, quarterly = sorted(PlanItem.of(e.id), key=lambda i: i.sessions_per_month, reverse=True)
    assert monthly.planned_sessions(as_of=D(2026, 3, 1)) == pytest.approx(1.5)
    assert monthly.planned_minutes(as_of=D(2026, 3, 1)) == pytest.approx(90)
    assert quarterly.planned_sessions(as_of=D(2026, 6, 1)) == pytest.approx((4 + 15 / 31) / 3)
    assert quarterly.planned_minutes(as_of=D(2026, 6, 1)) == pytest.approx((4 + 15 / 31) / 3 * 120)


def test_each_change_is_one_version_with_who_and_a_snapshot(app):
    e, isp1, isp2 = _world()
    v1 = change_plan(
        e,
        isp1,
        add=[
            {
                "strategy": _strategy().id,
                "sessions_per_month": 1,
                "minutes_per_session": 60,
                "start_date": D(2026, 2, 1),
                "responsible_user": isp2.id,
            }
        ],
    )
    item = PlanItem.of(e.id)[0]
    v2 = change_plan(e, isp2, update=[(item, {"minutes_per_session": 90})], summary="Longer sessions.")
    v3 = change_plan(e, isp2, remove=[item])
    assert [v.number for v in PlanVersion.history(e.id)] == [3, 2, 1]
    assert (v1.changed_by_id, v2.changed_by_id) == (isp1.id, isp2.id)
    assert v1.summary == "1 item added."
    assert v2.summary == "Longer sessions."
    assert json.loads(v1.items)[0]["minutes_per_session"] == 60
    assert json.loads(v2.items)[0]["minutes_per_session"] == 90
    assert json.loads(v3.items) == []
    assert PlanItem.of(e.id) == []


def test_a_refused_row_changes_nothing(app):
    e, isp1, _ = _world()
    good = {
        "strategy": _strategy().id,
        "sessions_per_month": 1,
        "minutes_per_session": 60,
        "start_date": D(2026, 2, 1),
        "responsible_user": isp1.id,
    }
    bad = dict(good, sessions_per_month=0, responsible_user=None)
    with pytest.raises(ValidationError) as refused:
        change_plan(e, isp1, add=[good, bad])
    assert "sessions_per_month" in refused.value.errors["add-1"]
    assert "responsible" in refused.value.errors["add-1"]
    assert PlanItem.select().count() == 0 and PlanVersion.select().count() == 0
    outsider = factories.user("isp")
    with pytest.raises(ValidationError) as refused:
        change_plan(e, isp1, add=[dict(good, responsible_user=outsider.id)])
    assert refused.value.errors["responsible"] == "The responsible ISP must be one of the engagement's ISPs."


def test_agreement_needs_both_co_leads_and_the_team_lead_and_asks_again_after_a_change(app):
    e, isp1, isp2 = _world()
    recipient = factories.user("recipient", unit=e.unit)
    lead = factories.team_member(e, "Tess Lead", user=recipient, is_lead=True)
    change_plan(
        e,
        isp1,
        add=[
            {
                "strategy": _strategy().id,
                "sessions_per_month": 1,
                "minutes_per_session": 60,
                "start_date": D(2026, 2, 1),
                "responsible_member": lead.id,
            }
        ],
    )
    assert plan_agreement(e.id)["agreed"] is False
    agree_to_plan(e.id, isp1, "co_lead", version_number=1)
    agree_to_plan(e.id, isp2, "co_lead")
    assert plan_agreement(e.id)["agreed"] is False
    agree_to_plan(e.id, recipient, "team_lead")
    state = plan_agreement(e.id)
    assert state["agreed"] is True
    assert [(party, found.recorded_by_id) for party, _p, found in state["needed"]][-1] == ("team_lead", recipient.id)
    with pytest.raises(ValidationError):  # a recipient is not a co-lead
        agree_to_plan(e.id, recipient, "co_lead")

    change_plan(e, isp2, update=[(PlanItem.of(e.id)[0], {"sessions_per_month": 2})])
    assert plan_agreement(e.id)["agreed"] is False  # version 2 asks again
    with pytest.raises(ValidationError) as stale:
        agree_to_plan(e.id, isp1, "co_lead", version_number=1)
    assert "version 2" in stale.value.errors["__all__"]
    assert PlanAgreement.select().count() == 3  # version 1's agreements are kept


def test_lapse_after_two_planned_intervals_and_a_modification_answers_it(app):
    """Monthly item from 5 Jan, strategy last logged 10 Feb: lapsed from 10 Apr (two months on)."""
    e, isp1, _ = _world()
    strategy = _strategy()
    change_plan(
        e,
        isp1,
        add=[
            {
                "strategy": strategy.id,
                "sessions_per_month": 1,
                "minutes_per_session": 60,
                "start_date": D(2026, 1, 5),
                "responsible_user": isp1.id,
            }
        ],
    )
    factories.meeting(e, date=D(2026, 2, 10), strategies=[strategy.key])
    assert lapses(e.id, as_of=D(2026, 4, 9)) == []
    [(item, last, due)] = lapses(e.id, as_of=D(2026, 4, 10))
    assert (last, due) == (D(2026, 2, 10), D(2026, 4, 10))

    modification = record_modification(
        e,
        isp1,
        {
            "plan_item": item.id,
            "decided_on": D(2026, 4, 12),
            "description": "Moved to quarterly reviews.",
            "modified": "context_format",
            "nature": "shortening",
            "fidelity": "consistent",
            "goal": "aaf",
            "reason_level": "recipient",
            "participants": "isp,team",
            "decided_by": "team",
            "plan_effect": "close",
            "prompted": True,
        },
    )
    assert modification.strategy_id == strategy.id
    assert lapses(e.id, as_of=D(2026, 4, 20)) == []
    closed = PlanItem.get_by_id(item.id)
    assert closed.end_date == D(2026, 4, 12)
    assert PlanVersion.latest(e.id).number == 2  # closing the item is a change of plan
    assert Modification.of(e.id)[0].participant_labels == ["The ISPs", "The implementation team"]


def test_a_modification_is_refused_whole(app):
    e, isp1, _ = _world()
    with pytest.raises(ValidationError) as refused:
        record_modification(
            e,
            isp1,
            {
                "strategy": _strategy().id,
                "decided_on": D(2026, 2, 1),
                "description": "",
                "modified": "content",
                "nature": "bogus",
                "goal": "reach",
                "reason_level": "recipient",
                "plan_effect": "close",
            },
        )
    errors = refused.value.errors
    assert set(errors) >= {"description", "nature", "plan_effect"}
    assert Modification.select().count() == 0
