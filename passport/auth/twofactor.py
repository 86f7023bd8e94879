"""Second factor: time-based one-time passwords (TOTP, RFC 6238) and one-time recovery codes.

Coordinators and administrators must use it (they are sent to enrolment at their next login);
evaluators may. The secret is stored encrypted (Fernet, with a key derived from SECRET_KEY: a
new SECRET_KEY means everyone enrols again), never logged and never put in a URL. The QR code
for the authenticator app names the site and the account number, not the person.

Recovery codes: ten, shown once, kept as SHA-256 hashes, each usable once.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import secrets
import time
from urllib.parse import urlsplit

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import or_, update

from passport import audit
from passport.auth.models import RecoveryCode, User
from passport.db import session, utcnow

RECOVERY_CODES = 10
ISSUER = "Qualifications Passport"
# The demo accounts' shared key (documented in the README): demo data only, refused elsewhere.
DEMO_SECRET = "DEMOPASSPORTTOTPKEYFORTESTSONLY2"  # noqa: S105  (public demo key)
DEMO_ACCOUNTS = ("admin@example.org", "coordinator@example.org", "coordinator2@example.org")


def _fernet() -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"passport-totp", info=b"totp secret"
    ).derive(current_app.config["SECRET_KEY"].encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def secret_of(user: User) -> str | None:
    """The user's TOTP secret (enrolled or being enrolled), or None."""
    if not user.totp_secret:
        return None
    try:
        return _fernet().decrypt(user.totp_secret.encode()).decode()
    except InvalidToken:  # SECRET_KEY changed: the user has to enrol again
        return None


def start_enrolment(user: User) -> str:
    """A new secret, kept (not yet enabled) until the user proves their app has it. Reloading
    the page keeps the same secret, so a code scanned a moment ago still works."""
    secret = None if user.has_totp else secret_of(user)
    if secret is None:
        secret = pyotp.random_base32()
        user.totp_secret = _encrypt(secret)
        user.totp_enabled_at = None
        session.commit()
    return secret


def grouped(secret: str) -> str:
    """The key in groups of four, for typing it in by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(user: User, secret: str) -> str:
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    return pyotp.TOTP(secret).provisioning_uri(name=f"{host} #{user.id}", issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """An SVG QR code as a data: URI (the CSP allows data: images; no inline script or style)."""
    return segno.make(uri, error="l").svg_data_uri(scale=6, border=2)


class Verdict(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    # Right, but that code (or a later one) was accepted already: wait for the next one.
    USED = "used"


def _matching_step(secret: str | None, code: str) -> int | None:
    """The time step whose code `code` is (one step of clock drift either way), or None."""
    code = "".join(ch for ch in code if ch.isdigit())
    if not secret or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(time.time())
    for step in (now, now - 1, now + 1):
        if hmac.compare_digest(code, totp.generate_otp(step)):
            return step
    return None


def _use_step(user: User, step: int) -> bool:
    """Record `step` as the user's last accepted one, unless it (or a later one) already is.
    One UPDATE with the condition in it, so that two logins racing with the same code cannot
    both win."""
    claimed = session.execute(
        update(User)
        .where(User.id == user.id,
               or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if claimed:
        session.expire(user, ["totp_last_step"])
    return claimed


def confirm_enrolment(user: User, code: str) -> list[str] | None:
    """Enable the second factor if `code` matches the pending secret; return the new recovery
    codes (to show once), or None if the code is wrong."""
    if user.has_totp:
        return None
    step = _matching_step(secret_of(user), code)
    if step is None or not _use_step(user, step):
        return None
    user.totp_enabled_at = utcnow()
    codes = _replace_recovery_codes(user)
    audit.record(user, "user.two_factor_enabled", user)
    session.commit()
    return codes


def disable(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.recovery_codes = []
    audit.record(user, "user.two_factor_disabled", user)
    session.commit()


def _hash(code: str) -> str:
    return hashlib.sha256(_normal(code).encode()).hexdigest()


def _normal(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _replace_recovery_codes(user: User) -> list[str]:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = [
        "".join(secrets.choice(alphabet) for _ in range(5)) + "-"
        + "".join(secrets.choice(alphabet) for _ in range(5))
        for _ in range(RECOVERY_CODES)
    ]
    user.recovery_codes = [RecoveryCode(code_hash=_hash(c)) for c in codes]
    return codes


def new_recovery_codes(user: User) -> list[str]:
    codes = _replace_recovery_codes(user)
    audit.record(user, "user.recovery_codes_replaced", user)
    session.commit()
    return codes


def unused_recovery_codes(user: User) -> int:
    return sum(1 for c in user.recovery_codes if c.used_at is None)


def verify(user: User, code: str) -> Verdict:
    """A login's second step: the app's current code (once) or an unused recovery code (used
    up)."""
    if not user.has_totp:
        return Verdict.WRONG
    step = _matching_step(secret_of(user), code)
    if step is not None:
        if _use_step(user, step):
            session.commit()
            return Verdict.ACCEPTED
        return Verdict.USED
    wanted = _hash(code)
    for row in user.recovery_codes:
        if row.used_at is None and hmac.compare_digest(row.code_hash, wanted):
            row.used_at = utcnow()
            audit.record(user, "user.recovery_code_used", user)
            session.commit()
            return Verdict.ACCEPTED
    return Verdict.WRONG


def enrol_demo(user: User) -> None:
    """Give a demo coordinator or administrator the documented demo key (demo data only)."""
    if user.email not in DEMO_ACCOUNTS:
        raise ValueError("only demo accounts get the demo key")
    user.totp_secret = _encrypt(DEMO_SECRET)
    user.totp_enabled_at = utcnow()
    session.commit()


def demo_code(user: User) -> str | None:
    """The current code of a demo account that still has the demo key, else None."""
    if user.email not in DEMO_ACCOUNTS or secret_of(user) != DEMO_SECRET:
        return None
    return pyotp.TOTP(DEMO_SECRET).now()
