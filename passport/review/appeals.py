"""Appeals: the candidate may ask for a review of the outcome (a passport, or a case closed
without one) within PASSPORT_APPEAL_DAYS of the decision. A coordinator other than the one who
decided (and not one of the case's evaluators) decides the appeal; the candidate sees it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from passport import audit
from passport.access import may_decide_appeal
from passport.auth.models import Role, User
from passport.cases import workflow
from passport.cases.models import Case
from passport.db import session, utcnow
from passport.errors import InvalidTransition, PermissionRefused, RuleViolation
from passport.org.models import scheme_coordinators
from passport.review import notify
from passport.review.models import Appeal, AppealOutcome, Decision, ReviewDecision

APPEALABLE = {Decision.APPROVED, Decision.CLOSED}


@dataclass(frozen=True)
class AppealState:
    decision: ReviewDecision | None
    appeal: Appeal | None
    deadline: datetime | None
    open: bool  # the candidate may send a request now


def outcome_decision(case: Case) -> ReviewDecision | None:
    """The decision that ended the case (approval or closing), if the case has ended."""
    if case.status not in {"passport_issued", "closed"}:
        return None
    return session.scalar(
        select(ReviewDecision)
        .where(ReviewDecision.case_id == case.id,
               ReviewDecision.decision.in_([str(d) for d in APPEALABLE]))
        .order_by(ReviewDecision.id.desc())
        .limit(1)
    )


def deadline_of(decision: ReviewDecision) -> datetime:
    return decision.decided_at + timedelta(days=current_app.config["APPEAL_DAYS"])


def latest_appeal(case: Case) -> Appeal | None:
    return session.scalar(
        select(Appeal).where(Appeal.case_id == case.id).order_by(Appeal.id.desc()).limit(1)
    )


def state(case: Case, now: datetime | None = None) -> AppealState:
    now = now or utcnow()
    decision = outcome_decision(case)
    appeal = latest_appeal(case)
    if decision is None:
        return AppealState(None, appeal, None, False)
    deadline = deadline_of(decision)
    already = appeal is not None and appeal.decision_id == decision.id
    return AppealState(decision, appeal, deadline, not already and now <= deadline)


def _pick_coordinator(case: Case, decider_id: int) -> User | None:
    """A coordinator of the scheme who did not decide and is not on the case, the one with
    the fewest open appeals first."""
    open_count = (
        select(func.count(Appeal.id))
        .where(Appeal.assigned_to_id == User.id, Appeal.outcome == AppealOutcome.PENDING)
        .scalar_subquery()
    )
    candidates = session.scalars(
        select(User)
        .join(scheme_coordinators, scheme_coordinators.c.user_id == User.id)
        .where(scheme_coordinators.c.scheme_id == case.scheme_id, User.active.is_(True),
               User.id != decider_id)
        .order_by(open_count, User.id)
    ).unique().all()
    return next((u for u in candidates
                 if u.has_role(Role.COORDINATOR) and not case.is_assigned(u)), None)


def submit(case: Case, text: str, now: datetime | None = None) -> Appeal:
    """The candidate's request (from their personal page)."""
    now = now or utcnow()
    current = state(case, now)
    if current.decision is None:
        raise InvalidTransition(_l("There is no decision on your application to review yet."))
    if current.appeal is not None and current.appeal.decision_id == current.decision.id:
        raise RuleViolation(_l("You have already asked for a review of this decision."))
    if now > current.deadline:
        raise RuleViolation(
            _l("The time to ask for a review ended on %(date)s. If you have new information, "
               "contact the organisation that invited you.",
               date=current.deadline.date().isoformat())
        )
    if not text.strip():
        raise RuleViolation(_l("Write why you ask for a review."))
    reviewer = _pick_coordinator(case, current.decision.decided_by_id)
    appeal = Appeal(case_id=case.id, decision_id=current.decision.id, text=text.strip(),
                    submitted_at=now, assigned_to_id=reviewer.id if reviewer else None)
    session.add(appeal)
    session.flush()
    audit.record(None, "appeal.submitted", appeal, case_id=case.id,
                 after={"decision": current.decision.decision,
                        "assigned_to": reviewer.name if reviewer else ""},
                 reason=text.strip())
    session.commit()
    return appeal


def may_decide(actor: User, appeal: Appeal, case: Case) -> bool:
    return may_decide_appeal(actor, case, appeal.decision.decided_by_id)


def decide(actor: User, appeal: Appeal, outcome: str, text: str) -> None:
    case = session.get(Case, appeal.case_id)
    if not may_decide(actor, appeal, case):
        if actor.id == appeal.decision.decided_by_id:
            raise PermissionRefused(
                _l("You made the decision under appeal, so another coordinator must decide it.")
            )
        raise PermissionRefused(_l("You do not have permission to do this."))
    if appeal.outcome != AppealOutcome.PENDING:
        raise InvalidTransition(_l("This appeal is already decided."))
    if outcome not in {AppealOutcome.UPHELD, AppealOutcome.GRANTED}:
        raise RuleViolation(_l("Choose the outcome of the appeal."))
    if not text.strip():
        raise RuleViolation(_l("A reason is required for this decision."))
    if outcome == AppealOutcome.GRANTED:
        workflow.apply(case, "reopen_on_appeal", actor, reason=text.strip(),
                       details={"appeal": appeal.id})
    appeal.outcome = outcome
    appeal.outcome_text = text.strip()
    appeal.decided_by_id = actor.id
    appeal.decided_at = utcnow()
    audit.record(actor, f"appeal.{outcome}", appeal, case_id=case.id,
                 before={"outcome": "pending"}, after={"outcome": outcome},
                 reason=text.strip())
    notify.appeal_decided(case, appeal)
    session.commit()


def pending_for(actor: User) -> list[Appeal]:
    """Open appeals a coordinator may decide: assigned to them, or to nobody in their schemes."""
    scheme_ids = [s.id for s in actor.coordinated_schemes]
    if not scheme_ids:
        return []
    rows = session.scalars(
        select(Appeal).join(Case, Case.id == Appeal.case_id)
        .where(Appeal.outcome == AppealOutcome.PENDING, Case.scheme_id.in_(scheme_ids))
        .order_by(Appeal.submitted_at)
    ).unique().all()
    return [a for a in rows if a.assigned_to_id in (None, actor.id)]


def appeals_of_case(case: Case) -> list[Appeal]:
    return list(session.scalars(
        select(Appeal).where(Appeal.case_id == case.id).order_by(Appeal.id)
    ).unique())
