"""Who may do what: every permission rule of the application lives in this module.

Views declare what they need (`@requires(Role...)` or `load_case(case_id, Need.X)`);
nothing else in the code base checks roles. A case that a person may not see answers 404,
so that nobody learns which case numbers exist; a case they may see but not act on answers 403.

Candidates have no account: a verified personal link gives a session that sees its own case and
nothing else (passport.intake.portal.candidate_page), whatever ids a request names.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any

from flask import Flask, abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import Select, false, or_, select

from passport.audit import log_access
from passport.auth.models import Role, User
from passport.cases.models import Assignment, AssignmentRole, Case
from passport.db import session
from passport.extensions import login_manager
from passport.intake.consent import processing_stopped
from passport.mail.models import OutboxMessage
from passport.org.models import scheme_coordinators


class Need(StrEnum):
    VIEW = "view"  # read the case and its history
    MANAGE = "manage"  # screen, assign evaluators (coordinator of the scheme)
    ASSESS = "assess"  # write the assessment (an evaluator assigned to the case)
    DECIDE = "decide"  # approve or return (coordinator of the scheme, not on the case)
    # open the candidate's questionnaire and documents: the scheme's coordinators and the
    # case's evaluators (not observers), and nobody once the candidate withdrew consent
    APPLICATION = "application"
    # download everything held about the candidate (access requests): the scheme's
    # coordinators and administrators, who otherwise do not open cases
    EXPORT = "export"


def _coordinates(user: User, case: Case) -> bool:
    return user.has_role(Role.COORDINATOR) and any(
        s.id == case.scheme_id for s in user.coordinated_schemes
    )


def _evaluates(user: User, case: Case) -> bool:
    return user.has_role(Role.EVALUATOR) and any(
        a.user_id == user.id and a.role == AssignmentRole.EVALUATOR for a in case.assignments
    )


RULES: dict[Need, Callable[[User, Case], bool]] = {
    Need.VIEW: lambda u, c: _coordinates(u, c) or c.is_assigned(u),
    Need.MANAGE: _coordinates,
    Need.ASSESS: _evaluates,
    # Four eyes: whoever assessed the case cannot also approve it.
    Need.DECIDE: lambda u, c: _coordinates(u, c) and not c.is_assigned(u),
    Need.APPLICATION: lambda u, c: (_coordinates(u, c) or _evaluates(u, c))
    and not processing_stopped(c.id),
    Need.EXPORT: lambda u, c: _coordinates(u, c) or u.has_role(Role.ADMINISTRATOR),
}


def may(user: User, need: Need, case: Case) -> bool:
    return user.is_authenticated and RULES[need](user, case)


def refusal_reason(user: User, need: Need, case: Case) -> Any:
    if need is Need.DECIDE and _coordinates(user, case) and case.is_assigned(user):
        return _l(
            "You are one of the evaluators of this case, so another coordinator must decide it."
        )
    if need is Need.APPLICATION and processing_stopped(case.id):
        return _l(
            "The candidate has withdrawn their consent: their questionnaire and documents "
            "cannot be opened."
        )
    return _l("You do not have permission to do this.")


def may_decide_appeal(user: User, case: Case, decided_by_id: int) -> bool:
    """An appeal is decided by a coordinator of the scheme who neither made the decision under
    appeal nor is on the case (passport/review/appeals.py)."""
    return (
        user.is_authenticated
        and _coordinates(user, case)
        and user.id != decided_by_id
        and not case.is_assigned(user)
    )


def visible_cases(user: User) -> Select[tuple[Case]]:
    """The cases a user may see, as a query to filter and paginate further.

    Kept simple for the planner, so that the case list walks an index in its order: the
    schemes' ids are literal (loaded with the user), and the "assigned to me" branch joins a
    coordinator's condition only if they are on any case at all."""
    conditions = []
    if user.has_role(Role.COORDINATOR):
        scheme_ids = sorted(s.id for s in user.coordinated_schemes)
        if scheme_ids:
            conditions.append(Case.scheme_id.in_(scheme_ids))
    assigned = select(Assignment.case_id).where(Assignment.user_id == user.id)
    if not conditions or session.scalar(assigned.limit(1)) is not None:
        conditions.append(Case.id.in_(assigned))
    return select(Case).where(or_(*conditions) if len(conditions) > 1 else conditions[0])


# Training records and certification (passport/training): administrators and coordinators
# manage courses, records and evaluator profiles; an evaluator sees their own.
def manages_training(user: User) -> bool:
    return user.is_authenticated and bool(
        user.roles & {Role.ADMINISTRATOR, Role.COORDINATOR}
    )


def may_see_training_of(user: User, evaluator: User) -> bool:
    return manages_training(user) or (user.is_authenticated and user.id == evaluator.id)


def manages_scheme_settings(user: User, scheme: Any) -> bool:
    """Administrators, and the coordinators of the scheme, set its training requirements."""
    return user.is_authenticated and (
        user.has_role(Role.ADMINISTRATOR)
        or (
            user.has_role(Role.COORDINATOR)
            and any(s.id == scheme.id for s in user.coordinated_schemes)
        )
    )
def visible_messages(user: User) -> Select[tuple[OutboxMessage]]:
    """Outbox messages a user may read: administrators all (to follow delivery problems),
    coordinators those about the cases of their schemes."""
    query = select(OutboxMessage)
    if user.has_role(Role.ADMINISTRATOR):
        return query
    if user.has_role(Role.COORDINATOR):
        return query.where(
            OutboxMessage.case_id.in_(
                select(Case.id).where(
                    Case.scheme_id.in_(
                        select(scheme_coordinators.c.scheme_id).where(
                            scheme_coordinators.c.user_id == user.id
                        )
                    )
                )
            )
        )
    return query.where(false())


def load_case(case_id: int, need: Need = Need.VIEW, *, log: bool = True) -> Case:
    """Load a case for the current user or end the request with 404/403; log the access.
    `log=False` is for writes that put their own audit entry on record in the same
    transaction (the interview workspace's autosave), and read nothing back."""
    case = session.get(Case, case_id)
    visible = case is not None and (
        may(current_user, Need.VIEW, case)
        or (need is Need.EXPORT and may(current_user, Need.EXPORT, case))
    )
    if not visible:
        abort(404)
    if need is not Need.VIEW and not may(current_user, need, case):
        abort(403, description=str(refusal_reason(current_user, need, case)))
    if log:
        # Committed at once, so that the access stays on record whatever the request does next.
        log_access(current_user, case.id, f"case.{need}")
        session.commit()
    return case


def requires(*roles: Role) -> Callable:
    """Allow the view to users holding any of `roles`."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.roles & set(roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def _load_user(token: str) -> User | None:
        try:
            user_id, version = (int(p) for p in token.split(":"))
        except ValueError:
            return None
        user = session.get(User, user_id)
        if user is None or user.session_version != version or not user.active:
            return None
        return user
