"""Engagements: the page that tells an engagement's story."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from .. import policy, reports

bp = Blueprint("engagements", __name__, url_prefix="/engagements")


@bp.route("/<int:engagement_id>")
@login_required
def detail(engagement_id):
    engagement = policy.get_engagement(engagement_id)
    overview = reports.engagement_overview(engagement)
    return render_template("engagements/detail.html", o=overview, e=engagement,
                           can_edit=policy.can_edit_engagement(current_user, engagement))
