"""How fast is the review queue page with many waiting cases?

Builds a throw-away database (SQLite, or PostgreSQL with --pg URL: a temporary database is
created there and dropped afterwards) with N cases waiting for review (two evaluators each,
every fifth with two disagreeing conclusions), then times through the real app and a
logged-in test client:

- baseline: a bare endpoint behind the same login (session, user load, no query of its own)
- /review: page 1 (50 rows, counts per scheme, disagreement flags)
- /review?evaluator=…: a filtered page
- /review?page=last: the last page (OFFSET at the end)

    .venv/bin/python bench/review_queue.py [N] [--pg postgresql://postgres@127.0.0.1:5432/postgres]

Prints p50/p95 in milliseconds and the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.second_factor import code_for  # noqa: E402

REPEAT = 60


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered) * 1000, p95 * 1000


def _time(client, path: str) -> list[float]:
    for _ in range(5):  # warm up
        assert client.get(path).status_code == 200, path
    samples = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - t0)
        assert response.status_code == 200
    return samples


def _populate(n: int) -> tuple[int, int]:
    from passport.auth.models import Role, User, UserRole
    from passport.auth.services import create_user
    from passport.cases.models import Assignment, Candidate, Case
    from passport.db import session, utcnow
    from passport.interviews.models import Assessment, EvaluatorConclusion
    from passport.org.models import Centre, Scheme

    centres = [Centre(name=f"Centre {i}", country=c) for i, c in enumerate(("NO", "IT", "GR"))]
    schemes = [Scheme(code=c, name=c, issuing_body="x", validity_years=5)
               for c in ("EQPR", "UQP")]
    session.add_all([*centres, *schemes])
    session.commit()
    coordinator = create_user("coord@bench.org", "Coordinator", [Role.COORDINATOR],
                              "bench-password-1234-abcd", centre=centres[0], schemes=schemes)
    evaluators = [User(email=f"ev{i}@bench.org", name=f"Evaluator {i}", password_hash="x",
                       centre=centres[i % 3], role_rows=[UserRole(role=Role.EVALUATOR)])
                  for i in range(20)]
    session.add_all(evaluators)
    session.flush()
    now = utcnow()
    countries = ("SY", "AF", "ER", "IQ", "UA")
    for i in range(n):
        candidate = Candidate(given_name=f"Given{i}", family_name=f"Family{i}",
                              birth_date="1990", nationality="SY", country_of_origin="SY",
                              host_country="NO")
        case = Case(candidate=candidate, scheme=schemes[i % 2], status="assessment_submitted",
                    qualification_country=countries[i % 5])
        session.add(case)
        session.flush()
        first, second = evaluators[i % 20], evaluators[(i + 7) % 20]
        session.add_all([Assignment(case_id=case.id, user_id=first.id),
                         Assignment(case_id=case.id, user_id=second.id)])
        assessment = Assessment(case_id=case.id, round=1, submitted_by_id=first.id,
                                submitted_at=now - timedelta(hours=i * 3), summary="x")
        session.add(assessment)
        session.flush()
        if i % 5 == 0:
            session.add_all([
                EvaluatorConclusion(assessment_id=assessment.id, evaluator_id=first.id,
                                    level="bachelor", submitted_at=now),
                EvaluatorConclusion(assessment_id=assessment.id, evaluator_id=second.id,
                                    level="master", submitted_at=now),
            ])
        if i % 500 == 499:
            session.commit()
    session.commit()
    return coordinator.id, evaluators[3].id


def run(n: int, url: str, label: str) -> None:
    from flask_login import login_required

    from passport import create_app, migrate
    from passport.db import engine

    app = create_app({"ENVIRON": {
        "PASSPORT_DATABASE_URL": url,
        "PASSPORT_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
        "PASSPORT_LOG_LEVEL": "WARNING",
    }, "WTF_CSRF_ENABLED": False})

    @login_required
    def bare():
        return "ok"

    app.add_url_rule("/bench-bare", "bench_bare", bare)
    with app.app_context():
        migrate.upgrade(engine())
        t0 = time.perf_counter()
        _coordinator_id, evaluator_id = _populate(n)
        build = time.perf_counter() - t0
    with app.app_context():
        code = code_for("coord@bench.org")
    client = app.test_client()
    response = client.post("/login", data={"email": "coord@bench.org",
                                           "password": "bench-password-1234-abcd"})
    assert response.status_code == 302, response.status_code
    response = client.post("/login/code", data={"code": code})
    assert response.status_code == 302, response.status_code
    last = -(-n // 50)
    paths = [("baseline (bare endpoint)", "/bench-bare"),
             ("/review page 1", "/review"),
             ("/review filtered by evaluator", f"/review?evaluator={evaluator_id}"),
             (f"/review last page ({last})", f"/review?page={last}")]
    print(f"\n{label}: {n} cases waiting (built in {build:.1f} s), {REPEAT} requests each")
    base = None
    for name, path in paths:
        p50, p95 = _percentiles(_time(client, path))
        base = base or p50
        print(f"  {name:34s} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   x{p50 / base:5.1f}")
    app.extensions["passport.engine"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=2000)
    parser.add_argument("--pg", default=os.environ.get("PASSPORT_BENCH_PG", ""),
                        help="PostgreSQL server URL; a temporary database is made there")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    run(args.n, f"sqlite:///{tmp / 'bench.db'}", "SQLite")
    if args.pg:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        from passport.config import normalise_database_url

        base = make_url(normalise_database_url(args.pg))
        name = f"bench_review_{os.getpid()}"
        admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            run(args.n, base.set(database=name).render_as_string(hide_password=False),
                "PostgreSQL")
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
