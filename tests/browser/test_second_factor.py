"""The login's second-factor pages in a real browser: enrolment (QR code and key), recovery
codes and the code step, on a phone and a laptop, in English and Arabic, with no WCAG 2.1
A/AA violation found by axe."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LAPTOP, PHONE, assert_accessible
from tests.conftest import PASSWORD, totp_code


@pytest.mark.parametrize(("lang", "viewport"), [("en", PHONE), ("ar", LAPTOP)])
def test_enrolment_recovery_codes_and_code_step(live, live_world, new_page, axe_source, lang,
                                                viewport):
    page = new_page(viewport, locale=lang)
    page.goto(live("/login"))
    page.fill("input[name=email]", "coord@test.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/login/setup")
    qr = page.locator("img.totp-qr")
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert page.evaluate("document.querySelector('img.totp-qr').naturalWidth") > 0  # CSP let it in
    box = qr.bounding_box()
    assert box["width"] >= 150 and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    assert_accessible(page, axe_source)

    page.click("summary")
    key = page.locator("#totp-key").inner_text().replace(" ", "")
    page.fill("#code", totp_code(key))
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("ol.recovery-codes li").count() == 10
    assert_accessible(page, axe_source)
    page.click("main a.button.primary")
    page.wait_for_load_state()
    assert "/login" not in page.url

    again = new_page(viewport, locale=lang)
    again.goto(live("/login"))
    again.fill("input[name=email]", "coord@test.org")
    again.fill("input[name=password]", PASSWORD)
    again.click("main button[type=submit]")
    again.wait_for_load_state()
    assert again.url.endswith("/login/code")
    assert_accessible(again, axe_source)
    again.fill("#code", "000000")
    again.click("main button[type=submit]")
    again.wait_for_load_state()
    assert again.locator("#code-error").count() == 1
    assert_accessible(again, axe_source)
