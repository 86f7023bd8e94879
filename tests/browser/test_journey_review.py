"""The review journey in a real browser: the coordinator finds a submitted assessment in the
review queue and returns it with a comment; the first evaluator reads the comment and submits
again; the coordinator approves it with Arabic as the passport's second language and downloads
the PDF; an anonymous visitor uploads that file on the public check page and learns it is
genuine and valid. axe-core checks the review page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import LAPTOP, assert_accessible, login

pytestmark = pytest.mark.browser

COMMENT = "Please check the years of study against the diploma supplement."


def test_return_resubmit_approve_and_verify(live, live_world, new_page, axe_source,
                                            tmp_path: Path):
    from passport.db import session

    case = live_world.submitted_case()
    case_id, reference = case.id, case.reference
    session.commit()

    # The coordinator finds the case in the review queue and opens its review page.
    coordinator = new_page(LAPTOP)
    login(coordinator, live, "coord@test.org")
    coordinator.goto(live("/review"))
    main = coordinator.locator("main")
    main.get_by_role("link", name=reference, exact=True).click()
    coordinator.wait_for_url(re.compile(rf"/cases/{case_id}/review$"))
    assert_accessible(coordinator, axe_source)
    # Each label names its own control (axe does not flag a label shared by duplicate ids).
    assert coordinator.evaluate(
        "[...document.querySelectorAll('[id]:not([type=hidden])')].map(e => e.id)"
        ".filter((id, i, ids) => ids.indexOf(id) !== i)") == []

    # ... and returns it to the evaluators with a comment.
    main.get_by_label("What the evaluators should look at again").fill(COMMENT)
    main.get_by_role("button", name="Return", exact=True).click()
    coordinator.wait_for_url(re.compile(rf"/cases/{case_id}$"))
    assert "The assessment is returned to the evaluators." in main.inner_text()

    # The first evaluator, in a browser of their own, reads the comment and submits again.
    evaluator = new_page(LAPTOP)
    login(evaluator, live, "ev1@test.org")
    evaluator.goto(live(f"/cases/{case_id}/assessment"))
    ev_main = evaluator.locator("main")
    notice = ev_main.locator(".notice", has_text="Returned by Kari Coord")
    assert COMMENT in notice.inner_text()
    ev_main.get_by_label("Years of study completed").fill("5")
    ev_main.get_by_role("button", name="Submit for review").click()
    evaluator.wait_for_load_state()
    assert "The assessment is submitted for review." in ev_main.inner_text()

    # Back in the queue, the coordinator approves it with Arabic beside English.
    coordinator.goto(live("/review"))
    main.get_by_role("link", name=reference, exact=True).click()
    coordinator.wait_for_url(re.compile(rf"/cases/{case_id}/review$"))
    assert "Returned 1 time" in main.inner_text()
    main.get_by_label("Second language of the passport (beside English)").select_option(
        label="Arabic")
    main.get_by_role("button", name="Approve", exact=True).click()
    coordinator.wait_for_url(re.compile(rf"/cases/{case_id}$"))
    text = main.inner_text()
    number = re.search(r"Approved\. Passport (\S+) is issued\.", text).group(1)
    heading = coordinator.get_by_role("heading", name="Passport", exact=True)
    passports = main.locator("section.card", has=heading)
    assert number in passports.inner_text()
    assert "Valid" in passports.inner_text()

    # The passport is on the case page; the coordinator downloads its PDF.
    with coordinator.expect_download() as download_info:
        passports.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"passport-{number}.pdf"
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    # Anyone can check the file on the public page, without logging in.
    visitor = new_page(LAPTOP)
    visitor.goto(live("/verify"))
    v_main = visitor.locator("main")
    v_main.locator("input[type=file]").set_input_files(str(pdf))
    v_main.get_by_role("button", name="Check the file").click()
    visitor.wait_for_load_state()
    text = v_main.inner_text()
    assert "This file is exactly the passport that was issued." in text
    assert v_main.locator(".verdict-good", has_text="Valid").count() == 1
    assert number in text
    assert_accessible(visitor, axe_source)
