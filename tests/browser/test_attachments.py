"""Attachments (issue 23) in Chromium: an ISP attaches a disguised file to a meeting and is told why it is
refused, beside the field; attaches the real agenda; the unit's recipient downloads it under its own name."""

from playwright.sync_api import expect

from tracker.models import Attachment

from .. import factories
from .helpers import check_a11y, sign_in

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_an_isp_attaches_an_agenda_and_the_recipient_downloads_it(browser_context, site):
    world = site.world
    e = world.engagement_a
    m = factories.meeting(e)
    page = browser_context.first.new_page()
    sign_in(page, world.isp_a1)
    page.goto(f"/engagements/{e.id}/meetings/{m.id}")
    files = page.get_by_role("region", name="Files")
    expect(files).to_contain_text("No files yet.")
    files.get_by_label("Add a file").set_input_files(
        {"name": "agenda.pdf", "mimeType": "application/pdf", "buffer": b"<html><body>not a pdf</body></html>"}
    )
    files.get_by_role("button", name="Upload").click()
    expect(page.locator("#file-error")).to_contain_text("its content is not a PDF file")
    check_a11y(page, "the upload form with a refused file")
    assert Attachment.select().count() == 0

    page.get_by_label("File").set_input_files({"name": "Agenda März.pdf", "mimeType": "text/html", "buffer": PDF})
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".flash-success")).to_contain_text("File uploaded: Agenda März.pdf.")
    expect(page.get_by_role("region", name="Files")).to_contain_text("48 bytes")
    check_a11y(page, "the meeting page with a file")

    recipient = browser_context().new_page()
    sign_in(recipient, world.recipient_a)
    recipient.goto(f"/engagements/{e.id}/meetings/{m.id}")
    region = recipient.get_by_role("region", name="Files")
    expect(region.get_by_role("button", name="Upload")).to_have_count(0)  # a recipient reads, never uploads
    with recipient.expect_download() as download:
        region.get_by_role("link", name="Agenda März.pdf").click()
    assert download.value.suggested_filename == "Agenda März.pdf"
    assert open(download.value.path(), "rb").read() == PDF
