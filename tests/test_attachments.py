"""Attachments on meetings and deliverables (issue 23): only those who may see the engagement download a
file; oversize, disallowed and disguised files are refused with a clear message and nothing stored (no
file on disk, no row); the download's headers; a file follows its meeting's soft delete and restore."""

import io
import os
import zipfile

from tracker.models import Attachment, AuditEntry, Deliverable
from tracker.services.attachments import engagement_attachments

from . import factories
from .conftest import csrf_token, sign_in

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"  # 48 bytes (9 + 20 + 13 + 6) with the PDF signature


def stored_files(app):
    folder = app.config["ATTACHMENT_DIR"]
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def meeting_url(e, m):
    return f"/engagements/{e.id}/meetings/{m.id}"


def upload(client, e, m, data, name, url=None):
    url = url or f"{meeting_url(e, m)}/attachments/new"
    token = csrf_token(client, meeting_url(e, m))
    return client.post(
        url, data={"csrf_token": token, "file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def test_upload_list_and_download_only_for_those_who_see_the_engagement(app, client, demo):
    e = demo.engagement_a
    m = factories.meeting(e)
    sign_in(client, demo.isp_a1)
    response = upload(client, e, m, PDF, "Agenda – März.pdf")
    assert response.status_code == 302
    a = Attachment.get()
    assert (a.name, a.kind, a.size, a.meeting_id, a.uploaded_by_id) == (
        "Agenda – März.pdf",
        "pdf",
        48,
        m.id,
        demo.isp_a1.id,
    )
    assert stored_files(app) == [a.storage_key]  # a random name, never the user's
    assert oct(os.stat(os.path.join(app.config["ATTACHMENT_DIR"], a.storage_key)).st_mode & 0o777) == "0o600"
    page = client.get(meeting_url(e, m)).get_data(as_text=True)
    assert "Agenda – März.pdf" in page and "48 bytes" in page and "Ada ISP" in page
    assert AuditEntry.select().where((AuditEntry.entity == "Attachment") & (AuditEntry.action == "create")).count() == 1

    url = f"/engagements/{e.id}/attachments/{a.id}"
    for user, expected in [
        (demo.recipient_a, 200),  # unit A's recipient sees engagement A
        (demo.leader_foundation, 200),
        (demo.isp_a2, 200),
        (demo.recipient_b, 404),  # another unit's: not disclosed
        (demo.isp_none, 404),
        (demo.leader_other, 404),
    ]:
        reader = app.test_client()
        sign_in(reader, user)
        got = reader.get(url)
        assert got.status_code == expected, user.email
        if expected == 200:
            assert got.data == PDF
            assert got.headers["Content-Type"] == "application/pdf"  # the type's own, never the client's
            assert got.headers["X-Content-Type-Options"] == "nosniff"
            disposition = got.headers["Content-Disposition"]
            assert disposition.startswith("attachment;")
            assert "filename*=UTF-8''Agenda%20%E2%80%93%20M%C3%A4rz.pdf" in disposition
    assert app.test_client().get(url).status_code == 302  # anonymous: sent to sign in


def test_refused_files_leave_nothing_behind(app, client, demo):
    e = demo.engagement_a
    m = factories.meeting(e)
    sign_in(client, demo.isp_a1)
    app.config["ATTACHMENT_MAX_BYTES"] = 1000
    html_as_pdf = b"<!doctype html><html><script>alert(1)</script></html>"
    not_word = io.BytesIO()
    with zipfile.ZipFile(not_word, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")  # a spreadsheet named .docx
    cases = [
        (PDF + b"x" * 953, "big.pdf", 400, "larger than 1000 bytes"),  # 1001 bytes: one over
        (b"MZ\x90\x00", "tool.exe", 400, "is not a type the tracker accepts"),
        (html_as_pdf, "slides.pdf", 400, "its content is not a PDF file"),
        (not_word.getvalue(), "notes.docx", 400, "its content is not a Word file"),
        (b"", "empty.txt", 400, "is empty"),
        (b"x" * 200_000, "huge.pdf", 413, "larger than 1000 bytes"),  # the body itself over the route's limit
    ]
    for data, name, status, message in cases:
        response = upload(client, e, m, data, name)
        assert response.status_code == status, name
        page = response.get_data(as_text=True)
        assert message in page and "Nothing was uploaded." in page, name
        assert 'id="file-error"' in page, name  # next to the field
    assert Attachment.select().count() == 0
    assert stored_files(app) == []
    # a recipient and a leader may not upload; another unit's recipient does not learn the meeting exists
    for user, expected in [(demo.recipient_a, 403), (demo.leader_foundation, 403), (demo.recipient_b, 404)]:
        other = app.test_client()
        sign_in(other, user)
        assert other.post(f"{meeting_url(e, m)}/attachments/new").status_code == expected
    assert Attachment.select().count() == 0


def test_other_requests_keep_the_one_megabyte_limit(app, client, demo):
    sign_in(client, demo.isp_a1)
    e = demo.engagement_a
    body = {"csrf_token": csrf_token(client, f"/engagements/{e.id}/deliverables/new"), "title": "x" * (1024 * 1024)}
    assert client.post(f"/engagements/{e.id}/deliverables/new", data=body).status_code == 413


def test_files_follow_their_meeting_and_are_deleted_on_their_own(app, client, demo):
    e = demo.engagement_a
    m = factories.meeting(e)
    d = Deliverable.create(engagement=e, title="Fidelity tool", kind="other")
    sign_in(client, demo.isp_a1)
    upload(client, e, m, PDF, "agenda.pdf")
    on_d = upload(
        client, e, m, b"name,score\nA,3\n", "scores.csv", url=f"/engagements/{e.id}/deliverables/{d.id}/attachments/new"
    )
    assert on_d.status_code == 302
    agenda, scores = Attachment.select().order_by(Attachment.id)
    assert scores.deliverable_id == d.id
    files_page = client.get(f"/engagements/{e.id}/deliverables/{d.id}/attachments").get_data(as_text=True)
    assert "scores.csv" in files_page and "agenda.pdf" not in files_page

    admin = app.test_client()
    sign_in(admin, demo.admin)
    url = f"/engagements/{e.id}/attachments/{agenda.id}"
    m.soft_delete()
    assert admin.get(url).status_code == 404  # a deleted meeting's files are not served
    m.restore()
    assert admin.get(url).status_code == 200  # and come back with it

    token = csrf_token(client, meeting_url(e, m))
    assert client.get(f"{url}/delete").status_code == 200  # the confirmation
    assert client.post(f"{url}/delete", data={"csrf_token": token}).status_code == 302
    assert admin.get(url).status_code == 404
    assert f'attachments/{agenda.id}"' not in client.get(meeting_url(e, m)).get_data(as_text=True)  # no longer listed
    assert AuditEntry.select().where((AuditEntry.entity == "Attachment") & (AuditEntry.action == "delete")).count() == 1
    assert len(stored_files(app)) == 2  # soft: the bytes stay for a restore
    assert [a["name"] for a in engagement_attachments(e)] == ["scores.csv"]  # for the portfolio export
