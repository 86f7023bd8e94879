"""Certification status: how it follows records, expiry and observed interviews (fixed dates)."""

from datetime import date

import pytest

from passport.errors import ConcurrentChange, RuleViolation
from passport.interviews.models import InterviewStatus, ParticipantRole
from passport.training import services as training
from passport.training.certification import State, add_months, certification, expertise
from tests.training_helpers import course, eligible_case, evaluator, interview, scheme

TODAY = date(2026, 6, 1)  # the "today" the record checks use in these tests


@pytest.fixture()
def national(world):
    """A scheme requiring a 24-month methodology course (renewed by a 12-month refresher)
    and a data protection course that never expires."""
    nat = scheme("NAT")
    meth = course(world, "M", title="Methodology", validity_months=24, max_score=100,
                  pass_mark=60)
    refresher = course(world, "R", "refresher", title="Refresher", renews_id=meth.id,
                       validity_months=12)
    dp = course(world, "D", "data_protection", title="Data protection")
    training.update_scheme_training(world.admin, nat, 0, {meth.id: "required",
                                                          dp.id: "required"})
    return nat, meth, refresher, dp


def test_status_follows_records_as_they_are_added_and_expire(world, national):
    nat, meth, refresher, dp = national
    person = evaluator("Nina Trainee", world.cimea)

    status = certification(person, nat, date(2024, 1, 1))
    assert status.state == State.NOT_STARTED
    assert status.reasons == ("needs the course “\u2068Data protection\u2069”",
                              "needs the course “\u2068Methodology\u2069”")

    training.add_record(world.admin, person, meth, date(2024, 3, 1), 80, today=TODAY)
    status = certification(person, nat, date(2024, 6, 1))
    assert status.state == State.TRAINEE
    assert status.reason == "needs the course “\u2068Data protection\u2069”"

    training.add_record(world.admin, person, dp, date(2024, 3, 5), today=TODAY)
    # A record counts only from the day it was completed.
    assert certification(person, nat, date(2024, 3, 4)).state == State.TRAINEE
    status = certification(person, nat, date(2025, 6, 1))
    assert status.state == State.CERTIFIED and status.certified
    assert status.lapses_on == date(2026, 3, 1)
    assert status.reason == "lapses on March 1, 2026 when “\u2068Methodology\u2069” expires"

    # Within 60 days of lapsing it is flagged, and still certified.
    status = certification(person, nat, date(2026, 1, 15))
    assert status.state == State.EXPIRING and status.certified
    assert certification(person, nat, date(2025, 12, 30)).state == State.CERTIFIED

    status = certification(person, nat, date(2026, 3, 1))
    assert status.state == State.EXPIRED and not status.certified
    assert status.reason == "“\u2068Methodology\u2069” expired on March 1, 2026"

    # A refresher renews the methodology course for its own validity.
    training.add_record(world.admin, person, refresher, date(2026, 3, 20), today=TODAY)
    status = certification(person, nat, date(2026, 4, 1))
    assert status.state == State.CERTIFIED
    assert status.lapses_on == date(2027, 3, 20)
    status = certification(person, nat, date(2027, 3, 20))
    assert status.state == State.EXPIRED
    assert status.reason == "“\u2068Refresher\u2069” expired on March 20, 2027"


def test_a_refresher_alone_does_not_certify(world, national):
    nat, meth, refresher, dp = national
    person = evaluator("Rita Refresh", world.cimea)
    training.add_record(world.admin, person, refresher, date(2025, 1, 10), today=TODAY)
    training.add_record(world.admin, person, dp, date(2025, 1, 10), today=TODAY)
    status = certification(person, nat, date(2025, 2, 1))
    assert status.reason == "needs the course “\u2068Methodology\u2069”"


def test_a_score_below_the_pass_mark_does_not_certify(world, national):
    nat, meth, _refresher, dp = national
    person = evaluator("Failing Fred", world.cimea)
    training.add_record(world.admin, person, dp, date(2025, 1, 10), today=TODAY)
    record = training.add_record(world.admin, person, meth, date(2025, 1, 10), 59, today=TODAY)
    assert not record.passed
    status = certification(person, nat, date(2025, 2, 1))
    assert status.state == State.TRAINEE
    assert status.reason == "has not passed “\u2068Methodology\u2069” (score 59; pass mark 60)"
    training.correct_record(world.admin, record, record.completed_on, 60, "",
                            "Re-marked by the examiner.", today=TODAY)
    assert certification(person, nat, date(2025, 2, 1)).certified


def test_a_scheme_without_required_courses_certifies_nobody(world):
    empty = scheme("EMPTY")
    status = certification(world.ev1, empty, TODAY)
    assert not status.certified
    assert status.reason == "the scheme does not require any course yet"


def test_observed_interviews_are_counted_from_held_interviews_of_the_scheme(world):
    required = {world.methodology.id: "required", world.data_protection.id: "required"}
    training.update_scheme_training(world.admin, world.eqpr, 2, required)
    trainee = evaluator("Tom Trainee", world.doatap)
    for c in (world.methodology, world.data_protection):
        training.add_record(world.admin, trainee, c, date(2025, 1, 1), today=TODAY)
    case = eligible_case(world)
    observer, lead = ParticipantRole.OBSERVER, ParticipantRole.LEAD

    assert certification(trainee, world.eqpr, date(2026, 1, 31)).reason == (
        "needs 2 more observed interviews"
    )
    interview(case, date(2026, 2, 1), InterviewStatus.HELD, {trainee: observer, world.ev1: lead})
    # Interviews not (yet) held do not count.
    interview(case, date(2026, 2, 10), InterviewStatus.SCHEDULED, {trainee: observer})
    interview(case, date(2026, 2, 11), InterviewStatus.CANCELLED, {trainee: observer})
    interview(case, date(2026, 2, 12), InterviewStatus.NOT_HELD, {trainee: observer})
    status = certification(trainee, world.eqpr, date(2026, 2, 15))
    assert status.state == State.TRAINEE
    assert status.reason == "needs 1 more observed interview"
    assert (status.observed, status.led, status.observed_required) == (1, 0, 2)

    interview(case, date(2026, 3, 5), InterviewStatus.HELD, {trainee: observer})
    assert certification(trainee, world.eqpr, date(2026, 3, 4)).reason == (
        "needs 1 more observed interview"
    )
    assert certification(trainee, world.eqpr, date(2026, 3, 5)).certified

    # Counted per scheme: UQP asks for one observed UQP interview.
    training.update_scheme_training(world.admin, world.uqp, 1, required)
    assert certification(trainee, world.uqp, date(2026, 3, 5)).reason == (
        "needs 1 more observed interview"
    )
    # Someone who has led a held interview of the scheme is past observing; ev2 is not.
    assert certification(world.ev1, world.eqpr, date(2026, 3, 5)).certified
    assert certification(world.ev2, world.eqpr, date(2026, 3, 5)).reason == (
        "needs 2 more observed interviews"
    )


def test_corrections_keep_every_version_and_withdrawal_removes_the_record(world, national):
    nat, meth, _refresher, dp = national
    person = evaluator("Carla Correct", world.cimea)
    training.add_record(world.admin, person, dp, date(2025, 1, 10), today=TODAY)
    first = training.add_record(world.admin, person, meth, date(2025, 1, 10), 70, "CoE",
                                today=TODAY)
    second = training.correct_record(world.coordinator, first, date(2025, 1, 12), 72, "CoE",
                                     "Date and score from the signed report.", today=TODAY)
    versions = training.record_versions(second)
    assert [(v.version, v.score, v.completed_on) for v in versions] == [
        (1, 70, date(2025, 1, 10)), (2, 72, date(2025, 1, 12))
    ]
    assert versions[0].superseded_by_id == second.id and second.current
    assert second.recorded_by_id == world.coordinator.id
    assert certification(person, nat, date(2025, 2, 1)).certified

    with pytest.raises(ConcurrentChange):  # the old version can no longer be corrected
        training.correct_record(world.admin, first, date(2025, 1, 12), 75, "", "Again.",
                                today=TODAY)
    with pytest.raises(RuleViolation, match="Nothing was changed"):
        training.correct_record(world.admin, second, date(2025, 1, 12), 72, "CoE", "Same.",
                                today=TODAY)
    with pytest.raises(RuleViolation, match="Say why"):
        training.correct_record(world.admin, second, date(2025, 1, 12), 73, "CoE", "  ",
                                today=TODAY)

    third = training.correct_record(world.admin, second, second.completed_on, 72, "CoE",
                                    "Entered for the wrong person.", withdraw=True,
                                    today=TODAY)
    assert third.withdrawn and third.version == 3
    assert certification(person, nat, date(2025, 2, 1)).reason == (
        "needs the course “\u2068Methodology\u2069”"
    )
    assert len(training.record_versions(first)) == 3


def test_expertise_from_profile_languages_and_country_modules(world):
    module = course(world, "ET-EDU", "country_module", title="Education system of Ethiopia",
                    country="ET", validity_months=36)
    person = evaluator("Kofi Knows", world.cimea)
    training.update_profile(world.admin, person, training.Profile(
        world.cimea.id, "Europe/Rome", (("am", "B1"), ("so", "native")), ("ER",)))
    known = expertise([person.id], date(2026, 1, 1))[person.id]
    assert known.knows("ER")  # the education system, from the profile
    assert known.knows("SO")  # Somali is an official language of Somalia
    assert not known.knows("ET")  # Amharic at B1 is below the B2 the rule asks for
    training.add_record(world.admin, person, module, date(2025, 5, 1), today=TODAY)
    assert expertise([person.id], date(2026, 1, 1))[person.id].knows("ET")
    # The module expires after 36 months.
    assert not expertise([person.id], add_months(date(2025, 5, 1), 36))[person.id].knows("ET")
