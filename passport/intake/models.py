"""The candidate's side of a case: personal links, consent, the questionnaire and evidence."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from passport.audit import JSONType
from passport.db import Base, UTCDateTime, utcnow


class CandidateLink(Base):
    """A personal link. Only the SHA-256 of its token is stored: the token itself exists in the
    message that carries it and in the candidate's hands, nowhere else."""

    __tablename__ = "candidate_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Wrong one-time codes or dates of birth in a row; the link locks for a while after several.
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The current one-time code (HMAC of it, never the code) and when it stops working.
    code_hmac: Mapped[str] = mapped_column(String(64), default="")
    code_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until


class Consent(Base):
    """Consent as given: when, to which version of the text, in which language. Withdrawal is
    written on the same row; consent given again later is a new row."""

    __tablename__ = "consents"
    __table_args__ = (Index("ix_consents_case_given", "case_id", "given_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    text_version: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(10))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Questionnaire(Base):
    """The candidate's answers as one JSON document: a draft saved as they type, then submitted
    once and read-only."""

    __tablename__ = "questionnaires"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    language: Mapped[str] = mapped_column(String(10), default="en")
    saves: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EvidenceKind(StrEnum):
    DIPLOMA = "diploma"
    TRANSCRIPT = "transcript"
    CERTIFICATE = "certificate"
    PARTIAL = "partial"  # student card, photo of a certificate, letter, ...
    EMPLOYMENT = "employment"
    LANGUAGE = "language"
    OTHER = "other"


class Evidence(Base):
    """An uploaded document, stored in the database so that every app server can read it."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    # The name on the candidate's device, shown to staff; downloads use a neutral name.
    original_name: Mapped[str] = mapped_column(String(200), default="")
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def extension(self) -> str:
        return CONTENT_TYPE_EXTENSIONS.get(self.content_type, "bin")

    @property
    def download_name(self) -> str:
        return f"evidence-{self.id}-{self.kind}.{self.extension}"


CONTENT_TYPE_EXTENSIONS = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/heic": "heic",
}

