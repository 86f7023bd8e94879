"""Small builders shared by the training tests."""

from __future__ import annotations

from datetime import UTC, datetime

from passport.auth.models import Role, User, UserRole
from passport.cases import services as cases
from passport.db import session
from passport.interviews.models import Interview, InterviewParticipant
from passport.org.models import Scheme
from passport.training import services as training


def course(world, code, kind="methodology", **fields):
    title = fields.pop("title", code.title())
    return training.create_course(
        world.admin, training.CourseData(code=code, title=title, kind=kind, **fields)
    )


def evaluator(name, centre, email=None):
    """An evaluator without training, made directly (no password hashing: fast)."""
    person = User(
        email=email or f"{name.lower().replace(' ', '.')}@test.org", name=name,
        password_hash="x", centre=centre, role_rows=[UserRole(role=Role.EVALUATOR)],
    )
    session.add(person)
    session.commit()
    return person


def scheme(code="NAT", observed=0):
    row = Scheme(code=code, name=f"{code} scheme", issuing_body="Test",
                 observed_interviews_required=observed)
    session.add(row)
    session.commit()
    return row


def eligible_case(world, country="SY", scheme=None):
    case = cases.create_case(
        world.coordinator, scheme or world.eqpr,
        cases.CandidateData(given_name="Amina", family_name="Haddad", birth_date="1991",
                            nationality=country, country_of_origin=country, host_country="NO"),
        country,
    )
    cases.screen(world.coordinator, case, eligible=True)
    return case


def interview(case, when, status, people=None):
    """An interview of `case` at 09:00 UTC on `when`, with {user: role} participants."""
    row = Interview(case_id=case.id, starts_at=datetime(when.year, when.month, when.day, 9,
                                                        tzinfo=UTC), status=status)
    session.add(row)
    session.flush()
    for person, role in (people or {}).items():
        session.add(InterviewParticipant(interview_id=row.id, user_id=person.id, role=role))
    session.commit()
    return row
