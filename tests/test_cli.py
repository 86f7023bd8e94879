"""The `flask --app passport ...` commands."""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import func, select

from passport import migrate
from passport.audit import AuditEntry
from passport.auth.models import Role, User
from passport.auth.services import find_user
from passport.cases.models import Candidate, Case
from passport.db import session
from passport.org.models import Centre, Scheme
from passport.passports.models import Passport
from passport.passports.numbering import is_valid_number

STRONG = "violet-otter-harbour-1917"


def count(model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def create_user(runner, email="new@test.org", *extra, input=None):  # noqa: A002
    return runner.invoke(
        args=["create-user", email, "--name", "Nora Newcomer", "--role", "evaluator", *extra],
        input=input,
    )


def test_init_db_twice_leaves_the_schema_at_head(app, runner):
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        assert f"schema version {migrate.head_revision()}" in result.output
    assert migrate.current_revision(app.extensions["passport.engine"]) == migrate.head_revision()


def test_create_user_refuses_a_weak_password_and_creates_nothing(runner, world):
    users = count(User)
    for weak, reason in (("short", "at least 10 characters"),
                         ("password123", "too easy to guess"),
                         ("nora.newcomer", "too easy to guess")):
        result = create_user(runner, "new@test.org", "--password", weak)
        assert result.exit_code != 0
        assert reason in result.output, result.output
        assert "Traceback" not in result.output
    assert count(User) == users
    assert find_user("new@test.org") is None


def test_create_user_with_a_strong_password(runner, world):
    result = create_user(runner, "New@Test.org", "--password", STRONG, "--centre", "NOKUT")
    assert result.exit_code == 0, result.output
    assert "Created new@test.org" in result.output
    user = find_user("new@test.org")
    assert user is not None
    assert user.roles == {Role.EVALUATOR}
    assert user.centre.name == "NOKUT"
    assert STRONG not in user.password_hash
    # and the new account can log in
    from passport.auth.services import authenticate

    assert authenticate("new@test.org", STRONG).id == user.id


def test_create_user_asks_for_the_password_twice(runner, world):
    result = create_user(runner, input=f"{STRONG}\n{STRONG}\n")
    assert result.exit_code == 0, result.output
    assert "Password" in result.output
    assert STRONG not in result.output  # hidden while typed
    assert find_user("new@test.org") is not None


def test_create_user_refuses_a_weak_prompted_password(runner, world):
    result = create_user(runner, input="pw\npw\n")
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert find_user("new@test.org") is None


def test_create_user_refuses_a_mistyped_confirmation(runner, world):
    result = create_user(runner, input=f"{STRONG}\n{STRONG}x\n\n")
    assert result.exit_code != 0
    assert find_user("new@test.org") is None


def test_create_user_refuses_a_duplicate_email(runner, world):
    users = count(User)
    result = create_user(runner, "COORD@test.org", "--password", STRONG)
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert count(User) == users


def test_create_user_refuses_an_unknown_centre(runner, world):
    result = create_user(runner, "new@test.org", "--password", STRONG, "--centre", "Nowhere")
    assert result.exit_code != 0
    assert "No centre is called 'Nowhere'" in result.output
    assert find_user("new@test.org") is None


def demo_counts() -> dict[str, int]:
    return {model.__name__: count(model)
            for model in (User, Centre, Scheme, Candidate, Case, Passport, AuditEntry)}


def test_demo_data_is_idempotent_and_prints_the_logins(runner):
    first = runner.invoke(args=["demo-data"])
    assert first.exit_code == 0, first.output
    counts = demo_counts()
    second = runner.invoke(args=["demo-data"])
    assert second.exit_code == 0, second.output
    assert demo_counts() == counts
    for result in (first, second):
        assert "/login" in result.output
        for email in ("admin@example.org", "coordinator@example.org", "evaluator@example.org"):
            assert email in result.output
        assert "demo-passport-2026" in result.output


def test_demo_data_has_cases_at_several_steps_and_passports_in_every_state(runner):
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    assert count(Scheme) == 2
    centres = session.scalars(select(Centre.country)).all()
    assert len(set(centres)) == 3
    statuses = set(session.scalars(select(Case.status)))
    assert {"draft", "eligible", "interview_scheduled", "interviewed", "assessment_submitted",
            "returned", "passport_issued"} <= statuses
    passports = session.scalars(select(Passport)).all()
    assert all(is_valid_number(p.number) for p in passports)
    # Review demo (passport/review/demo.py): every state of a passport's life.
    assert {p.status for p in passports} == {"valid", "superseded", "revoked", "expired"}
    assert "closed" in statuses
    # Demo passports are dated in the past: the printed, signed and stored dates agree, and
    # each one's PDF is the file that verifies.
    from passport.passports import signing
    from passport.passports.services import render_pdf

    backdated = [p for p in passports if p.issued_on < date.today()]
    assert backdated
    for passport in passports:
        assert passport.snapshot["issued_on"] == passport.issued_on.isoformat()
        assert passport.snapshot["valid_until"] == passport.valid_until.isoformat()
        assert signing.verify(passport.snapshot, passport.signing_key_id, passport.signature)
        assert hashlib.sha256(render_pdf(passport)).hexdigest() == passport.pdf_sha256
    coordinator = find_user("coordinator@example.org")
    assert coordinator.has_role(Role.COORDINATOR)
