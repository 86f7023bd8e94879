"""HTTP security headers on every response, and input no database can store.

NUL characters: PostgreSQL refuses them in text, SQLite would store them and no person ever
types one. Form fields (names and values) and upload file names lose them as the form is
parsed; a query string or an address that contains one is refused (400 / 404) before any view
runs. Either way the request ends cleanly instead of as a database error.

JSON bodies: Flask-WTF reads a JSON body as if it were the form, and a body that is not a flat
object (`false`, `[[]]`, nested objects) then breaks the form with a server error. Only views
marked `@accepts_json` take JSON (and validate its shape themselves, see `get_json` below);
every other view answers a JSON body with 415.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, abort, current_app, request
from flask import Request as FlaskRequest
from werkzeug.datastructures import ImmutableMultiDict

# No inline scripts or styles anywhere: JavaScript and CSS come from /static only.
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def _without_nul(text: str) -> str:
    return text.replace("\x00", "")


def _strip_json(value: Any) -> Any:
    if isinstance(value, str):
        return _without_nul(value)
    if isinstance(value, list):
        return [_strip_json(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(str(k)): _strip_json(v) for k, v in value.items()}
    return value


def accepts_json(view: Callable) -> Callable:
    """Let a view take a JSON body (it checks the shape of what it gets)."""
    view.accepts_json = True  # type: ignore[attr-defined]
    return view


class Request(FlaskRequest):
    """Flask's request, with NUL characters taken out of form fields, upload file names and
    JSON strings."""

    def get_json(self, *args: Any, **kwargs: Any) -> Any:
        return _strip_json(super().get_json(*args, **kwargs))

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form is not None and any(
            "\x00" in key or "\x00" in value for key, value in form.items(multi=True)
        ):
            self.__dict__["form"] = ImmutableMultiDict(
                [(_without_nul(k), _without_nul(v)) for k, v in form.items(multi=True)]
            )
        for upload in (self.__dict__.get("files") or {}).values():
            if upload.filename and "\x00" in upload.filename:
                upload.filename = _without_nul(upload.filename)


def init_app(app: Flask) -> None:
    app.request_class = Request

    @app.before_request
    def _refuse_nul() -> None:
        if "\x00" in request.path:
            abort(404)
        if any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True)):
            abort(400)
        if request.is_json and request.method not in ("GET", "HEAD", "OPTIONS"):
            view = app.view_functions.get(request.endpoint or "")
            if not getattr(view, "accepts_json", False):
                abort(415)

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if current_app.config["BASE_URL"].startswith("https://"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
