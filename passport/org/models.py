"""Recognition centres and the schemes they run (EQPR, UQP, national variants)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from passport.auth.models import User

scheme_coordinators = Table(
    "scheme_coordinators",
    Base.metadata,
    Column("scheme_id", ForeignKey("schemes.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Centre(Base):
    __tablename__ = "centres"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Scheme(Base):
    __tablename__ = "schemes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    issuing_body: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    validity_years: Mapped[int] = mapped_column(default=5)
    # Held interviews an evaluator must have observed in this scheme before leading one
    # (see passport/training/certification.py).
    observed_interviews_required: Mapped[int] = mapped_column(default=0, server_default="0")
    # Months after the passport expires (or the case closes without one) until the candidate's
    # personal data is erased by `flask retention`; None: kept until set.
    retention_months: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    coordinators: Mapped[list[User]] = relationship(
        # Loaded only when read: eager loading here pulled every coordinator (and their roles
        # and schemes) into each page that shows a case.
        secondary=scheme_coordinators, back_populates="coordinated_schemes", lazy="select"
    )
