"""The implementation team: add, edit, end membership, and delete one entered by mistake."""

from flask import Blueprint, url_for
from flask_login import login_required

from .. import policy
from ..forms.team import EndMembershipForm, TeamMemberForm
from ..models import TeamMember, today
from .helpers import PartForm, delete_part_page, form_page, save_fields

bp = Blueprint("team", __name__, url_prefix="/engagements/<int:engagement_id>/team")


def _back(engagement):
    return url_for("engagements.detail", engagement_id=engagement.id, _anchor="team-h")


MEMBER_FORM = PartForm(
    TeamMember,
    "team/form.html",
    "member",
    "team-h",
    add_title="Add a team member",
    add_button="Add to the team",
    added=lambda m: f"{m.name} added to the implementation team.",
    edit_title=lambda m: f"Edit {m.name}",
    saved=lambda m: f"{m.name}'s details saved.",
)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(engagement_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    form = TeamMemberForm(data={"joined_on": today(), "position": "manager"})
    return MEMBER_FORM.page(engagement, None, form)


@bp.route("/<int:member_id>/edit", methods=["GET", "POST"])
@login_required
def edit(engagement_id, member_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    member = policy.get_part(TeamMember, engagement, member_id)
    form = TeamMemberForm(obj=member)
    return MEMBER_FORM.page(engagement, member, form)


@bp.route("/<int:member_id>/end", methods=["GET", "POST"])
@login_required
def end(engagement_id, member_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    member = policy.get_part(TeamMember, engagement, member_id)
    form = EndMembershipForm(data={"left_on": member.left_on or today()})

    return form_page(
        form,
        lambda f: save_fields(member, f),
        lambda m: (
            f"{m.name}'s membership ends on {m.left_on.isoformat()}; they stay listed for the meetings they attended."
        ),
        _back(engagement),
        "team/end.html",
        e=engagement,
        member=member,
    )


@bp.route("/<int:member_id>/delete", methods=["GET", "POST"])
@login_required
def delete(engagement_id, member_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    member = policy.get_part(TeamMember, engagement, member_id)
    return delete_part_page(
        member,
        title=f"Delete {member.name} from the team?",  # nosec B608 # a page title, not SQL ("Delete … from")
        message=f"{member.name} will no longer be listed on {engagement.title}, offered as a meeting attendee "
        "or invited to give feedback, and the meetings they attended will no longer list them. To record that "
        "someone left the team, end their membership instead.",
        button="Delete the team member",
        action=url_for(".delete", engagement_id=engagement.id, member_id=member.id),
        back=_back(engagement),
        done=lambda m: f"{m.name} deleted from the implementation team.",
    )
