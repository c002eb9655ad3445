"""GET /api/v1/reports/workload (issue 22): the hand-worked figures of tests/test_workload.py, its shape, bad
dates and who may read it."""

import datetime as dt

from tracker.models import today

from .api_helpers import Api
from .test_team_report import worked_world


def test_the_hand_worked_figures_in_the_contract_shape(app, client):
    w = worked_world()
    response = Api(client, w.leader_centre).get("/reports/workload", start="2026-02-01", end="2026-03-31")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert list(body) == ["isps"]
    assert [r["name"] for r in body["isps"]] == ["Ada ISP", "Ben ISP", "Cai ISP", "Dee ISP"]
    ada = body["isps"][0]
    for key in ("id", "name", "engagements_led", "engagements_supporting", "minutes", "capacity_minutes"):
        assert key in ada
    # Ada: co-leads A and C, supports B; 2 x 60 (meetings) + 30 (activity) in February
    assert (ada["id"], ada["engagements_led"], ada["engagements_supporting"]) == (w.isp_a1.id, 2, 1)
    assert (ada["minutes"], ada["capacity_minutes"]) == (150, 2400)
    assert ada["minutes_by_month"] == {"2026-02": 150, "2026-03": 0}
    assert body["isps"][2]["minutes_by_month"] == {"2026-02": 0, "2026-03": 45}  # Cai logged C's meeting


def test_bad_dates_are_400_with_the_envelope(app, client):
    w = worked_world()
    api = Api(client, w.admin)
    later = (today() + dt.timedelta(days=40)).isoformat()
    for params in (
        {"start": "2026-13-01"},
        {"end": ""},
        {"start": "2026-03-01", "end": "2026-02-01"},
        {"start": later},
    ):
        response = api.get("/reports/workload", **params)
        assert response.status_code == 400, params
        assert response.get_json()["error"]["code"] == "validation_error"


def test_recipients_and_isps_may_not_and_leaders_read_their_organization(app, client):
    w = worked_world()
    for user in (w.isp_a1, w.recipient_a):
        assert Api(client, user).get("/reports/workload").status_code == 403
    assert Api(client).get("/reports/workload").status_code == 401
    assert Api(client, w.leader_foundation).get("/reports/workload").get_json() == {"isps": []}
