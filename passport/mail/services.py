"""Reading the outbox and retrying a message the mail server did not take."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from passport import audit
from passport.auth.models import User
from passport.db import session
from passport.errors import RuleViolation
from passport.mail.models import MessageStatus, OutboxMessage
from passport.mail.sender import deliver, smtp_configured

PAGE_SIZE = 50


def list_messages(query: Any, page: int = 1) -> tuple[list[OutboxMessage], int]:
    """One page of `query` (already limited to what the user may read), newest first."""
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(OutboxMessage.id.desc())
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return list(rows), total


def latest_message(case_id: int) -> OutboxMessage | None:
    return session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.case_id == case_id)
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )


def retry(actor: User, message: OutboxMessage) -> None:
    if message.status == MessageStatus.SENT:
        raise RuleViolation(_l("This message was already delivered."))
    if not smtp_configured() or not message.has_email_address:
        raise RuleViolation(_l("No mail server is configured, or the address is not an email."))
    deliver(message)
    audit.record(actor, "mail.retried", message, case_id=message.case_id,
                 after={"status": message.status})
    session.commit()
