"""CSV export of training records and of the certification overview, and CSV import of a
course cohort.

An import is checked as a whole first: every row's problems are reported by line number, and
nothing is saved unless the whole file is clean (a dry run only reports).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from passport import audit
from passport.auth.models import Role, User, UserRole
from passport.db import session
from passport.training import certification
from passport.training.models import Course, TrainingRecord
from passport.training.services import (
    FieldProblem,
    OverviewRow,
    _check_result,
    _new_record,
    _record_facts,
    _require_manager,
    latest_today,
)

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 5000
IMPORT_COLUMNS = ("email", "course_code", "completed_on", "score", "provider")
REQUIRED_COLUMNS = ("email", "course_code", "completed_on")
ALIASES = {"course": "course_code", "evaluator": "email", "evaluator_email": "email",
           "date": "completed_on"}


def _cell(value: object) -> str:
    """A value safe to open in a spreadsheet: text starting with = + - @ is not a formula."""
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def _write(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(list(header))
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def records_csv(records: Iterable[TrainingRecord]) -> str:
    header = ("evaluator_email", "evaluator_name", "centre", "course_code", "course_title",
              "completed_on", "score", "max_score", "result", "expires_on", "provider",
              "version", "withdrawn", "recorded_by", "recorded_at")
    rows = []
    for r in records:
        until = certification.expires_on(r.course, r.completed_on)
        rows.append((
            r.user.email, r.user.name, r.user.centre.name if r.user.centre else "",
            r.course.code, r.course.title, r.completed_on.isoformat(),
            "" if r.score is None else r.score,
            "" if r.course.max_score is None else r.course.max_score,
            "passed" if r.passed else "not passed",
            until.isoformat() if until else "", r.provider, r.version,
            "yes" if r.withdrawn else "no",
            r.recorded_by.email if r.recorded_by else "",
            r.recorded_at.isoformat(timespec="seconds"),
        ))
    return _write(header, rows)


def overview_csv(rows: Iterable[OverviewRow], on_date: date) -> str:
    header = ("evaluator_email", "evaluator_name", "centre", "scheme", "status", "as_of",
              "lapses_on", "observed_interviews", "led_interviews", "observed_required",
              "reason")
    return _write(header, (
        (
            row.evaluator.email, row.evaluator.name,
            row.evaluator.centre.name if row.evaluator.centre else "", row.scheme.code,
            str(row.status.state), on_date.isoformat(),
            row.status.lapses_on.isoformat() if row.status.lapses_on else "",
            row.status.observed, row.status.led, row.status.observed_required,
            row.status.reason,
        )
        for row in rows
    ))


@dataclass
class ImportRow:
    line: int
    evaluator: User
    course: Course
    completed_on: date
    score: int | None
    provider: str


@dataclass
class ImportResult:
    dry_run: bool
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    imported: int = 0

    @property
    def clean(self) -> bool:
        return not self.problems


def _decode(content: bytes) -> str:
    if not content.strip():
        raise FieldProblem("file", _l("The file is empty."))
    if len(content) > MAX_IMPORT_BYTES:
        raise FieldProblem("file", _l("The file is too large: the limit is 2 MB."))
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FieldProblem(
            "file", _l("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
        ) from None


def _reader(text: str) -> csv.DictReader:
    first = text.splitlines()[0] if text else ""
    # Spreadsheets in many European languages save CSV with semicolons.
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    names = [(n or "").strip().lower().replace(" ", "_") for n in (reader.fieldnames or [])]
    reader.fieldnames = [ALIASES.get(n, n) for n in names]
    missing = [c for c in REQUIRED_COLUMNS if c not in reader.fieldnames]
    if missing:
        raise FieldProblem(
            "file",
            _l("The first line must name the columns %(columns)s; missing: %(missing)s.",
               columns=", ".join(IMPORT_COLUMNS), missing=", ".join(missing)),
        )
    return reader


def _parse_date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def check_import(content: bytes, today: date | None = None) -> ImportResult:
    """Read and check a cohort file without saving anything."""
    text = _decode(content)
    reader = _reader(text)
    result = ImportResult(dry_run=True)
    raw_rows = []
    for raw in reader:
        if reader.line_num - 1 > MAX_IMPORT_ROWS:
            raise FieldProblem(
                "file", _l("The file has more than %(max)d rows; split it.", max=MAX_IMPORT_ROWS)
            )
        raw_rows.append((reader.line_num, raw))

    emails = {(raw.get("email") or "").strip().lower() for _line, raw in raw_rows}
    people = {
        u.email: u
        for u in session.scalars(
            select(User).join(UserRole).where(
                UserRole.role == Role.EVALUATOR, func.lower(User.email).in_(emails)
            )
        ).unique()
    }
    courses = {c.code.upper(): c for c in session.scalars(select(Course))}
    recorded = _recorded({u.id for u in people.values()})
    seen: dict[tuple[int, int, date], int] = {}
    for line, raw in raw_rows:
        values = {k: (v or "").strip() for k, v in raw.items() if isinstance(k, str)}
        if not any(values.values()) and None not in raw:
            continue  # a blank line
        problems: list[str] = []
        if None in raw:
            problems.append(_("The row has more values than there are columns."))
        email = values.get("email", "").lower()
        evaluator = people.get(email)
        if not email:
            problems.append(_("The evaluator's email is missing."))
        elif evaluator is None:
            problems.append(_("No evaluator has the email %(email)s.", email=email))
        code = values.get("course_code", "")
        course = courses.get(code.upper())
        if not code:
            problems.append(_("The course code is missing."))
        elif course is None:
            problems.append(_("There is no course with the code %(code)s.", code=code))
        completed_on = _parse_date(values.get("completed_on", ""))
        if completed_on is None:
            problems.append(_("Write the completion date as YYYY-MM-DD."))
        score: int | None = None
        raw_score = values.get("score", "")
        if raw_score:
            try:
                score = int(raw_score)
            except ValueError:
                problems.append(_("The score %(score)s is not a whole number.", score=raw_score))
                raw_score = "invalid"
        provider = values.get("provider", "")
        if len(provider) > 200:
            problems.append(_("The provider has more than 200 characters."))
        if course is not None and completed_on is not None and raw_score != "invalid":
            try:
                _check_result(course, completed_on, score, today or latest_today())
            except FieldProblem as exc:
                problems.append(str(exc.message))
        if evaluator and course and completed_on:
            key = (evaluator.id, course.id, completed_on)
            if key in seen:
                problems.append(_("The same completion is already on line %(line)d.",
                                  line=seen[key]))
            else:
                seen[key] = line
                if key in recorded:
                    problems.append(_("This completion is already recorded."))
        if problems:
            result.problems.append((line, " ".join(problems)))
        else:
            result.rows.append(
                ImportRow(line, evaluator, course, completed_on, score, provider)
            )
    if not result.rows and not result.problems:
        raise FieldProblem("file", _l("The file has no rows below the column names."))
    return result


def _recorded(user_ids: set[int]) -> set[tuple[int, int, date]]:
    """(user, course, date) of the counting records of these users."""
    if not user_ids:
        return set()
    return {
        tuple(row)
        for row in session.execute(
            select(TrainingRecord.user_id, TrainingRecord.course_id, TrainingRecord.completed_on)
            .where(
                TrainingRecord.user_id.in_(user_ids),
                TrainingRecord.superseded_by_id.is_(None),
                TrainingRecord.withdrawn.is_(False),
            )
        )
    }


def import_records(
    actor: User, content: bytes, *, dry_run: bool, today: date | None = None
) -> ImportResult:
    """Check a cohort file; unless `dry_run`, and only if every row is fine, save all rows in
    one transaction. Raises FieldProblem("file", ...) for a file that cannot be read at all."""
    _require_manager(actor)
    result = check_import(content, today)
    result.dry_run = dry_run
    if dry_run or not result.clean:
        return result
    for row in result.rows:
        record = _new_record(actor, row.evaluator, row.course, row.completed_on, row.score,
                             row.provider, None, today)
        audit.record(actor, "training.record_added", record,
                     after={**_record_facts(record), "imported": True})
    result.imported = len(result.rows)
    audit.record(
        actor, "training.records_imported", actor,
        after={"count": result.imported,
               "course_ids": sorted({row.course.id for row in result.rows})},
    )
    session.commit()
    return result
