"""Candidates (the refugees being assessed), their cases and the evaluators assigned to them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, WriteOnlyMapped, deferred, mapped_column, relationship

from passport.cases.workflow import CaseStatus
from passport.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from passport.auth.models import User
    from passport.org.models import Scheme


class ProtectionStatus(StrEnum):
    REFUGEE = "refugee"
    SUBSIDIARY = "subsidiary_protection"
    TEMPORARY = "temporary_protection"
    ASYLUM_SEEKER = "asylum_seeker"
    OTHER = "other"


def case_reference(case_id: int) -> str:
    """How people quote a case: "C-000042"."""
    return f"C-{case_id:06d}"


class Candidate(Base):
    __tablename__ = "candidates"
    __table_args__ = (
        Index("ix_candidates_nationality", "nationality"),
        # Substring search on PostgreSQL (pg_trgm, GIN; migration 0009 falls back to a B-tree
        # where the extension is missing). On SQLite a plain index: prefix search on any word
        # goes through candidate_name_terms instead.
        Index("ix_candidates_search_key", "search_key", postgresql_using="gin",
              postgresql_ops={"search_key": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    given_name: Mapped[str] = mapped_column(String(200))
    family_name: Mapped[str] = mapped_column(String(200))
    # The name as the holder writes it in their own script (Arabic, Tigrinya, ...).
    native_name: Mapped[str] = mapped_column(String(400), default="")
    # Partial dates are common: "1990", "1990-04" or "1990-04-17".
    birth_date: Mapped[str] = mapped_column(String(10))
    nationality: Mapped[str] = mapped_column(String(2))
    country_of_origin: Mapped[str] = mapped_column(String(2))
    host_country: Mapped[str] = mapped_column(String(2))
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    # The language of the messages the system sends (and of their pages until they choose).
    preferred_language: Mapped[str] = mapped_column(String(10), default="en")
    protection_status: Mapped[str] = mapped_column(String(30), default="")
    # Languages the candidate prefers for the interview, as space-separated codes ("ar en").
    preferred_languages: Mapped[str] = mapped_column(String(100), default="")
    # IANA time zone where the candidate lives ("Europe/Oslo"); "" if not known yet.
    timezone: Mapped[str] = mapped_column(String(64), default="")
    # Optional photo (PNG or JPEG), in the database so that every app server can read it.
    photo: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    photo_type: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the retention rule erased the personal data (passport/privacy/retention.py).
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Both names folded for search (passport/cases/search.py keeps it and the terms below up to
    # date on every flush): no diacritics, no case, Arabic/Persian letter variants unified.
    search_key: Mapped[str] = mapped_column(String(700), default="", server_default="")

    name_terms: WriteOnlyMapped[CandidateNameTerm] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def birth_year(self) -> str:
        return self.birth_date[:4]

    @property
    def language_list(self) -> list[str]:
        return self.preferred_languages.split()


# Folded words sort byte-wise on both databases (PostgreSQL: collation "C"), so that a prefix
# search is a range scan of the index whatever the server's locale.
TERM = String(100).with_variant(String(100, collation="C"), "postgresql")


class CandidateNameTerm(Base):
    """One folded word of a candidate's names (Latin and own script): prefix search on any word
    through a B-tree index, on every database."""

    __tablename__ = "candidate_name_terms"
    __table_args__ = (
        # A candidate's words, for "did an earlier word of this name match?" (search.py).
        Index("ix_candidate_name_terms_candidate_term", "candidate_id", "term"),
    )

    term: Mapped[str] = mapped_column(TERM, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True
    )


# The condition of the partial index below, written out (a bound parameter would not match).
WAITING_FOR_REVIEW = f"status = '{CaseStatus.ASSESSMENT_SUBMITTED.value}'"


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_scheme_status", "scheme_id", "status"),
        # The case list: newest change first, by scheme (coordinators), by step (queues).
        Index("ix_cases_updated", "updated_at", "id"),
        Index("ix_cases_status_updated", "status", "updated_at", "id"),
        Index("ix_cases_scheme_updated", "scheme_id", "updated_at", "id"),
        Index("ix_cases_scheme_status_updated", "scheme_id", "status", "updated_at", "id"),
        # The countries of the cases waiting in the review queue (its country filter). Partial,
        # so it serves only queries that name that step literally and competes with no other.
        Index("ix_cases_waiting_country", "scheme_id", "qualification_country",
              sqlite_where=text(WAITING_FOR_REVIEW), postgresql_where=text(WAITING_FOR_REVIEW)),
        Index("ix_cases_qualification_country", "qualification_country", "updated_at", "id"),
        # Name search: from the matching candidates to their cases' order, without reading
        # the cases themselves (covering).
        Index("ix_cases_candidate_scheme_updated", "candidate_id", "scheme_id", "updated_at",
              "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id"))
    status: Mapped[str] = mapped_column(String(30), default=CaseStatus.DRAFT)
    # Country where the highest qualification was earned: drives who can evaluate it.
    qualification_country: Mapped[str] = mapped_column(String(2))
    closed_reason: Mapped[str] = mapped_column(Text, default="")
    # Optimistic lock: every status change compares and bumps it.
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the case last changed step (only workflow.apply sets it): the order of the case
    # list and, for a submitted assessment, when its wait in the review queue began.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    candidate: Mapped[Candidate] = relationship(lazy="joined")
    scheme: Mapped[Scheme] = relationship(lazy="joined")
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="case", lazy="selectin", order_by="Assignment.id"
    )

    @property
    def reference(self) -> str:
        return case_reference(self.id)

    @property
    def evaluators(self) -> list[User]:
        return [a.user for a in self.assignments if a.role == AssignmentRole.EVALUATOR]

    @property
    def observers(self) -> list[User]:
        return [a.user for a in self.assignments if a.role == AssignmentRole.OBSERVER]

    def is_assigned(self, user: User) -> bool:
        return any(a.user_id == user.id for a in self.assignments)


class AssignmentRole:
    EVALUATOR = "evaluator"
    OBSERVER = "observer"


class Assignment(Base):
    __tablename__ = "case_assignments"
    __table_args__ = (
        UniqueConstraint("case_id", "user_id"),
        # "Cases I am on": the evaluator's list and the visibility filter read only this index.
        Index("ix_case_assignments_user_case", "user_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default=AssignmentRole.EVALUATOR)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="assignments")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
