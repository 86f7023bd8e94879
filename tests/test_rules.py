"""The rules of the method, checked in the service functions so every way in obeys them."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from passport.auth.models import User
from passport.cases import workflow
from passport.cases.models import Assignment, Case
from passport.cases.services import assign_evaluators, screen
from passport.db import session
from passport.errors import ConcurrentChange, InvalidTransition, RuleViolation, ServiceError
from passport.interviews.models import Assessment
from passport.interviews.services import save_assessment
from passport.passports.models import Passport
from passport.passports.numbering import format_number, is_valid_number
from passport.passports.services import add_years
from passport.review import services as review
from passport.review.models import ReviewDecision
from tests.conftest import PG_URL, assessment_data, login, post_form


def count(model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture()
def eligible(world):
    case = world.new_case()
    screen(world.coordinator, case, eligible=True)
    return case


def assert_not_assigned(case) -> None:
    session.expire_all()
    assert case.status == "eligible"
    assert case.evaluators == []
    assert count(Assignment) == 0


def test_two_evaluators_from_the_same_centre_are_refused(world, eligible):
    with pytest.raises(RuleViolation) as refused:
        assign_evaluators(world.coordinator, eligible, world.ev1, world.ev_same_centre)
    assert "NOKUT" in str(refused.value.message)
    assert "two different centres" in str(refused.value.message)
    assert_not_assigned(eligible)


def test_the_same_person_twice_is_refused(world, eligible):
    with pytest.raises(RuleViolation):
        assign_evaluators(world.coordinator, eligible, world.ev1, world.ev1)
    assert_not_assigned(eligible)


def test_someone_who_is_not_an_evaluator_is_refused(world, eligible):
    with pytest.raises(RuleViolation) as refused:
        assign_evaluators(world.coordinator, eligible, world.ev1, world.other_coordinator)
    assert "Marco Coord is not an active evaluator" in str(refused.value.message)
    assert_not_assigned(eligible)


def test_an_inactive_evaluator_is_refused(world, eligible):
    world.ev2.active = False
    session.commit()
    with pytest.raises(RuleViolation):
        assign_evaluators(world.coordinator, eligible, world.ev1, world.ev2)
    assert_not_assigned(eligible)


def test_only_a_coordinator_of_the_scheme_may_assign(world, eligible):
    with pytest.raises(RuleViolation):
        assign_evaluators(world.other_coordinator, eligible, world.ev1, world.ev2)
    assert_not_assigned(eligible)


def test_the_assignment_page_shows_the_centre_rule_next_to_the_field(app, world, eligible):
    client = app.test_client()
    login(client, "coord@test.org")
    response = post_form(client, f"/cases/{eligible.id}/evaluators",
                         {"first": world.ev1.id, "second": world.ev_same_centre.id})
    assert response.status_code == 422
    assert 'id="second-error"' in response.get_data(as_text=True)
    assert "both are from NOKUT" in response.get_data(as_text=True)
    assert_not_assigned(eligible)


def test_reassigning_replaces_the_pair(world):
    case = world.assigned_case()
    assign_evaluators(world.coordinator, case, world.ev3, world.ev2)
    session.expire_all()
    assert {u.email for u in case.evaluators} == {"ev3@test.org", "ev2@test.org"}


def test_approve_is_refused_until_an_assessment_is_submitted(world):
    case = world.assigned_case()
    with pytest.raises(InvalidTransition):
        workflow.apply(case, "approve", world.coordinator)
    save_assessment(world.ev1, case, assessment_data(), submit=False)  # a draft only
    with pytest.raises(InvalidTransition):
        review.approve(world.coordinator, case)
    session.rollback()
    assert case.status == "evaluators_assigned"
    assert count(Passport) == 0
    assert count(ReviewDecision) == 0


def test_a_step_cannot_be_skipped_or_repeated(world):
    case = world.new_case()
    with pytest.raises(InvalidTransition) as refused:
        workflow.apply(case, "assign_evaluators", world.coordinator)
    assert "Draft" in str(refused.value.message)
    case, _passport = world.issued_case()
    with pytest.raises(InvalidTransition):
        review.approve(world.coordinator, case)
    session.rollback()
    assert count(Passport) == 1


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_a_reason_is_required_to_return(world, reason):
    case = world.submitted_case()
    with pytest.raises(RuleViolation):
        review.return_to_evaluators(world.coordinator, case, reason)
    session.rollback()
    assert case.status == "assessment_submitted"
    assert count(ReviewDecision) == 0


def test_a_reason_is_required_to_find_a_case_not_eligible(world):
    case = world.new_case()
    with pytest.raises(RuleViolation):
        screen(world.coordinator, case, eligible=False, reason=" ")
    session.rollback()
    assert case.status == "draft"
    screen(world.coordinator, case, eligible=False, reason="Holds no qualification to assess.")
    assert case.status == "ineligible"
    assert case.closed_reason == "Holds no qualification to assess."


def test_the_return_form_without_a_comment_says_so_and_changes_nothing(app, world):
    case = world.submitted_case()
    client = app.test_client()
    login(client, "coord@test.org")
    response = post_form(client, f"/cases/{case.id}/return", {"comment": ""},
                         form_page=f"/cases/{case.id}/review")
    assert response.status_code == 422
    assert 'id="return-comment-error"' in response.get_data(as_text=True)
    assert case.status == "assessment_submitted"


def test_passport_numbers_carry_a_check_character():
    number = format_number("EQPR", 2026, 42)
    assert number.startswith("EQPR-2026-00042-")
    assert is_valid_number(number)
    assert is_valid_number(number.lower())  # typed in lower case
    assert is_valid_number(f"  {number} ")


def test_a_mistyped_passport_number_fails_the_check():
    number = format_number("EQPR", 2026, 42)
    assert not is_valid_number(number.replace("00042", "00043"))  # one wrong digit
    assert not is_valid_number(number.replace("00042", "00024"))  # two digits swapped
    assert not is_valid_number(number.replace("2026", "2062"))
    check = number[-1]
    other = "0" if check != "0" else "1"
    assert not is_valid_number(number[:-1] + other)  # wrong check character
    for garbage in ("", "EQPR", "EQPR-2026-42", "EQPR-2026-00042-", "hello world"):
        assert not is_valid_number(garbage)


def test_serial_numbers_count_up_per_scheme(world):
    _first_case, first = world.issued_case()
    _second_case, second = world.issued_case(given_name="Yonas", family_name="Tesfay")
    year = first.issued_on.year
    assert first.number == format_number("EQPR", year, 1)
    assert second.number == format_number("EQPR", year, 2)
    assert first.public_id != second.public_id


def test_validity_is_the_issue_date_plus_the_schemes_years(world):
    _case, eqpr = world.issued_case()
    assert eqpr.valid_until == add_years(eqpr.issued_on, 5)
    assert eqpr.valid_until == eqpr.issued_on.replace(year=eqpr.issued_on.year + 5) or (
        eqpr.issued_on.month == 2 and eqpr.issued_on.day == 29
    )

    world.uqp.coordinators.append(world.coordinator)  # UQP: 3 years in this world
    session.commit()
    _case, uqp = world.issued_case(scheme=world.uqp)
    assert uqp.number.startswith("UQP-")
    assert uqp.valid_until == add_years(uqp.issued_on, 3)
    assert uqp.snapshot["valid_until"] == uqp.valid_until.isoformat()


def test_validity_from_the_29th_of_february():
    assert add_years(date(2024, 2, 29), 5) == date(2029, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert add_years(date(2026, 3, 1), 3) == date(2029, 3, 1)


def test_expired_passport_says_so(world):
    _case, passport = world.issued_case()
    assert passport.effective_status(passport.valid_until) == "valid"
    assert passport.effective_status(add_years(passport.valid_until, 1)) == "expired"


@pytest.mark.skipif(not PG_URL, reason="real concurrent writers need PostgreSQL")
def test_two_coordinators_approving_at_once_give_exactly_one_passport(app, world):
    from passport.auth.services import create_user

    second = create_user("coord3@test.org", "Sofia Coord", world.coordinator.roles,
                         "correct-horse-battery-staple", centre=world.doatap,
                         schemes=[world.eqpr])
    case = world.submitted_case()
    case_id, approvers = case.id, [world.coordinator.id, second.id]
    session.commit()

    barrier = threading.Barrier(2, timeout=30)
    results: list[object] = []

    def approve(user_id: int) -> None:
        with app.app_context():
            actor = session.get(User, user_id)
            target = session.get(Case, case_id)
            assert target.status == "assessment_submitted"
            barrier.wait()  # both have read the case as "submitted" before either writes
            try:
                results.append(review.approve(actor, target).number)
            except ServiceError as exc:
                results.append(exc)

    threads = [threading.Thread(target=approve, args=(uid,)) for uid in approvers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    numbers = [r for r in results if isinstance(r, str)]
    refusals = [r for r in results if isinstance(r, ServiceError)]
    assert len(numbers) == 1, results
    assert len(refusals) == 1, results
    assert isinstance(refusals[0], ConcurrentChange | InvalidTransition)

    session.expire_all()
    assert count(Passport) == 1
    assert session.get(Case, case_id).status == "passport_issued"
    assert session.scalar(select(func.count()).select_from(ReviewDecision)) == 1
    assert session.scalars(select(Passport.number)).one() == numbers[0]


def test_a_submitted_assessment_can_no_longer_be_changed(app, world):
    case = world.submitted_case()
    client = app.test_client()
    login(client, "ev1@test.org")
    path = f"/cases/{case.id}/assessment"
    response = post_form(client, path, {"level": "doctorate", "qualification_title": "Changed",
                                        "field_of_study": "Changed", "summary": "Changed",
                                        "save": "1"})
    assert "can no longer be changed" in response.get_data(as_text=True)
    assert case.status == "assessment_submitted"
    titles = session.scalars(select(Assessment.qualification_title)).all()
    assert titles == ["Bachelor of Civil Engineering"]
