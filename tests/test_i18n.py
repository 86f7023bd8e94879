"""Interface languages: which language a page gets, the switcher, where the choice is kept,
right to left, WTForms' own messages in the reader's language, Babel formatting."""

from __future__ import annotations

import re

from passport.auth.models import User
from passport.db import session
from tests.conftest import csrf_token, login, post_form
from tests.intake_helpers import invited, post

STAFF = ("English", "Français", "Norsk bokmål", "Norsk nynorsk", "العربية")
CANDIDATE_ONLY = ("فارسی", "Українська", "ትግርኛ")


def _switcher(page: str) -> str:
    match = re.search(r'<form[^>]*class="language".*?</form>', page, re.S)
    assert match, "no language switcher"
    return match.group(0)


def test_accept_language_picks_the_first_default(client):
    page = client.get("/login", headers={"Accept-Language": "nn-NO,nn;q=0.9,en;q=0.5"})
    assert '<html lang="nn" dir="ltr">' in page.get_data(as_text=True)
    page = client.get("/login", headers={"Accept-Language": "ar-SY,ar;q=0.9"})
    assert '<html lang="ar" dir="rtl">' in page.get_data(as_text=True)


def test_staff_pages_offer_the_staff_languages_each_in_its_own_name(client, world):
    page = client.get("/login").get_data(as_text=True)
    switcher = _switcher(page)
    assert '<label for="locale-select"' in switcher
    for name in STAFF:
        assert name in switcher
    for name in CANDIDATE_ONLY:
        assert name not in switcher
    assert 'lang="ar"' in switcher
    # A language offered only to candidates is not used for staff pages.
    page = client.get("/login", headers={"Accept-Language": "ti,ar;q=0.5"})
    assert '<html lang="ar"' in page.get_data(as_text=True)


def test_staff_choice_is_kept_on_the_profile(app, client, world):
    login(client, "coord@test.org")
    response = post_form(client, "/language", {"locale": "fr", "next": "/"}, form_page="/")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    session.expire_all()
    assert session.get(User, world.coordinator.id).locale == "fr"
    # Another browser without the cookie: the profile decides.
    other = app.test_client()
    login(other, "coord@test.org")
    page = other.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="fr"' in page
    # A candidate-only language is not stored on a staff profile.
    post_form(client, "/language", {"locale": "ti", "next": "/"}, form_page="/")
    session.expire_all()
    assert session.get(User, world.coordinator.id).locale == "fr"


def test_language_switch_refuses_outside_targets(client):
    token = csrf_token(client)
    response = client.post("/language", data={"locale": "fr", "next": "//evil.example/",
                                              "csrf_token": token})
    assert "evil.example" not in response.headers["Location"]


def test_candidate_pages_offer_more_languages(client, world):
    _case, token = invited(world)
    client.get(f"/c/{token}")
    page = client.get("/candidate/verify").get_data(as_text=True)
    switcher = _switcher(page)
    for name in (*STAFF, *CANDIDATE_ONLY):
        assert name in switcher
    assert 'action="/candidate/language"' in switcher


def test_language_chosen_before_the_check_goes_on_the_record(client, world):
    case, token = invited(world)
    client.get(f"/c/{token}")
    post(client, "/candidate/language", {"locale": "ti", "next": "/candidate/verify"},
         form_page="/candidate/verify")
    page = client.get("/candidate/verify").get_data(as_text=True)
    assert '<html lang="ti" dir="ltr">' in page
    done = post(client, "/candidate/verify",
                {"method": "birth", "day": "", "month": "3", "year": "1991"})
    assert done.status_code == 303
    session.expire_all()
    session.refresh(case.candidate)
    assert case.candidate.preferred_language == "ti"


def test_wtforms_own_messages_follow_the_page_language(client):
    token = csrf_token(client)
    response = client.post("/login", data={"email": "", "password": "", "csrf_token": token},
                           headers={"Accept-Language": "fr"})
    page = response.get_data(as_text=True)
    assert "Ce champ est obligatoire." in page  # our catalogue first, then WTForms
    assert "This field is required." not in page


def test_nynorsk_form_messages_fall_back_to_bokmal(client):
    client.set_cookie("lang", "nn")
    token = csrf_token(client)
    page = client.post("/login", data={"email": "", "password": "", "csrf_token": token})
    assert "This field is required." not in page.get_data(as_text=True)


def test_file_sizes_and_dates_follow_the_language(app):
    from datetime import date

    from flask_babel import force_locale

    with app.test_request_context(), force_locale("fr"):
        size = app.jinja_env.filters["filesize"](1536 * 1024)
        assert size.replace("\u202f", " ").replace("\xa0", " ") == "1,5 Mo"
        assert app.jinja_env.filters["date"](date(2026, 3, 12)) == "12 mars 2026"
    with app.test_request_context(), force_locale("nb"):
        assert app.jinja_env.filters["country"]("SY") == "Syria"
    with app.test_request_context(), force_locale("ar"):
        assert app.jinja_env.filters["country"]("NO") == "النرويج"


def test_times_name_the_month_in_the_readers_language_and_zone(app):
    """A list's "last change": 11/30/26 is the 30th of November to an American and nonsense to
    most of our readers; the month in words is read the same everywhere."""
    from datetime import UTC, datetime

    from flask_babel import force_locale

    moment = datetime(2026, 11, 30, 23, 40, 12, tzinfo=UTC)
    show = app.jinja_env.filters["datetime"]
    with app.test_request_context():
        with force_locale("en"):
            assert show(moment, "short") == "Nov 30, 2026, 11:40\u202fPM"
        with force_locale("fr"):
            assert show(moment, "short") == "30 nov. 2026, 23:40"
            assert show(moment, "long") == "30 novembre 2026, 23:40:12 TU"
        with force_locale("uk"):
            assert show(moment, "short") == "30 лист. 2026\u202fр., 23:40"
    # The same moment is the next day in Oslo: a day or clock formatted once must not be
    # reused across zones.
    with app.test_request_context():
        from flask import g
        from flask_babel import refresh

        g.timezone_override = "Europe/Oslo"
        refresh()
        with force_locale("nb"):
            assert show(moment, "short") == "1. des. 2026, 00:40"
