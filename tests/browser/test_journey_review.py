"""The review journey in a real browser: the coordinator finds a submitted assessment in the
review queue and returns it with a comment; the first evaluator reads the comment and submits
again; the coordinator approves it with Arabic as the passport's second language and downloads
the PDF; an anonymous visitor uploads that file on the public check page and learns it is
genuine and valid. Then the candidate gets a new link from the coordinator, opens it on a phone,
passes the date-of-birth check and consents, and downloads the passport; a verifier scans the
QR code in the candidate's file, opens the verification page it leads to, sees the passport is
valid, and uploads the candidate's file: exactly the passport that was issued. axe-core checks
the review page, the candidate's page and the verification pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.browser.conftest import LAPTOP, PHONE, assert_accessible, login

pytestmark = pytest.mark.browser

COMMENT = "Please check the years of study against the diploma supplement."


def test_return_resubmit_approve_and_verify(live, live_world, new_page, axe_source,
                                            tmp_path: Path):
    from passport.db import session

    case = live_world.submitted_case(email="amina@example.org")  # the candidate's address
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

    # The candidate needs a working link to their page: the coordinator sends a new one from
    # the case page and passes it on from the outbox.
    coordinator.goto(live(f"/cases/{case_id}"))
    main.get_by_role("button", name="Send a new link").click()
    coordinator.wait_for_url(re.compile(rf"/cases/{case_id}#intake$"))
    flashes = main.locator(".flashes").inner_text()
    assert "A new link is sent; the old one no longer works." in flashes
    assert "the message is in the outbox" in flashes  # no mail server in the tests
    coordinator.goto(live("/outbox"))
    main.get_by_role("link", name="Your qualifications passport: a new link to your personal "
                     "page").click()
    body = main.locator("pre.message-body").inner_text()
    link = re.search(r"http://127\.0\.0\.1:\d+/c/[A-Za-z0-9_-]{43}", body).group(0)

    # The candidate opens it on a phone, proves the date of birth, consents ...
    phone = new_page(PHONE)
    phone.goto(link)
    phone.wait_for_url(re.compile(r"/candidate/verify$"))
    phone.select_option("select[name=month]", "3")
    phone.fill("input[name=year]", "1991")
    phone.locator("form:has(input[name=year]) button[type=submit]").click()
    phone.wait_for_url(re.compile(r"/candidate(/consent)?$"))
    p_main = phone.locator("main")
    if phone.url.endswith("/consent"):
        phone.check("input[name=agree]")
        p_main.locator("form button[type=submit]").click()
        phone.wait_for_url(re.compile(r"/candidate$"))
    # ... and downloads the passport from their page.
    assert "Your qualifications passport is ready." in p_main.inner_text()
    assert number in p_main.inner_text()
    assert_accessible(phone, axe_source)
    with phone.expect_download() as download_info:
        p_main.get_by_role("link", name="Download your passport (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"passport-{number}.pdf"
    own = tmp_path / "candidate" / download.suggested_filename
    download.save_as(own)
    assert own.read_bytes() == pdf.read_bytes()  # the one document that was issued

    # A verifier scans the QR code printed on the candidate's passport ...
    from passport.db import session
    from passport.passports.models import Passport

    url = scan_qr_code(own.read_bytes())
    session.expire_all()
    issued = session.scalar(select(Passport).where(Passport.number == number))
    assert url == live(f"/verify/{issued.public_id}") == issued.snapshot["verify_url"]
    session.commit()

    # ... opens the page it leads to on their phone, and sees the passport is valid ...
    verifier = new_page(PHONE)
    verifier.goto(url)
    vp_main = verifier.locator("main")
    assert vp_main.locator(".verdict-good", has_text="Valid").count() == 1
    text = vp_main.inner_text()
    assert number in text and "Amina Haddad" in text and "1991" in text
    assert_accessible(verifier, axe_source)

    # ... then uploads the candidate's file: it is exactly what was issued.
    vp_main.locator("input[type=file]").set_input_files(str(own))
    vp_main.get_by_role("button", name="Check the file").click()
    verifier.wait_for_selector(".upload-result")
    assert ("This file is exactly the passport that was issued."
            in vp_main.locator(".upload-result").inner_text())
    assert_accessible(verifier, axe_source)


def scan_qr_code(data: bytes) -> str:
    """What a phone's camera reads from the QR code on the passport's first page."""
    import io

    import zxingcpp
    from PIL import Image

    from passport.review.preview import page_image  # PDFium, one thread at a time

    image = Image.open(io.BytesIO(page_image(data, 0, scale=3)))
    found = [r.text for r in zxingcpp.read_barcodes(image)]
    assert len(found) == 1, found
    return found[0]
