"""Forms posted without the site's CSRF token, or with a forged one, are refused (400, in the
app's layout) and change nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from passport.auth.models import User
from passport.db import session
from passport.passports.models import Passport
from tests.conftest import csrf_token, login

FORGED = "IjEyMzQ1Njc4OTAi.ZmFrZQ.forged-signature-0123456789"


def refused(response) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page[:1000]
    assert "Qualifications Passport" in page
    assert "did not come from this site" in page
    assert "Traceback" not in page


def user_count() -> int:
    return session.scalar(select(func.count()).select_from(User))


def test_screening_without_a_valid_token_is_refused(app, world):
    case = world.new_case()
    client = app.test_client()
    login(client, "coord@test.org")
    for token in (None, "", FORGED):
        data = {"decision": "eligible"}
        if token is not None:
            data["csrf_token"] = token
        refused(client.post(f"/cases/{case.id}/screening", data=data))
        assert case.status == "draft"
    # With the page's own token the same form goes through.
    data = {"decision": "eligible", "csrf_token": csrf_token(client, f"/cases/{case.id}")}
    assert client.post(f"/cases/{case.id}/screening", data=data).status_code == 302
    assert case.status == "eligible"


def test_a_token_from_another_session_is_refused(app, world):
    case = world.new_case()
    stranger = app.test_client()
    stolen = csrf_token(stranger, "/login")  # a real token, but of someone else's session
    client = app.test_client()
    login(client, "coord@test.org")
    refused(client.post(f"/cases/{case.id}/screening",
                        data={"decision": "eligible", "csrf_token": stolen}))
    assert case.status == "draft"


def test_approval_without_a_token_is_refused(app, world):
    case = world.submitted_case()
    client = app.test_client()
    login(client, "coord@test.org")
    refused(client.post(f"/cases/{case.id}/approve", data={"comment": "ok"}))
    refused(client.post(f"/cases/{case.id}/approve",
                        data={"comment": "ok", "csrf_token": FORGED}))
    assert case.status == "assessment_submitted"
    assert session.scalar(select(func.count()).select_from(Passport)) == 0


def test_creating_a_user_without_a_valid_token_is_refused(app, world):
    client = app.test_client()
    login(client, "admin@test.org")
    before = user_count()
    data = {"name": "Eve Intruder", "email": "eve@test.org", "roles": "administrator",
            "centre": "0", "password": "violet-otter-harbour-1917"}
    refused(client.post("/admin/users/new", data=data))
    refused(client.post("/admin/users/new", data={**data, "csrf_token": FORGED}))
    assert user_count() == before
    # The same form with the page's own token works, so the refusal was about the token.
    data["csrf_token"] = csrf_token(client, "/admin/users/new")
    assert client.post("/admin/users/new", data=data).status_code == 302
    assert user_count() == before + 1


def test_login_without_a_token_is_refused_and_logs_nobody_in(client, world):
    refused(client.post("/login", data={"email": "coord@test.org",
                                        "password": "correct-horse-battery-staple"}))
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_assessment_without_a_token_is_refused(app, world):
    case = world.assigned_case()
    client = app.test_client()
    login(client, "ev1@test.org")
    refused(client.post(f"/cases/{case.id}/assessment", data={
        "level": "bachelor", "qualification_title": "T", "field_of_study": "F",
        "summary": "S", "submit": "1",
    }))
    assert case.status == "evaluators_assigned"
