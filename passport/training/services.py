"""Courses, scheme requirements, training records and evaluator profiles.

Each function is one transaction, takes the acting user, checks that they may act
(passport.access), raises a ServiceError subclass with a message for the user when it refuses
(nothing is saved then) and writes the audit trail. Records are never edited in place: see
`correct_record`.
"""

from __future__ import annotations

import hashlib
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from babel import Locale, UnknownLocaleError
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select, update

from passport import audit
from passport.access import manages_scheme_settings, manages_training
from passport.auth.models import Role, User, UserRole
from passport.db import session, utcnow
from passport.errors import ConcurrentChange, PermissionRefused, RuleViolation
from passport.i18n import isolated
from passport.org.models import Centre, Scheme
from passport.training import certification
from passport.training.models import (
    Course,
    CourseKind,
    EvaluatorCountry,
    EvaluatorLanguage,
    LanguageLevel,
    SchemeCourse,
    TrainingEvidence,
    TrainingRecord,
)

PAGE_SIZE = 25
DEFAULT_EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
MAX_VALIDITY_MONTHS = 240
MAX_OBSERVED_INTERVIEWS = 50
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$")


class FieldProblem(RuleViolation):
    """A refusal that belongs next to one field of the form."""

    def __init__(self, field: str, message: Any) -> None:
        super().__init__(message)
        self.field = field


def latest_today() -> date:
    """Today's date where it is already latest (UTC+14): a date after it is in the future
    everywhere, so nobody is refused a completion dated 'today' in their own time zone."""
    return (datetime.now(UTC) + timedelta(hours=14)).date()


def _require_manager(actor: User) -> None:
    if not manages_training(actor):
        raise PermissionRefused(_l("Only administrators and coordinators manage training."))


def _require_evaluator(person: User) -> None:
    if not person.has_role(Role.EVALUATOR):
        raise RuleViolation(_l("%(name)s is not an evaluator.", name=person.name))


@cache
def _known_countries() -> frozenset[str]:
    return frozenset(
        code for code in Locale("en").territories if len(code) == 2 and code.isalpha()
    )


def _valid_language(code: str) -> bool:
    try:
        Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return False
    return True


# --- Courses and scheme requirements ----------------------------------------------------------


@dataclass(frozen=True)
class CourseData:
    code: str
    title: str
    kind: str
    description: str = ""
    country: str | None = None
    renews_id: int | None = None
    validity_months: int | None = None
    max_score: int | None = None
    pass_mark: int | None = None
    active: bool = True


def _check_course(data: CourseData, course: Course | None) -> CourseData:
    code = data.code.strip().upper()
    if not CODE.match(code):
        raise FieldProblem(
            "code", _l("Use 1 to 20 letters, digits, hyphens or underscores, e.g. METH-1.")
        )
    same = session.scalar(select(Course).where(func.upper(Course.code) == code))
    if same is not None and (course is None or same.id != course.id):
        raise FieldProblem("code", _l("Another course already has the code %(code)s.", code=code))
    if not data.title.strip():
        raise FieldProblem("title", _l("Give the course a title."))
    if data.kind not in set(CourseKind):
        raise FieldProblem("kind", _l("Choose the kind of course."))
    country = (data.country or "").upper() or None
    if data.kind == CourseKind.COUNTRY_MODULE:
        if country not in _known_countries():
            raise FieldProblem(
                "country", _l("Choose the country whose education system the module teaches.")
            )
    else:
        country = None
    renews_id = data.renews_id or None
    if data.kind == CourseKind.REFRESHER:
        renewed = session.get(Course, renews_id) if renews_id else None
        if renewed is None or (course is not None and renewed.id == course.id):
            raise FieldProblem("renews", _l("Choose the course that this refresher renews."))
        if renewed.kind == CourseKind.REFRESHER:
            raise FieldProblem("renews", _l("A refresher renews a course, not another refresher."))
    else:
        renews_id = None
    if data.validity_months is not None and not 1 <= data.validity_months <= MAX_VALIDITY_MONTHS:
        raise FieldProblem(
            "validity_months",
            _l("Give 1 to %(max)d months, or leave empty if it never expires.",
               max=MAX_VALIDITY_MONTHS),
        )
    if (data.max_score is None) != (data.pass_mark is None):
        field = "pass_mark" if data.pass_mark is None else "max_score"
        raise FieldProblem(
            field, _l("An assessed course needs both a maximum score and a pass mark.")
        )
    if data.max_score is not None and data.max_score < 1:
        raise FieldProblem("max_score", _l("The maximum score must be at least 1."))
    if data.pass_mark is not None and not 0 <= data.pass_mark <= (data.max_score or 0):
        raise FieldProblem(
            "pass_mark",
            _l("The pass mark must be between 0 and the maximum score (%(max)d).",
               max=data.max_score),
        )
    return CourseData(
        code=code, title=data.title.strip(), kind=data.kind,
        description=data.description.strip(), country=country, renews_id=renews_id,
        validity_months=data.validity_months, max_score=data.max_score,
        pass_mark=data.pass_mark, active=data.active,
    )


def _course_facts(course: Course) -> dict[str, Any]:
    return {
        "code": course.code, "kind": course.kind, "country": course.country,
        "renews_id": course.renews_id, "validity_months": course.validity_months,
        "max_score": course.max_score, "pass_mark": course.pass_mark, "active": course.active,
    }


def create_course(actor: User, data: CourseData) -> Course:
    _require_manager(actor)
    clean = _check_course(data, None)
    course = Course(**vars(clean))
    session.add(course)
    session.flush()
    audit.record(actor, "training.course_created", course, after=_course_facts(course))
    session.commit()
    return course


def update_course(actor: User, course: Course, data: CourseData) -> Course:
    _require_manager(actor)
    clean = _check_course(data, course)
    before = _course_facts(course)
    for name, value in vars(clean).items():
        setattr(course, name, value)
    course.updated_at = utcnow()
    audit.record(actor, "training.course_updated", course, before=before,
                 after=_course_facts(course))
    session.commit()
    return course


def scheme_courses(scheme: Scheme) -> dict[int, bool]:
    """course id -> required (True) or recommended (False) for `scheme`."""
    return dict(
        session.execute(
            select(SchemeCourse.course_id, SchemeCourse.required).where(
                SchemeCourse.scheme_id == scheme.id
            )
        ).all()
    )


def update_scheme_training(
    actor: User, scheme: Scheme, observed_interviews_required: int, courses: dict[int, str]
) -> None:
    """Set how many observed interviews the scheme asks for and which courses it requires
    ("required"), recommends ("recommended") or leaves out (anything else) by course id."""
    if not manages_scheme_settings(actor, scheme):
        raise PermissionRefused(
            _l("Only administrators and the coordinators of %(scheme)s change its settings.",
               scheme=scheme.code)
        )
    if not 0 <= observed_interviews_required <= MAX_OBSERVED_INTERVIEWS:
        raise FieldProblem(
            "observed_interviews_required",
            _l("Give a number from 0 to %(max)d.", max=MAX_OBSERVED_INTERVIEWS),
        )
    known = set(session.scalars(select(Course.id)))
    wanted = {
        course_id: choice == "required"
        for course_id, choice in courses.items()
        if choice in {"required", "recommended"} and course_id in known
    }
    before = {
        "observed_interviews_required": scheme.observed_interviews_required,
        "courses": {str(k): v for k, v in sorted(scheme_courses(scheme).items())},
    }
    for row in session.scalars(select(SchemeCourse).where(SchemeCourse.scheme_id == scheme.id)):
        session.delete(row)
    session.flush()
    for course_id, required in wanted.items():
        session.add(SchemeCourse(scheme_id=scheme.id, course_id=course_id, required=required))
    scheme.observed_interviews_required = observed_interviews_required
    audit.record(
        actor, "training.scheme_updated", scheme, before=before,
        after={
            "observed_interviews_required": observed_interviews_required,
            "courses": {str(k): v for k, v in sorted(wanted.items())},
        },
    )
    session.commit()


# --- Evidence files ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


# Recognised by their first bytes, never by the name or the type the browser claims.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def sniff(content: bytes) -> str | None:
    for signature, content_type in SIGNATURES:
        if content.startswith(signature):
            return content_type
    return None


def evidence_max_bytes() -> int:
    return current_app.config.get("TRAINING_EVIDENCE_MAX_BYTES", DEFAULT_EVIDENCE_MAX_BYTES)


def _evidence(actor: User, upload: Upload) -> TrainingEvidence:
    limit = evidence_max_bytes()
    if not upload.content:
        raise FieldProblem("evidence", _l("The file is empty."))
    if len(upload.content) > limit:
        raise FieldProblem(
            "evidence",
            _l("The file is too large: the limit is %(mb).1f MB.", mb=limit / (1024 * 1024)),
        )
    content_type = sniff(upload.content)
    if content_type is None:
        raise FieldProblem(
            "evidence", _l("The file is not a PDF, PNG or JPEG. Upload the certificate as one.")
        )
    name = re.sub(r"[\x00-\x1f\\/]", "_", upload.filename or "")[-200:]
    evidence = TrainingEvidence(
        content=upload.content, content_type=content_type, filename=name,
        size=len(upload.content), sha256=hashlib.sha256(upload.content).hexdigest(),
        uploaded_by_id=actor.id,
    )
    session.add(evidence)
    return evidence


def evidence_content(evidence_id: int) -> TrainingEvidence | None:
    return session.get(TrainingEvidence, evidence_id)


# --- Training records -------------------------------------------------------------------------


def _check_result(
    course: Course, completed_on: date | None, score: int | None, today: date | None
) -> bool:
    """Check the date and score against the course; return whether the course was passed."""
    if completed_on is None:
        raise FieldProblem("completed_on", _l("Give the date the course was completed."))
    if completed_on > (today or latest_today()):
        raise FieldProblem(
            "completed_on",
            _l("The completion date %(date)s is in the future.", date=completed_on.isoformat()),
        )
    if completed_on.year < 1950:
        raise FieldProblem("completed_on", _l("The completion date is too far in the past."))
    if course.assessed:
        if score is None:
            raise FieldProblem(
                "score",
                _l("Give the score: “%(course)s” is assessed (0 to %(max)d).",
                   course=isolated(course.title), max=course.max_score),
            )
        if not 0 <= score <= course.max_score:
            raise FieldProblem(
                "score",
                _l("The score %(score)d is outside the range of “%(course)s” (0 to %(max)d).",
                   score=score, course=isolated(course.title), max=course.max_score),
            )
        return score >= (course.pass_mark or 0)
    if score is not None:
        raise FieldProblem(
            "score",
            _l("“%(course)s” is not assessed: leave the score empty.", course=course.title),
        )
    return True


def _record_facts(record: TrainingRecord) -> dict[str, Any]:
    return {
        "record_id": record.id, "version": record.version, "user_id": record.user_id,
        "course_id": record.course_id, "completed_on": record.completed_on.isoformat(),
        "score": record.score, "passed": record.passed, "withdrawn": record.withdrawn,
        "evidence_id": record.evidence_id,
    }


def _new_record(
    actor: User, evaluator: User, course: Course, completed_on: date, score: int | None,
    provider: str, evidence: TrainingEvidence | None, today: date | None,
) -> TrainingRecord:
    passed = _check_result(course, completed_on, score, today)
    provider = provider.strip()
    if len(provider) > 200:
        raise FieldProblem("provider", _l("Use at most 200 characters."))
    record = TrainingRecord(
        user_id=evaluator.id, course_id=course.id, completed_on=completed_on, score=score,
        passed=passed, provider=provider, evidence=evidence, recorded_by_id=actor.id,
    )
    session.add(record)
    session.flush()
    record.root_id = record.id
    return record


def add_record(
    actor: User,
    evaluator: User,
    course: Course,
    completed_on: date | None,
    score: int | None = None,
    provider: str = "",
    evidence: Upload | None = None,
    *,
    today: date | None = None,
) -> TrainingRecord:
    """Record that `evaluator` completed `course`. `today` is for tests; by default a date is
    in the future when it is after today everywhere on Earth."""
    _require_manager(actor)
    _require_evaluator(evaluator)
    _check_result(course, completed_on, score, today)  # before storing any file
    stored = _evidence(actor, evidence) if evidence is not None else None
    record = _new_record(actor, evaluator, course, completed_on, score, provider, stored, today)
    audit.record(actor, "training.record_added", record, after=_record_facts(record))
    session.commit()
    return record


def correct_record(
    actor: User,
    record: TrainingRecord,
    completed_on: date | None,
    score: int | None,
    provider: str,
    reason: str,
    *,
    withdraw: bool = False,
    evidence: Upload | None = None,
    today: date | None = None,
) -> TrainingRecord:
    """Correct a record by adding a new version that supersedes it; the earlier version stays
    in the history. With `withdraw`, the new version says the record was entered by mistake
    and no longer counts."""
    _require_manager(actor)
    if not reason.strip():
        raise FieldProblem("reason", _l("Say why the record is corrected."))
    if record.superseded_by_id is not None:
        raise ConcurrentChange(
            _l("This record has been corrected in the meantime. Open it again to see the "
               "current version.")
        )
    passed = _check_result(record.course, completed_on, score, today)
    provider = provider.strip()
    if len(provider) > 200:
        raise FieldProblem("provider", _l("Use at most 200 characters."))
    unchanged = (
        completed_on == record.completed_on and score == record.score
        and provider == record.provider and withdraw == record.withdrawn and evidence is None
    )
    if unchanged:
        raise FieldProblem("reason", _l("Nothing was changed, so there is nothing to correct."))
    stored = _evidence(actor, evidence) if evidence is not None else record.evidence
    new = TrainingRecord(
        root_id=record.root_id or record.id, version=record.version + 1,
        user_id=record.user_id, course_id=record.course_id, completed_on=completed_on,
        score=score, passed=passed, provider=provider, evidence=stored, withdrawn=withdraw,
        reason=reason.strip(), recorded_by_id=actor.id,
    )
    session.add(new)
    session.flush()
    # Compare-and-set: of two corrections made at once, only the first supersedes the record.
    result = session.execute(
        update(TrainingRecord)
        .where(TrainingRecord.id == record.id, TrainingRecord.superseded_by_id.is_(None))
        .values(superseded_by_id=new.id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        raise ConcurrentChange(
            _l("This record has been corrected in the meantime. Open it again to see the "
               "current version.")
        )
    session.refresh(record, ["superseded_by_id"])
    audit.record(
        actor, "training.record_withdrawn" if withdraw else "training.record_corrected", new,
        before=_record_facts(record), after=_record_facts(new), reason=reason.strip(),
    )
    session.commit()
    return new


def record_versions(record: TrainingRecord) -> list[TrainingRecord]:
    root = record.root_id or record.id
    return list(
        session.scalars(
            select(TrainingRecord)
            .where(TrainingRecord.root_id == root)
            .order_by(TrainingRecord.version)
        )
    )


def current_records(evaluator: User) -> list[TrainingRecord]:
    """The current version of each of the evaluator's records, withdrawn ones included."""
    return list(
        session.scalars(
            select(TrainingRecord)
            .where(
                TrainingRecord.user_id == evaluator.id,
                TrainingRecord.superseded_by_id.is_(None),
            )
            .order_by(TrainingRecord.completed_on.desc(), TrainingRecord.id.desc())
        )
    )


def version_counts(records: Iterable[TrainingRecord]) -> dict[int, list[TrainingRecord]]:
    """Earlier versions of each given current record, by root id."""
    roots = [r.root_id for r in records if r.version > 1]
    history: dict[int, list[TrainingRecord]] = {}
    if not roots:
        return history
    for row in session.scalars(
        select(TrainingRecord)
        .where(TrainingRecord.root_id.in_(roots))
        .order_by(TrainingRecord.root_id, TrainingRecord.version)
    ):
        history.setdefault(row.root_id, []).append(row)
    return history


def records_query(
    course_id: int | None = None, centre_id: int | None = None, user_id: int | None = None
) -> Select[tuple[TrainingRecord]]:
    query = (
        select(TrainingRecord)
        .join(User, User.id == TrainingRecord.user_id)
        .join(Course, Course.id == TrainingRecord.course_id)
        .where(TrainingRecord.superseded_by_id.is_(None))
    )
    if course_id:
        query = query.where(TrainingRecord.course_id == course_id)
    if centre_id:
        query = query.where(User.centre_id == centre_id)
    if user_id:
        query = query.where(TrainingRecord.user_id == user_id)
    return query.order_by(User.name, Course.code, TrainingRecord.completed_on)


def course_participants(course: Course, page: int) -> tuple[list[TrainingRecord], int]:
    query = records_query(course_id=course.id).where(TrainingRecord.withdrawn.is_(False))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE))
    return list(rows.unique()), total


# --- Evaluator profiles -----------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    centre_id: int | None
    timezone: str
    languages: tuple[tuple[str, str], ...]  # (language code, level)
    countries: tuple[str, ...]


def profile_of(evaluator: User) -> Profile:
    languages = session.execute(
        select(EvaluatorLanguage.language, EvaluatorLanguage.level)
        .where(EvaluatorLanguage.user_id == evaluator.id)
        .order_by(EvaluatorLanguage.language)
    ).all()
    countries = session.scalars(
        select(EvaluatorCountry.country)
        .where(EvaluatorCountry.user_id == evaluator.id)
        .order_by(EvaluatorCountry.country)
    ).all()
    return Profile(
        centre_id=evaluator.centre_id,
        timezone=evaluator.timezone,
        languages=tuple((code, level) for code, level in languages),
        countries=tuple(countries),
    )


def update_profile(actor: User, evaluator: User, profile: Profile) -> None:
    _require_manager(actor)
    _require_evaluator(evaluator)
    if profile.centre_id is None or session.get(Centre, profile.centre_id) is None:
        raise FieldProblem("centre", _l("Choose the evaluator's centre."))
    if profile.timezone not in zoneinfo.available_timezones():
        raise FieldProblem("timezone", _l("Choose a time zone from the list."))
    seen: set[str] = set()
    for code, level in profile.languages:
        if not _valid_language(code):
            raise FieldProblem("languages", _l("Choose each language from the list."))
        if level not in set(LanguageLevel):
            raise FieldProblem("languages", _l("Give a level for each language."))
        if code in seen:
            raise FieldProblem("languages", _l("Each language can be listed only once."))
        seen.add(code)
    countries = sorted(set(profile.countries))
    if any(c not in _known_countries() for c in countries):
        raise FieldProblem("countries", _l("Choose the countries from the list."))

    before = profile_of(evaluator)
    evaluator.centre_id = profile.centre_id
    evaluator.timezone = profile.timezone
    for model in (EvaluatorLanguage, EvaluatorCountry):
        for row in session.scalars(select(model).where(model.user_id == evaluator.id)):
            session.delete(row)
    session.flush()
    for code, level in profile.languages:
        session.add(EvaluatorLanguage(user_id=evaluator.id, language=code, level=level))
    for country in countries:
        session.add(EvaluatorCountry(user_id=evaluator.id, country=country))

    def facts(p: Profile) -> dict[str, Any]:
        return {"centre_id": p.centre_id, "timezone": p.timezone,
                "languages": [list(pair) for pair in p.languages],
                "countries": list(p.countries)}

    audit.record(actor, "training.profile_updated", evaluator, before=facts(before),
                 after=facts(Profile(profile.centre_id, profile.timezone,
                                     tuple(profile.languages), tuple(countries))))
    session.commit()


# --- Overview ---------------------------------------------------------------------------------


def evaluators(centre_id: int | None = None) -> list[User]:
    query = (
        select(User)
        .join(UserRole)
        .where(UserRole.role == Role.EVALUATOR, User.active.is_(True))
        .order_by(User.name, User.id)
    )
    if centre_id:
        query = query.where(User.centre_id == centre_id)
    return list(session.scalars(query).unique())


@dataclass(frozen=True)
class OverviewRow:
    evaluator: User
    scheme: Scheme
    status: certification.Status


def overview(
    on_date: date,
    centre_id: int | None = None,
    scheme_id: int | None = None,
    state: str | None = None,
) -> list[OverviewRow]:
    """Every active evaluator's status in every scheme (or the chosen one), filtered."""
    schemes = list(session.scalars(select(Scheme).order_by(Scheme.code)))
    if scheme_id:
        schemes = [s for s in schemes if s.id == scheme_id]
    people = evaluators(centre_id)
    found = certification.statuses([p.id for p in people], schemes, on_date)
    rows = [
        OverviewRow(person, scheme, found[(person.id, scheme.id)])
        for person in people
        for scheme in schemes
    ]
    if state:
        rows = [r for r in rows if r.status.state == state]
    return rows


def lapsing_soon(on_date: date) -> list[OverviewRow]:
    """Certifications that lapse within EXPIRY_WARNING_DAYS of `on_date`, soonest first."""
    rows = overview(on_date, state=certification.State.EXPIRING)
    return sorted(rows, key=lambda r: (r.status.lapses_on, r.evaluator.name, r.scheme.code))
