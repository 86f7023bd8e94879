"""Journey 2 in a real browser: the coordinator screens a submitted application, assigns two
evaluators from different centres and schedules the interview; the evaluators, each in a browser
of their own, fill the live workspace (one loses the connection mid-way and comes back), write
their own conclusions, and the first submits the assessment; the coordinator finds it in the
review queue. axe-core checks the case page, the workspace and the assessment page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, format_time
from sqlalchemy import select

from tests.browser.conftest import LAPTOP, assert_accessible, login

pytestmark = pytest.mark.browser

OSLO = ZoneInfo("Europe/Oslo")
VIDEO = "https://meet.example.org/qp-interview"
SAVED = '#ws-status[data-state="saved"][data-waiting="0"]'

# The candidate's questionnaire as the portal stores it (journey 1 fills it in the browser).
ANSWERS = {
    "education": [{
        "level": "bachelor", "title": "Bachelor of Civil Engineering",
        "field": "Civil engineering", "institution": "University of Aleppo", "country": "SY",
        "city": "Aleppo", "year_from": "2009", "year_to": "2013", "completed": "yes",
        "language": "ar", "documents": ["diploma"],
    }],
    "courses": [], "work": [],
    "languages": [{"language": "ar", "listening": "C2", "reading": "C2", "writing": "C1",
                   "speaking": "C2"}],
    "goals": {"aims": ["study", "work"], "field": "Structural engineering"},
    "needs": {"timezone": "Europe/Oslo", "available": ["weekday_morning"], "unavailable": "",
              "interpreter": "ar", "accessibility": ""},
}


def submitted_application(world):
    """A case whose candidate was invited, consented and submitted the questionnaire."""
    from passport.intake import services as intake

    case = world.new_case(email="amina@example.org")
    intake.invite(world.coordinator, case)
    intake.give_consent(case, "ar")
    intake.submit_questionnaire(case, ANSWERS, "ar")
    return case


def next_weekday_morning() -> datetime:
    """10:00 in Oslo on a weekday at least two days ahead (the candidate's weekday mornings)."""
    day = datetime.now(OSLO).date() + timedelta(days=2)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 10, 0)


def stored_fields(interview_id: int) -> dict[str, str]:
    from passport.db import session
    from passport.interviews.models import WorkspaceField

    session.expire_all()
    values = {r.name: r.value for r in session.scalars(
        select(WorkspaceField).where(WorkspaceField.interview_id == interview_id))}
    session.commit()  # on SQLite the read holds the write lock otherwise
    return values


def watch(page, problems: list[str]) -> None:
    """Collect script errors and failed requests (the offline spell's are expected)."""
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)


def test_screen_assign_schedule_workspace_and_submit(live, live_world, new_page, axe_source):
    from passport.db import session
    from passport.interviews import scheduling
    from passport.interviews.models import Interview

    world = live_world
    world.coordinator.timezone = "Europe/Oslo"  # the coordinator works in Oslo time
    case = submitted_application(world)
    case_id, reference = case.id, case.reference
    ev1_id, ev2_id = world.ev1.id, world.ev2.id
    session.commit()

    # --- The coordinator, on a laptop, screens the application: eligible. -------------------
    coordinator = new_page(LAPTOP)
    login(coordinator, live, "coord@test.org")
    coordinator.goto(live(f"/cases/{case_id}"))
    main = coordinator.locator("main")
    assert main.locator(".page-head .status").inner_text() == "Questionnaire submitted"
    screening = main.locator("section.card", has=coordinator.get_by_role(
        "heading", name="Screening", exact=True))
    screening.get_by_label("Eligible", exact=True).check()
    screening.get_by_role("button", name="Record screening decision").click()
    coordinator.wait_for_load_state()
    assert "Screening decision recorded." in main.locator(".flashes").inner_text()
    assert main.locator(".page-head .status").inner_text() == "Eligible"

    # --- ... assigns two evaluators from different centres. ------------------------------------
    main.get_by_role("link", name="Assign evaluators").click()
    coordinator.wait_for_url(re.compile(rf"/cases/{case_id}/evaluators$"))
    first, second = main.get_by_label("First evaluator"), main.get_by_label("Second evaluator")
    assert "Ingrid Eval (NOKUT)" in first.locator(f'option[value="{ev1_id}"]').inner_text()
    assert "Giulia Eval (CIMEA)" in second.locator(f'option[value="{ev2_id}"]').inner_text()
    first.select_option(str(ev1_id))
    second.select_option(str(ev2_id))
    main.get_by_role("button", name="Assign", exact=True).click()
    coordinator.wait_for_url(re.compile(rf"/cases/{case_id}$"))
    assert "Evaluators assigned." in main.locator(".flashes").inner_text()
    evaluators = main.locator("section.card", has=coordinator.get_by_role(
        "heading", name="Evaluators", exact=True)).inner_text()
    assert "Ingrid Eval · NOKUT (Norway)" in evaluators
    assert "Giulia Eval · CIMEA (Italy)" in evaluators

    # --- ... and schedules the interview on the case page, in her own time zone. ---------------
    card = main.locator("#interview")
    assert card.get_by_role("heading", name="Schedule the interview").is_visible()
    assert card.get_by_label("Time zone of this start time").input_value() == "Europe/Oslo"
    assert card.get_by_label("Interpreter").input_value() == "Interpreter for Arabic"
    start = next_weekday_morning()
    card.get_by_label("Start", exact=True).fill(start.strftime("%Y-%m-%dT%H:%M"))
    card.get_by_label("Video link").fill(VIDEO)
    card.get_by_role("button", name="Schedule and send invitations").click()
    coordinator.wait_for_url(re.compile(rf"/cases/{case_id}$"))
    assert ("The interview is scheduled and the invitations are sent."
            in main.locator(".flashes").inner_text())
    assert main.locator(".page-head .status").inner_text() == "Interview scheduled"
    card_text = card.inner_text()
    when = (f"{format_date(start, 'full', locale='en')} at "
            f"{format_time(start, 'short', locale='en')} (Europe/Oslo)")  # 10:00 AM
    assert when in card_text
    assert VIDEO in card_text and "Scheduled" in card_text
    # Not started yet: the case page offers no "Mark as held".
    assert card.get_by_role("button", name="Mark as held").count() == 0
    assert_accessible(coordinator, axe_source)

    session.expire_all()
    interview = session.scalar(select(Interview).where(Interview.case_id == case_id))
    interview_id = interview.id
    assert interview.starts_at == start.replace(tzinfo=OSLO)
    session.commit()
    workspace_url = live(f"/interviews/{interview_id}/workspace")

    # --- The first evaluator cannot record the interview as held before it starts. -----------
    ev1 = new_page(LAPTOP)
    ev1_problems: list[str] = []
    login(ev1, live, "ev1@test.org")
    ev1.goto(workspace_url)
    with ev1.expect_navigation(url=workspace_url):
        ev1.locator("main").get_by_role("button", name="Mark as held").click()
    assert "The interview has not started yet." in ev1.locator(".flashes").inner_text()

    # The clock cannot be moved in the browser: the service records it as held an hour later.
    session.expire_all()
    interview = session.get(Interview, interview_id)
    scheduling.mark_held(world.ev1, interview, now=interview.starts_at + timedelta(hours=1))
    session.commit()

    # --- Both evaluators open the workspace, each in a browser of their own. ------------------
    ev1.goto(workspace_url)
    watch(ev1, ev1_problems)
    ev1.wait_for_selector(SAVED)
    assert ev1.locator("main").get_by_role(
        "link", name="Write and submit the assessment").is_visible()
    assert_accessible(ev1, axe_source)
    ev2 = new_page(LAPTOP)
    ev2_problems: list[str] = []
    login(ev2, live, "ev2@test.org")
    ev2.goto(workspace_url)
    watch(ev2, ev2_problems)
    ev2.wait_for_selector(SAVED)

    # The first evaluator writes the identity check, the qualification and the summary.
    ev1.locator('[name="identity.seen"]').fill("Residence card seen on camera.")
    ev1.locator('[name="education.0.level"]').select_option("bachelor")
    ev1.locator('[name="education.0.title"]').fill("Bachelor of Civil Engineering")
    ev1.locator('[name="education.0.institution"]').fill("University of Aleppo")
    ev1.locator('[name="education.0.completed"]').select_option("yes")
    ev1.locator('[name="education.0.years_completed"]').fill("4")
    ev1.locator('[name="summary.assessment"]').fill(
        "Completed a four-year bachelor's programme; final project on reinforced concrete.")
    ev1.locator('[name="private_notes"]').fill("Ask about the internship next time.")
    ev1.wait_for_selector(SAVED)
    assert ev1.locator("#ws-status").inner_text() == "All changes saved"

    # The second writes the field of study, then loses the connection and keeps typing.
    ev2.locator('[name="education.0.field"]').fill("Civil engineering")
    ev2.wait_for_selector(SAVED)
    ev2.context.set_offline(True)
    ev2.locator('[name="languages.0.language"]').select_option("ar")
    ev2.locator('[name="languages.0.listening"]').select_option("C2")
    ev2.locator('[name="summary.way_ahead"]').type("Apply for a master's in structural "
                                                  "engineering.")
    ev2.wait_for_selector('#ws-status[data-state="offline"][data-waiting="3"]')
    assert ev2.locator("#ws-status").inner_text() == "Offline: 3 changes waiting"
    saved = stored_fields(interview_id)
    assert saved["education.0.field"] == "Civil engineering"
    assert "summary.way_ahead" not in saved and "languages.0.language" not in saved

    # Back online: everything waiting is sent.
    ev2.context.set_offline(False)
    ev2.wait_for_selector(SAVED)
    assert ev2.locator("#ws-status").inner_text() == "All changes saved"
    saved = stored_fields(interview_id)
    assert saved["summary.way_ahead"] == "Apply for a master's in structural engineering."
    assert saved["languages.0.language"] == "ar" and saved["languages.0.listening"] == "C2"
    assert saved[f"private.{ev1_id}"] == "Ask about the internship next time."

    # After a reload each sees the other's shared fields, and only their own private notes.
    ev1.reload()
    ev1.wait_for_selector(SAVED)
    assert ev1.locator('[name="education.0.field"]').input_value() == "Civil engineering"
    assert ev1.locator('[name="languages.0.listening"]').input_value() == "C2"
    assert ev1.locator('[name="summary.way_ahead"]').input_value() == (
        "Apply for a master's in structural engineering.")
    assert ev1.locator('[name="private_notes"]').input_value() == (
        "Ask about the internship next time.")
    ev2.reload()
    ev2.wait_for_selector(SAVED)
    assert ev2.locator('[name="identity.seen"]').input_value() == (
        "Residence card seen on camera.")
    assert ev2.locator('[name="education.0.title"]').input_value() == (
        "Bachelor of Civil Engineering")
    assert ev2.locator('[name="education.0.years_completed"]').input_value() == "4"
    assert ev2.locator('[name="private_notes"]').input_value() == ""
    assert ev2.locator("#ws-all-done").is_hidden()  # some topics are still open
    assert_accessible(ev2, axe_source)

    # --- Each records their own conclusion. -----------------------------------------------------
    for page, years, text in ((ev1, "4", "A completed bachelor's degree in civil engineering."),
                              (ev2, "4", "Bachelor level; the thesis confirms it.")):
        section = page.locator("#conclusion")
        section.get_by_label("Level of the highest qualification").select_option("bachelor")
        section.get_by_label("Years of study completed").fill(years)
        section.get_by_label("Your conclusion").fill(text)
        with page.expect_navigation(url=re.compile(rf"/interviews/{interview_id}/workspace")):
            section.get_by_role("button", name="Submit my conclusion").click()
        assert "Your conclusion is saved." in page.locator(".flashes").inner_text()
    # Both submitted: each now reads the other's conclusion, and they agree.
    ev1.reload()
    conclusions = ev1.locator("#conclusion").inner_text()
    assert "Bachelor level; the thesis confirms it." in conclusions
    assert "A completed bachelor's degree in civil engineering." in conclusions
    assert "The two conclusions differ" not in conclusions

    # --- The first evaluator submits the assessment, which starts from the workspace notes. ---
    ev1.locator("main").get_by_role("link", name="Write and submit the assessment").click()
    ev1.wait_for_url(re.compile(rf"/cases/{case_id}/assessment$"))
    ev_main = ev1.locator("main")
    assert ev_main.get_by_label("Title of the highest qualification").input_value() == (
        "Bachelor of Civil Engineering")
    assert ev_main.get_by_label("Field of study").input_value() == "Civil engineering"
    assert ev_main.get_by_label("Institution").input_value() == "University of Aleppo"
    assert ev_main.get_by_label("Years of study completed").input_value() == "4"
    assert ev_main.get_by_label("Level of the highest qualification").input_value() == "bachelor"
    assert "reinforced concrete" in ev_main.get_by_label("Summary of the assessment").input_value()
    assert_accessible(ev1, axe_source)
    ev_main.get_by_role("button", name="Submit for review").click()
    ev1.wait_for_url(re.compile(rf"/cases/{case_id}$"))
    assert "The assessment is submitted for review." in ev_main.locator(".flashes").inner_text()
    assert ev_main.locator(".page-head .status").inner_text() == "Assessment submitted"

    # --- The coordinator finds it in the review queue, with both conclusions. -----------------
    coordinator.goto(live("/review"))
    row = main.locator("tr", has=coordinator.get_by_role("link", name=reference, exact=True))
    assert "Ingrid Eval, Giulia Eval" in row.inner_text()
    row.get_by_role("link", name=reference, exact=True).click()
    coordinator.wait_for_url(re.compile(rf"/cases/{case_id}/review$"))
    review = main.locator("#conclusions").inner_text()
    assert "Bachelor level; the thesis confirms it." in review
    assert "A completed bachelor's degree in civil engineering." in review

    # Nothing failed on the way, except ev2's requests while the connection was off.
    assert not ev1_problems, ev1_problems
    assert not ev2_problems, ev2_problems
