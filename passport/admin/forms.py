from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, Length
from wtforms.widgets import CheckboxInput, ListWidget

from passport.auth.models import Role

ROLE_LABELS = {
    Role.ADMINISTRATOR: _l("Administrator"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.EVALUATOR: _l("Evaluator"),
}


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    roles = CheckboxesField(
        _l("Roles"),
        choices=[(str(r), label) for r, label in ROLE_LABELS.items()],
        validators=[DataRequired(message=_l("Choose at least one role."))],
    )
    centre = SelectField(_l("Centre"), coerce=int)
    schemes = CheckboxesField(_l("Schemes coordinated"), coerce=int)
    password = PasswordField(
        _l("Initial password"), validators=[DataRequired(), Length(max=1000)]
    )
