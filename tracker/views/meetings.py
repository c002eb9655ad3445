"""The meeting log: log, edit, delete and restore meetings and sessions."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import policy
from ..forms import BaseForm
from ..forms.meetings import MeetingForm, default_minutes
from ..models import MEETING_KINDS, Attachment, Meeting, MeetingDecision, NextStep, keys, lapses, linked_ids
from ..reports import meeting_form
from ..reports.log_review import review_panel
from ..reports.meetings import meeting_detail
from ..services import meetings as service
from ..services.review import move_log
from .drafts import form_state
from .helpers import form_status, save_form, show_date
from .review_moves import refuse_locked, review_post

bp = Blueprint("meetings", __name__, url_prefix="/engagements/<int:engagement_id>/meetings")


def _when(date):
    return show_date(date)


def _back(engagement):
    return url_for("engagements.detail", engagement_id=engagement.id, _anchor="meetings-h")


def _admin_engagement(engagement_id):
    engagement = policy.get_engagement(engagement_id)
    if not policy.can_restore(current_user):
        abort(403)
    return engagement


def _offer_goals(form, ctx):
    """Each open goal has its row, and each measured goal its value row, also when a POST left some out
    (the rows come from the browser)."""
    for rows, goals in ((form.goal_changes, ctx["open_goals"]), (form.measurements, ctx["measured_goals"])):
        present = {str(entry.form.goal_id.data) for entry in rows}
        for goal in goals:
            if str(goal.id) not in present:
                rows.append_entry({"goal_id": goal.id})
    form.set_choices(ctx)


def _framework_key():
    """The competency framework to show: the one a "use …" button asks for, else the one shown when the
    form was posted (a hidden field), else one from the query string (older links)."""
    return request.form.get("switch_framework") or request.values.get("framework")


def _switching():
    """A "use …" button posted the form to show another framework: render it again, save nothing."""
    return request.method == "POST" and bool(request.form.get("switch_framework"))


def _ticked_competencies():
    """The competency ids ticked in the form as posted (kept across a switch of framework)."""
    return [int(v) for v in request.form.getlist("competencies") if v.isdigit()] if request.method == "POST" else []


def _saving_draft():
    """The form's "Save as draft" button was pressed (the other, and Ctrl+Enter, submit for review)."""
    return request.form.get("save") == "draft"


def _submit_unless_draft(meeting, user):
    """After an edit: "Submit for review" submits a draft or returned log; a submitted log stays submitted,
    and "Save as draft" leaves the log as it was."""
    if not _saving_draft() and "submit" in meeting.moves_from_here():
        move_log(meeting, "submit", user)
    return meeting


def _render_form(form, engagement, ctx, meeting=None):
    title = f"Edit the meeting of {_when(meeting.date)}" if meeting is not None else "Log a meeting"
    switched = _switching()
    if switched or form.errors:
        # the focus goes to the error summary, or the page opens at the competencies: not to the date
        form.date.render_kw = {k: v for k, v in (form.date.render_kw or {}).items() if k != "autofocus"}
    return render_template(
        "meetings/form.html",
        form=form,
        e=engagement,
        ctx=ctx,
        meeting=meeting,
        title=title,
        button="Submit for review"
        if meeting is None or meeting.review_state in ("draft", "returned")
        else "Save changes",
        draft_button=meeting is None or meeting.review_state in ("draft", "returned"),
        unsaved=request.method == "POST",  # what the page shows was typed and is not saved yet
        switched=switched,
        lapses=lapses(engagement.id) if meeting is None else [],  # a new session may answer a lapse prompt
        **form_state(engagement, meeting),  # the user's draft to restore, who else is editing (issue 23)
    ), form_status(form)


def _logged(meeting):
    return f"{meeting.kind_label} of {_when(meeting.date)} logged."


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(engagement_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    kind = request.args.get("kind", "monthly")
    if kind not in keys(MEETING_KINDS):
        kind = "monthly"
    ctx = meeting_form.form_context(engagement, framework_key=_framework_key(), ticked=_ticked_competencies())
    form = MeetingForm(
        kind=kind,
        duration_minutes=default_minutes(kind),
        goal_changes=[{"goal_id": g.id} for g in ctx["open_goals"]],
        measurements=[{"goal_id": g.id} for g in ctx["measured_goals"]],
    )
    _offer_goals(form, ctx)
    if _switching():
        return _render_form(form, engagement, ctx)
    done = save_form(
        form,
        lambda f: service.log_meeting(engagement, f.to_data(), current_user, draft=_saving_draft()),
        _logged,
        _back(engagement),
    )
    return done or _render_form(form, engagement, ctx)


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit(engagement_id, meeting_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    meeting = policy.get_part(Meeting, engagement, meeting_id)
    locked = refuse_locked(meeting, engagement, _detail_url(engagement, meeting))
    if locked:
        return locked
    linked = linked_ids(meeting)
    ctx = meeting_form.form_context(
        engagement, meeting, framework_key=_framework_key(), linked=linked, ticked=_ticked_competencies()
    )
    steps = [
        {"step_id": s.id, "text": s.text, "owner": s.owner, "due_on": s.due_on}
        for s in NextStep.live().where(NextStep.meeting == meeting.id).order_by(NextStep.id)
    ]
    form = MeetingForm(
        date=meeting.date,
        kind=meeting.kind,
        mode=meeting.mode,
        duration_minutes=meeting.duration_minutes,
        notes=meeting.notes,
        notes_internal=meeting.notes_internal,
        agenda_set_by=meeting.agenda_set_by,
        decisions=[{"text": d.text, "decided_by": d.decided_by} for d in MeetingDecision.of(meeting)] or [{}],
        version=meeting.version,
        goal_changes=[{"goal_id": g.id} for g in ctx["open_goals"]],
        measurements=[{"goal_id": g.id} for g in ctx["measured_goals"]],
        next_steps=steps + [{} for _ in range(max(1, 3 - len(steps)))],
        **{name: linked[name] for name in ("team_members", "isps", "competencies", "strategies", "principles")},
    )
    _offer_goals(form, ctx)
    if _switching():
        return _render_form(form, engagement, ctx, meeting)
    done = save_form(
        form,
        lambda f: _submit_unless_draft(
            service.update_meeting(f.start_from(meeting), f.to_data(), current_user), current_user
        ),
        lambda m: f"Meeting of {_when(m.date)} updated.",
        url_for("meetings.detail", engagement_id=engagement.id, meeting_id=meeting.id),
    )
    return done or _render_form(form, engagement, ctx, meeting)


def _detail_url(engagement, meeting):
    return url_for("meetings.detail", engagement_id=engagement.id, meeting_id=meeting.id)


def _detail_page(engagement, meeting, review_form=None, status=200):
    return render_template(
        "meetings/detail.html",
        e=engagement,
        d=meeting_detail(meeting),
        mt=meeting,
        notes=meeting.notes_for(policy.can_see_internal_notes(current_user)),
        can_edit=policy.can_edit_engagement(current_user, engagement),
        can_change=policy.can_change_log(current_user, meeting, engagement),
        files=list(Attachment.of(meeting)),
        review=review_panel(current_user, meeting, engagement),
        review_form=review_form,
        review_action=url_for("meetings.review", engagement_id=engagement.id, meeting_id=meeting.id),
    ), status


@bp.route("/<int:meeting_id>")
@login_required
def detail(engagement_id, meeting_id):
    engagement = policy.get_engagement(engagement_id)
    return _detail_page(engagement, policy.get_part(Meeting, engagement, meeting_id))


@bp.route("/<int:meeting_id>/review", methods=["POST"])
@login_required
def review(engagement_id, meeting_id):
    """One review move (submit, return, approve, reopen) from the meeting's review panel."""
    engagement = policy.get_engagement(engagement_id)
    meeting = policy.get_part(Meeting, engagement, meeting_id)
    return review_post(
        meeting,
        engagement,
        f"{meeting.kind_label} of {_when(meeting.date)}",
        lambda form, status: _detail_page(engagement, Meeting.get_by_id(meeting.id), form, status),
        _detail_url(engagement, meeting),
        url_for("meetings.review", engagement_id=engagement.id, meeting_id=meeting.id),
    )


@bp.route("/<int:meeting_id>/delete", methods=["GET", "POST"])
@login_required
def delete(engagement_id, meeting_id):
    engagement = policy.get_engagement(engagement_id, edit=True)
    meeting = policy.get_part(Meeting, engagement, meeting_id)
    locked = refuse_locked(meeting, engagement, _detail_url(engagement, meeting))
    if locked:
        return locked
    if request.method == "POST":
        BaseForm().validate_on_submit()  # 400 without a valid CSRF token
        meeting.soft_delete()
        flash(f"Meeting of {_when(meeting.date)} deleted. An administrator can restore it.", "success")
        return redirect(_back(engagement))
    return render_template(
        "confirm.html",
        title="Delete this meeting?",
        message=(
            f"The {meeting.kind_label.lower()} of {_when(meeting.date)} will disappear from the engagement "
            "page and from reports. Goal changes and benchmarks recorded in it stay as they are. "
            "An administrator can restore it."
        ),
        action=url_for("meetings.delete", engagement_id=engagement.id, meeting_id=meeting.id),
        button="Delete the meeting",
        cancel=url_for("meetings.detail", engagement_id=engagement.id, meeting_id=meeting.id),
    )


@bp.route("/deleted")
@login_required
def deleted(engagement_id):
    engagement = _admin_engagement(engagement_id)
    return render_template("meetings/deleted.html", e=engagement, meetings=Meeting.deleted_of(engagement))


@bp.route("/<int:meeting_id>/restore", methods=["POST"])
@login_required
def restore(engagement_id, meeting_id):
    engagement = _admin_engagement(engagement_id)
    meeting = policy.get_part(Meeting, engagement, meeting_id, deleted=True)
    BaseForm().validate_on_submit()
    meeting.restore()
    flash(f"Meeting of {_when(meeting.date)} restored.", "success")
    return redirect(_back(engagement))
