"""Staff accounts and their roles."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from passport.org.models import Centre, Scheme


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    COORDINATOR = "coordinator"
    EVALUATOR = "evaluator"


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Bumped on password change so that every other session of the user ends.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Second factor (passport/auth/twofactor.py): the TOTP secret, encrypted with a key derived
    # from SECRET_KEY; set but not yet enabled while the user is enrolling.
    totp_secret: Mapped[str | None] = mapped_column(String(300))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The 30-second time step of the last code accepted: a code (or an older one) is accepted
    # once only, so a code read over someone's shoulder cannot be used again (RFC 6238 §5.2).
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # Login lockout: consecutive failures, and how often the account was locked in a row (each
    # lock lasts twice as long as the one before).
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    lockouts: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    centre: Mapped[Centre | None] = relationship(lazy="joined")
    coordinated_schemes: Mapped[list[Scheme]] = relationship(
        secondary="scheme_coordinators", lazy="selectin", back_populates="coordinators"
    )

    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        cascade="all, delete-orphan", lazy="select", order_by="RecoveryCode.id"
    )

    @property
    def roles(self) -> set[Role]:
        return {Role(r.role) for r in self.role_rows}

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def has_totp(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def needs_totp(self) -> bool:
        """Coordinators and administrators must use a second factor; evaluators may."""
        return bool(self.roles & {Role.COORDINATOR, Role.ADMINISTRATOR})

    def get_id(self) -> str:
        # The session version makes an old session cookie invalid after a password change.
        return f"{self.id}:{self.session_version}"


class RecoveryCode(Base):
    """One-time codes that stand in for the authenticator app; only their SHA-256 is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
