"""The home page: the engagements the user may see, and what is due or waits for the user. Leaders land on
the portfolio dashboard instead (policy.lands_on_dashboard), which also shows the feedback waiting for them."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import policy, reports
from ..models import Engagement, SupportRequest
from ..paging import paginate
from ..services.feedback import open_invitations_for

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index():
    if policy.lands_on_dashboard(current_user):
        return redirect(url_for("reports.index"))
    visible = policy.visible_engagements(current_user)
    page = paginate(
        visible.order_by(Engagement.status, Engagement.start_date.desc(), Engagement.id.desc()),
        request.args.get("page"),
        current_app.config["PER_PAGE"],
    )
    rows = reports.engagement_list(page.get_object_list())
    steps = reports.next_steps_due(visible) if policy.sees_next_steps(current_user) else None
    questions = (
        SupportRequest.questions_waiting(policy.visible_requests(current_user))
        if policy.answers_questions(current_user)
        else []
    )
    return render_template(
        "home/index.html",
        rows=rows,
        page=page,
        next_steps=steps,
        my_requests=policy.home_requests(current_user),
        feedback_waiting=open_invitations_for(current_user),
        questions_waiting=questions,
    )
