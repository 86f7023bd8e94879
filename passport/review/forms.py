from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ApproveForm(FlaskForm):
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=5000)])


class ReturnForm(FlaskForm):
    comment = TextAreaField(
        _l("What the evaluators should look at again"),
        validators=[DataRequired(), Length(max=5000)],
    )
