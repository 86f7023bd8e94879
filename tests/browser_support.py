"""A live server for tests that need real HTTP: a browser (Playwright), or concurrent clients.

    from tests import browser_support
    live_server, chromium = browser_support.live_server, browser_support.chromium  # fixtures

`live_server` serves the test's app (same database as the test) with werkzeug in a thread on a
free port and yields its base URL. `chromium` launches Debian's /usr/bin/chromium through
Playwright; when it is missing the test is skipped, except under CI (the CI variable set),
where it fails (only one Playwright sync session can run per process: under tests/browser/
use its session-wide `browser` fixture instead). `HttpUser` is a logged-in staff member
speaking plain HTTP (urllib).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
_CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


@pytest.fixture()
def live_server(app) -> Iterator[str]:
    from tests.conftest import _hand_over

    _hand_over()  # the test's own transaction must not hold the SQLite write lock
    # The test app believes it is behind https (PASSPORT_BASE_URL); this server speaks http.
    saved = {k: app.config.get(k) for k in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE")}
    app.config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.config.update(saved)


@pytest.fixture()
def chromium():
    """A headless Chromium (Playwright's Python package driving Debian's binary)."""
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        message = f"{CHROMIUM} is missing (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("the playwright package is missing (pip install -e '.[test]')")
        pytest.skip("the playwright package is missing")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def browser_login(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


class HttpUser:
    """A member of staff logged in over real HTTP, with their own cookies."""

    def __init__(self, base: str, email: str, password: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        token = self.csrf("/login")
        self.request("POST", "/login", form={"email": email, "password": password,
                                             "csrf_token": token})

    def request(self, method: str, path: str, *, form: dict | None = None,
                body: dict | None = None, headers: dict | None = None) -> tuple[int, str]:
        data = None
        headers = dict(headers or {})
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base + path, data=data, method=method,  # noqa: S310
                                     headers=headers)
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def csrf(self, path: str) -> str:
        status, page = self.request("GET", path)
        match = _CSRF.search(page) or re.search(r'data-csrf="([^"]+)"', page)
        assert match, f"no CSRF token on {path} ({status})"
        return match.group(1)
