"""Issued passports: an immutable snapshot of the approved assessment plus its life."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport.audit import JSONType
from passport.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from passport.auth.models import User
    from passport.org.models import Scheme


class PassportStatus(StrEnum):
    VALID = "valid"
    SUPERSEDED = "superseded"
    REVOKED = "revoked"
    EXPIRED = "expired"  # set by `flask expire-passports`; the date alone already counts


class Passport(Base):
    __tablename__ = "passports"
    __table_args__ = (Index("ix_passports_status_valid_until", "status", "valid_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    # Opaque identifier for the verification URL and QR code: no personal data, unguessable.
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id"))
    status: Mapped[str] = mapped_column(String(12), default=PassportStatus.VALID)
    issued_on: Mapped[date]
    valid_until: Mapped[date]
    # What the passport says, frozen at approval: later edits to the case never change it.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType)
    pdf_sha256: Mapped[str] = mapped_column(String(64), default="")
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("passports.id"))
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Why it was reissued (a correction, a new assessment); empty for a first passport.
    reissue_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The language printed beside English, chosen at issue (see services.second_language).
    second_language: Mapped[str] = mapped_column(String(10), default="en")
    # Ed25519 signature (base64url) over the canonical snapshot, and the key that made it.
    signing_key_id: Mapped[str] = mapped_column(String(40), default="")
    signature: Mapped[str] = mapped_column(String(200), default="")

    scheme: Mapped[Scheme] = relationship(lazy="joined")
    approved_by: Mapped[User] = relationship(foreign_keys=[approved_by_id], lazy="joined")

    def effective_status(self, today: date) -> str:
        if self.status == PassportStatus.VALID and today > self.valid_until:
            return "expired"
        return self.status


class PassportCounter(Base):
    """Next serial number per scheme and year; updated atomically when a passport is issued."""

    __tablename__ = "passport_counters"

    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class PassportFile(Base):
    """Every PDF file this system produced for a passport, by SHA-256: the file issued and any
    re-rendering (after a layout change), so a verifier's upload of any of them is recognised."""

    __tablename__ = "passport_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    passport_id: Mapped[int] = mapped_column(ForeignKey("passports.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SigningKey(Base):
    """Public half of every passport signing key ever used. The private half lives outside the
    database and the repository (PASSPORT_SIGNING_KEY_DIR); retired keys stay here so that
    passports signed with them remain verifiable."""

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(String(40), unique=True)
    algorithm: Mapped[str] = mapped_column(String(20), default="Ed25519")
    public_key: Mapped[str] = mapped_column(String(100))  # raw 32 bytes, base64url
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
