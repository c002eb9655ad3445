"""The workbook's last sheets (issue 20): deliverables, context notes, plan items, FRAME-IS modifications,
feedback responses and their answers, attachments (metadata; their files travel in a CSV folder's files/).

Plan versions and agreements are not sheets: a version is a snapshot of the plan made by the tracker and an
agreement is a person's sign-off of one version in this install. An imported plan item records a new
version (PlanVersion.record, as change_plan does), so the plan page has a current plan, and its agreement is
asked again from the people it names.

Columns that refer to goals, team members or meetings name the sheets sheets_parts.py and sheets_meetings.py
register before these.
"""

import json
import os

from werkzeug.datastructures import FileStorage

from ..models import (
    CFIR_DOMAINS,
    CONTEXT_KINDS,
    DELIVERABLE_KINDS,
    Attachment,
    ContextNote,
    Deliverable,
    FeedbackAnswer,
    FeedbackInstrument,
    FeedbackItem,
    FeedbackRelease,
    FeedbackResponse,
    Modification,
    PlanItem,
    PlanVersion,
    Stage,
    Strategy,
    ValidationError,
)
from ..models.audit import actor_id
from ..models.feedback import FEEDBACK_KINDS
from ..models.plans import (
    DECISION_PARTIES,
    FIDELITY,
    MODIFICATION_GOALS,
    MODIFICATION_NATURES,
    MODIFICATION_PLANNING,
    MODIFICATION_REACH,
    MODIFICATION_TIMING,
    MODIFIED_ASPECTS,
    PLAN_EFFECTS,
    REASON_LEVELS,
)
from ..services import attachments as files
from ..services.feedback import MAX_COMMENT
from .format import Column, Sheet, after_import, register, set_fields


def _exported(model, sheet_name, query=None):
    """The live records of `model` in id order (deleted ones are not exported)."""
    query = query if query is not None else model.select()
    query = query.where(model.deleted_at.is_null())
    return query.order_by(model.id)


# --- catalog keys (strategies, stages, instruments): a choice column, stored as the catalog row's id ---------


def _catalog_choices(model):
    return lambda: [(row.key, row.key) for row in model.select(model.key).order_by(model.id)]


class _Catalog:
    """key <-> id of one catalog, loaded when first used."""

    def __init__(self, model):
        self.model, self._ids = model, None

    def _load(self):
        if self._ids is None:
            self._ids = dict(self.model.select(self.model.key, self.model.id).tuples())
            self._keys = {v: k for k, v in self._ids.items()}

    def key(self, record_id):
        self._load()
        return self._keys.get(record_id) if record_id is not None else None

    def id(self, key):
        self._load()
        return self._ids.get(key) if key else None


STRATEGIES, STAGES = _Catalog(Strategy), _Catalog(Stage)


# --- deliverables and context notes ------------------------------------------------------------------

sheet_deliverables = register(
    Sheet(
        "deliverables",
        Deliverable,
        (
            Column("engagement", "ref", required=True, field="engagement", ref="engagements"),
            Column("kind", "choice", required=True, field="kind", choices=DELIVERABLE_KINDS),
            Column("title", required=True, field="title", max_length=300),
            Column("due_on", "date", field="due_on"),
            Column("delivered_on", "date", field="delivered_on", help="Empty while it is not delivered."),
            Column("link", field="link", max_length=500),
            Column("note", field="note", max_length=5000),
            Column("goal", "ref", field="goal", ref="goals", help="The goal it serves, one of its engagement's."),
        ),
        "What the engagement delivers (guidance, tools, reports). Deleted deliverables are not exported.",
        query=lambda: _exported(Deliverable, "deliverables"),
    )
)

register(
    Sheet(
        "context_notes",
        ContextNote,
        (
            Column("engagement", "ref", required=True, field="engagement", ref="engagements"),
            Column("kind", "choice", required=True, field="kind", choices=CONTEXT_KINDS),
            Column("domain", "choice", required=True, field="domain", choices=CFIR_DOMAINS, help="The CFIR domain."),
            Column("text", required=True, field="text", max_length=5000),
            Column("noted_on", "date", required=True, field="noted_on"),
            Column("created_by", "ref", field="created_by", ref="users"),
            Column("internal", "bool", field="internal", help="TRUE: seen by ISPs and leaders only."),
        ),
        "Barriers and facilitators noted on engagements. Deleted notes are not exported.",
        query=lambda: _exported(ContextNote, "context_notes"),
    )
)


# --- plan items and modifications ------------------------------------------------------------------------


def _plan_item_read(item, ids):
    return {"strategy": STRATEGIES.key(item.strategy_id), "stage": STAGES.key(item.stage_id)}


def _strategy_id(values):
    return STRATEGIES.id(values["strategy"])


def _plan_item_apply(item, values, ids):
    set_fields(sheet_plan_items, item, values, ids)
    item.strategy_id, item.stage_id = _strategy_id(values), STAGES.id(values["stage"])
    creating = item.id is None
    try:
        item.save()  # PlanItem.validate: responsible, dates, rhythm, the engagement's goal
    except ValidationError as exc:  # "responsible" names the pair: placed on its first column
        raise ValidationError(
            {("responsible_user" if k == "responsible" else k): v for k, v in exc.errors.items()}
        ) from None
    summary = f"{'Added' if creating else 'Changed'} by the import of a portfolio: {values['strategy']}."
    PlanVersion.record(item.engagement_id, actor_id(), summary)  # as change_plan keeps every change
    return item


sheet_plan_items = register(
    Sheet(
        "plan_items",
        PlanItem,
        (
            Column("engagement", "ref", required=True, field="engagement", ref="engagements"),
            Column(
                "strategy",
                "choice",
                required=True,
                choices=_catalog_choices(Strategy),
                help="The key of an ERIC strategy or ISP activity (the lists sheet).",
            ),
            Column("goal", "ref", field="goal", ref="goals"),
            Column("stage", "choice", choices=_catalog_choices(Stage), help="The stage key, if the item has one."),
            Column(
                "sessions_per_month",
                "float",
                required=True,
                field="sessions_per_month",
                help="1 monthly, 0.33 quarterly.",
            ),
            Column("minutes_per_session", "int", required=True, field="minutes_per_session"),
            Column("start_date", "date", required=True, field="start_date"),
            Column("end_date", "date", field="end_date"),
            Column(
                "responsible_user", "ref", field="responsible_user", ref="users", help="An ISP of the engagement..."
            ),
            Column(
                "responsible_member", "ref", field="responsible_member", ref="team_members", help="...or a team member."
            ),
            Column("created_at", "datetime", required=True, field="created_at"),
        ),
        "The implementation plans' items. Each imported item records a new plan version, whose agreement is asked "
        "again. Removed items are not exported.",
        query=lambda: _exported(PlanItem, "plan_items"),
        read=_plan_item_read,
        apply=_plan_item_apply,
    )
)


def _modification_read(modification, ids):
    return {"strategy": STRATEGIES.key(modification.strategy_id), "participants": modification.participant_keys}


def _modification_apply(modification, values, ids):
    set_fields(sheet_modifications, modification, values, ids)
    modification.strategy_id = _strategy_id(values)
    modification.participants = ",".join(values["participants"])
    modification.save()  # Modification.validate: its plan item's engagement and strategy, its date
    return modification


CODES = "FRAME-IS code: the lists sheet has the keys."
sheet_modifications = register(
    Sheet(
        "modifications",
        Modification,
        (
            Column("engagement", "ref", required=True, field="engagement", ref="engagements"),
            Column("plan_item", "ref", field="plan_item", ref="plan_items", help="The plan item modified, if any."),
            Column("strategy", "choice", required=True, choices=_catalog_choices(Strategy)),
            Column("decided_on", "date", required=True, field="decided_on"),
            Column("description", required=True, field="description", max_length=5000),
            Column("modified", "choice", required=True, field="modified", choices=MODIFIED_ASPECTS, help=CODES),
            Column("nature", "choice", required=True, field="nature", choices=MODIFICATION_NATURES, help=CODES),
            Column("fidelity", "choice", required=True, field="fidelity", choices=FIDELITY, help=CODES),
            Column("goal", "choice", required=True, field="goal", choices=MODIFICATION_GOALS, help=CODES),
            Column("reason_level", "choice", required=True, field="reason_level", choices=REASON_LEVELS, help=CODES),
            Column("timing", "choice", field="timing", choices=MODIFICATION_TIMING, help=CODES),
            Column("planning", "choice", field="planning", choices=MODIFICATION_PLANNING, help=CODES),
            Column(
                "participants", "keys", choices=DECISION_PARTIES, help="Who took part in the decision, “isp; team”."
            ),
            Column("decided_by", "choice", field="decided_by", choices=DECISION_PARTIES, help=CODES),
            Column("reach", "choice", field="reach", choices=MODIFICATION_REACH, help=CODES),
            Column("plan_effect", "choice", required=True, field="plan_effect", choices=PLAN_EFFECTS),
            Column("prompted", "bool", field="prompted", help="TRUE: recorded from a lapse prompt."),
            Column("recorded_by", "ref", field="recorded_by", ref="users"),
            Column("created_at", "datetime", required=True, field="created_at"),
        ),
        "Changes to planned strategies, coded as FRAME-IS codes them. A row changes no plan item: the plan_items "
        "sheet holds the items as they are. Deleted modifications are not exported.",
        query=lambda: _exported(Modification, "modifications"),
        read=_modification_read,
        apply=_modification_apply,
    )
)


# --- feedback --------------------------------------------------------------------------------------------


def _instrument_choices():
    return [(key, key) for (key,) in FeedbackInstrument.select(FeedbackInstrument.key).distinct().tuples()]


def _response_read(response, ids):
    named = not response.anonymous  # an anonymous response names nobody, whatever the row holds
    return {
        "instrument": response.instrument.key,
        "instrument_version": response.instrument.version,
        "respondent": ids.external("users", response.respondent_id) if named and response.respondent_id else None,
        "respondent_email": response.respondent_email if named else "",
    }


def _response_apply(response, values, ids):
    set_fields(sheet_responses, response, values, ids)
    instrument = FeedbackInstrument.get_or_none(
        (FeedbackInstrument.key == values["instrument"]) & (FeedbackInstrument.version == values["instrument_version"])
    )
    if instrument is None:
        raise ValidationError({"instrument_version": "This instrument has no such version in this tracker."})
    response.instrument = instrument.id
    response.respondent_id = (
        ids.record_id("users", values["respondent"], "respondent") if values["respondent"] else None
    )
    response.respondent_email = values["respondent_email"]
    try:
        comments = json.loads(values["comments"] or "{}")
    except ValueError:
        comments = None
    if not isinstance(comments, dict) or not all(isinstance(v, str) for v in comments.values()):
        raise ValidationError({"comments": 'Write the comments as {"item_key": "text"}, or leave the cell empty.'})
    if any(len(text) > MAX_COMMENT for text in comments.values()):
        raise ValidationError({"comments": f"A comment has at most {MAX_COMMENT} characters."})
    response.comments = values["comments"] or "{}"
    response.save()  # FeedbackResponse.validate: the date, and no identity on an anonymous response
    return response


sheet_responses = register(
    Sheet(
        "feedback_responses",
        FeedbackResponse,
        (
            Column("engagement", "ref", required=True, field="engagement", ref="engagements"),
            Column("instrument", "choice", required=True, choices=_instrument_choices),
            Column("instrument_version", "int", required=True),
            Column("kind", "choice", required=True, field="kind", choices=FEEDBACK_KINDS),
            Column("meeting", "ref", field="meeting", ref="meetings", help="The meeting it followed, if any."),
            Column("anonymous", "bool", field="anonymous", help="TRUE: nobody is named (respondent columns empty)."),
            Column("respondent", "ref", ref="users", help="A named response's user; empty when anonymous."),
            Column(
                "respondent_email", max_length=254, help="A named response without an account; empty when anonymous."
            ),
            Column("submitted_on", "date", required=True, field="submitted_on"),
            Column(
                "comments", field="comments", max_length=100_000, help='The open answers as JSON: {"item_key": "text"}.'
            ),
            Column("created_at", "datetime", required=True, field="created_at"),
        ),
        "Recipients' feedback responses. An anonymous response is exported without anyone's name, and a row that "
        "names someone on an anonymous response is refused. Deleted responses are not exported.",
        query=lambda: _exported(FeedbackResponse, "feedback_responses"),
        read=_response_read,
        apply=_response_apply,
    )
)


def _answers():
    responses = _exported(FeedbackResponse, "feedback_responses").select(FeedbackResponse.id)
    return (
        FeedbackAnswer.select(FeedbackAnswer, FeedbackItem)
        .join(FeedbackItem)
        .where(FeedbackAnswer.response.in_(responses))
        .order_by(FeedbackAnswer.id)
    )


def _answer_apply(answer, values, ids):
    set_fields(sheet_answers, answer, values, ids)
    instrument = FeedbackResponse.get_by_id(answer.response_id).instrument_id
    item = FeedbackItem.get_or_none((FeedbackItem.instrument == instrument) & (FeedbackItem.key == values["item"]))
    if item is None or item.kind != "likert":
        raise ValidationError({"item": "The response's instrument has no agreement item with this key."})
    answer.item = item.id
    answer.save()  # FeedbackAnswer.validate: 1 to 5
    return answer


sheet_answers = register(
    Sheet(
        "feedback_answers",
        FeedbackAnswer,
        (
            Column("response", "ref", required=True, field="response", ref="feedback_responses"),
            Column("item", required=True, max_length=80, help="The key of the instrument's agreement item."),
            Column("value", "int", required=True, field="value", help="1 (completely disagree) to 5."),
        ),
        "The agreement answers (1 to 5) of the feedback responses; open answers are the responses' comments.",
        query=_answers,
        read=lambda answer, ids: {"item": answer.item.key},
        apply=_answer_apply,
    )
)


# --- attachments -----------------------------------------------------------------------------------------


def file_name(external_id, name):
    """The file's name in a CSV folder's files/: `<external_id>-<name>`, without any folder in it."""
    return files.clean_name(f"{external_id}-{name}")


def _attachments():
    query = Attachment.served().where(Attachment.deleted_at.is_null())
    return query.order_by(Attachment.id)


def _export_files(folder, ids):
    store = None
    for attachment in _attachments().iterator():
        store = store or files.storage()
        os.makedirs(os.path.join(folder, "files"), exist_ok=True)
        target = os.path.join(folder, "files", file_name(ids.external("attachments", attachment.id), attachment.name))
        with store.open(attachment.storage_key) as source, open(target, "wb") as out:
            out.write(source.read())


FIXED = ("kind", "size", "sha256")  # they describe the bytes: a row cannot change them


def _attachment_apply(attachment, values, ids):
    if attachment.id is not None:
        for header in FIXED:
            if values[header] != getattr(attachment, header):
                raise ValidationError({header: "This describes the stored file's bytes: it cannot be changed."})
        set_fields(sheet_attachments, attachment, values, ids)
        attachment.save()
        return attachment
    if ids.folder is None:
        return None  # an .xlsx carries no files (the report says so)
    path = os.path.join(ids.folder, "files", file_name(values["external_id"], values["name"]))
    if not os.path.isfile(path):
        raise ValidationError(
            {"name": f"The folder has no file files/{file_name(values['external_id'], values['name'])}."}
        )
    with open(path, "rb") as fh:
        try:
            name, kind, data = files.check_file(FileStorage(fh, filename=values["name"]))  # the uploads' checks
        except ValidationError as exc:
            raise ValidationError({"name": exc.errors.get("file", str(exc))}) from None
    stored = Attachment(name=name, kind=kind, size=len(data), sha256=files.hashlib.sha256(data).hexdigest())
    for header in FIXED:
        if values[header] != getattr(stored, header):
            raise ValidationError({header: f"The file files/{os.path.basename(path)} does not match this {header}."})
    fields = Attachment()
    set_fields(sheet_attachments, fields, values, ids)
    keep = ("engagement", "meeting", "deliverable", "uploaded_by", "created_at")
    return files.store_file(name, kind, data, **{f: getattr(fields, f + "_id", None) if f != "created_at" else
                                                  fields.created_at for f in keep})  # fmt: skip


sheet_attachments = register(
    Sheet(
        "attachments",
        Attachment,
        (
            Column("engagement", "ref", required=True, field="engagement", ref="engagements"),
            Column("meeting", "ref", field="meeting", ref="meetings", help="The meeting it is attached to..."),
            Column("deliverable", "ref", field="deliverable", ref="deliverables", help="...or the deliverable."),
            Column("name", required=True, field="name", max_length=200, help="The file's name, as uploaded."),
            Column("kind", required=True, field="kind", max_length=10, help="Its type: pdf, docx, png..."),
            Column("size", "int", required=True, field="size", help="In bytes."),
            Column("sha256", required=True, field="sha256", max_length=64, help="The SHA-256 of its bytes (hex)."),
            Column("uploaded_by", "ref", field="uploaded_by", ref="users"),
            Column("created_at", "datetime", required=True, field="created_at"),
        ),
        "Files attached to meetings and deliverables: their metadata. A CSV folder carries the files themselves in "
        "files/<external_id>-<name>, checked as an upload is; an .xlsx workbook carries none, and its import leaves "
        "new attachments out. Deleted files, and files of deleted records, are not exported.",
        query=_attachments,
        apply=_attachment_apply,
        export_files=_export_files,
        skip_note="attachments: {count} rows left out: an .xlsx workbook carries no files. Import the CSV folder "
        "with its files/ folder to bring them in.",
    )
)


# Which responses are released (the disclosure rule, docs/disclosure.md) is not a sheet: it is derived from the
# responses, released as they came in, as for any data loaded in bulk.
after_import(FeedbackRelease.replay)
