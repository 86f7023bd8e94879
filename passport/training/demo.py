"""Demo training data: courses, scheme requirements, evaluator profiles and records, so that the
demo has evaluators in every state (certified, lapsing soon, expired, trainee).

Dates are relative to the day the demo is loaded, so the states hold whenever it is run.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from sqlalchemy import select

from passport.auth.models import User
from passport.cases import services as cases
from passport.cases.models import Case
from passport.db import session, utcnow
from passport.interviews.models import (
    Interview,
    InterviewParticipant,
    InterviewStatus,
    ParticipantRole,
)
from passport.org.models import Scheme
from passport.training import services as training
from passport.training.certification import add_months
from passport.training.models import Course

COURSES = [
    # code, title, kind, extra
    ("METH", "Interview methodology for qualifications passports", "methodology",
     {"validity_months": 24, "max_score": 100, "pass_mark": 60,
      "description": "Three days: the structured interview, the assessment form, writing the "
                     "passport, and practice interviews with feedback."}),
    ("REFR", "Methodology refresher", "refresher",
     {"validity_months": 24, "renews": "METH",
      "description": "One day, every two years: changes to the method and case discussions."}),
    ("DP", "Data protection and confidentiality", "data_protection",
     {"validity_months": 24,
      "description": "Handling refugees' personal data and documents; GDPR in practice."}),
    ("SY-EDU", "Education system of Syria", "country_module", {"country": "SY"}),
    ("AF-EDU", "Education system of Afghanistan", "country_module", {"country": "AF"}),
]

PROFILES = {
    # email: time zone, languages, education systems known
    "evaluator@example.org": ("Europe/Oslo", (("nb", "native"), ("en", "C2"), ("ar", "B2")),
                              ("IQ", "SY")),
    "evaluator2@example.org": ("Europe/Rome",
                               (("it", "native"), ("en", "C1"), ("uk", "B2"), ("fa", "B2"),
                                ("ru", "C1")),
                               ("AF", "ER", "UA")),
    "evaluator3@example.org": ("Europe/Athens", (("el", "native"), ("en", "C1"), ("ar", "B1")),
                               ("IQ",)),
    "evaluator4@example.org": ("Europe/Oslo", (("nb", "native"), ("en", "C1"), ("ti", "B2")),
                               ("ER",)),
    "evaluator5@example.org": ("Europe/Rome", (("it", "native"), ("en", "B2"), ("fa", "C1")),
                               ("AF", "IR")),
}


def _certificate(name: str, course: str, day: date) -> training.Upload:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    pdf.setTitle("Certificate of completion")
    pdf.setFont("Helvetica-Bold", 22)
    pdf.drawString(72, 720, "Certificate of completion")
    pdf.setFont("Helvetica", 13)
    pdf.drawString(72, 680, f"{name} completed “{course}”")
    pdf.drawString(72, 660, f"on {day.isoformat()}.")
    pdf.showPage()
    pdf.save()
    return training.Upload("certificate.pdf", out.getvalue())


def load_training(admin: User, users: dict[str, User]) -> None:
    today = date.today()
    courses: dict[str, Course] = {}
    for code, title, kind, extra in COURSES:
        extra = dict(extra)
        renews = extra.pop("renews", None)
        courses[code] = training.create_course(admin, training.CourseData(
            code=code, title=title, kind=kind,
            renews_id=courses[renews].id if renews else None, **extra,
        ))
    # No observed interviews are asked for yet: the network starts with its experienced
    # evaluators; the requirement is raised once interviews are on record (see below).
    for scheme in session.scalars(select(Scheme)).all():
        training.update_scheme_training(admin, scheme, 0, _requirements(courses, scheme.code))

    def months_ago(n: int) -> date:
        return add_months(today, -n)

    ingrid, giulia = users["evaluator@example.org"], users["evaluator2@example.org"]
    eleni, lars = users["evaluator3@example.org"], users["evaluator4@example.org"]
    paolo = users["evaluator5@example.org"]
    meth, refr, dp = courses["METH"], courses["REFR"], courses["DP"]
    add = training.add_record
    # Certified.
    add(admin, ingrid, meth, months_ago(14), 88, "Council of Europe",
        _certificate(ingrid.name, meth.title, months_ago(14)))
    add(admin, ingrid, dp, months_ago(8), None, "NOKUT")
    add(admin, ingrid, courses["SY-EDU"], months_ago(20), None, "NOKUT")
    # Certified through a refresher: the methodology course itself has expired.
    add(admin, giulia, meth, months_ago(30), 79, "Council of Europe")
    add(admin, giulia, refr, months_ago(5), None, "CIMEA")
    add(admin, giulia, dp, months_ago(11), None, "CIMEA")
    add(admin, giulia, courses["AF-EDU"], months_ago(26), None, "CIMEA")
    # Lapses soon: data protection expires in 40 days.
    add(admin, eleni, meth, months_ago(20), 91, "Council of Europe")
    add(admin, eleni, dp, add_months(today + timedelta(days=40), -24), None, "DOATAP")
    # Trainee: courses done (one record corrected), still observing interviews.
    wrong = add(admin, lars, meth, months_ago(3), 57, "Council of Europe")
    training.correct_record(admin, wrong, wrong.completed_on, 75, wrong.provider,
                            "The score was typed wrong; the course report says 75.")
    add(admin, lars, dp, months_ago(2), None, "NOKUT")
    # Expired: both required courses have lapsed.
    add(admin, paolo, meth, months_ago(40), 70, "Council of Europe")
    add(admin, paolo, dp, months_ago(27), None, "CIMEA")

    for email, (timezone, languages, countries) in PROFILES.items():
        person = users[email]
        training.update_profile(admin, person, training.Profile(
            person.centre_id, timezone, languages, countries))


def _requirements(courses: dict[str, Course], scheme_code: str) -> dict[int, str]:
    wanted = {courses["METH"].id: "required", courses["DP"].id: "required"}
    if scheme_code == "EQPR":
        wanted.update({courses["SY-EDU"].id: "recommended", courses["AF-EDU"].id: "recommended"})
    return wanted


def load_interview_history(
    users: dict[str, User], schemes: dict[str, Scheme], cases_by_step: dict[str, Case]
) -> None:
    """Held interviews of the demo cases that got that far, with their leads and observers,
    then the schemes' observation requirement."""
    ingrid, giulia = users["evaluator@example.org"], users["evaluator2@example.org"]
    eleni, lars = users["evaluator3@example.org"], users["evaluator4@example.org"]
    held = {"issued": [eleni, lars], "submitted": [eleni], "returned": [eleni]}
    # The held interviews come from the interviews feature's demo (scheduled, then held);
    # a case without one gets one written here.
    for hours, (step, observers) in enumerate(held.items(), start=2):
        case = cases_by_step[step]
        interview = session.scalar(select(Interview).where(
            Interview.case_id == case.id, Interview.status == InterviewStatus.HELD))
        if interview is None:
            interview = Interview(case_id=case.id, starts_at=utcnow() - timedelta(hours=hours),
                                  status=InterviewStatus.HELD, language="en")
            session.add(interview)
            session.flush()
            for person in (ingrid, giulia):
                session.add(InterviewParticipant(interview_id=interview.id, user_id=person.id,
                                                 role=ParticipantRole.LEAD))
        for person in observers:
            session.add(InterviewParticipant(interview_id=interview.id, user_id=person.id,
                                             role=ParticipantRole.OBSERVER))
    session.commit()
    # The trainee observes the next interview.
    cases.add_observer(users["coordinator@example.org"], cases_by_step["assigned"], lars)

    admin = users["admin@example.org"]
    courses = {c.code: c for c in session.scalars(select(Course)).all()}
    for code, observed in (("EQPR", 2), ("UQP", 1)):
        training.update_scheme_training(
            admin, schemes[code], observed, _requirements(courses, code)
        )
