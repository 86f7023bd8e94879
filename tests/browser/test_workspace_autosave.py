"""The live workspace in a real browser: type, lose the connection, keep typing, come back,
reload, and find every word saved. Headless Chromium (Debian's) through Playwright, against
the app served over HTTP on the test database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from passport.db import session
from passport.interviews.models import WorkspaceField
from tests import browser_support
from tests.browser_support import browser_login
from tests.conftest import PASSWORD, hold_interview

live_server = browser_support.live_server  # a fixture: the test's app served over HTTP


@pytest.fixture()
def chromium(browser):
    """The session's browser (tests/browser/conftest.py): one Playwright per process."""
    return browser

pytestmark = pytest.mark.browser


def stored(interview_id: int) -> dict[str, str]:
    session.expire_all()
    rows = session.scalars(select(WorkspaceField).where(
        WorkspaceField.interview_id == interview_id))
    values = {r.name: r.value for r in rows}
    session.commit()
    return values


def test_typing_offline_is_kept_and_saved_when_back_online(app, world, live_server, chromium):
    case = world.assigned_case()
    interview = hold_interview(case)
    url = f"{live_server}/interviews/{interview.id}/workspace"
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    problems: list[str] = []
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    browser_login(page, live_server, "ev1@test.org", PASSWORD)
    page.goto(url)
    status = page.locator("#ws-status")

    page.locator('[name="identity.seen"]').fill("Residence card seen on camera.")
    page.wait_for_selector('#ws-status[data-state="saved"][data-waiting="0"]')
    assert stored(interview.id)["identity.seen"] == "Residence card seen on camera."

    context.set_offline(True)
    page.locator('[name="education.0.title"]').type("Bachelor of Pharmacy")
    page.locator('[name="languages.0.listening"]').select_option("C1")
    page.locator('[name="private_notes"]').type("Ask about the thesis.")
    page.wait_for_timeout(2500)  # longer than the debounce: a save was attempted
    assert status.get_attribute("data-state") == "offline"
    assert status.inner_text() == "Offline: 3 changes waiting"
    assert "education.0.title" not in stored(interview.id)

    context.set_offline(False)
    page.wait_for_selector('#ws-status[data-state="saved"][data-waiting="0"]', timeout=15000)
    page.reload()
    assert page.locator('[name="education.0.title"]').input_value() == "Bachelor of Pharmacy"
    assert page.locator('[name="languages.0.listening"]').input_value() == "C1"
    assert page.locator('[name="private_notes"]').input_value() == "Ask about the thesis."
    assert page.locator('[name="identity.seen"]').input_value() == (
        "Residence card seen on camera.")
    assert stored(interview.id) == {
        "identity.seen": "Residence card seen on camera.",
        "education.0.title": "Bachelor of Pharmacy",
        "languages.0.listening": "C1",
        f"private.{world.ev1.id}": "Ask about the thesis.",
    }

    # Offline again, the page is closed with words waiting; reopened online, they are sent.
    context.set_offline(True)
    page.locator('[name="summary.way_ahead"]').type("Apply for a master's programme.")
    page.wait_for_selector('#ws-status[data-state="offline"]')
    page.close()
    context.set_offline(False)
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector('#ws-status[data-state="saved"][data-waiting="0"]', timeout=15000)
    assert stored(interview.id)["summary.way_ahead"] == "Apply for a master's programme."
    assert not problems, problems  # no script error, no failed request
    context.close()
