"""The candidate's pages: consent before collection, withdrawal, the questionnaire (draft, autosave,
submission), screening as the candidate sees it, language choice and the passport download."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from passport.cases import services as cases
from passport.db import session
from passport.errors import RuleViolation
from passport.intake import questionnaire as qn
from passport.intake import services
from passport.intake.consent import CONSENT_VERSION
from passport.intake.models import Consent, Questionnaire
from tests.intake_helpers import consent, invited, open_link, post, staff_client

COMPLETE = {
    "education-0-level": "bachelor",
    "education-0-title": "Bachelor of Civil Engineering",
    "education-0-field": "Civil engineering",
    "education-0-institution": "University of Aleppo",
    "education-0-country": "SY",
    "education-0-year_from": "2009",
    "education-0-year_to": "2013",
    "education-0-completed": "yes",
    "education-0-language": "ar",
    "education-0-documents": ["diploma", "transcript"],
    "languages-0-language": "ar",
    "languages-0-listening": "C2",
    "languages-0-reading": "C2",
    "languages-0-writing": "C1",
    "languages-0-speaking": "C2",
    "languages-1-language": "nb",
    "languages-1-listening": "A2",
    "languages-1-reading": "A1",
    "languages-1-writing": "below_a1",
    "languages-1-speaking": "not_assessed",
    "goals-aims": ["study", "work"],
    "goals-field": "Structural engineering",
    "needs-timezone": "Europe/Oslo",
    "needs-available": ["weekday_morning", "weekend"],
    "needs-interpreter": "ar",
}


@pytest.fixture()
def candidate(client, world):
    """A candidate who opened their link; returns the case."""
    case, token = invited(world)
    open_link(client, token)
    return case


def _questionnaire(case_id):
    return session.scalar(select(Questionnaire).where(Questionnaire.case_id == case_id))


# --- consent ---------------------------------------------------------------------------------


def test_nothing_is_collected_before_consent(client, candidate):
    for path in ("/candidate", "/candidate/questionnaire", "/candidate/documents"):
        assert client.get(path).headers["Location"].endswith("/candidate/consent"), path
    response = post(client, "/candidate/questionnaire/autosave", COMPLETE,
                    form_page="/candidate/consent")
    assert response.status_code == 403
    assert response.json["saved"] is False
    assert _questionnaire(candidate.id) is None
    with pytest.raises(Exception, match="accept"):
        services.save_draft(candidate, qn.empty(), "en")


def test_consent_is_recorded_with_time_version_and_language(client, candidate):
    client.set_cookie("lang", "ar")
    page = client.get("/candidate/consent").get_data(as_text=True)
    assert 'dir="rtl"' in page
    from babel.support import Translations

    from passport.translate import TRANSLATIONS

    arabic = Translations.load(str(TRANSLATIONS), ["ar"])
    for heading in ("How long we keep it", "Your rights"):
        assert arabic.gettext(heading) in page
    refused = post(client, "/candidate/consent", {})
    assert refused.status_code == 422
    assert arabic.gettext("Tick the box to continue.") in refused.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Consent)) == 0

    given = consent(client)
    assert given.headers["Location"].endswith("/candidate/questionnaire")
    row = session.scalar(select(Consent).where(Consent.case_id == candidate.id))
    assert (row.text_version, row.language, row.withdrawn_at) == (CONSENT_VERSION, "ar", None)
    assert row.given_at is not None


def test_withdrawal_stops_processing(client, world, candidate):
    consent(client)
    post(client, "/candidate/questionnaire", {**COMPLETE, "action": "submit"})
    withdrawn = post(client, "/candidate/consent/withdraw", {})
    assert withdrawn.status_code == 303
    home = client.get("/candidate").get_data(as_text=True)
    assert "You withdrew your consent" in home
    assert client.get("/candidate/questionnaire").headers["Location"].endswith("/consent")

    # The case cannot move on...
    session.refresh(candidate)
    with pytest.raises(RuleViolation, match="withdrawn"):
        cases.screen(world.coordinator, candidate, eligible=True)
    assert candidate.status == "submitted"
    # ...the coordinator sees why, and nobody can open what the candidate sent.
    with staff_client(client.application, "coord@test.org") as staff:
        page = staff.get(f"/cases/{candidate.id}").get_data(as_text=True)
        assert "The candidate withdrew consent on" in page
        assert staff.get(f"/cases/{candidate.id}/questionnaire").status_code == 403

    # Consent given again: processing goes on.
    consent(client)
    cases.screen(world.coordinator, candidate, eligible=True)
    assert candidate.status == "eligible"
    assert session.scalar(select(func.count()).select_from(Consent)) == 2


# --- questionnaire ---------------------------------------------------------------------------


def test_draft_keeps_wrong_answers_and_shows_problems(client, candidate):
    consent(client)
    answers = {**COMPLETE, "education-0-year_from": "2013", "education-0-year_to": "2009",
               "work-0-position": "Site engineer", "work-0-year_from": "20x5"}
    saved = post(client, "/candidate/questionnaire", {**answers, "action": "save"})
    assert saved.status_code == 303
    record = _questionnaire(candidate.id)
    assert record.data["education"][0]["year_to"] == "2009"
    assert record.data["work"][0]["year_from"] == "20x5"
    assert record.submitted_at is None
    page = client.get("/candidate/questionnaire").get_data(as_text=True)
    assert 'id="education-0-year_to-error"' in page
    assert "The end cannot be before the start." in page
    assert "Write the year with four digits" in page
    assert 'value="Site engineer"' in page


def test_autosave_endpoint(client, candidate):
    consent(client)
    response = post(client, "/candidate/questionnaire/autosave",
                    {"education-0-title": "Diploma in nursing", "goals-aims": "work"},
                    form_page="/candidate/questionnaire")
    assert response.status_code == 200
    assert response.json["saved"] is True
    record = _questionnaire(candidate.id)
    assert record.data["education"][0]["title"] == "Diploma in nursing"
    assert record.data["goals"]["aims"] == ["work"]
    assert record.saves == 1


def test_submitting_an_incomplete_questionnaire_keeps_the_draft(client, candidate):
    consent(client)
    partial = {k: v for k, v in COMPLETE.items() if not k.startswith("languages-1")}
    partial["languages-0-writing"] = ""
    response = post(client, "/candidate/questionnaire", {**partial, "action": "submit"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose a level, or “I cannot say”." in page
    assert 'href="#languages-0-writing"' in page
    session.refresh(candidate)
    assert candidate.status == "questionnaire_sent"
    assert _questionnaire(candidate.id).data["education"][0]["title"].startswith("Bachelor")


def test_submit_once_then_read_only(client, world, candidate):
    consent(client)
    done = post(client, "/candidate/questionnaire", {**COMPLETE, "action": "submit"})
    assert done.status_code == 303
    session.refresh(candidate)
    assert candidate.status == "submitted"
    assert candidate.candidate.timezone == "Europe/Oslo"
    record = _questionnaire(candidate.id)
    assert record.submitted_at is not None

    page = client.get("/candidate/questionnaire").get_data(as_text=True)
    assert "It can no longer be changed" in page
    assert "<form" not in page.split("<main", 1)[1].split("</main>")[0]
    again = post(client, "/candidate/questionnaire",
                 {**COMPLETE, "education-0-title": "Changed", "action": "save"},
                 form_page="/candidate")
    assert again.status_code == 303
    assert "can no longer be changed" in client.get(again.headers["Location"]).get_data(
        as_text=True)
    session.refresh(record)
    assert record.data["education"][0]["title"] == "Bachelor of Civil Engineering"
    autosave = post(client, "/candidate/questionnaire/autosave", COMPLETE,
                    form_page="/candidate")
    assert autosave.status_code == 409
    with staff_client(client.application, "coord@test.org") as staff:
        page = staff.get(f"/cases/{candidate.id}").get_data(as_text=True)
    assert "The candidate submitted the questionnaire." in page


def test_add_and_remove_entries_without_javascript(client, candidate):
    consent(client)
    added = post(client, "/candidate/questionnaire",
                 {"education-0-title": "First", "action": "add:education"})
    assert added.headers["Location"].endswith("/candidate/questionnaire?add=education#education-1")
    page = client.get("/candidate/questionnaire?add=education").get_data(as_text=True)
    assert 'name="education-1-title"' in page
    post(client, "/candidate/questionnaire",
         {"education-0-title": "First", "education-1-title": "Second", "action": "save"})
    assert len(_questionnaire(candidate.id).data["education"]) == 2
    post(client, "/candidate/questionnaire",
         {"education-0-title": "First", "education-1-title": "Second",
          "action": "remove:education:0"})
    assert [e["title"] for e in _questionnaire(candidate.id).data["education"]] == ["Second"]


def test_evaluators_and_coordinators_read_the_submitted_questionnaire(client, world, candidate):
    consent(client)
    post(client, "/candidate/questionnaire", {**COMPLETE, "action": "submit"})
    session.refresh(candidate)
    cases.screen(world.coordinator, candidate, eligible=True)
    cases.assign_evaluators(world.coordinator, candidate, world.ev1, world.ev2)

    case_id = candidate.id
    for email, status in [("coord@test.org", 200), ("ev1@test.org", 200),
                          ("ev3@test.org", 404), ("coord2@test.org", 404)]:
        with staff_client(client.application, email) as staff:
            response = staff.get(f"/cases/{case_id}/questionnaire")
        assert response.status_code == status, email
        if status == 200:
            text = response.get_data(as_text=True)
            assert "Bachelor of Civil Engineering" in text
            assert "Below A1 (a few words)" in text and "I cannot say" in text


# --- screening and the candidate page ---------------------------------------------------------


def test_ineligible_reason_is_shown_to_the_candidate(client, world, candidate):
    consent(client)
    post(client, "/candidate/questionnaire", {**COMPLETE, "action": "submit"})
    assert "A coordinator is checking your application" in client.get(
        "/candidate").get_data(as_text=True)
    with staff_client(client.application, "coord@test.org") as staff:
        decided = post(staff, f"/cases/{candidate.id}/screening",
                       {"decision": "ineligible",
                        "reason": "The scheme is for higher education."},
                       form_page=f"/cases/{candidate.id}")
    assert decided.status_code == 302
    page = client.get("/candidate").get_data(as_text=True)
    assert "cannot go further" in page
    assert "The scheme is for higher education." in page


def test_eligible_candidate_is_told_what_comes_next(client, world, candidate):
    consent(client)
    post(client, "/candidate/questionnaire", {**COMPLETE, "action": "submit"})
    session.refresh(candidate)
    cases.screen(world.coordinator, candidate, eligible=True)
    page = client.get("/candidate").get_data(as_text=True)
    assert "Your application is accepted." in page


def test_language_choice_is_remembered(client, candidate):
    consent(client)
    response = post(client, "/candidate/language", {"locale": "fa", "next": "/candidate"})
    assert response.status_code == 302
    assert "lang=fa" in response.headers["Set-Cookie"]
    session.refresh(candidate.candidate)
    assert candidate.candidate.preferred_language == "fa"
    page = client.get("/candidate").get_data(as_text=True)
    assert 'lang="fa"' in page and 'dir="rtl"' in page
    # Every candidate language is offered, each in its own name.
    for name in ("العربية", "فارسی", "Українська", "ትግርኛ", "Norsk nynorsk"):
        assert name in page


def test_candidate_page_shows_the_interview_in_their_time_zone(client, world, candidate):
    from passport.interviews.models import Interview

    consent(client)
    post(client, "/candidate/questionnaire", {**COMPLETE, "action": "submit"})
    session.refresh(candidate)
    candidate.status = "interview_scheduled"
    session.add(Interview(case_id=candidate.id, starts_at=datetime(2099, 3, 12, 9, 0, tzinfo=UTC),
                          video_link="https://meet.example/abc"))
    session.commit()
    page = client.get("/candidate").get_data(as_text=True)
    # 09:00 UTC is 10:00 in Oslo in March.
    assert "Your interview is on Thursday, March 12, 2099 at 10:00" in page
    assert "(your time: Europe/Oslo)" in page


def test_candidate_downloads_their_own_valid_passport(client, world, candidate):
    from passport.interviews.services import AssessmentData, save_assessment
    from passport.review import services as review

    consent(client)
    post(client, "/candidate/questionnaire", {**COMPLETE, "action": "submit"})
    session.refresh(candidate)
    cases.screen(world.coordinator, candidate, eligible=True)
    cases.assign_evaluators(world.coordinator, candidate, world.ev1, world.ev2)
    save_assessment(world.ev1, candidate, AssessmentData(
        level="bachelor", qualification_title="Bachelor", field_of_study="Engineering",
        institution="Aleppo", completed=True, years_completed=4, summary="Well documented."),
        submit=True)
    review.approve(world.coordinator, candidate, "ok")
    passport = services.valid_passports(candidate)[0]
    page = client.get("/candidate").get_data(as_text=True)
    assert "Your qualifications passport is ready." in page
    pdf = client.get(f"/candidate/passport/{passport.id}.pdf")
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"].startswith("attachment")
    assert client.get(f"/candidate/passport/{passport.id + 1}.pdf").status_code == 404


# --- questionnaire rules (no pages) ----------------------------------------------------------


def test_problems_of_dates_and_required_answers():
    data = qn.parse(_multidict({
        "education-0-year_from": "2015", "education-0-year_to": "2012",
        "education-0-title": "x", "work-0-year_from": "2031", "courses-0-year": "1850",
        "education-0-country": "XX",
    }))
    draft = qn.problems(data, final=False, today=date(2026, 3, 1), birth_year=1990)
    assert set(draft) == {"education-0-year_to", "work-0-year_from", "courses-0-year",
                          "education-0-country"}
    final = qn.problems(data, final=True, today=date(2026, 3, 1), birth_year=1990)
    assert "languages" in final and "needs-timezone" in final and "goals-aims" in final


def test_parse_drops_blank_entries_and_unknown_choices():
    data = qn.parse(_multidict({
        "education-0-title": "", "education-3-title": "Kept", "education-3-level": "bogus",
        "goals-aims": ["study", "hacking"], "unknown-0-x": "y",
    }))
    assert data["education"] == [{**{q.name: "" for q in qn.BY_NAME["education"].questions},
                                  "title": "Kept", "documents": []}]
    assert data["goals"]["aims"] == ["study"]


def _multidict(values):
    from werkzeug.datastructures import MultiDict

    pairs = []
    for key, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, item))
    return MultiDict(pairs)
