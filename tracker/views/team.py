"""The implementation team: add, edit and end membership."""

import datetime as dt

from flask import Blueprint, url_for
from flask_login import login_required

from .. import policy
from ..forms.team import EndMembershipForm, TeamMemberForm
from ..models import TeamMember
from .helpers import form_page

bp = Blueprint("team", __name__, url_prefix="/engagements/<int:engagement_id>/team")


def _back(engagement):
    return url_for("engagements.detail", engagement_id=engagement.id, _anchor="team-h")


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(engagement_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    form = TeamMemberForm(data={"joined_on": dt.date.today(), "position": "manager"})

    def write(form):
        return TeamMember.create(
            engagement=engagement,
            name=form.name.data,
            email=form.email.data or "",
            position=form.position.data,
            joined_on=form.joined_on.data,
        )

    return form_page(
        form,
        write,
        lambda m: f"{m.name} added to the implementation team.",
        _back(engagement),
        "team/form.html",
        e=engagement,
        member=None,
        title="Add a team member",
        button="Add to the team",
    )


@bp.route("/<int:member_id>/edit", methods=["GET", "POST"])
@login_required
def edit(engagement_id, member_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    member = policy.get_part(TeamMember, engagement, member_id)
    form = TeamMemberForm(obj=member, left_on=member.left_on)

    def write(form):
        member.name = form.name.data
        member.email = form.email.data or ""
        member.position = form.position.data
        member.joined_on = form.joined_on.data
        member.save()
        return member

    return form_page(
        form,
        write,
        lambda m: f"{m.name}'s details saved.",
        _back(engagement),
        "team/form.html",
        e=engagement,
        member=member,
        title=f"Edit {member.name}",
        button="Save changes",
    )


@bp.route("/<int:member_id>/end", methods=["GET", "POST"])
@login_required
def end(engagement_id, member_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    member = policy.get_part(TeamMember, engagement, member_id)
    form = EndMembershipForm(data={"left_on": member.left_on or dt.date.today()}, joined_on=member.joined_on)

    def write(form):
        member.left_on = form.left_on.data
        member.save()
        return member

    return form_page(
        form,
        write,
        lambda m: (
            f"{m.name}'s membership ends on {m.left_on.isoformat()}; they stay listed for the meetings they attended."
        ),
        _back(engagement),
        "team/end.html",
        e=engagement,
        member=member,
    )
