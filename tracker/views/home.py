"""The home page: what is due or waits for the user. An ISP sees the requests waiting in the queue, ticks
off the next steps due right there, and a short list of their engagements (the whole list is /engagements);
a recipient sees their unit's requests, questions and engagements. Leaders land on the portfolio dashboard
instead (policy.lands_on_dashboard), which also shows the feedback waiting for them."""

import textwrap

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import policy, reports
from ..forms import BaseForm
from ..models import Engagement, SupportRequest
from ..paging import Page, paginate
from ..reports import my_work
from ..services import meetings as meeting_service

bp = Blueprint("home", __name__)

QUEUE_ON_HOME = 5  # requests of the queue shown on the home page (the count says how many wait)
ENGAGEMENTS_ON_HOME = 5  # an ISP's engagements shown on the home page (all of them: /engagements?mine=1)


def _engagements(visible):
    """The home page's engagements: for those who browse the engagement list, the latest few (running ones
    first) and how many in all; for a recipient, whose home is their unit's list, a page of them."""
    if policy.can_browse_engagements(current_user):
        latest = visible.order_by(Engagement.status == "closed", Engagement.start_date.desc(), Engagement.id.desc())
        return reports.engagement_list(latest.limit(ENGAGEMENTS_ON_HOME)), None, visible.count()
    page = paginate(
        visible.order_by(Engagement.status, Engagement.start_date.desc(), Engagement.id.desc()),
        request.args.get("page"),
        current_app.config["PER_PAGE"],
    )
    return reports.engagement_list(page.get_object_list()), page, page.total


@bp.route("/")
@login_required
def index():
    if policy.lands_on_dashboard(current_user):
        return redirect(url_for("reports.index"))
    visible = policy.visible_engagements(current_user)
    rows, page, total = _engagements(visible)
    steps = reports.next_steps_due(visible) if policy.sees_next_steps(current_user) else None
    questions = (
        SupportRequest.questions_waiting(policy.visible_requests(current_user))
        if policy.answers_questions(current_user)
        else []
    )
    queue = queue_count = None
    if policy.can_triage_requests(current_user):
        waiting = SupportRequest.in_queue(policy.visible_requests(current_user))
        queue, queue_count = list(waiting.limit(QUEUE_ON_HOME)), waiting.count()
    return render_template(
        "home/index.html",
        work=my_work.sections(current_user),
        rows=rows,
        page=page,
        engagement_count=total,
        next_steps=steps,
        queue=queue,
        queue_count=queue_count,
        my_requests=policy.home_requests(current_user),
        questions_waiting=questions,
    )


@bp.app_context_processor
def my_work_count():
    """The navigation's "My work" count, computed only when a page's header asks for it."""
    return {"my_work_waiting": lambda: my_work.waiting_total(current_user._get_current_object())}


def _page_number(arg):
    try:
        return max(1, int(arg or 1))
    except ValueError:
        return 1


@bp.route("/my-work")
@login_required
def my_work_page():
    """Every section of the user's My work, each paged on its own (`<section>_page`)."""
    shown = []
    for key in my_work.section_keys(current_user):
        number = _page_number(request.args.get(f"{key}_page"))
        found = my_work.section(current_user, key, my_work.PER_PAGE, (number - 1) * my_work.PER_PAGE)
        last = Page(number=1, per_page=my_work.PER_PAGE, total=found.total).pages
        if number > last:  # past the end: the last page
            number = last
            found = my_work.section(current_user, key, my_work.PER_PAGE, (number - 1) * my_work.PER_PAGE)
        if found.total:
            shown.append((found, Page(number=number, per_page=my_work.PER_PAGE, total=found.total)))
    return render_template("home/my_work.html", shown=shown)


@bp.route("/engagements/<int:engagement_id>/next-steps/<int:step_id>/done", methods=["POST"])
@login_required
def complete_next_step(engagement_id, step_id):
    """Tick off a next step from the home page: the same rule as changing its meeting (those who edit the
    engagement)."""
    engagement = policy.get_engagement(engagement_id, edit=True)
    step = policy.get_next_step(engagement, step_id)
    BaseForm().validate_on_submit()  # a bad CSRF token answers 400
    name = textwrap.shorten(step.text, width=120, placeholder="…")
    if meeting_service.complete_next_step(step):
        flash(f"Next step “{name}” marked done.", "success")
    else:
        flash(f"Next step “{name}” was already done.", "info")
    return redirect(url_for("home.index", _anchor="next-steps-h"))
