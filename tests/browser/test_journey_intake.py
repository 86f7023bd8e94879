"""Journey 1 in a real browser: a coordinator invites a candidate; the candidate opens the link
from the outbox on a phone, switches to Arabic, passes the check, consents, fills in the
questionnaire, uploads a document and submits; the coordinator sees it on the case page.
axe-core checks every page the candidate visits."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LAPTOP, PHONE, assert_accessible, login
from tests.test_intake_candidate import COMPLETE

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40

# What the candidate types on the phone: the intake tests' complete questionnaire with one
# language (a second needs the "Add another language" button) and fewer boxes to tick.
ANSWERS = {
    **{k: v for k, v in COMPLETE.items() if not k.startswith("languages-1-")},
    "education-0-documents": ["diploma"],
    "needs-available": ["weekday_morning"],
}


def fill(page, answers: dict) -> None:
    """Answer by field name, whatever kind of control each one is."""
    for name, value in answers.items():
        controls = page.locator(f'[name="{name}"]')
        first = controls.first
        tag = first.evaluate("e => e.tagName.toLowerCase()")
        kind = (first.get_attribute("type") or "").lower()
        values = value if isinstance(value, list) else [value]
        if tag == "select":
            first.select_option(values)
        elif kind in ("checkbox", "radio"):
            for v in values:
                page.locator(f'[name="{name}"][value="{v}"]').check()
        else:
            first.fill(value)


def test_candidate_journey_in_arabic_on_a_phone(live, live_world, new_page, axe_source):
    from passport.db import session

    case = live_world.new_case(email="amina@example.org")
    session.commit()

    # The coordinator sends the invitation and finds the link in the outbox.
    staff = new_page(LAPTOP)
    login(staff, live, "coord@test.org")
    staff.goto(live(f"/cases/{case.id}"))
    staff.get_by_role("button", name="Send the questionnaire invitation").click()
    staff.wait_for_load_state()
    staff.goto(live("/outbox"))
    staff.locator("main table a").first.click()
    body = staff.locator("pre.message-body").inner_text()
    link = re.search(r"http://127\.0\.0\.1:\d+/c/[A-Za-z0-9_-]{43}", body).group(0)

    # The candidate opens it on a phone and chooses Arabic with the language switcher.
    phone = new_page(PHONE, locale="en-GB")
    phone.goto(link)
    assert "/c/" not in phone.url  # the token leaves the address bar at once
    switcher = phone.locator("form.language select")
    assert switcher.locator("option[value=ar]").inner_text() == "العربية"
    assert switcher.locator("option[value=ti]").count() == 1  # candidate pages offer more
    switcher.select_option("ar")
    phone.locator("form.language button").click()
    phone.wait_for_load_state()
    html = phone.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
    assert_accessible(phone, axe_source)

    # The check: the date of birth (demo case: March 1991).
    phone.select_option("select[name=month]", "3")
    phone.fill("input[name=year]", "1991")
    phone.locator("form:has(input[name=year]) button[type=submit]").click()
    phone.wait_for_url(re.compile(r"/candidate(/consent)?$"))
    if not phone.url.endswith("/consent"):
        phone.goto(live("/candidate/consent"))
    assert html.get_attribute("dir") == "rtl"  # the choice is remembered
    assert_accessible(phone, axe_source)
    phone.check("input[name=agree]")
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_load_state()

    # The questionnaire.
    phone.goto(live("/candidate/questionnaire"))
    assert_accessible(phone, axe_source)
    fill(phone, ANSWERS)
    phone.locator("button[name=action][value=save]:not(.default-action)").click()
    phone.wait_for_load_state()

    # A document.
    phone.goto(live("/candidate/documents"))
    assert_accessible(phone, axe_source)
    phone.select_option("select[name=kind]", index=1)
    phone.fill("[name=description]", "Diploma, University of Aleppo")
    # The file field speaks the page's language, not the browser's ("Choose File").
    picker = phone.locator(".file-pick")
    assert picker.locator(".file-button").inner_text() == "اختر ملفًا"
    assert picker.locator(".file-name").inner_text() == "لم يُختر أي ملف"
    # By keyboard: the field takes the focus (the button shows it) and Space opens the picker.
    phone.locator("[name=description]").focus()
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.type") == "file"
    with phone.expect_file_chooser() as chooser:
        phone.keyboard.press("Space")
    chooser.value.set_files(files=[
        {"name": "diploma.png", "mimeType": "image/png", "buffer": PNG}])
    assert picker.locator(".file-name").inner_text() == "diploma.png"
    phone.locator("main form[enctype] button[type=submit]").click()
    phone.wait_for_load_state()
    assert phone.locator("ul.documents li").count() == 1
    assert "diploma.png" in phone.locator("ul.documents").inner_text()

    # Send it.
    phone.goto(live("/candidate/questionnaire"))
    phone.locator("button[name=action][value=submit]").click()
    phone.wait_for_load_state()
    assert_accessible(phone, axe_source)
    phone.goto(live("/candidate"))
    assert html.get_attribute("lang") == "ar"
    assert_accessible(phone, axe_source)

    # The candidate record keeps the language (for later messages).
    from passport.cases.models import Case

    session.expire_all()
    stored = session.get(Case, case.id)
    assert stored.status == "submitted"
    assert stored.candidate.preferred_language == "ar"
    session.commit()

    # The coordinator sees the submitted questionnaire and the document.
    staff.goto(live(f"/cases/{case.id}"))
    text = staff.locator("main").inner_text()
    assert "The candidate submitted the questionnaire." in text
    staff.goto(live(f"/cases/{case.id}/questionnaire"))
    text = staff.locator("main").inner_text()
    assert "Bachelor of Civil Engineering" in text
    assert "diploma.png" in text
