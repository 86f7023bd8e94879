"""The append-only audit trail and the log of who opened which case.

Every service function that changes state calls `record()` in the same transaction as the
change, so the trail cannot miss a committed change nor show one that was rolled back.
Rows are never updated or deleted: the migration installs database triggers that refuse it.
Entries hold identifiers and statuses, not personal data, so erasing a candidate later leaves
the fact of each step without the data.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport.db import Base, UTCDateTime, session, utcnow

if TYPE_CHECKING:
    from passport.auth.models import User

JSONType = JSON().with_variant(JSONB(), "postgresql")


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_case_at", "case_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    reason: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[User | None] = relationship(lazy="joined")


class CaseAccess(Base):
    """One row each time a person opens a case or one of its documents."""

    __tablename__ = "case_access_log"
    __table_args__ = (Index("ix_case_access_log_case_at", "case_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    what: Mapped[str] = mapped_column(String(40))


def _entity_type(entity: Any) -> str:
    return getattr(entity, "__tablename__", type(entity).__name__.lower())


def record(
    actor: User | None,
    action: str,
    entity: Any,
    *,
    case_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits)."""
    if getattr(entity, "id", None) is None:
        session.flush()
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        entity_type=_entity_type(entity),
        entity_id=getattr(entity, "id", None),
        case_id=case_id,
        before=before,
        after=after,
        reason=reason,
    )
    session.add(entry)
    return entry


def log_access(user: User, case_id: int, what: str) -> None:
    session.add(CaseAccess(user_id=user.id, case_id=case_id, what=what))


def case_history(case_id: int) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.id)
        )
    )
