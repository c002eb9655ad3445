"""Issue 16, "Anonymity can be undone by subtraction": each attack replayed, and a property test.

The disclosure rule (docs/disclosure.md): answers are shown only in releases of at least three
responses, placed in the period of their release; figures change only with a new release; comments
come with their release, undated; nobody sees which invitee answered; deleting a response is for
administrators and changes no figure shown.
"""

import datetime as dt
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.models import FeedbackRelease, FeedbackResponse
from tracker.reports import feedback as report
from tracker.reports import progress as progress_report
from tracker.reports.filters import ReportFilters
from tracker.services import feedback as service

from .api_helpers import Api
from .conftest import post_form
from .feedback_helpers import full, invite, respond, team_with_meeting

SCALES = ("aim", "iam", "fim", "trust", "knowledge", "application", "capacity")
READERS = ("isp_a1", "isp_a2", "recipient_a", "leader_foundation", "leader_all", "admin")


def api_cells(client, user, engagement, period):
    """{(period label, scale): cell} of the feedback report through the API, as an attacker reads it."""
    body = Api(client, user).get("/reports/feedback", engagement_id=engagement.id, period=period).get_json()
    return {(p["label"], scale): cell for p in body["over_time"] for scale, cell in p["scales"].items()}, body


# --- the attacks of the issue, replayed ----------------------------------------------------------------


def test_quarter_minus_the_shown_months_recovers_nobody(demo, client):
    """Attack: a quarter with 4 responses, one month with 3 shown: quarter x 4 - month x 3 was the 4th
    person's scores. Now the 4th is not released: the quarter shows the same three as the month."""
    e = demo.engagement_a
    for value in (2, 3, 4):
        respond(e, full(**dict.fromkeys(SCALES, value)), on=dt.date(2026, 1, 20))
    victim = full(**dict.fromkeys(SCALES, 5))
    respond(e, victim, on=dt.date(2026, 2, 10))
    for reader in (demo.recipient_a, demo.leader_foundation, demo.isp_a1):
        months, _ = api_cells(client, reader, e, "month")
        quarters, _ = api_cells(client, reader, e, "quarter")
        for scale in SCALES:
            quarter, january = quarters[("2026 Q1", scale)], months[("Jan 2026", scale)]
            assert quarter["n"] == january["n"] == 3 and quarter["mean"] == january["mean"] == pytest.approx(3.0)
            assert ("Feb 2026", scale) not in months  # the 4th response is in no group yet
            # Subtraction gives nothing: 3 x 3.0 - 3 x 3.0 = 0 responses, not the victim's 5.
            assert quarter["n"] * quarter["mean"] - january["n"] * january["mean"] == pytest.approx(0)


def test_snapshots_before_and_after_the_last_invitee_answers_are_equal(demo, app, client, as_user):
    """Attack: read the report, wait for the last invitee, read again: the difference was their answer.
    Now the figures change only when three more responses have come in."""
    e = demo.engagement_a
    tokens = invite(app, e, "survey", emails=[f"p{n}@example.org" for n in range(6)])

    def aim(value):  # three AIM items: a survey scores a scale from three answers (reports/feedback.py)
        return {f"item_aim_{i}": str(value) for i in (1, 2, 3)} | {"anonymous": "y"}

    for token, value in zip(tokens[:3], (2, 3, 4), strict=True):
        assert post_form(client, f"/feedback/{token}", aim(value)).status_code == 200
    before, body_before = api_cells(client, demo.leader_foundation, e, "quarter")
    page_before = as_user(demo.isp_a1).get(f"/engagements/{e.id}/feedback").get_data(as_text=True)
    csv_before = as_user(demo.isp_a1).get(f"/engagements/{e.id}/feedback.csv").get_data(as_text=True)
    assert post_form(client, f"/feedback/{tokens[3]}", aim(5)).status_code == 200
    after, body_after = api_cells(client, demo.leader_foundation, e, "quarter")
    assert after == before and body_after["scale_scores"] == body_before["scale_scores"]
    assert body_after["pathway"] == body_before["pathway"] and body_after["over_time"] == body_before["over_time"]
    assert as_user(demo.isp_a1).get(f"/engagements/{e.id}/feedback.csv").get_data(as_text=True) == csv_before
    page_after = as_user(demo.isp_a1).get(f"/engagements/{e.id}/feedback").get_data(as_text=True)
    scores = re.compile(r'<table [^>]*class="table scores">.*?</table>', re.S)
    assert scores.search(page_after).group(0) == scores.search(page_before).group(0)
    # Two more: a release of three (the 4th, 5th and 6th), so the new figure mixes three people.
    for token in tokens[4:]:
        post_form(client, f"/feedback/{token}", aim(1))
    after, _ = api_cells(client, demo.leader_foundation, e, "quarter")
    (label,) = {k[0] for k in after}
    assert after[(label, "aim")]["n"] - before[(label, "aim")]["n"] == 3


def test_the_invitation_lists_never_say_who_answered(demo, app, client, as_user):
    e = demo.engagement_a
    tokens = invite(app, e, "survey", emails=["olu@example.org", "pat@example.org", "sam@example.org"])
    post_form(client, f"/feedback/{tokens[1]}", {"item_aim_1": "4", "anonymous": "y"})
    admin_list = as_user(demo.admin).get(f"/engagements/{e.id}/feedback/responses").get_data(as_text=True)
    isp_page = as_user(demo.isp_a1).get(f"/engagements/{e.id}/feedback").get_data(as_text=True)
    for html in (admin_list, isp_page):
        assert "pat@example.org" in html and "1 of 3 invitations answered" in html
        rows = re.findall(r"<tr>.*?</tr>", html, re.S)
        pat, olu = [r for r in rows if "pat@example.org" in r], [r for r in rows if "olu@example.org" in r]
        assert len(pat) == len(olu) == 1
        # The answered invitee's row reads like the others', apart from the address.
        assert pat[0].replace("pat@", "x@") == olu[0].replace("olu@", "x@")


def test_the_engagement_activity_never_dates_an_answer(demo, app, client, as_user):
    """When each response arrived is an answer time: the Activity a reader sees leaves responses out,
    so the day after meeting one person cannot be matched to 'a response came in'."""
    e = demo.engagement_a
    tokens = invite(app, e, "survey", emails=["olu@example.org", "pat@example.org", "sam@example.org"])
    post_form(client, f"/feedback/{tokens[0]}", {"item_aim_1": "4", "anonymous": "y"})
    for reader in (demo.isp_a1, demo.recipient_a, demo.admin):
        page = as_user(reader).get(f"/engagements/{e.id}").get_data(as_text=True)
        items = page.split('id="activity-h"', 1)[-1].split("</ol>", 1)[0]  # the Activity's entries
        assert "<li>" in items and "esponse" not in items.split("<ol", 1)[-1], reader.email
    assert FeedbackResponse.select().where(FeedbackResponse.engagement == e.id).count() == 1


def test_a_pulse_comment_does_not_appear_beside_one_answer_in_three(demo, app, client, as_user):
    """Attack: a pulse to three attendees, one answers with a comment: the comment was shown at once
    beside "1 of 3 invitations answered". Now comments come only in a release of three."""
    e = demo.engagement_a
    meeting, members = team_with_meeting(e, with_email=3, without_email=0)
    tokens = invite(app, e, "pulse", emails=[m.email for m in members], meeting=meeting)
    asked = [i.key for i in service.asked_items(service.invitation_for_token(tokens[0]))]

    def send(token, comment):
        data = {f"item_{key}": "4" for key in asked} | {"text_comment": comment, "anonymous": "y"}
        assert post_form(client, f"/feedback/{token}", data).status_code == 200

    send(tokens[0], "Zed: the only one who speaks up.")
    for reader in (demo.isp_a1, demo.recipient_a, demo.leader_foundation, demo.admin):
        html = as_user(reader).get(f"/engagements/{e.id}/feedback").get_data(as_text=True)
        assert "1 of 3 invitations answered" in html and "the only one who speaks up" not in html
        assert "the only one" not in Api(client, reader).get("/reports/feedback", engagement_id=e.id).get_data(
            as_text=True
        )
    send(tokens[1], "Ann: helpful.")
    html = as_user(demo.isp_a1).get(f"/engagements/{e.id}/feedback").get_data(as_text=True)
    assert "helpful" not in html and "speaks up" not in html
    send(tokens[2], "Mo: more time please.")
    html = as_user(demo.isp_a1).get(f"/engagements/{e.id}/feedback").get_data(as_text=True)
    # Released together, sorted, undated: their order says nothing about who wrote them or when.
    assert html.index("Ann: helpful.") < html.index("Mo: more time please.") < html.index("Zed: the only one")
    comments = html[html.index('id="comments-h"') : html.index("</section>", html.index('id="comments-h"'))]
    assert not re.search(r"\d{1,2} \w{3} 20\d\d|20\d\d-\d\d-\d\d|\d\d:\d\d", comments)
    body = Api(client, demo.recipient_a).get("/reports/feedback", engagement_id=e.id).get_json()
    assert body["comments"]["n"] == 3 and sorted(body["comments"]["by_question"]["comment"])[0] == "Ann: helpful."


def test_an_isp_cannot_delete_a_single_response(demo, as_user):
    """Attack: an ISP soft-deletes one response and subtracts. Now only administrators delete."""
    e = demo.engagement_a
    for value in (1, 2, 3, 5):
        respond(e, full(aim=value))
    target = FeedbackResponse.select().order_by(FeedbackResponse.id.desc()).first()
    isp = as_user(demo.isp_a1)
    url = f"/engagements/{e.id}/feedback/responses/{target.id}/delete"
    assert isp.get(url).status_code == 403
    assert post_form(isp, url, {}, token_from=f"/engagements/{e.id}/feedback").status_code == 403
    assert FeedbackResponse.get_by_id(target.id).deleted_at is None
    assert url not in isp.get(f"/engagements/{e.id}/feedback").get_data(as_text=True)


def test_deleting_a_released_response_changes_no_figure(demo, as_user, client):
    """An administrator's deletion cannot reopen a subtraction: a released response stays counted,
    a pending one is never released."""
    e = demo.engagement_a
    for value in (1, 2, 3, 5):
        respond(e, full(aim=value, trust=value), comments={"strengths": f"Note {value}"})
    before, body_before = api_cells(client, demo.leader_foundation, e, "month")
    admin = as_user(demo.admin)
    released, pending = (
        FeedbackResponse.select().order_by(FeedbackResponse.id)[0],
        FeedbackResponse.select().order_by(FeedbackResponse.id)[3],
    )
    for target in (released, pending):
        url = f"/engagements/{e.id}/feedback/responses/{target.id}/delete"
        assert post_form(admin, url, {}, token_from=url).status_code == 302
        assert FeedbackResponse.get_by_id(target.id).deleted_at is not None
        after, body_after = api_cells(client, demo.leader_foundation, e, "month")
        assert after == before and body_after["comments"] == body_before["comments"]
    # Two more responses: the deleted pending one is not released with them (2 < 3), nothing changes.
    for value in (4, 4):
        respond(e, full(aim=value, trust=value), on=dt.date(2026, 2, 11))
    assert api_cells(client, demo.leader_foundation, e, "month")[0] == before
    assert not FeedbackRelease.select().where(FeedbackRelease.released_on == dt.date(2026, 2, 11)).exists()


# --- the property: no sequence of views by any reader recovers one answer ------------------------------

DAY0 = dt.date(2026, 1, 5)
RESPONSE = st.tuples(
    st.integers(0, 200),  # days after DAY0
    st.dictionaries(st.sampled_from(SCALES), st.integers(1, 5), min_size=1, max_size=3),  # a pulse or a survey
    st.booleans(),  # with a comment
)
OPS = st.lists(
    st.one_of(RESPONSE.map(lambda r: ("respond", *r)), st.integers(0, 20).map(lambda n: ("delete", n))),
    min_size=1,
    max_size=12,
)
RANGES = st.lists(st.tuples(st.integers(0, 220), st.integers(0, 220)).map(sorted), min_size=1, max_size=3)


def views(engagement, reader, ranges):
    """Every group the pages, the API and the CSV show, as {(view, group, subject): (n, mean)}, each
    with the set of days it covers (for deciding which groups hold which): months, quarters, the whole
    engagement (the printable report), the reader's filtered progress report over date ranges, the
    responses counted and the comments."""
    shown = {}
    whole = (dt.date.min, dt.date.max)
    for period in ("month", "quarter"):
        data = report.engagement_report(engagement.id, period)
        for p in data["over_time"]:
            span = (p["start"], p["end"])
            shown[(period, span, "responses")] = (p["responses"], None)
            for scale, cell in p["scales"].items():
                shown[(period, span, scale)] = (cell["n"], cell["mean"])
        shown[("comments", whole, "comments")] = (data["comments"]["n"], None)
    for scale, cell in report.scale_scores([engagement.id]).items():
        shown[("engagement", whole, scale)] = (cell["n"], cell["mean"])
    for start, end in ranges:
        span = (DAY0 + dt.timedelta(days=start), DAY0 + dt.timedelta(days=end))
        filters = ReportFilters(user=reader, start=span[0], end=span[1])
        data = progress_report.portfolio_progress(filters, as_of=DAY0)
        assert engagement.id in [row["id"] for row in data["rows"]]  # the reader reads this engagement's feedback
        for scale, cell in data["feedback"].items():
            shown[("filtered", span, scale)] = (cell["n"], cell["mean"])
    return shown


def check_no_recovery(snapshots):
    """For any two groups shown (in any view, at any time) where one holds the other (a month in its
    quarter, a range in a wider one, a group at an earlier and a later time), on the same subject:
    they hold the same responses or at least three more. Subtracting them never isolates one or two
    answers; and every group shown holds none or at least three responses."""
    by_subject = {}
    for moment, shown in enumerate(snapshots):
        for (view, span, subject), (n, mean) in shown.items():
            assert n == 0 or n >= report.MIN_RESPONSES, (view, span, subject, n)
            assert (mean is None) == (n == 0) or subject in ("responses", "comments")
            by_subject.setdefault(subject, set()).add((moment, span, n, mean))
    for cells in by_subject.values():
        pairs = ((a, b) for a in cells for b in cells if a[0] <= b[0] and b[1][0] <= a[1][0] and a[1][1] <= b[1][1])
        for (_m1, span1, n1, mean1), (_m2, span2, n2, mean2) in pairs:
            difference = n2 - n1
            assert difference == 0 or difference >= report.MIN_RESPONSES, (span1, span2, n1, n2)
            if difference == 0 and mean1 is not None:
                assert mean1 == pytest.approx(mean2)  # the same responses, never one swapped for another


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS, reader=st.sampled_from(READERS), ranges=RANGES)
def test_no_sequence_of_views_recovers_one_answer(demo, ops, reader, ranges):
    FeedbackRelease.delete().execute()
    FeedbackResponse.delete().execute()
    e, user = demo.engagement_a, getattr(demo, reader)
    snapshots = [views(e, user, ranges)]
    day = DAY0
    for op in ops:
        if op[0] == "respond":
            _kind, offset, scales, comment = op
            day = max(day, DAY0 + dt.timedelta(days=offset))  # time goes forward
            respond(
                e,
                {f"{scale}_1": value for scale, value in scales.items()} if len(scales) < 3 else full(**scales),
                on=day,
                comments={"strengths": f"Comment on {day}"} if comment else None,
                kind="pulse" if len(scales) < 3 else "survey",
            )
        else:
            responses = list(FeedbackResponse.select().where(FeedbackResponse.deleted_at.is_null()))
            if responses:  # an administrator deletes one (services.feedback, as the page does)
                service.delete_response(responses[op[1] % len(responses)])
        snapshots.append(views(e, user, ranges))
    check_no_recovery(snapshots)
