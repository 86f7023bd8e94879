"""Error pages in the application's layout, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from passport.db import session

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        message = _(
            "The form had expired or did not come from this site. Go back, reload the page and "
            "try again."
        )
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        messages = {
            400: _("The request could not be understood."),
            403: _("You do not have permission to see this page."),
            404: _("This page does not exist, or you do not have access to it."),
            405: _("This page cannot be used that way."),
            410: _("The personal data in this document was erased under the retention rule."),
            413: _("The upload is too large."),
            415: _("This page takes a form, not data of this kind."),
            429: _("Too many requests. Wait a moment and try again."),
        }
        message = messages.get(exc.code or 500, exc.name)
        if exc.code == 403 and exc.description != type(exc).description:
            message = exc.description
        return render_template("error.html", code=exc.code, message=message), exc.code

    @app.errorhandler(InternalServerError)
    def _server(exc: InternalServerError):
        session.rollback()
        log.error("server error: %s", type(getattr(exc, "original_exception", exc)).__name__)
        message = _("Something went wrong on our side. Nothing you saved before is lost.")
        return render_template("error.html", code=500, message=message), 500
