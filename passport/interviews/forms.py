from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from passport.interviews.models import QualificationLevel

LEVEL_LABELS = {
    QualificationLevel.UPPER_SECONDARY: _l("Upper secondary, giving access to higher education"),
    QualificationLevel.SHORT_CYCLE: _l("Short-cycle higher education"),
    QualificationLevel.BACHELOR: _l("Bachelor"),
    QualificationLevel.MASTER: _l("Master"),
    QualificationLevel.DOCTORATE: _l("Doctorate"),
    QualificationLevel.VOCATIONAL: _l("Vocational"),
    QualificationLevel.OTHER: _l("Other"),
}


class AssessmentForm(FlaskForm):
    level = SelectField(
        _l("Level of the highest qualification"),
        choices=[(str(k), v) for k, v in LEVEL_LABELS.items()],
        validators=[DataRequired()],
    )
    qualification_title = StringField(
        _l("Title of the highest qualification"), validators=[DataRequired(), Length(max=300)]
    )
    field_of_study = StringField(_l("Field of study"), validators=[DataRequired(), Length(max=200)])
    institution = StringField(_l("Institution"), validators=[Optional(), Length(max=300)])
    completed = BooleanField(_l("Completed"), default=True)
    years_completed = IntegerField(
        _l("Years of study completed"), validators=[Optional(), NumberRange(min=0, max=15)]
    )
    summary = TextAreaField(
        _l("Summary of the assessment"), validators=[DataRequired(), Length(max=10000)]
    )
