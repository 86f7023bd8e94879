"""The path of a case, as one table of actions.

Every status change goes through `apply()`, which checks the table, changes the status only if
nobody else changed the case in the meantime (compare-and-set on status and version, so two
coordinators pressing "approve" at once give exactly one approval), and writes the audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from passport import audit
from passport.db import session, utcnow
from passport.errors import ConcurrentChange, InvalidTransition, RuleViolation

if TYPE_CHECKING:
    from passport.auth.models import User
    from passport.cases.models import Case


class CaseStatus(StrEnum):
    DRAFT = "draft"
    QUESTIONNAIRE_SENT = "questionnaire_sent"
    SUBMITTED = "submitted"
    SCREENING = "screening"
    INELIGIBLE = "ineligible"
    ELIGIBLE = "eligible"
    EVALUATORS_ASSIGNED = "evaluators_assigned"
    INTERVIEW_SCHEDULED = "interview_scheduled"
    INTERVIEWED = "interviewed"
    ASSESSMENT_SUBMITTED = "assessment_submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    PASSPORT_ISSUED = "passport_issued"
    CLOSED = "closed"


STATUS_LABELS = {
    CaseStatus.DRAFT: _l("Draft"),
    CaseStatus.QUESTIONNAIRE_SENT: _l("Questionnaire sent"),
    CaseStatus.SUBMITTED: _l("Questionnaire submitted"),
    CaseStatus.SCREENING: _l("Screening"),
    CaseStatus.INELIGIBLE: _l("Not eligible"),
    CaseStatus.ELIGIBLE: _l("Eligible"),
    CaseStatus.EVALUATORS_ASSIGNED: _l("Evaluators assigned"),
    CaseStatus.INTERVIEW_SCHEDULED: _l("Interview scheduled"),
    CaseStatus.INTERVIEWED: _l("Interviewed"),
    CaseStatus.ASSESSMENT_SUBMITTED: _l("Assessment submitted"),
    CaseStatus.RETURNED: _l("Returned to evaluators"),
    CaseStatus.APPROVED: _l("Approved"),
    CaseStatus.PASSPORT_ISSUED: _l("Passport issued"),
    CaseStatus.CLOSED: _l("Closed"),
}

S = CaseStatus


@dataclass(frozen=True)
class Action:
    sources: frozenset[CaseStatus]
    target: CaseStatus
    needs_reason: bool = False


def _a(sources: set[CaseStatus], target: CaseStatus, needs_reason: bool = False) -> Action:
    return Action(frozenset(sources), target, needs_reason)


# The whole state machine. Paper applications may be screened straight from draft.
ACTIONS: dict[str, Action] = {
    "send_questionnaire": _a({S.DRAFT}, S.QUESTIONNAIRE_SENT),
    "submit_questionnaire": _a({S.QUESTIONNAIRE_SENT}, S.SUBMITTED),
    "start_screening": _a({S.SUBMITTED}, S.SCREENING),
    "mark_eligible": _a({S.DRAFT, S.SUBMITTED, S.SCREENING}, S.ELIGIBLE),
    "mark_ineligible": _a({S.DRAFT, S.SUBMITTED, S.SCREENING}, S.INELIGIBLE, needs_reason=True),
    "assign_evaluators": _a({S.ELIGIBLE, S.EVALUATORS_ASSIGNED}, S.EVALUATORS_ASSIGNED),
    "schedule_interview": _a({S.EVALUATORS_ASSIGNED, S.INTERVIEW_SCHEDULED}, S.INTERVIEW_SCHEDULED),
    "record_interview": _a({S.INTERVIEW_SCHEDULED}, S.INTERVIEWED),
    "submit_assessment": _a(
        {S.EVALUATORS_ASSIGNED, S.INTERVIEW_SCHEDULED, S.INTERVIEWED, S.RETURNED},
        S.ASSESSMENT_SUBMITTED,
    ),
    "return_assessment": _a({S.ASSESSMENT_SUBMITTED}, S.RETURNED, needs_reason=True),
    "approve": _a({S.ASSESSMENT_SUBMITTED}, S.APPROVED),
    "issue_passport": _a({S.APPROVED}, S.PASSPORT_ISSUED),
    "close_no_passport": _a({S.ASSESSMENT_SUBMITTED, S.RETURNED}, S.CLOSED, needs_reason=True),
    # The passport's life (passport/passports/lifecycle.py): a correction issues a new passport
    # that supersedes the old one; revoking ends the case.
    "reissue_passport": _a({S.PASSPORT_ISSUED}, S.PASSPORT_ISSUED, needs_reason=True),
    "revoke_passport": _a({S.PASSPORT_ISSUED}, S.CLOSED, needs_reason=True),
    # An appeal that is granted sends the case back to the evaluators for a new assessment.
    "reopen_on_appeal": _a({S.PASSPORT_ISSUED, S.CLOSED}, S.RETURNED, needs_reason=True),
}


def allowed_actions(status: str) -> set[str]:
    return {name for name, a in ACTIONS.items() if status in a.sources}


def can(case: Case, action: str) -> bool:
    return case.status in ACTIONS[action].sources


def apply(
    case: Case,
    action: str,
    actor: User | None,
    *,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    """Move `case` along `action`. Does not commit: the calling service owns the transaction."""
    from passport.cases.models import Case

    spec = ACTIONS[action]
    before = CaseStatus(case.status)
    if before not in spec.sources:
        raise InvalidTransition(
            _l(
                "This cannot be done while the case is “%(status)s”.",
                status=STATUS_LABELS[before],
            )
        )
    if spec.needs_reason and not reason.strip():
        raise RuleViolation(_l("A reason is required for this decision."))
    from passport.intake.consent import processing_stopped

    if processing_stopped(case.id):
        raise RuleViolation(
            _l("The candidate has withdrawn their consent, so the case cannot move on.")
        )

    result = session.execute(
        update(Case)
        .where(Case.id == case.id, Case.status == before, Case.version == case.version)
        .values(status=spec.target, version=Case.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        raise ConcurrentChange(
            _l("Someone else changed this case a moment ago. Reload the page and check it again.")
        )
    session.refresh(case, ["status", "version", "updated_at"])
    audit.record(
        actor,
        f"case.{action}",
        case,
        case_id=case.id,
        before={"status": str(before)},
        after={"status": str(spec.target), **(details or {})},
        reason=reason,
    )
