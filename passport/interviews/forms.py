from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

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


# --- scheduling --------------------------------------------------------------------------------


class ScheduleForm(FlaskForm):
    """The interview's booking. Choices are filled by the view (languages and zones are
    named in the reader's language, observers are the case's)."""

    start = DateTimeLocalField(
        _l("Start"), format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(_l("Give the date and time the interview starts."))],
    )
    timezone = SelectField(_l("Time zone of this start time"), validators=[DataRequired()])
    duration = IntegerField(
        _l("Duration (minutes)"), default=60,
        validators=[InputRequired(_l("Give the duration in minutes.")),
                    NumberRange(min=15, max=240,
                                message=_l("The duration must be from 15 to 240 minutes."))],
    )
    mode = SelectField(_l("Mode"), default="video")
    video_link = StringField(
        _l("Video link"), validators=[Optional(), Length(max=500)],
        description=_l("The meeting address from any video service (https://…)."),
    )
    language = SelectField(_l("Interview language"), validators=[DataRequired()])
    interpreter = StringField(
        _l("Interpreter"), validators=[Optional(), Length(max=200)],
        description=_l("Name and languages, if an interpreter takes part."),
    )
    observers = SelectMultipleField(
        _l("Observers"), coerce=int, validators=[Optional()],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )
    accommodations = TextAreaField(
        _l("Accommodations"), validators=[Optional(), Length(max=2000)],
        description=_l("Extra time, breaks, or anything else the candidate needs."),
    )
    candidate_agreed = BooleanField(
        _l("The candidate agreed to this time (outside their usual times)"))
    reason = StringField(_l("Reason for the change"), validators=[Optional(), Length(max=500)])


class CancelForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


class HeldForm(FlaskForm):
    pass


class NotHeldForm(FlaskForm):
    outcome = SelectField(_l("Why was it not held?"), validators=[DataRequired()])
    reason = TextAreaField(
        _l("What happened"),
        validators=[DataRequired(_l("Say briefly what happened.")), Length(max=2000)],
    )


class ConclusionForm(FlaskForm):
    level = SelectField(
        _l("Level of the highest qualification"),
        choices=[(str(k), v) for k, v in LEVEL_LABELS.items()],
        validators=[DataRequired()],
    )
    completed = BooleanField(_l("Completed"), default=True)
    years_completed = IntegerField(
        _l("Years of study completed"), validators=[Optional(), NumberRange(min=0, max=15)]
    )
    conclusion = TextAreaField(
        _l("Your conclusion"), validators=[DataRequired(), Length(max=10000)]
    )
