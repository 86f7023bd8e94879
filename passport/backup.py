"""Backup and restore: a portable, canonical dump of the whole database.

`flask --app passport backup OUT` writes one ZIP file:

- `manifest.json`: format, schema revision, and per table the row count and the SHA-256 of
  its file;
- `tables/<table>.jsonl`: one JSON object per row, keys sorted, rows ordered by primary key;
  dates and times as ISO 8601 in UTC, binary values (uploaded evidence, photos, PDFs, mail
  attachments) as base64.

The same data gives byte-identical table files on SQLite and on PostgreSQL, so a backup taken
on one restores on the other, and two dumps can be compared to prove a round trip.

Everything the application keeps is in the database (uploads included); the only files outside
it are the passport signing keys (PASSPORT_SIGNING_KEY_DIR) and the SECRET_KEY, which are
secrets and are backed up separately (see the README). `restore` refuses a database that holds
data unless given `--force` (which drops every table and builds the schema again first).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, LargeBinary, Table, bindparam, func, select, text
from sqlalchemy.engine import Connection, Engine

import passport.models  # noqa: F401  (every table in Base.metadata)
from passport import migrate
from passport.db import Base

FORMAT = "qualifications-passport-backup/1"
ZIP_DATE = (2000, 1, 1, 0, 0, 0)  # fixed, so the same data gives the same file
BATCH = 500


class BackupError(Exception):
    pass


@dataclass
class Summary:
    tables: int
    rows: int
    digest: str  # SHA-256 over the canonical table files, in table order


def _tables() -> list[Table]:
    return sorted(Base.metadata.tables.values(), key=lambda t: t.name)


def _encode(column_type: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _decode(column_type: Any, value: Any) -> Any:
    if value is None:
        return None
    impl = getattr(column_type, "impl", column_type)
    if isinstance(impl, LargeBinary):
        return base64.b64decode(value)
    if isinstance(impl, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(impl, Date):
        return date.fromisoformat(value)
    return value


def _rows(conn: Connection, table: Table) -> Iterator[str]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = conn.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
    for row in result.mappings():
        record = {c.name: _encode(c.type, row[c.name]) for c in table.columns}
        yield json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical(engine: Engine) -> dict[str, bytes]:
    """Every table as its canonical JSON-lines bytes (what a backup holds)."""
    with engine.connect() as conn:
        return {
            t.name: "".join(line + "\n" for line in _rows(conn, t)).encode()
            for t in _tables()
        }


def _digest(files: dict[str, bytes]) -> str:
    outer = hashlib.sha256()
    for name in sorted(files):
        outer.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return outer.hexdigest()


def backup(engine: Engine, out: Path) -> Summary:
    revision = migrate.current_revision(engine)
    if revision is None:
        raise BackupError("The database has no schema; there is nothing to back up.")
    files = canonical(engine)
    manifest = {
        "format": FORMAT,
        "schema_revision": revision,
        "tables": {
            name: {"rows": data.count(b"\n"), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in sorted(files.items())
        },
        "not_included": "signing keys (PASSPORT_SIGNING_KEY_DIR) and SECRET_KEY: back them "
                        "up separately",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        def add(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            archive.writestr(info, data)

        add("manifest.json", json.dumps(manifest, indent=2, sort_keys=True).encode())
        for name, data in sorted(files.items()):
            add(f"tables/{name}.jsonl", data)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(buffer.getvalue())
    tmp.chmod(0o600)
    tmp.replace(out)  # a crash never leaves a half-written backup under the real name
    return Summary(len(files), sum(d.count(b"\n") for d in files.values()), _digest(files))


def read(path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The manifest and table files of a backup, checked against the manifest's hashes."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            if manifest.get("format") != FORMAT:
                raise BackupError(f"{path} is not a backup of this application.")
            files = {}
            for name, meta in manifest["tables"].items():
                data = archive.read(f"tables/{name}.jsonl")
                if hashlib.sha256(data).hexdigest() != meta["sha256"]:
                    raise BackupError(f"The table {name} in {path} is damaged (hash differs).")
                files[name] = data
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise BackupError(f"{path} is not a readable backup ({type(exc).__name__}).") from None
    return manifest, files


def has_data(engine: Engine) -> bool:
    if migrate.current_revision(engine) is None:
        return False
    existing = set(Base.metadata.tables)
    with engine.connect() as conn:
        present = {
            name for (name,) in conn.execute(text(
                "SELECT name FROM sqlite_master WHERE type='table'"
                if engine.dialect.name == "sqlite"
                else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            ))
        }
        return any(
            conn.scalar(select(func.count()).select_from(Base.metadata.tables[name]))
            for name in existing & present
        )


def restore(engine: Engine, path: Path, *, force: bool = False) -> Summary:
    manifest, files = read(path)
    head = migrate.head_revision()
    if manifest["schema_revision"] != head:
        raise BackupError(
            f"The backup was made at schema version {manifest['schema_revision']}, this "
            f"application is at {head}. Restore it with the matching version of the "
            "application, then upgrade with init-db."
        )
    unknown = set(files) - set(Base.metadata.tables)
    if unknown:
        raise BackupError(f"The backup has tables this application does not know: {unknown}")
    if has_data(engine):
        if not force:
            raise BackupError(
                "The database already holds data. Restore into an empty database, or give "
                "--force to replace everything in it."
            )
        _drop_everything(engine)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:  # parents before children
            lines = files.get(table.name, b"").splitlines()
            types = {c.name: c.type for c in table.columns}
            # A row may point at a later row of its own table (a corrected training record
            # at its correction): insert those columns empty, fill them in afterwards.
            later = [c.name for c in table.columns
                     if any(fk.column.table is table for fk in c.foreign_keys)]
            links = []
            for start in range(0, len(lines), BATCH):
                rows = []
                for line in lines[start:start + BATCH]:
                    record = json.loads(line)
                    row = {k: _decode(types[k], v) for k, v in record.items()}
                    if later and any(row.get(name) is not None for name in later):
                        links.append({**{n: row[n] for n in later}, "_pk": row["id"]})
                        row.update(dict.fromkeys(later))
                    rows.append(row)
                conn.execute(table.insert(), rows)
            if links:
                conn.execute(
                    table.update().where(table.c.id == bindparam("_pk")),
                    links,
                )
        if engine.dialect.name == "postgresql":
            _reset_sequences(conn)
    return Summary(len(files), sum(d.count(b"\n") for d in files.values()), _digest(files))


def _drop_everything(engine: Engine) -> None:
    """For --force: drop every table (children first) so the schema can be built anew. Not
    through the migrations' downgrades, which need not work on a database full of data."""
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP FUNCTION IF EXISTS audit_entries_append_only() CASCADE"))


def _reset_sequences(conn: Connection) -> None:
    """New rows after a restore continue after the restored ids."""
    for table in Base.metadata.sorted_tables:
        if "id" not in table.c or not table.c.id.autoincrement:
            continue
        sequence = conn.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"),
                               {"t": table.name})
        if sequence:
            conn.execute(
                text(f'SELECT setval(:s, COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, '  # noqa: S608
                     "false)"),
                {"s": sequence},
            )
