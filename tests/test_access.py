"""Who may see and do what: refusals answer 404 (not yours) or 403 (yours, but not this), in the
app's layout, and change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from passport.audit import AuditEntry
from passport.auth.models import Role
from passport.auth.services import create_user
from passport.errors import PermissionRefused
from passport.interviews.models import Assessment
from passport.interviews.services import save_assessment
from passport.passports.models import Passport
from passport.review import services as review
from tests.conftest import PASSWORD, assessment_data, csrf_token, login, post_form

SITE_NAME = "Qualifications Passport"
ASSESSMENT_FORM = {
    "level": "bachelor",
    "qualification_title": "Forged title",
    "field_of_study": "Forgery",
    "summary": "Written by someone who is not on the case.",
    "submit": "1",
}


def count(model) -> int:
    from passport.db import session

    return session.scalar(select(func.count()).select_from(model))


def assert_error_page(response, code: int) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == code, page[:1000]
    assert SITE_NAME in page
    assert f"Error code: {code}" in page
    assert "Traceback" not in page
    return page


def client_of(app, email: str):
    client = app.test_client()
    login(client, email)
    return client


def test_evaluator_not_on_the_case_gets_404_everywhere(app, world):
    case, passport = world.issued_case()
    outsider = client_of(app, "ev3@test.org")
    for path in (f"/cases/{case.id}", f"/cases/{case.id}/assessment",
                 f"/passports/{passport.id}.pdf", f"/cases/{case.id}/review",
                 f"/cases/{case.id}/evaluators"):
        assert_error_page(outsider.get(path), 404)
    # The assigned evaluator does see the case and its passport.
    insider = client_of(app, "ev1@test.org")
    assert insider.get(f"/cases/{case.id}").status_code == 200
    assert insider.get(f"/passports/{passport.id}.pdf").status_code == 200


def test_evaluator_not_on_the_case_cannot_post_the_assessment(app, world):
    case = world.assigned_case()
    outsider = client_of(app, "ev3@test.org")
    entries = count(AuditEntry)
    token = csrf_token(outsider, "/")
    response = outsider.post(f"/cases/{case.id}/assessment",
                             data={**ASSESSMENT_FORM, "csrf_token": token})
    assert_error_page(response, 404)
    assert case.status == "evaluators_assigned"
    assert count(Assessment) == 0
    assert count(AuditEntry) == entries


def test_evaluator_sees_only_the_cases_assigned_to_them(app, world):
    mine = world.assigned_case(given_name="Yonas", family_name="Tesfay")
    other = world.assigned_case(first=world.ev3, second=world.ev2,
                                given_name="Olena", family_name="Kovalenko")
    page = client_of(app, "ev1@test.org").get("/").get_data(as_text=True)
    assert mine.reference in page and "Yonas Tesfay" in page
    assert other.reference not in page and "Olena Kovalenko" not in page


def test_coordinator_of_another_scheme_gets_404(app, world):
    case, passport = world.issued_case()
    other = client_of(app, "coord2@test.org")
    for path in (f"/cases/{case.id}", f"/cases/{case.id}/review",
                 f"/passports/{passport.id}.pdf"):
        assert_error_page(other.get(path), 404)
    assert case.reference not in other.get("/").get_data(as_text=True)

    submitted = world.submitted_case()
    token = csrf_token(other, "/")
    response = other.post(f"/cases/{submitted.id}/approve", data={"csrf_token": token})
    assert_error_page(response, 404)
    assert submitted.status == "assessment_submitted"


def test_evaluator_cannot_approve(app, world):
    case = world.submitted_case()
    evaluator = client_of(app, "ev1@test.org")
    token = csrf_token(evaluator, f"/cases/{case.id}")
    response = evaluator.post(f"/cases/{case.id}/approve", data={"csrf_token": token})
    assert response.status_code in (403, 404)
    assert_error_page(response, response.status_code)
    assert case.status == "assessment_submitted"
    assert count(Passport) == 0
    assert evaluator.get(f"/cases/{case.id}/review").status_code in (403, 404)


@pytest.fixture()
def dual(world):
    """A coordinator of EQPR who is also an evaluator (at DOATAP), certified to interview."""
    person = create_user("dual@test.org", "Nikos Dual", [Role.COORDINATOR, Role.EVALUATOR],
                         PASSWORD, centre=world.doatap, schemes=[world.eqpr])
    world.certify(person)
    return person


def test_four_eyes_the_coordinator_who_evaluated_cannot_approve(app, world, dual):
    case = world.interviewed_case(first=world.ev1, second=dual)
    save_assessment(dual, case, assessment_data(), submit=True)

    with pytest.raises(PermissionRefused) as refused:
        review.approve(dual, case)
    assert "one of the evaluators" in str(refused.value.message)

    client = client_of(app, "dual@test.org")
    page = assert_error_page(client.get(f"/cases/{case.id}/review"), 403)
    assert "You are one of the evaluators of this case" in page
    response = post_form(client, f"/cases/{case.id}/approve", {"comment": ""},
                         form_page=f"/cases/{case.id}")
    page = assert_error_page(response, 403)
    assert "another coordinator must decide it" in page
    assert case.status == "assessment_submitted"
    assert count(Passport) == 0

    # Another coordinator of the scheme may decide it.
    passport = review.approve(world.coordinator, case)
    assert passport.case_id == case.id


def test_admin_pages_refuse_coordinators_and_evaluators(app, world):
    coordinator, evaluator = client_of(app, "coord@test.org"), client_of(app, "ev1@test.org")
    admin = client_of(app, "admin@test.org")
    for path in ("/admin/users", "/admin/users/new", "/admin/organisation"):
        assert_error_page(coordinator.get(path), 403)
        assert_error_page(evaluator.get(path), 403)
        assert admin.get(path).status_code == 200, path


def test_coordinator_cannot_create_users(app, world):
    client = client_of(app, "coord@test.org")
    users = count_users()
    token = csrf_token(client, "/")
    response = client.post("/admin/users/new", data={
        "csrf_token": token, "name": "Eve Intruder", "email": "eve@test.org",
        "roles": "administrator", "centre": "0", "password": "violet-otter-harbour-1917",
    })
    assert_error_page(response, 403)
    assert count_users() == users


def count_users() -> int:
    from passport.auth.models import User

    return count(User)


def test_evaluators_cannot_create_cases(app, world):
    assert_error_page(client_of(app, "ev1@test.org").get("/cases/new"), 403)


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    case, passport = world.issued_case()
    for path in ("/", "/cases/new", f"/cases/{case.id}", f"/cases/{case.id}/assessment",
                 f"/cases/{case.id}/review", f"/passports/{passport.id}.pdf", "/admin/users",
                 "/account"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next="), path
    token = csrf_token(client, "/login")
    response = client.post(f"/cases/{case.id}/approve", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_a_case_that_does_not_exist_is_a_404_in_the_layout(app, world):
    assert_error_page(client_of(app, "coord@test.org").get("/cases/999999"), 404)
    assert_error_page(client_of(app, "coord@test.org").get("/passports/999999.pdf"), 404)
    assert_error_page(client_of(app, "coord@test.org").get("/no/such/page"), 404)


def test_an_unknown_verification_address_is_a_friendly_404(client, world):
    response = client.get("/verify/xyz")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert SITE_NAME in page
    assert "No passport was found for this address" in page
    assert "Traceback" not in page


def test_a_wrong_method_is_a_405_in_the_layout(app, world):
    case = world.submitted_case()
    assert_error_page(client_of(app, "coord@test.org").get(f"/cases/{case.id}/approve"), 405)


def test_an_unexpected_error_is_a_500_page_without_a_traceback(app, world):
    def broken():
        raise RuntimeError("secret internals")

    app.add_url_rule("/broken-for-test", "broken_for_test", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production, not as under TESTING
    page = assert_error_page(app.test_client().get("/broken-for-test"), 500)
    assert "secret internals" not in page
    assert "RuntimeError" not in page


def test_logging_out_ends_the_session(app, world):
    client = client_of(app, "coord@test.org")
    response = post_form(client, "/logout", {}, form_page="/")
    assert response.status_code == 302
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
