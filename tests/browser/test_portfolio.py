"""Admin > Portfolio in Chromium (issue 20): an admin downloads the template, fills it (here with openpyxl,
as a person would in a spreadsheet) with a small portfolio, uploads it, reads the preview, imports it and
finds the engagement with its co-leads in the engagements list."""

from playwright.sync_api import expect

from tracker.models import Engagement

from .. import factories
from ..portfolio_fill import ENGAGEMENT_TITLE, fill
from .helpers import check_a11y, sign_in


def test_an_admin_imports_a_filled_template_after_its_preview(browser_context, site, tmp_path):
    site.app.config["PORTFOLIO_UPLOAD_DIR"] = str(tmp_path / "uploads")
    admin = factories.user("admin", "root@example.org", "Root Admin")
    page = browser_context.first.new_page()
    sign_in(page, admin)
    page.goto("/admin/")
    page.get_by_role("link", name="Portfolio").click()
    expect(page.get_by_role("heading", name="Portfolio", level=1)).to_be_visible()
    check_a11y(page, "the portfolio page")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the template").click()
    assert download.value.suggested_filename == "portfolio-template.xlsx"
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    filled = fill(template, tmp_path / "north.xlsx")

    page.get_by_label("Portfolio workbook (.xlsx)").set_input_files(str(filled))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", name="Preview of north.xlsx")).to_be_visible()
    row = page.get_by_role("row", name="engagements")
    expect(row.get_by_role("cell")).to_have_text(["1", "0", "0"])
    expect(page.get_by_role("row", name="users")).to_contain_text("2")
    check_a11y(page, "the import preview")
    assert Engagement.select().where(Engagement.title == ENGAGEMENT_TITLE).count() == 0  # nothing written yet

    page.get_by_role("button", name="Import").click()
    expect(page.locator(".flash-success")).to_contain_text("Imported north.xlsx: 6 created, 0 updated, 0 unchanged.")
    page.goto("/engagements/")
    link = page.get_by_role("link", name=ENGAGEMENT_TITLE)
    expect(link).to_be_visible()
    link.click()
    expect(page.locator("main")).to_contain_text("Ana North")
    expect(page.locator("main")).to_contain_text("Bo North")
