"""The implementation team: add, edit and end membership."""
import datetime as dt

from flask import Blueprint, abort, render_template, url_for
from flask_login import login_required

from .. import policy
from ..forms.team import EndMembershipForm, TeamMemberForm
from ..models import TeamMember
from .helpers import form_status, save_form

bp = Blueprint("team", __name__, url_prefix="/engagements/<int:engagement_id>/team")


def _back(engagement):
    return url_for("engagements.detail", engagement_id=engagement.id, _anchor="team-h")


def _get_member(engagement, member_id):
    """A member of this engagement, or 404 (an id of another engagement is not disclosed)."""
    member = TeamMember.select().where((TeamMember.id == member_id)
                                       & (TeamMember.engagement == engagement.id)).first()
    if member is None:
        abort(404)
    return member


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(engagement_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    form = TeamMemberForm(data={"joined_on": dt.date.today(), "position": "manager"})

    def write(form):
        return TeamMember.create(engagement=engagement, name=form.name.data, email=form.email.data or "",
                                 position=form.position.data, joined_on=form.joined_on.data)

    done = save_form(form, write, lambda m: f"{m.name} added to the implementation team.", _back(engagement))
    if done:
        return done
    return render_template("team/form.html", form=form, e=engagement, member=None,
                           title="Add a team member", button="Add to the team"), form_status(form)


@bp.route("/<int:member_id>/edit", methods=["GET", "POST"])
@login_required
def edit(engagement_id, member_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    member = _get_member(engagement, member_id)
    form = TeamMemberForm(obj=member, left_on=member.left_on)

    def write(form):
        member.name = form.name.data
        member.email = form.email.data or ""
        member.position = form.position.data
        member.joined_on = form.joined_on.data
        member.save()
        return member

    done = save_form(form, write, lambda m: f"{m.name}'s details saved.", _back(engagement))
    if done:
        return done
    return render_template("team/form.html", form=form, e=engagement, member=member,
                           title=f"Edit {member.name}", button="Save changes"), form_status(form)


@bp.route("/<int:member_id>/end", methods=["GET", "POST"])
@login_required
def end(engagement_id, member_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    member = _get_member(engagement, member_id)
    form = EndMembershipForm(data={"left_on": member.left_on or dt.date.today()}, joined_on=member.joined_on)

    def write(form):
        member.left_on = form.left_on.data
        member.save()
        return member

    done = save_form(form, write,
                     lambda m: f"{m.name}'s membership ends on {m.left_on.isoformat()}; they stay listed "
                               "for the meetings they attended.", _back(engagement))
    if done:
        return done
    return render_template("team/end.html", form=form, e=engagement, member=member), form_status(form)
