"""The outbox page: what the system sent (or keeps, when no mail server is configured)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from passport.access import requires, visible_messages
from passport.audit import log_access
from passport.auth.models import Role
from passport.db import session
from passport.errors import ServiceError
from passport.intake.forms import ActionForm
from passport.mail import services
from passport.mail.models import MessageStatus, OutboxMessage
from passport.mail.sender import smtp_configured

bp = Blueprint("mail", __name__)


@bp.get("/outbox")
@requires(Role.COORDINATOR, Role.ADMINISTRATOR)
def outbox():
    page = request.args.get("page", 1, type=int) or 1
    messages, total = services.list_messages(visible_messages(current_user), page)
    return render_template(
        "mail/outbox.html",
        messages=messages,
        total=total,
        page=page,
        pages=max(1, -(-total // services.PAGE_SIZE)),
        smtp=smtp_configured(),
    )


def _load(message_id: int) -> OutboxMessage:
    message = session.scalar(
        visible_messages(current_user).where(OutboxMessage.id == message_id)
    )
    if message is None:
        abort(404)
    return message


@bp.get("/outbox/<int:message_id>")
@requires(Role.COORDINATOR, Role.ADMINISTRATOR)
def message(message_id: int):
    message = _load(message_id)
    if message.case_id is not None:
        log_access(current_user, message.case_id, f"outbox:{message.id}")
        session.commit()
    response = render_template(
        "mail/message.html", message=message, form=ActionForm(), smtp=smtp_configured()
    )
    # The body may hold a candidate's personal link: keep it out of caches and referrers.
    return response, 200, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@bp.post("/outbox/<int:message_id>/retry")
@requires(Role.COORDINATOR, Role.ADMINISTRATOR)
def retry(message_id: int):
    message = _load(message_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.retry(current_user, message)
    except ServiceError as exc:
        flash(str(exc.message), "error")
    else:
        if message.status == MessageStatus.SENT:
            flash(_("The message is delivered."), "success")
        else:
            flash(_("The mail server did not take the message."), "error")
    return redirect(url_for("mail.message", message_id=message.id), code=303)
