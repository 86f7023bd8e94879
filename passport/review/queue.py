"""The coordinators' review queue: submitted assessments of their schemes, oldest first.

A page costs a fixed number of queries whatever its length: one count, the ids of the page (from
the index, in waiting order), those cases with candidate and scheme joined, their evaluators'
names, their current assessments and those assessments' conclusions (disagreements).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select, text
from sqlalchemy.orm import lazyload

from passport.auth.models import User
from passport.cases.models import WAITING_FOR_REVIEW, Assignment, AssignmentRole, Case
from passport.cases.workflow import CaseStatus
from passport.db import session, utcnow
from passport.interviews.conclusions import COMPARED
from passport.interviews.models import Assessment, EvaluatorConclusion
from passport.org.models import scheme_coordinators

PAGE_SIZE = 50
WAITING_CHOICES = (3, 7, 14, 30)  # "waiting at least N days"


@dataclass
class Filters:
    scheme: int | None = None
    centre: int | None = None
    country: str | None = None
    evaluator: int | None = None
    # Part of an evaluator's name, as typed: a network has too many evaluators for a list.
    evaluator_name: str | None = None
    waiting_days: int | None = None

    def as_args(self) -> dict[str, object]:
        return {k: v for k, v in {
            "scheme": self.scheme, "centre": self.centre, "country": self.country,
            "evaluator": self.evaluator, "evaluator_name": self.evaluator_name,
            "waiting": self.waiting_days,
        }.items() if v}


@dataclass
class QueueRow:
    case: Case
    submitted_at: datetime
    round: int
    disagreement: list[str] = field(default_factory=list)
    evaluators: list[tuple[int, str]] = field(default_factory=list)  # (user id, name)

    def waiting(self, now: datetime) -> timedelta:
        return now - self.submitted_at


@dataclass
class QueuePage:
    rows: list[QueueRow]
    total: int
    by_scheme: dict[int, int]
    page: int
    pages: int


def _evaluated_by(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """Cases with an evaluator (not an observer) who meets `condition` on users."""
    return Case.id.in_(
        select(Assignment.case_id).join(User, User.id == Assignment.user_id)
        .where(Assignment.role == AssignmentRole.EVALUATOR, condition))


def _base(user: User, filters: Filters, now: datetime):
    """The waiting cases, as a query on cases alone. A case's `updated_at` is when it last
    changed step (only `workflow.apply` sets it), so for a submitted assessment it is when it
    started waiting: the index on (scheme, status, updated_at, id) gives the queue in order
    and a page stops after its rows, however long the queue."""
    query = select(Case).where(
        Case.status == CaseStatus.ASSESSMENT_SUBMITTED,
        Case.scheme_id.in_(
            select(scheme_coordinators.c.scheme_id)
            .where(scheme_coordinators.c.user_id == user.id)
        ),
    )
    if filters.scheme:
        query = query.where(Case.scheme_id == filters.scheme)
    if filters.country:
        query = query.where(Case.qualification_country == filters.country)
    if filters.evaluator:
        query = query.where(_evaluated_by(User.id == filters.evaluator))
    if filters.evaluator_name:
        query = query.where(_evaluated_by(
            User.name.icontains(filters.evaluator_name, autoescape=True)))
    if filters.centre:
        query = query.where(_evaluated_by(User.centre_id == filters.centre))
    if filters.waiting_days:
        query = query.where(Case.updated_at <= now - timedelta(days=filters.waiting_days))
    return query


def _evaluator_names(case_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """The evaluators of these cases as (id, name): plain rows, not user objects with their
    roles and centres (a page of 50 cases can name 100 different people)."""
    names: dict[int, list[tuple[int, str]]] = {}
    if case_ids:
        for case_id, user_id, name in session.execute(
            select(Assignment.case_id, User.id, User.name)
            .join(User, User.id == Assignment.user_id)
            .where(Assignment.case_id.in_(case_ids),
                   Assignment.role == AssignmentRole.EVALUATOR)
            .order_by(Assignment.case_id, Assignment.id)
        ):
            names.setdefault(case_id, []).append((user_id, name))
    return names


def _current_assessments(case_ids: list[int]) -> dict[int, Assessment]:
    """The newest round's assessment of each of these cases (the one under review)."""
    current: dict[int, Assessment] = {}
    if case_ids:
        for row in session.scalars(
            select(Assessment).where(Assessment.case_id.in_(case_ids))
            .order_by(Assessment.case_id, Assessment.round)
        ):
            current[row.case_id] = row
    return current


def _disagreements(assessment_ids: list[int]) -> dict[int, list[str]]:
    if not assessment_ids:
        return {}
    by_assessment: dict[int, list[EvaluatorConclusion]] = {}
    for c in session.scalars(
        select(EvaluatorConclusion)
        .where(EvaluatorConclusion.assessment_id.in_(assessment_ids),
               EvaluatorConclusion.submitted_at.is_not(None))
        .order_by(EvaluatorConclusion.id)
    ).unique():
        by_assessment.setdefault(c.assessment_id, []).append(c)
    result = {}
    for assessment_id, rows in by_assessment.items():
        if len(rows) >= 2:
            result[assessment_id] = [
                n for n in COMPARED if getattr(rows[0], n) != getattr(rows[1], n)
            ]
    return result


def review_queue(user: User, filters: Filters, page: int = 1,
                 now: datetime | None = None) -> QueuePage:
    now = now or utcnow()
    query = _base(user, filters, now)
    counts = dict(session.execute(
        query.with_only_columns(Case.scheme_id, func.count()).group_by(Case.scheme_id)
    ).all())
    total = sum(counts.values())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    # Ids first, straight from the index; then those cases with candidate and scheme.
    ids = list(session.scalars(
        query.with_only_columns(Case.id).order_by(Case.updated_at, Case.id)
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ))
    loaded = {c.id: c for c in session.scalars(
        select(Case).where(Case.id.in_(ids))
        .options(lazyload(Case.assignments))  # the names below are all the page shows
    ).unique()}
    evaluators = _evaluator_names(ids)
    assessments = _current_assessments(ids)
    differing = _disagreements([a.id for a in assessments.values()])
    rows = []
    for case_id in ids:
        assessment = assessments.get(case_id)
        rows.append(QueueRow(
            case=loaded[case_id],
            submitted_at=(assessment and assessment.submitted_at) or loaded[case_id].updated_at,
            round=assessment.round if assessment else 1,
            disagreement=differing.get(assessment.id, []) if assessment else [],
            evaluators=evaluators.get(case_id, []),
        ))
    return QueuePage(rows=rows, total=total, by_scheme=counts, page=page, pages=pages)


def filter_choices(user: User) -> dict[str, list[tuple[object, str]]]:
    """Choices of the filter form: the coordinator's schemes, centres, and the countries of
    qualification in their queue. (Evaluators are found by name: there can be thousands.)"""
    from passport.org.models import Centre

    scheme_ids = [s.id for s in user.coordinated_schemes]
    centres = session.execute(select(Centre.id, Centre.name).order_by(Centre.name)).all()
    countries = session.scalars(
        select(Case.qualification_country).distinct()
        .where(Case.scheme_id.in_(scheme_ids), text(f"cases.{WAITING_FOR_REVIEW}"))
        .order_by(Case.qualification_country)
    ).all()
    return {
        "schemes": [(s.id, s.code) for s in user.coordinated_schemes],
        "centres": [(c.id, c.name) for c in centres],
        "countries": [(c, c) for c in countries],
    }
