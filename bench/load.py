"""Load on loopback: gunicorn (several workers) on PostgreSQL with the demo data, driven by
mixed traffic from another process, against a bare Flask endpoint served the same way.

Question: does the app serve a mixed load of a logged-in coordinator's page views, public
verification lookups and evaluators' assessment saves without a single error, how fast, and
does worker memory stay flat across the run?

    .venv/bin/python bench/load.py [--seconds 20] [--clients 8] [--workers 4]
                                   [--max-requests 20000]

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust); uses a database of its own
(`passport_bench_load`, dropped and made again each run). Every request goes to 127.0.0.1
only; each phase stops after --seconds or --max-requests, whichever comes first.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
DB_NAME = "passport_bench_load"
HOST = "127.0.0.1"
CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
PASSWORD = "demo-passport-2026"

BARE_APP = textwrap.dedent('''
    from flask import Flask

    app = Flask(__name__)


    @app.get("/")
    def hello():
        return "ok"
''')


# --- servers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing answers on port {port}")


def start_gunicorn(module: str, port: int, workers: int, cwd: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "--workers", str(workers), "--bind", f"{HOST}:{port}",
         "--timeout", "120", "--log-level", "warning", module],
        cwd=cwd, env=env, start_new_session=True,
    )


def stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == master:
            pids.append(int(entry.name))
    return sorted(pids)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- the app's database -----------------------------------------------------------------------


def prepare_database(env: dict) -> dict:
    """A fresh database with the demo data; returns what the traffic needs."""
    from sqlalchemy import create_engine, text

    admin = create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    subprocess.run([str(VENV_BIN / "flask"), "--app", "passport", "demo-data"], cwd=ROOT,
                   env=env, check=True, stdout=subprocess.DEVNULL)
    engine = create_engine(f"{PG}/{DB_NAME}")
    with engine.connect() as conn:
        public_ids = conn.execute(text("SELECT public_id FROM passports")).scalars().all()
        cases = conn.execute(text(
            "SELECT c.id FROM cases c JOIN schemes s ON s.id = c.scheme_id "
            "WHERE s.code IN ('EQPR', 'UQP') ORDER BY c.id")).scalars().all()
        assessable = conn.execute(text(
            "SELECT c.id FROM cases c JOIN case_assignments a ON a.case_id = c.id "
            "JOIN users u ON u.id = a.user_id WHERE u.email = 'evaluator@example.org' "
            "AND a.role = 'evaluator' AND c.status IN ('interviewed', 'returned') "
            "ORDER BY c.id")).scalars().all()
    engine.dispose()
    if not (public_ids and cases and assessable):
        raise SystemExit("the demo data lacks passports, cases or an assessable case")
    return {"public_ids": public_ids, "cases": cases, "assessable": assessable}


# --- the load driver (runs in its own process) ------------------------------------------------


class Browser:
    """One person's browser: cookies kept, a new connection per request (gunicorn's sync
    workers close the connection after each response)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        headers = {}
        body = None
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read().decode("utf-8", "replace")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _eq, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            return response.status, data
        finally:
            conn.close()

    def token(self, path: str) -> str:
        _status, page = self.request("GET", path)
        match = CSRF.search(page)
        if not match:
            raise RuntimeError(f"no CSRF token on {path}")
        return match.group(1)

    def login(self, email: str) -> None:
        status, _page = self.request("POST", "/login", {
            "csrf_token": self.token("/login"), "email": email, "password": PASSWORD})
        if status != 302:
            raise RuntimeError(f"login of {email} answered {status}")

    def second_step(self) -> None:
        """The demo coordinator's second factor: the code of the documented demo key."""
        import pyotp

        from passport.auth.twofactor import DEMO_SECRET

        status, _page = self.request("POST", "/login/code", {
            "csrf_token": self.token("/login/code"), "code": pyotp.TOTP(DEMO_SECRET).now()})
        if status != 302:
            raise RuntimeError(f"the second step answered {status}")


ASSESSMENT = {
    "level": "bachelor", "qualification_title": "Bachelor of Civil Engineering",
    "field_of_study": "Civil engineering", "institution": "University of Aleppo",
    "completed": "y", "years_completed": "4",
    "summary": "Draft written during the load test: the curriculum, the final project.",
}


def drive(port: int, facts: dict | None, seconds: float, clients: int, max_requests: int,
          results) -> None:  # noqa: ANN001
    """Send traffic until the time or the request budget runs out; put the results."""
    lock = threading.Lock()
    budget = [max_requests]
    samples: list[tuple[str, float, int]] = []
    errors: list[str] = []
    # Log everybody in first (Argon2 takes its time on purpose): not part of the measurement.
    # Each code of the second factor works once: the coordinator logs in once, and every
    # client browses in that session.
    people = []
    coordinator_cookies: dict[str, str] = {}
    if facts is not None:
        first = Browser(port)
        first.login("coordinator@example.org")
        first.second_step()
        coordinator_cookies = first.cookies
    for _n in range(clients):
        coordinator, evaluator, verifier = Browser(port), Browser(port), Browser(port)
        coordinator.cookies = dict(coordinator_cookies)
        token = ""
        if facts is not None:
            evaluator.login("evaluator@example.org")
            token = evaluator.token(f"/cases/{facts['assessable'][0]}/assessment")
        people.append((coordinator, evaluator, verifier, token))
    deadline = time.monotonic() + seconds

    def take() -> bool:
        with lock:
            if budget[0] <= 0 or time.monotonic() > deadline:
                return False
            budget[0] -= 1
            return True

    def client(number: int) -> None:
        coordinator, evaluator, verifier, token = people[number]
        i = number
        while take():
            i += 1
            if facts is None:
                kind, browser, method, path, form = "bare", verifier, "GET", "/", None
            elif i % 10 < 5:
                case = facts["cases"][i % len(facts["cases"])]
                path = "/" if i % 2 else f"/cases/{case}"
                kind, browser, method, form = "page view", coordinator, "GET", None
            elif i % 10 < 8:
                public_id = facts["public_ids"][i % len(facts["public_ids"])]
                kind, browser, method = "verification", verifier, "GET"
                path, form = f"/verify/{public_id}", None
            else:
                case = facts["assessable"][i % len(facts["assessable"])]
                kind, browser, method = "assessment save", evaluator, "POST"
                path, form = f"/cases/{case}/assessment", {**ASSESSMENT, "csrf_token": token}
            start = time.perf_counter()
            try:
                status, _page = browser.request(method, path, form)
            except OSError as exc:
                status = 0
                errors.append(f"{kind} {path}: {exc}")
            elapsed = time.perf_counter() - start
            expected = {200} if method == "GET" else {302, 303}
            if status not in expected:
                errors.append(f"{kind} {path}: {status}")
            with lock:
                samples.append((kind, elapsed, status))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results.put({"samples": samples, "errors": errors, "wall": time.perf_counter() - began})


def run_driver(port: int, facts: dict | None, args: argparse.Namespace) -> dict:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=drive, args=(port, facts, args.seconds, args.clients,
                                                  args.max_requests, results))
    process.start()
    outcome = results.get(timeout=args.seconds + 300)
    process.join()
    return outcome


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=20)[-1]


def report(name: str, outcome: dict) -> tuple[float, float]:
    samples = outcome["samples"]
    times = [s[1] for s in samples]
    throughput = len(samples) / outcome["wall"]
    print(f"\n{name}: {len(samples)} requests in {outcome['wall']:.1f} s = "
          f"{throughput:.1f} req/s; p50 {statistics.median(times) * 1000:.1f} ms, "
          f"p95 {p95(times) * 1000:.1f} ms; errors {len(outcome['errors'])}")
    kinds = sorted({s[0] for s in samples})
    if len(kinds) > 1:
        for kind in kinds:
            part = [s[1] for s in samples if s[0] == kind]
            print(f"  {kind:16} {len(part):6} requests, p50 {statistics.median(part) * 1000:6.1f}"
                  f" ms, p95 {p95(part) * 1000:6.1f} ms")
    for line in outcome["errors"][:10]:
        print(f"  error: {line}")
    return throughput, p95(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--max-requests", type=int, default=20000)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="passport-load-"))
    port, bare_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSPORT_")}
    env.update({
        "PASSPORT_DATABASE_URL": f"{PG}/{DB_NAME}",
        "PASSPORT_SECRET_KEY": "load-bench-secret-key-that-is-long-enough-0123456789",
        "PASSPORT_BASE_URL": f"http://{HOST}:{port}",
        "PASSPORT_SIGNING_KEY_DIR": str(tmp / "keys"),
        "PASSPORT_VERIFY_RATE_LIMIT": "1000000 per minute",
        "PASSPORT_LOG_LEVEL": "WARNING",
    })
    print(f"preparing {DB_NAME} with the demo data ...")
    facts = prepare_database(env)
    (tmp / "bare_app.py").write_text(BARE_APP)

    app_server = start_gunicorn("wsgi:app", port, args.workers, ROOT, env)
    bare_server = start_gunicorn("bare_app:app", bare_port, args.workers, tmp, env)
    try:
        wait_for(port)
        wait_for(bare_port)
        # Warm up every worker once (imports, templates), then measure memory.
        warm = Browser(port)
        deadline = time.monotonic() + 300
        for _ in range(args.workers * 4):
            for path in (f"/verify/{facts['public_ids'][0]}", "/login"):
                while True:  # workers still importing the app on a busy machine
                    try:
                        if warm.request("GET", path)[0] == 200:
                            break
                    except OSError:
                        pass
                    if time.monotonic() > deadline:
                        raise SystemExit("the app's workers did not answer within 5 minutes")
                    time.sleep(1)
        workers = worker_pids(app_server.pid)
        rss_start = {pid: rss_mb(pid) for pid in workers}

        app_outcome = run_driver(port, facts, args)
        rss_end = {pid: rss_mb(pid) for pid in worker_pids(app_server.pid)}
        bare_outcome = run_driver(bare_port, None, args)

        print(f"\n{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; "
              f"{args.workers} gunicorn workers (sync) each; {args.clients} client threads "
              f"in another process; PostgreSQL on {HOST}")
        app_rate, app_p95 = report("Qualifications Passport (mixed traffic)", app_outcome)
        bare_rate, bare_p95 = report("Baseline: bare Flask 'ok' endpoint", bare_outcome)
        print("\nRSS per app worker (MB), after warm-up -> after the run:")
        for pid in sorted(set(rss_start) | set(rss_end)):
            start, end = rss_start.get(pid), rss_end.get(pid)
            print(f"  pid {pid}: {start or 0:.1f} -> {end or 0:.1f}"
                  + ("" if start and end else " (worker restarted)"))
        print(f"\nratio app/baseline: throughput {app_rate / bare_rate:.2f}, "
              f"p95 {app_p95 / bare_p95:.1f}x")
        if app_outcome["errors"]:
            raise SystemExit(f"{len(app_outcome['errors'])} errors under load")
    finally:
        stop(app_server)
        stop(bare_server)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
