"""Helpers for the intake tests: invite a candidate, read their link from the outbox, open it."""

from __future__ import annotations

import re
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask.testing import FlaskClient
from sqlalchemy import select

TOKEN_URL = re.compile(r"https://passport\.test/c/([A-Za-z0-9_-]{43})")
ANY_CSRF = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


def outbox_bodies(case_id: int) -> list[str]:
    from passport.db import session
    from passport.mail.models import OutboxMessage

    return [
        m.body
        for m in session.scalars(
            select(OutboxMessage).where(OutboxMessage.case_id == case_id).order_by(OutboxMessage.id)
        )
    ]


def token_of(case_id: int) -> str:
    """The token in the newest link message of the case (as the candidate would read it)."""
    for body in reversed(outbox_bodies(case_id)):
        match = TOKEN_URL.search(body)
        if match:
            return match.group(1)
    raise AssertionError("no link in the outbox")


def invited(world, **overrides):
    """A case whose candidate was sent the questionnaire; returns (case, token)."""
    from passport.intake import services

    overrides.setdefault("email", "amina@example.org")
    case = world.new_case(**overrides)
    services.invite(world.coordinator, case)
    return case, token_of(case.id)


@contextmanager
def staff_client(app, email: str) -> Iterator[FlaskClient]:
    """A logged-in member of staff with a browser of their own (the conftest client runs every
    request in its own application context, so nothing is shared with the candidate's)."""
    from tests.conftest import login

    client = app.test_client()
    login(client, email)
    yield client


def csrf_from(client: FlaskClient, path: str) -> str:
    page = client.get(path)
    match = ANY_CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path} (status {page.status_code})"
    return match.group(1) or match.group(2)


def post(client: FlaskClient, path: str, data: dict, *, form_page: str | None = None, **kw):
    token = csrf_from(client, form_page or path)
    return client.post(path, data={**data, "csrf_token": token}, **kw)


def open_link(client: FlaskClient, token: str, birth=("", "3", "1991")):
    """Follow the personal link and answer the date-of-birth question; returns the answer."""
    first = client.get(f"/c/{token}")
    assert first.status_code == 303, first.status_code
    day, month, year = birth
    return post(client, "/candidate/verify",
                {"method": "birth", "day": day, "month": month, "year": year})


def consent(client: FlaskClient):
    return post(client, "/candidate/consent", {"agree": "y"})


@contextmanager
def smtp_server() -> Iterator[tuple[list[bytes], int]]:
    """A tiny SMTP server on localhost that keeps what it receives."""
    received: list[bytes] = []

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            self.wfile.write(b"220 test ESMTP\r\n")
            in_data, lines = False, []
            while line := self.rfile.readline():
                if in_data:
                    if line in (b".\r\n", b".\n"):
                        received.append(b"".join(lines))
                        in_data, lines = False, []
                        self.wfile.write(b"250 queued\r\n")
                    else:
                        lines.append(line)
                    continue
                verb = line[:4].upper()
                if verb == b"EHLO":
                    self.wfile.write(b"250-test\r\n250 SIZE 10000000\r\n")
                elif verb == b"DATA":
                    in_data = True
                    self.wfile.write(b"354 go on\r\n")
                elif verb == b"QUIT":
                    self.wfile.write(b"221 bye\r\n")
                    return
                else:
                    self.wfile.write(b"250 ok\r\n")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
