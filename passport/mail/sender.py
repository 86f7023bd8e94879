"""Storing and delivering messages. See the package docstring for the rules."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import NamedTuple

from flask import current_app

from passport.db import session, utcnow
from passport.mail.models import MessageStatus, OutboxAttachment, OutboxMessage

log = logging.getLogger(__name__)

REDACTED = "[…]"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


class Attachment(NamedTuple):
    filename: str
    content_type: str
    data: bytes


def send(
    to: str,
    subject: str,
    body: str,
    attachments: Iterable[Attachment] = (),
    *,
    case_id: int | None = None,
    secrets: Iterable[str] = (),
) -> OutboxMessage:
    """Store a message in the outbox and deliver it if a mail server is configured.

    Runs inside the caller's transaction (the caller commits), so call it as the last step of a
    service function: a change that was refused earlier sends nothing. Delivery problems are
    recorded on the message (status "failed", retried from the outbox page), never raised.
    """
    message = OutboxMessage(
        case_id=case_id,
        to=to.strip(),
        subject=subject.replace("\n", " ").strip()[:300],
        body=body,
        secrets=[s for s in secrets if s],
        attachments=[
            OutboxAttachment(
                filename=a.filename, content_type=a.content_type, size=len(a.data), data=a.data
            )
            for a in attachments
        ],
    )
    session.add(message)
    session.flush()
    deliver(message)
    return message


def smtp_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def deliver(message: OutboxMessage) -> None:
    """Hand the message to the mail server if there is one and it has an email address.
    The caller commits."""
    if not smtp_configured() or not message.has_email_address:
        message.status = MessageStatus.KEPT
        return
    try:
        _smtp_send(_as_email(message))
    except (OSError, smtplib.SMTPException, ValueError) as exc:
        message.status = MessageStatus.FAILED
        message.error = f"{type(exc).__name__}: {exc}"[:1000]
        # The id only: addresses and bodies stay out of the log.
        log.warning("outbox message %s not delivered: %s", message.id, type(exc).__name__)
        return
    message.status = MessageStatus.SENT
    message.sent_at = utcnow()
    message.error = ""
    if message.secrets:
        body = message.body
        for secret in message.secrets:
            body = body.replace(secret, REDACTED)
        message.body = body
        message.secrets = []
        message.redacted = True


def _as_email(message: OutboxMessage) -> EmailMessage:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["SMTP_FROM"]
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = make_msgid(domain=config["SMTP_FROM"].rsplit("@", 1)[-1].strip("> "))
    email.set_content(message.body)
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        email.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    return email


def _smtp_send(email: EmailMessage) -> None:
    config = current_app.config
    host, port = config["SMTP_HOST"], config["SMTP_PORT"]
    context = ssl.create_default_context()
    if port == 465:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=15, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=15)
    with smtp:
        if port != 465:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
            elif config["SMTP_USER"] and host not in LOCAL_HOSTS:
                raise ValueError("no STARTTLS offered; refusing to send the password in clear")
        if config["SMTP_USER"]:
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
        smtp.send_message(email)
