"""The verifier's upload form (public, no login)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class UploadForm(FlaskForm):
    document = FileField(
        _l("Passport PDF file"),
        validators=[FileRequired(_l("Choose the PDF file of the passport to check."))],
        description=_l("The file is compared with what was issued and then discarded."),
    )
