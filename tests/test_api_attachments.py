"""Attachments on the API (issue 23): the pages' rules through the same service and policy. Only those who
may see the engagement list and download a file; oversize (413) and disallowed or disguised (422) files
are refused with the service's message and nothing stored (no row, no file); a deleted file answers 404."""

import io
import os

from tracker.models import Attachment, Deliverable

from . import factories
from .api_helpers import Api, token_for

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"  # 48 bytes (9 + 20 + 13 + 6) with the PDF signature


def stored_files(app):
    folder = app.config["ATTACHMENT_DIR"]
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def upload(client, user, url, data, name, **extra):
    return client.post(
        "/api/v1" + url,
        data={"file": (io.BytesIO(data), name), **extra},
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {token_for(user)}"},
    )


def test_upload_list_download_and_delete_follow_the_engagement(app, client, demo):
    e = demo.engagement_a
    m = factories.meeting(e)
    response = upload(client, demo.isp_a1, f"/meetings/{m.id}/attachments", PDF, "Agenda – März.pdf")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    a = Attachment.get()
    assert response.headers["Location"] == f"/api/v1/attachments/{a.id}"
    assert (body["name"], body["kind"], body["size"], body["meeting_id"], body["deliverable_id"]) == (
        "Agenda – März.pdf",
        "pdf",
        48,
        m.id,
        None,
    )
    assert body["engagement_id"] == e.id and body["uploaded_by_id"] == demo.isp_a1.id
    assert stored_files(app) == [a.storage_key]

    for user, expected in [
        (demo.recipient_a, 200),  # unit A's recipient sees engagement A
        (demo.leader_foundation, 200),
        (demo.isp_a2, 200),
        (demo.recipient_b, 404),  # another unit's: not disclosed
        (demo.isp_none, 404),
        (demo.leader_other, 404),
    ]:
        api = Api(client, user)
        listed = api.get(f"/meetings/{m.id}/attachments")
        meta = api.get(f"/attachments/{a.id}")
        got = api.get(f"/attachments/{a.id}/content")
        assert (listed.status_code, meta.status_code, got.status_code) == (expected,) * 3, user.email
        if expected == 200:
            assert [x["id"] for x in listed.get_json()["items"]] == [a.id]
            assert listed.get_json()["total"] == 1
            assert meta.headers["ETag"] == f'"{a.version}"'
            assert got.data == PDF
            assert got.headers["Content-Type"] == "application/pdf"  # the type's own, never the client's
            assert got.headers["X-Content-Type-Options"] == "nosniff"
            assert got.headers["Content-Disposition"].startswith("attachment;")
    assert Api(client).get(f"/attachments/{a.id}/content").status_code == 401  # no token

    # who may see but not edit may not delete; an ISP on the engagement may
    assert Api(client, demo.recipient_a).delete(f"/attachments/{a.id}").status_code == 403
    assert Api(client, demo.recipient_b).delete(f"/attachments/{a.id}").status_code == 404
    assert Api(client, demo.isp_a2).delete(f"/attachments/{a.id}").status_code == 204
    assert Attachment.get_by_id(a.id).deleted_at is not None  # soft: the row and its bytes stay for a restore
    assert stored_files(app) == [a.storage_key]
    api = Api(client, demo.isp_a1)
    for url in (f"/attachments/{a.id}", f"/attachments/{a.id}/content"):
        assert api.get(url).status_code == 404, url
    assert api.get(f"/meetings/{m.id}/attachments").get_json()["total"] == 0
    assert api.delete(f"/attachments/{a.id}").status_code == 404


def test_deliverable_files(app, client, demo):
    e = demo.engagement_a
    d = Deliverable.create(engagement=e, title="Fidelity tool", kind="other")
    csv = b"name,score\nA,3\n"  # 15 bytes
    response = upload(client, demo.isp_a1, f"/deliverables/{d.id}/attachments", csv, "scores.csv")
    assert response.status_code == 201
    assert (response.get_json()["deliverable_id"], response.get_json()["size"]) == (d.id, 15)
    got = Api(client, demo.recipient_a).get(f"/attachments/{response.get_json()['id']}/content")
    assert got.data == csv and got.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert Api(client, demo.recipient_b).get(f"/deliverables/{d.id}/attachments").status_code == 404
    assert upload(client, demo.recipient_a, f"/deliverables/{d.id}/attachments", csv, "x.csv").status_code == 403


def test_refused_files_store_nothing(app, client, demo):
    m = factories.meeting(demo.engagement_a)
    url = f"/meetings/{m.id}/attachments"
    app.config["ATTACHMENT_MAX_BYTES"] = 1000
    cases = [
        (PDF + b"x" * 953, "big.pdf", 413, "larger than 1000 bytes"),  # 48 + 953 = 1001 bytes: one over
        (b"x" * 200_000, "huge.pdf", 413, "larger than 1000 bytes"),  # the body itself over the route's limit
        (b"MZ\x90\x00", "tool.exe", 422, "is not a type the tracker accepts"),
        (b"<!doctype html><script>alert(1)</script>", "slides.pdf", 422, "its content is not a PDF file"),
        (b"", "empty.txt", 422, "is empty"),
    ]
    for data, name, status, message in cases:
        response = upload(client, demo.isp_a1, url, data, name)
        assert response.status_code == status, name
        error = response.get_json()["error"]
        assert message in error["message"] and "Nothing was uploaded." in error["message"], name
        assert message in error["fields"]["file"], name
    # not multipart: 415; a part besides `file`: 400 naming it
    api = Api(client, demo.isp_a1)
    assert api.post(url, json={"file": "x"}).status_code == 415
    extra = upload(client, demo.isp_a1, url, PDF, "a.pdf", note="hi")
    assert extra.status_code == 400 and extra.get_json()["error"]["fields"] == {"note": "Unknown field."}
    # who may not upload learns so before the file is judged
    assert upload(client, demo.recipient_a, url, PDF, "a.pdf").status_code == 403
    assert upload(client, demo.recipient_b, url, PDF, "a.pdf").status_code == 404
    assert Attachment.select().count() == 0
    assert stored_files(app) == []


def test_files_of_a_deleted_meeting_are_not_served(app, client, demo):
    m = factories.meeting(demo.engagement_a)
    a = upload(client, demo.isp_a1, f"/meetings/{m.id}/attachments", PDF, "a.pdf").get_json()
    api = Api(client, demo.isp_a1)
    assert api.delete(f"/meetings/{m.id}").status_code == 204
    assert api.get(f"/attachments/{a['id']}/content").status_code == 404
    assert api.get(f"/meetings/{m.id}/attachments").status_code == 404


def test_an_upload_sent_twice_with_one_idempotency_key_is_stored_once(app, client, demo):
    m = factories.meeting(demo.engagement_a)
    token = token_for(demo.isp_a1)

    def send():
        return client.post(
            f"/api/v1/meetings/{m.id}/attachments",
            data={"file": (io.BytesIO(PDF), "a.pdf")},
            content_type="multipart/form-data; boundary=fixed-boundary",  # the same body both times
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "upload-1"},
        )

    first, again = send(), send()
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json() == first.get_json()
    assert Attachment.select().count() == 1 and len(stored_files(app)) == 1


def test_a_part_without_a_name_is_refused_with_400_not_500(app, client, demo):
    """Found by the conformance run: a multipart part with no usable name reached the NUL check as a field named
    None and broke it (500). It is refused, and nothing is stored."""
    m = factories.meeting(demo.engagement_a)
    boundary = "b0undary"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data\r\n\r\n{{}}\r\n".encode()  # a part without a name
        + f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'.encode()
        + b"Content-Type: application/pdf\r\n\r\n"
        + PDF
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = client.post(
        f"/api/v1/meetings/{m.id}/attachments",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers={"Authorization": f"Bearer {token_for(demo.isp_a1)}"},
    )
    assert response.status_code == 400, response.get_data(as_text=True)
    assert Attachment.select().count() == 0 and stored_files(app) == []
