"""Whether an evaluator may lead interviews for a scheme on a given day, and if not, why.

An evaluator is certified to lead for a scheme on a day when
- every course the scheme requires has a passed completion on or before that day that has not
  expired (a completed refresher renews the course it refreshes, if that course was itself
  completed once), and
- they have observed the scheme's number of held interviews (`Scheme.observed_interviews_required`)
  in that scheme on or before that day, counted from the interview records; someone who has
  already led a held interview of the scheme has left the observing stage behind.

A scheme that requires no course at all certifies nobody: it has not said what training it
expects. The day is always a parameter, so that the same rules answer "today", "on the day of
the interview" and the fixed dates of the tests.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from babel.languages import get_official_languages
from flask_babel import format_date, gettext, lazy_gettext, ngettext
from sqlalchemy import func, select

from passport.auth.models import User
from passport.cases.models import Case
from passport.db import session
from passport.errors import RuleViolation
from passport.i18n import country_name, isolated, language_name
from passport.interviews.models import (
    Interview,
    InterviewParticipant,
    InterviewStatus,
    ParticipantRole,
)
from passport.org.models import Scheme
from passport.training.models import (
    LEVEL_ORDER,
    Course,
    CourseKind,
    EvaluatorCountry,
    EvaluatorLanguage,
    LanguageLevel,
    SchemeCourse,
    TrainingRecord,
)

# Coordinators are warned about certifications that lapse within this many days.
EXPIRY_WARNING_DAYS = 60
# The lowest level at which a language counts for the assignment rule.
MIN_LANGUAGE_LEVEL = LanguageLevel.B2


class State(StrEnum):
    CERTIFIED = "certified"
    EXPIRING = "expiring"  # certified, but lapses within EXPIRY_WARNING_DAYS
    EXPIRED = "expired"  # a required completion has expired
    TRAINEE = "trainee"  # started, not yet certified
    NOT_STARTED = "not_started"


STATE_LABELS = {
    State.CERTIFIED: lazy_gettext("Certified"),
    State.EXPIRING: lazy_gettext("Lapses soon"),
    State.EXPIRED: lazy_gettext("Expired"),
    State.TRAINEE: lazy_gettext("Trainee"),
    State.NOT_STARTED: lazy_gettext("No training yet"),
}


@dataclass(frozen=True)
class Status:
    state: State
    # What stands between the evaluator and certification, as sentences (empty if certified).
    reasons: tuple[str, ...] = ()
    # The first day on which the certification is no longer valid (None: it does not expire).
    lapses_on: date | None = None
    lapsing_course: str = ""
    observed: int = 0
    led: int = 0
    observed_required: int = 0

    @property
    def certified(self) -> bool:
        return self.state in (State.CERTIFIED, State.EXPIRING)

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def reason(self) -> str:
        if not self.certified:
            return "; ".join(self.reasons)
        if self.lapses_on is None:
            return gettext("no required course expires")
        return gettext(
            "lapses on %(date)s when “%(course)s” expires",
            date=format_date(self.lapses_on, "long"),
            course=isolated(self.lapsing_course),
        )


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


def expires_on(course: Course, completed_on: date) -> date | None:
    """The first day a completion of `course` is no longer valid; None if it never expires."""
    if not course.validity_months:
        return None
    return add_months(completed_on, course.validity_months)


def _end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


@dataclass(frozen=True)
class _Completion:
    course_id: int
    completed_on: date
    passed: bool
    score: int | None


def _completions(user_ids: list[int] | None, on_date: date) -> dict[int, list[_Completion]]:
    """Current, not withdrawn records completed on or before `on_date`, per user."""
    query = select(
        TrainingRecord.user_id,
        TrainingRecord.course_id,
        TrainingRecord.completed_on,
        TrainingRecord.passed,
        TrainingRecord.score,
    ).where(
        TrainingRecord.superseded_by_id.is_(None),
        TrainingRecord.withdrawn.is_(False),
        TrainingRecord.completed_on <= on_date,
    )
    if user_ids is not None:
        query = query.where(TrainingRecord.user_id.in_(user_ids))
    result: dict[int, list[_Completion]] = defaultdict(list)
    for user_id, course_id, completed_on, passed, score in session.execute(query):
        result[user_id].append(_Completion(course_id, completed_on, passed, score))
    return result


def interview_counts(
    user_ids: list[int] | None, scheme_ids: list[int], on_date: date
) -> dict[tuple[int, int], dict[str, int]]:
    """Held interviews per (user, scheme) and role, up to the end of `on_date` (UTC)."""
    query = (
        select(
            InterviewParticipant.user_id,
            Case.scheme_id,
            InterviewParticipant.role,
            func.count(),
        )
        .join(Interview, Interview.id == InterviewParticipant.interview_id)
        .join(Case, Case.id == Interview.case_id)
        .where(
            Interview.status == InterviewStatus.HELD,
            Interview.starts_at < _end_of(on_date),
            Case.scheme_id.in_(scheme_ids),
        )
        .group_by(InterviewParticipant.user_id, Case.scheme_id, InterviewParticipant.role)
    )
    if user_ids is not None:
        query = query.where(InterviewParticipant.user_id.in_(user_ids))
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for user_id, scheme_id, role, count in session.execute(query):
        counts[(user_id, scheme_id)][role] = count
    return counts


def _requirements(scheme_ids: list[int]) -> dict[int, list[int]]:
    rows = session.execute(
        select(SchemeCourse.scheme_id, SchemeCourse.course_id).where(
            SchemeCourse.scheme_id.in_(scheme_ids), SchemeCourse.required.is_(True)
        )
    )
    required: dict[int, list[int]] = defaultdict(list)
    for scheme_id, course_id in rows:
        required[scheme_id].append(course_id)
    return required


def _evaluate(
    completions: list[_Completion],
    required: list[Course],
    courses: dict[int, Course],
    observed: int,
    led: int,
    observed_required: int,
    on_date: date,
) -> Status:
    reasons: list[str] = []
    expired = False
    lapses_on: date | None = None
    lapsing_course = ""
    if not required:
        reasons.append(gettext("the scheme does not require any course yet"))
    for course in sorted(required, key=lambda c: c.title.casefold()):
        own = sorted((c for c in completions if c.course_id == course.id),
                     key=lambda c: c.completed_on)
        passed = [c for c in own if c.passed]
        if not passed:
            if own and own[-1].score is not None and course.pass_mark is not None:
                reasons.append(gettext(
                    "has not passed “%(course)s” (score %(score)d; pass mark %(mark)d)",
                    course=isolated(course.title), score=own[-1].score, mark=course.pass_mark,
                ))
            else:
                reasons.append(gettext("needs the course “%(course)s”",
                                       course=isolated(course.title)))
            continue
        renewals = [
            c for c in completions
            if c.passed and courses[c.course_id].renews_id == course.id
        ]
        best: date | None = date.min
        best_course = course
        for completion in passed + renewals:
            completed_course = courses[completion.course_id]
            until = expires_on(completed_course, completion.completed_on)
            if until is None:
                best = None
                break
            if until > best:
                best, best_course = until, completed_course
        if best is None:
            continue
        if best <= on_date:
            expired = True
            reasons.append(gettext(
                "“%(course)s” expired on %(date)s",
                course=isolated(best_course.title), date=format_date(best, "long"),
            ))
        elif lapses_on is None or best < lapses_on:
            lapses_on, lapsing_course = best, best_course.title
    if observed_required and observed < observed_required and not led:
        missing = observed_required - observed
        reasons.append(ngettext(
            "needs %(num)d more observed interview",
            "needs %(num)d more observed interviews",
            missing,
        ))
    if not reasons:
        soon = lapses_on is not None and (lapses_on - on_date).days <= EXPIRY_WARNING_DAYS
        state = State.EXPIRING if soon else State.CERTIFIED
    elif expired:
        state = State.EXPIRED
    elif completions or observed or led:
        state = State.TRAINEE
    else:
        state = State.NOT_STARTED
    return Status(
        state=state,
        reasons=tuple(reasons),
        lapses_on=lapses_on if not reasons else None,
        lapsing_course=lapsing_course if not reasons else "",
        observed=observed,
        led=led,
        observed_required=observed_required,
    )


def statuses(
    user_ids: Iterable[int] | None, schemes: Iterable[Scheme], on_date: date
) -> dict[tuple[int, int], Status]:
    """The status of every given user (None: every user with records) in every given scheme,
    computed with a handful of queries whatever the number of users."""
    schemes = list(schemes)
    ids = None if user_ids is None else list(user_ids)
    scheme_ids = [s.id for s in schemes]
    courses = {c.id: c for c in session.scalars(select(Course))}
    completions = _completions(ids, on_date)
    counts = interview_counts(ids, scheme_ids, on_date)
    required = _requirements(scheme_ids)
    result: dict[tuple[int, int], Status] = {}
    for user_id in ids if ids is not None else list(completions):
        for scheme in schemes:
            count = counts.get((user_id, scheme.id), {})
            result[(user_id, scheme.id)] = _evaluate(
                completions.get(user_id, []),
                [courses[i] for i in required.get(scheme.id, [])],
                courses,
                count.get(ParticipantRole.OBSERVER, 0),
                count.get(ParticipantRole.LEAD, 0),
                scheme.observed_interviews_required or 0,
                on_date,
            )
    return result


def certification(user: User, scheme: Scheme, on_date: date) -> Status:
    """The certification status of `user` for `scheme` on `on_date`, with its reason in words."""
    return statuses([user.id], [scheme], on_date)[(user.id, scheme.id)]


# --- What an evaluator knows: education systems and languages ---------------------------------


def _language_key(code: str) -> str:
    base = code.replace("-", "_").split("_")[0].lower()
    return "no" if base in {"nb", "nn"} else base  # Norwegian: both written standards


def official_languages(country: str) -> list[str]:
    return list(get_official_languages(country.upper(), de_facto=True))


@dataclass(frozen=True)
class Expertise:
    countries: frozenset[str] = frozenset()
    # language code -> CEFR level
    languages: dict[str, str] = field(default_factory=dict)

    def speaks(self, language: str, minimum: str = MIN_LANGUAGE_LEVEL) -> bool:
        wanted = _language_key(language)
        floor = LEVEL_ORDER.index(LanguageLevel(minimum))
        return any(
            _language_key(code) == wanted and LEVEL_ORDER.index(LanguageLevel(level)) >= floor
            for code, level in self.languages.items()
        )

    def knows(self, country: str) -> bool:
        """Knows the education system of `country` or speaks one of its official languages."""
        return country in self.countries or any(
            self.speaks(lang) for lang in official_languages(country)
        )


def expertise(user_ids: Iterable[int], on_date: date) -> dict[int, Expertise]:
    """Countries (from the profile and from valid country modules) and languages per user."""
    ids = list(user_ids)
    countries: dict[int, set[str]] = defaultdict(set)
    languages: dict[int, dict[str, str]] = defaultdict(dict)
    for user_id, country in session.execute(
        select(EvaluatorCountry.user_id, EvaluatorCountry.country).where(
            EvaluatorCountry.user_id.in_(ids)
        )
    ):
        countries[user_id].add(country)
    for user_id, language, level in session.execute(
        select(EvaluatorLanguage.user_id, EvaluatorLanguage.language, EvaluatorLanguage.level)
        .where(EvaluatorLanguage.user_id.in_(ids))
    ):
        languages[user_id][language] = level
    modules = session.execute(
        select(TrainingRecord.user_id, TrainingRecord.completed_on, Course)
        .join(Course, Course.id == TrainingRecord.course_id)
        .where(
            TrainingRecord.user_id.in_(ids),
            TrainingRecord.superseded_by_id.is_(None),
            TrainingRecord.withdrawn.is_(False),
            TrainingRecord.passed.is_(True),
            TrainingRecord.completed_on <= on_date,
            Course.kind == CourseKind.COUNTRY_MODULE,
            Course.country.is_not(None),
        )
    )
    for user_id, completed_on, course in modules:
        until = expires_on(course, completed_on)
        if until is None or until > on_date:
            countries[user_id].add(course.country)
    return {
        i: Expertise(frozenset(countries.get(i, ())), dict(languages.get(i, {}))) for i in ids
    }


# --- The gate on assignment -------------------------------------------------------------------


def check_pair(scheme: Scheme, country: str, first: User, second: User, on_date: date) -> None:
    """Refuse (RuleViolation, reason in words) a pair that may not lead an interview of a
    `scheme` case whose highest qualification was earned in `country`, on `on_date`."""
    found = statuses([first.id, second.id], [scheme], on_date)
    for person in (first, second):
        status = found[(person.id, scheme.id)]
        if not status.certified:
            raise RuleViolation(lazy_gettext(
                "%(name)s is not certified to lead interviews for %(scheme)s on %(date)s: "
                "%(reason)s.",
                name=person.name, scheme=scheme.code, date=format_date(on_date, "long"),
                reason=status.reason,
            ))
    known = expertise([first.id, second.id], on_date)
    if known[first.id].knows(country) or known[second.id].knows(country):
        return
    languages = [language_name(code) for code in official_languages(country)]
    if languages:
        raise RuleViolation(lazy_gettext(
            "Neither %(first)s nor %(second)s knows the education system of %(country)s or "
            "speaks %(languages)s at level %(level)s or above.",
            first=first.name, second=second.name, country=country_name(country),
            languages=gettext(" or ").join(languages), level=str(MIN_LANGUAGE_LEVEL),
        ))
    raise RuleViolation(lazy_gettext(
        "Neither %(first)s nor %(second)s knows the education system of %(country)s.",
        first=first.name, second=second.name, country=country_name(country),
    ))
