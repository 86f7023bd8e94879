"""Structured logs: one JSON object per line, on standard error.

Every line carries the time, level, logger and message; lines written while a request is
handled also carry its request id (the `X-Request-ID` header, which the response echoes) and
the staff user's id, never an email or a name. Each request ends with one `request` line
(method, path, status, duration). Personal data stays out: personal-link tokens in paths
(`/c/<token>`) and email addresses are cut from every message, query strings are not logged,
client addresses are not logged, and exceptions are logged by type and code location only
(their messages may carry submitted values).

gunicorn writes through the same formatter with `gunicorn -c gunicorn_conf.py wsgi:app`.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, g, has_request_context, request

TOKEN_PATH = re.compile(r"/c/[A-Za-z0-9_-]+")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def redact(text: str) -> str:
    if "/c/" in text:
        text = TOKEN_PATH.sub("/c/[redacted]", text)
    if "@" in text:
        text = EMAIL.sub("[email]", text)
    return text


def _user_id() -> int | None:
    # Only a user already loaded for this request: logging must never query the database.
    user = g.get("_login_user")
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


def _gunicorn_access(args: dict[str, Any]) -> dict[str, Any]:
    """gunicorn's access-log atoms, without the client address, the query string, the
    referrer or the user agent."""
    entry: dict[str, Any] = {
        "message": "request",
        "method": args.get("m"),
        "path": redact(str(args.get("U", ""))),
        "status": int(args["s"]) if str(args.get("s", "")).isdigit() else args.get("s"),
        "bytes": args.get("B"),
        "duration_ms": round(float(args.get("D", 0)) / 1000, 1),
    }
    request_id = args.get("{x-request-id}o")
    if request_id and request_id != "-":
        entry["request_id"] = request_id
    return entry


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            entry.update(_gunicorn_access(record.args))
        else:
            try:
                message = record.getMessage()
            except (TypeError, ValueError):
                message = str(record.msg)
            entry["message"] = redact(message)
        if has_request_context():
            entry.setdefault("request_id", g.get("request_id"))
            user_id = _user_id()
            if user_id is not None:
                entry["user_id"] = user_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info and record.exc_info[0] is not None:
            kind, _value, tb = record.exc_info
            entry["exception"] = kind.__name__
            entry["where"] = [
                f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} {frame.name}"
                for frame in traceback.extract_tb(tb)[-5:]
            ]
        return json.dumps(entry, ensure_ascii=False, default=str)


class DropWerkzeugRequestLines(logging.Filter):
    """The development server's own request lines carry the client address; the app writes
    its own `request` line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and " - - [" in record.msg)


def configure(level: str = "INFO", stream: Any = None) -> None:
    """Send every log line as JSON to standard error (once per process)."""
    root = logging.getLogger()
    root.setLevel(level)
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.setFormatter(JsonFormatter())
        # Replace plain handlers (basicConfig's); pytest's capture handlers stay.
        for old in list(root.handlers):
            if type(old) is logging.StreamHandler:
                root.removeHandler(old)
        root.addHandler(handler)
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropWerkzeugRequestLines) for f in werkzeug.filters):
        werkzeug.addFilter(DropWerkzeugRequestLines())
    logging.getLogger("alembic").setLevel(logging.WARNING)


log = logging.getLogger("passport.request")


def init_app(app: Flask) -> None:
    configure(app.config["LOG_LEVEL"])

    @app.before_request
    def _start() -> None:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if request.endpoint != "static":
            started = g.get("request_started", time.perf_counter())
            log.info("request", extra={"fields": {
                "method": request.method,
                "path": redact(request.path),
                "endpoint": request.endpoint,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            }})
        return response
