"""The evaluators' assessment: saving drafts and submitting for review."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from passport import audit
from passport.auth.models import User
from passport.cases import workflow
from passport.cases.models import Case
from passport.db import session, utcnow
from passport.interviews.models import Assessment
from passport.review.models import Decision, ReviewDecision


@dataclass(frozen=True)
class AssessmentData:
    level: str
    qualification_title: str
    field_of_study: str
    institution: str
    completed: bool
    years_completed: int | None
    summary: str


FIELDS = tuple(AssessmentData.__dataclass_fields__)


def current_round(case: Case) -> int:
    returned = session.scalar(
        select(func.count())
        .select_from(ReviewDecision)
        .where(ReviewDecision.case_id == case.id, ReviewDecision.decision == Decision.RETURNED)
    )
    return 1 + (returned or 0)


def current_assessment(case: Case) -> Assessment | None:
    return session.scalar(
        select(Assessment).where(Assessment.case_id == case.id).order_by(Assessment.round.desc())
    )


def is_blank(assessment: Assessment) -> bool:
    """Nobody has written this assessment yet: the empty row that an evaluator's conclusion
    creates for its round. (A saved draft always has a title, a field and a summary.)"""
    return not (assessment.qualification_title or assessment.field_of_study
                or assessment.summary)


def assessment_for_round(case: Case) -> Assessment:
    round_no = current_round(case)
    latest = current_assessment(case)
    if latest is not None and latest.round == round_no:
        return latest
    fresh = Assessment(case_id=case.id, round=round_no)
    if latest is not None:  # a returned assessment is reworked, not retyped
        for name in FIELDS:
            setattr(fresh, name, getattr(latest, name))
    session.add(fresh)
    return fresh


def save_assessment(actor: User, case: Case, data: AssessmentData, *, submit: bool) -> Assessment:
    """Save the evaluators' assessment; with `submit`, send it to the coordinator for review."""
    assessment = assessment_for_round(case)
    for name in FIELDS:
        setattr(assessment, name, getattr(data, name))
    assessment.updated_by_id = actor.id
    assessment.updated_at = utcnow()
    session.flush()
    audit.record(
        actor, "assessment.saved", assessment, case_id=case.id, after={"round": assessment.round}
    )
    if submit:
        workflow.apply(case, "submit_assessment", actor, details={"round": assessment.round})
        assessment.submitted_by_id = actor.id
        assessment.submitted_at = utcnow()
    session.commit()
    return assessment
