"""Forms copy their fields onto rows with WTForms' populate_obj: text as typed (trimmed, never None),
buttons and the fields a form converts itself left out."""

from types import SimpleNamespace

from tracker.forms.admin import NewUserForm
from tracker.forms.deliverables import DeliverableForm
from tracker.models import Deliverable


def test_a_deliverable_gets_its_fields_trimmed_and_no_button(app):
    with app.test_request_context(method="POST", data={"title": "  Guide  ", "kind": "other", "note": " n "}):
        form = DeliverableForm()
        row = Deliverable()
        form.populate_obj(row)
    assert (row.title, row.note, row.link, row.kind) == ("Guide", "n", "", "other")  # link not sent: ""
    assert row.due_on is None and row.delivered_on is None
    assert not hasattr(row, "submit") and not hasattr(row, "csrf_token")


def test_a_new_user_form_gives_the_domain_names_ids_as_ints_and_no_role_as_none(app):
    data = {"email": " a@example.org ", "name": "Ann", "role": "", "unit": "", "organization": ""}
    with app.test_request_context(method="POST", data=data):
        form = NewUserForm()
        form.set_choices([], [])
        form.validate()
        fields = form.domain_data()
    assert fields == {
        "email": "a@example.org",
        "name": "Ann",
        "role": None,
        "unit_id": None,
        "organization_id": None,
        "reads_all_organizations": False,  # unticked: a leader reads their organization only
        "hourly_rate": None,  # left empty: the organization's rate applies (issue 19, cost)
    }


def test_populate_obj_works_on_any_object(app):
    with app.test_request_context(method="POST", data={"title": "T"}):
        target = SimpleNamespace()
        DeliverableForm().populate_obj(target)
    assert target.title == "T" and target.note == "" and not hasattr(target, "submit")
