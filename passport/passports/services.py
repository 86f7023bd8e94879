"""Issuing passports: the frozen snapshot, the number, the PDF and its fingerprint."""

from __future__ import annotations

import hashlib
import io
import secrets
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from multiprocessing import get_context
from typing import Any

from babel.languages import get_official_languages
from flask import current_app
from sqlalchemy import select

from passport import audit
from passport.auth.models import User
from passport.cases.models import Candidate, Case
from passport.db import session, utcnow
from passport.interviews.models import Assessment
from passport.passports import pdf, signing
from passport.passports.models import Passport, PassportFile, PassportStatus
from passport.passports.numbering import format_number, next_serial
from passport.passports.pdf_texts import PDF_LANGUAGES


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def verification_url(public_id: str) -> str:
    return f"{current_app.config['BASE_URL']}/verify/{public_id}"


def second_language(candidate: Candidate) -> str:
    """The language printed beside English: the holder's preferred language when the passport
    can be printed in it, else the host country's, else none (English only)."""
    preferred = (candidate.preferred_language or "").split("_")[0].lower()
    if preferred in PDF_LANGUAGES and preferred != "en":
        return preferred
    for code in get_official_languages(candidate.host_country or "", de_facto=True):
        if code in PDF_LANGUAGES and code != "en":
            return code
    return "en"


def build_snapshot(case: Case, assessment: Assessment, approver: User) -> dict[str, Any]:
    """What the passport says, frozen. Parts the interview form does not record yet are left
    out (None): the document then says "not assessed" for them, never leaves a blank.

    Keys the renderer understands beyond these (each optional):
    - highest_qualification: years_from, years_to, nominal_duration_years, instruction_language
    - other_qualifications: [{title, awarding_body, ects, level, assessment_type, date,
      learning_outcomes}]
    - work_experience: [{employer, position, country, from, to, tasks}]
    - languages: [{code, listening, reading, writing, spoken_production, spoken_interaction
      (each "A1".."C2", "below_a1" or "not_assessed"), basis (interview, certificate,
      self_declared)}]
    - documents: [{title, issuer, date, seen ("original" or "copy")}]
    - way_ahead: text (UQP's part C)
    An empty list means "none"; a missing key means "not assessed".
    """
    candidate = case.candidate
    return {
        "scheme": {
            "code": case.scheme.code,
            "name": case.scheme.name,
            "issuing_body": case.scheme.issuing_body,
        },
        "other_qualifications": None,
        "work_experience": None,
        "languages": None,
        "documents": None,
        "holder": {
            "given_name": candidate.given_name,
            "family_name": candidate.family_name,
            "native_name": candidate.native_name,
            "birth_date": candidate.birth_date,
            "nationality": candidate.nationality,
        },
        "highest_qualification": {
            "level": assessment.level,
            "title": assessment.qualification_title,
            "field": assessment.field_of_study,
            "institution": assessment.institution,
            "country": case.qualification_country,
            "completed": assessment.completed,
            "years_completed": assessment.years_completed,
        },
        "summary": assessment.summary,
        "evaluators": [
            {"name": u.name, "centre": u.centre.name if u.centre else "",
             "country": u.centre.country if u.centre else ""}
            for u in case.evaluators
        ],
        "approved_by": approver.name,
    }


def issue(case: Case, assessment: Assessment, approver: User,
          language: str | None = None) -> Passport:
    """Create, sign and render the passport for an approved assessment. `language` is the
    second language of the document (default: see `second_language`). The caller commits."""
    today = utcnow().date()
    number = format_number(case.scheme.code, today.year, next_serial(case.scheme_id, today.year))
    public_id = secrets.token_urlsafe(18)
    snapshot = build_snapshot(case, assessment, approver)
    snapshot.update(
        number=number,
        issued_on=today.isoformat(),
        valid_until=add_years(today, case.scheme.validity_years).isoformat(),
        verify_url=verification_url(public_id),
    )
    passport = Passport(
        number=number,
        public_id=public_id,
        case_id=case.id,
        scheme_id=case.scheme_id,
        issued_on=today,
        valid_until=date.fromisoformat(snapshot["valid_until"]),
        snapshot=snapshot,
        approved_by_id=approver.id,
        status=PassportStatus.VALID,
        second_language=language if language in PDF_LANGUAGES else second_language(
            case.candidate),
    )
    session.add(passport)
    session.flush()
    seal(passport)
    audit.record(approver, "passport.issued", passport, case_id=case.id,
                 after={"number": number, "valid_until": snapshot["valid_until"],
                        "language": passport.second_language,
                        "key_id": passport.signing_key_id})
    return passport


def seal(passport: Passport) -> None:
    """Sign the passport's data and record the PDF made from it (the one that verifies). The
    passport must have its id (flushed); the caller commits."""
    passport.signing_key_id, passport.signature = signing.sign(passport.snapshot)
    record_file(passport, render_pdf(passport))


def render_job(passport: Passport, language: str | None = None
               ) -> tuple[dict[str, Any], str, dict[str, str] | None]:
    """What rendering the passport needs, as plain values (a worker process can take them)."""
    return (
        passport.snapshot,
        language or passport.second_language,
        {"key_id": passport.signing_key_id, "value": passport.signature}
        if passport.signature else None,
    )


def render_pdf(passport: Passport, language: str | None = None) -> bytes:
    """The document as issued (deterministic, so it matches the stored hash), or the same
    passport with another second language."""
    return pdf.render_job(render_job(passport, language))


@contextmanager
def batch_renderer(processes: int) -> Iterator[Callable[[list[Passport]], list[bytes]]]:
    """A function rendering many passports as issued, on `processes` cores. Rendering is pure
    CPU work on plain values, so worker processes (spawned: they share no database connection)
    do it while this process keeps all database work."""
    if processes <= 1:
        yield lambda passports: [render_pdf(p) for p in passports]
        return
    with ProcessPoolExecutor(processes, mp_context=get_context("spawn")) as pool:
        yield lambda passports: list(pool.map(pdf.render_job, [render_job(p) for p in passports]))


def record_file(passport: Passport, data: bytes) -> str:
    """Remember a PDF produced for the passport, so that uploading it verifies. Returns its
    SHA-256; the newest becomes the passport's `pdf_sha256`. The caller commits."""
    digest = hashlib.sha256(data).hexdigest()
    passport.pdf_sha256 = digest
    known = session.scalar(select(PassportFile.id).where(PassportFile.sha256 == digest))
    if known is None:
        session.add(PassportFile(passport_id=passport.id, sha256=digest,
                                 language=passport.second_language))
    session.flush()
    return digest


def passports_of_case(case: Case) -> list[Passport]:
    return list(
        session.scalars(select(Passport).where(Passport.case_id == case.id).order_by(Passport.id))
    )


def find_by_public_id(public_id: str) -> Passport | None:
    if not public_id or len(public_id) > 40:
        return None
    return session.scalar(select(Passport).where(Passport.public_id == public_id))


def successor_of(passport: Passport) -> Passport | None:
    return session.scalar(select(Passport).where(Passport.supersedes_id == passport.id))


# --- Checking an uploaded PDF ----------------------------------------------------------------

MAX_UPLOAD = 10 * 1024 * 1024


@dataclass
class UploadCheck:
    """What an uploaded file turned out to be.

    verdict: "genuine" (exactly a file this system issued), "altered" (carries a genuine
    signature but is not a file this system produced: edited, re-saved or printed to PDF),
    "forged" (names a passport but its signature is not the one issued), "unknown" (nothing
    ties it to a passport of this system), "not_pdf".
    """

    verdict: str
    passport: Passport | None = None


def _pdf_info(data: bytes) -> dict[str, str] | None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not data.startswith(b"%PDF-"):
        return None
    try:
        info = PdfReader(io.BytesIO(data)).metadata or {}
        return {k.lstrip("/"): str(v) for k, v in info.items() if k.startswith("/QP")}
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        return {}


def check_upload(data: bytes, expected: Passport | None = None) -> UploadCheck:
    """Compare an uploaded PDF with what was issued: its SHA-256 first, then the passport
    and signature it carries. With `expected`, a file of another passport does not count."""
    digest = hashlib.sha256(data).hexdigest()
    match = session.scalar(
        select(Passport).join(PassportFile, PassportFile.passport_id == Passport.id)
        .where(PassportFile.sha256 == digest)
    )
    if match is not None and (expected is None or match.id == expected.id):
        return UploadCheck("genuine", match)
    info = _pdf_info(data)
    if info is None:
        return UploadCheck("not_pdf")
    passport = find_by_public_id(info.get("QPPublicId", ""))
    if passport is None or (expected is not None and passport.id != expected.id):
        return UploadCheck("unknown")
    if (
        info.get("QPKeyId") == passport.signing_key_id
        and info.get("QPSignature") == passport.signature
        and signing.verify(passport.snapshot, passport.signing_key_id, passport.signature)
    ):
        return UploadCheck("altered", passport)
    return UploadCheck("forged", passport)
