"""Each evaluator's own conclusion, and where the two evaluators of a case disagree."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from passport import audit
from passport.access import Need, may
from passport.auth.models import User
from passport.cases.models import Case
from passport.db import session, utcnow
from passport.errors import InvalidTransition, PermissionRefused
from passport.interviews.models import Assessment, EvaluatorConclusion

# What a disagreement is about: the facts the passport states, not the wording.
COMPARED = ("level", "completed", "years_completed")


@dataclass(frozen=True)
class ConclusionData:
    level: str
    completed: bool
    years_completed: int | None
    conclusion: str


def conclusions_of(assessment: Assessment) -> list[EvaluatorConclusion]:
    return list(
        session.scalars(
            select(EvaluatorConclusion)
            .where(EvaluatorConclusion.assessment_id == assessment.id)
            .order_by(EvaluatorConclusion.id)
        )
    )


def differences(first: EvaluatorConclusion, second: EvaluatorConclusion) -> list[str]:
    return [name for name in COMPARED if getattr(first, name) != getattr(second, name)]


def disagreement(assessment: Assessment) -> list[str]:
    """The compared fields on which the two submitted conclusions differ (empty: they agree,
    or not both have concluded yet)."""
    submitted = [c for c in conclusions_of(assessment) if c.submitted_at is not None]
    if len(submitted) < 2:
        return []
    return differences(submitted[0], submitted[1])


def save_conclusion(
    actor: User, case: Case, assessment: Assessment, data: ConclusionData, *, submit: bool
) -> EvaluatorConclusion:
    if not may(actor, Need.ASSESS, case):
        raise PermissionRefused(_l("Only the evaluators of this case can write a conclusion."))
    if assessment.case_id != case.id or assessment.submitted_at is not None:
        raise InvalidTransition(_l("This assessment is already submitted for review."))
    row = session.scalar(
        select(EvaluatorConclusion).where(
            EvaluatorConclusion.assessment_id == assessment.id,
            EvaluatorConclusion.evaluator_id == actor.id,
        )
    )
    if row is None:
        row = EvaluatorConclusion(assessment_id=assessment.id, evaluator_id=actor.id)
        session.add(row)
    row.level, row.completed = data.level, data.completed
    row.years_completed, row.conclusion = data.years_completed, data.conclusion.strip()
    row.updated_at = utcnow()
    if submit:
        row.submitted_at = utcnow()
    session.flush()
    audit.record(
        actor,
        "conclusion.submitted" if submit else "conclusion.saved",
        row,
        case_id=case.id,
        after={"round": assessment.round},
    )
    session.commit()
    return row
