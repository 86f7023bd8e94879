"""The gate on assignment: each rule refusing and allowing, in the service and on the page."""

from datetime import date, timedelta

import pytest

from passport.access import Need, may
from passport.cases import services as cases
from passport.cases.models import Assignment
from passport.cases.workflow import CaseStatus
from passport.db import session
from passport.errors import RuleViolation
from passport.interviews.models import InterviewStatus
from passport.training import services as training
from passport.training.certification import add_months
from tests.conftest import login, post_form
from tests.training_helpers import course, eligible_case, evaluator, interview


def _assigned(case):
    session.refresh(case)
    return sorted((a.user.name, a.role) for a in case.assignments)


def test_refuses_an_evaluator_who_is_not_certified_and_allows_certified_ones(world):
    case = eligible_case(world)
    newcomer = evaluator("Nora Newcomer", world.doatap)
    with pytest.raises(RuleViolation) as refused:
        cases.assign_evaluators(world.coordinator, case, world.ev1, newcomer)
    assert str(refused.value.message).startswith(
        "Nora Newcomer is not certified to lead interviews for EQPR on "
    )
    assert "needs the course “\u2068Data protection\u2069”" in str(refused.value.message)
    assert case.status == CaseStatus.ELIGIBLE and _assigned(case) == []

    cases.assign_evaluators(world.coordinator, case, world.ev1, world.ev3)
    assert case.status == CaseStatus.EVALUATORS_ASSIGNED
    assert _assigned(case) == [("Eleni Eval", "evaluator"), ("Ingrid Eval", "evaluator")]


def test_certification_is_checked_for_the_interview_date(world):
    """The scheduled interview's date when there is one, else today, unless a date is given."""
    law = course(world, "LAW", "data_protection", title="Data law", validity_months=12)
    required = {world.methodology.id: "required", world.data_protection.id: "required",
                law.id: "required"}
    training.update_scheme_training(world.admin, world.eqpr, 0, required)
    completed = date.today() - timedelta(days=30)
    for person in (world.ev1, world.ev2):
        training.add_record(world.admin, person, law, completed)
    lapse = add_months(completed, 12)
    case = eligible_case(world)

    with pytest.raises(RuleViolation, match="expired on"):
        cases.assign_evaluators(world.coordinator, case, world.ev1, world.ev2, on_date=lapse)
    planned = interview(case, lapse + timedelta(days=10), InterviewStatus.SCHEDULED)
    with pytest.raises(RuleViolation, match="is not certified to lead interviews for EQPR"):
        cases.assign_evaluators(world.coordinator, case, world.ev1, world.ev2)
    assert case.status == CaseStatus.ELIGIBLE

    planned.status = InterviewStatus.CANCELLED  # no interview planned: today counts
    session.commit()
    cases.assign_evaluators(world.coordinator, case, world.ev1, world.ev2)
    assert case.status == CaseStatus.EVALUATORS_ASSIGNED


def test_refuses_two_evaluators_of_one_centre_and_allows_two_centres(world):
    case = eligible_case(world)
    with pytest.raises(RuleViolation, match="two different centres; both are from NOKUT"):
        cases.assign_evaluators(world.coordinator, case, world.ev1, world.ev_same_centre)
    assert _assigned(case) == []
    cases.assign_evaluators(world.coordinator, case, world.ev_same_centre, world.ev2)
    assert _assigned(case) == [("Giulia Eval", "evaluator"), ("Lars Eval", "evaluator")]


def test_refuses_a_pair_that_knows_neither_the_education_system_nor_a_language(world):
    case = eligible_case(world, country="ET")  # Ethiopia: Amharic
    with pytest.raises(RuleViolation) as refused:
        cases.assign_evaluators(world.coordinator, case, world.ev1, world.ev2)
    assert str(refused.value.message) == (
        "Neither Ingrid Eval nor Giulia Eval knows the education system of Ethiopia or speaks "
        "Amharic at level B2 or above."
    )
    # Amharic below B2 is not enough.
    profile = training.profile_of(world.ev2)
    training.update_profile(world.admin, world.ev2, training.Profile(
        profile.centre_id, profile.timezone, (*profile.languages, ("am", "B1")),
        profile.countries))
    with pytest.raises(RuleViolation, match="Neither"):
        cases.assign_evaluators(world.coordinator, case, world.ev1, world.ev2)
    assert _assigned(case) == []

    training.update_profile(world.admin, world.ev2, training.Profile(
        profile.centre_id, profile.timezone, (*profile.languages, ("am", "B2")),
        profile.countries))
    cases.assign_evaluators(world.coordinator, case, world.ev1, world.ev2)
    assert case.status == CaseStatus.EVALUATORS_ASSIGNED


def test_knowing_the_education_system_is_enough(world):
    case = eligible_case(world, country="ET")
    profile = training.profile_of(world.ev3)
    training.update_profile(world.admin, world.ev3, training.Profile(
        profile.centre_id, profile.timezone, (), ("ET",)))
    cases.assign_evaluators(world.coordinator, case, world.ev1, world.ev3)
    assert case.status == CaseStatus.EVALUATORS_ASSIGNED


def test_a_trainee_may_observe_but_not_lead_or_assess(world, client):
    case = eligible_case(world)
    trainee = evaluator("Tara Trainee", world.doatap, email="tara@test.org")
    cases.assign_evaluators(world.coordinator, case, world.ev1, world.ev2)
    cases.add_observer(world.coordinator, case, trainee)
    assert [u.name for u in case.observers] == ["Tara Trainee"]
    assert may(trainee, Need.VIEW, case) and not may(trainee, Need.ASSESS, case)
    with pytest.raises(RuleViolation, match="already on this case"):
        cases.add_observer(world.coordinator, case, trainee)
    with pytest.raises(RuleViolation, match="not an active evaluator"):
        cases.add_observer(world.coordinator, case, world.other_coordinator)
    with pytest.raises(RuleViolation, match="Tara Trainee is not certified"):
        cases.assign_evaluators(world.coordinator, case, world.ev1, trainee)

    # Once certified, the observer can be made a lead, and stops being an observer.
    for c in (world.methodology, world.data_protection):
        training.add_record(world.admin, trainee, c, date(2025, 1, 1))
    cases.assign_evaluators(world.coordinator, case, world.ev1, trainee)
    assert _assigned(case) == [("Ingrid Eval", "evaluator"), ("Tara Trainee", "evaluator")]

    cases.add_observer(world.coordinator, case, world.ev2)
    cases.remove_observer(world.coordinator, case, world.ev2)
    assert session.query(Assignment).filter_by(case_id=case.id, role="observer").count() == 0
    login(client, "coord@test.org")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Kari Coord added Giulia Eval as an observer." in page
    assert "Kari Coord removed the observer Giulia Eval." in page


def test_the_page_shows_why_an_assignment_is_refused(world, client):
    case = eligible_case(world, country="ET")
    newcomer = evaluator("Nora Newcomer", world.doatap)
    login(client, "coord@test.org")
    form_page = client.get(f"/cases/{case.id}/evaluators").get_data(as_text=True)
    assert "Nora Newcomer (DOATAP) · No training yet" in form_page
    assert "Ingrid Eval (NOKUT) · Certified" in form_page

    response = post_form(client, f"/cases/{case.id}/evaluators",
                         {"first": world.ev1.id, "second": newcomer.id})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nora Newcomer is not certified to lead interviews for EQPR" in page
    assert "aria-describedby=\"second-error\"" in page

    response = post_form(client, f"/cases/{case.id}/evaluators",
                         {"first": world.ev1.id, "second": world.ev2.id})
    assert response.status_code == 422
    assert "knows the education system of Ethiopia" in response.get_data(as_text=True)
    assert _assigned(case) == []

    # Observers through the page.
    response = post_form(client, f"/cases/{case.id}/observers",
                         {"observer-observer": newcomer.id},
                         form_page=f"/cases/{case.id}/evaluators")
    assert response.status_code == 302
    assert _assigned(case) == [("Nora Newcomer", "observer")]
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Observers: <bdi>Nora Newcomer</bdi>" in page
