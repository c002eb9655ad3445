"""An ISP's home in Chromium (issue 18): the requests waiting in the queue, and an overdue next step ticked
off right there, with a message naming it."""

import datetime as dt
import re

from playwright.sync_api import expect

from tracker.models import NextStep, SupportRequest, today

from .. import factories
from .helpers import check_a11y, sign_in


def test_an_isp_sees_the_queue_and_ticks_off_an_overdue_next_step(page, site):
    w = site.world
    SupportRequest.create(
        unit=w.unit_b,
        intermediary=w.center,
        title="Coaching for new managers",
        description="Help our managers coach their teams.",
        requested_by=w.recipient_b,
    )
    meeting = factories.meeting(w.engagement_a, date=today() - dt.timedelta(days=20))
    step = NextStep.create(
        meeting=meeting, text="Share the draft plan", owner="Ada", due_on=today() - dt.timedelta(days=5)
    )

    sign_in(page, w.isp_a1)
    queue = page.get_by_role("region", name="Waiting in the request queue")
    expect(queue).to_contain_text("1")
    expect(queue.get_by_role("link", name="Coaching for new managers")).to_be_visible()
    expect(queue).to_contain_text("Unit B")
    expect(queue.get_by_role("link", name="See the queue")).to_have_attribute("href", "/requests")

    steps = page.get_by_role("region", name="Next steps due soon or overdue")
    expect(steps.get_by_role("row", name="Share the draft plan")).to_contain_text("overdue")
    check_a11y(page, "an ISP's home page")
    steps.get_by_role("button", name=re.compile(r"^Mark done\W+Share the draft plan$")).focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Next step “Share the draft plan” marked done.")
    expect(steps.get_by_role("row", name="Share the draft plan")).to_have_count(0)
    assert NextStep.get_by_id(step.id).done_on == today()
    page.get_by_role("link", name="All your engagements").click()
    assert "mine=1" in page.url
