"""Coordinator decisions on a submitted assessment: approve (and issue) or return."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from passport.access import Need, may, refusal_reason
from passport.auth.models import User
from passport.cases import workflow
from passport.cases.models import Case
from passport.db import session
from passport.errors import InvalidTransition, PermissionRefused
from passport.interviews.services import current_assessment
from passport.passports import services as passports
from passport.passports.models import Passport
from passport.review.models import Decision, ReviewDecision


def _check_may_decide(actor: User, case: Case) -> None:
    # The four-eyes rule lives in access.RULES; services check it too, for the command line.
    if not may(actor, Need.DECIDE, case):
        raise PermissionRefused(refusal_reason(actor, Need.DECIDE, case))


def approve(actor: User, case: Case, comment: str = "") -> Passport:
    """Approve the submitted assessment and issue the passport, in one transaction: there is
    never an approval without its passport, and a second approval finds the case already moved."""
    _check_may_decide(actor, case)
    assessment = current_assessment(case)
    if assessment is None or assessment.submitted_at is None:
        raise InvalidTransition(_l("There is no submitted assessment to approve."))
    workflow.apply(case, "approve", actor, reason=comment)
    session.add(
        ReviewDecision(
            case_id=case.id, assessment_id=assessment.id, decision=Decision.APPROVED,
            comment=comment.strip(), decided_by_id=actor.id,
        )
    )
    passport = passports.issue(case, assessment, actor)
    workflow.apply(
        case, "issue_passport", actor,
        details={"number": passport.number, "valid_until": passport.valid_until.isoformat()},
    )
    session.commit()
    return passport


def return_to_evaluators(actor: User, case: Case, comment: str) -> None:
    _check_may_decide(actor, case)
    assessment = current_assessment(case)
    if assessment is None:
        raise InvalidTransition(_l("There is no submitted assessment to return."))
    workflow.apply(case, "return_assessment", actor, reason=comment)
    session.add(
        ReviewDecision(
            case_id=case.id, assessment_id=assessment.id, decision=Decision.RETURNED,
            comment=comment.strip(), decided_by_id=actor.id,
        )
    )
    session.commit()


def decisions_of_case(case: Case) -> list[ReviewDecision]:
    return list(
        session.scalars(
            select(ReviewDecision)
            .where(ReviewDecision.case_id == case.id)
            .order_by(ReviewDecision.id)
        )
    )
