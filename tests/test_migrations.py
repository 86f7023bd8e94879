"""The schema comes from the Alembic migrations: empty -> head -> base -> head, on the configured
database, and the models agree with what the migrations build. The audit trail is append-only
in the database itself."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError

import passport.models  # noqa: F401  (every table in Base.metadata)
from passport import audit, migrate
from passport.config import normalise_database_url
from passport.db import Base, make_engine, session
from tests.conftest import PG_URL, _worker


@pytest.fixture()
def empty_engine(tmp_path: Path) -> Iterator[Engine]:
    """An engine on a brand-new, empty database of the kind the suite runs on."""
    if not PG_URL:
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    base = make_url(normalise_database_url(PG_URL))
    name = f"{base.database}_migrations_{_worker()}_{os.getpid()}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(base.set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def model_differences(engine: Engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_upgrade_from_empty_to_head_down_to_base_and_up_again(empty_engine):
    expected = set(Base.metadata.tables)
    assert tables(empty_engine) == set()
    assert migrate.current_revision(empty_engine) is None

    migrate.upgrade(empty_engine)
    assert expected <= tables(empty_engine)
    assert tables(empty_engine) - expected == {"alembic_version"}
    assert migrate.current_revision(empty_engine) == migrate.head_revision()

    migrate.upgrade(empty_engine)  # already at head: nothing to do, no error
    assert migrate.current_revision(empty_engine) == migrate.head_revision()

    migrate.downgrade(empty_engine, "base")
    assert tables(empty_engine) <= {"alembic_version"}
    assert migrate.current_revision(empty_engine) is None

    migrate.upgrade(empty_engine)
    assert expected <= tables(empty_engine)
    assert migrate.current_revision(empty_engine) == migrate.head_revision()
    assert model_differences(empty_engine) == []


def test_models_match_the_migrated_schema(empty_engine):
    migrate.upgrade(empty_engine)
    differences = model_differences(empty_engine)
    assert differences == [], "models and migrations differ; write a migration: " + repr(
        differences
    )


def test_the_audit_trail_refuses_update_and_delete(app, world):
    case = world.new_case()
    entry = audit.case_history(case.id)[0]
    session.commit()
    engine: Engine = app.extensions["passport.engine"]

    for statement in ("UPDATE audit_entries SET reason = 'rewritten' WHERE id = :id",
                      "DELETE FROM audit_entries WHERE id = :id"):
        with pytest.raises(DBAPIError) as refused, engine.begin() as conn:
            conn.execute(text(statement), {"id": entry.id})
        assert "append-only" in str(refused.value)

    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT action, reason FROM audit_entries WHERE id = :id"), {"id": entry.id}
        ).one()
    assert row == ("case.created", "")
