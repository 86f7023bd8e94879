"""The outbox: every message the system sends is stored, whether or not a mail server took it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from passport.audit import JSONType
from passport.db import Base, UTCDateTime, utcnow


class MessageStatus(StrEnum):
    KEPT = "kept"  # no mail server configured, or no email address: shown in the outbox only
    SENT = "sent"  # the mail server accepted it
    FAILED = "failed"  # the mail server refused it or could not be reached; can be retried


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The case the message is about, so that only that case's coordinators see it.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # Parts of the body (a personal link, a one-time code) to cut from the stored copy once a
    # mail server has accepted the message; emptied then, and `redacted` set.
    secrets: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    redacted: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default=MessageStatus.KEPT)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attachments: Mapped[list[OutboxAttachment]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="OutboxAttachment.id"
    )

    @property
    def has_email_address(self) -> bool:
        return "@" in self.to


class OutboxAttachment(Base):
    __tablename__ = "outbox_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(default=0)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
