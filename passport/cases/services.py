"""Creating cases, screening them and assigning evaluators: each function is one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from passport import audit
from passport.auth.models import Role, User, UserRole
from passport.cases import search, workflow
from passport.cases.models import Assignment, AssignmentRole, Candidate, Case
from passport.db import session, utcnow
from passport.errors import RuleViolation
from passport.interviews import scheduling
from passport.org.models import Scheme
from passport.training.certification import check_pair

PAGE_SIZE = search.PAGE_SIZE


@dataclass(frozen=True)
class CandidateData:
    given_name: str
    family_name: str
    birth_date: str
    nationality: str
    country_of_origin: str
    host_country: str
    native_name: str = ""
    email: str = ""
    phone: str = ""
    preferred_language: str = "en"
    protection_status: str = ""
    preferred_languages: str = ""  # space-separated language codes
    timezone: str = ""
    photo: bytes | None = None
    photo_type: str = ""


def _require_coordinator_of(actor: User, scheme: Scheme) -> None:
    if not (actor.has_role(Role.COORDINATOR) and scheme in actor.coordinated_schemes):
        raise RuleViolation(_l("You do not coordinate this scheme."))


def create_case(
    actor: User, scheme: Scheme, data: CandidateData, qualification_country: str
) -> Case:
    _require_coordinator_of(actor, scheme)
    candidate = Candidate(
        **{k: v.strip() if isinstance(v, str) else v for k, v in vars(data).items()}
    )
    case = Case(
        candidate=candidate,
        scheme=scheme,
        qualification_country=qualification_country,
        created_by_id=actor.id,
    )
    session.add(case)
    session.flush()
    audit.record(
        actor, "case.created", case, case_id=case.id,
        after={"status": case.status, "scheme": scheme.code},
    )
    session.commit()
    return case


def screen(actor: User, case: Case, eligible: bool, reason: str = "") -> None:
    _require_coordinator_of(actor, case.scheme)
    workflow.apply(case, "mark_eligible" if eligible else "mark_ineligible", actor, reason=reason)
    if not eligible:
        case.closed_reason = reason.strip()
    session.commit()


def eligible_evaluators() -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role == Role.EVALUATOR, User.active.is_(True))
            .order_by(User.name)
        )
    )


def gate_date(case: Case) -> date:
    """The day the assignment rules are checked for: the scheduled interview's, else today."""
    booked = scheduling.booked_interview(case)
    return (booked.starts_at if booked else utcnow()).date()


def assign_evaluators(
    actor: User, case: Case, first: User, second: User, *, on_date: date | None = None
) -> None:
    """Assign the pair who will interview and assess. The rules of the method are checked here,
    so that every way into the system (pages, command line) obeys them: both are certified for
    the scheme on `on_date` (default: the scheduled interview's date, else today), they come
    from two centres, and at least one knows the education system or a language of the country
    of the highest qualification (passport.training.certification.check_pair)."""
    _require_coordinator_of(actor, case.scheme)
    if first.id == second.id:
        raise RuleViolation(_l("Choose two different evaluators."))
    for person in (first, second):
        if not person.has_role(Role.EVALUATOR) or not person.active:
            raise RuleViolation(_l("%(name)s is not an active evaluator.", name=person.name))
        if person.centre_id is None:
            raise RuleViolation(_l("%(name)s belongs to no centre.", name=person.name))
    if first.centre_id == second.centre_id:
        raise RuleViolation(
            _l("The two evaluators must come from two different centres; both are from %(centre)s.",
               centre=first.centre.name)
        )
    check_pair(case.scheme, case.qualification_country, first, second, on_date or gate_date(case))
    previous = sorted(a.user.name for a in case.assignments if a.role == AssignmentRole.EVALUATOR)
    workflow.apply(
        case, "assign_evaluators", actor,
        details={"evaluators": [first.name, second.name], "previous": previous},
    )
    # An observer who now leads the interview stops being an observer of it.
    for assignment in [
        a for a in case.assignments
        if a.role == AssignmentRole.EVALUATOR or a.user_id in (first.id, second.id)
    ]:
        session.delete(assignment)
    session.flush()
    for person in (first, second):
        session.add(Assignment(case_id=case.id, user_id=person.id, assigned_by_id=actor.id))
    session.commit()
    session.refresh(case, ["assignments"])


# Steps at which observers may join or leave: until the interview has been held.
OBSERVER_STEPS = {
    workflow.CaseStatus.ELIGIBLE,
    workflow.CaseStatus.EVALUATORS_ASSIGNED,
    workflow.CaseStatus.INTERVIEW_SCHEDULED,
}


def add_observer(actor: User, case: Case, person: User) -> None:
    """Let an evaluator (a trainee, typically) observe the interview of a case. Observers need
    no certification; they can see the case but not write the assessment."""
    _require_coordinator_of(actor, case.scheme)
    if case.status not in OBSERVER_STEPS:
        raise RuleViolation(_l("Observers can only join before the interview is held."))
    if not person.has_role(Role.EVALUATOR) or not person.active:
        raise RuleViolation(_l("%(name)s is not an active evaluator.", name=person.name))
    if case.is_assigned(person):
        raise RuleViolation(_l("%(name)s is already on this case.", name=person.name))
    assignment = Assignment(
        case_id=case.id, user_id=person.id, role=AssignmentRole.OBSERVER, assigned_by_id=actor.id
    )
    session.add(assignment)
    session.flush()
    scheduling.observer_joins(case, person)
    audit.record(actor, "case.observer_added", assignment, case_id=case.id,
                 after={"user_id": person.id})
    session.commit()
    session.refresh(case, ["assignments"])


def remove_observer(actor: User, case: Case, person: User) -> None:
    _require_coordinator_of(actor, case.scheme)
    assignment = next(
        (a for a in case.assignments
         if a.user_id == person.id and a.role == AssignmentRole.OBSERVER),
        None,
    )
    if assignment is None:
        raise RuleViolation(_l("%(name)s is not an observer of this case.", name=person.name))
    if case.status not in OBSERVER_STEPS:
        raise RuleViolation(_l("Observers can only leave before the interview is held."))
    scheduling.observer_leaves(case, person)
    audit.record(actor, "case.observer_removed", assignment, case_id=case.id,
                 before={"user_id": person.id})
    session.delete(assignment)
    session.commit()
    session.refresh(case, ["assignments"])


def find_cases(query: Any, filters: search.Filters, after: str | None = None) -> search.Page:
    """One page of the cases in `query` (already limited to what the user may see) that match
    `filters`, starting after the cursor `after` (passport/cases/search.py)."""
    return search.page_of(query, filters, after)


def list_cases(query: Any, page: int = 1, status: str | None = None) -> tuple[list[Case], int]:
    """One page of `query` (already limited to what the user may see) and the total count."""
    if status:
        query = query.where(Case.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Case.updated_at.desc(), Case.id.desc())
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return list(rows), total
