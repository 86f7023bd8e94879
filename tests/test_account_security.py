"""Accounts under attack: login rate limits and lockout that reveal no account, the second
factor (TOTP) with recovery codes, idle timeout, logout everywhere, cookies."""

from __future__ import annotations

import logging
import re
import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from passport import create_app
from passport.auth import twofactor
from passport.auth.models import Role, User, UserRole
from passport.db import session, utcnow
from tests.conftest import (
    PASSWORD,
    csrf_token,
    current_code_of,
    login,
    post_form,
    totp_code,
)

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*?value="[^"]+"')
NOT_RIGHT = "The email or password is not right."


def attempt(client, email: str, password: str):
    response = post_form(client, "/login", {"email": email, "password": password})
    page = CSRF_FIELD.sub("CSRF", response.get_data(as_text=True))
    return response.status_code, page.replace(email, "EMAIL")


def user(email: str) -> User:
    session.expire_all()
    return session.scalar(select(User).where(User.email == email))


def app_with(database_url, tmp_path, **settings):
    environ = {
        "PASSPORT_DATABASE_URL": database_url,
        "PASSPORT_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "PASSPORT_BASE_URL": "https://passport.test",
        "PASSPORT_SIGNING_KEY_DIR": str(tmp_path / "keys"),
        **{f"PASSPORT_{k}": v for k, v in settings.items()},
    }
    return create_app({"ENVIRON": environ, "TESTING": True})


# Lockout ---------------------------------------------------------------------------------------

def test_five_failures_lock_the_account_and_a_locked_account_looks_like_an_unknown_one(app, world):
    for _ in range(5):
        status, _page = attempt(app.test_client(), "ev1@test.org", "wrong-password-123")
        assert status == 401
    locked = user("ev1@test.org")
    assert locked.locked_until is not None
    assert timedelta(minutes=14) < locked.locked_until - utcnow() <= timedelta(minutes=15)

    right_password_while_locked = attempt(app.test_client(), "ev1@test.org", PASSWORD)
    unknown_account = attempt(app.test_client(), "nobody@test.org", PASSWORD)
    wrong_password = attempt(app.test_client(), "ev2@test.org", "wrong-password-123")
    assert right_password_while_locked == unknown_account == wrong_password
    assert right_password_while_locked[0] == 401 and NOT_RIGHT in right_password_while_locked[1]
    client = app.test_client()
    attempt(client, "ev1@test.org", PASSWORD)
    assert client.get("/").status_code == 302  # not logged in


def test_the_lock_ends_and_the_next_one_lasts_longer(database_url, tmp_path, world):
    # Ten failures within a minute: more than the per-account rate limit lets through.
    app = app_with(database_url, tmp_path, LOGIN_ACCOUNT_RATE_LIMIT="100 per minute")
    for _ in range(5):
        attempt(app.test_client(), "ev1@test.org", "wrong-password-123")
    locked = user("ev1@test.org")
    locked.locked_until = utcnow() - timedelta(seconds=1)  # fifteen minutes later
    session.commit()
    for _ in range(5):
        attempt(app.test_client(), "ev1@test.org", "wrong-password-123")
    again = user("ev1@test.org")
    assert timedelta(minutes=29) < again.locked_until - utcnow() <= timedelta(minutes=30)
    again.locked_until = utcnow() - timedelta(seconds=1)
    session.commit()
    client = app.test_client()
    login(client, "ev1@test.org")
    assert client.get("/").status_code == 200
    cleared = user("ev1@test.org")
    assert (cleared.failed_logins, cleared.lockouts, cleared.locked_until) == (0, 0, None)
    app.extensions["passport.engine"].dispose()


def test_a_lockout_is_in_the_audit_trail(app, world):
    from passport.audit import AuditEntry

    for _ in range(5):
        attempt(app.test_client(), "ev1@test.org", "wrong-password-123")
    actions = session.scalars(select(AuditEntry.action)).all()
    assert "user.login_locked" in actions


# Rate limits -----------------------------------------------------------------------------------

def test_login_attempts_per_account_name_are_limited_alike_for_unknown_accounts(
        database_url, tmp_path, app, world):
    limited = app_with(database_url, tmp_path, LOGIN_ACCOUNT_RATE_LIMIT="3 per minute")
    for email in ("ev1@test.org", "nobody@test.org"):
        codes = [attempt(limited.test_client(), email, "wrong-password-123")[0]
                 for _ in range(4)]
        assert codes == [401, 401, 401, 429], email
    # Another account name from the same address is not affected.
    assert attempt(limited.test_client(), "ev2@test.org", "wrong-password-123")[0] == 401
    limited.extensions["passport.engine"].dispose()


def test_login_attempts_per_client_address_are_limited(database_url, tmp_path, app, world):
    limited = app_with(database_url, tmp_path, LOGIN_RATE_LIMIT="4 per minute")
    client = limited.test_client()
    codes = [attempt(client, f"user{i}@test.org", "wrong-password-123")[0] for i in range(5)]
    assert codes == [401, 401, 401, 401, 429]
    page = client.get("/login")
    assert page.status_code == 200  # looking at the form is not limited
    limited.extensions["passport.engine"].dispose()


# Second factor ---------------------------------------------------------------------------------

def enrol_at_login(client, email: str) -> tuple[str, list[str]]:
    response = post_form(client, "/login", {"email": email, "password": PASSWORD})
    assert response.headers["Location"] == "/login/setup"
    page = client.get("/login/setup").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page
    secret = re.search(r'id="totp-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    response = post_form(client, "/login/setup", {"code": totp_code(secret)})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.get_data(as_text=True))
    return secret, codes


def test_a_coordinator_must_set_up_the_second_factor_before_the_first_session(app, world):
    client = app.test_client()
    response = post_form(client, "/login", {"email": "coord@test.org", "password": PASSWORD})
    assert response.headers["Location"] == "/login/setup"
    assert client.get("/").status_code == 302  # no session yet
    wrong = post_form(client, "/login/setup", {"code": "000000"})
    assert wrong.status_code == 400 and "This code is not right" in wrong.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert user("coord@test.org").totp_enabled_at is None

    client = app.test_client()
    secret, codes = enrol_at_login(client, "admin@test.org")
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/admin/users").status_code == 200
    admin = user("admin@test.org")
    assert admin.totp_enabled_at is not None
    assert secret not in admin.totp_secret  # stored encrypted
    assert all(code not in row.code_hash for code in codes for row in admin.recovery_codes)


def test_the_second_step_asks_for_the_code_and_refuses_a_wrong_one(app, world):
    enrol_at_login(app.test_client(), "coord@test.org")
    client = app.test_client()
    response = post_form(client, "/login", {"email": "coord@test.org", "password": PASSWORD})
    assert response.headers["Location"] == "/login/code"
    assert client.get("/").status_code == 302
    wrong = post_form(client, "/login/code", {"code": "123456"})
    assert wrong.status_code == 401
    assert client.get("/").status_code == 302
    right = post_form(client, "/login/code", {"code": current_code_of("coord@test.org")})
    assert right.status_code == 302
    assert client.get("/").status_code == 200


def test_a_code_is_accepted_once_and_the_next_one_works(app, world):
    """Someone who read a code over the user's shoulder cannot log in with it afterwards."""
    enrol_at_login(app.test_client(), "coord@test.org")
    secret = twofactor.secret_of(user("coord@test.org"))
    totp = pyotp.TOTP(secret)
    code = current_code_of("coord@test.org")
    first = app.test_client()
    post_form(first, "/login", {"email": "coord@test.org", "password": PASSWORD})
    assert post_form(first, "/login/code", {"code": code}).status_code == 302
    assert first.get("/").status_code == 200
    now = user("coord@test.org").totp_last_step  # the step of that code
    assert totp.generate_otp(now) == code

    onlooker = app.test_client()
    post_form(onlooker, "/login", {"email": "coord@test.org", "password": PASSWORD})
    for stale in {code, totp.generate_otp(now - 1)}:  # that code, or the one before it
        again = post_form(onlooker, "/login/code", {"code": stale}, form_page="/login/code")
        assert again.status_code == 401
        assert "This code has been used already." in again.get_data(as_text=True)
    assert onlooker.get("/").status_code == 302

    # The app's next code (one step ahead: it is accepted with a little clock drift) works.
    following = post_form(onlooker, "/login/code", {"code": totp.generate_otp(now + 1)},
                          form_page="/login/code")
    assert following.status_code == 302
    assert onlooker.get("/").status_code == 200


def test_the_second_step_cannot_be_skipped_or_reached_without_the_password(app, world):
    enrol_at_login(app.test_client(), "coord@test.org")
    stranger = app.test_client()
    assert stranger.get("/login/code").headers["Location"] == "/login"
    secret = twofactor.secret_of(user("coord@test.org"))
    response = post_form(stranger, "/login/code", {"code": totp_code(secret)},
                         form_page="/login")
    assert response.headers["Location"] == "/login"
    assert stranger.get("/").status_code == 302


def test_wrong_codes_count_towards_the_lockout(app, world):
    enrol_at_login(app.test_client(), "coord@test.org")
    client = app.test_client()
    post_form(client, "/login", {"email": "coord@test.org", "password": PASSWORD})
    for _ in range(5):
        post_form(client, "/login/code", {"code": "000000"}, form_page="/login/code")
    assert user("coord@test.org").locked_until is not None
    secret = twofactor.secret_of(user("coord@test.org"))
    # The pending login is gone; the right password and code no longer help for now.
    response = post_form(client, "/login/code", {"code": totp_code(secret)}, form_page="/login")
    assert response.headers["Location"] == "/login"
    assert attempt(app.test_client(), "coord@test.org", PASSWORD)[0] == 401


def test_a_recovery_code_works_once(app, world):
    _secret, codes = enrol_at_login(app.test_client(), "coord@test.org")
    client = app.test_client()
    post_form(client, "/login", {"email": "coord@test.org", "password": PASSWORD})
    assert post_form(client, "/login/code", {"code": codes[0].upper()}).status_code == 302
    assert client.get("/").status_code == 200
    again = app.test_client()
    post_form(again, "/login", {"email": "coord@test.org", "password": PASSWORD})
    assert post_form(again, "/login/code", {"code": codes[0]}).status_code == 401
    assert sum(1 for c in user("coord@test.org").recovery_codes if c.used_at) == 1


def test_new_recovery_codes_replace_the_old_ones(app, world):
    _secret, old = enrol_at_login(app.test_client(), "coord@test.org")
    client = app.test_client()
    login(client, "coord@test.org")
    response = post_form(client, "/account/two-factor/recovery-codes", {}, form_page="/account")
    new = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    other = app.test_client()
    post_form(other, "/login", {"email": "coord@test.org", "password": PASSWORD})
    assert post_form(other, "/login/code", {"code": old[1]}).status_code == 401
    assert post_form(other, "/login/code", {"code": new[1]}).status_code == 302


def test_an_evaluator_may_turn_the_second_factor_on_and_off(app, world):
    client = app.test_client()
    login(client, "ev1@test.org")  # no second step
    assert client.get("/").status_code == 200
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'id="totp-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    response = post_form(client, "/account/two-factor", {"code": totp_code(secret)})
    assert "Your recovery codes" in response.get_data(as_text=True)

    second = app.test_client()
    response = post_form(second, "/login", {"email": "ev1@test.org", "password": PASSWORD})
    assert response.headers["Location"] == "/login/code"

    wrong = post_form(client, "/account/two-factor/disable",
                      {"disable-password": "not-my-password-1"}, form_page="/account")
    assert wrong.status_code == 302 and user("ev1@test.org").has_totp
    post_form(client, "/account/two-factor/disable", {"disable-password": PASSWORD},
              form_page="/account")
    assert not user("ev1@test.org").has_totp
    response = post_form(app.test_client(), "/login",
                         {"email": "ev1@test.org", "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_coordinators_cannot_turn_the_second_factor_off(app, world):
    client = app.test_client()
    login(client, "coord@test.org")
    post_form(client, "/account/two-factor/disable", {"disable-password": PASSWORD},
              form_page="/account")
    assert user("coord@test.org").has_totp


def test_someone_made_coordinator_during_a_session_must_enrol_first(app, world):
    client = app.test_client()
    login(client, "ev1@test.org")
    session.add(UserRole(user_id=world.ev1.id, role=str(Role.COORDINATOR)))
    session.commit()
    response = client.get("/")
    assert response.headers["Location"] == "/account/two-factor"
    assert client.get("/account/two-factor").status_code == 200


def test_the_secret_never_reaches_the_logs(app, world, caplog):
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    secret, codes = enrol_at_login(client, "coord@test.org")
    login(app.test_client(), "coord@test.org")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert secret not in logged
    assert not any(code in logged for code in codes)
    assert "coord@test.org" not in logged


# Sessions --------------------------------------------------------------------------------------

def test_an_idle_session_ends(app, world, monkeypatch):
    client = app.test_client()
    login(client, "ev1@test.org")
    assert client.get("/").status_code == 200
    later = time.time() + 31 * 60
    monkeypatch.setattr("passport.auth.routes.time.time", lambda: later)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert "without activity" in client.get("/login").get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_an_idle_session_ends_with_401_json_for_scripts(app, world, monkeypatch):
    client = app.test_client()
    login(client, "ev1@test.org")
    later = time.time() + 31 * 60
    monkeypatch.setattr("passport.auth.routes.time.time", lambda: later)
    response = client.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 401 and "error" in response.get_json()


def test_activity_keeps_the_session(app, world, monkeypatch):
    client = app.test_client()
    login(client, "ev1@test.org")
    start = time.time()
    for minutes in (20, 40, 60):
        monkeypatch.setattr("passport.auth.routes.time.time", lambda m=minutes: start + m * 60)
        assert client.get("/").status_code == 200, minutes


def test_changing_the_password_logs_out_every_other_session(app, world):
    here, elsewhere = app.test_client(), app.test_client()
    login(here, "coord@test.org")
    login(elsewhere, "coord@test.org")
    new = "a-much-better-passphrase-42"
    response = post_form(here, "/account", {"current": PASSWORD, "new": new, "confirm": new})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    page = here.get("/account")
    assert page.status_code == 200
    assert "Your password is changed" in page.get_data(as_text=True)
    assert here.get("/").status_code == 200  # this session goes on
    assert elsewhere.get("/").status_code == 302  # the other one has ended
    assert attempt(app.test_client(), "coord@test.org", PASSWORD)[0] == 401
    login(app.test_client(), "coord@test.org", new)


def test_a_wrong_current_password_changes_nothing(app, world):
    client = app.test_client()
    login(client, "ev1@test.org")
    new = "a-much-better-passphrase-42"
    response = post_form(client, "/account",
                         {"current": "not-the-password", "new": new, "confirm": new})
    assert response.status_code == 200
    assert "The current password is not right." in response.get_data(as_text=True)
    login(app.test_client(), "ev1@test.org")


def test_log_out_other_sessions_keeps_this_one(app, world):
    here, elsewhere = app.test_client(), app.test_client()
    login(here, "ev1@test.org")
    login(elsewhere, "ev1@test.org")
    response = post_form(here, "/account/sessions", {}, form_page="/account")
    assert response.headers["Location"] == "/account"
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302


def test_session_cookie_is_secure_httponly_and_samesite(app, world):
    client = app.test_client()
    response = login(client, "ev1@test.org")
    cookie = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_language_cookie_is_secure_too(app, world):
    client = app.test_client()
    token = csrf_token(client, "/login")
    response = client.post("/language", data={"locale": "ar", "next": "/login",
                                              "csrf_token": token})
    cookie = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("lang="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_hsts_only_over_https(database_url, tmp_path, app):
    plain = app_with(database_url, tmp_path, BASE_URL="http://localhost:5000")
    assert "Strict-Transport-Security" not in plain.test_client().get("/login").headers
    plain.extensions["passport.engine"].dispose()
    assert "Strict-Transport-Security" in app.test_client().get("/login").headers


def test_login_pages_keep_tokens_out_of_referrers_and_caches(app, world):
    client = app.test_client()
    post_form(client, "/login", {"email": "coord@test.org", "password": PASSWORD})
    response = client.get("/login/setup")
    assert response.headers["Cache-Control"] == "no-store"


# Demo ------------------------------------------------------------------------------------------

def test_demo_code_prints_the_code_of_demo_accounts_only(app, runner, world):
    from passport.auth.services import create_user

    demo = create_user("coordinator@example.org", "Kari Nordmann", [Role.COORDINATOR], PASSWORD)
    twofactor.enrol_demo(demo)
    result = runner.invoke(args=["demo-code", "coordinator@example.org"])
    assert result.exit_code == 0
    assert pyotp.TOTP(twofactor.DEMO_SECRET).verify(result.output.strip(), valid_window=1)
    refused = runner.invoke(args=["demo-code", "coord@test.org"])
    assert refused.exit_code != 0 and "Only the demo accounts" in refused.output
    with pytest.raises(ValueError):
        twofactor.enrol_demo(world.coordinator)


def test_csrf_token_helper_still_reads_the_login_form(client):
    assert csrf_token(client, "/login")


def test_an_administrator_can_reset_a_lost_second_factor(app, runner, world):
    client = app.test_client()
    login(client, "coord@test.org")  # enrols
    assert user("coord@test.org").has_totp
    result = runner.invoke(args=["reset-two-factor", "coord@test.org"])
    assert result.exit_code == 0, result.output
    assert not user("coord@test.org").has_totp
    assert client.get("/").status_code == 302  # the old session has ended
    response = post_form(app.test_client(), "/login",
                         {"email": "coord@test.org", "password": PASSWORD})
    assert response.headers["Location"] == "/login/setup"
    assert runner.invoke(args=["reset-two-factor", "nobody@test.org"]).exit_code != 0
