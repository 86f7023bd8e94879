from __future__ import annotations

import zoneinfo
from functools import cache

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from passport.training.models import CourseKind, LanguageLevel

KIND_LABELS = {
    CourseKind.METHODOLOGY: _l("Methodology"),
    CourseKind.COUNTRY_MODULE: _l("Country module"),
    CourseKind.DATA_PROTECTION: _l("Data protection"),
    CourseKind.REFRESHER: _l("Refresher"),
}

LEVEL_LABELS = {
    LanguageLevel.A1: "A1",
    LanguageLevel.A2: "A2",
    LanguageLevel.B1: "B1",
    LanguageLevel.B2: "B2",
    LanguageLevel.C1: "C1",
    LanguageLevel.C2: "C2",
    LanguageLevel.NATIVE: _l("Mother tongue"),
}

REQUIREMENT_LABELS = {
    "": _l("Not part of this scheme"),
    "required": _l("Required"),
    "recommended": _l("Recommended"),
}

@cache
def _language_codes() -> tuple[str, ...]:
    return tuple(code for code in Locale("en").languages if code.isalpha())


def language_choices() -> list[tuple[str, str]]:
    """Languages with names in the reader's language, sorted for it."""
    names = get_locale().languages
    pairs = [(code, names.get(code, code)) for code in _language_codes()]
    return sorted(pairs, key=lambda p: p[1].casefold())


def language_label(code: str) -> str:
    return get_locale().languages.get(code, code)


@cache
def timezone_choices() -> list[tuple[str, str]]:
    return [(tz, tz.replace("_", " ")) for tz in sorted(zoneinfo.available_timezones())
            if "/" in tz and not tz.startswith(("Etc/", "SystemV/"))] + [("UTC", "UTC")]


class CourseForm(FlaskForm):
    code = StringField(
        _l("Code"),
        description=_l("Short and unique; used in CSV files, e.g. METH or SY-EDU."),
        validators=[DataRequired(), Length(max=20)],
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    kind = SelectField(
        _l("Kind"), choices=[(str(k), v) for k, v in KIND_LABELS.items()],
        validators=[DataRequired()],
    )
    country = SelectField(
        _l("Country (country modules)"),
        description=_l("The country whose education system the module teaches."),
        validators=[Optional()],
    )
    renews = SelectField(
        _l("Renews (refreshers)"),
        description=_l("A completed refresher renews this course's validity."),
        coerce=int, validators=[Optional()],
    )
    validity_months = IntegerField(
        _l("Valid for (months)"),
        description=_l("Leave empty if a completion never expires."),
        validators=[Optional(), NumberRange(min=1, max=240)],
    )
    max_score = IntegerField(
        _l("Maximum score (assessed courses)"),
        description=_l("Leave both scores empty if the course is not assessed."),
        validators=[Optional(), NumberRange(min=1, max=100000)],
    )
    pass_mark = IntegerField(
        _l("Pass mark (assessed courses)"), validators=[Optional(), NumberRange(min=0)]
    )
    active = BooleanField(_l("Offered (can be chosen for new records)"), default=True)


class RecordForm(FlaskForm):
    course = SelectField(_l("Course"), coerce=int, validators=[DataRequired()])
    completed_on = DateField(_l("Completed on"), validators=[DataRequired()])
    score = IntegerField(
        _l("Score"), description=_l("Only for assessed courses."),
        validators=[Optional()],
    )
    provider = StringField(
        _l("Trainer or provider"), validators=[Optional(), Length(max=200)]
    )
    evidence = FileField(
        _l("Certificate (PDF, PNG or JPEG)"),
        description=_l("Optional. At most %(mb)s MB.", mb=5),
    )


class CorrectionForm(FlaskForm):
    completed_on = DateField(_l("Completed on"), validators=[DataRequired()])
    score = IntegerField(
        _l("Score"), description=_l("Only for assessed courses."), validators=[Optional()]
    )
    provider = StringField(_l("Trainer or provider"), validators=[Optional(), Length(max=200)])
    evidence = FileField(
        _l("Replace the certificate (PDF, PNG or JPEG)"),
        description=_l("Optional. Without a new file, the current certificate is kept."),
    )
    withdraw = BooleanField(_l("Withdraw this record: it was entered by mistake"))
    reason = TextAreaField(
        _l("Reason for the correction"),
        description=_l("Shown in the record's history."),
        validators=[DataRequired(message=_l("Say why the record is corrected.")),
                    Length(max=2000)],
    )


class LanguageRow(Form):
    language = SelectField(_l("Language"), validators=[Optional()])
    level = SelectField(
        _l("Level"), choices=[("", "—")] + [(str(k), v) for k, v in LEVEL_LABELS.items()],
        validators=[Optional()],
    )


class ProfileForm(FlaskForm):
    centre = SelectField(_l("Centre"), coerce=int, validators=[DataRequired()])
    timezone = SelectField(_l("Time zone"), validators=[DataRequired()])
    countries = SelectMultipleField(
        _l("Education systems known"),
        description=_l("Countries whose education system the evaluator knows. Hold Ctrl (⌘ on "
                       "a Mac) to choose several. Completed country modules count as well."),
        validators=[Optional()],
    )
    languages = FieldList(FormField(LanguageRow), min_entries=1)


class SchemeTrainingForm(FlaskForm):
    observed_interviews_required = IntegerField(
        _l("Observed interviews needed before leading"),
        description=_l("Held interviews of this scheme an evaluator must observe before "
                       "leading one."),
        validators=[InputRequired(message=_l("Give a number from 0 to 50.")),
                    NumberRange(min=0, max=50)],
    )


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        description=_l("Columns: email, course_code, completed_on (YYYY-MM-DD), score, "
                       "provider. Comma or semicolon separated, UTF-8."),
        validators=[FileRequired(message=_l("Choose a CSV file."))],
    )


class ObserverForm(FlaskForm):
    observer = SelectField(_l("Observer"), coerce=int, validators=[DataRequired()])
