"""Evidence: content checks, size limits, who may open a document, and the log of each opening."""

from __future__ import annotations

from io import BytesIO

import pytest
from sqlalchemy import func, select

from passport.audit import CaseAccess
from passport.cases import services as cases
from passport.cases.models import Assignment, AssignmentRole
from passport.db import session
from passport.intake import files, services
from passport.intake.models import Evidence
from tests.intake_helpers import consent, invited, open_link, post, staff_client

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 40


@pytest.fixture()
def candidate(client, world):
    case, token = invited(world)
    open_link(client, token)
    consent(client)
    return case


def _upload(client, data: bytes, name: str, kind: str = "diploma", description: str = "x"):
    return post(client, "/candidate/documents",
                {"kind": kind, "description": description, "file": (BytesIO(data), name)})


def _count(case_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(Evidence).where(Evidence.case_id == case_id)
    )


@pytest.mark.parametrize(("data", "kind"), [
    (PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"), (HEIC, "image/heic"),
    (b"MZ\x90\x00 a Windows program", None), (b"<html><script>", None), (b"", None),
    (b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00avifmiaf", None),
])
def test_files_are_recognised_by_content(data, kind):
    assert files.sniff(data) == kind


def test_upload_is_stored_in_the_database(client, candidate):
    response = _upload(client, PDF, "diploma.pdf", description="Bachelor diploma, 2012")
    assert response.status_code == 303
    evidence = session.scalar(select(Evidence).where(Evidence.case_id == candidate.id))
    assert (evidence.kind, evidence.content_type, evidence.size) == (
        "diploma", "application/pdf", len(PDF))
    assert evidence.data == PDF
    assert evidence.original_name == "diploma.pdf"
    page = client.get("/candidate/documents").get_data(as_text=True)
    assert "Bachelor diploma, 2012" in page


def test_disguised_file_is_refused_next_to_the_field(client, candidate):
    response = _upload(client, b"MZ\x90\x00 not a pdf", "diploma.pdf")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="file-error"' in page
    assert "not a PDF, PNG, JPEG or HEIC file" in page
    assert _count(candidate.id) == 0


def test_oversize_files_are_refused_next_to_the_field(client, candidate):
    too_big = PDF + b"\x00" * files.MAX_EVIDENCE_BYTES
    response = _upload(client, too_big, "scan.pdf")
    assert response.status_code == 422
    assert "larger than 10 MB" in response.get_data(as_text=True)
    # Larger than the whole request may be: still a message next to the field.
    huge = PDF + b"\x00" * (client.application.config["MAX_CONTENT_LENGTH"] + 1)
    response = _upload(client, huge, "scan.pdf")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert 'id="file-error"' in page and "larger than 10 MB" in page
    assert _count(candidate.id) == 0


def test_missing_kind_or_file(client, candidate):
    response = post(client, "/candidate/documents", {"kind": "", "description": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose what kind of document this is." in page and "Choose a file." in page


def test_candidate_removes_a_document_only_before_submitting(client, world, candidate):
    _upload(client, PNG, "card.png", kind="partial")
    evidence = session.scalar(select(Evidence).where(Evidence.case_id == candidate.id))
    removed = post(client, f"/candidate/documents/{evidence.id}/remove", {},
                   form_page="/candidate/documents")
    assert removed.status_code == 303
    session.refresh(evidence)
    assert evidence.deleted_at is not None and evidence.data == b""
    _upload(client, PNG, "card.png", kind="partial")
    kept = session.scalar(
        select(Evidence).where(Evidence.case_id == candidate.id, Evidence.deleted_at.is_(None))
    )
    candidate.status = "submitted"
    session.commit()
    with pytest.raises(services.InvalidTransition):
        services.delete_evidence(candidate, kept.id)


def test_documents_of_another_case_cannot_be_removed(client, world, candidate):
    other, _token = invited(world, given_name="Other", email="other@example.org")
    services.give_consent(other, "en")
    foreign = services.add_evidence(other, "diploma", "", "d.pdf", PDF)
    response = post(client, f"/candidate/documents/{foreign.id}/remove", {},
                    form_page="/candidate/documents")
    assert response.status_code == 303
    session.refresh(foreign)
    assert foreign.deleted_at is None


def test_only_the_cases_evaluators_and_coordinators_open_documents(client, world, candidate):
    evidence = services.add_evidence(candidate, "diploma", "", "d.pdf", PDF)
    candidate.status = "submitted"
    session.commit()
    cases.screen(world.coordinator, candidate, eligible=True)
    cases.assign_evaluators(world.coordinator, candidate, world.ev1, world.ev2)
    session.add(Assignment(case_id=candidate.id, user_id=world.ev3.id,
                           role=AssignmentRole.OBSERVER))
    session.commit()
    path = f"/cases/{candidate.id}/evidence/{evidence.id}"
    case_id, evidence_id = candidate.id, evidence.id
    expected = {"coord@test.org": 200, "ev1@test.org": 200, "ev2@test.org": 200,
                "ev3@test.org": 403, "ev4@test.org": 404, "coord2@test.org": 404}
    for email, status in expected.items():
        with staff_client(client.application, email) as staff:
            response = staff.get(path)
        assert response.status_code == status, email
        if status == 200:
            assert response.data == PDF
            assert response.headers["Content-Type"] == "application/pdf"
            assert response.headers["Content-Disposition"] == (
                f'attachment; filename="evidence-{evidence_id}-diploma.pdf"')
            assert response.headers["X-Content-Type-Options"] == "nosniff"
    # The candidate's own session is no staff login.
    assert client.get(path).status_code == 302
    openings = session.scalars(
        select(CaseAccess.user_id).where(
            CaseAccess.case_id == case_id, CaseAccess.what == f"evidence:{evidence_id}"
        )
    ).all()
    assert sorted(openings) == sorted([world.coordinator.id, world.ev1.id, world.ev2.id])


def test_unknown_document_is_not_found(client, world, candidate):
    with staff_client(client.application, "coord@test.org") as staff:
        assert staff.get(f"/cases/{candidate.id}/evidence/999").status_code == 404


def test_limits_on_the_number_of_documents(monkeypatch, candidate):
    monkeypatch.setattr(files, "MAX_EVIDENCE_FILES", 2)
    services.add_evidence(candidate, "diploma", "", "a.pdf", PDF)
    services.add_evidence(candidate, "transcript", "", "b.pdf", PDF)
    with pytest.raises(services.FieldProblem, match="as many documents"):
        services.add_evidence(candidate, "other", "", "c.pdf", PDF)
