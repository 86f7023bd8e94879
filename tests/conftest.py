"""Test fixtures: a real app on a real, clean database for every test.

SQLite by default. With PASSPORT_TEST_DATABASE_URL set (CI sets it to PostgreSQL) every test
runs there instead, and a database that cannot be reached fails the run rather than skipping.

The schema is built once per run by the Alembic migrations; each test then starts from empty
tables (SQLite: a copy of the migrated file; PostgreSQL: TRUNCATE), which is much faster than
migrating again and still gives every test a clean database.
"""

from __future__ import annotations

import contextvars
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from passport import create_app, migrate
from passport.config import normalise_database_url
from passport.db import Base, make_engine

PG_URL = os.environ.get("PASSPORT_TEST_DATABASE_URL", "")
PASSWORD = "correct-horse-battery-staple"
CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """Real Argon2, with the cost turned down: production parameters take ~0.15 s a hash,
    and every test creates several users."""
    from argon2 import PasswordHasher

    from passport.auth import services

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024,
                                                          parallelism=1))
        patch.setattr(services, "_DUMMY_HASH", services._hasher.hash("not a real password"))
        yield


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate a fresh database once per test run; return its URL."""
    if PG_URL:
        base = make_url(normalise_database_url(PG_URL))
        # One database per test process, so parallel runs (xdist workers, two checkouts)
        # never share or drop each other's.
        name = f"{base.database}_{_worker()}_{os.getpid()}"
        admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:  # fails loudly if PostgreSQL is not there
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = base.set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'template.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    if PG_URL:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _empty_tables(url: str) -> None:
    # TRUNCATE costs a few milliseconds per table even when it is empty: find the tables the
    # previous test wrote to (one quick query) and truncate only those.
    names = [t.name for t in Base.metadata.sorted_tables]
    used = " UNION ALL ".join(
        f"SELECT '{n}' WHERE EXISTS (SELECT 1 FROM \"{n}\")"  # noqa: S608  (our table names)
        for n in names
    )
    engine = create_engine(url)
    with engine.begin() as conn:
        dirty = conn.execute(text(used)).scalars().all()
        if dirty:
            tables = ", ".join(f'"{n}"' for n in dirty)
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture()
def database_url(database_template: str, tmp_path: Path) -> str:
    if database_template.startswith("postgresql"):
        _empty_tables(database_template)
        return database_template
    source = Path(make_url(database_template).database)
    target = tmp_path / "test.db"
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


def _hand_over() -> None:
    """End the test's own transaction before a request or command runs, as a real user's
    transaction would have ended: on SQLite an open transaction holds the write lock."""
    from passport.db import session

    if has_app_context() and session.registry.has() and session().in_transaction():
        session.commit()


def _look_again() -> None:
    """Let the test see what the request or command changed in the database."""
    from passport.db import session

    if has_app_context() and session.registry.has():
        session.expire_all()


class BrowserClient(FlaskClient):
    """A test client whose every request runs in its own application context, as in production.

    The `app` fixture keeps an application context open for the test's own service calls;
    without this, requests would reuse it and share `g` (so Flask-Login's cached user leaks
    from one client to another) and the test's database session. `with client:` (preserving
    the request context) is not supported.
    """

    def open(self, *args, **kwargs):
        _hand_over()
        try:
            return contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            _look_again()


class CommandRunner(FlaskCliRunner):
    """Runs each command in its own application context, as `flask ...` would."""

    def invoke(self, *args, **kwargs):
        _hand_over()
        try:
            return contextvars.Context().run(super().invoke, *args, **kwargs)
        finally:
            _look_again()


@pytest.fixture()
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    environ = {
        "PASSPORT_DATABASE_URL": database_url,
        "PASSPORT_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "PASSPORT_BASE_URL": "https://passport.test",
        "PASSPORT_SIGNING_KEY_DIR": str(tmp_path / "signing-keys"),
    }
    app = create_app({"ENVIRON": environ, "TESTING": True})
    app.test_client_class = BrowserClient
    app.test_cli_runner_class = CommandRunner
    with app.app_context():
        yield app
    app.extensions["passport.engine"].dispose()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def runner(app: Flask):
    return app.test_cli_runner()


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token the app put into a form on `path` (as a browser would read it)."""
    page = client.get(path)
    match = CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path} (status {page.status_code})"
    return match.group(1)


def post_form(client: FlaskClient, path: str, data: dict, *, form_page: str | None = None):
    """POST a form the way a browser does: with the CSRF token from the page showing it."""
    token = csrf_token(client, form_page or path)
    return client.post(path, data={**data, "csrf_token": token})


TOTP_KEY = re.compile(r'id="totp-key">([A-Z2-7 ]+)<')


def totp_code(secret: str) -> str:
    import pyotp

    return pyotp.TOTP(secret.replace(" ", "")).now()


def current_code_of(email: str) -> str:
    """The code the user's authenticator app shows now. Each code is accepted once, and a test
    may log the same person in twice within 30 seconds, which a person cannot: the record of
    the last code used is cleared first, as the next 30-second window would make room."""
    from sqlalchemy import update

    from passport.auth import twofactor
    from passport.auth.models import User
    from passport.auth.services import find_user
    from passport.db import session

    user = find_user(email)
    secret = twofactor.secret_of(user)
    session.execute(update(User).where(User.id == user.id).values(totp_last_step=None))
    session.commit()
    return totp_code(secret)


def login(client: FlaskClient, email: str, password: str = PASSWORD):
    """Log in as a person would, including the second step for users with a second factor
    (the code is computed from their secret) and enrolment for coordinators and
    administrators who have none yet (then the page with the recovery codes is returned)."""
    response = post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    location = response.headers["Location"]
    if location.startswith("/login/code"):
        response = post_form(client, "/login/code", {"code": current_code_of(email)})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    elif location.startswith("/login/setup"):
        page = client.get("/login/setup").get_data(as_text=True)
        key = TOTP_KEY.search(page)
        assert key, page[:500]
        response = post_form(client, "/login/setup", {"code": totp_code(key.group(1))})
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        assert "Your recovery codes" in response.get_data(as_text=True)
    return response


class World:
    """A small organisation built through the real service functions."""

    def __init__(self) -> None:
        from passport.auth.models import Role
        from passport.auth.services import create_user
        from passport.db import session
        from passport.org.models import Centre, Scheme

        self.eqpr = Scheme(code="EQPR", name="European Qualifications Passport for Refugees",
                           issuing_body="Council of Europe", validity_years=5)
        self.uqp = Scheme(code="UQP", name="UNESCO Qualifications Passport",
                          issuing_body="UNESCO", validity_years=3)
        self.nokut = Centre(name="NOKUT", country="NO")
        self.cimea = Centre(name="CIMEA", country="IT")
        self.doatap = Centre(name="DOATAP", country="GR")
        session.add_all([self.eqpr, self.uqp, self.nokut, self.cimea, self.doatap])
        session.commit()

        def user(email, name, roles, centre=None, schemes=()):
            return create_user(email, name, roles, PASSWORD, centre=centre, schemes=schemes)

        self.admin = user("admin@test.org", "Ada Admin", [Role.ADMINISTRATOR])
        self.coordinator = user("coord@test.org", "Kari Coord", [Role.COORDINATOR],
                                self.nokut, [self.eqpr])
        self.other_coordinator = user("coord2@test.org", "Marco Coord", [Role.COORDINATOR],
                                      self.cimea, [self.uqp])
        self.ev1 = user("ev1@test.org", "Ingrid Eval", [Role.EVALUATOR], self.nokut)
        self.ev2 = user("ev2@test.org", "Giulia Eval", [Role.EVALUATOR], self.cimea)
        self.ev3 = user("ev3@test.org", "Eleni Eval", [Role.EVALUATOR], self.doatap)
        self.ev_same_centre = user("ev4@test.org", "Lars Eval", [Role.EVALUATOR], self.nokut)
        self._train_evaluators()

    def _train_evaluators(self) -> None:
        """Training (passport/training): EQPR and UQP require two courses that never expire;
        ev1-ev4 completed both, so they are certified for both schemes, and they know the
        education systems of SY, IQ, AF, ER and UA and speak Arabic (B2) and English (C1)."""
        from passport.training import services as training

        self.methodology = training.create_course(self.admin, training.CourseData(
            code="METH", title="Interview methodology", kind="methodology"))
        self.data_protection = training.create_course(self.admin, training.CourseData(
            code="DP", title="Data protection", kind="data_protection"))
        required = {self.methodology.id: "required", self.data_protection.id: "required"}
        for scheme in (self.eqpr, self.uqp):
            training.update_scheme_training(self.admin, scheme, 0, required)
        for person in (self.ev1, self.ev2, self.ev3, self.ev_same_centre):
            self.certify(person)

    def certify(self, person) -> None:
        """Certify an evaluator for EQPR and UQP the way ev1-ev4 are."""
        from datetime import date

        from passport.training import services as training

        for course in (self.methodology, self.data_protection):
            training.add_record(self.admin, person, course, date(2024, 1, 15))
        training.update_profile(self.admin, person, training.Profile(
            person.centre_id, person.timezone, (("ar", "B2"), ("en", "C1")),
            ("AF", "ER", "IQ", "SY", "UA")))

    def new_case(self, scheme=None, coordinator=None, **overrides):
        from passport.cases.services import CandidateData, create_case

        data = dict(given_name="Amina", family_name="Haddad", native_name="أمينة حداد",
                    birth_date="1991-03", nationality="SY", country_of_origin="SY",
                    host_country="NO")
        data.update(overrides)
        return create_case(coordinator or self.coordinator, scheme or self.eqpr,
                           CandidateData(**data), "SY")

    # Cases further along the path, built through the same service functions as the pages.

    def assigned_case(self, first=None, second=None, coordinator=None, **kwargs):
        from passport.cases.services import assign_evaluators, screen

        coordinator = coordinator or self.coordinator
        case = self.new_case(coordinator=coordinator, **kwargs)
        screen(coordinator, case, eligible=True)
        assign_evaluators(coordinator, case, first or self.ev1, second or self.ev2)
        return case

    def interviewed_case(self, **kwargs):
        """An assigned case whose interview was scheduled and held (through the services)."""
        case = self.assigned_case(**kwargs)
        hold_interview(case)
        return case

    def submitted_case(self, **kwargs):
        from passport.interviews.services import save_assessment

        case = self.interviewed_case(**kwargs)
        save_assessment(case.evaluators[0], case, assessment_data(), submit=True)
        return case

    def issued_case(self, coordinator=None, **kwargs):
        """A case whose passport is issued: returns (case, passport)."""
        from passport.review.services import approve

        coordinator = coordinator or self.coordinator
        case = self.submitted_case(coordinator=coordinator, **kwargs)
        return case, approve(coordinator, case, "Well documented.")


def schedule_interview(case, *, start=None, coordinator=None, **overrides):
    """Schedule the case's interview through the scheduling service: by default tomorrow at
    10:00 UTC, one hour, by video. Returns the interview."""
    from datetime import UTC, timedelta

    from passport.db import utcnow
    from passport.interviews import scheduling

    if start is None:  # the first free hour of the evaluators, from tomorrow 06:00 UTC
        start = (utcnow() + timedelta(days=1)).replace(hour=6, minute=0, second=0,
                                                        microsecond=0, tzinfo=None)
        ids = [u.id for u in case.evaluators]
        while scheduling.clashes(ids, start.replace(tzinfo=UTC),
                                 start.replace(tzinfo=UTC) + timedelta(minutes=60)):
            start += timedelta(hours=1)
    data = dict(local_start=start, timezone="UTC", duration_minutes=60, mode="video",
                video_link="https://meet.example.org/interview", language="en")
    data.update(overrides)
    coordinator = coordinator or case.scheme.coordinators[0]
    return scheduling.schedule(coordinator, case, scheduling.ScheduleData(**data))


def hold_interview(case, **overrides):
    """Schedule the case's interview and record it as held (the clock moved past its start)."""
    from datetime import timedelta

    from passport.interviews import scheduling

    interview = schedule_interview(case, **overrides)
    scheduling.mark_held(case.evaluators[0], interview,
                         now=interview.starts_at + timedelta(minutes=interview.duration_minutes))
    return interview


def assessment_data(**overrides):
    from passport.interviews.services import AssessmentData

    data = dict(level="bachelor", qualification_title="Bachelor of Civil Engineering",
                field_of_study="Civil engineering", institution="University of Aleppo",
                completed=True, years_completed=4,
                summary="The candidate described the curriculum and the final project in detail.")
    data.update(overrides)
    return AssessmentData(**data)


@pytest.fixture()
def world(app: Flask) -> World:
    return World()


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    """Cheap Argon2 parameters for the tests: the default ones cost about 0.35 s per hash on a
    small machine, and every test creates seven users. Hashing itself is not what is tested."""
    from argon2 import PasswordHasher

    from passport.auth import services

    default = services._hasher
    services._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    services._hasher = default
