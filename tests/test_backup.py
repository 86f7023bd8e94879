"""Backup and restore: a round trip gives the same canonical dump, uploads included, on the
database the suite runs on and across SQLite and PostgreSQL; a restore never overwrites data
by accident and refuses a damaged file."""

from __future__ import annotations

import hashlib
import zipfile

import pytest
from sqlalchemy import func, select, text

from passport import backup, demo, migrate
from passport.db import engine as app_engine
from passport.db import make_engine, session
from passport.intake.models import Evidence
from passport.training.models import TrainingEvidence
from tests.test_migrations import empty_engine  # noqa: F401  (fixture: a new empty database)


@pytest.fixture()
def demo_backup(app, tmp_path):
    demo.load()
    session.commit()
    path = tmp_path / "backup.zip"
    summary = backup.backup(app_engine(), path)
    assert summary.rows > 50
    return path


def uploads(engine) -> dict:
    with engine.connect() as conn:
        evidence = conn.execute(select(Evidence.id, Evidence.data)).all()
        training = conn.execute(select(TrainingEvidence.id, TrainingEvidence.content)).all()
    return {("evidence", i): hashlib.sha256(d).hexdigest() for i, d in evidence} | {
        ("training", i): hashlib.sha256(d).hexdigest() for i, d in training}


def test_a_round_trip_gives_the_same_canonical_dump_with_the_uploads(demo_backup,
                                                                      empty_engine):  # noqa: F811
    before = backup.canonical(app_engine())
    backup.restore(empty_engine, demo_backup)
    assert backup.canonical(empty_engine) == before
    files = uploads(empty_engine)
    assert files == uploads(app_engine())
    assert any(kind == "evidence" for kind, _ in files)  # the candidates' documents are there


def test_a_backup_moves_between_sqlite_and_postgresql(demo_backup, empty_engine,  # noqa: F811
                                                      tmp_path):
    """Restore into SQLite, back that up, restore it into a fresh database of the suite's kind
    (PostgreSQL in CI): every step gives byte-identical table files."""
    sqlite = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    backup.restore(sqlite, demo_backup)
    second = tmp_path / "second.zip"
    backup.backup(sqlite, second)
    sqlite.dispose()
    backup.restore(empty_engine, second)
    third = tmp_path / "third.zip"
    backup.backup(empty_engine, third)
    original, again = zipfile.ZipFile(demo_backup), zipfile.ZipFile(third)
    assert sorted(original.namelist()) == sorted(again.namelist())
    for name in original.namelist():
        assert original.read(name) == again.read(name), name


def test_new_rows_after_a_restore_get_new_ids(demo_backup, empty_engine):  # noqa: F811
    backup.restore(empty_engine, demo_backup)
    with empty_engine.begin() as conn:
        highest = conn.scalar(text("SELECT MAX(id) FROM centres"))
        conn.execute(text("INSERT INTO centres (name, country, created_at) "
                          "VALUES ('New centre', 'SE', CURRENT_TIMESTAMP)"))
        assert conn.scalar(text("SELECT MAX(id) FROM centres")) == highest + 1


def test_restore_refuses_a_database_with_data_unless_forced(app, runner, world, demo_backup):
    # The suite's database now holds the world and the demo data.
    result = runner.invoke(args=["restore", str(demo_backup)])
    assert result.exit_code != 0
    assert "already holds data" in result.output
    result = runner.invoke(args=["restore", "--force", str(demo_backup)])
    assert result.exit_code == 0, result.output
    session.expire_all()
    assert backup.canonical(app_engine()) == dict(backup.read(demo_backup)[1])
    assert "Restored" in result.output


def test_backup_command_says_what_it_wrote(app, runner, world, tmp_path):
    out = tmp_path / "out.zip"
    result = runner.invoke(args=["backup", str(out)])
    assert result.exit_code == 0, result.output
    assert "Backed up" in result.output and "signing keys" in result.output
    manifest, files = backup.read(out)
    assert manifest["schema_revision"] == migrate.head_revision()
    assert manifest["tables"]["users"]["rows"] == session.scalar(
        select(func.count()).select_from(text("users")))


def test_a_damaged_backup_is_refused_and_changes_nothing(demo_backup, empty_engine,  # noqa: F811
                                                         tmp_path):
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(demo_backup) as source, zipfile.ZipFile(damaged, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "tables/users.jsonl":
                data = data.replace(b'"email":"', b'"email":"x', 1)
            target.writestr(name, data)
    with pytest.raises(backup.BackupError, match="damaged"):
        backup.restore(empty_engine, damaged)
    assert migrate.current_revision(empty_engine) is None
    not_a_zip = tmp_path / "nothing.zip"
    not_a_zip.write_bytes(b"not a backup")
    with pytest.raises(backup.BackupError, match="not a readable backup"):
        backup.restore(empty_engine, not_a_zip)
