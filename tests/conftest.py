"""Test fixtures: a real app on a real, clean database for every test.

SQLite by default. With PASSPORT_TEST_DATABASE_URL set (CI sets it to PostgreSQL) every test
runs there instead, and a database that cannot be reached fails the run rather than skipping.

The schema is built once per run by the Alembic migrations; each test then starts from empty
tables (SQLite: a copy of the migrated file; PostgreSQL: TRUNCATE), which is much faster than
migrating again and still gives every test a clean database.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from passport import create_app, migrate
from passport.config import normalise_database_url
from passport.db import Base, make_engine

PG_URL = os.environ.get("PASSPORT_TEST_DATABASE_URL", "")
PASSWORD = "correct-horse-battery-staple"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


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
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
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


@pytest.fixture()
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    environ = {
        "PASSPORT_DATABASE_URL": database_url,
        "PASSPORT_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "PASSPORT_BASE_URL": "https://passport.test",
    }
    app = create_app({"ENVIRON": environ, "TESTING": True})
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


def login(client: FlaskClient, email: str, password: str = PASSWORD):
    response = post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
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

    def new_case(self, scheme=None, **overrides):
        from passport.cases.services import CandidateData, create_case

        data = dict(given_name="Amina", family_name="Haddad", native_name="أمينة حداد",
                    birth_date="1991-03", nationality="SY", country_of_origin="SY",
                    host_country="NO")
        data.update(overrides)
        return create_case(self.coordinator, scheme or self.eqpr, CandidateData(**data), "SY")


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
