"""The live interview workspace: the structured interview form (DESIGN.md §4), saved field by
field as the evaluators type.

Every field is a row (`WorkspaceField`) with a version. A save names, for each field, the version
the browser started from (its base): a save on the current version is applied and bumps it; a
save on an older version is a conflict and changes nothing, and the saver is shown both values
to choose. So two evaluators typing in different fields merge, and neither ever overwrites the
other's words unseen. Saves are committed before they are acknowledged.

Field names: `<section>.<name>` in single sections, `<section>.<index>.<name>` in repeatable
ones; the evaluator's private notes are sent as `private_notes` and stored as
`private.<user id>`, which only their owner reads and writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from passport import audit
from passport.access import Need, may
from passport.auth.models import User
from passport.cases import workflow
from passport.cases.models import Case
from passport.db import session, utcnow
from passport.errors import InvalidTransition, PermissionRefused
from passport.interviews.forms import LEVEL_LABELS
from passport.interviews.models import Interview, InterviewStatus, WorkspaceField

CEFR = (
    ("below_a1", _l("Below A1")),
    ("A1", "A1"), ("A2", "A2"), ("B1", "B1"), ("B2", "B2"), ("C1", "C1"), ("C2", "C2"),
    ("not_assessed", _l("Not assessed")),
)
SKILLS = (
    ("listening", _l("Listening")),
    ("reading", _l("Reading")),
    ("writing", _l("Writing")),
    ("spoken_production", _l("Spoken production")),
    ("spoken_interaction", _l("Spoken interaction")),
)
YES_NO_PARTLY = (("yes", _l("Completed")), ("no", _l("Not completed")))
EVIDENCE = (
    ("documents", _l("Documents")),
    ("partial", _l("Partial evidence")),
    ("none", _l("No documents")),
)
BASIS = (
    ("interview", _l("Interview")),
    ("certificate", _l("Certificate")),
    ("self_declared", _l("Self-declared")),
)
MODES = (("video", _l("Video")), ("phone", _l("Phone")), ("on_site", _l("On site")))
LEVELS = tuple((str(k), v) for k, v in LEVEL_LABELS.items())

PRIVATE = "private_notes"
MAX_TEXT = 20000
MAX_CHANGES = 50


@dataclass(frozen=True)
class Field:
    name: str
    label: Any
    kind: str = "text"  # text, textarea, select, year, number, country, language
    choices: tuple[tuple[str, Any], ...] = ()
    max_length: int = 300
    wide: bool = False


@dataclass(frozen=True)
class Section:
    name: str
    title: Any
    fields: tuple[Field, ...]
    repeatable: bool = False
    max_entries: int = 1
    entry_label: Any = None
    add_label: Any = None


def _t(name: str, label: Any, kind: str = "text", **kw: Any) -> Field:
    if kind == "textarea":
        kw.setdefault("max_length", MAX_TEXT)
        kw.setdefault("wide", True)
    return Field(name, label, kind, **kw)


SECTIONS: tuple[Section, ...] = (
    Section("identity", _l("Identity check and protection status"), (
        _t("seen", _l("What was seen (no copies of identity documents)"), "textarea"),
        _t("protection", _l("Protection status as stated")),
        _t("notes", _l("Remarks"), "textarea"),
    )),
    Section("education", _l("Education"), (
        _t("level", _l("Level"), "select", choices=LEVELS),
        _t("title", _l("Title of the qualification")),
        _t("field", _l("Field of study")),
        _t("institution", _l("Institution")),
        _t("country", _l("Country"), "country"),
        _t("city", _l("City")),
        _t("year_from", _l("From (year)"), "year"),
        _t("year_to", _l("To (year)"), "year"),
        _t("nominal_years", _l("Nominal duration (years)"), "number"),
        _t("completed", _l("Completed"), "select", choices=YES_NO_PARTLY),
        _t("years_completed", _l("Years completed"), "number"),
        _t("language", _l("Language of instruction"), "language"),
        _t("evidence", _l("Evidence available"), "select", choices=EVIDENCE),
        _t("established", _l("What the interview established (subjects, thesis, practical "
                              "training)"), "textarea"),
        _t("conclusion", _l("The evaluators' conclusion"), "textarea"),
    ), repeatable=True, max_entries=10, entry_label=_l("Qualification %(number)d"),
        add_label=_l("Add a qualification")),
    Section("other", _l("Other qualifications and short courses"), (
        _t("title", _l("Title")),
        _t("awarding_body", _l("Awarding body")),
        _t("outcomes", _l("Learning outcomes"), "textarea"),
        _t("ects", _l("Workload (ECTS)"), "number"),
        _t("level", _l("Level")),
        _t("assessment", _l("Type of assessment")),
        _t("date", _l("Date")),
    ), repeatable=True, max_entries=10, entry_label=_l("Course %(number)d"),
        add_label=_l("Add a course")),
    Section("work", _l("Work experience"), (
        _t("employer", _l("Employer")),
        _t("position", _l("Position")),
        _t("country", _l("Country"), "country"),
        _t("year_from", _l("From (year)"), "year"),
        _t("year_to", _l("To (year)"), "year"),
        _t("tasks", _l("Main tasks"), "textarea"),
        _t("relevance", _l("Relevance"), "textarea"),
    ), repeatable=True, max_entries=10, entry_label=_l("Job %(number)d"),
        add_label=_l("Add a job")),
    Section("languages", _l("Languages (CEFR per skill)"), (
        _t("language", _l("Language"), "language"),
        *(_t(code, label, "select", choices=CEFR) for code, label in SKILLS),
        _t("basis", _l("Basis"), "select", choices=BASIS),
    ), repeatable=True, max_entries=8, entry_label=_l("Language %(number)d"),
        add_label=_l("Add a language")),
    Section("record", _l("Interview record"), (
        _t("duration", _l("Actual duration (minutes)"), "number"),
        _t("mode", _l("Mode"), "select", choices=MODES),
        _t("language", _l("Language of the interview"), "language"),
        _t("interpreter", _l("Interpreter")),
        _t("accommodations", _l("Accommodations"), "textarea"),
        _t("technical", _l("Technical problems"), "textarea"),
    )),
    Section("summary", _l("Assessment and way ahead"), (
        _t("assessment", _l("Assessment summary"), "textarea"),
        _t("way_ahead", _l("Way ahead: studies, work, authorisation to practise"), "textarea"),
    )),
)
BY_NAME = {s.name: s for s in SECTIONS}
_NAME = re.compile(r"^([a-z_]+)\.(?:(\d{1,2})\.)?([a-z_]+)$")


def spec(name: str) -> tuple[Section, int | None, Field] | None:
    match = _NAME.match(name)
    if not match:
        return None
    section = BY_NAME.get(match.group(1))
    if section is None:
        return None
    index = match.group(2)
    if section.repeatable != (index is not None):
        return None
    if index is not None and int(index) >= section.max_entries:
        return None
    found = next((f for f in section.fields if f.name == match.group(3)), None)
    if found is None:
        return None
    return section, (int(index) if index is not None else None), found


def _valid_code(kind: str, value: str) -> bool:
    from passport.intake.questionnaire import _valid_code as valid

    return valid(kind, value)


def problem(name: str, value: Any) -> Any:
    """What is wrong with a value for a field (a lazy message), or None."""
    if name == PRIVATE:
        if not isinstance(value, str):
            return _l("This value cannot be saved.")
        return _l("This text is too long.") if len(value) > MAX_TEXT else None
    found = spec(name)
    if found is None:
        return _l("This field does not exist.")
    _s, _i, f = found
    if not isinstance(value, str):
        return _l("This value cannot be saved.")
    if len(value) > f.max_length:
        return _l("At most %(num)d characters.", num=f.max_length)
    if not value:
        return None
    if f.kind == "select" and value not in {c for c, _label in f.choices}:
        if f.choices is CEFR:
            return _l("Not a CEFR level: choose A1 to C2, below A1 or not assessed.")
        return _l("Choose from the list.")
    if f.kind in ("country", "language") and not _valid_code(f.kind, value):
        return _l("Choose from the list.")
    if f.kind == "year" and not re.fullmatch(r"(19|20)\d{2}", value.strip()):
        return _l("Write the year with four digits, for example 2015.")
    if f.kind == "number" and not re.fullmatch(r"\d{1,4}", value.strip()):
        return _l("Write a whole number.")
    return None


# --- reading -----------------------------------------------------------------------------------


def _storage_name(name: str, actor: User) -> str:
    return f"private.{actor.id}" if name == PRIVATE else name


@dataclass
class Snapshot:
    """What one evaluator sees: shared fields and their own private notes, with versions."""

    values: dict[str, str] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    editors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def version(self, name: str) -> int:
        return self.versions.get(name, 0)

    def entries(self, section: Section) -> list[int]:
        """The entry indices to show: those with anything in them, or one empty entry."""
        used = set()
        for name, value in self.values.items():
            found = spec(name)
            if found and found[0] is section and value:
                used.add(found[1])
        return sorted(i for i in used if i is not None) or [0]

    def open_sections(self) -> list[Section]:
        return [s for s in SECTIONS if not self.filled(s)]

    def filled(self, section: Section) -> bool:
        return any(
            value and (found := spec(name)) is not None and found[0] is section
            for name, value in self.values.items()
        )


def snapshot(interview: Interview, actor: User) -> Snapshot:
    own = f"private.{actor.id}"
    rows = session.scalars(
        select(WorkspaceField).where(WorkspaceField.interview_id == interview.id)
    )
    result = Snapshot()
    for row in rows:
        if row.name.startswith("private."):
            if row.name != own:
                continue
            name = PRIVATE
        else:
            name = row.name
        result.values[name] = row.value
        result.versions[name] = row.version
        result.editors[name] = row.updated_by.name if row.updated_by else ""
    return result


# --- saving ------------------------------------------------------------------------------------


EDITABLE_STEPS = {
    workflow.CaseStatus.INTERVIEW_SCHEDULED,
    workflow.CaseStatus.INTERVIEWED,
    workflow.CaseStatus.RETURNED,
}


def closed_reason(interview: Interview, case: Case) -> Any:
    """Why the workspace no longer takes changes (a lazy message), or None if it does."""
    if interview.status not in (InterviewStatus.SCHEDULED, InterviewStatus.HELD):
        return _l("This interview was not held or was cancelled; its notes can no longer be "
                  "changed.")
    if case.status not in EDITABLE_STEPS:
        return _l("The assessment was submitted for review, so the interview notes can no "
                  "longer be changed. Your last changes were not saved: copy them from this "
                  "page if you need them.")
    return None


class WorkspaceClosed(InvalidTransition):
    pass


@dataclass
class SaveResult:
    saved: dict[str, int] = field(default_factory=dict)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def save(actor: User, interview: Interview, changes: list[tuple[str, str, int]]) -> SaveResult:
    """Apply `changes` (field name, new value, base version) and commit before returning."""
    case = session.get(Case, interview.case_id)
    if not may(actor, Need.ASSESS, case):
        raise PermissionRefused(_l("Only the evaluators of this case can write here."))
    reason = closed_reason(interview, case)
    if reason is not None:
        raise WorkspaceClosed(reason)
    result = SaveResult()
    now = utcnow()
    for name, value, base in changes[:MAX_CHANGES]:
        error = problem(name, value)
        if error is not None:
            result.errors[name] = str(error)
            continue
        stored = _storage_name(name, actor)
        if _compare_and_set(interview.id, stored, value, base, actor, now):
            result.saved[name] = base + 1
            continue
        current = session.scalar(
            select(WorkspaceField).where(WorkspaceField.interview_id == interview.id,
                                         WorkspaceField.name == stored)
            .execution_options(populate_existing=True)
        )
        if current is not None and current.value == value:
            # The same words are already there (a retry whose answer was lost): saved.
            result.saved[name] = current.version
            continue
        result.conflicts.append({
            "field": name,
            "theirs": current.value if current else "",
            "yours": value,
            "version": current.version if current else 0,
            "by": current.updated_by.name if current and current.updated_by else "",
        })
    # Field names only (never the words): the record of who wrote in the case, when.
    audit.record(actor, "workspace.saved", interview, case_id=case.id,
                 after={"fields": sorted(n for n in result.saved if n != PRIVATE),
                        "conflicts": [c["field"] for c in result.conflicts]})
    session.commit()
    return result


def _compare_and_set(interview_id: int, name: str, value: str, base: int, actor: User,
                     now: Any) -> bool:
    if base <= 0:
        try:
            with session.begin_nested():
                session.add(WorkspaceField(interview_id=interview_id, name=name, value=value,
                                           version=1, updated_by_id=actor.id, updated_at=now))
            return True
        except IntegrityError:
            return False
    done = session.execute(
        update(WorkspaceField)
        .where(WorkspaceField.interview_id == interview_id, WorkspaceField.name == name,
               WorkspaceField.version == base)
        .values(value=value, version=base + 1, updated_by_id=actor.id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def assessment_draft(interview: Interview) -> dict[str, Any]:
    """The assessment form's fields as the workspace has them (the first education entry and
    the summary), for the evaluators' first draft of the assessment."""
    rows = dict(session.execute(
        select(WorkspaceField.name, WorkspaceField.value).where(
            WorkspaceField.interview_id == interview.id, WorkspaceField.value != "",
            ~WorkspaceField.name.startswith("private."))
    ).all())
    draft: dict[str, Any] = {}
    for target, source in (("level", "education.0.level"),
                           ("qualification_title", "education.0.title"),
                           ("field_of_study", "education.0.field"),
                           ("institution", "education.0.institution"),
                           ("summary", "summary.assessment")):
        if rows.get(source):
            draft[target] = rows[source]
    if rows.get("education.0.completed"):
        draft["completed"] = rows["education.0.completed"] == "yes"
    years = rows.get("education.0.years_completed", "")
    if years.isdigit() and int(years) <= 15:
        draft["years_completed"] = int(years)
    return draft
