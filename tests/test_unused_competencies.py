"""Recipients no longer see which competencies each ISP never used (issue 19): the ISP x competency
matrix (its zero cells), the API's `never` and the CSV's zero rows are for ISPs, leaders and admins
(policy.can_see_unused_competencies).

Data: engagement A (unit A) has one meeting, 3 Feb 2026, logged by Ada with co-learning (2020
framework). Ada's row: 1 session; co-learning 1, the other 14 competencies 0 (never used)."""

import datetime as dt

import pytest

from tracker import policy

from . import factories
from .api_helpers import Api


@pytest.fixture
def world(demo):
    factories.meeting(demo.engagement_a, dt.date(2026, 2, 3), ["p20_co_learning"], logged_by=demo.isp_a1)
    return demo


def test_the_rule(world):
    assert not policy.can_see_unused_competencies(world.recipient_a)
    assert policy.can_see_unused_competencies(world.isp_a1) and policy.can_see_unused_competencies(world.leader_all)


def test_page(world, as_user):
    recipient = as_user(world.recipient_a).get("/reports/competencies").get_data(as_text=True)
    assert "Co-learning" in recipient  # the competencies used are shown
    assert 'id="isp-matrix"' not in recipient and "competencies-by-isp" not in recipient
    isp = as_user(world.isp_a1).get("/reports/competencies").get_data(as_text=True)
    assert 'id="isp-matrix"' in isp and '<span class="cell-n">0</span>' in isp


def test_api(world, client):
    recipient = Api(client, world.recipient_a).get("/reports/competencies").get_json()["items"]
    assert recipient == [{"id": world.isp_a1.id, "name": "Ada ISP", "meetings": 1, "counts": {"p20_co_learning": 1}}]
    isp = Api(client, world.isp_a1).get("/reports/competencies").get_json()["items"]
    assert len(isp[0]["never"]) == 14 and len(isp[0]["counts"]) == 15


def test_csv(world, as_user):
    def rows(user):
        text = as_user(user).get("/reports/competencies-by-isp.csv").get_data(as_text=True).lstrip("\ufeff")
        return text.strip().splitlines()[1:]

    assert rows(world.recipient_a) == ["Ada ISP,1,p20_co_learning,Co-learning,1"]
    assert len(rows(world.isp_a1)) == 15  # one per competency of the framework, 14 of them 0
