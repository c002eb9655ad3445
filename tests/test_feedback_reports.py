"""Feedback reports: scores on hand-worked examples (missing items included), the minimum-count rule,
the pathway, the response rate, the feedback page and its CSV export, access and anonymity."""

import csv
import datetime as dt
import io

import pytest
from playhouse.test_utils import count_queries

from tracker.models import Engagement, FeedbackInvitation, FeedbackResponse, User
from tracker.reports import feedback as report

from . import factories
from .conftest import post_form
from .feedback_helpers import full, invite, respond


def page_url(engagement, tail=""):
    return f"/engagements/{engagement.id}/feedback{tail}"


# --- scale scores, by hand --------------------------------------------------------------------------------


def test_scale_scores_filter_by_date_and_leave_out_deleted_responses(demo):
    e = demo.engagement_a
    for value in (5, 5, 5):
        respond(e, full(trust=value), on=dt.date(2026, 1, 15))
    for value in (1, 2, 3):
        respond(e, full(trust=value), on=dt.date(2026, 4, 15))
    gone = respond(e, full(trust=1), on=dt.date(2026, 4, 16))
    gone.soft_delete()
    assert report.scale_scores([e.id], dt.date(2026, 4, 1), dt.date(2026, 6, 30))["trust"]["mean"] == 2.0
    assert report.scale_scores([e.id], end=dt.date(2026, 3, 31))["trust"]["mean"] == 5.0
    assert report.scale_scores([e.id])["trust"] == {"mean": 3.5, "n": 6, "suppressed": False}


def test_minimum_count_hides_aggregates_below_three_responses():
    assert report.minimum_count(4.5, 2) == {"mean": None, "n": 2, "suppressed": True}
    assert report.minimum_count(4.5, 3) == {"mean": 4.5, "n": 3, "suppressed": False}
    assert report.minimum_count(None, 0)["suppressed"]


# --- over time and the pathway ----------------------------------------------------------------------------


def test_scores_over_time_by_quarter_include_empty_quarters(demo):
    e = demo.engagement_a
    for value in (3, 4, 5):
        respond(e, full(fim=value), on=dt.date(2026, 2, 1))
    for value in (2, 2):
        respond(e, full(fim=value), on=dt.date(2026, 8, 1))
    # Two responses in Q3 are not released yet (docs/disclosure.md): the periods end with Q1.
    assert [r["label"] for r in report.scores_over_time(e.id)] == ["2026 Q1"]
    respond(e, full(fim=5), on=dt.date(2026, 8, 1))
    rows = report.scores_over_time(e.id)
    assert [r["label"] for r in rows] == ["2026 Q1", "2026 Q2", "2026 Q3"]
    assert rows[0]["scales"]["fim"] == {"mean": 4.0, "n": 3, "suppressed": False}
    assert rows[1]["responses"] == 0 and rows[1]["scales"]["fim"]["n"] == 0
    assert rows[2]["scales"]["fim"] == {"mean": 3.0, "n": 3, "suppressed": False}
    assert rows[0]["start"] == dt.date(2026, 1, 1) and rows[0]["end"] == dt.date(2026, 3, 31)
    months = report.scores_over_time(e.id, period="month")
    assert len(months) == 7 and months[0]["label"] == "Feb 2026"


def pathway_example(e):
    """Two quarters of full surveys (hand-computed in the test below). A survey scores a scale from
    three answered items (all three of trust's): response 5's two AIM answers do not count."""
    q1, q2 = dt.date(2026, 2, 10), dt.date(2026, 5, 12)
    respond(e, {**full(trust=4, iam=4, fim=2, aim=3), "trust_2": 5, "trust_3": 3}, on=q1)
    respond(e, {**full(trust=3, iam=5), "aim_1": 4, "aim_2": 5, "aim_3": 4, "aim_4": 5}, on=q1)
    respond(e, {**full(trust=4, aim=2, fim=4), "fim_2": 3}, on=q1)
    respond(e, full(trust=5, aim=4, iam=4, fim=5, knowledge=3), on=q2)
    respond(e, {**full(trust=4, fim=4, knowledge=4), "trust_3": 5, "aim_1": 4, "aim_3": 3}, on=q2)
    respond(e, {**full(trust=5, iam=3, aim=5), "aim_4": 5}, on=q2)
    respond(e, {"aim_1": 3, "aim_2": 4, "aim_3": 5}, on=q2)


def test_pathway_matches_a_hand_computed_example(demo):
    e = demo.engagement_a
    pathway_example(e)
    p = report.pathway(e.id)
    assert p["current"] == "2026 Q2" and p["previous"] == "2026 Q1"
    steps = {s["key"]: s for s in p["steps"]}
    assert [s["key"] for s in p["steps"]] == [
        "trust",
        "acceptance",
        "appropriateness_feasibility",
        "knowledge",
        "application",
        "capacity",
    ]
    # Trust: Q1 responses (4,5,3) 4, 3, 4 -> 11/3; Q2 5, (4,4,5) 13/3, 5 -> 43/9 = 4.7778; up 10/9.
    assert steps["trust"]["previous"]["mean"] == pytest.approx(11 / 3)
    assert steps["trust"]["current"]["mean"] == pytest.approx(43 / 9)
    assert steps["trust"]["change"] == pytest.approx(10 / 9)
    assert steps["trust"]["direction"] == "up" and steps["trust"]["label"] == "Completely agree"
    # Acceptance (AIM): Q1 3, 4.5, 2 -> 9.5/3; Q2 4, (response 5: two items, left out), 5, (3,4,5) 4
    # -> 13/3 = 4.3333; up 3.5/3 = 1.1667.
    assert steps["acceptance"]["previous"]["mean"] == pytest.approx(9.5 / 3)
    assert steps["acceptance"]["current"]["mean"] == pytest.approx(13 / 3)
    assert steps["acceptance"]["current"]["n"] == 3
    assert steps["acceptance"]["change"] == pytest.approx(3.5 / 3)
    assert steps["acceptance"]["label"] == "Agree"
    # Appropriateness and feasibility: the mean of the shown IAM and FIM means (docs/disclosure.md).
    # Q1: two IAM and two FIM scores, none released. Response 4 (May 12) releases IAM of responses 1, 2,
    # 4 (4, 5, 4 -> 13/3) and FIM of responses 1, 3, 4 (2, (4,3,4) 11/3, 5 -> 32/9); response 5's FIM and
    # 6's IAM wait for a release: (13/3 + 32/9) / 2 = 71/18 = 3.9444, n = 3.
    af = steps["appropriateness_feasibility"]
    assert af["previous"]["suppressed"] and af["current"]["mean"] == pytest.approx(71 / 18)
    assert af["change"] is None and af["direction"] is None and af["current"]["n"] == 3
    # Knowledge: two responses in Q2 -> not released, no comparison.
    assert steps["knowledge"]["current"] == {"mean": None, "n": 0, "suppressed": True}
    assert steps["knowledge"]["change"] is None and steps["knowledge"]["direction"] is None
    assert steps["capacity"]["current"]["n"] == 0


def test_pathway_without_responses_lists_the_steps_empty(demo):
    p = report.pathway(demo.engagement_a.id)
    assert p["current"] is None and len(p["steps"]) == 6
    assert all(s["current"]["suppressed"] for s in p["steps"])


def test_response_rate_counts_answered_invitations(demo, app, client):
    tokens = invite(app, demo.engagement_a, "survey", emails=[f"p{n}@example.org" for n in range(4)])
    assert post_form(client, f"/feedback/{tokens[0]}", {"item_aim_1": "4", "anonymous": "y"}).status_code == 200
    assert report.response_rate(demo.engagement_a.id) == {"invited": 4, "answered": 1, "rate": 0.25}
    assert report.response_rate(demo.engagement_b.id) == {"invited": 0, "answered": 0, "rate": None}
    today = dt.date.today()
    assert report.response_rate(demo.engagement_a.id, today, today)["invited"] == 4
    assert report.response_rate(demo.engagement_a.id, end=today - dt.timedelta(days=1))["invited"] == 0


# --- the page -------------------------------------------------------------------------------------------


def test_feedback_page_shows_scores_pathway_rate_and_comments(demo, as_user, app):
    e = demo.engagement_a
    pathway_example(e)
    respond(e, full(application=4), on=dt.date(2026, 5, 20), comments={"strengths": "Patient coaching."})
    invite(app, e, "survey", emails=["a@example.org", "b@example.org"])
    html = as_user(demo.isp_a1).get(page_url(e)).get_data(as_text=True)
    assert "<h1>Recipient feedback</h1>" in html
    assert "Trusting relationships" in html and "4.78" in html and "↑ +1.11" in html
    assert "Appropriateness and feasibility" in html
    assert "2026 Q1" in html and "2026 Q2" in html and "Acceptability (AIM)" in html
    assert "0 of 2 invitations answered." in html
    assert "Patient coaching." not in html  # the only comment: not released (docs/disclosure.md)
    assert "Invitations" in html and "a@example.org" in html
    assert "Answered" not in html  # who answered is not shown to ISPs


def test_feedback_page_hides_everything_below_three_responses(demo, as_user):
    e = demo.engagement_a
    respond(e, full(aim=5, trust=1), comments={"limitations": "Too many meetings."})
    respond(e, full(aim=1, trust=5))
    for who in ("isp_a1", "recipient_a", "leader_foundation", "admin"):
        html = as_user(getattr(demo, who)).get(page_url(e)).get_data(as_text=True)
        assert "Too many meetings." not in html and "Comments are shown in groups of at least 3" in html
        assert "3.00" not in html and "No responses yet." in html
        csv_text = as_user(getattr(demo, who)).get(page_url(e, ".csv")).get_data(as_text=True)
        assert "3.00" not in csv_text
    respond(e, full(aim=3, trust=3))
    html = as_user(demo.isp_a1).get(page_url(e)).get_data(as_text=True)
    assert "3.00" in html
    # One comment among three responses is not yet a release of comments (docs/disclosure.md).
    assert "Too many meetings." not in html


def test_csv_export_has_means_and_counts_but_no_names_emails_or_text(demo, as_user, app):
    e = demo.engagement_a
    factories.team_member(e, name="Tamsin Team", email="tamsin@example.org")
    invite(app, e, "survey", emails=["tamsin@example.org"])
    for value in (2, 3, 4):
        respond(e, full(capacity=value), comments={"strengths": "Secret praise."}, anonymous=False)
    response = as_user(demo.isp_a1).get(page_url(e, ".csv"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["period", "period_start", "period_end", "scale", "scale_name", "mean", "n", "note"]
    capacity = [r for r in rows if r[3] == "capacity"][0]
    assert capacity[0] == "2026 Q1" and capacity[5] == "3.00" and capacity[6] == "3" and capacity[7] == ""
    aim = [r for r in rows if r[3] == "aim"][0]
    assert aim[5] == "" and aim[6] == "0" and aim[7].startswith("hidden")
    for secret in ("Tamsin", "tamsin@example.org", "Secret praise", "@"):
        assert secret not in text


def test_admin_sees_who_was_invited_and_how_many_answered_never_who(demo, as_user, app, client):
    e = demo.engagement_a
    factories.team_member(e, name="Olu Owen", email="olu@example.org")
    tokens = invite(app, e, "survey", emails=["olu@example.org", "pat@example.org", "sam@example.org"])
    for token, value in zip(tokens, ("5", "1", "3"), strict=True):
        post_form(
            client, f"/feedback/{token}", {"item_aim_1": value, "text_strengths": f"Note {value}", "anonymous": "y"}
        )
    admin = as_user(demo.admin)
    html = admin.get(page_url(e, "/responses")).get_data(as_text=True)
    assert "<h1>Responses</h1>" in html and "olu@example.org" in html and "3 of 3 invitations answered" in html
    assert "Answered" not in html and "Not yet" not in html  # never which invitee answered
    assert "Note 5" not in html and "5.00" not in html
    report_html = admin.get(page_url(e)).get_data(as_text=True)
    # Comments are listed in alphabetical order, undated: their order says nothing about who wrote them.
    assert report_html.index("Note 1") < report_html.index("Note 3") < report_html.index("Note 5")
    assert as_user(demo.isp_a1).get(page_url(e, "/responses")).status_code == 403
    for r in FeedbackResponse.select():
        assert r.respondent_id is None
    assert len({i.used_at for i in FeedbackInvitation.select()}) == 1


@pytest.mark.parametrize(
    "who, status",
    [
        ("isp_a1", 200),
        ("admin", 200),
        ("leader_foundation", 200),
        ("recipient_a", 200),
        ("recipient_b", 404),
        ("isp_b", 404),
        ("leader_other", 404),
    ],
)
def test_feedback_page_access(demo, as_user, who, status):
    client = as_user(getattr(demo, who))
    assert client.get(page_url(demo.engagement_a)).status_code == status
    assert client.get(page_url(demo.engagement_a, ".csv")).status_code == status


def test_feedback_page_needs_sign_in(demo, client):
    response = client.get(page_url(demo.engagement_a))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_readers_see_no_send_buttons_and_no_invitation_list(demo, as_user, app):
    invite(app, demo.engagement_a, "survey", emails=["hidden@example.org"])
    html = as_user(demo.recipient_a).get(page_url(demo.engagement_a)).get_data(as_text=True)
    assert "Send a survey" not in html and "hidden@example.org" not in html
    detail = as_user(demo.recipient_a).get(f"/engagements/{demo.engagement_a.id}").get_data(as_text=True)
    assert "See the feedback report" in detail and "Send a survey" not in detail
    isp_detail = as_user(demo.isp_a1).get(f"/engagements/{demo.engagement_a.id}").get_data(as_text=True)
    assert "Send a survey" in isp_detail


def test_engagement_page_shows_the_pathway_summary(demo, as_user):
    pathway_example(demo.engagement_a)
    html = as_user(demo.recipient_a).get(f"/engagements/{demo.engagement_a.id}").get_data(as_text=True)
    assert "Recipient feedback" in html and "7 responses" in html and "Trusting relationships" in html
    assert "4.78" in html and "↑ +1.11" in html


def test_feedback_page_query_count_does_not_grow_with_responses(demo, as_user):
    few_e, many_e = demo.engagement_a, demo.engagement_b
    for n in range(3):
        respond(few_e, full(aim=1 + n % 5, trust=3), comments={"strengths": f"c{n}"})
    for n in range(30):
        respond(
            many_e,
            {"aim_1": 1 + n % 5, "trust_1": 3, "iam_2": 4},
            on=dt.date(2026, 1 + n % 6, 6),
            comments={"strengths": f"c{n}"},
        )
    client = as_user(demo.isp_a2)  # on both
    client.get("/my-work")  # the header's "My work" count, then kept (no write between the two counts)
    with count_queries() as few:
        assert client.get(page_url(few_e)).status_code == 200
    with count_queries() as many:
        assert client.get(page_url(many_e)).status_code == 200
    assert few.count == many.count


def test_feedback_page_renders_for_the_demo_data(app, runner, as_user, seeded_demo):
    admin = User.get(User.role == "admin")
    engagement = Engagement.select().join(FeedbackResponse).group_by(Engagement.id).order_by(Engagement.id).first()
    html = as_user(admin).get(page_url(engagement)).get_data(as_text=True)
    assert "The recipients' pathway" in html and "Sustained implementation capacity" in html
    p = report.pathway(engagement.id)
    assert p["current"] is not None and len(p["steps"]) == 6
    assert any(not s["current"]["suppressed"] for s in p["steps"]) or any(
        not c["suppressed"] for row in report.scores_over_time(engagement.id) for c in row["scales"].values()
    )
