"""Lapse prompts and FRAME-IS modifications in Chromium (issue 19): an ISP sees the prompt on the engagement
page, follows it, records the modification (a refused submit first keeps the input), sees it listed and the
prompt gone; axe-core finds nothing serious on the page with its prompt or on the refused form."""

import datetime as dt

from playwright.sync_api import expect

from tracker.models import Strategy, change_plan

from .helpers import check_a11y, sign_in


def test_an_isp_answers_a_lapse_prompt_with_a_modification(site, page):
    w = site.world
    e = w.engagement_a  # starts 5 Jan 2026
    strategy = Strategy.select().where(~Strategy.retired).order_by(Strategy.id).first()
    item = {"strategy": strategy.id, "sessions_per_month": 1, "minutes_per_session": 60}
    item.update(start_date=dt.date(2026, 1, 15), responsible_user=w.isp_a1.id)
    change_plan(e, w.isp_a1, add=[item])  # monthly, never logged: lapsed two months after 15 Jan

    sign_in(page, w.isp_a1)
    page.goto(f"/engagements/{e.id}")
    prompt = page.get_by_role("status").filter(has_text="has not been logged since")
    expect(prompt).to_contain_text(f"{strategy.name} has not been logged since the item started on")
    expect(prompt).to_contain_text("(planned monthly)")
    check_a11y(page, "the engagement page with a lapse prompt")
    prompt.get_by_role("link", name=f"record what changed in {strategy.name}").click()

    expect(page.get_by_role("heading", name="Record a modification")).to_be_visible()
    expect(page.get_by_text("You are answering the prompt")).to_be_visible()
    page.get_by_label("Describe the change").fill("Trainings moved online and shortened to 30 minutes.")
    page.get_by_role("group", name="What is modified").get_by_label("Context: format").check()
    page.get_by_role("group", name="Consistent with the strategy's core elements?").get_by_label(
        "Fidelity-consistent"
    ).check()
    page.get_by_role("group", name="Goal of the change").get_by_label("Increase reach").check()
    page.get_by_role("group", name="Level of the reason").get_by_label("Recipient").check()
    page.get_by_role("group", name="Who took part in the decision").get_by_label("The implementation team").check()
    page.get_by_role("group", name="The plan").get_by_label("Closes the plan item").check()
    page.get_by_role("button", name="Record the modification").click()  # no nature: refused

    expect(page.locator("#nature-error")).to_have_text("Choose the nature of the change.")
    expect(page.get_by_label("Describe the change")).to_have_value(
        "Trainings moved online and shortened to 30 minutes."
    )
    expect(page.get_by_role("checkbox", name="The implementation team")).to_be_checked()  # the typed input kept
    expect(page.get_by_label("Closes the plan item")).to_be_checked()
    check_a11y(page, "the modification form with an error")
    page.get_by_role("group", name="Nature of the change").get_by_label("Shortening").check()
    page.get_by_role("button", name="Record the modification").click()

    expect(page.get_by_text(f"Modification recorded; “{strategy.name}” is closed from")).to_be_visible()
    table = page.locator("#modifications-table")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody tr").first).to_contain_text("Shortening")
    expect(table.locator("tbody tr").first).to_contain_text("a lapse prompt")
    expect(page.get_by_role("status").filter(has_text="has not been logged since")).to_have_count(0)
    table.get_by_role("link", name=strategy.name).click()
    expect(page.get_by_role("heading", name=f"Modification of {strategy.name}")).to_be_visible()
    expect(page.get_by_text("Trainings moved online and shortened to 30 minutes.")).to_be_visible()
