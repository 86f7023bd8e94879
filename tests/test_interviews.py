"""Interviews: scheduling across time zones, invitations, clashes, held / not held, and the live
workspace's autosave (durable acknowledgement, merge, conflict, refusal after submission)."""

from __future__ import annotations

import html
import json
import re
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import create_engine, select, text

from passport.cases.models import Case
from passport.db import session, utcnow
from passport.errors import InvalidTransition, RuleViolation
from passport.intake.models import Questionnaire
from passport.interviews import scheduling, workspace
from passport.interviews.models import Interview, WorkspaceField
from passport.interviews.services import save_assessment
from passport.mail.models import OutboxMessage
from tests import browser_support
from tests.browser_support import HttpUser
from tests.conftest import PASSWORD, assessment_data, hold_interview, login, schedule_interview

LINK = "https://meet.example.org/abc"
live_server = browser_support.live_server  # a fixture


def data(start: datetime, tz: str = "UTC", **kw) -> scheduling.ScheduleData:
    values = dict(local_start=start, timezone=tz, duration_minutes=60, mode="video",
                  video_link=LINK, language="ar")
    values.update(kw)
    return scheduling.ScheduleData(**values)


def client_of(app, email):
    client = app.test_client()
    login(client, email)
    return client


def page_text(response) -> str:
    return words(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def words(value: str) -> str:
    return " ".join(value.split())


def invitations(case_id) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case_id)
                                .order_by(OutboxMessage.id)))


def event_of(message: OutboxMessage):
    (attachment,) = message.attachments
    assert attachment.content_type == "text/calendar"
    calendar = Calendar.from_ical(attachment.data)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


# --- time zones --------------------------------------------------------------------------------


def test_wall_clock_time_is_kept_across_a_daylight_saving_change(app, world):
    """Scheduled in winter (Oslo UTC+1) for a day after the spring change (UTC+2): 10:00 Oslo
    is stored as 08:00 UTC, and each person sees it in their own zone, named."""
    case = world.assigned_case()
    world.ev2.timezone = "America/New_York"
    session.commit()
    scheduled_on = datetime(2027, 3, 20, 12, 0, tzinfo=UTC)  # Oslo still on UTC+1
    interview = scheduling.schedule(world.coordinator, case,
                                    data(datetime(2027, 4, 5, 10, 0), "Europe/Oslo"),
                                    now=scheduled_on)
    assert interview.starts_at == datetime(2027, 4, 5, 8, 0, tzinfo=UTC)
    assert scheduled_on.astimezone(scheduling.zone("Europe/Oslo")).utcoffset() == timedelta(hours=1)
    assert scheduling.when(interview.starts_at, "Europe/Oslo", "en") == (
        "Monday, April 5, 2027 at 10:00\u202fAM (Europe/Oslo)")
    # New York changed on 14 March: UTC-4 on the day.
    assert scheduling.when(interview.starts_at, "America/New_York", "en") == (
        "Monday, April 5, 2027 at 4:00\u202fAM (America/New_York)")
    session.refresh(interview)  # read back from the database: still UTC, still 08:00
    assert interview.starts_at.utcoffset() == timedelta(0)
    assert interview.starts_at.hour == 8


def test_a_time_skipped_by_the_clock_change_is_refused(app, world):
    case = world.assigned_case()
    with pytest.raises(scheduling.FieldRefusal) as refused:
        scheduling.schedule(world.coordinator, case,
                            data(datetime(2027, 3, 28, 2, 30), "Europe/Oslo"),
                            now=datetime(2027, 3, 1, tzinfo=UTC))
    assert refused.value.field == "start"
    assert "does not exist in Europe/Oslo" in str(refused.value.message)


def test_each_participant_sees_the_time_in_their_own_zone(app, world):
    case = world.assigned_case()
    world.ev1.timezone = "Europe/Oslo"
    world.coordinator.timezone = "Asia/Tokyo"
    session.commit()
    start = (utcnow() + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0,
                                                   tzinfo=None)
    interview = scheduling.schedule(world.coordinator, case, data(start, "UTC"))
    oslo = scheduling.when(interview.starts_at, "Europe/Oslo", "en")
    tokyo = scheduling.when(interview.starts_at, "Asia/Tokyo", "en")
    assert "(Europe/Oslo)" in oslo and "6:00\u202fPM (Asia/Tokyo)" in tokyo
    assert words(oslo) in page_text(client_of(app, "ev1@test.org").get(f"/cases/{case.id}"))
    assert words(tokyo) in page_text(client_of(app, "coord@test.org").get("/interviews"))


# --- invitations -------------------------------------------------------------------------------


def test_invitations_update_and_cancel_carry_one_uid(app, world):
    case = world.assigned_case(email="amina@example.org")
    start = (utcnow() + timedelta(days=5)).replace(hour=9, minute=0, second=0, microsecond=0,
                                                   tzinfo=None)
    interview = scheduling.schedule(world.coordinator, case, data(start))
    first = invitations(case.id)
    assert sorted(m.to for m in first) == ["amina@example.org", "ev1@test.org", "ev2@test.org"]
    calendar, event = event_of(first[0])
    assert str(calendar["METHOD"]) == "REQUEST"
    uid = str(event["UID"])
    assert uid == interview.uid
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == start.replace(tzinfo=UTC)
    assert event.decoded("DTEND") == start.replace(tzinfo=UTC) + timedelta(minutes=60)
    assert str(event["URL"]) == LINK
    attendees = sorted(str(a) for a in event.get("ATTENDEE"))
    assert attendees == ["mailto:amina@example.org", "mailto:ev1@test.org",
                         "mailto:ev2@test.org"]
    assert "Amina" not in str(event["SUMMARY"])  # only the case reference in calendars

    scheduling.reschedule(world.coordinator, interview, data(start + timedelta(hours=2)),
                          reason="The interpreter is free later.")
    moved = invitations(case.id)[3:]
    assert len(moved) == 3
    calendar, event = event_of(moved[0])
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (uid, 1)
    assert event.decoded("DTSTART") == start.replace(tzinfo=UTC) + timedelta(hours=2)
    assert "moved" in moved[0].subject

    scheduling.cancel(world.coordinator, interview, "The candidate moved to another city.")
    cancelled = invitations(case.id)[6:]
    calendar, event = event_of(cancelled[0])
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (uid, 2)
    assert session.get(Case, case.id).status == "evaluators_assigned"


def test_an_observer_added_after_booking_is_invited_and_one_taken_off_is_told(app, world):
    from passport.cases.services import add_observer, remove_observer

    case = world.assigned_case(email="amina@example.org")
    start = (utcnow() + timedelta(days=5)).replace(hour=9, minute=0, second=0, microsecond=0,
                                                   tzinfo=None)
    interview = scheduling.schedule(world.coordinator, case, data(start))
    booked = len(invitations(case.id))

    add_observer(world.coordinator, case, world.ev3)
    (joined,) = invitations(case.id)[booked:]  # the observer only; the others' stay as sent
    assert joined.to == "ev3@test.org"
    assert "You are invited to the interview of case" in joined.body
    calendar, event = event_of(joined)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (interview.uid, interview.sequence)
    assert "mailto:ev3@test.org" in [str(a) for a in event.get("ATTENDEE")]
    assert world.ev3.id in {p.user_id for p in scheduling.participants(interview)}
    observer = client_of(app, "ev3@test.org")
    assert case.reference in page_text(observer.get("/interviews"))

    remove_observer(world.coordinator, case, world.ev3)
    (left,) = invitations(case.id)[booked + 1:]
    assert left.to == "ev3@test.org"
    assert "You no longer take part in the interview" in left.body
    calendar, event = event_of(left)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["UID"]) == interview.uid
    assert world.ev3.id not in {p.user_id for p in scheduling.participants(interview)}
    assert case.reference not in page_text(observer.get("/interviews"))
    assert session.get(Case, case.id).status == "interview_scheduled"


def test_an_observer_busy_at_the_booked_time_is_refused(app, world):
    from passport.cases.services import add_observer

    start = (utcnow() + timedelta(days=5)).replace(hour=9, minute=0, second=0, microsecond=0,
                                                   tzinfo=None)
    case = world.assigned_case()
    scheduling.schedule(world.coordinator, case, data(start))
    other = world.assigned_case(first=world.ev3, second=world.ev_same_centre)
    scheduling.schedule(world.coordinator, other, data(start + timedelta(minutes=30)))
    with pytest.raises(RuleViolation, match="already has an interview at that time"):
        add_observer(world.coordinator, case, world.ev3)
    session.rollback()
    assert not session.get(Case, case.id).is_assigned(world.ev3)


def test_the_candidate_gets_the_invitation_in_their_language_and_zone(app, world):
    case = world.assigned_case(email="amina@example.org", preferred_language="ar",
                               timezone="Europe/Oslo")
    start = (utcnow() + timedelta(days=5)).replace(hour=9, minute=0, second=0, microsecond=0,
                                                   tzinfo=None)
    scheduling.schedule(world.coordinator, case, data(start, "UTC"))
    (message,) = [m for m in invitations(case.id) if m.to == "amina@example.org"]
    assert "(Europe/Oslo)" in message.body
    assert re.search(r"[\u0600-\u06FF]", message.body)  # Arabic text


# --- refusals ----------------------------------------------------------------------------------


def test_an_evaluator_booked_at_an_overlapping_time_is_refused(app, world):
    first = world.assigned_case()
    second = world.assigned_case(first=world.ev1, second=world.ev3)
    start = (utcnow() + timedelta(days=4)).replace(hour=9, minute=0, second=0, microsecond=0,
                                                   tzinfo=None)
    scheduling.schedule(world.coordinator, first, data(start, duration_minutes=90))
    with pytest.raises(scheduling.FieldRefusal) as refused:
        scheduling.schedule(world.coordinator, second, data(start + timedelta(minutes=60)))
    assert "Ingrid Eval already has an interview at that time" in str(refused.value.message)
    assert session.get(Case, second.id).status == "evaluators_assigned"
    # Right after the first one ends is fine.
    scheduling.schedule(world.coordinator, second, data(start + timedelta(minutes=90)))


def test_an_evaluator_not_certified_on_the_interview_date_is_refused(app, world):
    from passport.training import services as training

    case = world.assigned_case()
    refresher = training.create_course(world.admin, training.CourseData(
        code="ANNUAL", title="Annual update", kind="methodology", validity_months=12))
    training.update_scheme_training(world.admin, world.eqpr, 0, {
        world.methodology.id: "required", world.data_protection.id: "required",
        refresher.id: "required"})
    for person in (world.ev1, world.ev2):
        training.add_record(world.admin, person, refresher, date.today() - timedelta(days=300))
    soon = (utcnow() + timedelta(days=10)).replace(hour=9, minute=0, second=0, microsecond=0,
                                                   tzinfo=None)
    late = soon + timedelta(days=90)  # the refresher has lapsed by then
    with pytest.raises(scheduling.FieldRefusal) as refused:
        scheduling.schedule(world.coordinator, case, data(late))
    message = str(refused.value.message)
    assert "is not certified to lead interviews for EQPR on" in message
    assert "Annual update" in message
    scheduling.schedule(world.coordinator, case, data(soon))


def _questionnaire(case, needs):
    session.add(Questionnaire(case_id=case.id, data={"needs": needs}, submitted_at=utcnow()))
    session.commit()


def test_the_candidates_stated_times_are_respected(app, world):
    case = world.assigned_case()
    _questionnaire(case, {"timezone": "Asia/Baghdad", "available": ["weekday_morning"],
                          "unavailable": "2099-03-10 – 2099-03-12 (family wedding)"})
    # 10 March 2099, 06:00 UTC = 09:00 in Baghdad: a morning, but a day they cannot.
    with pytest.raises(scheduling.FieldRefusal) as refused:
        scheduling.schedule(world.coordinator, case, data(datetime(2099, 3, 10, 6, 0)))
    assert "family wedding" in str(refused.value.message)
    # 17 March 2099 (Tuesday) 16:00 UTC = 19:00 in Baghdad: an evening, not their usual time.
    evening = data(datetime(2099, 3, 17, 16, 0))
    with pytest.raises(scheduling.FieldRefusal) as refused:
        scheduling.schedule(world.coordinator, case, evening)
    message = str(refused.value.message)
    assert "(Asia/Baghdad)" in message and "Weekday mornings" in message
    # Agreed with the candidate: allowed. A morning is allowed anyway.
    evening.candidate_agreed = True
    scheduling.schedule(world.coordinator, case, evening)


def test_bad_input_is_shown_next_to_each_field_and_nothing_is_lost(app, world):
    case = world.assigned_case()
    coordinator = client_of(app, "coord@test.org")
    page = f"/cases/{case.id}"
    form = {
        "interview-start": "2020-01-01T10:00", "interview-timezone": "Europe/Oslo",
        "interview-duration": "60", "interview-mode": "video",
        "interview-video_link": LINK, "interview-language": "ar",
        "interview-interpreter": "Samira, Arabic–Norwegian",
        "interview-accommodations": "Extra time: 15 minutes",
    }
    from tests.conftest import post_form

    response = post_form(coordinator, f"{page}/interview", form, form_page=page)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert re.search(r'id="interview-start-error">This time is in the past', body)
    assert "Samira, Arabic–Norwegian" in body and "Extra time: 15 minutes" in body

    future = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT10:00")
    for changes, field_id, words in (
        ({"interview-duration": "300"}, "interview-duration", "from 15 to 240 minutes"),
        ({"interview-duration": "10"}, "interview-duration", "from 15 to 240 minutes"),
        ({"interview-video_link": "javascript:alert(1)"}, "interview-video_link",
         "must be a web address"),
        ({"interview-video_link": "ftp://files.example.org"}, "interview-video_link",
         "must be a web address"),
    ):
        response = post_form(coordinator, f"{page}/interview",
                             {**form, "interview-start": future, **changes}, form_page=page)
        assert response.status_code == 422, changes
        body = response.get_data(as_text=True)
        assert re.search(rf'id="{field_id}-error">[^<]*{words}', body), changes
        assert "Extra time: 15 minutes" in body
    assert session.scalar(select(Interview).where(Interview.case_id == case.id)) is None
    assert session.get(Case, case.id).status == "evaluators_assigned"


# --- state changes -----------------------------------------------------------------------------


def test_held_moves_the_case_on_and_only_then_can_the_assessment_be_submitted(app, world):
    case = world.assigned_case()
    interview = schedule_interview(case)
    assert session.get(Case, case.id).status == "interview_scheduled"
    with pytest.raises(InvalidTransition):
        save_assessment(world.ev1, case, assessment_data(), submit=True)
    with pytest.raises(RuleViolation, match="not started yet"):
        scheduling.mark_held(world.ev1, interview)
    scheduling.mark_held(world.ev1, interview, now=interview.starts_at + timedelta(minutes=5))
    assert session.get(Case, case.id).status == "interviewed"
    save_assessment(world.ev1, case, assessment_data(), submit=True)
    assert session.get(Case, case.id).status == "assessment_submitted"


def test_not_held_returns_the_case_for_rescheduling_with_the_reason(app, world):
    case = world.assigned_case()
    interview = schedule_interview(case)
    evaluator = client_of(app, "ev2@test.org")
    from tests.conftest import post_form

    path = f"/interviews/{interview.id}/not-held"
    response = post_form(evaluator, path, {"outcome": "technical_failure", "reason": ""})
    assert response.status_code == 422
    assert 'id="reason-error"' in response.get_data(as_text=True)
    assert session.get(Case, case.id).status == "interview_scheduled"
    response = post_form(evaluator, path, {"outcome": "technical_failure",
                                           "reason": "The candidate's connection dropped."})
    assert response.status_code == 302
    session.refresh(interview)
    assert (interview.status, interview.outcome) == ("not_held", "technical_failure")
    assert session.get(Case, case.id).status == "evaluators_assigned"
    detail = page_text(client_of(app, "coord@test.org").get(f"/cases/{case.id}"))
    assert "recorded that the interview was not held (Technical failure)" in detail
    assert "The candidate's connection dropped." in detail
    # Scheduled again, at the same time even: the failed one no longer blocks it.
    again = schedule_interview(case)
    assert again.id != interview.id


# --- the workspace: autosave -------------------------------------------------------------------


def save(client, interview_id, *changes, token=None):
    token = token or csrf_of(client, interview_id)
    return client.post(
        f"/interviews/{interview_id}/workspace",
        data=json.dumps({"changes": [{"field": f, "value": v, "base": b}
                                     for f, v, b in changes]}),
        content_type="application/json", headers={"X-CSRFToken": token},
    )


def csrf_of(client, interview_id) -> str:
    page = client.get(f"/interviews/{interview_id}/workspace").get_data(as_text=True)
    return re.search(r'data-csrf="([^"]+)"', page).group(1)


@pytest.fixture()
def held(world):
    case = world.assigned_case()
    return case, hold_interview(case)


def test_an_acknowledged_save_is_committed(app, world, held, database_url):
    case, interview = held
    ev1 = client_of(app, "ev1@test.org")
    response = save(ev1, interview.id, ("identity.seen", "Passport seen on camera.", 0),
                    ("education.0.title", "Bachelor of Pharmacy", 0))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["saved"] == {"identity.seen": 1, "education.0.title": 1}
    # A fresh connection, as after a crash of the app server right after the answer.
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = dict(conn.execute(text(
            "SELECT name, value FROM workspace_fields WHERE interview_id = :i"),
            {"i": interview.id}).all())
    engine.dispose()
    assert rows == {"identity.seen": "Passport seen on camera.",
                    "education.0.title": "Bachelor of Pharmacy"}


def test_without_the_csrf_header_nothing_is_saved(app, world, held):
    case, interview = held
    ev1 = client_of(app, "ev1@test.org")
    response = ev1.post(f"/interviews/{interview.id}/workspace", content_type="application/json",
                        data=json.dumps({"changes": [{"field": "identity.seen", "value": "x",
                                                      "base": 0}]}))
    assert response.status_code == 400
    assert session.scalar(select(WorkspaceField)) is None


def test_two_evaluators_in_different_fields_merge(app, world, held):
    case, interview = held
    ev1, ev2 = client_of(app, "ev1@test.org"), client_of(app, "ev2@test.org")
    token1, token2 = csrf_of(ev1, interview.id), csrf_of(ev2, interview.id)  # pages opened
    assert save(ev1, interview.id, ("work.0.employer", "Al-Shifa Pharmacy", 0),
                token=token1).status_code == 200
    assert save(ev2, interview.id, ("languages.0.listening", "C1", 0),
                token=token2).status_code == 200
    page = ev1.get(f"/interviews/{interview.id}/workspace").get_data(as_text=True)
    assert "Al-Shifa Pharmacy" in page
    assert re.search(r'<option value="C1" selected>', page)


def test_the_same_field_from_a_stale_version_is_a_conflict_with_both_values(app, world, held):
    case, interview = held
    ev1, ev2 = client_of(app, "ev1@test.org"), client_of(app, "ev2@test.org")
    assert save(ev1, interview.id, ("summary.assessment", "Completed bachelor.", 0)
                ).status_code == 200
    response = save(ev2, interview.id, ("summary.assessment", "Four years completed.", 0),
                    ("summary.way_ahead", "Apply for a master's programme.", 0))
    assert response.status_code == 409
    body = response.get_json()
    assert body["saved"] == {"summary.way_ahead": 1}  # the other field merged
    (conflict,) = body["conflicts"]
    assert conflict == {"field": "summary.assessment", "theirs": "Completed bachelor.",
                        "yours": "Four years completed.", "version": 1, "by": "Ingrid Eval"}
    stored = session.scalar(select(WorkspaceField.value).where(
        WorkspaceField.name == "summary.assessment"))
    assert stored == "Completed bachelor."
    # The second saver chooses their text, now on the current version: saved.
    response = save(ev2, interview.id, ("summary.assessment", "Four years completed.", 1))
    assert response.status_code == 200 and response.get_json()["saved"] == {
        "summary.assessment": 2}
    # A retry of a save whose answer was lost is not a conflict.
    response = save(ev2, interview.id, ("summary.assessment", "Four years completed.", 1))
    assert response.status_code == 200


def test_simultaneous_saves_of_one_field_give_one_winner(app, world, held, live_server):
    """Six saves of one field from the same version at once, over real HTTP: exactly one is
    applied, the others are told of the conflict."""
    case, interview = held
    workspace.save(world.ev1, interview, [("record.technical", "start", 0)])
    users = [HttpUser(live_server, email, PASSWORD)
             for email in ("ev1@test.org", "ev2@test.org") * 3]
    path = f"/interviews/{interview.id}/workspace"
    tokens = [u.csrf(path) for u in users]
    results: list[int] = []
    barrier = threading.Barrier(len(users))

    def attempt(n: int) -> None:
        barrier.wait()
        status, _body = users[n].request(
            "POST", path, headers={"X-CSRFToken": tokens[n]},
            body={"changes": [{"field": "record.technical", "value": f"version {n}",
                               "base": 1}]})
        results.append(status)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(len(users))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200] + [409] * 5
    row = session.scalar(select(WorkspaceField).where(WorkspaceField.name == "record.technical")
                         .execution_options(populate_existing=True))
    assert row.version == 2 and row.value.startswith("version ")


def test_a_level_that_does_not_exist_is_refused_next_to_its_field(app, world, held):
    case, interview = held
    ev1 = client_of(app, "ev1@test.org")
    response = save(ev1, interview.id, ("languages.0.reading", "D7", 0),
                    ("languages.0.writing", "not_assessed", 0),
                    ("education.0.year_from", "85", 0))
    assert response.status_code == 422
    body = response.get_json()
    assert body["saved"] == {"languages.0.writing": 1}
    assert "Not a CEFR level" in body["errors"]["languages.0.reading"]
    assert "four digits" in body["errors"]["education.0.year_from"]


def test_private_notes_are_seen_by_their_author_only(app, world, held):
    case, interview = held
    ev1, ev2 = client_of(app, "ev1@test.org"), client_of(app, "ev2@test.org")
    assert save(ev1, interview.id, ("private_notes", "Ask about the thesis title.", 0)
                ).status_code == 200
    assert save(ev2, interview.id, ("private_notes", "Check the transcript.", 0)
                ).status_code == 200  # not a conflict: a note of her own
    mine = ev1.get(f"/interviews/{interview.id}/workspace").get_data(as_text=True)
    theirs = ev2.get(f"/interviews/{interview.id}/workspace").get_data(as_text=True)
    assert "Ask about the thesis title." in mine and "Check the transcript." not in mine
    assert "Check the transcript." in theirs and "Ask about the thesis title." not in theirs


def test_a_save_after_the_assessment_was_submitted_is_refused(app, world, held):
    case, interview = held
    ev2 = client_of(app, "ev2@test.org")
    token = csrf_of(ev2, interview.id)  # a page left open
    save_assessment(world.ev1, case, assessment_data(), submit=True)
    response = save(ev2, interview.id, ("summary.assessment", "Late words.", 0), token=token)
    assert response.status_code == 409
    body = response.get_json()
    assert body["closed"] is True and "submitted for review" in body["error"]
    assert session.scalar(select(WorkspaceField)) is None
    page = ev2.get(f"/interviews/{interview.id}/workspace").get_data(as_text=True)
    assert 'data-closed="1"' in page and "readonly" in page


def test_the_workspace_belongs_to_the_cases_evaluators(app, world, held):
    case, interview = held
    from passport.cases.services import add_observer

    outsider = client_of(app, "ev3@test.org")
    assert outsider.get(f"/interviews/{interview.id}/workspace").status_code == 404
    token = csrf_of(client_of(app, "ev1@test.org"), interview.id)
    response = outsider.post(f"/interviews/{interview.id}/workspace",
                             data=json.dumps({"changes": [{"field": "identity.seen",
                                                           "value": "x", "base": 0}]}),
                             content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code in (400, 404)
    assert session.scalar(select(WorkspaceField)) is None
    other = world.assigned_case(first=world.ev3, second=world.ev_same_centre)
    add_observer(world.coordinator, other, world.ev1)
    observer_view = client_of(app, "ev1@test.org")
    other_interview = schedule_interview(other)
    assert observer_view.get(f"/interviews/{other_interview.id}/workspace").status_code == 403
    assert client_of(app, "coord2@test.org").get(
        f"/interviews/{interview.id}/workspace").status_code == 404


def test_the_workspace_page_shows_the_form_sections_and_open_topics(app, world, held):
    case, interview = held
    workspace.save(world.ev1, interview, [("identity.seen", "Residence card seen.", 0)])
    page = client_of(app, "ev1@test.org").get(f"/interviews/{interview.id}/workspace")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    for title in ("Identity check and protection status", "Education",
                  "Other qualifications and short courses", "Work experience",
                  "Languages (CEFR per skill)", "Interview record", "Assessment and way ahead"):
        assert title in body
    assert '<li data-topic="identity" class="done">' in body
    assert '<li data-topic="education" >' in body
    assert "workspace.js" in body and "<script>" not in body and "style=" not in body
    assert "https://meet.example.org/interview" in body and "Join the video call" in body


def test_upcoming_interviews_lists_only_ones_own(app, world):
    mine = world.assigned_case()
    theirs = world.assigned_case(first=world.ev3, second=world.ev_same_centre)
    schedule_interview(mine)
    schedule_interview(theirs)
    ev1 = page_text(client_of(app, "ev1@test.org").get("/interviews"))
    assert mine.reference in ev1 and theirs.reference not in ev1
    coordinator = page_text(client_of(app, "coord@test.org").get("/interviews"))
    assert mine.reference in coordinator and theirs.reference in coordinator
    other = page_text(client_of(app, "coord2@test.org").get("/interviews"))
    assert "No upcoming interviews." in other


def test_each_evaluators_conclusion_and_their_disagreement(app, world, held):
    case, interview = held
    from tests.conftest import post_form

    path = f"/interviews/{interview.id}/conclusion"
    page = f"/interviews/{interview.id}/workspace"
    for email, level in (("ev1@test.org", "bachelor"), ("ev2@test.org", "master")):
        client = client_of(app, email)
        response = post_form(client, path, {
            "conclusion-level": level, "conclusion-completed": "y",
            "conclusion-years_completed": "4", "conclusion-conclusion": f"I find a {level}.",
            "submit": "1"}, form_page=page)
        assert response.status_code == 302
    body = page_text(client_of(app, "ev1@test.org").get(page))
    assert "I find a master." in body and "I find a bachelor." in body
    assert "The two conclusions differ on: level." in body


def test_the_first_assessment_draft_starts_from_the_workspace(app, world, held):
    case, interview = held
    workspace.save(world.ev1, interview, [
        ("education.0.level", "master", 0), ("education.0.title", "Master of Pharmacy", 0),
        ("education.0.years_completed", "5", 0),
        ("summary.assessment", "Completed a five-year programme.", 0),
        ("private_notes", "not for the assessment", 0)])
    page = client_of(app, "ev2@test.org").get(f"/cases/{case.id}/assessment")
    body = page.get_data(as_text=True)
    assert 'value="Master of Pharmacy"' in body and "Completed a five-year programme." in body
    assert re.search(r'<option selected value="master">|<option value="master" selected>', body)
    assert "not for the assessment" not in body


def test_the_draft_starts_from_the_workspace_after_a_conclusion_was_saved(app, world, held):
    """Saving one's conclusion in the workspace creates the round's (empty) assessment; the
    assessment page still starts from the workspace notes, not from that empty row."""
    from tests.conftest import post_form

    case, interview = held
    workspace.save(world.ev1, interview, [
        ("education.0.title", "Master of Pharmacy", 0), ("education.0.field", "Pharmacy", 0),
        ("summary.assessment", "Completed a five-year programme.", 0)])
    client = client_of(app, "ev1@test.org")
    response = post_form(client, f"/interviews/{interview.id}/conclusion", {
        "conclusion-level": "master", "conclusion-completed": "y",
        "conclusion-years_completed": "5", "conclusion-conclusion": "A master.",
        "submit": "1"}, form_page=f"/interviews/{interview.id}/workspace")
    assert response.status_code == 302
    body = client.get(f"/cases/{case.id}/assessment").get_data(as_text=True)
    assert 'value="Master of Pharmacy"' in body and 'value="Pharmacy"' in body
    assert "Completed a five-year programme." in body
    # A draft the evaluators saved themselves is never replaced by the workspace notes.
    save_assessment(world.ev1, case, assessment_data(qualification_title="Own title"),
                    submit=False)
    body = client.get(f"/cases/{case.id}/assessment").get_data(as_text=True)
    assert 'value="Own title"' in body and "Master of Pharmacy" not in body


def test_a_page_left_open_gets_a_fresh_csrf_token(app, world, held):
    case, interview = held
    ev1 = client_of(app, "ev1@test.org")
    token = ev1.get(f"/interviews/{interview.id}/workspace/token").get_json()["token"]
    assert save(ev1, interview.id, ("identity.notes", "ok", 0), token=token).status_code == 200
    assert client_of(app, "ev3@test.org").get(
        f"/interviews/{interview.id}/workspace/token").status_code == 404
