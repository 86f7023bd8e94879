"""Database engine, the per-request session and the declarative base.

`session` is scoped to the Flask application context: a request, a CLI command and a test
each get their own and it is closed when the context ends. Schema changes go through Alembic
(see `passport.migrate`), never through `create_all`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app
from flask.globals import app_ctx
from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both SQLite (which stores naive) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use datetime.now(UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers proceed while one writer commits; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Reads through a memory map of the file, shared by every connection and process, rather
    # than through each connection's own 2 MB page cache: a search walking an index of a large
    # database then touches memory, not the file (a one-word name search at 100,000 cases:
    # 1.8 ms instead of 3.5). Address space only: the kernel keeps the pages it needs.
    cursor.execute("PRAGMA mmap_size=1073741824")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; take it over and begin IMMEDIATE
        # (as Rails 8 does): a transaction that read and then writes would otherwise fail with
        # "database is locked" instead of waiting for the other writer.
        @event.listens_for(engine, "connect")
        def _no_pysqlite_begin(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _scope() -> int:
    return id(app_ctx._get_current_object())


def _new_session() -> Any:
    return current_app.extensions["passport.sessionmaker"]()


session = scoped_session(_new_session, scopefunc=_scope)


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["passport.engine"] = engine
    app.extensions["passport.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)

    @app.teardown_appcontext
    def _remove_session(_exc: BaseException | None) -> None:
        session.remove()


def engine() -> Engine:
    return current_app.extensions["passport.engine"]
