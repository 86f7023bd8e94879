"""Consent: which version of the text a candidate accepted, and whether processing may go on.

The text itself is templates/candidate/consent_text.html, translated like every other page.
Change CONSENT_VERSION whenever that text changes in substance, so that the record shows which
text each candidate accepted.
"""

from __future__ import annotations

from sqlalchemy import select

from passport.db import session
from passport.intake.models import Consent

CONSENT_VERSION = "2026-1"


def latest_consent(case_id: int) -> Consent | None:
    return session.scalar(
        select(Consent)
        .where(Consent.case_id == case_id)
        .order_by(Consent.given_at.desc(), Consent.id.desc())
        .limit(1)
    )


def has_consent(case_id: int) -> bool:
    consent = latest_consent(case_id)
    return consent is not None and consent.withdrawn_at is None


def processing_stopped(case_id: int) -> bool:
    """True when the candidate withdrew their consent (and has not given it again)."""
    consent = latest_consent(case_id)
    return consent is not None and consent.withdrawn_at is not None
