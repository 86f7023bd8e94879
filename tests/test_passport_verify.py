"""Issuing signs the passport; the public pages verify it, uploads included; keys rotate."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from pypdf import PdfReader, PdfWriter

from passport import create_app
from passport.cases import services as cases
from passport.config import ConfigError
from passport.db import session
from passport.interviews.services import AssessmentData, save_assessment
from passport.passports import services, signing
from passport.passports.models import Passport, PassportFile, SigningKey
from passport.review import services as review
from tests.conftest import hold_interview


def issue(world, **candidate):
    case = world.new_case(**candidate)
    cases.screen(world.coordinator, case, eligible=True)
    cases.assign_evaluators(world.coordinator, case, world.ev1, world.ev2)
    hold_interview(case)
    save_assessment(world.ev1, case, AssessmentData(
        level="bachelor", qualification_title="Bachelor of Civil Engineering",
        field_of_study="Civil engineering", institution="University of Damascus",
        completed=True, years_completed=4, summary="Consistent and complete."), submit=True)
    return review.approve(world.coordinator, case, "ok")


def upload(client, path, data: bytes, name="passport.pdf"):
    from tests.conftest import csrf_token

    token = csrf_token(client, path)
    return client.post(path, data={"csrf_token": token, "document": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_issue_signs_renders_and_remembers_the_file(world):
    passport = issue(world)
    assert passport.second_language == "nb"  # host country Norway; preferred language English
    assert signing.verify(passport.snapshot, passport.signing_key_id, passport.signature)
    data = services.render_pdf(passport)
    assert hashlib.sha256(data).hexdigest() == passport.pdf_sha256
    assert session.query(PassportFile).filter_by(sha256=passport.pdf_sha256).count() == 1
    # Any change to the content breaks the signature.
    changed = dict(passport.snapshot, summary="Doctorate in physics.")
    assert not signing.verify(changed, passport.signing_key_id, passport.signature)
    assert not signing.verify(passport.snapshot, passport.signing_key_id, "A" * 86)


def test_second_language_prefers_the_holder_then_the_host_country(world):
    from passport.cases.models import Candidate

    assert services.second_language(Candidate(preferred_language="ti", host_country="NO")) == "ti"
    assert services.second_language(Candidate(preferred_language="en", host_country="FR")) == "fr"
    assert services.second_language(Candidate(preferred_language="de", host_country="UA")) == "uk"
    assert services.second_language(Candidate(preferred_language="en", host_country="ZM")) == "en"


def test_key_rotation_keeps_old_passports_verifiable(world, app):
    first = issue(world)
    old_key = first.signing_key_id
    key_file = app.config["SIGNING_KEY_DIR"] / f"{old_key}.pem"
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    new = signing.generate_key()
    second = issue(world, given_name="Yonas", family_name="Tesfay", native_name="ዮናስ ተስፋይ")
    assert second.signing_key_id == new.key_id != old_key
    assert signing.verify(first.snapshot, first.signing_key_id, first.signature)
    assert signing.verify(second.snapshot, second.signing_key_id, second.signature)
    assert session.query(SigningKey).filter_by(key_id=old_key).one().retired_at is not None
    # Even with the old private key gone, the old passport still verifies (public key kept).
    key_file.unlink()
    assert signing.verify(first.snapshot, first.signing_key_id, first.signature)


def test_public_page_shows_status_and_only_the_minimum(client, world):
    passport = issue(world)
    page = client.get(f"/verify/{passport.public_id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for shown in ("Valid", passport.number, "Amina Haddad", "1991", "Council of Europe",
                  "European Qualifications Passport for Refugees", passport.signing_key_id):
        assert shown in text
    for hidden in ("أمينة", "1991-03", "Syria", "Damascus", "Civil engineering",
                   "Ingrid", passport.signature):
        assert hidden not in text, hidden


def test_superseded_revoked_and_expired_are_shown(client, world):
    from datetime import date

    old = issue(world)
    new = issue(world, given_name="Amina", family_name="Haddad")
    old.status = "superseded"
    new.supersedes_id = old.id
    session.commit()
    text = client.get(f"/verify/{old.public_id}").get_data(as_text=True)
    assert "Superseded by a newer passport" in text and new.number in text
    assert f"/verify/{new.public_id}" in text
    new.status = "revoked"
    session.commit()
    assert "Revoked" in client.get(f"/verify/{new.public_id}").get_data(as_text=True)
    new.status = "valid"
    new.valid_until = date(2020, 1, 1)
    session.commit()
    assert "Expired" in client.get(f"/verify/{new.public_id}").get_data(as_text=True)


def test_unknown_identifiers_all_get_the_same_not_found(client, world):
    issue(world)
    bodies = set()
    for public_id in ("x", "A" * 24, "A" * 300, "1%20OR%201=1", "%3Cscript%3E"):
        response = client.get(f"/verify/{public_id}")
        assert response.status_code == 404
        bodies.add(re.sub(r'value="[^"]+"', "", response.get_data(as_text=True)))
    assert len(bodies) == 1
    assert "No passport was found for this address" in bodies.pop()


def test_uploading_the_issued_file_verifies_and_a_tampered_one_fails(client, world):
    passport = issue(world)
    data = services.render_pdf(passport)
    path = f"/verify/{passport.public_id}"
    assert "exactly the passport that was issued" in upload(client, path, data).get_data(
        as_text=True)

    # Tampered: the file is changed (here re-saved with another title) but keeps its metadata.
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.add_metadata({"/Title": "Doctorate in medicine"})
    tampered = io.BytesIO()
    writer.write(tampered)
    text = upload(client, path, tampered.getvalue()).get_data(as_text=True)
    assert "not the document that was issued" in text and "This file is exactly" not in text

    # Forged: a made-up signature.
    writer.add_metadata({"/QPSignature": "B" * 86})
    forged = io.BytesIO()
    writer.write(forged)
    text = upload(client, path, forged.getvalue()).get_data(as_text=True)
    assert "its signature does not match" in text

    # A file of another passport does not verify this one.
    other = issue(world, given_name="Olena", family_name="Kovalenko")
    text = upload(client, path, services.render_pdf(other)).get_data(as_text=True)
    assert "This file is exactly" not in text


def test_general_page_recognises_a_file_and_refuses_bad_input(client, world):
    passport = issue(world)
    text = upload(client, "/verify", services.render_pdf(passport)).get_data(as_text=True)
    assert "exactly the passport that was issued" in text and passport.number in text
    text = upload(client, "/verify", b"%PDF-1.4 nothing").get_data(as_text=True)
    assert "not a passport issued by this system" in text
    response = upload(client, "/verify", b"hello", name="notes.txt")
    assert response.status_code == 200
    assert "This file is not a PDF" in response.get_data(as_text=True)
    from tests.conftest import post_form

    response = post_form(client, "/verify", {})
    assert "Choose the PDF file of the passport to check." in response.get_data(as_text=True)
    assert "/verify/keys" and signing.public_key_pem(signing.active_key()) in client.get(
        "/verify/keys").get_data(as_text=True)


def test_a_re_rendered_file_and_the_issued_file_both_verify(client, world, runner):
    passport = issue(world)
    issued = services.render_pdf(passport)
    session.query(Passport).filter_by(id=passport.id).update({"second_language": "ar"})
    session.commit()
    result = runner.invoke(args=["rerender-passports", "--scheme", "EQPR"])
    assert result.exit_code == 0, result.output
    assert "Rendered 1 passports" in result.output and "1 files differ" in result.output
    session.expire_all()
    rerendered = services.render_pdf(session.get(Passport, passport.id))
    for data in (issued, rerendered):
        text = upload(client, "/verify", data).get_data(as_text=True)
        assert "exactly the passport that was issued" in text


def test_rerendering_on_several_processes_gives_the_same_files(client, world, runner, tmp_path):
    """Both cores render (worker processes); the files are those one process makes, and each
    passport's new file verifies."""
    passports = [issue(world, given_name=name) for name in ("Amina", "Dawit", "Olena")]
    for passport in passports:
        passport.second_language = "ar"
    session.commit()
    result = runner.invoke(args=["rerender-passports", "--jobs", "2", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Rendered 3 passports" in result.output and "2 processes" in result.output
    session.expire_all()
    for passport in passports:
        fresh = session.get(Passport, passport.id)
        written = (tmp_path / f"passport-{fresh.number}.pdf").read_bytes()
        assert written == services.render_pdf(fresh)
        assert hashlib.sha256(written).hexdigest() == fresh.pdf_sha256
        assert "exactly the passport that was issued" in upload(
            client, "/verify", written).get_data(as_text=True)


def test_render_command_writes_the_pdf(world, runner, tmp_path):
    passport = issue(world)
    out = tmp_path / "p.pdf"
    result = runner.invoke(args=["render-passport", passport.number, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert hashlib.sha256(out.read_bytes()).hexdigest() == passport.pdf_sha256
    result = runner.invoke(args=["render-passport", passport.number, "--lang", "ar",
                                 "--out", str(out)])
    assert result.exit_code == 0 and "another language" in result.output
    assert "جواز المؤهلات" in PdfReader(str(out)).metadata.title
    result = runner.invoke(args=["render-passport", "EQPR-2026-99999-X", "--out", str(out)])
    assert result.exit_code != 0 and "No passport has the number" in result.output
    result = runner.invoke(args=["signing-key", "generate"])
    assert result.exit_code == 0 and "New signing key" in result.output
    assert "active" in runner.invoke(args=["signing-key", "list"]).output


def test_public_verification_is_rate_limited(database_url, tmp_path):
    app = create_app({"ENVIRON": {
        "PASSPORT_DATABASE_URL": database_url,
        "PASSPORT_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "PASSPORT_SIGNING_KEY_DIR": str(tmp_path / "keys"),
        "PASSPORT_VERIFY_RATE_LIMIT": "3 per minute",
    }, "TESTING": True})
    client = app.test_client()
    codes = [client.get("/verify/unknown-id").status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]
    assert client.get("/login").status_code == 200  # other pages are not limited by it
    app.extensions["passport.engine"].dispose()


def test_bad_rate_limit_setting_stops_start_up(tmp_path):
    with pytest.raises(ConfigError, match="VERIFY_RATE_LIMIT"):
        create_app({"ENVIRON": {"PASSPORT_DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
                                "PASSPORT_SECRET_KEY": "x" * 40,
                                "PASSPORT_VERIFY_RATE_LIMIT": "lots"}})
