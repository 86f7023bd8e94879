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
     "coordinator of EQPR and UQP; candidates' links are in /outbox"),
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


# Candidates at each step of intake: invited (link sent), consented, questionnaire draft,
# questionnaire submitted (with documents), and one who withdrew consent.
INTAKE = [
    # given, family, native, born, nationality, email, phone, language, step
    ("Fatima", "Noori", "فاطمه نوری", "1996-08", "AF", "fatima.noori@example.org", "", "fa",
     "invited"),
    ("Dawit", "Kahsay", "ዳዊት ካሕሳይ", "1989", "ER", "dawit.kahsay@example.org", "", "ti",
     "consented"),
    ("Hassan", "Khalil", "حسن خليل", "1987-01-20", "SY", "hassan.khalil@example.org", "", "ar",
     "draft"),
    ("Mariia", "Shevchenko", "Марія Шевченко", "1992-04-09", "UA",
     "mariia.shevchenko@example.org", "", "uk", "submitted"),
    ("Rania", "Saleh", "رانيا صالح", "1994-06", "IQ", "", "+47 400 00 000", "ar", "withdrawn"),
]


def _demo_png() -> bytes:
    """A small grey PNG standing for a photo of a document."""
    import struct
    import zlib

    width, height = 40, 30
    raw = b"".join(b"\x00" + b"\xc8" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _demo_pdf(text: str) -> bytes:
    from io import BytesIO

    from reportlab.pdfgen import canvas

    buffer = BytesIO()
    page = canvas.Canvas(buffer, invariant=1)
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


def _answers(complete: bool) -> dict:
    education = {
        "level": "master", "title": "Master of Pharmacy", "field": "Pharmacy",
        "institution": "Taras Shevchenko National University of Kyiv", "country": "UA",
        "city": "Kyiv", "year_from": "2009", "year_to": "2014", "completed": "yes",
        "language": "uk", "documents": ["diploma", "transcript"],
        "documents_note": "I have a scan of the diploma; the transcript is a photo.",
    }
    answers = {
        "education": [education],
        "courses": [{"title": "Good manufacturing practice", "provider": "Pharma Academy",
                     "country": "UA", "year": "2018", "workload": "40 hours",
                     "description": "Quality rules for making medicines."}],
        "work": [{"position": "Pharmacist", "employer": "Apteka 24", "country": "UA",
                  "year_from": "2014", "year_to": "2022",
                  "tasks": "Dispensing, advice to patients, stock control."}],
        "languages": [
            {"language": "uk", "listening": "C2", "reading": "C2", "writing": "C2",
             "speaking": "C2"},
            {"language": "en", "listening": "B2", "reading": "B2", "writing": "B1",
             "speaking": "B1"},
            {"language": "nb", "listening": "A2", "reading": "A2", "writing": "A1",
             "speaking": "below_a1"},
        ],
        "goals": {"aims": ["practise", "work"], "field": "Pharmacy",
                  "details": "I want authorisation to work as a pharmacist in Norway."},
        "needs": {"timezone": "Europe/Oslo", "available": ["weekday_morning"],
                  "unavailable": "", "interpreter": "", "accessibility": ""},
    }
    if not complete:
        answers["education"] = [{
            "level": "bachelor", "title": "Bachelor of Civil Engineering",
            "field": "Civil engineering", "institution": "University of Aleppo", "country": "SY",
            "city": "Aleppo", "year_from": "2005", "year_to": "2009", "completed": "yes",
            "language": "ar", "documents": ["other"],
        }]
        answers["languages"] = [{"language": "ar", "listening": "C2", "reading": "C2",
                                 "writing": "C2", "speaking": "C2"}]
        answers["courses"], answers["work"] = [], []
        answers["goals"] = {"aims": ["work"]}
        answers["needs"] = {}
    return answers


def _intake(coordinator: User, scheme: Scheme) -> None:
    from passport.intake import services as intake

    for given, family, native, born, nationality, email, phone, lang, step in INTAKE:
        case = cases.create_case(
            coordinator,
            scheme,
            cases.CandidateData(
                given_name=given, family_name=family, native_name=native, birth_date=born,
                nationality=nationality, country_of_origin=nationality, host_country="NO",
                email=email, phone=phone, preferred_language=lang, preferred_languages=lang,
                protection_status="temporary_protection" if nationality == "UA" else "refugee",
            ),
            nationality,
        )
        intake.invite(coordinator, case)
        if step == "invited":
            continue
        intake.give_consent(case, lang)
        if step == "withdrawn":
            intake.withdraw_consent(case)
            continue
        if step == "consented":
            continue
        intake.save_draft(case, _answers(complete=step == "submitted"), lang)
        intake.add_evidence(case, "partial", "Photo of my student card", "student-card.png",
                            _demo_png())
        if step == "draft":
            continue
        intake.add_evidence(case, "diploma", "Master's diploma, 2014", "diploma.pdf",
                            _demo_pdf("Diploma (demo document)"))
        intake.submit_questionnaire(case, _answers(complete=True), lang)


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
        _review(None)
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
    _intake(coordinator, schemes["EQPR"])
    _review(users)
    return logins


def _review(users: dict[str, User] | None) -> None:
    """Cases in review, closed with an appeal; passports valid, superseded, revoked, expired."""
    from passport.review import demo as review_demo

    if users is None:
        users = {u.email: u for u in session.scalars(select(User))}
        if any(email not in users for email, *_rest in STAFF):
            return
    review_demo.load(users)
