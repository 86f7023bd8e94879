"""The coordinator's decisions on submitted assessments, and the candidates' appeals."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from passport.auth.models import User


class Decision(StrEnum):
    APPROVED = "approved"
    RETURNED = "returned"
    CLOSED = "closed"


class CloseReason(StrEnum):
    """Why a case ends without a passport: the candidate reads the label in their language,
    beside the coordinator's own words."""

    NOT_ENOUGH_EVIDENCE = "not_enough_evidence"
    NOT_COMPLETED = "not_completed"
    OUT_OF_SCOPE = "out_of_scope"
    WITHDRAWN = "withdrawn"
    OTHER = "other"


class ReviewDecision(Base):
    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    decision: Mapped[str] = mapped_column(String(12))
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The review round the decision closed (1 = first submission, +1 after every return).
    round: Mapped[int] = mapped_column(default=1)
    # Closing without a passport: one of CloseReason (the candidate sees it translated).
    reason_code: Mapped[str] = mapped_column(String(30), default="")
    # The coordinator's written decision where the two evaluators disagreed.
    disagreement_decision: Mapped[str] = mapped_column(Text, default="")

    decided_by: Mapped[User] = relationship(lazy="joined")


class AppealOutcome(StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"  # the decision stands
    GRANTED = "granted"  # the case goes back to the evaluators for a new assessment


class Appeal(Base):
    """A candidate's request for a review of the outcome, decided by a coordinator other than
    the one who made the decision."""

    __tablename__ = "appeals"
    # The review queue lists the open ones, oldest first.
    __table_args__ = (Index("ix_appeals_outcome_submitted", "outcome", "submitted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("review_decisions.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(String(12), default=AppealOutcome.PENDING)
    outcome_text: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    decision: Mapped[ReviewDecision] = relationship(lazy="joined")
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="joined")
