"""Counting the SQL statements a request runs, so that an N+1 query cannot return unnoticed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import event


@dataclass
class Statements:
    seen: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.seen)

    def __str__(self) -> str:
        return "\n".join(s.split("\n")[0][:160] for s in self.seen)


@contextmanager
def counting_queries(app: Flask) -> Iterator[Statements]:
    """Every statement sent to the database inside the block (BEGIN included)."""
    engine = app.extensions["passport.engine"]
    found = Statements()

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        found.seen.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def queries_of(app: Flask, request: Any) -> Statements:
    """The statements one request (a callable returning a response) runs; it must succeed."""
    with counting_queries(app) as found:
        response = request()
    assert response.status_code == 200, response.status_code
    return found
