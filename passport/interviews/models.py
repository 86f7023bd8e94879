"""Interviews and the evaluators' assessment of a case."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from passport.auth.models import User


class InterviewMode(StrEnum):
    VIDEO = "video"
    PHONE = "phone"
    ON_SITE = "on_site"


class InterviewStatus(StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    NOT_HELD = "not_held"
    CANCELLED = "cancelled"


class Interview(Base):
    __tablename__ = "interviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(default=60)
    mode: Mapped[str] = mapped_column(String(10), default=InterviewMode.VIDEO)
    video_link: Mapped[str] = mapped_column(String(500), default="")
    language: Mapped[str] = mapped_column(String(10), default="en")
    interpreter: Mapped[str] = mapped_column(String(200), default="")
    accommodations: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=InterviewStatus.SCHEDULED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The calendar event: one UID for the life of the interview, SEQUENCE bumped on every
    # update sent (reschedule, cancel), as RFC 5545 wants.
    uid: Mapped[str | None] = mapped_column(String(120), unique=True)
    sequence: Mapped[int] = mapped_column(default=0)
    # The zone the coordinator entered the start time in (invitations name it).
    entered_timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    scheduled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Not held: why (candidate_absent, technical_failure, other) and what happened.
    outcome: Mapped[str] = mapped_column(String(30), default="")
    outcome_reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


class NotHeldReason(StrEnum):
    CANDIDATE_ABSENT = "candidate_absent"
    TECHNICAL_FAILURE = "technical_failure"
    OTHER = "other"


class ParticipantRole(StrEnum):
    LEAD = "lead"
    OBSERVER = "observer"


class InterviewParticipant(Base):
    """Who took part in an interview and how: the two leading evaluators and any observers.
    Certification counts held interviews from these rows (passport/training/certification.py)."""

    __tablename__ = "interview_participants"
    __table_args__ = (UniqueConstraint("interview_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(10), default=ParticipantRole.LEAD)


class QualificationLevel(StrEnum):
    UPPER_SECONDARY = "upper_secondary"
    SHORT_CYCLE = "short_cycle"
    BACHELOR = "bachelor"
    MASTER = "master"
    DOCTORATE = "doctorate"
    VOCATIONAL = "vocational"
    OTHER = "other"


class Assessment(Base):
    """The evaluators' written assessment of a case, one per review round."""

    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("case_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(default=1)
    level: Mapped[str] = mapped_column(String(20), default=QualificationLevel.BACHELOR)
    qualification_title: Mapped[str] = mapped_column(String(300), default="")
    field_of_study: Mapped[str] = mapped_column(String(200), default="")
    institution: Mapped[str] = mapped_column(String(300), default="")
    completed: Mapped[bool] = mapped_column(default=True)
    years_completed: Mapped[int | None]
    summary: Mapped[str] = mapped_column(Text, default="")
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])


class EvaluatorConclusion(Base):
    """One evaluator's own conclusion for a review round, written independently of the other's.
    Where the two differ, the coordinator decides as the third assessor."""

    __tablename__ = "evaluator_conclusions"
    __table_args__ = (UniqueConstraint("assessment_id", "evaluator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    level: Mapped[str] = mapped_column(String(20), default=QualificationLevel.BACHELOR)
    completed: Mapped[bool] = mapped_column(default=True)
    years_completed: Mapped[int | None]
    conclusion: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    evaluator: Mapped[User] = relationship(lazy="joined")


class WorkspaceField(Base):
    """One field of the live interview form, saved on its own so that two evaluators typing at
    once merge: each save names the version it started from, and a save from an older version
    than the stored one is a conflict, never an overwrite. Private notes are fields named
    `private.<user id>`, read and written only by their owner."""

    __tablename__ = "workspace_fields"
    __table_args__ = (UniqueConstraint("interview_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    updated_by: Mapped[User | None] = relationship(lazy="joined")
