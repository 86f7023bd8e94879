"""Every route × every role, generated from the app's URL map and checked against the table in
tests/access_matrix.py: a route without an entry fails, and a refused request changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from tests.access_matrix import MATRIX, ROLES
from tests.conftest import CSRF
from tests.hostile_helpers import STAFF_EMAILS, FullCase, full_case, staff, state_snapshot

# Outcomes that refuse the person: the request must change nothing. ("verify" is where a
# personal link leads before its check is answered; sending a code from there is allowed.)
REFUSALS = {"login", "link", "403", "404"}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# How URL variables are filled: by name, from the world and its full case.
PARAMETERS: dict[str, Callable[[Any, FullCase], Any]] = {
    "case_id": lambda w, f: f.case.id,
    "evidence_id": lambda w, f: f.evidence.id,
    "passport_id": lambda w, f: f.passport.id,
    "message_id": lambda w, f: f.message.id,
    "user_id": lambda w, f: w.ev1.id,
    "observer": lambda w, f: f.observer.id,
    "record_id": lambda w, f: f.record.id,
    "course_id": lambda w, f: w.methodology.id,
    "scheme_id": lambda w, f: w.eqpr.id,
    "public_id": lambda w, f: f.passport.public_id,
    "token": lambda w, f: f.token,
    "filename": lambda w, f: "app.css",
    "name": lambda w, f: "NotoSansArabic-Regular.ttf",
    "appeal_id": lambda w, f: f.appeal.id,
    "interview_id": lambda w, f: _interview_id(f.case.id),
    "chart": lambda w, f: "cases-per-step",
    "page": lambda w, f: 1,
}


def _interview_id(case_id: int) -> int:
    from passport.db import session
    from passport.interviews.models import Interview

    return session.scalar(select(Interview.id).where(Interview.case_id == case_id))


def routes(app: Flask) -> list[tuple[str, str, Any]]:
    """(endpoint, method, rule) for every rule of the app, in a stable order."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        for method in METHODS:
            if method in (rule.methods or ()):
                found.append((rule.endpoint, method, rule))
    return found


def test_every_route_has_an_entry_in_the_access_matrix(app):
    missing = [
        f"{endpoint} {method} ({rule.rule})"
        for endpoint, method, rule in routes(app)
        if method not in MATRIX.get(endpoint, {})
    ]
    assert not missing, (
        "Routes without an entry in tests/access_matrix.py (say who may use them): "
        + ", ".join(missing)
    )
    known = {endpoint for endpoint, _m, _r in routes(app)}
    stale = sorted(set(MATRIX) - known)
    assert not stale, f"Entries in tests/access_matrix.py for routes that no longer exist: {stale}"
    for endpoint, methods in MATRIX.items():
        for param in methods.get("params", {}).values():
            assert param in PARAMETERS, f"{endpoint}: unknown parameter source {param!r}"


def classify(response) -> str:
    code = response.status_code
    if code in (301, 302, 303, 307, 308):
        target = urlsplit(response.headers["Location"])
        path = target.path
        if path == "/login" and "next=" not in target.query:
            return "ok"  # logging out
        return {"/login": "login", "/candidate/link-not-valid": "link",
                "/candidate/verify": "verify"}.get(path, "ok")
    if code in (401, 403, 404, 405):
        return str(code)
    if code >= 500:
        return f"server error {code}"
    # 2xx, and 400/409/413/422/429: the person was let in, their (empty) input was not.
    return "ok"


def url_for_rule(rule, endpoint: str, world, full: FullCase) -> str:
    overrides = MATRIX[endpoint].get("params", {})
    values = {
        name: PARAMETERS[overrides.get(name, name)](world, full) for name in rule.arguments
    }
    return rule.build(values, append_unknown=False)[1]


def session_csrf_token(client) -> str:
    """The CSRF token of the client's session, read from a page with a form, as a browser
    would (logged-in staff are sent away from the login page)."""
    for path in ("/login", "/account", "/candidate"):
        match = CSRF.search(client.get(path).get_data(as_text=True))
        if match:
            return match.group(1)
    raise AssertionError("no page with a CSRF token")


def client_for(role: str, app: Flask, full: FullCase):
    if role == "anonymous":
        return app.test_client()
    if role == "candidate":
        return full.candidate_client
    return staff(app, STAFF_EMAILS[role])


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, world, role):
    full = full_case(app, world)
    client = client_for(role, app, full)
    token = session_csrf_token(client)

    # Reading first, then writing; routes that end the session (logout, leave) come last.
    plan = sorted(routes(app), key=lambda r: (MATRIX[r[0]].get("last", 0), r[1] != "GET"))
    problems = []
    for endpoint, method, rule in plan:
        expected = MATRIX[endpoint][method][role]
        url = url_for_rule(rule, endpoint, world, full)
        refused = expected in REFUSALS
        before = state_snapshot() if refused else None
        if method == "GET":
            response = client.get(url)
        else:
            response = client.open(url, method=method, data={"csrf_token": token})
        actual = classify(response)
        if actual != expected:
            problems.append(f"{method} {url} ({endpoint}): expected {expected}, got {actual} "
                            f"[{response.status_code} {response.headers.get('Location', '')}]")
        elif refused and state_snapshot() != before:
            problems.append(f"{method} {url} ({endpoint}) was refused but changed the database")
    assert not problems, f"as {role}:\n" + "\n".join(problems)
