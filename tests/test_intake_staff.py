"""Staff side of intake: the candidate record (new case, details page, photo) and the demo data."""

from __future__ import annotations

from io import BytesIO

from sqlalchemy import func, select

from passport.audit import AuditEntry, CaseAccess
from passport.cases.models import Candidate, Case
from passport.db import session
from passport.intake.models import Consent, Evidence, Questionnaire
from tests.intake_helpers import post, staff_client

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40

NEW_CASE = {
    "given_name": "Yonas", "family_name": "Tesfay", "native_name": "ዮናስ ተስፋይ",
    "birth_date": "1994", "nationality": "ER", "country_of_origin": "ER", "host_country": "NO",
    "qualification_country": "ER", "email": "yonas@example.org", "phone": "",
    "protection_status": "refugee", "preferred_language": "ti",
    "preferred_languages": ["ti", "en"], "timezone": "Europe/Oslo",
}


def test_new_case_records_the_intake_fields(app, world):
    with staff_client(app, "coord@test.org") as staff:
        response = post(staff, "/cases/new", {
            **NEW_CASE, "scheme": str(world.eqpr.id), "photo": (BytesIO(PNG), "me.png"),
        })
        assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
        page = staff.get(response.headers["Location"]).get_data(as_text=True)
    candidate = session.scalar(select(Candidate).where(Candidate.given_name == "Yonas"))
    assert candidate.protection_status == "refugee"
    assert candidate.preferred_language == "ti"
    assert candidate.language_list == ["ti", "en"]
    assert candidate.timezone == "Europe/Oslo"
    assert (candidate.photo, candidate.photo_type) == (PNG, "image/png")
    assert "Refugee" in page and "Tigrinya" in page and "Europe/Oslo" in page
    assert "Photo of the candidate" in page


def test_a_disguised_photo_is_refused(app, world):
    with staff_client(app, "coord@test.org") as staff:
        response = post(staff, "/cases/new", {
            **NEW_CASE, "scheme": str(world.eqpr.id),
            "photo": (BytesIO(b"<svg onload=alert(1)>"), "me.png"),
        })
    assert response.status_code == 422
    assert "The photo must be a PNG or JPEG image." in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Candidate)) == 0


def test_details_page_changes_contact_and_is_audited(app, world):
    case = world.new_case()
    case_id = case.id
    with staff_client(app, "coord@test.org") as staff:
        form = staff.get(f"/cases/{case_id}/candidate")
        assert form.status_code == 200
        bad = post(staff, f"/cases/{case_id}/candidate", {"email": "not an address",
                                                           "preferred_language": "ar"})
        assert bad.status_code == 422
        saved = post(staff, f"/cases/{case_id}/candidate", {
            "email": "amina@example.org", "phone": "+47 400 00 000",
            "preferred_language": "ar", "preferred_languages": ["ar", "en"],
            "protection_status": "temporary_protection", "timezone": "Europe/Oslo",
            "photo": (BytesIO(PNG), "me.png"),
        })
        assert saved.status_code == 303
        photo = staff.get(f"/cases/{case_id}/photo")
        assert photo.status_code == 200 and photo.data == PNG
        assert photo.headers["X-Content-Type-Options"] == "nosniff"
    with staff_client(app, "ev1@test.org") as evaluator:
        assert evaluator.get(f"/cases/{case_id}/candidate").status_code == 404
        assert evaluator.get(f"/cases/{case_id}/photo").status_code == 404
    candidate = session.get(Case, case_id).candidate
    session.refresh(candidate)
    assert candidate.email == "amina@example.org" and candidate.preferred_language == "ar"
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "candidate.updated"))
    assert "email" in entry.after["fields"] and "photo" in entry.after["fields"]
    assert "amina@example.org" not in str(entry.after)  # no personal data in the trail
    assert session.scalar(select(func.count()).select_from(CaseAccess).where(
        CaseAccess.case_id == case_id)) > 0


def test_demo_data_has_candidates_at_each_intake_step(app):
    from passport import demo

    demo.load()
    demo.load()  # twice changes nothing
    by_name = {c.candidate.given_name: c for c in session.scalars(select(Case))}
    statuses = {row[0]: by_name[row[0]].status for row in demo.INTAKE}
    assert statuses == {"Fatima": "questionnaire_sent", "Dawit": "questionnaire_sent",
                        "Hassan": "questionnaire_sent", "Mariia": "submitted",
                        "Rania": "questionnaire_sent"}

    def count(model, name):
        return session.scalar(select(func.count()).select_from(model).where(
            model.case_id == by_name[name].id))

    assert count(Consent, "Fatima") == 0
    assert count(Consent, "Dawit") == 1 and count(Questionnaire, "Dawit") == 0
    assert count(Questionnaire, "Hassan") == 1 and count(Evidence, "Hassan") == 1
    assert count(Evidence, "Mariia") == 2
    rania = session.scalar(select(Consent).where(Consent.case_id == by_name["Rania"].id))
    assert rania.withdrawn_at is not None
