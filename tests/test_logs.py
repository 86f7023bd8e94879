"""Structured logs: one JSON object per line, with a request id and the user's id, and no
personal data: no emails, no personal-link tokens, no query strings, no exception messages."""

from __future__ import annotations

import io
import json
import logging

import pytest

from passport import logs
from tests.conftest import login
from tests.intake_helpers import invited


@pytest.fixture()
def log_lines():
    """Everything logged while the test runs, formatted as the app formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_every_request_writes_one_json_line_with_request_id_and_user_id(app, world, log_lines):
    client = app.test_client()
    login(client, "ev1@test.org")
    response = client.get("/?q=Amina+Haddad", headers={"X-Request-ID": "trace-12345678"})
    assert response.headers["X-Request-ID"] == "trace-12345678"
    requests = [e for e in log_lines() if e["message"] == "request"]
    last = requests[-1]
    assert last["request_id"] == "trace-12345678"
    assert last["user_id"] == world.ev1.id
    assert last["path"] == "/" and last["status"] == 200 and last["method"] == "GET"
    assert "duration_ms" in last
    everything = json.dumps(log_lines())
    assert "Amina" not in everything  # no query strings
    assert "ev1@test.org" not in everything


def test_a_made_up_request_id_is_replaced(app, log_lines):
    response = app.test_client().get("/login", headers={"X-Request-ID": 'bad"id<x>'})
    assert response.headers["X-Request-ID"] != 'bad"id<x>'
    assert len(response.headers["X-Request-ID"]) == 32


def test_personal_link_tokens_never_reach_the_log(app, world, log_lines):
    _case, token = invited(world)
    app.test_client().get(f"/c/{token}")
    everything = json.dumps(log_lines())
    assert token not in everything
    assert "/c/[redacted]" in everything


def test_emails_in_messages_are_cut_and_exceptions_keep_only_their_type(log_lines):
    log = logging.getLogger("passport.test")
    log.warning("mail to %s failed", "amina.haddad@example.org")
    try:
        raise ValueError("secret value amina.haddad@example.org")
    except ValueError:
        log.exception("it broke")
    first, second = log_lines()[-2:]
    assert first["message"] == "mail to [email] failed"
    assert second["exception"] == "ValueError" and second["where"]
    assert "secret value" not in json.dumps(second)


def test_gunicorn_access_lines_keep_no_address_or_query():
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 1, "%(h)s %(r)s", None, None)
    record.args = {"h": "203.0.113.9", "m": "GET", "U": "/c/abcdefTOKEN123",
                   "q": "name=Amina", "s": "302", "B": "0", "D": "1500",
                   "{x-request-id}o": "abc123abc123"}
    entry = json.loads(logs.JsonFormatter().format(record))
    assert entry == {**entry, "method": "GET", "path": "/c/[redacted]", "status": 302,
                     "duration_ms": 1.5, "request_id": "abc123abc123"}
    assert "203.0.113.9" not in json.dumps(entry) and "Amina" not in json.dumps(entry)
