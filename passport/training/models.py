"""Courses, the courses each scheme requires, evaluators' training records and profiles.

A training record is never edited in place: a correction adds a new version that supersedes
the old one (`superseded_by_id`), and all versions of one record share `root_id`, so the
history shows what was recorded first and what it was corrected to, by whom and why.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from passport.auth.models import User
    from passport.org.models import Scheme


class CourseKind(StrEnum):
    METHODOLOGY = "methodology"
    COUNTRY_MODULE = "country_module"
    DATA_PROTECTION = "data_protection"
    REFRESHER = "refresher"


class LanguageLevel(StrEnum):
    """CEFR levels, plus mother tongue."""

    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"
    NATIVE = "native"


LEVEL_ORDER = list(LanguageLevel)


class Course(Base):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Short code used in CSV files, e.g. "METH" or "SY-EDU".
    code: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20))
    # Country modules: the country whose education system the course teaches.
    country: Mapped[str | None] = mapped_column(String(2))
    # Refreshers: the course whose validity a completed refresher renews.
    renews_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"))
    # Months a completion stays valid; None: it never expires.
    validity_months: Mapped[int | None]
    # Assessed courses have a maximum score and a pass mark; others are passed by completing.
    max_score: Mapped[int | None]
    pass_mark: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    renews: Mapped[Course | None] = relationship(remote_side=[id], lazy="joined", join_depth=1)

    @property
    def assessed(self) -> bool:
        return self.max_score is not None


class SchemeCourse(Base):
    """A course that a scheme requires for certification (or only recommends)."""

    __tablename__ = "scheme_courses"

    scheme_id: Mapped[int] = mapped_column(
        ForeignKey("schemes.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    required: Mapped[bool] = mapped_column(default=True)

    scheme: Mapped[Scheme] = relationship(lazy="joined")
    course: Mapped[Course] = relationship(lazy="joined")


class TrainingEvidence(Base):
    """A certificate file (PDF, PNG or JPEG), kept in the database so that app servers share
    no local disk. The bytes load only when asked for."""

    __tablename__ = "training_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    content_type: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200), default="")
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TrainingRecord(Base):
    __tablename__ = "training_records"
    __table_args__ = (
        Index("ix_training_records_user_current", "user_id", "superseded_by_id"),
        Index("ix_training_records_course_current", "course_id", "superseded_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The first version of this record; every correction of it has the same root.
    root_id: Mapped[int | None] = mapped_column(ForeignKey("training_records.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    # Set when a correction replaced this version; the current version has None here.
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("training_records.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    completed_on: Mapped[date] = mapped_column(Date)
    score: Mapped[int | None]
    passed: Mapped[bool] = mapped_column(default=True)
    provider: Mapped[str] = mapped_column(String(200), default="")
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("training_evidence.id"))
    # A correction may withdraw a record that was entered by mistake; it then counts for nothing.
    withdrawn: Mapped[bool] = mapped_column(default=False)
    # Why this version was recorded (required for corrections).
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    course: Mapped[Course] = relationship(lazy="joined")
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id], lazy="joined")
    evidence: Mapped[TrainingEvidence | None] = relationship(lazy="joined")

    @property
    def current(self) -> bool:
        return self.superseded_by_id is None


class EvaluatorLanguage(Base):
    """A language an evaluator speaks, with a CEFR level."""

    __tablename__ = "evaluator_languages"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(12), primary_key=True)
    level: Mapped[str] = mapped_column(String(6))


class EvaluatorCountry(Base):
    """A country whose education system an evaluator knows."""

    __tablename__ = "evaluator_countries"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
