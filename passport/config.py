"""Settings read from PASSPORT_* environment variables, with safe defaults under instance/.

A setting that is unknown or cannot be used stops start-up with one line that says what to fix,
because a typo in a deployment variable must never silently fall back to a default.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PREFIX = "PASSPORT_"


class ConfigError(SystemExit):
    """A setting is wrong. Subclasses SystemExit so that `flask` and gunicorn print the one-line
    message and stop, instead of a traceback that hides the cause."""

    def __init__(self, message: str) -> None:
        super().__init__(f"Configuration error: {message}")
        self.message = message


@dataclass(frozen=True)
class Setting:
    name: str
    help: str


KNOWN_SETTINGS = {
    s.name: s
    for s in [
        Setting("DATABASE_URL", "SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db"),
        Setting("SECRET_KEY", "at least 32 random characters"),
        Setting("BASE_URL", "public address used in links and QR codes, e.g. https://qp.example"),
        Setting("COOKIE_SECURE", "'true' or 'false'; default: true when BASE_URL is https"),
        Setting("TEST_DATABASE_URL", "database the test suite runs on (tests only)"),
        Setting("SESSION_HOURS", "hours a staff login stays valid (1-72)"),
        Setting("LOG_LEVEL", "DEBUG, INFO, WARNING or ERROR"),
        Setting("TRAINING_EVIDENCE_MAX_KB", "largest training certificate upload in KB "
                "(100-20000, default 5120)"),
        Setting("SIGNING_KEY_DIR", "folder of the passport signing keys; default instance/"
                "signing-keys (keep it out of the repository and back it up)"),
        Setting("RATELIMIT_STORAGE_URI", "Flask-Limiter storage, e.g. redis://host:6379; "
                "default memory:// (per process)"),
        Setting("VERIFY_RATE_LIMIT", "requests per client to the public verification pages, "
                "e.g. '30 per minute;300 per hour'"),
        Setting("CANDIDATE_LINK_DAYS", "days a candidate's personal link stays valid (1-365)"),
        Setting("APPEAL_DAYS", "days a candidate may ask for a review of the outcome (1-365, "
                "default 21)"),
        Setting("SMTP_HOST", "mail server; unset: messages are only kept in the outbox page"),
        Setting("SMTP_PORT", "mail server port (default 587 with STARTTLS; 465 for TLS)"),
        Setting("SMTP_USER", "user name for the mail server, if it needs one"),
        Setting("SMTP_PASSWORD", "password for the mail server"),
        Setting("SMTP_FROM", "sender address, e.g. Qualifications Passport <noreply@qp.example>"),
    ]
}


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{PREFIX}{name}={raw!r} is not a boolean; use true or false")


def _int(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name}={raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise ConfigError(f"{PREFIX}{name}={value} is out of range; use {low} to {high}")
    return value


def normalise_database_url(url: str) -> str:
    """Accept the usual `postgresql://` spelling and use psycopg 3 for it."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"{PREFIX}DATABASE_URL is not a database URL; "
            "use sqlite:///path/to/file.db or postgresql+psycopg://user@host/db"
        ) from None
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername not in {"sqlite", "postgresql+psycopg"}:
        raise ConfigError(
            f"{PREFIX}DATABASE_URL uses {parsed.drivername!r}; "
            "supported are sqlite and postgresql+psycopg"
        )
    return parsed.render_as_string(hide_password=False)


def _secret_key(instance_path: Path, raw: str | None) -> str:
    if raw is not None:
        if len(raw) < 32:
            raise ConfigError(f"{PREFIX}SECRET_KEY is too short; use at least 32 random characters")
        return raw
    # Generated once and kept in instance/ (git-ignored) so sessions survive restarts.
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def load_settings(instance_path: Path, environ: dict[str, str] | None = None) -> dict:
    """Return Flask config entries built from the environment."""
    env = dict(os.environ if environ is None else environ)
    given = {k[len(PREFIX):]: v for k, v in env.items() if k.startswith(PREFIX)}
    unknown = sorted(set(given) - set(KNOWN_SETTINGS))
    if unknown:
        raise ConfigError(
            f"unknown setting {PREFIX}{unknown[0]}; known settings are "
            + ", ".join(PREFIX + n for n in KNOWN_SETTINGS)
        )

    instance_path.mkdir(parents=True, exist_ok=True)
    database_url = normalise_database_url(
        given.get("DATABASE_URL") or f"sqlite:///{instance_path / 'passport.db'}"
    )

    base_url = given.get("BASE_URL", "http://localhost:5000").rstrip("/")
    parts = urlsplit(base_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigError(
            f"{PREFIX}BASE_URL={base_url!r} must be an http(s) address like https://qp.example"
        )

    secure = (
        _bool("COOKIE_SECURE", given["COOKIE_SECURE"])
        if "COOKIE_SECURE" in given
        else parts.scheme == "https"
    )
    session_hours = _int("SESSION_HOURS", given.get("SESSION_HOURS", "8"), 1, 72)
    log_level = given.get("LOG_LEVEL", "INFO").upper()
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError(f"{PREFIX}LOG_LEVEL={log_level!r}; use DEBUG, INFO, WARNING or ERROR")

    evidence_kb = _int(
        "TRAINING_EVIDENCE_MAX_KB", given.get("TRAINING_EVIDENCE_MAX_KB", "5120"), 100, 20000
    )
    signing_key_dir = Path(given.get("SIGNING_KEY_DIR") or instance_path / "signing-keys")
    if signing_key_dir.exists() and not signing_key_dir.is_dir():
        raise ConfigError(f"{PREFIX}SIGNING_KEY_DIR={str(signing_key_dir)!r} is not a folder")
    verify_limit = given.get("VERIFY_RATE_LIMIT", "30 per minute;300 per hour")
    try:
        from limits import parse_many

        parse_many(verify_limit)
    except ValueError:
        raise ConfigError(
            f"{PREFIX}VERIFY_RATE_LIMIT={verify_limit!r} is not a rate; "
            "use e.g. '30 per minute;300 per hour'"
        ) from None
    smtp_host = given.get("SMTP_HOST", "").strip()
    smtp_port = _int("SMTP_PORT", given.get("SMTP_PORT", "587"), 1, 65535)
    smtp_from = given.get("SMTP_FROM", "").strip() or f"noreply@{parts.hostname}"
    if smtp_host and "@" not in smtp_from:
        raise ConfigError(f"{PREFIX}SMTP_FROM={smtp_from!r} is not an email address")

    return {
        "SIGNING_KEY_DIR": signing_key_dir,
        "RATELIMIT_STORAGE_URI": given.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "VERIFY_RATE_LIMIT": verify_limit,
        "SECRET_KEY": _secret_key(instance_path, given.get("SECRET_KEY")),
        "DATABASE_URL": database_url,
        "BASE_URL": base_url,
        "SESSION_COOKIE_SECURE": secure,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": session_hours * 3600,
        "LOG_LEVEL": log_level,
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "TRAINING_EVIDENCE_MAX_BYTES": evidence_kb * 1024,
        "APPEAL_DAYS": _int("APPEAL_DAYS", given.get("APPEAL_DAYS", "21"), 1, 365),
        "CANDIDATE_LINK_DAYS": _int(
            "CANDIDATE_LINK_DAYS", given.get("CANDIDATE_LINK_DAYS", "30"), 1, 365
        ),
        "SMTP_HOST": smtp_host,
        "SMTP_PORT": smtp_port,
        "SMTP_USER": given.get("SMTP_USER", ""),
        "SMTP_PASSWORD": given.get("SMTP_PASSWORD", ""),
        "SMTP_FROM": smtp_from,
    }
