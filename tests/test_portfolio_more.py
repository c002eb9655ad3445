"""The portfolio's last sheets (issue 20): deliverables, context notes, plan items, modifications, feedback and
attachments. A bad row of each is reported as (sheet, row, column, message) with nothing written; an anonymous
response never carries a name out or in; a CSV folder carries attachments' files both ways."""

import csv
import datetime as dt
import hashlib
import io

from werkzeug.datastructures import FileStorage

from tracker.models import (
    Attachment,
    ContextNote,
    Deliverable,
    FeedbackAnswer,
    FeedbackInstrument,
    FeedbackItem,
    FeedbackResponse,
    Modification,
    PlanItem,
    Strategy,
)
from tracker.portfolio import Problem, export_portfolio, import_portfolio, read_back
from tracker.services.attachments import add_attachment, storage

from . import factories as f
from .portfolio_helpers import empty_the_portfolio

PDF = b"%PDF-1.4\n% a one-page file\n%%EOF\n"


def _portfolio():
    """small_world with one of each record of these sheets on engagement A."""
    w = f.small_world()
    e = w.engagement_a
    strategy = Strategy.select().order_by(Strategy.id).first()
    item = f.plan_item(e, w.isp_a1, strategy=strategy)
    deliverable = Deliverable.create(
        engagement=e, kind="other", title="Practice profile", due_on=dt.date(2026, 3, 1), delivered_on=e.start_date
    )
    ContextNote.create(
        engagement=e, kind="barrier", domain="inner_setting", text="Staff turnover", noted_on=e.start_date
    )
    Modification.create(
        engagement=e,
        plan_item=item,
        strategy=strategy,
        decided_on=e.start_date,
        description="Coaching moved online",
        modified="context_format",
        nature="substituting",
        goal="reach",
        reason_level="organization",
        participants="isp,team",
    )
    instrument = FeedbackInstrument.select().order_by(FeedbackInstrument.id).first()
    likert = FeedbackItem.get((FeedbackItem.instrument == instrument) & (FeedbackItem.kind == "likert"))
    common = {"engagement": e, "instrument": instrument, "kind": "pulse", "submitted_on": e.start_date}
    anonymous = FeedbackResponse.create(anonymous=True, **common)
    named = FeedbackResponse.create(anonymous=False, respondent=w.recipient_a, **common)
    FeedbackAnswer.create(response=anonymous, item=likert, value=4)
    FeedbackAnswer.create(response=named, item=likert, value=2)
    w.item, w.deliverable, w.anonymous, w.named = item, deliverable, anonymous, named
    return w


def _add_row(folder, sheet, **cells):
    """Append a row to `folder/<sheet>.csv` (empty cells but those given); its spreadsheet row number."""
    path = folder / f"{sheet}.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows.append([cells.get(h, "") for h in rows[0]])
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return len(rows)


def _row_of(folder, sheet, number):
    with open(folder / f"{sheet}.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return dict(zip(rows[0], rows[number - 1], strict=True))


def _counts():
    return [m.select().count() for m in (PlanItem, Modification, FeedbackResponse, FeedbackAnswer, Attachment)]


def _refused(folder, sheet, column, message_part):
    before = _counts()
    report = import_portfolio(folder, dry_run=False, name="bad")
    assert not report.committed and _counts() == before  # all or nothing
    assert len(report.problems) == 1, report.problems
    problem = report.problems[0]
    assert (problem.sheet, problem.column) == (sheet, column)
    assert message_part in problem.message
    return problem


def test_a_plan_item_with_an_unknown_strategy_key_is_reported_and_nothing_is_written(app, tmp_path):
    w = _portfolio()
    folder = tmp_path / "out"
    with app.app_context():
        export_portfolio(folder)
    good = _row_of(folder, "plan_items", 2)
    row = _add_row(folder, "plan_items", **{**good, "external_id": "new-item", "strategy": "no_such_strategy"})
    problem = _refused(folder, "plan_items", "strategy", "Choose one of")
    assert problem.row == row
    assert PlanItem.select().where(PlanItem.engagement == w.engagement_a.id).count() == 1


def test_a_modification_with_an_unknown_frame_is_code_is_reported(app, tmp_path):
    _portfolio()
    folder = tmp_path / "out"
    with app.app_context():
        export_portfolio(folder)
    good = _row_of(folder, "modifications", 2)
    row = _add_row(folder, "modifications", **{**good, "external_id": "m2", "nature": "rewriting"})
    problem = _refused(folder, "modifications", "nature", "Choose one of")
    assert problem == Problem("modifications", row, "nature", problem.message) and "substituting" in problem.message


def test_an_anonymous_response_that_names_someone_is_refused(app, tmp_path):
    w = _portfolio()
    folder = tmp_path / "out"
    with app.app_context():
        export_portfolio(folder)
    anonymous = _row_of(folder, "feedback_responses", 2)
    assert anonymous["anonymous"] == "TRUE"
    row = _add_row(folder, "feedback_responses", **{**anonymous, "external_id": "r9", "respondent": str(w.isp_a1.id)})
    problem = _refused(folder, "feedback_responses", "respondent", "anonymous response names nobody")
    assert problem.row == row


def test_an_export_never_writes_who_gave_an_anonymous_response(app, tmp_path):
    w = _portfolio()
    # Even a row that somehow holds a name (written around the model) goes out without it.
    FeedbackResponse.update(respondent=w.isp_a2.id, respondent_email="who@example.org").where(
        FeedbackResponse.id == w.anonymous.id
    ).execute()
    path = tmp_path / "out.xlsx"
    export_portfolio(path)
    rows = read_back(path)["feedback_responses"]
    header = rows[0]
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    anonymous, named = by_id[str(w.anonymous.id)], by_id[str(w.named.id)]
    assert anonymous["anonymous"] is True and anonymous["respondent"] is None and anonymous["respondent_email"] is None
    assert named["anonymous"] is False and named["respondent"] == str(w.recipient_a.id)
    flat = [cell for row in rows[1:] for cell in row]
    assert "who@example.org" not in flat


def test_an_attachment_of_a_refused_type_is_reported_and_nothing_is_stored(app, tmp_path):
    w = _portfolio()
    folder = tmp_path / "out"
    with app.app_context():
        export_portfolio(folder)
        data = b"MZ\x90\x00 a program"
        (folder / "files").mkdir(exist_ok=True)
        (folder / "files" / "a9-tool.exe").write_bytes(data)
        row = _add_row(
            folder,
            "attachments",
            external_id="a9",
            engagement=str(w.engagement_a.id),
            deliverable=str(w.deliverable.id),
            name="tool.exe",
            kind="exe",
            size=str(len(data)),
            sha256=hashlib.sha256(data).hexdigest(),
            created_at="2026-01-06 10:00:00",
        )
        problem = _refused(folder, "attachments", "name", "not a type the tracker accepts")
    assert problem.row == row


def test_a_csv_folder_carries_the_attachments_files_out_and_back_in(app, tmp_path):
    w = _portfolio()
    with app.app_context():
        attachment = add_attachment(w.deliverable, FileStorage(io.BytesIO(PDF), "profile.pdf"), w.isp_a1)
        first = tmp_path / "first"
        export_portfolio(first)
        assert (first / "files" / f"{attachment.id}-profile.pdf").read_bytes() == PDF
        empty_the_portfolio()
        report = import_portfolio(first, dry_run=False, name="first")
        assert report.problems == [] and report.counts["attachments"].created == 1
        stored = Attachment.get()
        assert (stored.name, stored.size, stored.sha256) == ("profile.pdf", len(PDF), hashlib.sha256(PDF).hexdigest())
        with storage().open(stored.storage_key) as fh:
            assert fh.read() == PDF
        second = tmp_path / "second"
        export_portfolio(second)
    assert read_back(first) == read_back(second)
    assert (second / "files" / f"{attachment.id}-profile.pdf").read_bytes() == PDF


def test_an_xlsx_import_leaves_new_attachments_out_and_says_so(app, tmp_path):
    w = _portfolio()
    with app.app_context():
        add_attachment(w.deliverable, FileStorage(io.BytesIO(PDF), "profile.pdf"), w.isp_a1)
    path = tmp_path / "out.xlsx"
    export_portfolio(path)
    empty_the_portfolio()
    report = import_portfolio(path, dry_run=False, name="out.xlsx")
    assert report.problems == [] and report.committed
    assert report.counts["attachments"].skipped == 1 and Attachment.select().count() == 0
    assert any("attachments" in note and ".xlsx workbook carries no files" in note for note in report.notes)
    assert PlanItem.select().count() == Modification.select().count() == 1
    assert FeedbackAnswer.select().count() == 2
