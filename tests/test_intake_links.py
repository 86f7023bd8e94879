"""The candidate's personal link: issue, use, expiry, revocation, reissue, lockout, codes."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from passport.audit import AuditEntry
from passport.db import session
from passport.errors import InvalidTransition, RuleViolation
from passport.intake import services
from passport.intake.models import CandidateLink
from passport.intake.portal import RedactCandidateTokens
from tests.conftest import login
from tests.intake_helpers import invited, open_link, outbox_bodies, post, token_of

FIXED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_invitation_sends_link_and_stores_only_its_hash(world):
    case, token = invited(world)
    assert case.status == "questionnaire_sent"
    link = session.scalar(select(CandidateLink).where(CandidateLink.case_id == case.id))
    assert link.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    # Nothing in the database but the outbox copy (the delivery itself) holds the token.
    assert token not in repr(
        {c.name: getattr(link, c.name) for c in CandidateLink.__table__.columns}
    )
    body = outbox_bodies(case.id)[0]
    assert f"https://passport.test/c/{token}" in body
    assert "Hello Amina," in body
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.case_id == case.id)
    ).all()
    assert {"case.send_questionnaire", "candidate.invited"} <= set(actions)


def test_link_expires_after_the_configured_days(app, world):
    case = world.new_case(email="a@example.org")
    app.config["CANDIDATE_LINK_DAYS"] = 14
    link = services.invite(world.coordinator, case, now=FIXED)
    assert link.expires_at == FIXED + timedelta(days=14)
    assert link.usable(FIXED + timedelta(days=13, hours=23))
    assert not link.usable(FIXED + timedelta(days=14))


def test_invitation_needs_a_contact_and_a_draft_case(world):
    case = world.new_case()
    with pytest.raises(RuleViolation):
        services.invite(world.coordinator, case)
    assert case.status == "draft"
    case, _token = invited(world, given_name="Second")
    with pytest.raises(InvalidTransition):
        services.invite(world.coordinator, case)
    with pytest.raises(RuleViolation):
        services.invite(world.other_coordinator, world.new_case(email="x@example.org"))


def test_first_hop_redirects_to_a_token_free_page(client, world):
    _case, token = invited(world)
    first = client.get(f"/c/{token}")
    assert first.status_code == 303
    assert token not in first.headers["Location"]
    assert first.headers["Location"].endswith("/candidate/verify")
    assert first.headers["Referrer-Policy"] == "no-referrer"
    page = client.get("/candidate/verify")
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    assert token not in page.get_data(as_text=True)
    # Not verified yet: the candidate's pages send back to the check.
    assert client.get("/candidate").headers["Location"].endswith("/candidate/verify")


def test_date_of_birth_opens_the_page(client, world):
    _case, token = invited(world)
    answer = open_link(client, token, birth=("17", "3", "1991"))  # recorded as 1991-03
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/candidate")
    assert client.get("/candidate").headers["Location"].endswith("/candidate/consent")
    page = client.get("/candidate/consent")
    assert "How we use your information" in page.get_data(as_text=True)


def test_less_precise_or_wrong_date_is_refused(client, world):
    _case, token = invited(world)
    answer = open_link(client, token, birth=("", "", "1991"))  # record has the month too
    assert answer.status_code == 422
    assert "does not match our records" in answer.get_data(as_text=True)
    assert client.get("/candidate").status_code == 302


def test_future_birth_date_is_a_field_error_not_an_attempt(client, world):
    case, token = invited(world)
    answer = open_link(client, token, birth=("", "1", "2999"))
    assert answer.status_code == 422
    assert "must be in the past" in answer.get_data(as_text=True)
    assert services.current_link(case.id).failed_attempts == 0


def _invalid_page(client, path):
    response = client.get(path, follow_redirects=True)
    # The CSRF token is signed with a timestamp, so it may differ from one second to the next.
    text = re.sub(r'name="csrf_token"[^>]*>', "", response.get_data(as_text=True))
    return response.status_code, text


def test_expired_revoked_and_made_up_links_look_the_same(client, world):
    expired_case, expired = invited(world, given_name="Old")
    link = services.current_link(expired_case.id)
    link.expires_at = datetime(2020, 1, 1, tzinfo=UTC)
    session.commit()
    revoked_case, revoked = invited(world, given_name="Gone")
    services.revoke_link(world.coordinator, revoked_case)

    pages = [
        _invalid_page(client, f"/c/{expired}"),
        _invalid_page(client, f"/c/{revoked}"),
        _invalid_page(client, "/c/" + "A" * 43),
        _invalid_page(client, "/c/short"),
    ]
    assert {status for status, _ in pages} == {404}
    assert len({text for _, text in pages}) == 1
    assert "ask for a new link" in pages[0][1]


def test_revoking_ends_the_candidates_session(client, world):
    case, token = invited(world)
    open_link(client, token)
    assert client.get("/candidate/consent").status_code == 200
    services.revoke_link(world.coordinator, case)
    response = client.get("/candidate/consent")
    assert response.headers["Location"].endswith("/candidate/link-not-valid")
    with pytest.raises(RuleViolation):
        services.revoke_link(world.coordinator, case)


def test_reissue_replaces_the_old_link(client, world):
    case, old = invited(world)
    services.reissue_link(world.coordinator, case)
    new = token_of(case.id)
    assert new != old
    assert "The link you had before no longer works" in outbox_bodies(case.id)[-1]
    assert client.get(f"/c/{old}").headers["Location"].endswith("/link-not-valid")
    assert open_link(client, new).status_code == 303


def test_reissue_needs_an_invitation_first(world):
    case = world.new_case(email="a@example.org")
    with pytest.raises(InvalidTransition):
        services.reissue_link(world.coordinator, case)


def test_wrong_answers_lock_the_link_for_a_while(world):
    case, _token = invited(world)
    link = services.current_link(case.id)
    for _ in range(services.MAX_FAILED_ATTEMPTS):
        assert services.verify(link, birth=(1990, 3, None), now=FIXED) is False
    assert link.locked_until == FIXED + timedelta(minutes=services.LOCK_MINUTES)
    # Even the right answer is refused while locked...
    with pytest.raises(services.LinkLocked):
        services.verify(link, birth=(1991, 3, None), now=FIXED + timedelta(minutes=5))
    # ...and accepted after the lock ends.
    later = FIXED + timedelta(minutes=services.LOCK_MINUTES + 1)
    assert services.verify(link, birth=(1991, 3, None), now=later) is True
    assert link.failed_attempts == 0
    assert session.scalar(
        select(func.count()).where(
            AuditEntry.case_id == case.id, AuditEntry.action == "candidate.link_locked"
        )
    ) == 1


def test_second_lock_lasts_longer(world):
    case, _token = invited(world)
    link = services.current_link(case.id)
    now = FIXED
    for _ in range(2 * services.MAX_FAILED_ATTEMPTS):
        if link.locked(now):
            now = link.locked_until
        services.verify(link, birth=(1980, None, None), now=now)
    assert link.locked_until == now + timedelta(minutes=2 * services.LOCK_MINUTES)


def test_lockout_through_the_page(client, world):
    _case, token = invited(world)
    client.get(f"/c/{token}")
    for _ in range(services.MAX_FAILED_ATTEMPTS - 1):
        wrong = post(client, "/candidate/verify",
                     {"method": "birth", "day": "", "month": "1", "year": "1980"})
        assert wrong.status_code == 422
    locked = post(client, "/candidate/verify",
                  {"method": "birth", "day": "", "month": "1", "year": "1980"})
    assert locked.status_code == 429
    assert "locked for a while" in locked.get_data(as_text=True)
    right = post(client, "/candidate/verify",
                 {"method": "birth", "day": "", "month": "3", "year": "1991"},
                 form_page="/candidate/link-not-valid")
    assert right.status_code == 429


def test_one_time_code_by_email(client, world):
    case, token = invited(world)
    client.get(f"/c/{token}")
    page = client.get("/candidate/verify").get_data(as_text=True)
    assert "a•••@example.org" in page
    sent = post(client, "/candidate/verify/code", {})
    assert sent.status_code == 303
    code = re.search(r"Your code is (\d{6})", outbox_bodies(case.id)[-1]).group(1)
    again = post(client, "/candidate/verify/code", {})  # a minute has not passed
    assert again.status_code == 303
    assert len(outbox_bodies(case.id)) == 2
    wrong = post(client, "/candidate/verify", {"method": "code", "code": "000000"
                                               if code != "000000" else "111111"})
    assert wrong.status_code == 422
    right = post(client, "/candidate/verify", {"method": "code", "code": code})
    assert right.status_code == 303
    assert client.get("/candidate/consent").status_code == 200
    # A code works once.
    assert services.current_link(case.id).code_hmac == ""


def test_code_expires(world):
    case, _token = invited(world)
    link = services.current_link(case.id)
    services.send_code(link, now=FIXED)
    code = re.search(r"Your code is (\d{6})", outbox_bodies(case.id)[-1]).group(1)
    late = FIXED + timedelta(minutes=services.CODE_MINUTES, seconds=1)
    assert services.verify(link, code=code, now=late) is False


def test_no_code_without_email(world):
    case, _token = invited(world, email="", phone="+47 999 99 999")
    with pytest.raises(RuleViolation):
        services.send_code(services.current_link(case.id))


def test_token_never_reaches_the_log(client, world, caplog):
    caplog.set_level(logging.DEBUG)
    _case, token = invited(world)
    open_link(client, token)
    client.get("/candidate/consent")
    assert token not in caplog.text
    # The request log line of the first hop (werkzeug's format) loses the token.
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1,
                               '%s - - [%s] "%s" %s %s',
                               ("127.0.0.1", "now", f"GET /c/{token} HTTP/1.1", "303", "-"),
                               None)
    RedactCandidateTokens().filter(record)
    assert token not in record.getMessage()
    assert "/c/[redacted]" in record.getMessage()
    assert any(isinstance(f, RedactCandidateTokens)
               for f in logging.getLogger("werkzeug").filters)


def test_coordinator_buttons_on_the_case_page(client, world):
    case = world.new_case(email="amina@example.org")
    login(client, "coord@test.org")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Send the questionnaire invitation" in page
    sent = post(client, f"/cases/{case.id}/invite", {}, form_page=f"/cases/{case.id}")
    assert sent.status_code == 303
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "The questionnaire invitation is sent." in page
    assert "in the outbox" in page
    assert "Working, until" in page
    revoked = post(client, f"/cases/{case.id}/link/revoke", {},
                        form_page=f"/cases/{case.id}")
    assert revoked.status_code == 303
    assert "Revoked on" in client.get(f"/cases/{case.id}").get_data(as_text=True)
    reissued = post(client, f"/cases/{case.id}/link/reissue", {},
                         form_page=f"/cases/{case.id}")
    assert reissued.status_code == 303
    assert "Working, until" in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_evaluator_cannot_send_links(client, world):
    case, _token = invited(world)
    login(client, "ev1@test.org")
    response = post(client, f"/cases/{case.id}/link/reissue", {}, form_page="/")
    assert response.status_code == 404
