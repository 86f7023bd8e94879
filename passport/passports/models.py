"""Issued passports: an immutable snapshot of the approved assessment plus its life."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text
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


class Passport(Base):
    __tablename__ = "passports"

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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    scheme: Mapped[Scheme] = relationship(lazy="joined")
    approved_by: Mapped[User] = relationship(lazy="joined")

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
