"""Personal data: what the system holds about a candidate (export for access requests) and
erasing it when the scheme's retention period has run out.

Export: one ZIP with `candidate.json` (every record about the candidate and their cases) and
their files (documents, photo). The export is an access to the case: it is logged in the access
log and the audit trail.

Retention: a scheme sets how many months after the passport expires (or the case closes
without a passport) the candidate's personal data is kept. `erase_due()` then erases it: the
candidate record is emptied, the questionnaire, documents, links and messages deleted, the
assessment's free texts emptied and the passport snapshot reduced to what the public
verification page still needs (number, scheme, dates, status: no holder). The audit trail keeps
the fact ("personal data erased under the retention rule") and counts, never the data; its own
entries hold identifiers and statuses only (see passport/audit.py).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, inspect, select

from passport import audit
from passport.audit import AuditEntry, CaseAccess
from passport.auth.models import User
from passport.cases.models import Candidate, Case
from passport.cases.workflow import CaseStatus
from passport.db import session, utcnow
from passport.errors import RuleViolation
from passport.intake.models import (
    CONTENT_TYPE_EXTENSIONS,
    CandidateLink,
    Consent,
    Evidence,
    Questionnaire,
)
from passport.interviews.models import Assessment, EvaluatorConclusion, Interview
from passport.mail.models import OutboxAttachment, OutboxMessage
from passport.passports.models import Passport
from passport.review.models import ReviewDecision

ERASED_REASON = "personal data erased under the retention rule"
CLOSED_STATUSES = {CaseStatus.INELIGIBLE, CaseStatus.CLOSED}


# --- export -----------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(obj: Any, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """The columns of a row as JSON values (binary columns are files in the ZIP, not here)."""
    out = {}
    for column in inspect(obj).mapper.column_attrs:
        name = column.key
        if name in leave_out:
            continue
        value = getattr(obj, name)
        if isinstance(value, bytes | bytearray | memoryview):
            continue
        out[name] = _plain(value)
    return out


def cases_of(candidate: Candidate) -> list[Case]:
    return list(session.scalars(
        select(Case).where(Case.candidate_id == candidate.id).order_by(Case.id)))


def candidate_document(candidate: Candidate) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Everything held about the candidate, as a JSON-ready document, and their files."""
    files: dict[str, bytes] = {}
    record = _row(candidate, leave_out=("photo",))
    if candidate.photo_type and candidate.photo:
        name = f"files/photo.{CONTENT_TYPE_EXTENSIONS.get(candidate.photo_type, 'bin')}"
        files[name] = candidate.photo
        record["photo_file"] = name
    cases = []
    for case in cases_of(candidate):
        ids = [case.id]
        evidence = []
        for doc in session.scalars(select(Evidence).where(Evidence.case_id == case.id)
                                   .order_by(Evidence.id)):
            entry = _row(doc)
            if doc.deleted_at is None and doc.data:
                name = f"files/{doc.download_name}"
                files[name] = doc.data
                entry["file"] = name
            evidence.append(entry)
        assessments = list(session.scalars(
            select(Assessment).where(Assessment.case_id == case.id).order_by(Assessment.id)))
        conclusions = session.scalars(select(EvaluatorConclusion).where(
            EvaluatorConclusion.assessment_id.in_([a.id for a in assessments]))).all()
        questionnaire = session.scalar(
            select(Questionnaire).where(Questionnaire.case_id == case.id))

        def rows(model, order, case_ids=ids):  # noqa: ANN001, ANN202
            return [_row(r) for r in session.scalars(
                select(model).where(model.case_id.in_(case_ids)).order_by(order))]

        cases.append({
            "reference": case.reference,
            "case": _row(case),
            "scheme": {"code": case.scheme.code, "name": case.scheme.name},
            "staff_on_the_case": [
                {"name": a.user.name, "role": a.role, "assigned_at": _plain(a.assigned_at)}
                for a in case.assignments
            ],
            "personal_links": [
                _row(link, leave_out=("token_sha256", "code_hmac"))
                for link in session.scalars(select(CandidateLink).where(
                    CandidateLink.case_id == case.id).order_by(CandidateLink.id))
            ],
            "consents": rows(Consent, Consent.id),
            "questionnaire": _row(questionnaire) if questionnaire else None,
            "documents": evidence,
            "interviews": rows(Interview, Interview.id),
            "assessments": [_row(a) for a in assessments],
            "evaluator_conclusions": [_row(c) for c in conclusions],
            "decisions": rows(ReviewDecision, ReviewDecision.id),
            "passports": rows(Passport, Passport.id),
            "messages": [
                {**_row(m, leave_out=("secrets",)),
                 "attachments": [a.filename for a in m.attachments]}
                for m in session.scalars(select(OutboxMessage).where(
                    OutboxMessage.case_id == case.id).order_by(OutboxMessage.id))
            ],
            "history": [
                {**_row(e, leave_out=("actor_id",)),
                 "actor": e.actor.name if e.actor else None}
                for e in session.scalars(select(AuditEntry).where(
                    AuditEntry.case_id == case.id).order_by(AuditEntry.id))
            ],
            "opened_by": [
                {"at": _plain(a.at), "user": session.get(User, a.user_id).name, "what": a.what}
                for a in session.scalars(select(CaseAccess).where(
                    CaseAccess.case_id == case.id).order_by(CaseAccess.id))
            ],
        })
    return {"candidate": record, "cases": cases}, files


README = """What the Qualifications Passport system holds about one person, exported {at}.

candidate.json  every record: the candidate, their cases, questionnaire answers, consents,
                documents (the files are in files/), interviews, assessments, decisions,
                passports, messages sent to them, the history of each case and who opened it.
files/          the documents they sent and their photo, as stored.
"""


def export_candidate(actor: User | None, case: Case, now: datetime | None = None) -> bytes:
    """The ZIP for an access request about the candidate of `case`; the export is logged."""
    candidate = case.candidate
    now = now or utcnow()
    document, files = candidate_document(candidate)
    document["exported_at"] = now.isoformat()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(at=now.isoformat()))
        archive.writestr("candidate.json",
                         json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True))
        for name, data in files.items():
            archive.writestr(name, data)
    for other in cases_of(candidate):
        if actor is not None:
            audit.log_access(actor, other.id, "candidate.export")
        audit.record(actor, "candidate.exported", candidate, case_id=other.id,
                     after={"files": len(files)})
    session.commit()
    return buffer.getvalue()


# --- retention --------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def period_start(case: Case) -> date | None:
    """When the retention period of a case starts: its passports' end (expiry, or revocation),
    or the day it closed without one; None while the case is still open."""
    passports = session.scalars(select(Passport).where(Passport.case_id == case.id)).all()
    if passports:
        return max(p.revoked_at.date() if p.revoked_at else p.valid_until for p in passports)
    if case.status in CLOSED_STATUSES:
        return case.updated_at.date()
    return None


@dataclass
class Due:
    candidate: Candidate
    cases: list[Case]
    months: int
    erase_after: date  # the last day the data was to be kept
    erased: dict[str, int] = field(default_factory=dict)

    @property
    def references(self) -> str:
        return ", ".join(c.reference for c in self.cases)


def due(today: date) -> list[Due]:
    """Candidates whose every case is past its scheme's retention period on `today`."""
    found = []
    for candidate in session.scalars(
        select(Candidate).where(Candidate.erased_at.is_(None)).order_by(Candidate.id)
    ):
        cases = cases_of(candidate)
        ends = []
        for case in cases:
            start = period_start(case)
            months = case.scheme.retention_months
            if start is None or months is None:
                break
            ends.append((add_months(start, months), months))
        else:
            if ends and all(end < today for end, _m in ends):
                end, months = max(ends)
                found.append(Due(candidate, cases, months, end))
    return found


def _erase(item: Due, now: datetime) -> dict[str, int]:
    candidate = item.candidate
    ids = [c.id for c in item.cases]
    counts: dict[str, int] = {}

    def gone(name: str, result: Any) -> None:
        if result.rowcount:
            counts[name] = counts.get(name, 0) + result.rowcount

    documents = session.scalars(select(Evidence).where(Evidence.case_id.in_(ids))).all()
    counts["document_bytes"] = sum(d.size for d in documents if d.deleted_at is None)
    gone("documents", session.execute(delete(Evidence).where(Evidence.case_id.in_(ids))))
    gone("questionnaires", session.execute(
        delete(Questionnaire).where(Questionnaire.case_id.in_(ids))))
    gone("personal_links", session.execute(
        delete(CandidateLink).where(CandidateLink.case_id.in_(ids))))
    messages = select(OutboxMessage.id).where(OutboxMessage.case_id.in_(ids))
    session.execute(delete(OutboxAttachment).where(OutboxAttachment.message_id.in_(messages)))
    gone("messages", session.execute(delete(OutboxMessage).where(OutboxMessage.case_id.in_(ids))))
    for interview in session.scalars(select(Interview).where(Interview.case_id.in_(ids))):
        interview.video_link = interview.interpreter = interview.accommodations = ""
    for assessment in session.scalars(select(Assessment).where(Assessment.case_id.in_(ids))):
        assessment.qualification_title = assessment.field_of_study = ""
        assessment.institution = assessment.summary = ""
        for conclusion in session.scalars(select(EvaluatorConclusion).where(
                EvaluatorConclusion.assessment_id == assessment.id)):
            conclusion.conclusion = ""
    for decision in session.scalars(select(ReviewDecision).where(ReviewDecision.case_id.in_(ids))):
        decision.comment = ""
    for passport in session.scalars(select(Passport).where(Passport.case_id.in_(ids))):
        snapshot = passport.snapshot or {}
        passport.snapshot = {
            "erased": "retention",
            "scheme": snapshot.get("scheme"),
            "number": passport.number,
            "issued_on": passport.issued_on.isoformat(),
            "valid_until": passport.valid_until.isoformat(),
        }
        counts["passport_snapshots"] = counts.get("passport_snapshots", 0) + 1
    for case in item.cases:
        case.closed_reason = ""
    for name in ("given_name", "family_name", "native_name", "birth_date", "email", "phone",
                 "nationality", "country_of_origin", "host_country", "protection_status",
                 "preferred_languages", "timezone", "photo_type"):
        setattr(candidate, name, "")
    candidate.photo = None
    candidate.erased_at = now
    counts["candidate_record"] = 1
    for case in item.cases:
        audit.record(None, "candidate.erased", candidate, case_id=case.id,
                     after={"rule": "retention", "months": item.months,
                            "kept_until": item.erase_after.isoformat(), "erased": counts},
                     reason=ERASED_REASON)
    return counts


def erase_due(today: date, *, dry_run: bool = False, now: datetime | None = None) -> list[Due]:
    """Erase the personal data of every candidate whose retention period ended before `today`;
    one transaction per candidate. With dry_run nothing changes."""
    found = due(today)
    for item in found:
        if dry_run:
            continue
        item.erased = _erase(item, now or utcnow())
        session.commit()
    return found


def set_retention(actor: User, scheme: Any, months: int | None) -> None:
    if months is not None and not 1 <= months <= 600:
        raise RuleViolation(_l("Give a number of months from 1 to 600, or leave it empty."))
    before = scheme.retention_months
    if before == months:
        return
    scheme.retention_months = months
    audit.record(actor, "scheme.retention_set", scheme,
                 before={"retention_months": before}, after={"retention_months": months})
    session.commit()
