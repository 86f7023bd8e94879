"""The whole path of one case, through the pages, as the people doing it would click through."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select

from passport.cases.models import Case
from passport.db import session, utcnow
from passport.interviews import scheduling
from passport.interviews.models import Assessment, Interview
from passport.passports.models import Passport
from passport.passports.numbering import is_valid_number
from passport.review.models import ReviewDecision
from tests.conftest import login, post_form

ASSESSMENT = {
    "level": "master",
    "qualification_title": "Master of Science in Pharmacy",
    "field_of_study": "Pharmacy",
    "institution": "University of Damascus",
    "completed": "y",
    "years_completed": "5",
    "summary": "The candidate explained the pharmacology curriculum and the thesis in detail.",
}


def text_of(response) -> str:
    return response.get_data(as_text=True)


def words(text: str) -> str:
    """Text with every run of white space made one space (PDF lines wrap anywhere)."""
    return " ".join(text.split())


def create_case_through_form(client, world) -> int:
    response = post_form(client, "/cases/new", {
        "scheme": world.eqpr.id,
        "given_name": "Amina",
        "family_name": "Haddad",
        "native_name": "أمينة حداد",
        "birth_date": "1991-03-14",
        "nationality": "SY",
        "country_of_origin": "SY",
        "host_country": "NO",
        "qualification_country": "SY",
        "email": "",
        "phone": "",
        "protection_status": "refugee",
        "preferred_language": "ar",
        "timezone": "Europe/Oslo",
    })
    assert response.status_code == 302, text_of(response)[:2000]
    match = re.fullmatch(r"/cases/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def prepare_case_for_assessment(coordinator_client, world) -> int:
    """Coordinator creates the case, screens it eligible and assigns ev1 (NOKUT) + ev2 (CIMEA)."""
    login(coordinator_client, "coord@test.org")
    case_id = create_case_through_form(coordinator_client, world)
    page = f"/cases/{case_id}"

    response = post_form(coordinator_client, f"{page}/screening", {"decision": "eligible"},
                         form_page=page)
    assert response.status_code == 302
    assert "Screening decision recorded." in text_of(coordinator_client.get(page))

    response = post_form(coordinator_client, f"{page}/evaluators",
                         {"first": world.ev1.id, "second": world.ev2.id})
    assert response.status_code == 302, text_of(response)[:2000]
    detail = text_of(coordinator_client.get(page))
    assert "Ingrid Eval" in detail and "Giulia Eval" in detail

    # The interview: scheduled on the case page for tomorrow 10:00 Oslo time, then held.
    tomorrow = (utcnow() + timedelta(days=1)).date()
    response = post_form(coordinator_client, f"{page}/interview", {
        "interview-start": f"{tomorrow.isoformat()}T10:00",
        "interview-timezone": "Europe/Oslo", "interview-duration": "60",
        "interview-mode": "video", "interview-video_link": "https://meet.example.org/abc",
        "interview-language": "ar", "interview-interpreter": "",
        "interview-accommodations": "",
    }, form_page=page)
    assert response.status_code == 302, text_of(response)[:3000]
    assert session.get(Case, case_id).status == "interview_scheduled"
    interview = session.scalars(select(Interview).where(Interview.case_id == case_id)).one()
    scheduling.mark_held(world.ev1, interview, now=interview.ends_at)
    assert session.get(Case, case_id).status == "interviewed"
    return case_id


def submit_assessment(evaluator_client, case_id: int, **changes) -> None:
    path = f"/cases/{case_id}/assessment"
    response = post_form(evaluator_client, path, {**ASSESSMENT, **changes, "submit": "1"})
    assert response.status_code == 302, text_of(response)[:2000]
    assert response.headers["Location"] == f"/cases/{case_id}"


def approve(coordinator_client, case_id: int) -> str:
    """Approve through the review page; return the case page that follows."""
    review = f"/cases/{case_id}/review"
    assert coordinator_client.get(review).status_code == 200
    response = post_form(coordinator_client, f"/cases/{case_id}/approve",
                         {"comment": "Consistent and well documented."}, form_page=review)
    assert response.status_code == 302, text_of(response)[:2000]
    return text_of(coordinator_client.get(f"/cases/{case_id}"))


def test_the_whole_path_from_new_case_to_verified_passport(app, world):
    coordinator, evaluator, verifier = app.test_client(), app.test_client(), app.test_client()
    case_id = prepare_case_for_assessment(coordinator, world)

    # The evaluator finds the case on their list, saves a draft, comes back, then submits.
    login(evaluator, "ev1@test.org")
    assert f"C-{case_id:06d}" in text_of(evaluator.get("/"))
    path = f"/cases/{case_id}/assessment"
    response = post_form(evaluator, path, {**ASSESSMENT, "save": "1"})
    assert response.status_code == 302
    assert response.headers["Location"] == path
    draft_page = text_of(evaluator.get(path))
    assert "Draft saved." in draft_page
    assert "Master of Science in Pharmacy" in draft_page
    assert session.get(Case, case_id).status == "interviewed"

    submit_assessment(evaluator, case_id)
    assert session.get(Case, case_id).status == "assessment_submitted"

    # The coordinator approves; the passport is issued with a checkable number.
    detail = approve(coordinator, case_id)
    numbers = re.findall(r"EQPR-\d{4}-00001-[0-9A-Z]", detail)
    assert numbers, detail
    number = numbers[0]
    assert is_valid_number(number)
    assert "Passport issued" in detail

    passport = session.scalars(select(Passport).where(Passport.case_id == case_id)).one()
    assert passport.number == number
    assert passport.valid_until.year == passport.issued_on.year + 5  # EQPR: five years

    # The PDF: the issued document, with what a reader of it needs.
    pdf_link = f"/passports/{passport.id}.pdf"
    assert pdf_link in detail
    response = coordinator.get(pdf_link)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert hashlib.sha256(response.data).hexdigest() == passport.pdf_sha256
    reader = PdfReader(io.BytesIO(response.data))
    pdf_text = words(" ".join(page.extract_text() for page in reader.pages))
    verify_url = f"https://passport.test/verify/{passport.public_id}"
    for expected in (number, "Amina Haddad", "Master of Science in Pharmacy",
                     "not a formal recognition decision", verify_url,
                     "Ingrid Eval", "Giulia Eval", "Kari Coord"):
        assert expected in pdf_text, expected

    # Anyone with the QR code can check it, without logging in, and sees little personal data.
    response = verifier.get(f"/verify/{passport.public_id}")
    assert response.status_code == 200
    page = text_of(response)
    assert re.search(r'class="verdict verdict-good"[^>]*>\s*Valid\s*<', page), page
    assert number in page
    assert "Amina Haddad" in page
    assert re.search(r"Year of birth</dt>\s*<dd>1991</dd>", page)
    for more_than_the_year in ("1991-03", "03/1991", "March 1991", "14 March", "March 14"):
        assert more_than_the_year not in page
    assert "Log out" not in page

    # The case page tells the story in sentences.
    history = words(re.sub(r"<[^>]+>", " ", detail))
    assert "Kari Coord created the case." in history
    assert "Kari Coord found the application eligible." in history
    assert "Kari Coord assigned the evaluators Ingrid Eval and Giulia Eval." in history
    assert "Ingrid Eval submitted the assessment for review." in history
    assert "Kari Coord approved the assessment." in history
    assert f"Passport {number} was issued" in history


def test_returned_assessment_goes_back_and_is_approved_in_round_two(app, world):
    coordinator, evaluator = app.test_client(), app.test_client()
    case_id = prepare_case_for_assessment(coordinator, world)
    login(evaluator, "ev1@test.org")
    submit_assessment(evaluator, case_id)

    review = f"/cases/{case_id}/review"
    comment = "Please state how many years of the programme were completed."
    response = post_form(coordinator, f"/cases/{case_id}/return", {"comment": comment},
                         form_page=review)
    assert response.status_code == 302
    assert session.get(Case, case_id).status == "returned"
    detail = words(re.sub(r"<[^>]+>", " ", text_of(coordinator.get(f"/cases/{case_id}"))))
    assert "Kari Coord returned the assessment to the evaluators." in detail
    assert comment in detail

    # The evaluator sees the comment and the earlier answers, and resubmits.
    page = text_of(evaluator.get(f"/cases/{case_id}/assessment"))
    assert comment in page
    assert "Returned by Kari Coord" in page
    assert "Master of Science in Pharmacy" in page
    submit_assessment(evaluator, case_id, years_completed="4")

    rounds = session.scalars(
        select(Assessment.round).where(Assessment.case_id == case_id).order_by(Assessment.round)
    ).all()
    assert rounds == [1, 2]
    assert session.get(Case, case_id).status == "assessment_submitted"

    detail = approve(coordinator, case_id)
    assert re.search(r"EQPR-\d{4}-00001-[0-9A-Z]", detail)
    passport = session.scalars(select(Passport).where(Passport.case_id == case_id)).one()
    assert passport.snapshot["highest_qualification"]["years_completed"] == 4
    decisions = session.scalars(
        select(ReviewDecision.decision).where(ReviewDecision.case_id == case_id)
        .order_by(ReviewDecision.id)
    ).all()
    assert decisions == ["returned", "approved"]


def test_a_required_field_left_empty_in_the_assessment_is_shown_and_nothing_is_submitted(
    app, world
):
    case = world.interviewed_case()
    evaluator = app.test_client()
    login(evaluator, "ev1@test.org")
    path = f"/cases/{case.id}/assessment"
    response = post_form(evaluator, path, {**ASSESSMENT, "summary": "", "submit": "1"})
    assert response.status_code == 422
    assert 'id="summary-error"' in text_of(response)
    assert session.get(Case, case.id).status == "interviewed"
    assert session.scalar(select(Assessment).where(Assessment.case_id == case.id)) is None
