"""What the questionnaire asks, how its answers are read from a form and how they are checked.

The answers are kept as one JSON document of strings, exactly as typed, so that a draft never
loses anything (not even a year written wrongly). Checking is separate from saving: a draft is
saved with whatever problems it has and the problems are shown next to their fields; submitting
needs an answer to every required question and no problems.

Form inputs are named `<section>-<index>-<question>` in repeatable sections (as WTForms names
FieldList entries) and `<section>-<question>` in the others; the same names key the errors.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import available_timezones

from babel import Locale
from flask_babel import lazy_gettext as _l

from passport.interviews.forms import LEVEL_LABELS


@dataclass(frozen=True)
class Question:
    name: str
    label: Any
    kind: str = "text"  # text, textarea, select, checkboxes, year, number, country, language,
    #                     timezone, cefr
    required: bool = False
    max_length: int = 300
    hint: Any = None
    choices: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Section:
    name: str
    title: Any
    questions: tuple[Question, ...]
    repeatable: bool = False
    min_entries: int = 0  # on submission
    max_entries: int = 1
    intro: Any = None
    add_label: Any = None
    entry_label: Any = None  # "Job %(number)d": the legend of one entry

    def entry_title(self, number: int) -> str:
        return str(self.entry_label) % {"number": number} if self.entry_label else str(self.title)

    def question(self, name: str) -> Question:
        return next(q for q in self.questions if q.name == name)


COMPLETION = (
    ("yes", _l("Yes, I completed it")),
    ("no", _l("No, I could not finish it")),
    ("ongoing", _l("I was still studying when I had to leave")),
)
DOCUMENT_KINDS = (
    ("diploma", _l("Diploma or degree certificate")),
    ("transcript", _l("Transcript of grades")),
    ("other", _l("Other papers (student card, letters, photos of documents)")),
    ("none", _l("No documents")),
)
# Self-assessed CEFR level per skill. "Below A1" exists; "I cannot say" is an explicit answer,
# so that a skill is never silently left blank.
CEFR = (
    ("below_a1", _l("Below A1 (a few words)")),
    ("A1", _l("A1 (beginner)")),
    ("A2", _l("A2 (elementary)")),
    ("B1", _l("B1 (intermediate)")),
    ("B2", _l("B2 (upper intermediate)")),
    ("C1", _l("C1 (advanced)")),
    ("C2", _l("C2 (proficient, like a mother tongue)")),
    ("not_assessed", _l("I cannot say")),
)
SKILLS = ("listening", "reading", "writing", "speaking")
AIMS = (
    ("study", _l("Continue my studies")),
    ("work", _l("Find work")),
    ("practise", _l("Get authorisation to practise my profession (for example as a nurse)")),
    ("other", _l("Something else")),
)
AVAILABILITY = (
    ("weekday_morning", _l("Weekday mornings")),
    ("weekday_afternoon", _l("Weekday afternoons")),
    ("weekday_evening", _l("Weekday evenings")),
    ("weekend", _l("Weekends")),
)
LEVELS = tuple((str(k), v) for k, v in LEVEL_LABELS.items())

SECTIONS: tuple[Section, ...] = (
    Section(
        "education",
        _l("Education"),
        entry_label=_l("Education %(number)d"),
        repeatable=True,
        min_entries=1,
        max_entries=12,
        intro=_l(
            "Describe each school, college or university education you finished or started, "
            "beginning with the highest. Add one entry for each."
        ),
        add_label=_l("Add another education"),
        questions=(
            Question("level", _l("Level"), "select", required=True, choices=LEVELS),
            Question("title", _l("Name of the qualification"), required=True,
                     hint=_l("As written on the diploma, for example “Bachelor of Pharmacy”.")),
            Question("field", _l("Field of study")),
            Question("institution", _l("School or university"), required=True),
            Question("country", _l("Country"), "country", required=True),
            Question("city", _l("City"), max_length=100),
            Question("year_from", _l("Year you started"), "year", required=True),
            Question("year_to", _l("Year you finished or stopped"), "year"),
            Question("completed", _l("Did you complete it?"), "select", required=True,
                     choices=COMPLETION),
            Question("years_completed", _l("Years of study completed"), "number",
                     hint=_l("If you did not finish: how many years did you complete?")),
            Question("language", _l("Language of instruction"), "language"),
            Question("documents", _l("Which documents do you have?"), "checkboxes",
                     choices=DOCUMENT_KINDS),
            Question("documents_note", _l("About the documents"), "textarea", max_length=2000,
                     hint=_l("For example: the diploma is at my family's home; I have a photo "
                             "of the transcript.")),
        ),
    ),
    Section(
        "courses",
        _l("Other courses and short qualifications"),
        entry_label=_l("Course %(number)d"),
        repeatable=True,
        max_entries=20,
        intro=_l("Courses, training and certificates outside your main education, if any."),
        add_label=_l("Add another course"),
        questions=(
            Question("title", _l("Name of the course"), required=True),
            Question("provider", _l("Who organised it")),
            Question("country", _l("Country"), "country"),
            Question("year", _l("Year"), "year"),
            Question("workload", _l("How long was it?"), max_length=100,
                     hint=_l("For example: 40 hours, 3 months, 5 ECTS credits.")),
            Question("description", _l("What did you learn?"), "textarea", max_length=2000),
        ),
    ),
    Section(
        "work",
        _l("Work experience"),
        entry_label=_l("Job %(number)d"),
        repeatable=True,
        max_entries=20,
        add_label=_l("Add another job"),
        questions=(
            Question("position", _l("Job title"), required=True),
            Question("employer", _l("Employer")),
            Question("country", _l("Country"), "country"),
            Question("year_from", _l("Year you started"), "year", required=True),
            Question("year_to", _l("Year you stopped"), "year",
                     hint=_l("Leave empty if you still work there.")),
            Question("tasks", _l("Main tasks"), "textarea", max_length=2000),
        ),
    ),
    Section(
        "languages",
        _l("Languages"),
        entry_label=_l("Language %(number)d"),
        repeatable=True,
        min_entries=1,
        max_entries=12,
        intro=_l(
            "For each language you know, including your mother tongue, say how well you "
            "understand, read, write and speak it."
        ),
        add_label=_l("Add another language"),
        questions=(
            Question("language", _l("Language"), "language", required=True),
            Question("listening", _l("Understanding when listening"), "cefr", required=True,
                     choices=CEFR),
            Question("reading", _l("Reading"), "cefr", required=True, choices=CEFR),
            Question("writing", _l("Writing"), "cefr", required=True, choices=CEFR),
            Question("speaking", _l("Speaking and conversation"), "cefr", required=True,
                     choices=CEFR),
        ),
    ),
    Section(
        "goals",
        _l("What you want to do next"),
        questions=(
            Question("aims", _l("What do you want to use your qualifications for?"),
                     "checkboxes", required=True, choices=AIMS),
            Question("field", _l("In which field?"),
                     hint=_l("For example: medicine, civil engineering, teaching.")),
            Question("details", _l("Anything else we should know about your plans?"),
                     "textarea", max_length=2000),
        ),
    ),
    Section(
        "needs",
        _l("The interview"),
        intro=_l(
            "The interview takes about an hour, usually by video. Tell us what you need so "
            "that we can plan it well."
        ),
        questions=(
            Question("timezone", _l("Your time zone"), "timezone", required=True,
                     hint=_l("Where you will be at the time of the interview.")),
            Question("available", _l("When can you usually take part?"), "checkboxes",
                     choices=AVAILABILITY),
            Question("unavailable", _l("Dates or times when you cannot take part"),
                     "textarea", max_length=1000),
            Question("interpreter", _l("I need an interpreter for this language"), "language",
                     hint=_l("Leave empty if you can do the interview in a language you chose "
                             "above.")),
            Question("accessibility", _l("Other needs"), "textarea", max_length=1000,
                     hint=_l("For example: extra time, breaks, sign language, a quiet room.")),
        ),
    ),
)
BY_NAME = {s.name: s for s in SECTIONS}

YEAR = re.compile(r"^\d{4}$")
_ENGLISH = Locale("en")  # codes are the same in every language; names are not needed here


def _valid_code(kind: str, value: str) -> bool:
    if kind == "country":
        return len(value) == 2 and value in _ENGLISH.territories
    if kind == "language":
        return value in _ENGLISH.languages
    if kind == "timezone":
        return value in _zones()
    return True


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


_INDEXED = re.compile(r"^([a-z_]+)-(\d{1,3})-([a-z_]+)$")


def empty() -> dict[str, Any]:
    return {s.name: ([] if s.repeatable else {}) for s in SECTIONS}


def _read(question: Question, getlist: Any, key: str) -> Any:
    if question.kind == "checkboxes":
        allowed = {c for c, _label in question.choices}
        return [v for v in dict.fromkeys(getlist(key)) if v in allowed]
    values = getlist(key)
    value = (values[0] if values else "").strip().replace("\r\n", "\n")[: question.max_length]
    if question.choices and value and value not in {c for c, _label in question.choices}:
        return ""
    return value


def _blank(entry: dict[str, Any]) -> bool:
    return not any(entry.values())


def parse(formdata: Any) -> dict[str, Any]:
    """Answers from submitted form data (a MultiDict): strings as typed, lists for checkboxes.
    Empty entries of repeatable sections are dropped; the entries keep their order."""
    data = empty()
    indices: dict[str, set[int]] = {s.name: set() for s in SECTIONS if s.repeatable}
    for key in formdata:
        match = _INDEXED.match(key)
        if match and match.group(1) in indices:
            indices[match.group(1)].add(int(match.group(2)))
    for section in SECTIONS:
        if section.repeatable:
            for index in sorted(indices[section.name])[: section.max_entries]:
                entry = {
                    q.name: _read(q, formdata.getlist, f"{section.name}-{index}-{q.name}")
                    for q in section.questions
                }
                if not _blank(entry):
                    data[section.name].append(entry)
        else:
            data[section.name] = {
                q.name: _read(q, formdata.getlist, f"{section.name}-{q.name}")
                for q in section.questions
            }
    return data


def normalise(data: Any) -> dict[str, Any]:
    """A stored or received document reduced to the known sections and questions."""
    result = empty()
    if not isinstance(data, dict):
        return result

    def clean(question: Question, value: Any) -> Any:
        if question.kind == "checkboxes":
            allowed = {c for c, _label in question.choices}
            return [v for v in value if v in allowed] if isinstance(value, list) else []
        return value[: question.max_length] if isinstance(value, str) else ""

    for section in SECTIONS:
        value = data.get(section.name)
        if section.repeatable:
            entries = value if isinstance(value, list) else []
            for entry in entries[: section.max_entries]:
                if isinstance(entry, dict):
                    cleaned = {q.name: clean(q, entry.get(q.name, "")) for q in section.questions}
                    if not _blank(cleaned):
                        result[section.name].append(cleaned)
        else:
            entry = value if isinstance(value, dict) else {}
            result[section.name] = {
                q.name: clean(q, entry.get(q.name, "")) for q in section.questions
            }
    return result


def problems(
    data: dict[str, Any], *, final: bool, today: date, birth_year: int | None = None
) -> dict[str, Any]:
    """Problems keyed by input name (or by section name for a missing entry), as lazy strings.
    `final`: also require every required answer (for submission)."""
    errors: dict[str, Any] = {}

    def check_year(key: str, value: str) -> int | None:
        if not value:
            return None
        if not YEAR.match(value):
            errors[key] = _l("Write the year with four digits, for example 2015.")
            return None
        year = int(value)
        if year > today.year:
            errors[key] = _l("This year is in the future.")
        elif year < 1900 or (birth_year is not None and year < birth_year):
            errors[key] = _l("This year is before you were born.")
        else:
            return year
        return None

    for section in SECTIONS:
        if section.repeatable:
            entries = data.get(section.name, [])
            if final and len(entries) < section.min_entries:
                errors[section.name] = _l("Add at least one entry.")
            prefixed = [(f"{section.name}-{i}-", e) for i, e in enumerate(entries)]
        else:
            prefixed = [(f"{section.name}-", data.get(section.name, {}))]
        for prefix, entry in prefixed:
            years: dict[str, int | None] = {}
            for q in section.questions:
                key, value = prefix + q.name, entry.get(q.name)
                if q.kind == "year":
                    years[q.name] = check_year(key, value or "")
                elif q.kind == "number" and value:
                    if not value.isdigit() or int(value) > 15:
                        errors[key] = _l("Write a whole number from 0 to 15.")
                elif value and isinstance(value, str) and not _valid_code(q.kind, value):
                    errors[key] = _l("Choose from the list.")
                if final and q.required and not value and key not in errors:
                    errors[key] = (
                        _l("Choose a level, or “I cannot say”.")
                        if q.kind == "cefr"
                        else _l("Choose at least one.")
                        if q.kind == "checkboxes"
                        else _l("This is needed.")
                    )
            start, end = years.get("year_from"), years.get("year_to")
            if start is not None and end is not None and end < start:
                errors[prefix + "year_to"] = _l("The end cannot be before the start.")
    return errors
