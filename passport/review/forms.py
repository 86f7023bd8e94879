from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from passport.i18n import language_name
from passport.passports.pdf_texts import PDF_LANGUAGES
from passport.review.models import AppealOutcome, CloseReason


def _language_choices() -> list[tuple[str, str]]:
    return [(code, language_name(code) if code != "en" else str(_l("English only")))
            for code in PDF_LANGUAGES]


class ApproveForm(FlaskForm):
    # Checked by the service (an unknown language is refused there); missing: the default.
    language = SelectField(_l("Second language of the passport (beside English)"),
                           validators=[Optional()], validate_choice=False)
    disagreement_decision = TextAreaField(
        _l("Your decision on the evaluators' disagreement"),
        description=_l("Required when the evaluators disagree: which conclusion the passport "
                       "states, and why."),
        validators=[Optional(), Length(max=5000)],
    )
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=5000)])

    def fill_choices(self, default: str) -> "ApproveForm":
        self.language.choices = _language_choices()
        if not self.language.data:
            self.language.data = default
        return self


class ReturnForm(FlaskForm):
    comment = TextAreaField(
        _l("What the evaluators should look at again"),
        validators=[DataRequired(), Length(max=5000)],
        id="return-comment",  # the review page has three forms with a comment: unique ids
    )


CLOSE_CHOICES = [
    (CloseReason.NOT_ENOUGH_EVIDENCE, _l("Not enough evidence")),
    (CloseReason.NOT_COMPLETED, _l("Studies not completed")),
    (CloseReason.OUT_OF_SCOPE, _l("Outside the passport's scope")),
    (CloseReason.WITHDRAWN, _l("Withdrawn")),
    (CloseReason.OTHER, _l("Other")),
]


class CloseForm(FlaskForm):
    reason_code = SelectField(_l("Reason"), choices=[("", "—"), *CLOSE_CHOICES],
                              validators=[DataRequired(message=_l("Choose a reason."))])
    comment = TextAreaField(
        _l("Explanation for the candidate"),
        description=_l("The candidate reads this on their page, with the reason above in "
                       "their language."),
        validators=[DataRequired(), Length(max=5000)],
        id="close-comment",
    )


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=5000)])


class ReissueForm(ReasonForm):
    language = SelectField(_l("Second language of the passport (beside English)"),
                           validators=[InputRequired()])

    def fill_choices(self, default: str) -> "ReissueForm":
        self.language.choices = _language_choices()
        if not self.language.data:
            self.language.data = default
        return self


class AppealForm(FlaskForm):
    text = TextAreaField(_l("Why do you ask for a review?"),
                         validators=[DataRequired(), Length(max=5000)])


class AppealDecisionForm(FlaskForm):
    outcome = RadioField(
        _l("Outcome"),
        choices=[(AppealOutcome.UPHELD, _l("The decision stands")),
                 (AppealOutcome.GRANTED, _l("Send the case back to the evaluators"))],
        validators=[InputRequired(message=_l("Choose the outcome."))],
    )
    text = TextAreaField(_l("Reason (the candidate reads it)"),
                         validators=[DataRequired(), Length(max=5000)])
