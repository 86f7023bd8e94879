"""axe-core finds no WCAG 2.1 A/AA violations on the main staff pages, the public verification
page and every candidate page, in English and in Arabic (right to left)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LAPTOP, PHONE, assert_accessible, login

pytestmark = pytest.mark.browser


def candidate_link(case_id: int) -> str:
    from passport.db import session
    from passport.mail.models import OutboxMessage

    body = session.scalars(
        OutboxMessage.__table__.select()
        .where(OutboxMessage.case_id == case_id)
        .order_by(OutboxMessage.id.desc())
        .with_only_columns(OutboxMessage.body)
    ).first()
    session.commit()  # on SQLite the read began a transaction that holds the write lock
    match = re.search(r"https?://\S+/c/[A-Za-z0-9_-]{43}", body or "")
    assert match, body
    return match.group(0)


def test_staff_pages(live, live_world, new_page, axe_source):
    from passport.db import session

    case = live_world.new_case()
    session.commit()
    page = new_page(LAPTOP)
    page.goto(live("/login"))
    assert_accessible(page, axe_source)
    login(page, live, "coord@test.org")
    for path in ("/", f"/cases/{case.id}", "/training/", "/outbox", "/cases/new", "/review",
                 "/dashboard", "/interviews"):
        page.goto(live(path))
        assert page.locator("h1").count() == 1, path
        assert_accessible(page, axe_source)


def test_staff_pages_in_arabic(live, live_world, new_page, axe_source):
    from passport.db import session

    case = live_world.new_case()
    session.commit()
    page = new_page(LAPTOP, locale="ar")
    page.goto(live("/login"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert_accessible(page, axe_source)
    login(page, live, "coord@test.org")
    for path in ("/", f"/cases/{case.id}", "/training/"):
        page.goto(live(path))
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert_accessible(page, axe_source)


def test_coordinator_pages_on_a_phone_in_arabic(live, live_world, new_page, axe_source):
    from passport.db import session

    live_world.new_case()
    session.commit()
    page = new_page(PHONE, locale="ar")
    login(page, live, "coord@test.org")
    for path in ("/", "/review", "/interviews", "/dashboard"):
        page.goto(live(path))
        assert_accessible(page, axe_source)
    # The charts keep readable labels on a phone (a chart shrunk to the screen's width had
    # 6-pixel text): they scroll sideways instead, starting where the labels are.
    label = page.locator("svg.chart .chart-label").first
    assert label.bounding_box()["height"] >= 10
    assert label.is_visible() and label.bounding_box()["x"] >= 0


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_administrator_and_evaluator_pages(live, live_world, new_page, axe_source, lang):
    page = new_page(LAPTOP, locale=lang)
    login(page, live, "admin@test.org")
    for path in ("/admin/users", "/admin/organisation", "/admin/translations",
                 "/training/courses", "/training/schemes", "/account"):
        page.goto(live(path))
        assert_accessible(page, axe_source)
    evaluator = new_page(PHONE, locale=lang)
    login(evaluator, live, "ev1@test.org")
    for path in ("/", "/training/me"):
        evaluator.goto(live(path))
        assert_accessible(evaluator, axe_source)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_verification_page(live, live_world, new_page, axe_source, lang):
    from passport.db import session

    _case, passport = live_world.issued_case()
    session.commit()
    page = new_page(PHONE, locale=lang)
    page.goto(live(f"/verify/{passport.public_id}"))
    assert page.locator("html").get_attribute("lang") == lang
    assert_accessible(page, axe_source)
    page.goto(live("/verify"))
    assert_accessible(page, axe_source)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_candidate_pages(live, live_world, new_page, axe_source, lang):
    from passport.db import session
    from passport.intake import services

    case = live_world.new_case(email="amina@example.org", preferred_language=lang)
    services.invite(live_world.coordinator, case)
    session.commit()
    page = new_page(PHONE, locale=lang)
    page.goto(candidate_link(case.id))
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert_accessible(page, axe_source)  # the check: date of birth or a code

    # A wrong answer: the errors are tied to their fields, and still accessible.
    page.fill("input[name=year]", "1800")
    page.click("form:has(input[name=year]) button[type=submit]")
    assert page.locator("[aria-invalid=true]").count() >= 1
    assert_accessible(page, axe_source)

    page.fill("input[name=day]", "")
    page.select_option("select[name=month]", "3")
    page.fill("input[name=year]", "1991")
    page.click("form:has(input[name=year]) button[type=submit]")
    page.wait_for_url(re.compile(r"/candidate(/consent)?$"))
    for path in ("/candidate/consent", "/candidate"):
        page.goto(live(path))
        assert_accessible(page, axe_source)
    page.goto(live("/candidate/consent"))
    page.check("input[name=agree]")
    page.click("main form button[type=submit]")
    for path in ("/candidate", "/candidate/questionnaire", "/candidate/documents"):
        page.goto(live(path))
        assert page.locator("html").get_attribute("lang") == lang
        assert_accessible(page, axe_source)


def test_axe_finds_a_known_violation(live, new_page, axe_source):
    """The check itself works: a field without a label and grey-on-grey text are reported,
    through the app's Content-Security-Policy."""
    from tests.browser.conftest import axe_violations

    page = new_page(LAPTOP)
    page.goto(live("/login"))
    page.evaluate("""() => {
        const input = document.createElement('input');
        document.querySelector('main').appendChild(input);
    }""")
    found = {v["id"] for v in axe_violations(page, axe_source)}
    assert "label" in found
