"""Admin > Portfolio (issue 20): an admin uploads a filled template, reads the dry run's preview (nothing
written), imports it (the engagement exists, audited "from import of <file>", the upload deleted); importing
again changes nothing; the downloads are attachments; everyone else is refused."""

import io
import os

from openpyxl import load_workbook

from tracker.models import AuditEntry, Engagement, EngagementISP, Organization, User
from tracker.portfolio.template import build_template

from . import factories
from .conftest import csrf_token, sign_in
from .portfolio_fill import ENGAGEMENT_TITLE, fill


def uploads(app):
    folder = app.config["PORTFOLIO_UPLOAD_DIR"]
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def admin_client(app, tmp_path):
    app.config["PORTFOLIO_UPLOAD_DIR"] = str(tmp_path / "uploads")
    client = app.test_client()
    sign_in(client, factories.user("admin", "root@example.org", "Root Admin"))
    return client


def upload(client, data, name):
    token = csrf_token(client, "/admin/portfolio/")
    return client.post(
        "/admin/portfolio/preview",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def filled(tmp_path, **kwargs):
    template = tmp_path / "template.xlsx"
    build_template(template)
    return fill(template, tmp_path / "north.xlsx", **kwargs).read_bytes()


def test_preview_then_import_then_the_same_workbook_changes_nothing(app, tmp_path):
    client = admin_client(app, tmp_path)
    response = upload(client, filled(tmp_path), "north.xlsx")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Preview of north.xlsx" in page and "Nothing has been written yet." in page
    assert '<th scope="row">engagements</th><td class="num">1</td><td class="num">0</td>' in page
    assert Engagement.select().count() == 0 and Organization.select().count() == 0  # a dry run
    assert len(uploads(app)) == 1 and "north" not in uploads(app)[0]  # kept under a random name

    response = client.post("/admin/portfolio/import", data={"csrf_token": csrf_token(client, "/admin/portfolio/")})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Imported north.xlsx: 6 created, 0 updated, 0 unchanged." in page
    engagement = Engagement.get(Engagement.title == ENGAGEMENT_TITLE)
    leads = EngagementISP.select().where((EngagementISP.engagement == engagement) & (EngagementISP.role == "co_lead"))
    assert sorted(link.user.email for link in leads) == ["ana@north.example", "bo@north.example"]
    assert uploads(app) == []  # deleted once imported
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert "created the engagement, from import of north.xlsx" in audit
    assert AuditEntry.select().where(AuditEntry.changes.contains("import of north.xlsx")).count() >= 6

    entries = AuditEntry.select().count()
    page = upload(client, filled(tmp_path), "north.xlsx").get_data(as_text=True)
    assert '<th scope="row">engagements</th><td class="num">0</td><td class="num">0</td><td class="num">1</td>' in page
    client.post("/admin/portfolio/import", data={"csrf_token": csrf_token(client, "/admin/portfolio/")})
    assert AuditEntry.select().count() == entries and Engagement.select().count() == 1


def test_a_workbook_with_problems_lists_each_with_sheet_row_and_column_and_offers_no_import(app, tmp_path):
    client = admin_client(app, tmp_path)

    def seed_error(book):
        book["engagements"]["C2"].value = None  # the title

    page = upload(client, filled(tmp_path, change=seed_error), "north.xlsx").get_data(as_text=True)
    assert "north.xlsx cannot be imported" in page and "1 problem." in page and "Nothing was written." in page
    assert "<td>engagements</td><td>2</td><td>title</td><td>This column cannot be empty.</td>" in page
    assert "Upload a corrected workbook" in page and ">Import</button>" not in page
    assert uploads(app) == [] and User.select().where(User.email == "ana@north.example").count() == 0
    # nothing waits, so "Import" has nothing to commit
    response = client.post("/admin/portfolio/import", data={"csrf_token": csrf_token(client, "/admin/portfolio/")})
    assert response.status_code == 302
    assert "No previewed workbook is waiting" in client.get(response.location).get_data(as_text=True)


def test_the_downloads_are_attachments_in_the_workbook_format(app, tmp_path):
    client = admin_client(app, tmp_path)
    factories.small_world()
    page = client.get("/admin/portfolio/").get_data(as_text=True)
    assert "Download the portfolio" in page and "Download the template" in page
    assert 'href="/admin/portfolio/"' in client.get("/admin/").get_data(as_text=True)
    export = client.get("/admin/portfolio/export.xlsx")
    assert export.status_code == 200
    assert export.headers["Content-Disposition"].startswith("attachment; filename=portfolio-")
    book = load_workbook(io.BytesIO(export.data), read_only=True)
    titles = [row[2] for row in book["engagements"].iter_rows(min_row=2, values_only=True)]
    assert titles == ["Engagement A", "Engagement B", "Engagement C"]
    template = client.get("/admin/portfolio/template.xlsx")
    assert template.headers["Content-Disposition"] == "attachment; filename=portfolio-template.xlsx"
    assert load_workbook(io.BytesIO(template.data)).sheetnames[0] == "Instructions"


def test_only_administrators_move_a_portfolio(app, tmp_path):
    world = factories.small_world()
    leader = factories.user("leader", "lead@example.org", "Lea Leader", reads_all_organizations=True)
    recipient = factories.user("recipient", "rec@example.org", "Rae Recipient", unit=world.unit_a)
    for user in (world.isp_a1, leader, recipient):
        client = app.test_client()
        sign_in(client, user)
        for url in ("/admin/portfolio/", "/admin/portfolio/export.xlsx", "/admin/portfolio/template.xlsx"):
            assert client.get(url).status_code == 403, (user.role, url)
        token = csrf_token(client, "/account/")
        for url in ("/admin/portfolio/preview", "/admin/portfolio/import"):
            assert client.post(url, data={"csrf_token": token}).status_code == 403, (user.role, url)
    assert app.test_client().get("/admin/portfolio/export.xlsx").status_code == 302  # anonymous: sign in
