"""Accounts: password hashing (Argon2), strength rules, creating users, checking a login."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from zxcvbn import zxcvbn

from passport import audit
from passport.auth.models import Role, User, UserRole
from passport.db import session, utcnow
from passport.errors import RuleViolation
from passport.org.models import Centre, Scheme

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")

MIN_LENGTH = 10

# Lockout: after LOCK_AFTER consecutive failures (wrong password or wrong second-factor code)
# the account refuses every login for LOCK_MINUTES, twice as long after each further lock in a
# row (at most a day). While locked, even the right password gets the ordinary "not right"
# answer, after the same Argon2 work, so nobody learns whether an account exists or is locked.
LOCK_AFTER = 5
LOCK_MINUTES = 15
LOCK_MAX_MINUTES = 24 * 60


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_problem(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """Return why a password is too weak, or None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return str(_l("Use at least %(n)d characters.", n=MIN_LENGTH))
    # Each word of a name or address too, so "nora.newcomer" counts as the user's own name.
    inputs = [s for s in user_inputs if s]
    inputs += [w for s in inputs for w in re.split(r"[\W_]+", s) if len(w) > 1]
    result = zxcvbn(password[:100], user_inputs=inputs)
    if result["score"] < 3:
        warning = result["feedback"].get("warning") or ""
        suggestion = " ".join(result["feedback"].get("suggestions") or [])
        detail = (warning + " " + suggestion).strip()
        return str(_l("This password is too easy to guess.")) + (f" {detail}" if detail else "")
    return None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    email: str,
    name: str,
    roles: Iterable[Role],
    password: str,
    *,
    centre: Centre | None = None,
    schemes: Iterable[Scheme] = (),
    timezone: str = "UTC",
    actor: User | None = None,
) -> User:
    email = normalise_email(email)
    roles = set(roles)
    if not roles:
        raise RuleViolation(_l("Give the user at least one role."))
    if session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise RuleViolation(_l("A user with this email address already exists."))
    problem = password_problem(password, [email, name, *email.split("@")[0].split(".")])
    if problem:
        raise RuleViolation(problem)
    user = User(
        email=email,
        name=name.strip(),
        password_hash=hash_password(password),
        centre=centre,
        timezone=timezone,
        role_rows=[UserRole(role=str(r)) for r in sorted(roles)],
        coordinated_schemes=list(schemes),
    )
    session.add(user)
    session.flush()
    audit.record(
        actor, "user.created", user, after={"roles": sorted(str(r) for r in roles)}
    )
    session.commit()
    return user


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()


def register_failure(user: User) -> None:
    """Count a failed login step; lock the account after LOCK_AFTER in a row."""
    if is_locked(user):
        return
    user.failed_logins += 1
    if user.failed_logins >= LOCK_AFTER:
        minutes = min(LOCK_MINUTES * 2**user.lockouts, LOCK_MAX_MINUTES)
        user.locked_until = utcnow() + timedelta(minutes=minutes)
        user.lockouts += 1
        user.failed_logins = 0
        audit.record(None, "user.login_locked", user, after={"minutes": minutes})
    session.commit()


def register_success(user: User) -> None:
    if user.failed_logins or user.lockouts or user.locked_until:
        user.failed_logins = 0
        user.lockouts = 0
        user.locked_until = None
        session.commit()


def authenticate(email: str, password: str) -> User | None:
    """The user if email and password match an active, unlocked account, else None (no hint
    which). A wrong password counts towards the account's lockout."""
    user = find_user(email)
    if user is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        register_failure(user)
        return None
    if not user.active or is_locked(user):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.commit()
    return user


def check_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def end_other_sessions(user: User) -> None:
    """Every session of the user ends at its next request (the caller logs this one in again)."""
    user.session_version += 1
    audit.record(user, "user.sessions_ended", user)
    session.commit()


def change_password(user: User, current: str, new: str) -> None:
    try:
        _hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise RuleViolation(_l("The current password is not right.")) from None
    problem = password_problem(new, [user.email, user.name])
    if problem:
        raise RuleViolation(problem)
    user.password_hash = hash_password(new)
    user.session_version += 1
    audit.record(user, "user.password_changed", user)
    session.commit()


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    session.commit()
