"""What does the app cost per request under concurrent load, against a bare Flask endpoint?

Serves the app and a bare Flask app (bench/bare_app.py) with gunicorn, 2 sync workers each, on
loopback ports, over a generated database (passport/datagen.py, --cases, default 1,000). A
separate load process then sends concurrent requests (--concurrency threads, each request on a
new connection, as gunicorn's sync workers close them) to, one target after another:

- the public verification page of a real passport (`/verify/<public id>`; its rate limit is
  lifted for the run),
- a logged-in page: the coordinator's case list (`/`),
- the bare app's endpoint of the same shape, the baseline.

Each target runs for --seconds or --requests, whichever ends first. Prints requests per second,
p50 and p95 for each, and the ratios against the bare endpoint measured in the same run.

    .venv/bin/python bench/http_load.py
    .venv/bin/python bench/http_load.py --database-url postgresql://postgres@127.0.0.1:5432/x
    .venv/bin/python bench/http_load.py --concurrency 8 --seconds 15 --cases 10000

Traffic goes only to 127.0.0.1, bounded in count and time.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"
CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, headers: dict | None = None,
            body: str | None = None) -> tuple[int, dict, str]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read().decode("utf-8", "replace")
        headers = {k.lower(): v for k, v in response.getheaders()}
        cookies = [c.split(";")[0] for c in response.msg.get_all("Set-Cookie") or []]
        headers["set-cookie"] = "; ".join(c for c in cookies if c.startswith("session="))
        return response.status, headers, data
    finally:
        conn.close()


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            request(port, "GET", "/login")
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing answers on port {port}")


def prepare(database_url: str, cases: int, folder: Path) -> tuple[dict, str, str, str | None]:
    """Generate the database; return the environment for gunicorn, a passport's public id,
    a coordinator's e-mail and the code of their second factor (valid for a minute)."""
    from sqlalchemy import select

    from bench.second_factor import code_for
    from passport import create_app, datagen, migrate
    from passport.db import engine, session

    env = {
        "PASSPORT_DATABASE_URL": database_url,
        "PASSPORT_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
        "PASSPORT_SIGNING_KEY_DIR": str(folder / "keys"),
        "PASSPORT_LOG_LEVEL": "WARNING",
        "PASSPORT_VERIFY_RATE_LIMIT": "1000000 per minute",
        "PASSPORT_BASE_URL": f"http://{HOST}",
    }
    app = create_app({"ENVIRON": env})
    with app.app_context():
        from passport.auth.models import User
        from passport.org.models import scheme_coordinators
        from passport.passports.models import Passport

        migrate.upgrade(engine())
        datagen.generate(cases, seed=1, echo=lambda line: None)
        public_id = session.scalar(select(Passport.public_id).order_by(Passport.id).limit(1))
        email = session.scalar(
            select(User.email).join(scheme_coordinators,
                                    scheme_coordinators.c.user_id == User.id).limit(1))
        code = code_for(email)
        engine().dispose()
    return env, public_id, email, code


def serve(target: str, port: int, env: dict, chdir: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    return subprocess.Popen(
        [str(gunicorn), "--workers", "2", "--bind", f"{HOST}:{port}", "--log-level", "warning",
         target],
        cwd=chdir, env={**os.environ, **env}, start_new_session=True,
    )


def login(port: int, email: str, code: str | None) -> str:
    """The session cookie of a logged-in coordinator."""
    from passport.datagen import DATAGEN_PASSWORD

    _status, headers, page = request(port, "GET", "/login")
    cookie = headers["set-cookie"]
    token = CSRF.search(page).group(1)
    body = urllib.parse.urlencode({"email": email, "password": DATAGEN_PASSWORD,
                                   "csrf_token": token})
    status, headers, _ = request(port, "POST", "/login", {
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}, body)
    assert status == 302, status
    if code is not None:
        cookie = headers["set-cookie"]
        _status, got, page = request(port, "GET", "/login/code", {"Cookie": cookie})
        cookie = got["set-cookie"] or cookie  # the form's CSRF token is kept in the session
        body = urllib.parse.urlencode({"code": code, "csrf_token": CSRF.search(page).group(1)})
        status, headers, _ = request(port, "POST", "/login/code", {
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}, body)
        assert status == 302, status
    return headers["set-cookie"]


def load(port: int, path: str, cookie: str, concurrency: int, seconds: float,
         limit: int, out: multiprocessing.Queue) -> None:
    """The load process: `concurrency` threads sending GET `path` until time or count is up."""
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    headers = {"Cookie": cookie} if cookie else {}

    def worker() -> None:
        while time.perf_counter() < deadline:
            with lock:
                if len(times) + errors[0] >= limit:
                    return
            started = time.perf_counter()
            try:
                status, _h, _body = request(port, "GET", path, headers)
                ok = status == 200
            except OSError:
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if ok:
                    times.append(elapsed)
                else:
                    errors[0] += 1

    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((times, errors[0], time.perf_counter() - began))


def measure(port: int, path: str, cookie: str, args: argparse.Namespace) -> dict:
    out: multiprocessing.Queue = multiprocessing.Queue()
    # warm-up, then the measured run, each in a process of its own
    for seconds, limit in ((1.0, 200), (args.seconds, args.requests)):
        proc = multiprocessing.Process(
            target=load, args=(port, path, cookie, args.concurrency, seconds, limit, out))
        proc.start()
        times, errors, wall = out.get()
        proc.join()
    q = statistics.quantiles(times, n=100, method="inclusive") if len(times) > 1 else [0] * 99
    return {"n": len(times), "errors": errors, "rps": len(times) / wall,
            "p50": q[49], "p95": q[94]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--database-url", default="", help="PostgreSQL instead of SQLite")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--requests", type=int, default=20000)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="passport-http-"))
    if args.database_url:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        from passport.config import normalise_database_url

        base = make_url(normalise_database_url(args.database_url))
        name = f"{base.database}_http_load"
        admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = base.set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{folder / 'http.db'}"
    kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"== generating {args.cases:,} cases on {kind}", flush=True)
    env, public_id, email, code = prepare(url, args.cases, folder)

    app_port, bare_port = free_port(), free_port()
    servers = [serve("wsgi:app", app_port, env, ROOT),
               serve("bare_app:app", bare_port, {}, ROOT / "bench")]
    try:
        wait_for(app_port)
        wait_for(bare_port)
        cookie = login(app_port, email, code)
        targets = [
            ("bare Flask endpoint (baseline)", bare_port, "/verify/" + public_id, ""),
            ("verification page /verify/<id>", app_port, "/verify/" + public_id, ""),
            ("logged-in case list /", app_port, "/", cookie),
        ]
        results = {}
        for label, port, path, session_cookie in targets:
            results[label] = measure(port, path, session_cookie, args)
            r = results[label]
            print(f"   {label:34} {r['n']:6} requests  {r['errors']} errors  "
                  f"{r['rps']:7.1f} req/s   p50 {r['p50']:6.1f} ms   p95 {r['p95']:6.1f} ms",
                  flush=True)
        base = results[targets[0][0]]
        print(f"\n== {kind}, gunicorn 2 workers, {args.concurrency} concurrent clients: "
              "against the bare endpoint")
        for label, *_ in targets[1:]:
            r = results[label]
            print(f"   {label:34} throughput {r['rps'] / base['rps']:5.2f} x bare   "
                  f"p95 {r['p95'] / base['p95']:5.1f} x bare")
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        if args.database_url:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
