from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional


class RetentionForm(FlaskForm):
    months = IntegerField(
        _l("Months kept after the passport expires or the case closes"),
        validators=[Optional(), NumberRange(min=1, max=600)],
        description=_l("Empty: kept until a period is set."),
    )
