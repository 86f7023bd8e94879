"""Browser tests: the app served on localhost (werkzeug in a thread, on the test database),
driven by Playwright for Python with Debian's Chromium (never a downloaded browser), and checked
with axe-core (from the npm registry, tests/browser/package.json) for WCAG 2.1 A/AA violations.

Without /usr/bin/chromium the tests are skipped on a developer's machine and FAIL in CI (the
CI environment variable is set), where .ci/run installs it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from passport import create_app

HERE = Path(__file__).parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
ARTEFACTS = Path(os.environ.get("PASSPORT_TEST_ARTEFACTS", HERE.parent.parent / "test-artifacts"))
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing; CI must have it (.ci/run installs it)")
    pytest.skip(f"{what} is missing")


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package")
    if not Path(CHROMIUM).exists():
        _missing(CHROMIUM)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, installed from the lock file when node_modules is missing (so the
    README's single test command works on a fresh clone)."""
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            _missing("npm (to install axe-core)")
        lock = HERE / "node_modules.lock"
        # xdist workers may all arrive here: one installs, the others wait for it.
        import fcntl

        with lock.open("w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            if not AXE.exists():
                subprocess.run(  # noqa: S603
                    [npm, "ci", "--prefix", str(HERE), "--no-audit", "--no-fund"],
                    check=True, capture_output=True, timeout=300,
                )
    return AXE.read_text(encoding="utf-8")


@dataclass
class LiveServer:
    url: str
    app: Flask

    def __call__(self, path: str) -> str:
        return self.url + path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def live(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """The app on http://127.0.0.1:<port>, on this test's clean database. The test's own
    application context stays open for building data through the services (commit before the
    browser acts: on SQLite an open transaction holds the write lock)."""
    from werkzeug.serving import make_server

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app({"ENVIRON": {
        "PASSPORT_DATABASE_URL": database_url,
        "PASSPORT_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "PASSPORT_BASE_URL": url,
        "PASSPORT_SIGNING_KEY_DIR": str(tmp_path / "signing-keys"),
    }, "TESTING": True})
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with app.app_context():
            yield LiveServer(url, app)
            from passport.db import session

            session.rollback()
            session.remove()
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["passport.engine"].dispose()


@pytest.fixture()
def live_world(live: LiveServer):
    """The conftest's World (an organisation with certified evaluators), committed."""
    from passport.db import session
    from tests.conftest import World

    world = World()
    session.commit()
    return world


@pytest.fixture()
def new_page(browser, request):
    """new_page(viewport=PHONE, locale="ar") -> a page in a fresh browser context (its own
    cookies). A failing test keeps a screenshot of every page it opened in test-artifacts/."""
    contexts = []

    def make(viewport=LAPTOP, locale="en-GB"):
        context = browser.new_context(viewport=viewport, locale=locale)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    failed = getattr(request.node, "rep_call", None)
    for n, context in enumerate(contexts):
        if failed is not None and failed.failed:
            ARTEFACTS.mkdir(parents=True, exist_ok=True)
            for m, page in enumerate(context.pages):
                page.screenshot(path=str(ARTEFACTS / f"{request.node.name}-{n}-{m}.png"),
                                full_page=True)
        context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def axe_violations(page, source: str) -> list[dict]:
    """Run axe-core on the page; return the WCAG 2.1 A/AA violations (id, help, targets)."""
    # The app's Content-Security-Policy refuses inline scripts, so add_script_tag cannot
    # inject axe; evaluating the source through the DevTools protocol is not subject to it.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(f"() => {{ {source}\n }}")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    return [
        {"id": v["id"], "help": v["help"], "impact": v["impact"],
         "targets": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def assert_accessible(page, source: str) -> None:
    violations = axe_violations(page, source)
    assert not violations, f"{page.url}: " + "\n".join(map(str, violations))


def login(page, live: LiveServer, email: str, password: str | None = None) -> None:
    from tests.conftest import PASSWORD

    page.goto(live("/login"))
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password or PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    complete_second_factor(page, email)
    assert "/login" not in page.url, page.content()[:2000]


def complete_second_factor(page, email: str) -> None:
    """The login's second step as a person with an authenticator app does it: enrolment for a
    coordinator or administrator who has none yet (the key shown for typing in), else the
    current code of the user's secret."""
    from tests.conftest import totp_code

    if page.url.endswith("/login/setup"):
        key = page.locator("#totp-key").text_content().replace(" ", "")
        page.fill("#code", totp_code(key))
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        page.click("main a.button.primary")  # "I have saved the codes, continue"
        page.wait_for_load_state()
    elif page.url.endswith("/login/code"):
        from tests.conftest import current_code_of

        page.fill("#code", current_code_of(email))
        page.click("main button[type=submit]")
        page.wait_for_load_state()
