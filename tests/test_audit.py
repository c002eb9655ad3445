"""The audit log: who is recorded as acting, and the entries told in words.

The models record every change; tracker/audit.py says who made it (the signed-in user of the
request, or whoever an `acting_as` block names, or nobody: the system) and describes entries for
the engagement page's Activity section and the admin audit log.
"""

import ast
import subprocess
import sys
from pathlib import Path

import flask_login

from tracker import audit, auth
from tracker.models import AuditEntry, Engagement, Goal, Stage, User
from tracker.services import requests

from . import factories
from .conftest import post_form

ROOT = Path(__file__).resolve().parent.parent


def entries_of(instance):
    return list(
        AuditEntry.select()
        .where((AuditEntry.entity == type(instance).__name__) & (AuditEntry.entity_id == instance.id))
        .order_by(AuditEntry.id)
    )


def described(engagement):
    return [row["text"] for row in audit.activity(engagement.id)][::-1]  # oldest first


# --- who is acting -------------------------------------------------------------------------------------


def test_a_change_made_outside_any_request_is_the_systems(app):
    engagement = factories.engagement(title="Imported")
    assert audit.actor_id() is None
    assert {e.user_id for e in entries_of(engagement)} == {None}


def test_acting_as_names_the_user_for_the_block_and_then_lets_go(app):
    ada = factories.user("isp", name="Ada ISP")
    with audit.acting_as(ada):
        assert audit.actor_id() == ada.id
        goal = factories.goal(factories.engagement())
    assert audit.actor_id() is None
    goal.title = "Renamed later by a job"
    goal.save()
    assert [(e.action, e.user_id) for e in entries_of(goal)] == [("create", ada.id), ("update", None)]


def test_acting_as_takes_an_id_and_nests_and_none_means_the_system(app):
    ada, ben = factories.user("isp"), factories.user("isp")
    with audit.acting_as(ada.id):
        assert audit.actor_id() == ada.id
        with audit.acting_as(ben):
            assert audit.actor_id() == ben.id
            with audit.acting_as(None):
                assert audit.actor_id() is None
            assert audit.actor_id() == ben.id
        assert audit.actor_id() == ada.id


def test_in_a_request_the_signed_in_user_acts_unless_a_block_says_otherwise(app):
    isp, admin = factories.user("isp"), factories.user("admin")
    with app.test_request_context("/"):
        assert audit.actor_id() is None  # nobody signed in yet
        flask_login.login_user(isp)
        assert audit.actor_id() == isp.id
        with audit.acting_as(admin):
            assert audit.actor_id() == admin.id
        with audit.acting_as(None):
            assert audit.actor_id() is None
        assert audit.actor_id() == isp.id


def test_the_web_layer_provides_the_signed_in_user(app):
    """tracker/auth.py's init_app hands the audit module this provider."""
    isp = factories.user("isp")
    with app.test_request_context("/"):
        flask_login.login_user(isp)
        assert auth.signed_in_user_id() == isp.id
    assert auth.signed_in_user_id() is None


def test_a_signed_in_change_through_the_site_is_recorded_as_that_user(app, demo, as_user):
    engagement = demo.engagement_a
    response = post_form(
        as_user(demo.isp_a1), f"/engagements/{engagement.id}/goals/new", {"title": "Data system in place"}
    )
    assert response.status_code == 302
    goal = Goal.get(Goal.title == "Data system in place")
    assert [(e.action, e.user_id) for e in entries_of(goal)] == [("create", demo.isp_a1.id)]


# --- entries in words ----------------------------------------------------------------------------------


def test_entries_are_told_in_words_with_labels_and_names(app):
    """An admin creates an engagement with Ada and Ben as co-leads, changes its model of support and
    stage, adds a goal and removes it; a nightly job (nobody signed in) then pauses the engagement.
    Choices read as their labels, ids of ISPs and stages as names, the job as the system."""
    admin = factories.user("admin", name="Ann Admin")
    ada = factories.user("isp", name="Ada ISP")
    ben = factories.user("isp", name="Ben ISP")
    with audit.acting_as(admin):
        engagement = factories.engagement(co_leads=[ada, ben], title="Reading recovery", support_model="push")
        engagement.support_model = "co_creation"
        engagement.current_stage = Stage.get(Stage.key == "exploration")
        engagement.save()
        goal = factories.goal(engagement, title="Coaches trained")
        goal.soft_delete()
    engagement = Engagement.get_by_id(engagement.id)
    engagement.status = "paused"
    engagement.save()

    assert described(engagement) == [
        "Ann Admin created the engagement",
        "Ann Admin updated the engagement: co-leads: Ada ISP, Ben ISP; supporting ISPs: none",
        "Ann Admin updated the engagement: current stage — → Exploration; model of support Push → Co-creation",
        "Ann Admin added goal “Coaches trained”",
        "Ann Admin removed goal",
        "Someone (system) updated the engagement: status Active → Paused",
    ]


def test_the_admin_audit_log_and_the_engagement_page_describe_alike(app):
    admin = factories.user("admin", name="Ann Admin")
    with audit.acting_as(admin):
        engagement = factories.engagement(title="Numeracy")
    entries = list(
        AuditEntry.select(AuditEntry, User)
        .join(User, on=(AuditEntry.user == User.id))
        .where(AuditEntry.engagement_id == engagement.id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    assert [row["text"] for row in audit.describe_entries(entries)] == [
        row["text"] for row in audit.activity(engagement.id)
    ]


def test_an_entry_with_unreadable_changes_is_still_described(app):
    engagement = factories.engagement()
    AuditEntry.create(
        action="update", entity="Engagement", entity_id=engagement.id, engagement_id=engagement.id, changes="not json"
    )
    assert described(engagement)[-1] == "Someone (system) updated the engagement"


def test_a_requests_story_is_told_from_its_audit_entries(app, demo):
    """Rae asks for support; Ann (admin) asks a question twice (the second replaces the first on the
    request, the story keeps both); Rae answers the second; Ann declines. Each event is someone's."""
    admin = factories.user("admin", name="Ann Admin")
    with app.app_context():  # as the app calls the services: their mail links come from BASE_URL
        _tell_the_story(demo, admin)
    story = [(e["kind"], e["user"].name, e["text"]) for e in audit.request_history(demo.unit_a.requests.get())]
    assert story == [
        ("submitted", "Rae Recipient", ""),
        ("question", "Ann Admin", "Which schools?"),
        ("question", "Ann Admin", "Which schools, and how many coaches?"),
        ("answer", "Rae Recipient", "Four schools, two coaches."),
        ("declined", "Ann Admin", "Outside our remit."),
    ]


def _tell_the_story(demo, admin):
    with audit.acting_as(demo.recipient_a):
        req = requests.submit_request(
            demo.unit_a,
            {"title": "Help with coaching", "description": "Coaching", "for_whom": "Coaches"},
            demo.recipient_a,
        )
    with audit.acting_as(admin):
        requests.ask_for_information(req, "Which schools?", admin)
        requests.ask_for_information(req, "Which schools, and how many coaches?", admin)
    with audit.acting_as(demo.recipient_a):
        requests.answer_question(req, "Four schools, two coaches.", demo.recipient_a)
    with audit.acting_as(admin):
        requests.decline_request(req, "Outside our remit.", admin)


# --- layers ------------------------------------------------------------------------------------------


def test_importing_the_models_loads_no_web_framework():
    """tracker/models/ stands on the database proxy, peewee and the standard library: importing it
    (without the app factory in tracker/__init__.py and the request hooks in tracker/db.py, which
    the subprocess stands in for) loads neither Flask nor flask-login nor WTForms."""
    script = f"""
import sys, types
from peewee import DatabaseProxy
package = types.ModuleType("tracker")
package.__path__ = [{str(ROOT / "tracker")!r}]
sys.modules["tracker"] = package
db = types.ModuleType("tracker.db")
db.database = DatabaseProxy()
sys.modules["tracker.db"] = db
import tracker.models
assert len(tracker.models.MODELS) == 65, len(tracker.models.MODELS)  # + i6..i16, i19, i21 (rollups: 4), i22, i23
web = sorted(m for m in sys.modules if m.split(".")[0] in ("flask", "flask_login", "wtforms", "jinja2", "click"))
print(",".join(web))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_the_models_import_only_the_database_proxy_from_the_app():
    """No import cycle through the models: they import tracker/db.py's `database` and each other,
    never the catalog loader, services, reports or the web layer."""
    allowed_outside = {
        "calendar",
        "collections",
        "contextlib",
        "contextvars",
        "datetime",
        "functools",
        "json",
        "math",
        "re",
    }
    allowed_outside |= {"secrets", "peewee", "dataclasses"}
    allowed_outside |= {"werkzeug", "zxcvbn"}  # password hashing and the password strength estimate
    found = []
    for path in sorted((ROOT / "tracker" / "models").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found += [(path.name, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                found.append((path.name, "." * node.level + (node.module or "")))
    wrong = [
        (name, module)
        for name, module in found
        if not (
            module.split(".")[0] in allowed_outside
            or (module.startswith(".") and not module.startswith(".."))
            or module == "..db"
        )
    ]
    assert wrong == []
    assert ("base.py", "..db") in found  # the check looks at what it should
