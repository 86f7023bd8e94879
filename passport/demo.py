"""Demo data: schemes, centres, staff and candidates at different steps of the path.

Built through the same service functions as the pages, so the demo cases carry a real history.
Running it twice changes nothing the second time.
"""

from __future__ import annotations

from sqlalchemy import select

from passport.auth.models import Role, User
from passport.auth.services import create_user
from passport.cases import services as cases
from passport.db import session
from passport.interviews.services import AssessmentData, save_assessment
from passport.org.models import Centre, Scheme
from passport.review import services as review
from passport.training import demo as training_demo

PASSWORD = "demo-passport-2026"

STAFF = [
    ("admin@example.org", "Ada Administrator", [Role.ADMINISTRATOR], None, [], "administrator"),
    ("coordinator@example.org", "Kari Nordmann", [Role.COORDINATOR], "NOKUT", ["EQPR", "UQP"],
     "coordinator of EQPR and UQP"),
    ("coordinator2@example.org", "Marco Bianchi", [Role.COORDINATOR], "CIMEA", ["UQP"],
     "coordinator of UQP only"),
    ("evaluator@example.org", "Ingrid Haugen", [Role.EVALUATOR], "NOKUT", [],
     "evaluator at NOKUT (Norway)"),
    ("evaluator2@example.org", "Giulia Romano", [Role.EVALUATOR], "CIMEA", [],
     "evaluator at CIMEA (Italy)"),
    ("evaluator3@example.org", "Eleni Papadopoulou", [Role.EVALUATOR], "DOATAP", [],
     "evaluator at DOATAP (Greece), certification lapses soon"),
    ("evaluator4@example.org", "Lars Berg", [Role.EVALUATOR], "NOKUT", [],
     "evaluator at NOKUT (Norway), trainee"),
    ("evaluator5@example.org", "Paolo Conti", [Role.EVALUATOR], "CIMEA", [],
     "evaluator at CIMEA (Italy), training expired"),
]

CANDIDATES = [
    # given, family, native, born, nationality, qualification country, scheme, step
    ("Amina", "Haddad", "أمينة حداد", "1991-03", "SY", "SY", "EQPR", "draft"),
    ("Yonas", "Tesfay", "ዮናስ ተስፋይ", "1994", "ER", "ER", "EQPR", "eligible"),
    ("Olena", "Kovalenko", "Олена Коваленко", "1988-11-02", "UA", "UA", "EQPR", "assigned"),
    ("Ahmad", "Rahimi", "احمد رحیمی", "1985", "AF", "AF", "EQPR", "submitted"),
    ("Samir", "Aziz", "سمير عزيز", "1990-07", "IQ", "IQ", "UQP", "returned"),
    ("Lina", "Mansour", "لينا منصور", "1993-05-14", "SY", "SY", "EQPR", "issued"),
]


def _assessment(title: str, field: str) -> AssessmentData:
    return AssessmentData(
        level="bachelor",
        qualification_title=title,
        field_of_study=field,
        institution="University of Damascus",
        completed=True,
        years_completed=4,
        summary=(
            "The candidate described the curriculum, the final project and the practical "
            "training in detail and consistently with the documents available. The evaluators "
            "find that the candidate holds a completed four-year bachelor's degree."
        ),
    )


def load() -> list[tuple[str, str, str]]:
    logins = [(email, PASSWORD, what) for email, _n, _r, _c, _s, what in STAFF]
    if session.scalar(select(Scheme).where(Scheme.code == "EQPR")) is not None:
        return logins

    schemes = {
        "EQPR": Scheme(code="EQPR", name="European Qualifications Passport for Refugees",
                       issuing_body="Council of Europe", validity_years=5),
        "UQP": Scheme(code="UQP", name="UNESCO Qualifications Passport",
                      issuing_body="UNESCO", validity_years=5),
    }
    centres = {
        "NOKUT": Centre(name="NOKUT", country="NO"),
        "CIMEA": Centre(name="CIMEA", country="IT"),
        "DOATAP": Centre(name="DOATAP", country="GR"),
    }
    session.add_all([*schemes.values(), *centres.values()])
    session.commit()

    users: dict[str, User] = {}
    for email, name, roles, centre, coordinated, _what in STAFF:
        users[email] = create_user(
            email, name, roles, PASSWORD,
            centre=centres.get(centre) if centre else None,
            schemes=[schemes[c] for c in coordinated],
            timezone="Europe/Oslo" if centre == "NOKUT" else "Europe/Rome",
        )

    coordinator = users["coordinator@example.org"]
    first, second = users["evaluator@example.org"], users["evaluator2@example.org"]
    training_demo.load_training(users["admin@example.org"], users)
    cases_by_step = {}
    for given, family, native, born, nationality, qual_country, code, step in CANDIDATES:
        case = cases.create_case(
            coordinator,
            schemes[code],
            cases.CandidateData(
                given_name=given, family_name=family, native_name=native, birth_date=born,
                nationality=nationality, country_of_origin=nationality, host_country="NO",
            ),
            qual_country,
        )
        cases_by_step[step] = case
        if step == "draft":
            continue
        cases.screen(coordinator, case, eligible=True)
        if step == "eligible":
            continue
        cases.assign_evaluators(coordinator, case, first, second)
        if step == "assigned":
            continue
        save_assessment(first, case, _assessment("Bachelor of Civil Engineering",
                                                 "Civil engineering"), submit=True)
        if step == "submitted":
            continue
        if step == "returned":
            review.return_to_evaluators(
                coordinator, case, "Please state how many years of study were completed."
            )
            continue
        review.approve(coordinator, case, "Consistent and well documented.")
    training_demo.load_interview_history(users, schemes, cases_by_step)
    return logins
