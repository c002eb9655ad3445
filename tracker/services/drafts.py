"""Drafts of the meeting form and edit-page presence (issue 23): what one request writes.

`save_draft` keeps what the person has typed so far (the form's fields as [name, value] pairs, the CSRF
token and the framework switch left out); `discard_draft` forgets it (a saved meeting forgets it in
services/meetings.py); `editing` records that the person has a meeting's edit page open and answers who
else has. Access is checked by the caller (policy.can_keep_drafts).
"""

from ..models import EditingPresence, FormDraft, draft_text, utcnow

# fields of the form that are not what the person typed
NOT_KEPT = frozenset({"csrf_token", "switch_framework"})


def save_draft(user, engagement, meeting, pairs, now=None):
    """Keep `pairs` (the posted fields, in order) as `user`'s draft of this form; DraftTooLarge (nothing
    written) when it exceeds MAX_DRAFT_BYTES."""
    text = draft_text((name, value) for name, value in pairs if name not in NOT_KEPT)
    return FormDraft.keep(user, engagement, meeting, text, now=now or utcnow())


def discard_draft(user, engagement, meeting):
    return FormDraft.clear(user, engagement, meeting)


def open_form(user, engagement, meeting, fresh, now=None):
    """The meeting form is being shown to `user`: their draft to offer (only when `fresh`, a first
    showing: a refused form shows what was just typed) and, on an edit page, who else has it open
    ({"draft": FormDraft or None, "editing": [EditingPresence]})."""
    draft = FormDraft.find(user, engagement, meeting, now=now) if fresh else None
    return {"draft": draft, "editing": editing(user, meeting, now=now) if meeting is not None else []}


def editing(user, meeting, now=None):
    """`user` has the meeting's edit page open: record it; the others editing it (EditingPresence rows
    with their user)."""
    now = now or utcnow()
    EditingPresence.ping(user, meeting, now=now)
    return EditingPresence.others(user, meeting, now=now)
