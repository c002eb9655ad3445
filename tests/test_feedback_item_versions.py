"""Feedback questions are reworded, added and retired as new versions of their instrument (issue 18):
each change makes version N+1 with every current question copied and the change applied, in one
transaction; the earlier version keeps what was asked, so old answers still point at it and the reports
keep grouping answers by scale and item key; new requests ask the latest version."""

from html import unescape

import pytest

from tracker.models import AuditEntry, FeedbackAnswer, FeedbackInstrument, FeedbackItem, ValidationError
from tracker.reports import feedback as report
from tracker.services import feedback as service

from .conftest import field_error, post_form
from .feedback_helpers import invite, respond, team_with_meeting

NEW_WORDING = "The implementation support earns my approval."


def html(response):
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def admin(demo, as_user):
    return as_user(demo.admin)


def current():
    return service.current_instrument()


def item(key, instrument=None):
    instrument = instrument or current()
    return FeedbackItem.get((FeedbackItem.instrument == instrument.id) & (FeedbackItem.key == key))


def snapshot(instrument):
    return [(i.key, i.scale, i.kind, i.text, i.position) for i in instrument.ordered_items()]


def counts():
    return (FeedbackInstrument.select().count(), FeedbackItem.select().count(), AuditEntry.select().count())


# --- the model -----------------------------------------------------------------------------------------


def test_a_reword_makes_version_n_plus_1_with_every_item_and_leaves_the_old_one(demo):
    v1 = current()
    before = snapshot(v1)
    v2, old, new = v1.reword_item("aim_1", NEW_WORDING)
    assert (v2.key, v2.version, v2.name, v2.definition) == (v1.key, v1.version + 1, v1.name, v1.definition)
    assert current().id == v2.id and v1.newer.id == v2.id and v2.newer is None
    after = snapshot(v2)
    assert len(after) == len(before)
    assert [row[:3] for row in after] == [row[:3] for row in before]  # same keys, scales, kinds, order
    assert dict((k, t) for k, _, _, t, _ in after)["aim_1"] == NEW_WORDING
    assert [row for row in after if row[0] != "aim_1"] == [row for row in before if row[0] != "aim_1"]
    assert snapshot(FeedbackInstrument.get_by_id(v1.id)) == before  # the old version is untouched
    assert (old.text, new.text, new.key, new.scale) == (before[0][3], NEW_WORDING, "aim_1", "aim")


def test_adding_and_retiring_items(demo):
    v2, added = current().add_item("The support helped us set priorities.", "likert", "capacity")
    keys = [i.key for i in v2.ordered_items()]
    assert added.key == "capacity_4" and keys.index("capacity_4") == keys.index("capacity_3") + 1
    v3, comment = v2.add_item("What should we keep doing?", "text")
    assert comment.key == "what_should_we_keep_doing" and comment.scale is None
    assert [i.key for i in v3.ordered_items()][-1] == comment.key
    v4, retired = v3.retire_item("capacity_4")
    assert (retired.key, retired.instrument_id) == ("capacity_4", v3.id) and "capacity_4" not in [
        i.key for i in v4.ordered_items()
    ]
    # a key used by an earlier version is never given to another question
    _v5, again = v4.add_item("Our unit plans its implementation work.", "likert", "capacity")
    assert again.key == "capacity_5"


@pytest.mark.parametrize(
    ("text", "kind", "scale", "field", "message"),
    [
        ("   ", "likert", "aim", "text", "Write the question."),
        ("x" * 301, "likert", "aim", "text", "At most 300 characters."),
        ("A fine question.", "likert", "joy", "scale", "Choose one of this instrument's scales:"),
        ("A fine question.", "likert", None, "scale", "Choose the scale this agreement question scores."),
        ("A fine question?", "text", "aim", "scale", "An open question belongs to no scale"),
    ],
)
def test_bad_input_writes_nothing(demo, text, kind, scale, field, message):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        current().add_item(text, kind, scale)
    assert refused.value.errors[field].startswith(message)
    assert counts() == before


def test_only_the_current_version_changes(demo):
    v1 = current()
    v1.reword_item("aim_1", NEW_WORDING)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        v1.retire_item("aim_2")
    assert "Version 1 is no longer the current one: change version 2." in str(refused.value)
    assert counts() == before


# --- what is asked and what is reported ---------------------------------------------------------------------


def test_old_answers_keep_their_question_and_report_under_their_scale(demo):
    e = demo.engagement_a
    v1 = current()
    # three of the scale's items each: a scale score needs at least MIN_SCALE_ITEMS of them (issue 19)
    old = [respond(e, {"aim_1": 5, "aim_2": 5, "aim_3": 5}) for _ in range(2)]
    current().reword_item("aim_1", NEW_WORDING)
    respond(e, {"aim_1": 2, "aim_2": 2, "aim_3": 2})  # answered with version 2
    assert {a.item.instrument_id for r in old for a in FeedbackAnswer.select().where(FeedbackAnswer.response == r)} == {
        v1.id
    }
    scores = report.scale_scores([e.id])
    assert scores["aim"]["n"] == 3 and scores["aim"]["mean"] == pytest.approx(4.0)


def test_a_new_pulse_asks_the_new_wording_and_keeps_the_rotation(demo, as_user, app):
    e = demo.engagement_a
    meeting, _ = team_with_meeting(e)
    isp = as_user(demo.isp_a1)
    url = f"/engagements/{e.id}/feedback/pulse?meeting={meeting.id}"
    first = [i.key for i in service.pulse_items(e, current())]
    invite(app, e, "pulse", meeting=meeting)  # a pulse sent with version 1
    current().reword_item("trust_1", "I trust the practitioners who support us.")
    page = html(isp.get(url))
    # the pulse sent with version 1 still counts: the next pulse asks the next items, in the new wording
    assert [i.key for i in service.pulse_items(e, current())] == ["trust_1", "knowledge_1", "application_1"]
    assert first == ["aim_1", "iam_1", "fim_1"]
    assert "I trust the practitioners who support us." in page
    assert "I trust the implementation support practitioners I work with." not in page


# --- the pages ----------------------------------------------------------------------------------------------


def test_the_catalog_lists_the_current_version_with_scale_and_kind(demo, admin):
    page = html(admin.get("/admin/catalog"))
    section = page.split('id="feedback"')[1]
    assert 'Recipient feedback on implementation support <span class="muted small">version 1</span>' in section
    assert "The implementation support meets my approval." in section
    assert "(Acceptability (AIM) · Agreement 1-5)" in section and "(Open answer)" in section
    assert section.index("meets my approval") < section.index("seems fitting") < section.index("strengths of")
    assert f"/admin/catalog/feedback-items/{item('aim_1').id}/edit" in section
    assert f"/admin/catalog/feedback/{current().id}/items/new" in section


def test_an_admin_rewords_an_item_and_sees_the_version(demo, admin):
    aim_1 = item("aim_1")
    url = f"/admin/catalog/feedback-items/{aim_1.id}/edit"
    assert "Saving makes version 2 of" in html(admin.get(url))
    response = post_form(admin, url, {"text": NEW_WORDING})
    assert response.status_code == 302
    page = html(admin.get(response.location))
    assert (
        f"Reworded to “{NEW_WORDING}” — version 2 of “Recipient feedback on implementation support”. "
        "Answers given before keep the wording they were asked with." in page
    )
    assert "version 2</span>" in page and item("aim_1").text == NEW_WORDING
    entry = AuditEntry.get((AuditEntry.entity == "FeedbackItem") & (AuditEntry.action == "update"))
    assert entry.entity_id == item("aim_1").id and entry.change_map["instrument_version"] == [1, 2]
    assert "updated feedback item" in html(admin.get("/admin/audit"))
    # the earlier version's page says so and offers no form
    old_page = html(admin.get(url))
    assert "Earlier version" in old_page and "version 2 replaced it" in old_page
    assert '<form method="post" novalidate>' not in old_page


def test_bad_input_on_the_pages_shows_next_to_the_field_and_keeps_it(demo, admin):
    before = counts()
    aim_1 = item("aim_1")
    response = post_form(admin, f"/admin/catalog/feedback-items/{aim_1.id}/edit", {"text": ""})
    assert response.status_code == 400 and field_error(html(response), "text") == "Write the question."
    too_long = "y" * 301
    response = post_form(admin, f"/admin/catalog/feedback-items/{aim_1.id}/edit", {"text": too_long})
    assert field_error(html(response), "text") == "At most 300 characters." and too_long in html(response)
    new = f"/admin/catalog/feedback/{current().id}/items/new"
    response = post_form(admin, new, {"text": "We plan together.", "kind": "likert", "scale": "joy"})
    assert response.status_code == 400
    assert field_error(html(response), "scale").startswith("Choose one of this instrument's scales:")
    assert "We plan together." in html(response)
    assert counts() == before


def test_an_admin_adds_an_item(demo, admin):
    new = f"/admin/catalog/feedback/{current().id}/items/new"
    page = html(admin.get(new))
    assert '<option value="trust">Trust in the ISPs</option>' in page
    response = post_form(
        admin, new, {"text": "I can reach the ISPs when I need them.", "kind": "likert", "scale": "trust"}
    )
    assert response.status_code == 302
    assert (
        "Item added: “I can reach the ISPs when I need them.” (Trust in the ISPs) — version 2 of "
        "“Recipient feedback on implementation support”. New requests ask it." in html(admin.get(response.location))
    )
    assert item("trust_4").text == "I can reach the ISPs when I need them."
    survey = html(admin.get(f"/engagements/{demo.engagement_a.id}/feedback/survey"))
    assert "I can reach the ISPs when I need them." in survey


def test_a_retire_asks_first_then_makes_a_version_without_it(demo, admin):
    fim_4 = item("fim_4")
    url = f"/admin/catalog/feedback-items/{fim_4.id}/retire"
    confirm = html(admin.get(url))
    assert "Retire this feedback question?" in confirm and "The implementation support seems easy to use." in confirm
    assert FeedbackInstrument.select().count() == 1  # asking wrote nothing
    response = post_form(admin, url, {}, token_from=url)
    assert response.status_code == 302
    assert (
        "Item retired: “The implementation support seems easy to use.” — version 2 of “Recipient feedback on "
        "implementation support” no longer asks it." in html(admin.get(response.location))
    )
    assert "fim_4" not in [i.key for i in current().ordered_items()]
    assert AuditEntry.get((AuditEntry.entity == "FeedbackItem") & (AuditEntry.action == "delete")).entity_id == fim_4.id
    # retiring it again (a stale page) is refused in words, nothing written
    response = post_form(admin, url, {}, token_from=url)
    assert "Version 1 is no longer the current one" in html(admin.get(response.location))
    assert FeedbackInstrument.select().count() == 2
