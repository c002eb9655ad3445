"""Issue 22, the recipients' pathway across engagements: for all engagements in scope, by unit and by model
of support (reports/feedback.pathway_across), on its page, its CSV and the API, under the disclosure rule
(docs/disclosure.md).

The data set, hand-worked (small_world; every response a full survey, answered on 10 Feb 2026):
- Engagement A (Unit A, push): trust 2, 3, 4 and AIM 4, 4, 5: one release of three on each scale:
  trust 9/3 = 3.00, acceptance (AIM) 13/3 = 4.33, n 3.
- Engagement B (Unit B, co-creation): trust 5, 5, 5 and AIM 2, 2, 2: trust 5.00, acceptance 2.00, n 3.
- Engagement C (Unit C, of the other funder, co-creation): two responses, trust 1: pending (a release
  needs three), so in no group at all.
The portfolio (a reader of all three): trust (9 + 15) / 6 = 4.00, acceptance (13 + 6) / 6 = 19/6 = 3.17,
n 6: exactly A and B, so nothing can be subtracted back to C's two answers; Unit C shows "not enough
responses". Once a third response in C (trust 1) is released: C trust 3/3 = 1.00 n 3, portfolio
(24 + 3) / 9 = 3.00 n 9. Co-creation (B and C): trust (15 + 3) / 6 = 3.00.
"""

import csv
import datetime as dt
import io

import pytest

from tracker.models import Engagement
from tracker.reports import feedback as report
from tracker.reports.filters import ReportFilters

from .api_helpers import Api
from .feedback_helpers import full, respond

ON = dt.date(2026, 2, 10)


@pytest.fixture
def world(demo):
    Engagement.update(support_model="push").where(Engagement.id == demo.engagement_a.id).execute()
    Engagement.update(support_model="co_creation").where(
        Engagement.id.in_([demo.engagement_b.id, demo.engagement_c.id])
    ).execute()
    for trust, aim in ((2, 4), (3, 4), (4, 5)):
        respond(demo.engagement_a, full(trust=trust, aim=aim), on=ON)
    for _ in range(3):
        respond(demo.engagement_b, full(trust=5, aim=2), on=ON)
    for _ in range(2):
        respond(demo.engagement_c, full(trust=1), on=ON)
    return demo


def step(group, key):
    return next(s for s in group["steps"] if s["key"] == key)


def by_name(groups):
    return {g["name"]: g for g in groups}


def test_hand_worked_pathway_over_two_engagements(world):
    data = report.pathway_across(ReportFilters(user=world.leader_all))
    all_ = data["portfolio"]
    assert data["engagements"] == 3 and all_["engagements"] == 3
    assert step(all_, "trust")["mean"] == pytest.approx(4.0) and step(all_, "trust")["n"] == 6
    assert step(all_, "acceptance")["mean"] == pytest.approx(19 / 6) and step(all_, "acceptance")["n"] == 6
    assert step(all_, "knowledge")["suppressed"] and step(all_, "knowledge")["n"] == 0  # nobody answered it
    units = by_name(data["by_unit"])
    assert step(units["Unit A"], "trust")["mean"] == pytest.approx(3.0)
    assert step(units["Unit A"], "acceptance")["mean"] == pytest.approx(13 / 3)
    assert step(units["Unit B"], "trust")["mean"] == pytest.approx(5.0)
    models = by_name(data["by_model"])
    assert list(models) == ["Push", "Co-creation"]  # models with engagements in scope, in catalog order
    assert step(models["Push"], "trust")["mean"] == pytest.approx(3.0)
    assert (
        step(models["Co-creation"], "trust")["mean"] == pytest.approx(5.0)
        and step(models["Co-creation"], "trust")["n"] == 3
    )
    # The dates are those of the release: a window ending before 10 Feb holds nothing.
    early = report.pathway_across(ReportFilters(user=world.leader_all, end=dt.date(2026, 2, 9)))
    assert step(early["portfolio"], "trust")["suppressed"] and step(early["portfolio"], "trust")["n"] == 0


def test_the_portfolio_pathway_respects_the_disclosure_rule(world, as_user):
    """Unit C has two answers (fewer than three released): no figure for it, and the portfolio's figure is
    A's and B's alone, so portfolio x n minus the units shown recovers nobody."""
    data = report.pathway_across(ReportFilters(user=world.leader_all))
    unit_c = step(by_name(data["by_unit"])["Unit C"], "trust")
    assert unit_c == {"key": "trust", "name": "Trusting relationships", "mean": None, "n": 0,
                      "suppressed": True, "label": ""}  # fmt: skip
    portfolio = step(data["portfolio"], "trust")
    shown = [step(u, "trust") for u in data["by_unit"] if not step(u, "trust")["suppressed"]]
    assert portfolio["n"] == sum(c["n"] for c in shown) == 6
    assert portfolio["n"] * portfolio["mean"] - sum(c["n"] * c["mean"] for c in shown) == pytest.approx(0)
    # Nor through the models: co-creation (B and C) is B's figure alone.
    co = step(by_name(data["by_model"])["Co-creation"], "trust")
    assert (co["mean"], co["n"]) == (pytest.approx(5.0), 3)
    page = as_user(world.leader_all).get("/reports/pathway").get_data(as_text=True)
    row_c = page.split('<th scope="row">Unit C</th>')[1].split("</tr>")[0]
    assert "not enough responses" in row_c and "1.00" not in row_c
    # A third answer completes a release of three: the figures change by three people at once.
    respond(world.engagement_c, full(trust=1), on=ON)
    data = report.pathway_across(ReportFilters(user=world.leader_all))
    assert (step(by_name(data["by_unit"])["Unit C"], "trust")["mean"], step(data["portfolio"], "trust")["n"]) == (
        pytest.approx(1.0),
        9,
    )
    assert step(data["portfolio"], "trust")["mean"] == pytest.approx(27 / 9)
    assert step(by_name(data["by_model"])["Co-creation"], "trust")["mean"] == pytest.approx(18 / 6)


def test_page_and_csv(world, as_user):
    client = as_user(world.leader_foundation)  # reads units A and B, not C of the other funder
    page = client.get("/reports/pathway")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-export="pathway"' in html and "/reports/pathway.csv" in html
    assert "Unit C" not in html and "Unit A" in html
    body = client.get(f"/reports/pathway.csv?unit_id={world.unit_a.id}")
    assert body.status_code == 200
    rows = list(csv.DictReader(io.StringIO(body.get_data(as_text=True).lstrip("\ufeff"))))
    trust = [r for r in rows if r["step"] == "trust"]
    assert [(r["group"], r["group_name"], r["mean"], r["n"]) for r in trust] == [
        ("portfolio", "All engagements in scope", "3.0", "3"),
        ("unit", "Unit A", "3.0", "3"),
        ("model", "Push", "3.0", "3"),
    ]
    knowledge = next(r for r in rows if r["step"] == "knowledge" and r["group"] == "portfolio")
    assert knowledge["mean"] == "" and knowledge["note"].startswith("not enough responses")
    empty = as_user(world.leader_foundation).get("/reports/pathway?support_model=push_pull")
    assert "No engagements match these filters." in empty.get_data(as_text=True)


def test_api_by_unit_by_model_and_for_the_portfolio(world, client):
    api = Api(client, world.leader_all)
    whole = api.get("/reports/pathway")
    assert whole.status_code == 200
    body = whole.get_json()
    assert step(body["portfolio"], "trust")["mean"] == pytest.approx(4.0) and body["min_responses"] == 3
    assert {u["name"] for u in body["by_unit"]} == {"Unit A", "Unit B", "Unit C"}
    one_unit = api.get("/reports/pathway", unit_id=world.unit_b.id).get_json()
    assert [u["id"] for u in one_unit["by_unit"]] == [world.unit_b.id]
    assert step(one_unit["portfolio"], "acceptance")["mean"] == pytest.approx(2.0)
    model = api.get("/reports/pathway", support_model="co_creation").get_json()
    assert [m["key"] for m in model["by_model"]] == ["co_creation"] and model["engagements"] == 2
    assert step(model["portfolio"], "trust")["mean"] == pytest.approx(5.0)  # C's two answers: in no group
    bad = api.get("/reports/pathway", support_model="pull")
    assert bad.status_code == 400 and "support_model" in str(bad.get_json())
    assert api.get("/reports/pathway", unit_id="").status_code == 400
    # The engagement form of the feedback report still answers one engagement.
    one = api.get("/reports/feedback", engagement_id=world.engagement_a.id)
    assert one.status_code == 200 and one.get_json()["scale_scores"]["trust"]["mean"] == pytest.approx(3.0)
    # A recipient reads their unit's engagements only.
    mine = Api(client, world.recipient_a).get("/reports/pathway").get_json()
    assert [u["name"] for u in mine["by_unit"]] == ["Unit A"]


def test_engagements_without_released_feedback_say_so(demo, as_user):
    html = as_user(demo.leader_foundation).get("/reports/pathway").get_data(as_text=True)
    assert "No feedback released yet for these engagements." in html and "not enough responses" in html
