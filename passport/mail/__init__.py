"""Outgoing mail: `send()` stores every message in the outbox and delivers it by SMTP when a
mail server is configured (PASSPORT_SMTP_*). Without one, the outbox page is the delivery.

    from passport import mail
    mail.send(to, subject, body, attachments=[mail.Attachment("invite.ics", "text/calendar", data)],
              case_id=case.id, secrets=[token])

`secrets` are strings (a personal link, a one-time code) that the message must carry to its
reader but that should not stay readable in the database: once the mail server has accepted the
message they are cut from the stored copy. When no mail server is configured, or the recipient
has no email address (a phone number: someone delivers the message by hand), the outbox copy is
the only delivery, so it keeps them; only the coordinators of the case and administrators can
read the outbox. Message bodies and addresses are never written to the log.
"""

from passport.mail.sender import Attachment, deliver, send

__all__ = ["Attachment", "deliver", "send"]
