"""Intake: personal links and their verification, consent, the questionnaire and evidence.

Each function is one transaction. Staff functions take the acting user; candidate functions take
the case of the verified link (the candidate has no account: their audit entries have no actor
and say "the candidate"). Times come in as `now` so that tests can use fixed dates.

About the personal link: the token is 32 random bytes (43 characters); only its SHA-256 is
stored. It travels in the invitation message, which is kept in the outbox (see passport.mail for
when the stored copy is redacted), and in the first request the candidate makes; the portal then
keeps the candidate in the session and never puts the token in another URL or a log line.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from passport import audit, mail
from passport.auth.models import User
from passport.cases import workflow
from passport.cases.models import Candidate, Case, ProtectionStatus
from passport.cases.services import _require_coordinator_of
from passport.db import session, utcnow
from passport.errors import InvalidTransition, PermissionRefused, RuleViolation, ServiceError
from passport.i18n import CANDIDATE_LOCALES
from passport.intake import files
from passport.intake import questionnaire as qn
from passport.intake.consent import CONSENT_VERSION, has_consent, latest_consent
from passport.intake.models import CandidateLink, Consent, Evidence, EvidenceKind, Questionnaire
from passport.interviews.models import Interview, InterviewStatus
from passport.passports.models import Passport

S = workflow.CaseStatus
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")
MAX_FAILED_ATTEMPTS = 5
LOCK_MINUTES = 15
CODE_MINUTES = 15
CODE_RESEND_SECONDS = 60
# Documents can still come after the questionnaire (a relative finds a diploma), until the
# interview; removing one is only possible before the questionnaire is submitted.
UPLOAD_STATUSES = {
    S.QUESTIONNAIRE_SENT, S.SUBMITTED, S.SCREENING, S.ELIGIBLE, S.EVALUATORS_ASSIGNED,
    S.INTERVIEW_SCHEDULED,
}


class LinkNotUsable(ServiceError):
    """Expired, revoked or unknown: the candidate sees the same page for all three."""

    status_code = 404

    def __init__(self) -> None:
        super().__init__(_l("This link does not work."))


class LinkLocked(ServiceError):
    status_code = 429

    def __init__(self, until: datetime) -> None:
        super().__init__(_l("Too many wrong attempts. Try again later."))
        self.until = until


class FieldProblem(ServiceError):
    """Bad input that belongs next to one field of the form."""

    def __init__(self, field_name: str, message: Any) -> None:
        super().__init__(message)
        self.field = field_name


class QuestionnaireIncomplete(ServiceError):
    status_code = 422

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__(
            _l("Some answers are missing or need correcting. They are marked below.")
        )
        self.errors = errors


# --- tokens and messages -------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(token: str) -> str:
    return f"{current_app.config['BASE_URL']}/c/{token}"


def _code_hmac(link_id: int, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"candidate-code:{link_id}:{code}".encode(), hashlib.sha256).hexdigest()


def message_locale(candidate: Candidate) -> str:
    locale = candidate.preferred_language
    return locale if locale in CANDIDATE_LOCALES else "en"


def _send(case: Case, template: str, subject: Any, secret: str, **context: Any) -> None:
    """Render a message in the candidate's language and hand it to the outbox."""
    candidate = case.candidate
    to = candidate.email or candidate.phone
    with force_locale(message_locale(candidate)):
        body = current_app.jinja_env.get_template(template).render(
            name=candidate.given_name, scheme=case.scheme.name, **context
        )
        mail.send(to, str(subject), body, case_id=case.id, secrets=[secret])


def _require_not_erased(candidate: Candidate) -> None:
    """After the retention period the case stays only as a record: nobody to write to, and
    no personal data to be added back."""
    if candidate.erased_at is not None:
        raise RuleViolation(_l("The candidate's personal data was erased under the scheme's "
                               "retention rule: the case is kept only as a record."))


def _require_contact(candidate: Candidate) -> None:
    _require_not_erased(candidate)
    if not (candidate.email or candidate.phone):
        raise RuleViolation(
            _l("Add the candidate's email address or phone number first, to send the link to.")
        )


# --- personal links (staff) ----------------------------------------------------------------


def current_link(case_id: int) -> CandidateLink | None:
    """The newest link of the case, whatever its state."""
    return session.scalar(
        select(CandidateLink)
        .where(CandidateLink.case_id == case_id)
        .order_by(CandidateLink.id.desc())
        .limit(1)
    )


def _issue_link(actor: User, case: Case, now: datetime, action: str) -> CandidateLink:
    for old in session.scalars(
        select(CandidateLink).where(
            CandidateLink.case_id == case.id, CandidateLink.revoked_at.is_(None)
        )
    ):
        old.revoked_at = now
    token = secrets.token_urlsafe(32)
    link = CandidateLink(
        case_id=case.id,
        token_sha256=hash_token(token),
        issued_by_id=actor.id,
        issued_at=now,
        expires_at=now + timedelta(days=current_app.config["CANDIDATE_LINK_DAYS"]),
    )
    session.add(link)
    session.flush()
    audit.record(
        actor, action, link, case_id=case.id,
        after={"link": link.id, "expires": link.expires_at.date().isoformat()},
    )
    first = action == "candidate.invited"
    _send(
        case,
        "mail/candidate_invitation.txt" if first else "mail/candidate_new_link.txt",
        _l("Your qualifications passport: your personal page")
        if first
        else _l("Your qualifications passport: a new link to your personal page"),
        token,
        url=link_url(token),
        expires=link.expires_at.date(),
    )
    return link


def invite(actor: User, case: Case, now: datetime | None = None) -> CandidateLink:
    """Send the questionnaire: the case moves on and the candidate receives their link."""
    _require_coordinator_of(actor, case.scheme)
    _require_contact(case.candidate)
    workflow.apply(case, "send_questionnaire", actor)
    link = _issue_link(actor, case, now or utcnow(), "candidate.invited")
    session.commit()
    return link


def reissue_link(actor: User, case: Case, now: datetime | None = None) -> CandidateLink:
    """A new link (the old one stops working), e.g. when it expired or was lost."""
    _require_coordinator_of(actor, case.scheme)
    if case.status == S.DRAFT:
        raise InvalidTransition(_l("Send the questionnaire invitation first."))
    _require_contact(case.candidate)
    link = _issue_link(actor, case, now or utcnow(), "candidate.link_reissued")
    session.commit()
    return link


def revoke_link(actor: User, case: Case, now: datetime | None = None) -> None:
    _require_coordinator_of(actor, case.scheme)
    now = now or utcnow()
    link = current_link(case.id)
    if link is None or not link.usable(now):
        raise RuleViolation(_l("The candidate has no working link."))
    link.revoked_at = now
    audit.record(actor, "candidate.link_revoked", link, case_id=case.id, after={"link": link.id})
    session.commit()


# --- personal links (candidate) ------------------------------------------------------------


def find_link(token: str) -> CandidateLink | None:
    """The link a token belongs to, whatever its state; None for a made-up token."""
    if not TOKEN_SHAPE.match(token or ""):
        return None
    return session.scalar(
        select(CandidateLink).where(CandidateLink.token_sha256 == hash_token(token))
    )


def _require_open(link: CandidateLink, now: datetime) -> None:
    if not link.usable(now):
        raise LinkNotUsable()
    if link.locked(now):
        raise LinkLocked(link.locked_until)


def send_code(link: CandidateLink, now: datetime | None = None) -> None:
    """Send a one-time code to the candidate's email address."""
    now = now or utcnow()
    _require_open(link, now)
    case = session.get(Case, link.case_id)
    if not case.candidate.email:
        raise RuleViolation(
            _l("We have no email address for you. Use your date of birth instead.")
        )
    if link.code_sent_at and now - link.code_sent_at < timedelta(seconds=CODE_RESEND_SECONDS):
        raise RuleViolation(_l("A code was sent a moment ago. Wait a minute before asking again."))
    code = f"{secrets.randbelow(10**6):06d}"
    link.code_hmac = _code_hmac(link.id, code)
    link.code_sent_at = now
    link.code_expires_at = now + timedelta(minutes=CODE_MINUTES)
    _send(case, "mail/candidate_code.txt", _l("Your code: %(code)s", code=code), code,
          code=code, minutes=CODE_MINUTES)
    session.commit()


def birth_date_matches(recorded: str, year: int, month: int | None, day: int | None) -> bool:
    """The given date agrees with the record at the record's precision ("1991-03" needs the
    year and the month; a day given on top is not compared)."""
    given = (year, month, day)
    parts = [int(p) for p in recorded.split("-")]
    return all(given[i] == part for i, part in enumerate(parts))


def verify(
    link: CandidateLink,
    *,
    code: str | None = None,
    birth: tuple[int, int | None, int | None] | None = None,
    now: datetime | None = None,
) -> bool:
    """Check a one-time code or a date of birth. Several wrong answers lock the link for a
    while (longer each time). A locked link refuses even the right answer."""
    now = now or utcnow()
    _require_open(link, now)
    if code is not None:
        ok = bool(
            link.code_hmac
            and link.code_expires_at is not None
            and now < link.code_expires_at
            and hmac.compare_digest(link.code_hmac, _code_hmac(link.id, code.strip()))
        )
        method = "code"
    else:
        assert birth is not None
        ok = birth_date_matches(session.get(Case, link.case_id).candidate.birth_date, *birth)
        method = "birth_date"
    if ok:
        link.failed_attempts = 0
        link.locked_until = None
        link.code_hmac = ""
        link.code_expires_at = None
        link.last_verified_at = now
        audit.record(None, "candidate.verified", link, case_id=link.case_id,
                     after={"link": link.id, "method": method})
    else:
        # Counted in the database, so that parallel guesses cannot slip past the limit.
        session.execute(
            update(CandidateLink)
            .where(CandidateLink.id == link.id)
            .values(failed_attempts=CandidateLink.failed_attempts + 1)
        )
        session.refresh(link, ["failed_attempts"])
        if link.failed_attempts % MAX_FAILED_ATTEMPTS == 0:
            rounds = link.failed_attempts // MAX_FAILED_ATTEMPTS
            link.locked_until = now + timedelta(minutes=LOCK_MINUTES * rounds)
            audit.record(None, "candidate.link_locked", link, case_id=link.case_id,
                         after={"link": link.id, "until": link.locked_until.isoformat()})
    session.commit()
    return ok


def set_language(case: Case, locale: str) -> None:
    if locale in CANDIDATE_LOCALES and case.candidate.preferred_language != locale:
        case.candidate.preferred_language = locale
        session.commit()


# --- consent --------------------------------------------------------------------------------


def give_consent(case: Case, language: str, now: datetime | None = None) -> Consent:
    current = latest_consent(case.id)
    if current is not None and current.withdrawn_at is None:
        return current
    consent = Consent(
        case_id=case.id, text_version=CONSENT_VERSION, language=language, given_at=now or utcnow()
    )
    session.add(consent)
    session.flush()
    audit.record(None, "candidate.consent_given", consent, case_id=case.id,
                 after={"version": CONSENT_VERSION, "language": language})
    session.commit()
    return consent


def withdraw_consent(case: Case, now: datetime | None = None) -> None:
    consent = latest_consent(case.id)
    if consent is None or consent.withdrawn_at is not None:
        raise RuleViolation(_l("There is no consent to withdraw."))
    consent.withdrawn_at = now or utcnow()
    audit.record(None, "candidate.consent_withdrawn", consent, case_id=case.id,
                 after={"version": consent.text_version})
    session.commit()


def _require_consent(case: Case) -> None:
    if not has_consent(case.id):
        raise PermissionRefused(_l("Please read and accept how we use your information first."))


# --- questionnaire --------------------------------------------------------------------------


def questionnaire_of(case_id: int) -> Questionnaire | None:
    return session.scalar(select(Questionnaire).where(Questionnaire.case_id == case_id))


def questionnaire_open(case: Case) -> bool:
    return case.status == S.QUESTIONNAIRE_SENT


def _store_draft(case: Case, data: dict[str, Any], language: str, now: datetime) -> Questionnaire:
    _require_consent(case)
    if not questionnaire_open(case):
        raise InvalidTransition(_l("The questionnaire is sent and can no longer be changed."))
    record = questionnaire_of(case.id)
    if record is None:
        record = Questionnaire(case_id=case.id, started_at=now)
        session.add(record)
        session.flush()
        audit.record(None, "candidate.questionnaire_started", record, case_id=case.id)
    record.data = qn.normalise(data)
    record.language = language
    record.saves += 1
    record.updated_at = now
    return record


def save_draft(
    case: Case, data: dict[str, Any], language: str, now: datetime | None = None
) -> Questionnaire:
    """Keep the answers as they are, problems and all (they are shown, not refused)."""
    record = _store_draft(case, data, language, now or utcnow())
    session.commit()
    return record


def submit_questionnaire(
    case: Case, data: dict[str, Any], language: str, now: datetime | None = None
) -> Questionnaire:
    """Submit once. Missing or wrong answers: the draft is kept and QuestionnaireIncomplete
    says which."""
    now = now or utcnow()
    record = _store_draft(case, data, language, now)
    errors = qn.problems(
        record.data, final=True, today=now.date(), birth_year=int(case.candidate.birth_year)
    )
    if errors:
        session.commit()
        raise QuestionnaireIncomplete(errors)
    workflow.apply(case, "submit_questionnaire", None)
    record.submitted_at = now
    timezone = record.data["needs"].get("timezone")
    if timezone:
        case.candidate.timezone = timezone
    session.commit()
    return record


def draft_problems(case: Case, record: Questionnaire | None, today: date) -> dict[str, Any]:
    if record is None:
        return {}
    return qn.problems(
        record.data, final=False, today=today, birth_year=int(case.candidate.birth_year)
    )


# --- evidence -------------------------------------------------------------------------------


def evidence_of(case_id: int) -> list[Evidence]:
    return list(
        session.scalars(
            select(Evidence)
            .where(Evidence.case_id == case_id, Evidence.deleted_at.is_(None))
            .order_by(Evidence.id)
        )
    )


def add_evidence(
    case: Case,
    kind: str,
    description: str,
    filename: str,
    data: bytes,
    now: datetime | None = None,
) -> Evidence:
    _require_consent(case)
    if case.status not in UPLOAD_STATUSES:
        raise InvalidTransition(_l("Documents can no longer be added at this step."))
    if kind not in set(EvidenceKind):
        raise FieldProblem("kind", _l("Choose what kind of document this is."))
    if not data:
        raise FieldProblem("file", _l("The file is empty."))
    if len(data) > files.MAX_EVIDENCE_BYTES:
        raise FieldProblem(
            "file",
            _l("The file is larger than %(mb)d MB. Take a photo with a lower resolution, or "
               "send the pages one by one.", mb=files.MAX_EVIDENCE_BYTES // (1024 * 1024)),
        )
    content_type = files.sniff(data)
    if content_type is None:
        raise FieldProblem(
            "file", _l("This file is not a PDF, PNG, JPEG or HEIC file. Send a photo or a PDF.")
        )
    count, total = session.execute(
        select(func.count(), func.coalesce(func.sum(Evidence.size), 0)).where(
            Evidence.case_id == case.id, Evidence.deleted_at.is_(None)
        )
    ).one()
    if count >= files.MAX_EVIDENCE_FILES or total + len(data) > files.MAX_CASE_BYTES:
        raise FieldProblem("file", _l("You have sent as many documents as we can take."))
    evidence = Evidence(
        case_id=case.id,
        kind=kind,
        description=description.strip()[:2000],
        original_name=(filename or "").replace("\\", "/").rsplit("/", 1)[-1][:200],
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_at=now or utcnow(),
    )
    session.add(evidence)
    session.flush()
    audit.record(None, "candidate.evidence_added", evidence, case_id=case.id,
                 after={"evidence": evidence.id, "kind": kind, "type": content_type,
                        "size": len(data)})
    session.commit()
    return evidence


def delete_evidence(case: Case, evidence_id: int, now: datetime | None = None) -> None:
    _require_consent(case)
    evidence = session.get(Evidence, evidence_id)
    if evidence is None or evidence.case_id != case.id or evidence.deleted_at is not None:
        raise RuleViolation(_l("This document does not exist."))
    if not questionnaire_open(case):
        raise InvalidTransition(
            _l("Documents cannot be removed after the questionnaire is sent. Ask your "
               "coordinator if one was sent by mistake.")
        )
    evidence.deleted_at = now or utcnow()
    evidence.data = b""
    audit.record(None, "candidate.evidence_removed", evidence, case_id=case.id,
                 after={"evidence": evidence.id})
    session.commit()


def open_evidence(actor: User, case: Case, evidence_id: int) -> Evidence:
    """A document for a member of staff (the route checked that they may); the opening is
    logged."""
    evidence = session.get(Evidence, evidence_id)
    if evidence is None or evidence.case_id != case.id or evidence.deleted_at is not None:
        raise RuleViolation(_l("This document does not exist."))
    audit.log_access(actor, case.id, f"evidence:{evidence.id}")
    session.commit()
    return evidence


# --- the candidate record (staff) -----------------------------------------------------------


@dataclass
class CandidateDetails:
    email: str = ""
    phone: str = ""
    preferred_language: str = "en"
    preferred_languages: list[str] = field(default_factory=list)
    protection_status: str = ""
    timezone: str = ""
    photo: bytes | None = None  # None: keep the current one
    remove_photo: bool = False


def update_candidate(actor: User, case: Case, details: CandidateDetails) -> list[str]:
    """Change the contact and intake details of the candidate; returns the changed fields."""
    _require_coordinator_of(actor, case.scheme)
    candidate = case.candidate
    _require_not_erased(candidate)
    if details.protection_status and details.protection_status not in set(ProtectionStatus):
        raise FieldProblem("protection_status", _l("Choose from the list."))
    values = {
        "email": details.email.strip(),
        "phone": details.phone.strip(),
        "preferred_language": details.preferred_language,
        "preferred_languages": " ".join(dict.fromkeys(details.preferred_languages)),
        "protection_status": details.protection_status,
        "timezone": details.timezone,
    }
    changed = [k for k, v in values.items() if getattr(candidate, k) != v]
    for name in changed:
        setattr(candidate, name, values[name])
    if details.photo is not None:
        photo_type = files.sniff_photo(details.photo)
        if photo_type is None:
            raise FieldProblem("photo", _l("The photo must be a PNG or JPEG image."))
        if len(details.photo) > files.MAX_PHOTO_BYTES:
            raise FieldProblem("photo", _l("The photo must be smaller than 2 MB."))
        candidate.photo, candidate.photo_type = details.photo, photo_type
        changed.append("photo")
    elif details.remove_photo and candidate.photo_type:
        candidate.photo, candidate.photo_type = None, ""
        changed.append("photo")
    if changed:
        audit.record(actor, "candidate.updated", candidate, case_id=case.id,
                     after={"fields": changed})
    session.commit()
    return changed


# --- what the pages show --------------------------------------------------------------------


@dataclass
class IntakeSummary:
    """The candidate's side of a case, for the staff case page."""

    link: CandidateLink | None
    link_state: str  # none, active, expired, revoked, locked
    consent: Consent | None
    questionnaire: Questionnaire | None
    evidence: list[Evidence]


def link_state(link: CandidateLink | None, now: datetime) -> str:
    if link is None:
        return "none"
    if link.revoked_at is not None:
        return "revoked"
    if now >= link.expires_at:
        return "expired"
    if link.locked(now):
        return "locked"
    return "active"


def summary(case: Case, now: datetime | None = None) -> IntakeSummary:
    now = now or utcnow()
    link = current_link(case.id)
    return IntakeSummary(
        link=link,
        link_state=link_state(link, now),
        consent=latest_consent(case.id),
        questionnaire=questionnaire_of(case.id),
        evidence=evidence_of(case.id),
    )


def next_interview(case: Case, now: datetime | None = None) -> Interview | None:
    now = now or utcnow()
    return session.scalar(
        select(Interview)
        .where(
            Interview.case_id == case.id,
            Interview.status == InterviewStatus.SCHEDULED,
            Interview.starts_at > now - timedelta(hours=3),
        )
        .order_by(Interview.starts_at)
        .limit(1)
    )


def valid_passports(case: Case, today: date | None = None) -> list[Passport]:
    today = today or utcnow().date()
    rows = session.scalars(
        select(Passport).where(Passport.case_id == case.id).order_by(Passport.id.desc())
    )
    return [p for p in rows if p.effective_status(today) == "valid"]


def candidate_passport(case: Case, passport_id: int) -> Passport | None:
    """One of the candidate's own passports, if it is still valid."""
    return next((p for p in valid_passports(case) if p.id == passport_id), None)

