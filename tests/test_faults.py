"""Faults: a real server killed (SIGKILL) in the middle of autosaves and decisions loses no
acknowledged save or decision and leaves no half-done one; a database that cannot be reached
gives a clear 503 page (or 503 JSON for scripts), never a traceback."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select

from passport import create_app
from passport.cases.models import Case
from passport.db import session
from passport.interviews.models import Assessment
from passport.passports.models import Passport
from passport.review.models import ReviewDecision
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with two workers on the test database, in its own process group."""

    def __init__(self, database_url: str, tmp_path: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PASSPORT_")}
        self.env.update({
            "PASSPORT_DATABASE_URL": database_url,
            "PASSPORT_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "PASSPORT_BASE_URL": self.base,
            "PASSPORT_SIGNING_KEY_DIR": str(tmp_path / "signing-keys"),
            "PASSPORT_LOG_LEVEL": "WARNING",
        })
        self.log = tmp_path / "server.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn_conf.py", "--workers", "2",
                 "--threads", "2", "--bind", f"127.0.0.1:{self.port}", "wsgi:app"],
                cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/login", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("server did not start: " + self.log.read_text()[-2000:])

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)  # master and workers, no clean shutdown
        self.process.wait(timeout=10)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())

    def request(self, path: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers=headers or {})  # noqa: S310
        try:
            with self.opener.open(req, timeout=10) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read().decode()

    def form(self, path: str, data: dict, form_page: str | None = None):
        status, _headers, page = self.request(form_page or path)
        assert status == 200, (status, page[:300])
        return self.request(path, {**data, "csrf_token": CSRF.search(page).group(1)})

    def login(self, email: str) -> None:
        status, headers, _page = self.form("/login", {"email": email, "password": PASSWORD})
        assert status == 302, status
        if headers["Location"].endswith("/login/setup"):
            page = self.request("/login/setup")[2]
            key = re.search(r'id="totp-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
            status, _h, _p = self.form("/login/setup", {"code": pyotp.TOTP(key).now()})
            assert status == 200
        assert self.request("/")[0] == 200


def stored_draft(case_id: int) -> tuple[str, str]:
    session.expire_all()
    stored = session.scalar(select(Assessment).where(Assessment.case_id == case_id))
    values = stored.qualification_title, stored.summary
    session.rollback()  # on SQLite an open transaction would hold the server's write lock
    return values


def decision_state(case_id: int) -> tuple[str, int, int]:
    session.expire_all()
    status = session.get(Case, case_id).status
    passports = len(session.scalars(select(Passport).where(Passport.case_id == case_id)).all())
    approvals = len(session.scalars(select(ReviewDecision).where(
        ReviewDecision.case_id == case_id)).all())
    session.rollback()
    return str(status), passports, approvals


def test_killing_the_server_loses_no_acknowledged_save_or_decision(app, world, database_url,
                                                                   tmp_path):
    autosaved = world.interviewed_case()
    decided = [world.submitted_case() for _ in range(3)]
    session.commit()
    server = Server(database_url, tmp_path)
    server.start()
    try:
        evaluator, coordinator = Browser(server.base), Browser(server.base)
        evaluator.login("ev1@test.org")
        coordinator.login("coord@test.org")

        acknowledged: list[int] = []
        refused: list[int] = []
        decisions: dict[int, int] = {}
        stop = threading.Event()
        path = f"/cases/{autosaved.id}/assessment"
        token = CSRF.search(evaluator.request(path)[2]).group(1)

        def save_forever() -> None:
            n = 0
            while not stop.is_set():
                n += 1
                fields = {"level": "bachelor", "qualification_title": f"Save {n}",
                          "field_of_study": "Civil engineering", "completed": "y",
                          "institution": "", "years_completed": "",
                          "summary": f"Draft number {n}", "csrf_token": token}
                try:
                    status, _h, _p = evaluator.request(path, fields)
                except OSError:
                    return  # the server is gone: this save was never acknowledged
                if status == 302:
                    acknowledged.append(n)
                else:
                    refused.append(status)

        saver = threading.Thread(target=save_forever)
        saver.start()
        time.sleep(1.0)
        # One decision acknowledged before the kill, the others sent while it happens.
        case = decided[0]
        status, _h, _p = coordinator.form(f"/cases/{case.id}/approve", {"comment": "Fine."},
                                          form_page=f"/cases/{case.id}/review")
        decisions[case.id] = status
        assert status == 302

        def decide(case_id: int) -> None:
            try:
                decisions[case_id] = coordinator.form(
                    f"/cases/{case_id}/approve", {"comment": "Fine."},
                    form_page=f"/cases/{case_id}/review")[0]
            except OSError:
                decisions[case_id] = 0

        deciders = [threading.Thread(target=decide, args=(c.id,)) for c in decided[1:]]
        for thread in deciders:
            thread.start()
        time.sleep(0.05)
        server.kill()
        stop.set()
        saver.join(timeout=20)
        for thread in deciders:
            thread.join(timeout=20)
        assert len(acknowledged) >= 3, (acknowledged, refused, server.log.read_text()[:6000])

        server.start()
        # Every acknowledged save is there: the stored draft is the last acknowledged one or a
        # later one whose answer was lost with the server.
        title, summary = stored_draft(autosaved.id)
        number = int(title.removeprefix("Save "))
        assert number >= acknowledged[-1]
        assert summary == f"Draft number {number}"
        page = Browser(server.base)
        page.login("ev1@test.org")
        assert f"Save {number}" in page.request(path)[2]

        # Every acknowledged decision is there, with its passport; none is half done.
        for case_id, status in decisions.items():
            case_status, passports, approvals = decision_state(case_id)
            if status == 302:
                assert case_status == "passport_issued", case_id
            if case_status == "passport_issued":
                assert (passports, approvals) == (1, 1), case_id
            else:
                assert case_status == "assessment_submitted", (case_id, case_status)
                assert (passports, approvals) == (0, 0), case_id
        # After the restart, a case whose decision was lost can be decided.
        for case_id in decisions:
            if decision_state(case_id)[0] == "assessment_submitted":
                status, _h, _p = coordinator.form(f"/cases/{case_id}/approve", {"comment": "x"},
                                                  form_page=f"/cases/{case_id}/review")
                assert status == 302
                assert decision_state(case_id) == ("passport_issued", 1, 1)
    finally:
        if server.process and server.process.poll() is None:
            server.kill()


# Database unavailable ---------------------------------------------------------------------------

@pytest.fixture(params=["postgresql", "sqlite"])
def unreachable_app(request, tmp_path):
    url = (f"postgresql://nobody@127.0.0.1:{free_port()}/gone" if request.param == "postgresql"
           else f"sqlite:///{tmp_path / 'no-such-folder' / 'gone.db'}")
    app = create_app({"ENVIRON": {
        "PASSPORT_DATABASE_URL": url,
        "PASSPORT_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "PASSPORT_SIGNING_KEY_DIR": str(tmp_path / "keys"),
    }, "TESTING": True, "WTF_CSRF_ENABLED": False})
    yield app
    app.extensions["passport.engine"].dispose()


def test_an_unreachable_database_gives_a_clear_503_page(unreachable_app):
    client = unreachable_app.test_client()
    response = client.post("/login", data={"email": "a@b.org", "password": "x" * 12})
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "The database cannot be reached at the moment" in page
    assert "Error code: 503" in page
    assert "Traceback" not in page and "OperationalError" not in page
    assert response.headers["Retry-After"].isdigit()


def test_the_503_page_is_in_the_visitors_language(unreachable_app):
    client = unreachable_app.test_client()
    response = client.get("/verify/some-id", headers={"Accept-Language": "ar"})
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert 'lang="ar"' in page and 'dir="rtl"' in page


def test_scripts_get_503_json_to_retry(unreachable_app):
    client = unreachable_app.test_client()
    response = client.get("/verify/some-id", headers={"Accept": "application/json"})
    assert response.status_code == 503
    body = response.get_json()
    assert body["retry_after"] > 0 and body["error"]


def test_a_bug_in_a_query_is_still_a_500_not_a_503(app, world):
    from sqlalchemy import text

    def broken():
        session.execute(text("SELECT no_such_column FROM users"))

    app.add_url_rule("/broken-query-for-test", "broken_query_for_test", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/broken-query-for-test")
    assert response.status_code == 500
