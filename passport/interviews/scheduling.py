"""Scheduling interviews across time zones: booking, clash refusal, rescheduling, cancelling,
calendar invitations, and marking an interview held or not held.

Times are stored in UTC. The coordinator enters the start in a time zone of their choice
(their own by default); every person is shown the time in their own zone, with the zone named.
A change of daylight-saving time between the day of scheduling and the day of the interview is
handled by zoneinfo: the wall-clock time entered is what the interview keeps.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_time
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy import func, or_, select

from passport import audit, mail
from passport.access import Need, may
from passport.auth.models import Role, User
from passport.cases import workflow
from passport.cases.models import Case
from passport.db import session, utcnow
from passport.errors import InvalidTransition, PermissionRefused, RuleViolation
from passport.interviews.models import (
    Interview,
    InterviewMode,
    InterviewParticipant,
    InterviewStatus,
    NotHeldReason,
    ParticipantRole,
)
from passport.org.models import scheme_coordinators
from passport.training.certification import check_pair

MIN_DURATION, MAX_DURATION = 15, 240
PAGE_SIZE = 25

MODE_LABELS = {
    InterviewMode.VIDEO: _l("Video"),
    InterviewMode.PHONE: _l("Phone"),
    InterviewMode.ON_SITE: _l("On site"),
}
NOT_HELD_LABELS = {
    NotHeldReason.CANDIDATE_ABSENT: _l("The candidate did not come"),
    NotHeldReason.TECHNICAL_FAILURE: _l("Technical failure"),
    NotHeldReason.OTHER: _l("Other reason"),
}
# The candidate's "When can you usually take part?" answers, as hours of their local day.
SLOTS = {
    "weekday_morning": (6, 12),
    "weekday_afternoon": (12, 17),
    "weekday_evening": (17, 23),
}


class FieldRefusal(RuleViolation):
    """A refusal that belongs next to one field of the scheduling form."""

    def __init__(self, field_name: str, message: Any) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass
class ScheduleData:
    local_start: datetime  # naive: the wall-clock time in `timezone`
    timezone: str
    duration_minutes: int = 60
    mode: str = InterviewMode.VIDEO
    video_link: str = ""
    language: str = "en"
    interpreter: str = ""
    accommodations: str = ""
    observer_ids: list[int] = field(default_factory=list)
    # The coordinator agreed the time with the candidate outside their usual availability.
    candidate_agreed: bool = False


# --- time zones --------------------------------------------------------------------------------


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def to_utc(local: datetime, tz_name: str) -> datetime:
    """The UTC moment of a wall-clock time in a zone. A time that does not exist there (the hour
    skipped when clocks go forward) is refused rather than silently moved."""
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise FieldRefusal("timezone", _l("Choose a time zone from the list.")) from None
    aware = local.replace(tzinfo=tz)
    moment = aware.astimezone(UTC)
    if moment.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise FieldRefusal("start", _l(
            "This time does not exist in %(zone)s: the clocks change that night. "
            "Choose another time.", zone=tz_name))
    return moment


def when(moment: datetime, tz_name: str | None, locale: str | None = None) -> str:
    """"Thursday, 12 March 2099 at 10:00 (Europe/Oslo)" for a reader in `tz_name`, in
    `locale` (default: the request's)."""
    from flask_babel import get_locale

    tz_name = tz_name or "UTC"
    local = moment.astimezone(zone(tz_name))
    loc = locale or str(get_locale() or "en")
    return _("%(date)s at %(time)s (%(zone)s)",
             date=format_date(local, "full", locale=loc),
             time=format_time(local, "short", locale=loc), zone=tz_name)


def candidate_timezone(case: Case) -> str:
    """The candidate's zone: the questionnaire's answer (copied to the candidate on
    submission), else what the coordinator recorded, else UTC."""
    needs = _needs(case)
    return needs.get("timezone") or case.candidate.timezone or "UTC"


def _needs(case: Case) -> dict[str, Any]:
    from passport.intake.services import questionnaire_of

    record = questionnaire_of(case.id)
    if record is None or record.submitted_at is None:
        return {}
    needs = (record.data or {}).get("needs")
    return needs if isinstance(needs, dict) else {}


# --- the candidate's stated times --------------------------------------------------------------

_ISO = r"\d{4}-\d{1,2}-\d{1,2}"
_EU = r"\d{1,2}[./]\d{1,2}[./]\d{4}"
_DAY = rf"(?:{_ISO}|{_EU})"
_RANGE = re.compile(rf"({_DAY})(?:\s*(?:–|—|-|to|until|till)\s*({_DAY}))?", re.IGNORECASE)


def _parse_day(text: str) -> date | None:
    try:
        if "-" in text and len(text.split("-")[0]) == 4:
            y, m, d = (int(p) for p in text.split("-"))
        else:
            d, m, y = (int(p) for p in re.split(r"[./]", text))
        return date(y, m, d)
    except ValueError:
        return None


def unavailable_days(text: str) -> list[tuple[date, date]]:
    """Dates and ranges written in the candidate's "when can you not take part" answer
    (2026-12-24, 24.12.2026, 24/12/2026, "2026-12-20 – 2027-01-02"). Words are not read."""
    spans = []
    for match in _RANGE.finditer(text or ""):
        first = _parse_day(match.group(1))
        last = _parse_day(match.group(2)) if match.group(2) else first
        if first and last:
            spans.append((min(first, last), max(first, last)))
    return spans


def check_candidate_times(case: Case, starts_at: datetime, duration: int,
                          agreed: bool) -> None:
    needs = _needs(case)
    if not needs:
        return
    tz_name = candidate_timezone(case)
    local_start = starts_at.astimezone(zone(tz_name))
    local_end = (starts_at + timedelta(minutes=duration)).astimezone(zone(tz_name))
    stated = needs.get("unavailable") or ""
    for first, last in unavailable_days(stated):
        if first <= local_end.date() and local_start.date() <= last:
            raise FieldRefusal("start", _l(
                "The candidate said they cannot take part then: “%(text)s” (the interview "
                "would be on %(day)s in their time zone, %(zone)s).",
                text=stated.strip(), day=format_date(local_start, "long"), zone=tz_name))
    available = [a for a in needs.get("available") or [] if isinstance(a, str)]
    if not available or agreed:
        return
    if local_start.weekday() >= 5:
        fits = "weekend" in available
    else:
        fits = any(
            name in available and low <= local_start.hour < high
            for name, (low, high) in SLOTS.items()
        )
    if not fits:
        from passport.intake.questionnaire import AVAILABILITY

        labels = dict(AVAILABILITY)
        raise FieldRefusal("start", _l(
            "This is %(time)s for the candidate (%(zone)s), who can usually take part: "
            "%(times)s. Choose another time, or tick that the candidate agreed to it.",
            time=when(starts_at, tz_name), zone=tz_name,
            times=", ".join(str(labels[a]) for a in available if a in labels)))


# --- clashes -----------------------------------------------------------------------------------


def clashes(user_ids: list[int], starts_at: datetime, ends_at: datetime,
            exclude_id: int | None = None) -> list[tuple[User, Interview]]:
    """Booked (scheduled or held) interviews of these people that overlap [starts_at, ends_at)."""
    query = (
        select(InterviewParticipant.user_id, Interview)
        .join(Interview, Interview.id == InterviewParticipant.interview_id)
        .where(
            InterviewParticipant.user_id.in_(user_ids),
            Interview.status.in_([InterviewStatus.SCHEDULED, InterviewStatus.HELD]),
            Interview.starts_at < ends_at,
            Interview.starts_at > starts_at - timedelta(minutes=MAX_DURATION),
        )
    )
    if exclude_id is not None:
        query = query.where(Interview.id != exclude_id)
    found = []
    for user_id, other in session.execute(query):
        if other.ends_at > starts_at:
            found.append((session.get(User, user_id), other))
    return found


# --- booking -----------------------------------------------------------------------------------


def _require_manager(actor: User, case: Case) -> None:
    if not may(actor, Need.MANAGE, case):
        raise PermissionRefused(_l("Only a coordinator of this scheme can schedule interviews."))


def problems(data: ScheduleData, *, now: datetime) -> dict[str, Any]:
    """What is wrong with the booking's own values, per form field (all at once, so that every
    message can stand next to its field)."""
    found: dict[str, Any] = {}
    if not (MIN_DURATION <= (data.duration_minutes or 0) <= MAX_DURATION):
        found["duration"] = _l("The duration must be from %(low)d to %(high)d minutes.",
                               low=MIN_DURATION, high=MAX_DURATION)
    if data.mode not in set(InterviewMode):
        found["mode"] = _l("Choose video, phone or on site.")
    link = (data.video_link or "").strip()
    if link:
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in link:
            found["video_link"] = _l(
                "The video link must be a web address starting with https:// or http://.")
    elif data.mode == InterviewMode.VIDEO:
        found["video_link"] = _l("A video interview needs its video link.")
    try:
        if to_utc(data.local_start, data.timezone) <= now:
            found["start"] = _l("This time is in the past.")
    except FieldRefusal as exc:
        found[exc.field] = exc.message
    return found


def _busy(person: User, other: Interview, tz_name: str | None) -> Any:
    return _l("%(name)s already has an interview at that time (%(when)s, %(minutes)d minutes).",
              name=person.name, when=when(other.starts_at, tz_name),
              minutes=other.duration_minutes)


def validate(case: Case, data: ScheduleData, *, now: datetime,
             exclude_id: int | None = None) -> tuple[datetime, list[User], list[User]]:
    """Check a booking; returns (UTC start, leads, observers) or raises FieldRefusal."""
    for name, message in problems(data, now=now).items():
        raise FieldRefusal(name, message)
    starts_at = to_utc(data.local_start, data.timezone)
    leads = case.evaluators
    if len(leads) != 2:
        raise RuleViolation(_l("Assign the two evaluators before scheduling the interview."))
    observers = [u for u in case.observers if u.id in set(data.observer_ids)]
    ends_at = starts_at + timedelta(minutes=data.duration_minutes)
    for person, other in clashes([u.id for u in leads + observers], starts_at, ends_at,
                                 exclude_id):
        raise FieldRefusal("start", _busy(person, other, data.timezone))
    try:
        check_pair(case.scheme, case.qualification_country, leads[0], leads[1],
                   starts_at.date())
    except RuleViolation as exc:
        raise FieldRefusal("start", exc.message) from None
    check_candidate_times(case, starts_at, data.duration_minutes, data.candidate_agreed)
    return starts_at, leads, observers


def _apply_data(interview: Interview, data: ScheduleData, starts_at: datetime) -> None:
    interview.starts_at = starts_at
    interview.duration_minutes = data.duration_minutes
    interview.mode = data.mode
    interview.video_link = (data.video_link or "").strip()
    interview.language = data.language
    interview.interpreter = (data.interpreter or "").strip()
    interview.accommodations = (data.accommodations or "").strip()
    interview.entered_timezone = data.timezone


def _set_participants(interview: Interview, leads: list[User], observers: list[User]) -> None:
    wanted = {u.id: ParticipantRole.LEAD for u in leads}
    wanted.update({u.id: ParticipantRole.OBSERVER for u in observers if u.id not in wanted})
    existing = {p.user_id: p for p in participants(interview)}
    for user_id, row in existing.items():
        if user_id not in wanted:
            session.delete(row)
        else:
            row.role = wanted[user_id]
    for user_id, role in wanted.items():
        if user_id not in existing:
            session.add(InterviewParticipant(interview_id=interview.id, user_id=user_id,
                                             role=role))
    session.flush()


def participants(interview: Interview) -> list[InterviewParticipant]:
    return list(session.scalars(
        select(InterviewParticipant).where(InterviewParticipant.interview_id == interview.id)
        .order_by(InterviewParticipant.role, InterviewParticipant.id)
    ))


def current_interview(case: Case) -> Interview | None:
    """The case's interview that is scheduled, else the latest held one."""
    return session.scalar(
        select(Interview)
        .where(Interview.case_id == case.id,
               Interview.status.in_([InterviewStatus.SCHEDULED, InterviewStatus.HELD]))
        .order_by(Interview.starts_at.desc(), Interview.id.desc())
        .limit(1)
    )


def interviews_of(case: Case) -> list[Interview]:
    return list(session.scalars(
        select(Interview).where(Interview.case_id == case.id)
        .order_by(Interview.starts_at.desc(), Interview.id.desc())
    ))


def _audit_facts(interview: Interview) -> dict[str, Any]:
    return {"interview_id": interview.id, "starts_at": interview.starts_at.isoformat(),
            "duration": interview.duration_minutes, "mode": interview.mode}


def schedule(actor: User, case: Case, data: ScheduleData, *,
             now: datetime | None = None) -> Interview:
    """Book the case's interview with its two evaluators and send the invitations."""
    _require_manager(actor, case)
    if case.status == workflow.CaseStatus.INTERVIEW_SCHEDULED:
        raise InvalidTransition(_l("An interview is already scheduled; reschedule it instead."))
    if not workflow.can(case, "schedule_interview"):
        raise InvalidTransition(_l(
            "An interview can be scheduled once the evaluators are assigned."))
    starts_at, leads, observers = validate(case, data, now=now or utcnow())
    interview = Interview(case_id=case.id, uid=f"{secrets.token_hex(16)}@qualifications-passport",
                          sequence=0, scheduled_by_id=actor.id, starts_at=starts_at)
    _apply_data(interview, data, starts_at)
    session.add(interview)
    session.flush()
    _set_participants(interview, leads, observers)
    workflow.apply(case, "schedule_interview", actor, details=_audit_facts(interview))
    _invite(interview, case, "REQUEST")
    session.commit()
    return interview


def reschedule(actor: User, interview: Interview, data: ScheduleData, *, reason: str = "",
               now: datetime | None = None) -> Interview:
    case = session.get(Case, interview.case_id)
    _require_manager(actor, case)
    if interview.status != InterviewStatus.SCHEDULED:
        raise InvalidTransition(_l("Only a scheduled interview can be moved."))
    before = _audit_facts(interview)
    starts_at, leads, observers = validate(case, data, now=now or utcnow(),
                                           exclude_id=interview.id)
    _apply_data(interview, data, starts_at)
    interview.sequence += 1
    interview.updated_at = utcnow()
    _set_participants(interview, leads, observers)
    audit.record(actor, "interview.rescheduled", interview, case_id=case.id, before=before,
                 after=_audit_facts(interview), reason=reason)
    _invite(interview, case, "REQUEST")
    session.commit()
    return interview


def cancel(actor: User, interview: Interview, reason: str = "") -> None:
    case = session.get(Case, interview.case_id)
    _require_manager(actor, case)
    if interview.status != InterviewStatus.SCHEDULED:
        raise InvalidTransition(_l("Only a scheduled interview can be cancelled."))
    interview.status = InterviewStatus.CANCELLED
    interview.sequence += 1
    interview.updated_at = utcnow()
    workflow.apply(case, "cancel_interview", actor, reason=reason,
                   details={"interview_id": interview.id})
    _invite(interview, case, "CANCEL")
    session.commit()


def booked_interview(case: Case) -> Interview | None:
    """The case's interview that is scheduled (at most one is)."""
    return session.scalar(select(Interview).where(
        Interview.case_id == case.id, Interview.status == InterviewStatus.SCHEDULED))


def observer_joins(case: Case, person: User) -> None:
    """An observer added to a case whose interview is already booked takes part in it and is
    sent the invitation (the others' calendars do not change)."""
    interview = booked_interview(case)
    if interview is None:
        return
    for _person, other in clashes([person.id], interview.starts_at, interview.ends_at,
                                  interview.id):
        raise RuleViolation(_busy(person, other, interview.entered_timezone))
    session.add(InterviewParticipant(interview_id=interview.id, user_id=person.id,
                                     role=ParticipantRole.OBSERVER))
    session.flush()
    _invite(interview, case, "REQUEST", only=person, kind="new")


def observer_leaves(case: Case, person: User) -> None:
    """An observer taken off a case with a booked interview is sent a cancellation of their
    own invitation and leaves the interview."""
    interview = booked_interview(case)
    if interview is None:
        return
    row = next((p for p in participants(interview) if p.user_id == person.id), None)
    if row is None:
        return
    _invite(interview, case, "CANCEL", only=person, kind="removed")
    session.delete(row)
    session.flush()


def _require_recorder(actor: User, case: Case) -> None:
    if not (may(actor, Need.ASSESS, case) or may(actor, Need.MANAGE, case)):
        raise PermissionRefused(_l(
            "Only the evaluators or a coordinator of this case can record the interview."))


def mark_held(actor: User, interview: Interview, *, now: datetime | None = None) -> None:
    case = session.get(Case, interview.case_id)
    _require_recorder(actor, case)
    if interview.status != InterviewStatus.SCHEDULED:
        raise InvalidTransition(_l("This interview is not waiting to be recorded."))
    if (now or utcnow()) < interview.starts_at:
        raise RuleViolation(_l("The interview has not started yet."))
    interview.status = InterviewStatus.HELD
    interview.recorded_by_id, interview.recorded_at = actor.id, utcnow()
    workflow.apply(case, "record_interview", actor, details={"interview_id": interview.id})
    session.commit()


def mark_not_held(actor: User, interview: Interview, outcome: str, reason: str) -> None:
    """Candidate absent, technical failure, ...: the case goes back to be scheduled again."""
    case = session.get(Case, interview.case_id)
    _require_recorder(actor, case)
    if interview.status != InterviewStatus.SCHEDULED:
        raise InvalidTransition(_l("This interview is not waiting to be recorded."))
    if outcome not in set(NotHeldReason):
        raise FieldRefusal("outcome", _l("Choose why the interview was not held."))
    if not reason.strip():
        raise FieldRefusal("reason", _l("Say briefly what happened."))
    interview.status = InterviewStatus.NOT_HELD
    interview.outcome, interview.outcome_reason = outcome, reason.strip()
    interview.recorded_by_id, interview.recorded_at = actor.id, utcnow()
    workflow.apply(case, "interview_not_held", actor, reason=reason.strip(),
                   details={"interview_id": interview.id, "outcome": outcome})
    session.commit()


# --- lists -------------------------------------------------------------------------------------


def upcoming(user: User, page: int = 1, *, now: datetime | None = None
             ) -> tuple[list[Interview], int]:
    """Scheduled interviews not yet over: an evaluator's own, a coordinator's schemes'."""
    now = now or utcnow()
    conditions = [Interview.id.in_(
        select(InterviewParticipant.interview_id).where(InterviewParticipant.user_id == user.id)
    )]
    if user.has_role(Role.COORDINATOR):
        conditions.append(Interview.case_id.in_(
            select(Case.id).where(Case.scheme_id.in_(
                select(scheme_coordinators.c.scheme_id)
                .where(scheme_coordinators.c.user_id == user.id)))
        ))
    query = select(Interview).where(
        Interview.status == InterviewStatus.SCHEDULED,
        Interview.starts_at > now - timedelta(minutes=MAX_DURATION),
        or_(*conditions),
    )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Interview.starts_at, Interview.id)
        .limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return list(rows), total


# --- invitations -------------------------------------------------------------------------------


def calendar_bytes(interview: Interview, case: Case, method: str,
                   attendees: list[tuple[str, str]]) -> bytes:
    """An iCalendar (RFC 5545) object: METHOD REQUEST for a new or moved interview, CANCEL
    for a cancelled one; the same UID every time, SEQUENCE counting the updates."""
    cal = Calendar()
    cal.add("prodid", "-//Qualifications Passport//Interviews//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", interview.uid)
    event.add("sequence", interview.sequence)
    event.add("dtstamp", utcnow())
    event.add("dtstart", interview.starts_at.astimezone(UTC))
    event.add("dtend", interview.ends_at.astimezone(UTC))
    # Only the case reference: calendars are synchronised to many places.
    event.add("summary", f"Qualifications Passport interview {case.reference}")
    details = [f"Case {case.reference}", f"Mode: {interview.mode}",
               f"Language: {interview.language}"]
    if interview.video_link:
        details.append(f"Video link: {interview.video_link}")
        event.add("url", interview.video_link)
        event.add("location", interview.video_link)
    event.add("description", "\n".join(details))
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{current_app.config['SMTP_FROM']}")
    organizer.params["cn"] = vText("Qualifications Passport")
    event.add("organizer", organizer)
    for name, address in attendees:
        attendee = vCalAddress(f"mailto:{address}")
        attendee.params["cn"] = vText(name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=0)
    cal.add_component(event)
    return cal.to_ical()


def _recipients(interview: Interview, case: Case) -> list[dict[str, Any]]:
    people = []
    for row in participants(interview):
        person = session.get(User, row.user_id)
        people.append({"name": person.name, "address": person.email,
                       "locale": person.locale or "en", "tz": person.timezone or "UTC",
                       "role": row.role, "candidate": False, "user_id": person.id})
    candidate = case.candidate
    address = candidate.email or candidate.phone
    if address:
        people.append({"name": candidate.full_name, "address": address,
                       "locale": candidate.preferred_language or "en",
                       "tz": candidate_timezone(case), "role": "candidate",
                       "candidate": True, "user_id": None})
    return people


def _invite(interview: Interview, case: Case, method: str, *, only: User | None = None,
            kind: str | None = None) -> None:
    """Send the calendar invitation (or its update or cancellation) to everyone taking part,
    or to `only` that person (an observer joining or leaving a booked interview)."""
    people = _recipients(interview, case)
    attendees = [(p["name"], p["address"]) for p in people if "@" in p["address"]]
    data = calendar_bytes(interview, case, method, attendees)
    kind = kind or ("cancelled" if method == "CANCEL"
                    else "updated" if interview.sequence else "new")
    for person in people:
        if only is not None and person["user_id"] != only.id:
            continue
        with force_locale(person["locale"]):
            subject = {
                "new": _("Interview invitation: %(ref)s", ref=case.reference),
                "updated": _("Interview moved: %(ref)s", ref=case.reference),
                "cancelled": _("Interview cancelled: %(ref)s", ref=case.reference),
                "removed": _("You no longer take part: interview %(ref)s", ref=case.reference),
            }[kind]
            body = render_template(
                "mail/interview_invitation.txt", kind=kind, person=person, case=case,
                interview=interview, when=when(interview.starts_at, person["tz"],
                                               person["locale"]),
                mode=MODE_LABELS.get(interview.mode, interview.mode),
            )
        mail.send(person["address"], subject, body,
                  attachments=[mail.Attachment("interview.ics", "text/calendar", data)],
                  case_id=case.id)
