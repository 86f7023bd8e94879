"""The outbox and SMTP delivery."""

from __future__ import annotations

import socket
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import select

from passport import mail
from passport.audit import CaseAccess
from passport.cases import services as cases
from passport.config import ConfigError, load_settings
from passport.db import session
from passport.intake import services
from passport.mail.models import OutboxMessage
from tests.intake_helpers import invited, post, smtp_server, staff_client, token_of


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_without_a_mail_server_messages_are_kept(app):
    message = mail.send("someone@example.org", "Hello", "The code is 123456.", secrets=["123456"])
    session.commit()
    assert message.status == "kept"
    assert "123456" in message.body  # the outbox copy is the delivery
    assert message.sent_at is None


def test_smtp_delivery_redacts_the_stored_copy(app, world):
    case = world.new_case(email="amina@example.org")
    with smtp_server() as (received, port):
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
        services.invite(world.coordinator, case)
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.case_id == case.id))
    assert message.status == "sent" and message.sent_at is not None
    assert message.redacted and message.secrets == []
    assert "https://passport.test/c/[…]" in message.body
    assert len(received) == 1
    email = message_from_bytes(received[0], policy=policy.default)
    assert email["To"] == "amina@example.org"
    assert email["From"] == "noreply@passport.test"
    assert "personal page" in email["Subject"]
    assert "https://passport.test/c/" in email.get_content()
    with pytest.raises(AssertionError):
        token_of(case.id)  # no readable link is left in the database


def test_attachments_travel_with_the_message(app):
    with smtp_server() as (received, port):
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
        mail.send("ev@example.org", "Interview", "See the invitation.",
                  [mail.Attachment("interview.ics", "text/calendar", b"BEGIN:VCALENDAR\r\n")])
        session.commit()
    email = message_from_bytes(received[0], policy=policy.default)
    parts = [p for p in email.iter_attachments()]
    assert [p.get_filename() for p in parts] == ["interview.ics"]
    assert parts[0].get_content_type() == "text/calendar"


def test_failed_delivery_is_recorded_and_can_be_retried(app, client, world):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=_free_port())
    case, _token = invited(world)
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.case_id == case.id))
    assert message.status == "failed"
    assert "ConnectionRefusedError" in message.error
    assert "https://passport.test/c/" in message.body  # kept until delivered
    message_id = message.id
    with smtp_server() as (received, port):
        app.config["SMTP_PORT"] = port
        with staff_client(app, "coord@test.org") as staff:
            page = staff.get(f"/outbox/{message_id}").get_data(as_text=True)
            assert "Try to send again" in page
            retried = post(staff, f"/outbox/{message_id}/retry", {},
                           form_page=f"/outbox/{message_id}")
            assert retried.status_code == 303
    session.refresh(message)
    assert message.status == "sent" and message.redacted
    assert len(received) == 1


def test_outbox_page_shows_each_coordinator_their_schemes_messages(app, world):
    eqpr_case, _ = invited(world)
    uqp_case = cases.create_case(
        world.other_coordinator, world.uqp,
        cases.CandidateData(given_name="B", family_name="C", birth_date="1990",
                            nationality="IQ", country_of_origin="IQ", host_country="IT",
                            email="b@example.org"),
        "IQ",
    )
    services.invite(world.other_coordinator, uqp_case)
    eqpr_id, uqp_id = eqpr_case.id, uqp_case.id
    ids = {
        case_id: session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.case_id == case_id))
        for case_id in (eqpr_id, uqp_id)
    }
    with staff_client(app, "coord@test.org") as staff:
        listing = staff.get("/outbox").get_data(as_text=True)
        assert "amina@example.org" in listing and "b@example.org" not in listing
        assert "No mail server is configured" in listing
        page = staff.get(f"/outbox/{ids[eqpr_id]}")
        assert page.status_code == 200
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert "https://passport.test/c/" in page.get_data(as_text=True)
        assert staff.get(f"/outbox/{ids[uqp_id]}").status_code == 404
    with staff_client(app, "admin@test.org") as admin:
        listing = admin.get("/outbox").get_data(as_text=True)
        assert "amina@example.org" in listing and "b@example.org" in listing
    with staff_client(app, "ev1@test.org") as evaluator:
        assert evaluator.get("/outbox").status_code == 403
    assert session.scalar(
        select(CaseAccess).where(CaseAccess.case_id == eqpr_id,
                                 CaseAccess.what == f"outbox:{ids[eqpr_id]}")
    ) is not None


def test_phone_only_candidate_gets_a_message_to_pass_on(app, world):
    case, _token = invited(world, email="", phone="+47 400 00 000")
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.case_id == case.id))
    assert message.to == "+47 400 00 000" and message.status == "kept"
    with staff_client(app, "coord@test.org") as staff:
        assert "To pass on by hand" in staff.get("/outbox").get_data(as_text=True)


@pytest.mark.parametrize(("environ", "fragment"), [
    ({"PASSPORT_SMTP_PORT": "smtp"}, "SMTP_PORT"),
    ({"PASSPORT_CANDIDATE_LINK_DAYS": "0"}, "CANDIDATE_LINK_DAYS"),
    ({"PASSPORT_SMTP_HOST": "mail.example", "PASSPORT_SMTP_FROM": "nobody"}, "SMTP_FROM"),
])
def test_bad_mail_settings_stop_start_up(tmp_path: Path, environ, fragment):
    with pytest.raises(ConfigError, match=fragment):
        load_settings(tmp_path, environ)


def test_mail_settings(tmp_path: Path):
    settings = load_settings(tmp_path, {
        "PASSPORT_SMTP_HOST": "mail.example", "PASSPORT_SMTP_PORT": "465",
        "PASSPORT_SMTP_FROM": "QP <qp@example.org>", "PASSPORT_CANDIDATE_LINK_DAYS": "21",
    })
    assert (settings["SMTP_HOST"], settings["SMTP_PORT"], settings["CANDIDATE_LINK_DAYS"]) == (
        "mail.example", 465, 21)
    assert load_settings(tmp_path, {})["SMTP_HOST"] == ""
