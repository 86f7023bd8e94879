"""Issuing passports: the frozen snapshot, the number, the PDF and its fingerprint."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import select

from passport import audit
from passport.auth.models import User
from passport.cases.models import Case
from passport.db import session, utcnow
from passport.interviews.models import Assessment
from passport.passports import pdf
from passport.passports.models import Passport, PassportStatus
from passport.passports.numbering import format_number, next_serial


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def verification_url(public_id: str) -> str:
    return f"{current_app.config['BASE_URL']}/verify/{public_id}"


def build_snapshot(case: Case, assessment: Assessment, approver: User) -> dict[str, Any]:
    candidate = case.candidate
    return {
        "scheme": {
            "code": case.scheme.code,
            "name": case.scheme.name,
            "issuing_body": case.scheme.issuing_body,
        },
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


def issue(case: Case, assessment: Assessment, approver: User) -> Passport:
    """Create the passport for an approved assessment. The caller commits."""
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
    )
    passport.pdf_sha256 = hashlib.sha256(pdf.render(snapshot)).hexdigest()
    session.add(passport)
    session.flush()
    audit.record(approver, "passport.issued", passport, case_id=case.id,
                 after={"number": number, "valid_until": snapshot["valid_until"]})
    return passport


def render_pdf(passport: Passport) -> bytes:
    """The document as issued: rendering is deterministic, so it matches the stored hash."""
    return pdf.render(passport.snapshot)


def passports_of_case(case: Case) -> list[Passport]:
    return list(
        session.scalars(select(Passport).where(Passport.case_id == case.id).order_by(Passport.id))
    )


def find_by_public_id(public_id: str) -> Passport | None:
    if not public_id or len(public_id) > 40:
        return None
    return session.scalar(select(Passport).where(Passport.public_id == public_id))
