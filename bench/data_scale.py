"""Do the pages people wait on stay fast and flat as the data grows?

Generates databases of 1,000 and 100,000 cases (passport/datagen.py; each size in a database of
its own) and measures, through the WSGI app (Flask's test client, logged in), p50 and p95 of:

- coordinator queue: the case list filtered to submitted assessments (and /review if the app
  has that page)
- case list, page 20 (keyset pagination: a deep page costs what the first does)
- search by a whole name (given and family name, as a coordinator usually types it); by a
  family name alone, Latin script and Arabic script (the worst case: the generator draws family
  names from small pools, so one matches about 1 in 28 candidates, 3,500 at 100,000); by
  passport number (typed in lower case with spaces); by country (nationality or country of the
  qualification)
- a case page
- an evaluator's upcoming interviews: the list filtered to scheduled interviews (and
  /interviews if the app has that page)

It prints the figures per size, the ratio p95(largest) / p95(smallest) (target <= 1.5, and p95
under 100 ms at 100,000) and the query plans of the searches.

    .venv/bin/python bench/data_scale.py                                   # SQLite
    .venv/bin/python bench/data_scale.py --database-url postgresql://postgres@127.0.0.1:5432/x
    .venv/bin/python bench/data_scale.py --sizes 1000,10000 --rounds 30 --reuse

SQLite files go to a temporary folder (--dir to choose, --reuse to keep and reuse them); on
PostgreSQL the script creates (and with --reuse keeps) databases `<name>_scale_<size>` next to
the one named.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def prepare(url: str, size: int, reuse: bool, keys: Path) -> tuple[Any, float | None]:
    """An app on a database holding `size` generated cases; the generation time, if it ran."""
    from sqlalchemy import create_engine, func, select, text
    from sqlalchemy.engine import make_url

    from passport import create_app, migrate
    from passport.config import normalise_database_url

    if url.startswith("postgresql"):
        base = make_url(normalise_database_url(url))
        name = f"{base.database}_scale_{size}"
        admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": name}).scalar()
            if exists and not reuse:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            if not exists or not reuse:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        db_url = base.set(database=name).render_as_string(hide_password=False)
    else:
        path = Path(url) / f"scale-{size}.db"
        if path.exists() and not reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        db_url = f"sqlite:///{path}"
    app = create_app({"ENVIRON": {
        "PASSPORT_DATABASE_URL": db_url,
        "PASSPORT_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
        "PASSPORT_SIGNING_KEY_DIR": str(keys),
        "PASSPORT_LOG_LEVEL": "WARNING",
        "PASSPORT_VERIFY_RATE_LIMIT": "1000000 per minute",
    }})
    seconds = None
    with app.app_context():
        from passport import datagen
        from passport.cases.models import Case
        from passport.db import engine, session

        migrate.upgrade(engine())
        have = session.scalar(select(func.count()).select_from(Case))
        if not have:
            started = time.perf_counter()
            datagen.generate(size, seed=1, echo=lambda line: print("   ", line, flush=True))
            seconds = time.perf_counter() - started
        elif have != size:
            raise SystemExit(f"{db_url} holds {have} cases, not {size}; run without --reuse")
    return app, seconds


class Recorder:
    """The SQL statements a request ran (for the query plans)."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.statements: list[tuple[str, Any]] = []
        self.on = False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, parameters, _context, _many) -> None:  # noqa: ANN001
        if self.on:
            self.statements.append((statement, parameters))


def login(app: Any, client: Any, email: str) -> None:
    from bench.second_factor import code_for
    from passport.datagen import DATAGEN_PASSWORD

    with app.app_context():
        code = code_for(email)  # enrols a coordinator at the first run
    page = client.get("/login").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    response = client.post("/login", data={"email": email, "password": DATAGEN_PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302, response.status_code
    if code is not None:
        page = client.get("/login/code").get_data(as_text=True)
        response = client.post("/login/code", data={
            "code": code, "csrf_token": CSRF.search(page).group(1)})
        assert response.status_code == 302, response.status_code


def token_of(client: Any) -> str:
    return CSRF.search(client.get("/").get_data(as_text=True)).group(1)


def people(app: Any) -> dict[str, Any]:
    """Who logs in and what they look for, chosen from the generated data."""
    from sqlalchemy import func, select

    from passport.auth.models import User
    from passport.cases.models import Assignment, Candidate, Case
    from passport.datagen import ARABIC_FAMILY, CYRILLIC_FAMILY, LATIN_FAMILY
    from passport.db import session
    from passport.interviews.models import Interview
    from passport.org.models import Scheme, scheme_coordinators
    from passport.passports.models import Passport

    with app.app_context():
        eqpr = session.scalar(select(Scheme).where(Scheme.code == "EQPR"))
        coordinator = session.scalar(
            select(User).join(scheme_coordinators, scheme_coordinators.c.user_id == User.id)
            .where(scheme_coordinators.c.scheme_id == eqpr.id).order_by(User.id).limit(1))
        # A typical evaluator: the one whose number of upcoming interviews is the median.
        upcoming = session.execute(
            select(Assignment.user_id, func.count())
            .join(Case, Case.id == Assignment.case_id)
            .join(Interview, Interview.case_id == Case.id)
            .where(Case.status == "interview_scheduled")
            .group_by(Assignment.user_id).order_by(func.count(), Assignment.user_id)).all()
        evaluator_id = upcoming[len(upcoming) // 2][0]
        evaluator = session.get(User, evaluator_id)
        numbers = list(session.scalars(
            select(Passport.number).where(Passport.scheme_id == eqpr.id)
            .order_by(Passport.id).limit(2000)))[::40][:25]
        case_ids = list(session.scalars(
            select(Case.id).where(Case.scheme_id == eqpr.id, Case.status == "passport_issued")
            .order_by(Case.id).limit(5000)))[::100][:25]
        # Whole names (given and family) of some candidates: what a coordinator types most.
        full = [f"{g} {f}" for g, f in session.execute(
            select(Candidate.given_name, Candidate.family_name).order_by(Candidate.id)
            .limit(3000)).all()][::120][:25]
        return {
            "full": full,
            "coordinator": coordinator.email,
            "evaluator": evaluator.email,
            "latin": [f for f, _ in ARABIC_FAMILY[:10]] + [f for f, _ in CYRILLIC_FAMILY[:5]],
            "latin_diacritics": [f for f, _ in LATIN_FAMILY],
            "arabic": [a for _, a in ARABIC_FAMILY[:15]],
            "numbers": [n.lower().replace("-", " ") for n in numbers],
            "cases": case_ids,
        }


TBODY = re.compile(r"<tbody>(.*?)</tbody>", re.S)


def rows_shown(html: str | None) -> int:
    """Table rows on the page: a page showing more of what matched costs more to draw."""
    return sum(body.count("<tr") for body in TBODY.findall(html or ""))


def p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def scenarios_for(app: Any) -> tuple[dict[str, Any], Any]:
    """The requests to time, as callables taking the round number; and a plan printer."""
    who = people(app)
    rules = {r.rule for r in app.url_map.iter_rules()}
    coordinator, evaluator = app.test_client(), app.test_client()
    login(app, coordinator, who["coordinator"])
    login(app, evaluator, who["evaluator"])
    token = token_of(coordinator)

    def get(client: Any, path: str) -> str:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)

    def search(q: str) -> str:
        response = coordinator.post("/", data={"q": q, "csrf_token": token},
                                    follow_redirects=True)
        assert response.status_code == 200, response.status_code
        return response.get_data(as_text=True)

    # The URL of page 20 of the coordinator's whole list, following the "Next" links.
    deep = "/"
    for _ in range(19):
        html = coordinator.get(deep).get_data(as_text=True)
        found = re.search(r'href="(/\?[^"]*after=[^"]+)" rel="next"', html)
        if not found:
            break
        deep = found.group(1).replace("&amp;", "&")

    # What someone types without the accents (Müller -> mulle), not the name with its
    # accented letters dropped (mller), which matches nobody.
    plain = ["".join(ch for ch in unicodedata.normalize("NFKD", f)
                     if not unicodedata.combining(ch)).replace("ı", "i")[:5]
             for f in who["latin_diacritics"]]
    scenarios: dict[str, Any] = {
        "coordinator queue (list, submitted)":
            lambda i: get(coordinator, "/?status=assessment_submitted"),
        "case list, page 20": lambda i: get(coordinator, deep),
        "search whole name (given family)": lambda i: search(who["full"][i % len(who["full"])]),
        "search name, Latin": lambda i: search(who["latin"][i % len(who["latin"])]),
        "search name, plain letters, prefix": lambda i: search(plain[i % len(plain)]),
        "search name, Arabic": lambda i: search(who["arabic"][i % len(who["arabic"])]),
        "search passport number": lambda i: search(who["numbers"][i % len(who["numbers"])]),
        "search country (SY)": lambda i: get(coordinator, "/?country=SY"),
        "case page": lambda i: get(coordinator, f"/cases/{who['cases'][i % len(who['cases'])]}"),
        "evaluator upcoming (list, scheduled)":
            lambda i: get(evaluator, "/?status=interview_scheduled"),
    }
    if "/review" in rules:
        scenarios["coordinator queue /review"] = lambda i: get(coordinator, "/review")
    if "/interviews" in rules:
        scenarios["evaluator upcoming /interviews"] = lambda i: get(evaluator, "/interviews")

    def plans() -> list[str]:
        from passport.db import engine

        with app.app_context():
            recorder = Recorder(engine())
        explained = []
        for label, q in (("name, Latin", who["latin"][0]), ("name, Arabic", who["arabic"][0]),
                         ("whole name", who["full"][4]), ("name with a particle", "Al-Hassan"),
                         ("passport number", who["numbers"][0]), ("country", None),
                         ("queue", "")):
            recorder.statements.clear()
            recorder.on = True
            if q:
                search(q)
            else:
                get(coordinator, "/?country=SY" if q is None else "/?status=assessment_submitted")
            recorder.on = False
            page = [s for s in recorder.statements
                    if "ORDER BY cases.updated_at DESC" in s[0] or "ORDER BY matched.term" in s[0]]
            if page:
                explained.append(f"-- {label}\n" + explain(app, *page[-1]))
        return explained

    return scenarios, plans


def explain(app: Any, statement: str, parameters: Any) -> str:
    from passport.db import engine

    with app.app_context(), engine().connect() as conn:
        raw = conn.connection.dbapi_connection
        cursor = raw.cursor()
        if conn.dialect.name == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            return "\n".join(f"   {row[3]}" for row in cursor.fetchall())
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + statement,
                       parameters)
        lines = [f"   {row[0]}" for row in cursor.fetchall()]
        raw.rollback()
        return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--database-url", default="",
                        help="PostgreSQL server to use instead of SQLite files")
    parser.add_argument("--dir", default="", help="folder for the SQLite files")
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--only", default="",
                        help="measure only the scenarios whose name contains this text")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the generated databases and use them again next time")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    folder = Path(args.dir or tempfile.mkdtemp(prefix="passport-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    url = args.database_url or str(folder)
    kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    os.environ.setdefault("PASSPORT_LOG_LEVEL", "WARNING")

    apps, runs = {}, {}
    for size in sizes:
        print(f"== {kind}, {size:,} cases", flush=True)
        app, seconds = prepare(url, size, args.reuse, folder / "keys")
        if seconds is not None:
            print(f"   generated in {seconds:.1f} s", flush=True)
        apps[size] = app
        runs[size] = scenarios_for(app)

    # As wsgi.py does in production: what is loaded at start-up is left out of full collections.
    gc.freeze()
    # Sizes take turns request by request, so that a noisy neighbour slows both alike.
    # Besides the wall-clock latency, the CPU time of this process (the app, and on SQLite the
    # database too): other programs on a shared machine inflate the first, hardly the second.
    table: dict[int, dict[str, list[float]]] = {size: {} for size in sizes}
    cpu: dict[int, dict[str, list[float]]] = {size: {} for size in sizes}
    rows: dict[int, dict[str, list[int]]] = {size: {} for size in sizes}
    for name in runs[sizes[0]][0]:
        if args.only not in name:
            continue
        for i in range(5):
            for size in sizes:
                runs[size][0][name](i)
        for i in range(args.rounds):
            for size in sizes:
                started, used = time.perf_counter(), time.process_time()
                html = runs[size][0][name](i)
                table[size].setdefault(name, []).append(
                    (time.perf_counter() - started) * 1000)
                cpu[size].setdefault(name, []).append((time.process_time() - used) * 1000)
                rows[size].setdefault(name, []).append(rows_shown(html))

    for size in sizes:
        print(f"\n== {kind}, {size:,} cases: {args.rounds} requests each "
              "(wall clock; CPU time of the app process)")
        for name, times in table[size].items():
            print(f"   {name:40} p50 {p(times, 50):7.1f} ms   p95 {p(times, 95):7.1f} ms"
                  f"   cpu p50 {p(cpu[size][name], 50):6.1f}  p95 {p(cpu[size][name], 95):6.1f}")
    large = max(sizes)
    print(f"\n== {kind}: query plans of the list's searches at {large:,} cases")
    print("\n".join(runs[large][1]()))

    small = min(sizes)
    if small != large:
        print(f"\n== {kind}: p95 at {large:,} / p95 at {small:,} (target <= 1.5, "
              f"p95 < 100 ms at {large:,}); table rows shown, on average")
        for name in table[large]:
            a, b = p(table[small][name], 95), p(table[large][name], 95)
            ca, cb = p(cpu[small][name], 95), p(cpu[large][name], 95)
            ra, rb = (statistics.mean(rows[size][name]) for size in (small, large))
            verdict = "ok" if b / a <= 1.5 and b < 100 else "MISSED"
            print(f"   {name:40} {a:7.1f} -> {b:7.1f} ms   ratio {b / a:5.2f}   {verdict:6}"
                  f"   cpu {ca:6.1f} -> {cb:6.1f} ms   ratio {cb / ca:5.2f}"
                  f"   rows {ra:4.0f} -> {rb:4.0f}")
    for app in apps.values():
        app.extensions["passport.engine"].dispose()


if __name__ == "__main__":
    main()
