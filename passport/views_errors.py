"""Error pages in the application's layout, never a stack trace."""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from passport.db import session

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def wants_json() -> bool:
    """Whether the request comes from a script (autosave, fetch) rather than a page view."""
    if request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > (
        request.accept_mimetypes["text/html"]
    )


def _database_unavailable(exc: Exception) -> bool:
    """A lost or refused database connection (as opposed to a bug or a constraint)."""
    if isinstance(exc, PoolTimeout):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, OperationalError):
        text = str(exc.orig).lower()
        return any(word in text for word in (
            "connection", "connect", "server closed", "terminating", "could not translate",
            "unable to open database", "database is locked", "disk i/o",
        ))
    return False


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

    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeout)
    def _database(exc: Exception):
        if not _database_unavailable(exc):
            raise exc  # a bug: the 500 handler below answers it
        with contextlib.suppress(Exception):
            session.rollback()
        with contextlib.suppress(Exception):
            session.remove()
        # The page must not touch the database again (base.html asks for current_user).
        from passport.extensions import login_manager

        g._login_user = login_manager.anonymous_user()
        log.error("database unavailable: %s", type(exc).__name__)
        message = _("The database cannot be reached at the moment. Nothing has been lost: wait "
                    "a few seconds and try again.")
        if wants_json():
            response = jsonify(error=message, retry_after=RETRY_AFTER_SECONDS)
        else:
            response = render_template("error.html", code=503, message=message)
        return response, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}

    @app.errorhandler(InternalServerError)
    def _server(exc: InternalServerError):
        with contextlib.suppress(Exception):
            session.rollback()
        log.error("server error: %s", type(getattr(exc, "original_exception", exc)).__name__)
        message = _("Something went wrong on our side. Nothing you saved before is lost.")
        return render_template("error.html", code=500, message=message), 500
