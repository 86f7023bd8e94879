"""Hostile and broken input: SQL and template injection, markup, NUL bytes, oversized and
malformed bodies, path traversal in file names, forged or missing CSRF tokens. Each is refused
cleanly (a 4xx page in the app's layout, nothing changed) or stored and shown back as text."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from passport.cases.models import Candidate, Case
from passport.db import session
from passport.intake.models import Evidence
from passport.training.models import TrainingEvidence
from tests.access_matrix import MATRIX
from tests.conftest import csrf_token, login, post_form
from tests.hostile_helpers import PDF, PNG, full_case, staff, state_snapshot
from tests.intake_helpers import post
from tests.test_access_matrix import PARAMETERS, routes, url_for_rule

SCRIPT = "<script>alert('xss')</script>"
SQL = "Robert'); DROP TABLE cases; --"
TEMPLATE = "{{ 7*7 }}{% print(config) %}"
FORGED = "IjEyMzQ1Njc4OTAi.ZmFrZQ.forged-signature-0123456789"

NEW_CASE = {
    "given_name": "Amina", "family_name": "Haddad", "native_name": "", "birth_date": "1991-03",
    "nationality": "SY", "country_of_origin": "SY", "host_country": "NO",
    "qualification_country": "SY", "email": "", "phone": "", "protection_status": "refugee",
    "preferred_language": "ar", "timezone": "Europe/Oslo",
}


def assert_clean_refusal(response, *codes: int) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code in codes, (response.status_code, page[:800])
    assert "Traceback" not in page
    return page


def test_injection_in_names_is_stored_as_text_and_shown_escaped(app, world):
    coordinator = staff(app, "coord@test.org")
    response = post_form(coordinator, "/cases/new", {
        **NEW_CASE, "scheme": world.eqpr.id, "given_name": SCRIPT, "family_name": SQL,
        "native_name": TEMPLATE,
    })
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    candidate = session.scalar(select(Candidate))
    assert (candidate.given_name, candidate.family_name, candidate.native_name) == (
        SCRIPT, SQL, TEMPLATE)
    case = session.scalar(select(Case))  # the table is still there, with the case in it
    session.commit()
    for path in ("/", f"/cases/{case.id}", f"/cases/{case.id}/candidate"):
        page = coordinator.get(path).get_data(as_text=True)
        assert "<script>alert" not in page, path
        assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in page, path
        assert "49" not in re.findall(r"\d+", page.split("<main", 1)[1]) or TEMPLATE in page
    page = coordinator.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "{{ 7*7 }}" in page and "SECRET_KEY" not in page
    assert "DROP TABLE cases" in page


def test_injection_in_search_filters_and_ids(app, world):
    world.new_case()
    coordinator = staff(app, "coord@test.org")
    before = state_snapshot()
    for path in ("/?status=' OR 1=1 --", "/?page=1;DROP TABLE cases", "/?status={{7*7}}",
                 "/outbox?page=-1", "/training/?centre=1 OR 1=1"):
        assert coordinator.get(path).status_code in (200, 302, 400, 404), path
    for path in ("/cases/1%20OR%201=1", "/cases/1;DROP", "/verify/'%20OR%20'1'='1",
                 "/verify/..%2F..%2Fetc%2Fpasswd", "/static/..%2F..%2Fpassport%2Fconfig.py",
                 "/cases/%7B%7B7*7%7D%7D"):
        response = coordinator.get(path)
        assert_clean_refusal(response, 404)
    assert state_snapshot() == before


@pytest.mark.parametrize("path", ["/verify/abc%00def", "/cases/1%00", "/?status=%00",
                                  "/outbox?page=1%00"])
def test_nul_in_addresses_is_refused(app, world, path):
    world.new_case()
    coordinator = staff(app, "coord@test.org")
    response = coordinator.get(path)
    assert_clean_refusal(response, 400, 404)


def test_nul_bytes_in_form_fields_are_taken_out(app, world):
    coordinator = staff(app, "coord@test.org")
    response = post_form(coordinator, "/cases/new", {
        **NEW_CASE, "scheme": world.eqpr.id, "given_name": "Am\x00ina", "family_name": "\x00",
        "native_name": "\x00أمينة\x00",
    })
    # "\x00" alone is nothing: the family name is missing, said next to the field.
    assert response.status_code == 422
    assert 'id="family_name-error"' in response.get_data(as_text=True)
    response = post_form(coordinator, "/cases/new", {
        **NEW_CASE, "scheme": world.eqpr.id, "given_name": "Am\x00ina", "native_name": "أ\x00مينة",
    })
    assert response.status_code == 302
    candidate = session.scalar(select(Candidate))
    assert (candidate.given_name, candidate.native_name) == ("Amina", "أمينة")


def test_oversized_body_is_a_friendly_413(app, world):
    client = app.test_client()
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"csrf_token": token, "email": "a@b.c",
                                           "password": "x" * (21 * 1024 * 1024)})
    page = assert_clean_refusal(response, 413)
    assert "The upload is too large." in page and "Qualifications Passport" in page


def test_malformed_multipart_and_bodies_are_refused(app, world):
    full = full_case(app, world)
    coordinator = staff(app, "coord@test.org")
    before = state_snapshot()
    bodies = [
        ("multipart/form-data; boundary=xyz", b"--xyz\r\nContent-Disposition: form-data; na"),
        ("multipart/form-data", b"no boundary at all"),
        ("multipart/form-data; boundary=" + "a" * 300, b"--" + b"a" * 300 + b"\r\n\r\n"),
        ("application/x-www-form-urlencoded", b"%ZZ=%%%&&&==\xff\xfe"),
        ("application/json", b'{"csrf_token": '),
        ("text/plain", b"\x00\x01\x02"),
    ]
    for client, path in ((coordinator, f"/cases/{full.case.id}/candidate"),
                         (coordinator, "/training/import"),
                         (full.candidate_client, "/candidate/documents"),
                         (full.candidate_client, "/candidate/questionnaire/autosave"),
                         (app.test_client(), "/verify")):
        for content_type, body in bodies:
            response = client.post(path, data=body, content_type=content_type)
            assert_clean_refusal(response, 400, 413, 422)
    assert state_snapshot() == before


def test_every_post_without_or_with_a_forged_csrf_token_is_refused(app, world):
    full = full_case(app, world)
    coordinator = staff(app, "coord@test.org")
    before = state_snapshot()
    for endpoint, method, rule in routes(app):
        if method == "GET":
            continue
        url = url_for_rule(rule, endpoint, world, full)
        for client in (coordinator, full.candidate_client):
            for data in ({}, {"csrf_token": FORGED}, {"csrf_token": ""}):
                response = client.open(url, method=method, data=data)
                page = assert_clean_refusal(response, 400)
                assert "did not come from this site" in page, url
    assert state_snapshot() == before


UPLOADS = [
    ("diploma.pdf", b"<html><script>alert(1)</script></html>", False),
    ("photo.png", b"GIF89a....", False),
    ("script.pdf", b"#!/bin/sh\nrm -rf /\n", False),
    ("renamed.exe", PNG, True),  # a real PNG, whatever its name: stored as image/png
    ("diploma.pdf", PDF, True),
]


def test_uploads_are_typed_by_content_and_never_named_by_the_user(app, world):
    full = full_case(app, world, email="olena@example.org")
    full.case.status = "submitted"  # documents may still come before the interview
    session.commit()
    evil_names = ["../../../../etc/passwd.pdf", "..\\..\\windows\\win.ini.pdf",
                  "/var/evil.pdf", "a\x00.pdf", "<script>.pdf", "%2e%2e%2f.pdf", ""]
    for name in evil_names:
        response = post(full.candidate_client, "/candidate/documents",
                        {"kind": "other", "file": (io.BytesIO(PDF), name)},
                        content_type="multipart/form-data")
        assert response.status_code in (303, 422), name
    names = [e.original_name for e in session.scalars(select(Evidence))]
    assert all("/" not in n and "\\" not in n and "\x00" not in n for n in names), names
    coordinator = staff(app, "coord@test.org")
    for evidence in session.scalars(select(Evidence).where(Evidence.deleted_at.is_(None))):
        response = coordinator.get(f"/cases/{full.case.id}/evidence/{evidence.id}")
        assert response.status_code == 200
        disposition = response.headers["Content-Disposition"]
        assert disposition == f'attachment; filename="{evidence.download_name}"'
        assert re.fullmatch(r"evidence-\d+-\w+\.(pdf|png|jpg|heic)", evidence.download_name)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    page = coordinator.get(f"/cases/{full.case.id}/questionnaire").get_data(as_text=True)
    assert "<script>.pdf" not in page

    # The type is decided by the content, whatever the name says.
    for name, data, accepted in UPLOADS:
        count = len(session.scalars(select(Evidence)).all())
        response = post(full.candidate_client, "/candidate/documents",
                        {"kind": "other", "file": (io.BytesIO(data), name)},
                        content_type="multipart/form-data")
        rows = session.scalars(select(Evidence).order_by(Evidence.id)).all()
        if accepted:
            assert response.status_code == 303, name
            assert rows[-1].content_type in ("image/png", "application/pdf")
        else:
            assert response.status_code == 422, name
            assert "is not a PDF, PNG, JPEG or HEIC file" in response.get_data(as_text=True)
            assert len(rows) == count


def test_downloads_are_attachments_that_are_not_sniffed(app, world):
    full = full_case(app, world)
    coordinator = staff(app, "coord@test.org")
    evaluator = staff(app, "ev1@test.org")
    downloads = [
        (coordinator, f"/cases/{full.case.id}/evidence/{full.evidence.id}"),
        (coordinator, f"/cases/{full.case.id}/photo"),
        (coordinator, f"/passports/{full.passport.id}.pdf"),
        (coordinator, "/training/records.csv"),
        (coordinator, "/training/overview.csv"),
        (evaluator, f"/training/records/{full.record.id}/certificate"),
        (full.candidate_client, f"/candidate/passport/{full.passport.id}.pdf"),
    ]
    for client, path in downloads:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Disposition"].startswith("attachment; filename="), path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
    stored = session.scalar(select(TrainingEvidence))
    assert stored.content_type == "application/pdf"


def test_training_certificate_of_the_wrong_type_is_refused(app, world):
    admin = staff(app, "admin@test.org")
    path = f"/training/evaluators/{world.ev3.id}/records/new"
    before = state_snapshot()
    response = post_form(admin, path, {
        "course": world.methodology.id, "completed_on": "2025-01-10",
        "evidence": (io.BytesIO(b"<svg onload=alert(1)>"), "../../cert.pdf"),
    })
    assert response.status_code == 422
    assert "not a PDF, PNG or JPEG" in response.get_data(as_text=True)
    assert state_snapshot() == before


def test_matrix_parameters_cover_every_route(app):
    # The hostile sweeps reuse the matrix's way of filling addresses.
    for endpoint, _method, rule in routes(app):
        overrides = MATRIX[endpoint].get("params", {})
        for name in rule.arguments:
            assert overrides.get(name, name) in PARAMETERS, (endpoint, name)


def test_login_with_hostile_values(app, world):
    client = app.test_client()
    for email in (SQL, "' OR '1'='1", SCRIPT, "a@b.c\x00admin@test.org", "😀" * 300):
        response = post_form(client, "/login", {"email": email, "password": "' OR 1=1 --"})
        page = assert_clean_refusal(response, 200, 401)
        assert "<script>alert" not in page
    assert client.get("/").status_code == 302  # still not logged in
    login(client, "admin@test.org")


def test_json_bodies_are_refused_where_a_form_is_expected(app, world):
    coordinator = staff(app, "coord@test.org")
    token = csrf_token(coordinator, "/cases/new")
    before = state_snapshot()
    for body in (False, [[]], {"given_name": {"$ne": 1}}, "x", 0, {"scheme": [1, 2]}):
        response = coordinator.post("/cases/new", json=body, headers={"X-CSRFToken": token})
        page = assert_clean_refusal(response, 415)
        assert "takes a form" in page
    assert state_snapshot() == before


def test_a_view_marked_accepts_json_gets_json_without_nul(app):
    from flask import jsonify, request

    from passport.security import accepts_json

    @accepts_json
    def echo():
        return jsonify(request.get_json())

    app.add_url_rule("/json-echo-for-test", "json_echo_for_test", echo, methods=["POST"])
    app.extensions["csrf"].exempt(echo)
    response = app.test_client().post("/json-echo-for-test",
                                      json={"a\x00": ["b\x00c", {"d": "\x00"}], "n": 1})
    assert response.status_code == 200
    assert response.get_json() == {"a": ["bc", {"d": ""}], "n": 1}
