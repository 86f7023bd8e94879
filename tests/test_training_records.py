"""Training records and evidence files: bad input is refused with nothing saved; pages."""

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from passport.audit import AuditEntry
from passport.db import session
from passport.errors import PermissionRefused, RuleViolation
from passport.training import services as training
from passport.training.models import TrainingEvidence, TrainingRecord
from tests.conftest import login, post_form
from tests.training_helpers import course, evaluator

TODAY = date(2026, 6, 1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _count(model):
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture()
def assessed(world):
    return course(world, "EXAM", title="Assessed methodology", max_score=40, pass_mark=24,
                  validity_months=24)


def test_bad_dates_and_scores_are_refused_and_nothing_is_saved(world, assessed):
    person = evaluator("Bea Bad", world.cimea)
    before = _count(TrainingRecord)
    cases = [
        (assessed, date(2026, 6, 2), 30, "completed_on",
         "The completion date 2026-06-02 is in the future."),
        (assessed, date(2026, 5, 1), 41, "score",
         "The score 41 is outside the range of “\u2068Assessed methodology\u2069” (0 to 40)."),
        (assessed, date(2026, 5, 1), -1, "score", "outside the range"),
        (assessed, date(2026, 5, 1), None, "score", "Give the score"),
        (world.methodology, date(2026, 5, 1), 10, "score", "is not assessed"),
    ]
    for course_, day, score, field, message in cases:
        with pytest.raises(RuleViolation) as refused:
            training.add_record(world.admin, person, course_, day, score,
                                evidence=training.Upload("c.pdf", PDF), today=TODAY)
        assert refused.value.field == field
        assert message in str(refused.value.message)
    assert _count(TrainingRecord) == before
    assert _count(TrainingEvidence) == 0

    record = training.add_record(world.admin, person, assessed, TODAY, 24, today=TODAY)
    assert record.passed and record.root_id == record.id and record.version == 1


def test_only_managers_record_training(world):
    with pytest.raises(PermissionRefused):
        training.add_record(world.ev1, world.ev1, world.methodology, date(2025, 1, 1))
    with pytest.raises(RuleViolation, match="is not an evaluator"):
        training.add_record(world.admin, world.coordinator, world.methodology, date(2025, 1, 1))


def test_certificates_are_checked_by_content_and_size(world, app):
    person = evaluator("Fay File", world.cimea)
    for content, content_type in ((PDF, "application/pdf"), (PNG, "image/png"),
                                  (JPEG, "image/jpeg")):
        record = training.add_record(world.admin, person, world.methodology, date(2025, 1, 1),
                                     evidence=training.Upload("any-name.bin", content))
        assert record.evidence.content_type == content_type
        assert record.evidence.content == content and record.evidence.size == len(content)

    stored = _count(TrainingEvidence)
    # A text file named .pdf, an HTML page named .png: refused for their content.
    for fake in (b"just text, not a PDF", b"<html><script>alert(1)</script>"):
        with pytest.raises(RuleViolation, match="not a PDF, PNG or JPEG") as refused:
            training.add_record(world.admin, person, world.methodology, date(2025, 1, 2),
                                evidence=training.Upload("certificate.pdf", fake))
        assert refused.value.field == "evidence"
    app.config["TRAINING_EVIDENCE_MAX_BYTES"] = 1000
    with pytest.raises(RuleViolation, match="too large"):
        training.add_record(world.admin, person, world.methodology, date(2025, 1, 2),
                            evidence=training.Upload("big.pdf", PDF + b" " * 1000))
    assert _count(TrainingEvidence) == stored


def test_certificate_download_for_managers_and_the_evaluator_only(world, app, client):
    record = training.add_record(world.admin, world.ev1, world.methodology, date(2025, 1, 1),
                                 evidence=training.Upload("cert.pdf", PDF))
    url = f"/training/records/{record.id}/certificate"
    login(client, "ev2@test.org")
    assert client.get(url).status_code == 404
    for email in ("ev1@test.org", "coord@test.org"):
        other = app.test_client()
        login(other, email)
        response = other.get(url)
        assert response.status_code == 200
    assert response.status_code == 200
    assert response.data == PDF and response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response.headers["Content-Disposition"]


def test_record_page_refuses_bad_input_next_to_the_field(world, client, assessed):
    person = evaluator("Pia Page", world.cimea)
    login(client, "coord@test.org")
    url = f"/training/evaluators/{person.id}/records/new"
    before = _count(TrainingRecord)

    response = post_form(client, url, {"course": assessed.id, "completed_on": "2099-01-01",
                                       "score": "30", "provider": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="completed_on-error"' in page and "2099-01-01 is in the future" in page

    response = post_form(client, url, {"course": assessed.id, "completed_on": "2025-01-01",
                                       "score": "99"})
    assert response.status_code == 422
    assert 'id="score-error"' in response.get_data(as_text=True)

    response = client.post(url, data={
        "csrf_token": _token(client, url), "course": assessed.id, "completed_on": "2025-01-01",
        "score": "30", "evidence": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "certificate.pdf"),
    }, content_type="multipart/form-data")
    assert response.status_code == 422
    assert 'id="evidence-error"' in response.get_data(as_text=True)
    assert _count(TrainingRecord) == before

    response = client.post(url, data={
        "csrf_token": _token(client, url), "course": assessed.id, "completed_on": "2025-01-01",
        "score": "30", "provider": "Council of Europe",
        "evidence": (io.BytesIO(PDF), "certificate.pdf"),
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    page = client.get(f"/training/evaluators/{person.id}").get_data(as_text=True)
    assert "Assessed methodology" in page and "30 of 40" in page and "Certificate" in page


def _token(client, url):
    from tests.conftest import csrf_token

    return csrf_token(client, url)


def test_correction_page_keeps_the_history(world, client):
    record = training.add_record(world.admin, world.ev3, world.methodology, date(2025, 1, 10),
                                 provider="CoE")
    login(client, "coord@test.org")
    url = f"/training/records/{record.id}/correct"
    response = post_form(client, url, {"completed_on": "2025-01-12", "provider": "CoE",
                                       "reason": ""})
    assert response.status_code == 422
    assert "Say why the record is corrected." in response.get_data(as_text=True)

    response = post_form(client, url, {"completed_on": "2025-01-12", "provider": "CoE",
                                       "reason": "Date from the signed attendance list."})
    assert response.status_code == 302
    page = client.get(f"/training/evaluators/{world.ev3.id}").get_data(as_text=True)
    assert "2 versions: show the history" in page
    assert "Version 1" in page and "(superseded)" in page and "Version 2" in page
    assert "Date from the signed attendance list." in page
    # The old version's correction page leads to the current version.
    assert client.get(url).status_code == 302
    actions = session.scalars(select(AuditEntry.action).where(
        AuditEntry.action.like("training.record%"))).all()
    assert actions.count("training.record_corrected") == 1


def test_profile_page(world, client):
    login(client, "coord@test.org")
    url = f"/training/evaluators/{world.ev2.id}/profile"
    page = client.get(url).get_data(as_text=True)
    assert '<option selected value="ar">Arabic' in page
    response = post_form(client, url, {
        "centre": world.cimea.id, "timezone": "Europe/Rome", "countries": ["UA", "AF"],
        "languages-0-language": "uk", "languages-0-level": "C1",
        "languages-1-language": "it", "languages-1-level": "",
    })
    assert response.status_code == 422
    assert "Give a level for this language." in response.get_data(as_text=True)
    response = post_form(client, url, {
        "centre": world.cimea.id, "timezone": "Europe/Rome", "countries": ["UA", "AF"],
        "languages-0-language": "uk", "languages-0-level": "C1",
        "languages-1-language": "it", "languages-1-level": "native",
    })
    assert response.status_code == 302
    profile = training.profile_of(world.ev2)
    assert profile.languages == (("it", "native"), ("uk", "C1"))
    assert profile.countries == ("AF", "UA") and profile.timezone == "Europe/Rome"
    page = client.get(f"/training/evaluators/{world.ev2.id}").get_data(as_text=True)
    assert "Ukrainian (C1)" in page and "Italian (Mother tongue)" in page
