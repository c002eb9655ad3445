"""Every page of the app, as every role that can open it, on a phone (390 px) and a desktop (1280 px):
no page scrolls sideways, and axe-core finds no serious or critical violation.

The pages come from the app's url_map: every rule that answers GET is visited, its path parameters filled
from one seeded world (`_world`), so a new page is covered without anyone listing it. The only rules never
visited are those in NOT_PAGES (not HTML pages); `test_every_page` fails when a GET rule is neither visited
by some role nor listed there, or when a rule needs a parameter `_world` does not have.

A role "can open" a page when the page answers 200 at the address asked (not a redirect, a 403 or a 404);
the first 403 and 404 pages met are checked too, once each, since people see them. One browser context per
role, signed in once; each page is loaded once and checked at each width in turn (the window resized).
Overflow is measured at every width of every visit; axe-core runs once per distinct page content (an
administrator's view of a page identical to the ISP's is not checked twice), at the narrowest width, and at
every width on each role's first page and the error pages (check_widths says why).
"""

import datetime as dt
import fnmatch

from tracker.models import (
    Attachment,
    Benchmark,
    BenchmarkTemplate,
    Competency,
    ContextNote,
    Deliverable,
    FeedbackInstrument,
    FeedbackInvitation,
    FeedbackItem,
    GoalTemplate,
    Stage,
    Strategy,
    SupportRequest,
    change_plan,
    record_modification,
)
from tracker.services import activities as activity_service
from tracker.services import admin as admin_service
from tracker.services import goals as goal_service

from .. import factories
from ..feedback_helpers import invite, respond
from .helpers import axe_violations, describe_violations, sign_in

WIDTHS = {"phone": 390, "desktop": 1280}

# GET rules that are not HTML pages, by their rule (fnmatch patterns); nothing else is skipped.
NOT_PAGES = (
    "/api/*",  # the JSON API (tests/test_api_*.py)
    "/static/*",  # stylesheets, scripts, images
    "*.csv",  # CSV downloads
    "*.zip",  # the printable report's tables as one zip of CSVs
    "*.xlsx",  # the portfolio workbook and its template (tests/test_portfolio_page.py)
    "/engagements/<int:engagement_id>/attachments/<int:attachment_id>",  # a file download (test_attachments.py)
)

# Extra query strings some pages need to be the page people reach (not a redirect).
# A path argument whose value differs by page: the set-password link's token is not a feedback link's.
RENAMED = {"auth.set_password": {"token": "link_token"}}

QUERIES = {
    "feedback.pulse": "?meeting={meeting_id}",  # a pulse follows a meeting
}

# When a page overflows: its width, and the outermost elements sticking out (where to look first).
OVERFLOW = """() => {
    const limit = window.innerWidth + 1;
    const doc = document.documentElement.scrollWidth;
    if (doc <= limit) return null;
    const culprits = [];
    for (const el of document.body.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.right > limit && r.width > 0) {
            const parent = el.parentElement.getBoundingClientRect();
            if (parent.right <= limit || el.parentElement === document.body) {
                const id = el.id ? '#' + el.id : '';
                const names = typeof el.className === 'string' ? el.className.trim().split(/\\s+/) : [];
                const cls = names.filter(Boolean).map(n => '.' + n).join('');
                culprits.push(`<${el.tagName.toLowerCase()}${id}${cls}> right edge ${Math.round(r.right)}px`);
            }
        }
    }
    return {width: doc, window: window.innerWidth, culprits: culprits.slice(0, 6)};
}"""


def _world(app, w):
    """Engagement A with one of everything (long names and addresses included), meetings and stages on
    every engagement so the reports have figures, requests in each state the pages act on, and deleted
    parts for the restore pages."""
    e = w.engagement_a
    competencies = [c.key for c in Competency.select().order_by(Competency.id).limit(4)]
    strategies = ["assess_readiness_barriers_facilitators", "audit_and_provide_feedback"]
    member = factories.team_member(
        e,
        name="Nadia Petrova",
        position="partner",
        email="nadia.petrova@brightstarthomevisitingnetwork-partners.example",
    )
    factories.team_member(e, name="Jess Park", email="jess.park@example.org", user=w.recipient_a, is_lead=True)
    goal = factories.goal(
        e, title="Supervisors coach to the practice profile", indicator="Coaching logs", target="June"
    )
    change = goal.change_status("in_progress", dt.date(2026, 2, 3))
    goal.measure_unit, goal.measure_direction, goal.outcome = "supervisors", "up", "adoption"
    goal.baseline_value, goal.baseline_on, goal.target_value, goal.target_on = (
        2,
        dt.date(2026, 1, 5),
        10,
        dt.date(2026, 12, 1),
    )
    goal.save()
    for day, value in ((dt.date(2026, 2, 3), 4), (dt.date(2026, 3, 2), 7)):
        measured = goal_service.record_measurement(goal, day, value, w.isp_a1)
    factories.goal(e, title="A goal set by mistake").soft_delete()
    stages = list(Stage.select().order_by(Stage.position))
    stage_entry = e.enter_stage(stages[1], dt.date(2026, 3, 2), note="Ready to install")
    for n, other in enumerate((w.engagement_b, w.engagement_c)):
        other.enter_stage(stages[n], dt.date(2026, 2, 1))
    meetings = [
        factories.meeting(e, date=dt.date(2026, month, 3), kind=kind, competencies=competencies, strategies=strategies)
        for month, kind in ((2, "monthly"), (3, "coaching"), (4, "monthly"))
    ]
    factories.meeting(w.engagement_b, date=dt.date(2026, 3, 10), competencies=competencies[:2], strategies=strategies)
    factories.meeting(w.engagement_c, date=dt.date(2026, 4, 10), competencies=competencies[2:], strategies=strategies)
    factories.meeting(e, date=dt.date(2026, 2, 10)).soft_delete()
    responses = [respond(e, {"aim_1": score}) for score in (3, 4, 5)]
    respond(e, {"aim_1": 2}).soft_delete()
    deliverable = Deliverable.create(
        engagement=e, kind="tool_resource", due_on=dt.date(2026, 6, 1), title="Supervisor coaching guide and checklist"
    )
    Deliverable.create(engagement=e, title="A draft nobody needs", kind="other").soft_delete()
    tags = {"strategies": [Strategy.get(Strategy.key == strategies[0]).id], "competencies": []}
    activity, _ = activity_service.log_activities(  # the work between meetings: its list, edit and delete pages
        e,
        [
            {"date": dt.date(2026, 3, 9), "kind": "outreach", "minutes": 45, "isps": [w.isp_a1.id], **tags},
            {
                "date": dt.date(2026, 3, 11),
                "kind": "data_collection",
                "minutes": 90,
                "isps": [w.isp_a1.id, w.isp_a2.id],
            },
        ],
        w.isp_a1,
    )
    note = ContextNote.create(
        engagement=e,
        kind="barrier",
        domain="process",
        text="Supervisors rotate every spring",
        noted_on=dt.date(2026, 2, 1),
    )
    # a planned strategy never logged (the engagement page and the meeting form ask what changed), and a
    # FRAME-IS modification recorded without a prompt (its page, edit and delete)
    unlogged = Strategy.select().where(Strategy.key.not_in(strategies)).order_by(Strategy.id).first()
    plan_item = {"strategy": unlogged.id, "sessions_per_month": 1, "minutes_per_session": 60}
    plan_item.update(start_date=dt.date(2026, 1, 15), responsible_user=w.isp_a1.id)
    change_plan(e, w.isp_a1, add=[plan_item])
    modification = record_modification(
        e,
        w.isp_a1,
        {
            "strategy": Strategy.get(Strategy.key == strategies[1]).id,
            "decided_on": dt.date(2026, 3, 3),
            "description": "Audit and feedback moved from monthly reports to a quarterly review with the team",
            "modified": "context_format",
            "nature": "lengthening",
            "fidelity": "consistent",
            "goal": "aaf",
            "reason_level": "recipient",
            "participants": "isp,team",
            "decided_by": "team",
        },
    )
    submitted = SupportRequest.create(
        unit=w.unit_a,
        intermediary=w.center,
        title="Scaling the home-visiting coaching model to three counties",
        description="We want the coaching model used by every home visitor.",
        requested_by=w.recipient_a,
    )
    SupportRequest.create(
        unit=w.unit_a,
        intermediary=w.center,
        title="Help with the data dashboard",
        description="Please",
        requested_by=w.recipient_a,
        status="info_requested",
        info_question="For whom is the dashboard?",
    )
    factories.engagement(w.unit_a, [w.isp_a1, w.isp_a2], title="An engagement opened twice").soft_delete()
    attachment = Attachment.create(  # its row only (the download is not a page): the lists and the delete page
        engagement=e, meeting=meetings[0], name="Agenda.pdf", kind="pdf", size=48, storage_key="0" * 32, sha256="0" * 64
    )
    invite(app, e, kind="survey", emails=(w.recipient_a.email,))
    (token,) = invite(app, e, kind="survey", emails=("alex.rivera@example.org",))
    invitation = FeedbackInvitation.get(FeedbackInvitation.email == w.recipient_a.email)
    with app.test_request_context():  # a set-password link, as an admin sends it (its url is built from the request)
        link = admin_service.send_invitation(w.recipient_b, w.admin).url
    plan_item = factories.plan_item(e, w.isp_a1, goal=goal.id)
    factories.plan_item(e, w.isp_a1, responsible_user=None, responsible_member=member.id, sessions_per_month=1 / 3)
    return {
        "engagement_id": e.id,
        "plan_item_id": plan_item.id,
        "goal_id": goal.id,
        "change_id": change.id,
        "value_id": measured.id,
        "stage_entry_id": stage_entry.id,
        "meeting_id": meetings[0].id,
        "member_id": member.id,
        "note_id": note.id,
        "modification_id": modification.id,
        "deliverable_id": deliverable.id,
        "activity_id": activity.id,
        "attachment_id": attachment.id,
        "benchmark_id": Benchmark.select().where(Benchmark.engagement == e).first().id,
        "request_id": submitted.id,
        "response_id": responses[0].id,
        "token": token,
        "invitation_id": invitation.id,
        "kind": "competencies",
        "entry_id": Competency.select().first().id,
        "template_id": BenchmarkTemplate.select().first().id,
        "goal_template_id": GoalTemplate.create(title="Data system in place", indicator="Monthly data used").id,
        "stage_id": stages[0].id,
        "user_id": w.recipient_b.id,
        "link_token": link.rsplit("/", 1)[1],
        "item_id": FeedbackItem.select().first().id,
        "instrument_id": FeedbackInstrument.select().first().id,
    }


def users(w):
    return {
        "anonymous": None,
        "recipient": w.recipient_a,
        "isp": w.isp_a1,
        "leader": w.leader_foundation,
        "admin": w.admin,
    }


def page_rules(app):
    """Every GET rule that is an HTML page, and the GET rules that are not (NOT_PAGES)."""
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods]
    skipped = [r for r in rules if any(fnmatch.fnmatch(r.rule, pattern) for pattern in NOT_PAGES)]
    return sorted((r for r in rules if r not in skipped), key=lambda r: r.rule), skipped


def address(rule, values):
    missing = sorted(set(rule.arguments) - set(values))
    assert not missing, f"{rule.rule} needs {missing}: add a value to the seeded world of test_every_page.py"
    values = {**values, **{name: values[value] for name, value in RENAMED.get(rule.endpoint, {}).items()}}
    path = rule.build(values, append_unknown=False)[1]
    return path + QUERIES.get(rule.endpoint, "").format(**values)


# What a page shows, less what differs between two sessions (CSRF tokens).
CONTENT = """() => {
    const main = document.querySelector('main').cloneNode(true);
    main.querySelectorAll('input[name=csrf_token]').forEach(input => input.remove());
    return main.innerHTML;
}"""


def check_page(page, where, problems, seen=None, axe=True):
    """Overflow always; axe-core when `axe`, unless `seen` (the contents already checked) has this page's
    content: a page that shows another role exactly what it showed an earlier one adds nothing but time."""
    overflow = page.evaluate(OVERFLOW)
    if overflow:
        problems.append(
            f"{where} is {overflow['width']}px wide in a {overflow['window']}px window (it scrolls sideways); "
            f"sticking out: {', '.join(overflow['culprits']) or 'nothing visible'}"
        )
    if not axe:
        return
    if seen is not None:
        content = page.evaluate(CONTENT)
        if content in seen:
            return
        seen.add(content)
    violations = axe_violations(page)
    if violations:
        problems.append(describe_violations(violations, where))


def check_widths(page, where, problems, seen=None, first=False):
    """check_page at each width in turn, narrowest first, the page loaded once: the window is widened (the
    layout follows, as a browser window's does) rather than the page asked again, then narrowed again for
    the next page, which so loads at the narrowest width (a chart drawn for a wide window would stick out of
    a narrow one until it redraws). `seen`: the contents axe-core has checked.

    axe-core checks the page whole at every width when it is a role's first page or an error page (the header
    and navigation change with the width), and otherwise at the narrowest width only, once per distinct
    content: what it checks (names, roles, labels, structure, colours) is the same document at every width,
    and the stylesheets' width rules change layout only (static/css: no colour, nothing hidden from a
    screen reader). Overflow, which does change with the width, is measured at every width of every page."""
    whole = seen is None or first
    for n, width in enumerate(sorted(WIDTHS.values())):
        page.set_viewport_size({"width": width, "height": 900})
        check_page(page, f"{where} at {width}px", problems, None if whole else seen, axe=whole or n == 0)
    page.set_viewport_size({"width": min(WIDTHS.values()), "height": 900})


def test_every_page(site, browser):
    values = _world(site.app, site.world)
    rules, _not_pages = page_rules(site.app)
    problems, visited, error_pages = [], {}, set()
    seen = set()
    for role, user in users(site.world).items():
        context = browser.new_context(base_url=site.base, viewport={"width": min(WIDTHS.values()), "height": 900})
        context.set_default_timeout(10_000)
        try:
            page = context.new_page()
            page.on("dialog", lambda dialog: dialog.dismiss())
            if user is not None:
                sign_in(page, user)
            first = True  # a role's first page is always checked whole: its header differs from other roles'
            for rule in rules:
                path = address(rule, values)
                # Asked first without drawing (same cookies): most of a role's refusals never need the browser.
                status = page.request.get(path, max_redirects=0).status
                if status in (403, 404) and status not in error_pages:
                    error_pages.add(status)
                    page.goto(path)
                    check_widths(page, f"the {status} page ({role}, {path})", problems)
                if status != 200:
                    continue  # refused, or a redirect (to sign in, or away from a state it does not apply to)
                page.goto(path)
                visited.setdefault(rule.rule, []).append(role)
                check_widths(page, f"{path} ({role})", problems, seen, first)
                first = False
        finally:
            context.close()
    missed = [r.rule for r in rules if r.rule not in visited]
    assert not missed, f"no role could open these pages: seed the world so one can, or list them in NOT_PAGES: {missed}"
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_only_non_pages_are_left_out(app):
    """The rules never visited are the API, static files and downloads (CSV, zip, workbooks, attachments), each
    listed."""
    rules, not_pages = page_rules(app)
    assert not_pages, "NOT_PAGES matches no rule: the patterns are out of date"
    downloads = (".csv", ".zip", ".xlsx")
    files = {"attachments.download"}  # an attachment: a file sent as a download, never a page
    assert all(
        r.rule.startswith(("/api/", "/static/")) or r.rule.endswith(downloads) or r.endpoint in files for r in not_pages
    ), not_pages
    assert {"/", "/login", "/engagements/<int:engagement_id>", "/reports/"} <= {r.rule for r in rules}
