"""Personal data: the candidate's data export (access requests) and erasure under the scheme's
retention rule."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

from sqlalchemy import func, select

from passport.audit import AuditEntry, CaseAccess
from passport.cases.models import Candidate
from passport.db import session
from passport.intake.models import CandidateLink, Evidence, Questionnaire
from passport.mail.models import OutboxMessage
from passport.privacy.services import add_months
from tests.conftest import post_form
from tests.hostile_helpers import PDF, PNG, full_case, staff
from tests.intake_helpers import post


def read_zip(data: bytes) -> tuple[dict, dict[str, bytes]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files.pop("candidate.json")), files


def check_export(document: dict, files: dict[str, bytes], full) -> None:
    candidate = document["candidate"]
    assert (candidate["given_name"], candidate["family_name"]) == ("Amina", "Haddad")
    assert candidate["email"] == "amina@example.org"
    assert files[candidate["photo_file"]] == PNG
    (case,) = document["cases"]
    assert case["reference"] == full.case.reference
    assert case["questionnaire"]["data"]["education"][0]["title"] == \
        "Bachelor of Civil Engineering"
    assert case["consents"] and case["consents"][0]["text_version"]
    (doc,) = case["documents"]
    assert doc["original_name"] == "diploma.pdf" and files[doc["file"]] == PDF
    assert case["decisions"][0]["decision"] == "approved"
    assert case["passports"][0]["number"] == full.passport.number
    assert case["assessments"][0]["qualification_title"] == "Bachelor of Civil Engineering"
    assert {"case.created", "candidate.invited"} <= {e["action"] for e in case["history"]}
    assert any(m["subject"] for m in case["messages"])
    assert all("token_sha256" not in link and "code_hmac" not in link
               for link in case["personal_links"])
    assert {s["name"] for s in case["staff_on_the_case"]} >= {"Ingrid Eval", "Giulia Eval"}
    assert "README.txt" in files


def test_coordinator_administrator_and_command_export_everything_about_the_candidate(
    app, world, runner, tmp_path
):
    full = full_case(app, world)
    coordinator = staff(app, "coord@test.org")
    page = coordinator.get(f"/cases/{full.case.id}").get_data(as_text=True)
    assert f"/cases/{full.case.id}/export" in page
    response = coordinator.get(f"/cases/{full.case.id}/export")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="personal-data-{full.case.reference}.zip"')
    check_export(*read_zip(response.data), full)
    # The export is on record: in the access log and in the case history.
    assert session.scalar(select(func.count()).select_from(CaseAccess).where(
        CaseAccess.what == "candidate.export", CaseAccess.user_id == world.coordinator.id)) == 1
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "candidate.exported"))
    assert entry.actor_id == world.coordinator.id and entry.case_id == full.case.id
    session.commit()
    # Evaluators of the case may not; coordinators of other schemes do not see the case.
    assert staff(app, "ev1@test.org").get(f"/cases/{full.case.id}/export").status_code == 403
    assert staff(app, "coord2@test.org").get(f"/cases/{full.case.id}/export").status_code == 404

    # Administrators give the case reference on the organisation page.
    admin = staff(app, "admin@test.org")
    assert "Access requests" in admin.get("/admin/organisation").get_data(as_text=True)
    response = admin.get(f"/admin/export?case={full.case.reference}")
    assert response.status_code == 302
    response = admin.get(response.headers["Location"])
    assert response.status_code == 200
    check_export(*read_zip(response.data), full)
    bad = admin.get("/admin/export?case=../../etc")
    assert bad.status_code == 302 and bad.headers["Location"].endswith("#export")

    # The command line, for requests that come by post.
    out = tmp_path / "export.zip"
    result = runner.invoke(args=["export-candidate", str(full.case.id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert full.case.reference in result.output
    check_export(*read_zip(out.read_bytes()), full)
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    entries = session.scalars(select(AuditEntry).where(
        AuditEntry.action == "candidate.exported").order_by(AuditEntry.id)).all()
    assert [e.actor_id for e in entries] == [world.coordinator.id, world.admin.id, None]
    assert runner.invoke(args=["export-candidate", "999", "--out", str(out)]).exit_code != 0


def set_retention(app, world, months: str):
    admin = staff(app, "admin@test.org")
    prefix = f"scheme{world.eqpr.id}"
    return post_form(admin, f"/admin/schemes/{world.eqpr.id}/retention",
                     {f"{prefix}-months": months}, form_page="/admin/organisation")


def test_retention_period_is_set_on_the_organisation_page(app, world):
    for bad in ("abc", "0", "601", "-3"):
        assert set_retention(app, world, bad).status_code == 303
        session.refresh(world.eqpr)
        assert world.eqpr.retention_months is None, bad
    assert set_retention(app, world, "24").status_code == 303
    session.refresh(world.eqpr)
    assert world.eqpr.retention_months == 24
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "scheme.retention_set"))
    assert entry.after == {"retention_months": 24}
    page = staff(app, "admin@test.org").get("/admin/organisation").get_data(as_text=True)
    assert "kept 24 months" in page
    assert set_retention(app, world, "").status_code == 303
    session.refresh(world.eqpr)
    assert world.eqpr.retention_months is None


def test_retention_erases_personal_data_and_keeps_the_passport_verifiable(app, world, runner):
    full = full_case(app, world)
    other = world.new_case(given_name="Olena", family_name="Kovalenko")  # still open
    coordinator = staff(app, "coord@test.org")
    issued_pdf = coordinator.get(f"/passports/{full.passport.id}.pdf").data
    set_retention(app, world, "12")
    ends = full.passport.valid_until
    early = add_months(ends, 12).isoformat()
    late = add_months(ends, 13).isoformat()

    result = runner.invoke(args=["retention", "--today", early])
    assert result.exit_code == 0 and "0 candidate(s) erased." in result.output
    result = runner.invoke(args=["retention", "--dry-run", "--today", late])
    assert result.exit_code == 0, result.output
    assert f"cases {full.case.reference}" in result.output
    assert "1 candidate(s) to erase (dry run: nothing changed)." in result.output
    assert session.get(Candidate, full.case.candidate_id).given_name == "Amina"

    result = runner.invoke(args=["retention", "--today", late])
    assert result.exit_code == 0, result.output
    assert "1 candidate(s) erased." in result.output
    assert "questionnaire" in result.output and "documents (1)" in result.output

    candidate = session.get(Candidate, full.case.candidate_id)
    assert candidate.erased_at is not None
    assert (candidate.given_name, candidate.family_name, candidate.birth_date,
            candidate.email, candidate.photo) == ("", "", "", "", None)
    for model in (Evidence, Questionnaire, CandidateLink, OutboxMessage):
        assert session.scalar(select(func.count()).select_from(model).where(
            model.case_id == full.case.id)) == 0, model
    assert session.get(Candidate, other.candidate_id).given_name == "Olena"  # open case: kept
    session.refresh(full.passport)
    assert "holder" not in full.passport.snapshot
    assert full.passport.snapshot["number"] == full.passport.number

    # The audit trail keeps the fact, not the data.
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "candidate.erased"))
    assert entry.reason == "personal data erased under the retention rule"
    assert entry.case_id == full.case.id and entry.after["months"] == 12
    trail = json.dumps([[e.before, e.after, e.reason] for e in session.scalars(
        select(AuditEntry).where(AuditEntry.case_id == full.case.id))], ensure_ascii=False)
    for personal in ("Amina", "Haddad", "amina@example.org", "1991", "أمينة"):
        assert personal not in trail, personal

    # The public page still answers for the number, without the holder.
    page = app.test_client().get(f"/verify/{full.passport.public_id}").get_data(as_text=True)
    assert full.passport.number in page
    assert "erased after the retention period" in page
    assert "Amina" not in page and "Haddad" not in page
    verifier = app.test_client()
    upload = post(verifier, f"/verify/{full.passport.public_id}",
                  {"document": (io.BytesIO(issued_pdf), "passport.pdf")},
                  content_type="multipart/form-data")
    assert upload.status_code == 200
    assert "exactly the passport that was issued" in upload.get_data(as_text=True)

    # Staff pages still open, and say what happened.
    page = coordinator.get(f"/cases/{full.case.id}").get_data(as_text=True)
    assert "personal data was erased" in page and "Amina" not in page
    assert "erased under the scheme&#39;s retention rule." in page  # the history says so
    assert coordinator.get("/").status_code == 200
    assert coordinator.get(f"/passports/{full.passport.id}.pdf").status_code == 410
    # Nobody to write to, and no personal data to add back: no link, no new details.
    assert "Send a new link" not in page and "Edit the candidate" not in page
    mails = session.scalar(select(func.count()).select_from(OutboxMessage))
    refused = post_form(coordinator, f"/cases/{full.case.id}/link/reissue", {},
                        form_page=f"/cases/{full.case.id}")
    assert refused.status_code in (302, 303)
    page = coordinator.get(f"/cases/{full.case.id}").get_data(as_text=True)
    assert "the case is kept only as a record" in page
    edit = post_form(coordinator, f"/cases/{full.case.id}/candidate",
                     {"email": "amina@example.org", "preferred_language": "ar"},
                     form_page=f"/cases/{full.case.id}/candidate")
    assert "the case is kept only as a record" in edit.get_data(as_text=True)
    session.expire_all()
    assert session.get(Candidate, full.case.candidate_id).email in ("", None)
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == mails
    # Nothing left to erase the next time.
    again = runner.invoke(args=["retention", "--today", late])
    assert "0 candidate(s) erased." in again.output


def test_closed_case_without_passport_is_erased_after_its_period(app, world, runner):
    from passport.cases import services as cases

    case = world.new_case(given_name="Samir")
    cases.screen(world.coordinator, case, eligible=False, reason="Not a refugee.")
    world.eqpr.retention_months = 6
    session.commit()
    closed = case.updated_at.date()
    today = add_months(closed, 6)
    assert "0 candidate(s)" in runner.invoke(
        args=["retention", "--today", today.isoformat()]).output
    later = date.fromordinal(today.toordinal() + 1).isoformat()
    assert "1 candidate(s) erased." in runner.invoke(args=["retention", "--today", later]).output
    session.refresh(case)
    assert case.closed_reason == ""
    assert session.get(Candidate, case.candidate_id).given_name == ""
