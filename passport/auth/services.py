"""Accounts: password hashing (Argon2), strength rules, creating users, checking a login."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from zxcvbn import zxcvbn

from passport import audit
from passport.auth.models import Role, User, UserRole
from passport.db import session
from passport.errors import RuleViolation
from passport.org.models import Centre, Scheme

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")

MIN_LENGTH = 10


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


def authenticate(email: str, password: str) -> User | None:
    """The user if email and password match an active account, else None (no hint which)."""
    user = find_user(email)
    if user is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.commit()
    return user


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
