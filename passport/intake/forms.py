from __future__ import annotations

from datetime import date

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from passport.cases.models import ProtectionStatus
from passport.i18n import CANDIDATE_LOCALES, language_choices, language_name, timezone_choices
from passport.intake import files
from passport.intake.models import EvidenceKind

PROTECTION_LABELS = {
    ProtectionStatus.REFUGEE: _l("Refugee"),
    ProtectionStatus.SUBSIDIARY: _l("Subsidiary protection"),
    ProtectionStatus.TEMPORARY: _l("Temporary protection"),
    ProtectionStatus.ASYLUM_SEEKER: _l("Asylum seeker"),
    ProtectionStatus.OTHER: _l("Other"),
}

EVIDENCE_KIND_LABELS = {
    EvidenceKind.DIPLOMA: _l("Diploma or degree certificate"),
    EvidenceKind.TRANSCRIPT: _l("Transcript of grades"),
    EvidenceKind.CERTIFICATE: _l("Certificate of a course or training"),
    EvidenceKind.PARTIAL: _l("Partial evidence (student card, photo of a document, letter)"),
    EvidenceKind.EMPLOYMENT: _l("Proof of work (contract, reference letter)"),
    EvidenceKind.LANGUAGE: _l("Language certificate"),
    EvidenceKind.OTHER: _l("Other"),
}


class CandidateIntakeFields(FlaskForm):
    """Candidate details a coordinator records besides names and dates: shared by the new-case
    form and the candidate details page. Call `fill_choices()` before validating."""

    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    protection_status = SelectField(_l("Protection status"), validators=[Optional()])
    preferred_language = SelectField(
        _l("Language for messages"),
        description=_l("The language of the invitation; the candidate can change it."),
    )
    preferred_languages = SelectMultipleField(
        _l("Preferred languages for the interview"),
        description=_l("Hold Ctrl (⌘ on a Mac) to choose more than one."),
        validators=[Optional()],
        render_kw={"size": 6},
    )
    timezone = SelectField(_l("Time zone"), validators=[Optional()])
    photo = FileField(
        _l("Photo (optional)"),
        description=_l("PNG or JPEG, at most 2 MB."),
        render_kw={"accept": "image/png,image/jpeg"},
    )

    def fill_choices(self) -> None:
        self.protection_status.choices = [("", "—")] + [
            (str(k), v) for k, v in PROTECTION_LABELS.items()
        ]
        self.preferred_language.choices = [(c, language_name(c)) for c in CANDIDATE_LOCALES]
        self.preferred_languages.choices = language_choices()
        self.timezone.choices = [("", "—"), *timezone_choices()]

    def validate_preferred_languages(self, field: SelectMultipleField) -> None:
        if len(field.data or []) > 5:
            raise ValidationError(_l("Choose at most five languages."))

    def validate_photo(self, field: FileField) -> None:
        self.photo_data: bytes | None = None
        self.photo_type = ""
        storage = field.data
        if not storage or not getattr(storage, "filename", ""):
            return
        data = storage.read(files.MAX_PHOTO_BYTES + 1)
        if len(data) > files.MAX_PHOTO_BYTES:
            raise ValidationError(_l("The photo must be smaller than 2 MB."))
        photo_type = files.sniff_photo(data)
        if photo_type is None:
            raise ValidationError(_l("The photo must be a PNG or JPEG image."))
        self.photo_data, self.photo_type = data, photo_type


class CandidateDetailsForm(CandidateIntakeFields):
    remove_photo = BooleanField(_l("Remove the photo"))


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class BirthDateForm(FlaskForm):
    day = StringField(
        _l("Day"), validators=[Optional(), Length(max=2)],
        render_kw={"inputmode": "numeric", "autocomplete": "bday-day", "maxlength": 2},
    )
    month = SelectField(_l("Month"), validators=[Optional()],
                        render_kw={"autocomplete": "bday-month"})
    year = StringField(
        _l("Year"), validators=[DataRequired(_l("Write the year of your birth.")), Length(max=4)],
        render_kw={"inputmode": "numeric", "autocomplete": "bday-year", "maxlength": 4},
    )

    def fill_choices(self) -> None:
        months = get_locale().months["format"]["wide"]
        self.month.choices = [("", "—")] + [(str(m), months[m]) for m in range(1, 13)]

    def validate_year(self, field: StringField) -> None:
        value = (field.data or "").strip()
        if not (value.isdigit() and len(value) == 4):
            raise ValidationError(_l("Write the year with four digits, for example 1990."))

    def validate_day(self, field: StringField) -> None:
        value = (field.data or "").strip()
        if value and not (value.isdigit() and 1 <= int(value) <= 31):
            raise ValidationError(_l("Write the day as a number from 1 to 31."))
        if value and not self.month.data:
            raise ValidationError(_l("Choose the month too."))

    def parts(self) -> tuple[int, int | None, int | None]:
        day = (self.day.data or "").strip()
        return (
            int(self.year.data.strip()),
            int(self.month.data) if self.month.data else None,
            int(day) if day else None,
        )

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001
        if not super().validate(extra_validators):
            return False
        year, month, day = self.parts()
        try:
            earliest = date(year, month or 1, day or 1)
        except ValueError:
            self.day.errors = [*self.day.errors, _l("This date does not exist.")]
            return False
        if earliest > date.today() or year < 1900:
            self.year.errors = [*self.year.errors, _l("The date of birth must be in the past.")]
            return False
        return True


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        description=_l("Six digits, from the message we sent you."),
        validators=[DataRequired(_l("Type the code.")), Length(max=12)],
        render_kw={"inputmode": "numeric", "maxlength": 12},
    )

    def validate_code(self, field: StringField) -> None:
        value = "".join((field.data or "").split())
        if not (value.isdigit() and len(value) == 6):
            raise ValidationError(_l("The code has six digits."))
        field.data = value


class ConsentForm(FlaskForm):
    agree = BooleanField(
        _l("I have read this and I agree that my information is used in this way."),
        validators=[DataRequired(_l("Tick the box to continue."))],
    )


class EvidenceForm(FlaskForm):
    kind = SelectField(
        _l("What kind of document is it?"),
        choices=[("", "—")] + [(str(k), v) for k, v in EVIDENCE_KIND_LABELS.items()],
        validators=[DataRequired(_l("Choose what kind of document this is."))],
    )
    description = TextAreaField(
        _l("Describe it"),
        description=_l("For example: bachelor's diploma, University of Aleppo, 2012."),
        validators=[Optional(), Length(max=2000)],
    )
    file = FileField(
        _l("File"),
        description=_l("A photo or a PDF: PDF, PNG, JPEG or HEIC, at most 10 MB."),
        validators=[FileRequired(_l("Choose a file."))],
        render_kw={
            "accept": "application/pdf,image/png,image/jpeg,image/heic,image/heif,"
            ".pdf,.png,.jpg,.jpeg,.heic,.heif",
            "data-max-bytes": files.MAX_EVIDENCE_BYTES,
            "data-msg-too-large": _l("The file is larger than 10 MB."),
        },
    )
