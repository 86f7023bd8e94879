"""How long an autosave of the interview workspace takes, end to end over HTTP.

Serves the real app (werkzeug, threaded) on a throw-away database, logs evaluators in over
HTTP and times POST /interviews/<id>/workspace round trips (each one commits before it
answers): one interview saving alone, then 10 interviews saving at once. The baseline, in the
same run and the same way, is a bare JSON POST endpoint that touches no database, so the ratio
shows what the save itself (session, permission check, compare-and-set, audit, commit) costs.

    .venv/bin/python bench/autosave.py [--saves 200] [--database-url postgresql://...]

Without --database-url: a temporary SQLite file. With a PostgreSQL URL, a database named
<name>_autosave_bench is created next to it and dropped afterwards.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

CONCURRENT = 10
VERSIONS: dict[tuple[int, str], int] = {}  # the version each field is at, per interview


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def prepare_database(url: str | None) -> tuple[str, callable]:
    if not url:
        tmp = Path(tempfile.mkdtemp())
        return f"sqlite:///{tmp / 'bench.db'}", lambda: None
    from passport.config import normalise_database_url

    base = make_url(normalise_database_url(url))
    name = f"{base.database}_autosave_bench"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def build(app) -> list[int]:
    """An organisation (as the tests build it) and CONCURRENT held interviews."""
    from passport import migrate
    from passport.db import engine
    from tests.conftest import World, hold_interview

    migrate.upgrade(engine())
    world = World()
    ids = []
    for _ in range(CONCURRENT):
        case = world.assigned_case()
        ids.append(hold_interview(case).id)
    return ids


def timed_saves(user, interview_id: int, n: int, tag: str) -> list[float]:
    path = f"/interviews/{interview_id}/workspace"
    token = user.csrf(path)
    out = []
    for i in range(n):
        name = f"education.0.{('title', 'field', 'institution', 'city')[i % 4]}"
        body = {"changes": [{"field": name, "value": f"{tag} {i} " + "words " * 20,
                             "base": VERSIONS.get((interview_id, name), 0)}]}
        start = time.perf_counter()
        status, answer = user.request("POST", path, body=body,
                                      headers={"X-CSRFToken": token})
        out.append(time.perf_counter() - start)
        assert status == 200, (status, answer[:300])
        VERSIONS[(interview_id, name)] = VERSIONS.get((interview_id, name), 0) + 1
    return out


def timed_bare(user, n: int) -> list[float]:
    out = []
    for i in range(n):
        start = time.perf_counter()
        status, _answer = user.request("POST", "/bench/bare",
                                       body={"changes": [{"field": "x", "value": str(i)}]})
        out.append(time.perf_counter() - start)
        assert status == 200
    return out


def run_parallel(fn, users, n) -> list[float]:
    results: list[list[float]] = [[] for _ in users]
    barrier = threading.Barrier(len(users))

    def work(k: int) -> None:
        barrier.wait()
        results[k] = fn(k, n)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(users))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [x for r in results for x in r]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=200, help="saves per interview")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from flask import jsonify, request

    from passport import create_app
    from passport.extensions import csrf
    from passport.security import accepts_json
    from tests.browser_support import HttpUser
    from tests.conftest import PASSWORD

    url, drop = prepare_database(args.database_url)
    app = create_app({"ENVIRON": {
        "PASSPORT_DATABASE_URL": url,
        "PASSPORT_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
        "PASSPORT_BASE_URL": "http://127.0.0.1",
        "PASSPORT_LOG_LEVEL": "WARNING",
    }})

    @app.post("/bench/bare")
    @csrf.exempt
    @accepts_json  # as the workspace's save endpoint is
    def bare():
        return jsonify(saved={c["field"]: 1 for c in request.get_json()["changes"]})

    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # Cheap password hashing for the bench's users, as in the tests (logins are not timed).
    from argon2 import PasswordHasher

    from passport.auth import services as auth

    auth._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with app.app_context():
        interviews = build(app)
        from passport.db import session

        session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        users = [HttpUser(base, "ev1@test.org", PASSWORD) for _ in range(CONCURRENT)]
        n = args.saves
        # Warm up both paths.
        timed_bare(users[0], 20)
        timed_saves(users[0], interviews[0], 20, "warm")

        rows = []
        bare_1 = timed_bare(users[0], n)
        save_1 = timed_saves(users[0], interviews[0], n, "single")
        rows.append(("1 interview", bare_1, save_1))
        bare_10 = run_parallel(lambda k, m: timed_bare(users[k], m), users, n)
        save_10 = run_parallel(
            lambda k, m: timed_saves(users[k], interviews[k], m, f"par{k}"), users, n)
        rows.append((f"{CONCURRENT} interviews at once", bare_10, save_10))
    finally:
        server.shutdown()
        with app.app_context():
            app.extensions["passport.engine"].dispose()
        drop()

    kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"Autosave round trip over HTTP on {kind}, {n} saves per interview (ms)")
    print(f"{'':24} {'bare p50':>9} {'bare p95':>9} {'save p50':>9} {'save p95':>9} "
          f"{'p95 ratio':>9}")
    for label, bare_t, save_t in rows:
        b50, b95 = statistics.median(bare_t) * 1000, percentile(bare_t, 95) * 1000
        s50, s95 = statistics.median(save_t) * 1000, percentile(save_t, 95) * 1000
        print(f"{label:24} {b50:9.2f} {b95:9.2f} {s50:9.2f} {s95:9.2f} {s95 / b95:9.1f}x")


if __name__ == "__main__":
    main()
