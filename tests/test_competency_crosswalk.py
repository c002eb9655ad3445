"""The competency crosswalk (issue 19): sessions logged with either framework count on the dashboards.

Hand-worked data (engagement A, admin, 5 meetings in March 2026):

    m1  2021: co-learning                              (its own framework)
    m2  2020: co-learning                              exact link -> 2021 co-learning
    m3  2020: co-learning AND 2021: co-learning        one session: counts once for 2021 co-learning
    m4  2020: understanding context                    approximate -> 2021 assess need and context
    m5  2020: communication                            approximate -> 2021 brokering AND address power
                                                       differentials: counts once in each

Shown with the 2021 framework (5 sessions):
    co-learning        m1 m2 m3 = 3 (0.6), approximate 0
    assess need ...    m4       = 1 (0.2), approximate 1 (only through an approximate link)
    brokering          m5       = 1 (0.2), approximate 1
    address power ...  m5       = 1 (0.2), approximate 1
    domains: co-creation m1 m2 m3 m5 = 4 (m5 once though it counts for two of its competencies),
             ongoing improvement m4 = 1, sustaining change 0.
Shown with the 2020 framework (the default):
    co-learning m1 m2 m3 = 3 (2021 co-learning links back, exact); understanding context m4 = 1 (its own);
    communication m5 = 1 (its own); 2020 brokering 0 (communication -> brokering does not count back).
"""

import datetime as dt
import json

import pytest

from tracker import catalog
from tracker.reports import competencies as report
from tracker.reports.filters import ReportFilters

from . import factories

D = dt.date(2026, 3, 2)


@pytest.fixture
def world(demo):
    e = demo.engagement_a
    for n, keys in enumerate(
        [
            ["s21_co_learning"],
            ["p20_co_learning"],
            ["p20_co_learning", "s21_co_learning"],
            ["p20_understanding_context"],
            ["p20_communication"],
        ]
    ):
        factories.meeting(e, D + dt.timedelta(days=n), keys)
    return demo


def used(user, **kw):
    data = report.competencies_used(ReportFilters(user=user, **kw))
    return data, {
        c["key"]: (c["meetings"], c["share"], c["approximate"]) for c in data["competencies"] if c["meetings"]
    }


def test_counts_per_2021_competency(world):
    data, counts = used(world.admin, framework="isp_competencies_2021")
    assert data["total_meetings"] == 5
    assert counts == {
        "s21_co_learning": (3, 0.6, 0),
        "s21_assess_need_and_context": (1, 0.2, 1),
        "s21_brokering": (1, 0.2, 1),
        "s21_address_power_differentials": (1, 0.2, 1),
    }
    assert {d["key"]: d["meetings"] for d in data["domains"]} == {
        "co_creation_engagement": 4,
        "ongoing_improvement": 1,
        "sustaining_change": 0,
    }


def test_counts_per_2020_competency(world):
    _data, counts = used(world.admin)
    assert counts == {
        "p20_co_learning": (3, 0.6, 0),
        "p20_understanding_context": (1, 0.2, 0),
        "p20_communication": (1, 0.2, 0),
    }


def test_the_page_marks_approximate_counts(world, as_user):
    html = as_user(world.admin).get("/reports/competencies?framework=isp_competencies_2021").get_data(as_text=True)
    assert 'id="crosswalk-note"' in html
    assert "Brokering (1 of 1), Address power differentials (1 of 1), Assess need and context (1 of 1)." in html
    assert html.count('class="footnote-ref"') == 3


def test_the_crosswalk_is_data_with_its_source():
    walk = catalog.crosswalk()
    assert "Metz" in walk["source"] and "doi:10.1080/23303131.2021.1895401" in walk["source"]
    assert len(walk["links"]) == 16  # every 2020 competency once, communication twice
    assert {link["match"] for link in walk["links"]} == {"exact", "approximate"}


def test_a_broken_crosswalk_is_refused(monkeypatch):
    real_read = catalog.read
    broken = json.loads(json.dumps(real_read("crosswalk")))
    broken["links"][0]["to"] = "s21_nope"
    monkeypatch.setattr(catalog, "read", lambda name: broken if name == "crosswalk" else real_read(name))
    catalog.crosswalk.cache_clear()
    try:
        with pytest.raises(ValueError, match="bad link"):
            catalog.crosswalk()
    finally:
        monkeypatch.undo()
        catalog.crosswalk.cache_clear()
