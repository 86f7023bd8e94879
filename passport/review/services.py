"""Coordinator decisions on a submitted assessment: approve (and issue), return to the
evaluators, close without a passport. Every decision is one transaction through
`workflow.apply`, so a double submit or two coordinators at once give exactly one outcome."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from passport.access import Need, may, refusal_reason
from passport.auth.models import User
from passport.cases import workflow
from passport.cases.models import Case
from passport.db import session
from passport.errors import InvalidTransition, PermissionRefused, RuleViolation
from passport.interviews.conclusions import disagreement
from passport.interviews.models import Assessment
from passport.interviews.services import current_assessment
from passport.passports import services as passports
from passport.passports.models import Passport, PassportStatus
from passport.passports.pdf_texts import PDF_LANGUAGES
from passport.review import notify
from passport.review.models import CloseReason, Decision, ReviewDecision

CLOSE_REASON_LABELS = {
    CloseReason.NOT_ENOUGH_EVIDENCE: _l(
        "The interview and the documents did not give enough evidence of the qualification."
    ),
    CloseReason.NOT_COMPLETED: _l("The studies were not completed to a level the passport "
                                  "can describe."),
    CloseReason.OUT_OF_SCOPE: _l("The qualification is outside what this passport covers."),
    CloseReason.WITHDRAWN: _l("The application was withdrawn."),
    CloseReason.OTHER: _l("Another reason, explained below."),
}


def _check_may_decide(actor: User, case: Case) -> None:
    # The four-eyes rule lives in access.RULES; services check it too, for the command line.
    if not may(actor, Need.DECIDE, case):
        raise PermissionRefused(refusal_reason(actor, Need.DECIDE, case))


def _submitted_assessment(case: Case) -> Assessment:
    assessment = current_assessment(case)
    if assessment is None or assessment.submitted_at is None:
        raise InvalidTransition(_l("There is no submitted assessment to decide on."))
    return assessment


def _require_waiting(case: Case, action: str) -> None:
    """Refuse before anything else when the case has moved on (approved twice, closed...)."""
    if not workflow.can(case, action):
        status = workflow.STATUS_LABELS[workflow.CaseStatus(case.status)]
        raise InvalidTransition(
            _l("This case is not waiting for a decision: it is “%(status)s”.", status=status)
        )


def current_passport(case: Case) -> Passport | None:
    """The case's passport that is still in force (valid or only past its date)."""
    return session.scalar(
        select(Passport)
        .where(Passport.case_id == case.id, Passport.status == PassportStatus.VALID)
        .order_by(Passport.id.desc())
        .limit(1)
    )


def approve(
    actor: User,
    case: Case,
    comment: str = "",
    *,
    language: str | None = None,
    disagreement_decision: str = "",
) -> Passport:
    """Approve the submitted assessment and issue the passport, in one transaction: there is
    never an approval without its passport, and a second approval finds the case already moved.
    Where the evaluators disagree, the coordinator's written decision is required. A passport
    the case already had (an appeal that was granted) is superseded by the new one."""
    _check_may_decide(actor, case)
    _require_waiting(case, "approve")
    assessment = _submitted_assessment(case)
    if language is not None and language not in PDF_LANGUAGES:
        raise RuleViolation(_l("The passport cannot be printed in this language."))
    differing = disagreement(assessment)
    if differing and not disagreement_decision.strip():
        raise RuleViolation(
            _l("The evaluators disagree: write your decision on their disagreement first.")
        )
    workflow.apply(
        case, "approve", actor, reason=comment.strip(),
        details={"round": assessment.round,
                 **({"disagreement": differing} if differing else {})},
    )
    session.add(
        ReviewDecision(
            case_id=case.id, assessment_id=assessment.id, decision=Decision.APPROVED,
            comment=comment.strip(), decided_by_id=actor.id, round=assessment.round,
            disagreement_decision=disagreement_decision.strip(),
        )
    )
    previous = current_passport(case)
    passport = passports.issue(case, assessment, actor, language)
    if previous is not None:
        previous.status = PassportStatus.SUPERSEDED
        passport.supersedes_id = previous.id
        passport.reissue_reason = comment.strip()
    workflow.apply(
        case, "issue_passport", actor,
        details={"number": passport.number, "valid_until": passport.valid_until.isoformat(),
                 **({"supersedes": previous.number} if previous is not None else {})},
    )
    notify.passport_issued(case, passport, reissued=previous is not None)
    session.commit()
    return passport


def return_to_evaluators(actor: User, case: Case, comment: str) -> ReviewDecision:
    _check_may_decide(actor, case)
    _require_waiting(case, "return_assessment")
    assessment = _submitted_assessment(case)
    if not comment.strip():
        raise RuleViolation(_l("Write what the evaluators should look at again."))
    workflow.apply(case, "return_assessment", actor, reason=comment.strip(),
                   details={"round": assessment.round})
    decision = ReviewDecision(
        case_id=case.id, assessment_id=assessment.id, decision=Decision.RETURNED,
        comment=comment.strip(), decided_by_id=actor.id, round=assessment.round,
    )
    session.add(decision)
    notify.returned(case, comment.strip(), assessment.round, actor)
    session.commit()
    return decision


def close_without_passport(actor: User, case: Case, reason_code: str,
                           comment: str) -> ReviewDecision:
    """End the case without a passport. The candidate reads the reason (its label in their
    language, and the coordinator's words) on their page and in a message."""
    _check_may_decide(actor, case)
    _require_waiting(case, "close_no_passport")
    if reason_code not in set(CloseReason):
        raise RuleViolation(_l("Choose the reason for closing the case."))
    if not comment.strip():
        raise RuleViolation(_l("A reason is required for this decision."))
    assessment = _submitted_assessment(case) if case.status == "assessment_submitted" else (
        current_assessment(case))
    if assessment is None:
        raise InvalidTransition(_l("There is no assessment to decide on."))
    workflow.apply(case, "close_no_passport", actor, reason=comment.strip(),
                   details={"reason_code": reason_code, "round": assessment.round})
    case.closed_reason = comment.strip()
    decision = ReviewDecision(
        case_id=case.id, assessment_id=assessment.id, decision=Decision.CLOSED,
        comment=comment.strip(), decided_by_id=actor.id, round=assessment.round,
        reason_code=reason_code,
    )
    session.add(decision)
    notify.closed(case, CLOSE_REASON_LABELS[CloseReason(reason_code)], comment.strip())
    session.commit()
    return decision


def decisions_of_case(case: Case) -> list[ReviewDecision]:
    return list(
        session.scalars(
            select(ReviewDecision)
            .where(ReviewDecision.case_id == case.id)
            .order_by(ReviewDecision.id)
        )
    )


def return_rounds(case: Case) -> int:
    return sum(1 for d in decisions_of_case(case) if d.decision == Decision.RETURNED)


def closing_decision(case: Case) -> ReviewDecision | None:
    if case.status != "closed":
        return None
    return session.scalar(
        select(ReviewDecision)
        .where(ReviewDecision.case_id == case.id, ReviewDecision.decision == Decision.CLOSED)
        .order_by(ReviewDecision.id.desc())
        .limit(1)
    )


def close_reason_label(decision: ReviewDecision | None) -> Any:
    if decision is None or decision.reason_code not in set(CloseReason):
        return ""
    return CLOSE_REASON_LABELS[CloseReason(decision.reason_code)]
