from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from passport.intake.forms import CandidateIntakeFields

PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def validate_partial_date(_form: FlaskForm, field: StringField) -> None:
    """Accept YYYY, YYYY-MM or YYYY-MM-DD, a real date, not in the future."""
    value = (field.data or "").strip()
    match = PARTIAL_DATE.match(value)
    if not match:
        raise ValidationError(_l("Write the date as YYYY, YYYY-MM or YYYY-MM-DD."))
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        earliest = date(year, month or 1, day or 1)
    except ValueError:
        raise ValidationError(_l("This date does not exist.")) from None
    if earliest > date.today() or year < 1900:
        raise ValidationError(_l("The date of birth must be in the past."))
    field.data = value


class CaseForm(CandidateIntakeFields):
    scheme = SelectField(_l("Scheme"), coerce=int, validators=[DataRequired()])
    given_name = StringField(
        _l("Given name(s) in Latin script"), validators=[DataRequired(), Length(max=200)]
    )
    family_name = StringField(
        _l("Family name in Latin script"), validators=[DataRequired(), Length(max=200)]
    )
    native_name = StringField(
        _l("Full name in the candidate's own script"), validators=[Optional(), Length(max=400)]
    )
    birth_date = StringField(
        _l("Date of birth"),
        description=_l("YYYY, YYYY-MM or YYYY-MM-DD: a partial date is fine."),
        validators=[DataRequired(), validate_partial_date],
    )
    nationality = SelectField(_l("Nationality"), validators=[DataRequired()])
    country_of_origin = SelectField(_l("Country of origin"), validators=[DataRequired()])
    host_country = SelectField(_l("Host country"), validators=[DataRequired()])
    qualification_country = SelectField(
        _l("Country where the highest qualification was earned"), validators=[DataRequired()]
    )


class ScreeningForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[("eligible", _l("Eligible")), ("ineligible", _l("Not eligible"))],
        validators=[DataRequired()],
    )
    reason = TextAreaField(
        _l("Reason (shown to the candidate if not eligible)"),
        validators=[Optional(), Length(max=2000)],
    )

    def validate_reason(self, field: TextAreaField) -> None:
        if self.decision.data == "ineligible" and not (field.data or "").strip():
            raise ValidationError(_l("Say why the application is not eligible."))


class AssignmentForm(FlaskForm):
    first = SelectField(_l("First evaluator"), coerce=int, validators=[DataRequired()])
    second = SelectField(_l("Second evaluator"), coerce=int, validators=[DataRequired()])

    def validate_second(self, field: SelectField) -> None:
        if field.data == self.first.data:
            raise ValidationError(_l("Choose two different evaluators."))
