"""The passport's life after issue: reissue (a new passport supersedes the old), revoke,
expire at the end of validity.

A passport row never changes what it says (its snapshot); only its status moves:
valid → superseded (with a link from its successor), valid → revoked, valid → expired.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from passport import audit
from passport.access import Need, may, refusal_reason
from passport.auth.models import User
from passport.cases import workflow
from passport.cases.models import Case
from passport.db import session, utcnow
from passport.errors import InvalidTransition, PermissionRefused, RuleViolation
from passport.interviews.services import current_assessment
from passport.passports import services
from passport.passports.models import Passport, PassportStatus
from passport.passports.pdf_texts import PDF_LANGUAGES

STATUS_LABELS = {
    "valid": _l("Valid"),
    "superseded": _l("Superseded"),
    "revoked": _l("Revoked"),
    "expired": _l("Expired"),
}


def _check(actor: User, case: Case) -> None:
    # Reissuing and revoking are decisions: the same four-eyes rule as approving.
    if not may(actor, Need.DECIDE, case):
        raise PermissionRefused(refusal_reason(actor, Need.DECIDE, case))


def _require_in_force(passport: Passport, today: date) -> None:
    status = passport.effective_status(today)
    if status != PassportStatus.VALID:
        raise InvalidTransition(
            _l("This passport is no longer in force (%(status)s).",
               status=STATUS_LABELS.get(status, status))
        )


def reissue(actor: User, passport: Passport, reason: str,
            language: str | None = None) -> Passport:
    """Issue a new passport from the case's current assessment (a correction) that supersedes
    `passport`. The old one stays on record as superseded; its successor links back to it."""
    case = session.get(Case, passport.case_id)
    _check(actor, case)
    _require_in_force(passport, utcnow().date())
    if not reason.strip():
        raise RuleViolation(_l("A reason is required for this decision."))
    if language is not None and language not in PDF_LANGUAGES:
        raise RuleViolation(_l("The passport cannot be printed in this language."))
    assessment = current_assessment(case)
    if assessment is None:
        raise InvalidTransition(_l("There is no assessment to issue a passport from."))
    workflow.apply(case, "reissue_passport", actor, reason=reason.strip(),
                   details={"supersedes": passport.number})
    successor = services.issue(case, assessment, actor, language or passport.second_language)
    passport.status = PassportStatus.SUPERSEDED
    successor.supersedes_id = passport.id
    successor.reissue_reason = reason.strip()
    audit.record(actor, "passport.superseded", passport, case_id=case.id,
                 before={"status": "valid"},
                 after={"status": "superseded", "number": passport.number,
                        "successor": successor.number},
                 reason=reason.strip())
    from passport.review import notify

    notify.passport_issued(case, successor, reissued=True)
    session.commit()
    return successor


def revoke(actor: User, passport: Passport, reason: str) -> None:
    """Withdraw a passport (e.g. fraud). The reason stays in the record for staff; the public
    verification page says only "revoked" and the date."""
    case = session.get(Case, passport.case_id)
    _check(actor, case)
    _require_in_force(passport, utcnow().date())
    if not reason.strip():
        raise RuleViolation(_l("A reason is required for this decision."))
    workflow.apply(case, "revoke_passport", actor, reason=reason.strip(),
                   details={"number": passport.number})
    passport.status = PassportStatus.REVOKED
    passport.revoked_at = utcnow()
    passport.revoked_by_id = actor.id
    passport.revoked_reason = reason.strip()
    audit.record(actor, "passport.revoked", passport, case_id=case.id,
                 before={"status": "valid"}, after={"status": "revoked",
                                                    "number": passport.number},
                 reason=reason.strip())
    from passport.review import notify

    notify.passport_revoked(case, passport)
    session.commit()


def expire_due(today: date | None = None) -> list[str]:
    """Mark every valid passport past its validity as expired; returns their numbers.
    Running it again finds nothing more to do."""
    today = today or utcnow().date()
    due = list(session.scalars(
        select(Passport)
        .where(Passport.status == PassportStatus.VALID, Passport.valid_until < today)
        .order_by(Passport.id)
    ))
    for passport in due:
        passport.status = PassportStatus.EXPIRED
        audit.record(None, "passport.expired", passport, case_id=passport.case_id,
                     before={"status": "valid"},
                     after={"status": "expired", "number": passport.number,
                            "valid_until": passport.valid_until.isoformat()})
    session.commit()
    return [p.number for p in due]


def passport_chain(case: Case) -> list[Passport]:
    return services.passports_of_case(case)
