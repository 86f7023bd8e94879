"""Wrong or missing input: a generic message for a failed login, the form again with messages
next to the fields, and nothing saved."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from passport.cases.models import Candidate, Case
from passport.db import session
from tests.conftest import PASSWORD, csrf_token, login, post_form

GOOD_CASE = {
    "given_name": "Amina",
    "family_name": "Haddad",
    "native_name": "",
    "birth_date": "1991-03-14",
    "nationality": "SY",
    "country_of_origin": "SY",
    "host_country": "NO",
    "qualification_country": "SY",
    "email": "",
    "phone": "",
    "protection_status": "refugee",
    "preferred_language": "ar",
    "timezone": "Europe/Oslo",
}


def count(model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def failed_login(client, email: str, password: str):
    response = post_form(client, "/login", {"email": email, "password": password})
    page = response.get_data(as_text=True)
    # What differs between two attempts anyway: the form's token and the typed email.
    page = re.sub(r'name="csrf_token"[^>]*?value="[^"]+"', "CSRF", page)
    return response.status_code, page.replace(email, "EMAIL")


def test_wrong_password_and_unknown_email_look_exactly_the_same(app, world):
    wrong_password = failed_login(app.test_client(), "coord@test.org", "not-the-password-1")
    unknown_email = failed_login(app.test_client(), "nobody@test.org", "not-the-password-1")
    status, page = wrong_password
    assert status == 401
    assert "The email or password is not right." in page
    assert wrong_password == unknown_email


def test_a_failed_login_does_not_log_in(client, world):
    failed_login(client, "coord@test.org", "not-the-password-1")
    assert client.get("/").status_code == 302


def test_an_inactive_account_cannot_log_in_and_gets_the_same_message(app, world):
    world.ev1.active = False
    session.commit()
    status, page = failed_login(app.test_client(), "ev1@test.org", PASSWORD)
    assert status == 401
    assert "The email or password is not right." in page


def test_login_with_empty_fields_shows_messages_next_to_them(client, world):
    response = post_form(client, "/login", {"email": "", "password": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="email-error"' in page and 'id="password-error"' in page


def test_login_redirects_only_to_local_pages(client, world):
    token = csrf_token(client, "/login")
    response = client.post("/login?next=https://evil.example/",
                           data={"email": "coord@test.org", "password": PASSWORD,
                                 "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.fixture()
def coordinator(app, world):
    client = app.test_client()
    login(client, "coord@test.org")
    return client


def post_case(client, world, **changes):
    return post_form(client, "/cases/new", {"scheme": world.eqpr.id, **GOOD_CASE, **changes})


@pytest.mark.parametrize(("field", "value", "message"), [
    ("family_name", "", "This field is required."),
    ("family_name", "   ", "This field is required."),
    ("birth_date", "2999-01-01", "The date of birth must be in the past."),
    ("birth_date", "1990-13", "This date does not exist."),
    ("birth_date", "1990-02-30", "This date does not exist."),
    ("birth_date", "14.03.1991", "Write the date as YYYY, YYYY-MM or YYYY-MM-DD."),
    ("birth_date", "", "This field is required."),
    ("nationality", "XX", "Not a valid choice."),
    ("email", "not-an-email", "Invalid email address."),
])
def test_new_case_form_shows_the_problem_next_to_the_field_and_saves_nothing(
    coordinator, world, field, value, message
):
    response = post_case(coordinator, world, **{field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    assert error, page
    assert message in error.group(1)
    assert re.search(rf'aria-describedby="([\w-]+ )?{field}-error"', page)
    # What was typed in the other fields is kept.
    if field != "given_name":
        assert 'value="Amina"' in page
    assert count(Case) == 0
    assert count(Candidate) == 0


def test_a_partial_birth_date_is_accepted(coordinator, world):
    for partial in ("1991", "1991-03"):
        response = post_case(coordinator, world, birth_date=partial)
        assert response.status_code == 302
    assert sorted(session.scalars(select(Candidate.birth_date))) == ["1991", "1991-03"]


def test_a_case_in_a_scheme_the_coordinator_does_not_run_is_refused(coordinator, world):
    response = post_case(coordinator, world, scheme=str(world.uqp.id))
    assert response.status_code == 422
    assert 'id="scheme-error"' in response.get_data(as_text=True)
    assert count(Case) == 0


def test_an_id_that_is_not_a_number_is_a_404(coordinator, world):
    assert coordinator.get("/cases/abc").status_code == 404
    assert coordinator.get("/passports/abc.pdf").status_code == 404


def test_unknown_status_filter_shows_all_cases(client, world):
    from tests.conftest import login

    world.new_case()
    login(client, "coord@test.org")
    page = client.get("/?status=bogus")
    assert page.status_code == 200
    assert "C-000001" in page.get_data(as_text=True)
