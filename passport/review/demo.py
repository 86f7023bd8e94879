"""Demo data for review and the passport's life: cases waiting in the queue (one where the
evaluators disagree), a case closed without a passport with an appeal, and passports that are
valid, superseded, revoked and expired. Built through the service functions; idempotent."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete, select, update

from passport.auth.models import User
from passport.cases import services as cases
from passport.cases import workflow
from passport.cases.models import Candidate, Case
from passport.db import session, utcnow
from passport.interviews.conclusions import ConclusionData, save_conclusion
from passport.interviews.models import Assessment, Interview, InterviewStatus
from passport.interviews.services import AssessmentData, current_assessment, save_assessment
from passport.org.models import Scheme
from passport.passports import lifecycle
from passport.passports.models import Passport, PassportFile
from passport.passports.services import add_years, seal
from passport.review import appeals
from passport.review import services as review

MARKER = ("Rami", "Darwish")

# given, family, native, born, nationality, scheme, what happens, days ago it was submitted
CASES = [
    ("Rami", "Darwish", "رامي درويش", "1990-02", "SY", "EQPR", "disagree", 9),
    ("Tesfaye", "Haile", "ተስፋየ ሃይለ", "1987", "ER", "EQPR", "review", 16),
    ("Zainab", "Karimi", "زینب کریمی", "1995-09", "AF", "UQP", "review", 2),
    ("Omar", "Farouk", "عمر فاروق", "1983-12", "IQ", "EQPR", "superseded", 40),
    ("Iryna", "Bondar", "Ірина Бондар", "1991-07-30", "UA", "EQPR", "revoked", 70),
    ("Khaled", "Nasser", "خالد ناصر", "1979", "SY", "EQPR", "expired", 100),
    ("Selam", "Gebre", "ሰላም ገብረ", "1996-01", "ER", "UQP", "closed", 5),
]


def _data(title: str, field: str, years: int = 4) -> AssessmentData:
    return AssessmentData(
        level="bachelor", qualification_title=title, field_of_study=field,
        institution="University of Aleppo", completed=True, years_completed=years,
        summary="The candidate described the programme, its main courses and the final "
                "project in detail; the account is consistent with the documents shown.",
    )


def _submitted(coordinator: User, first: User, second: User, scheme: Scheme, row) -> Case:
    given, family, native, born, nationality, _code, what, days = row
    case = cases.create_case(
        coordinator, scheme,
        cases.CandidateData(given_name=given, family_name=family, native_name=native,
                            birth_date=born, nationality=nationality,
                            country_of_origin=nationality, host_country="NO",
                            email=f"{given.lower()}.{family.lower()}@example.org",
                            preferred_language="ar" if nationality in {"SY", "IQ"} else "en"),
        nationality,
    )
    cases.screen(coordinator, case, eligible=True)
    cases.assign_evaluators(coordinator, case, first, second)
    session.add(Interview(case_id=case.id, starts_at=utcnow() - timedelta(days=days + 3),
                          status=InterviewStatus.HELD, language="en", interpreter="Arabic"
                          if nationality in {"SY", "IQ"} else ""))
    # An interview held in the past: the case passed through scheduling and the interview.
    workflow.apply(case, "schedule_interview", coordinator)
    workflow.apply(case, "record_interview", first)
    data = _data("Bachelor of Mechanical Engineering", "Mechanical engineering")
    save_assessment(first, case, data, submit=False)
    if what == "disagree":
        assessment = current_assessment(case)
        save_conclusion(first, case, assessment, ConclusionData(
            "bachelor", True, 4, "Four-year bachelor, completed; the transcript confirms it."),
            submit=True)
        save_conclusion(second, case, assessment, ConclusionData(
            "master", False, 1, "Bachelor completed, and one year of a master's programme."),
            submit=True)
    save_assessment(first, case, data, submit=True)
    # The demo spreads the cases over the past weeks, so waiting times and months differ.
    when = utcnow() - timedelta(days=days)
    session.execute(update(Assessment).where(Assessment.case_id == case.id)
                    .values(submitted_at=when))
    session.execute(update(Case).where(Case.id == case.id).values(updated_at=when))
    session.commit()
    return case


def _issued_as_of(passport: Passport, issued_on: date, valid_until: date) -> None:
    """Demo passports span past months and years: date one as if issued then, with the dates
    in its signed data, its signature and its PDF agreeing with the record."""
    snapshot = dict(passport.snapshot, issued_on=issued_on.isoformat(),
                    valid_until=valid_until.isoformat())
    passport.snapshot = snapshot
    passport.issued_on, passport.valid_until = issued_on, valid_until
    session.execute(delete(PassportFile).where(PassportFile.passport_id == passport.id))
    seal(passport)


def load(users: dict[str, User]) -> None:
    if session.scalar(select(Candidate.id).where(Candidate.given_name == MARKER[0],
                                                 Candidate.family_name == MARKER[1])):
        return
    coordinator, coordinator2 = users["coordinator@example.org"], users["coordinator2@example.org"]
    first, second = users["evaluator@example.org"], users["evaluator2@example.org"]
    schemes = {s.code: s for s in session.scalars(select(Scheme))}
    today = utcnow().date()
    for row in CASES:
        what, days = row[6], row[7]
        case = _submitted(coordinator, first, second, schemes[row[5]], row)
        if what in {"disagree", "review"}:
            continue
        if what == "closed":
            review.close_without_passport(coordinator, case, "not_enough_evidence",
                                          "The interview did not confirm the final year.")
            appeals.submit(case, "I can send the certificate of my final year now.")
            continue
        passport = review.approve(coordinator, case, "Consistent and well documented.",
                                  language="ar" if row[4] in {"SY", "IQ"} else None)
        issued = today - timedelta(days=days - 1)
        if what == "expired":
            _issued_as_of(passport, issued - timedelta(days=5 * 365), issued - timedelta(days=1))
        else:
            _issued_as_of(passport, issued, add_years(issued, passport.scheme.validity_years))
        session.commit()
        session.refresh(passport)
        if what == "superseded":
            lifecycle.reissue(coordinator, passport, "The field of study was misspelt.")
        elif what == "revoked":
            lifecycle.revoke(coordinator, passport,
                             "The diploma shown at the interview was found to be forged.")
    lifecycle.expire_due()
    # An upcoming interview for the dashboard's evaluator load.
    assigned = session.scalar(select(Case).where(Case.status == "evaluators_assigned"))
    if assigned is not None:
        session.add(Interview(case_id=assigned.id, starts_at=utcnow() + timedelta(days=2),
                              status=InterviewStatus.SCHEDULED, language="uk"))
    session.commit()
    del coordinator2  # UQP appeals go to the other UQP coordinator automatically
