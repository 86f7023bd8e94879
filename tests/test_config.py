"""Settings from PASSPORT_* variables: a wrong one stops start-up with one line saying what to
fix."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from passport import create_app
from passport.config import ConfigError, load_settings
from tests.conftest import login

KEY = "k" * 40


def settings(tmp_path: Path, **env: str) -> dict:
    return load_settings(tmp_path, {f"PASSPORT_{k}": v for k, v in env.items()})


def refusal(tmp_path: Path, **env: str) -> str:
    with pytest.raises(ConfigError) as error:
        settings(tmp_path, **env)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("Configuration error: ")
    return message


def test_an_unknown_setting_stops_create_app_and_is_named(tmp_path):
    environ = {"PASSPORT_SECRET_KEY": KEY, "PASSPORT_FOO": "1",
               "PASSPORT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    with pytest.raises(ConfigError) as error:
        create_app({"ENVIRON": environ})
    assert "PASSPORT_FOO" in str(error.value)
    assert "\n" not in str(error.value)
    assert isinstance(error.value, SystemExit)  # `flask` and gunicorn print it and stop


def test_a_misspelt_setting_is_not_silently_ignored(tmp_path):
    message = refusal(tmp_path, DATABASE_ULR="sqlite:///x.db", SECRET_KEY=KEY)
    assert "PASSPORT_DATABASE_ULR" in message
    assert "PASSPORT_DATABASE_URL" in message  # the list of known settings helps fix the typo


@pytest.mark.parametrize("url", ["not a url", "mysql://root@localhost/passport", "://"])
def test_a_broken_database_url(tmp_path, url):
    message = refusal(tmp_path, DATABASE_URL=url, SECRET_KEY=KEY)
    assert "PASSPORT_DATABASE_URL" in message


def test_postgresql_urls_use_psycopg_3(tmp_path):
    config = settings(tmp_path, DATABASE_URL="postgresql://qp@db.example/passport",
                      SECRET_KEY=KEY)
    assert config["DATABASE_URL"] == "postgresql+psycopg://qp@db.example/passport"


@pytest.mark.parametrize("url", ["ftp://qp.example", "qp.example", "https://", "javascript:x"])
def test_base_url_must_be_http(tmp_path, url):
    message = refusal(tmp_path, BASE_URL=url, SECRET_KEY=KEY)
    assert "PASSPORT_BASE_URL" in message


def test_a_short_secret_key_is_refused(tmp_path):
    message = refusal(tmp_path, SECRET_KEY="too-short")
    assert "PASSPORT_SECRET_KEY" in message
    assert "32" in message


@pytest.mark.parametrize(("name", "value"), [("SESSION_HOURS", "forever"),
                                             ("SESSION_HOURS", "0"),
                                             ("COOKIE_SECURE", "maybe"),
                                             ("LOG_LEVEL", "LOUD")])
def test_other_broken_settings_name_themselves(tmp_path, name, value):
    assert f"PASSPORT_{name}" in refusal(tmp_path, SECRET_KEY=KEY, **{name: value})


def test_defaults_live_in_the_instance_folder(tmp_path):
    instance = tmp_path / "instance"
    config = load_settings(instance, {})
    assert config["DATABASE_URL"] == f"sqlite:///{instance / 'passport.db'}"
    assert config["BASE_URL"] == "http://localhost:5000"
    assert config["SESSION_COOKIE_SECURE"] is False


def test_the_default_secret_key_is_generated_once_and_kept(tmp_path):
    first = load_settings(tmp_path, {})["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first
    assert len(first) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # readable by the app's user only
    assert load_settings(tmp_path, {})["SECRET_KEY"] == first  # kept across restarts
    other = tmp_path / "other"
    assert load_settings(other, {})["SECRET_KEY"] != first  # not a constant


def test_a_given_secret_key_is_used_and_nothing_is_written(tmp_path):
    assert settings(tmp_path, SECRET_KEY=KEY)["SECRET_KEY"] == KEY
    assert not (tmp_path / "secret_key").exists()


def cookie_flags(set_cookie: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in set_cookie.split(";")[1:]}


def session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, response.headers
    return cookies[-1]


def test_session_cookie_is_httponly_samesite_and_secure_on_https(client, world):
    # The app fixture runs with PASSPORT_BASE_URL=https://passport.test
    cookie = session_cookie(login(client, "coord@test.org"))
    assert {"httponly", "samesite", "secure"} <= cookie_flags(cookie)
    assert "SameSite=Lax" in cookie


def test_session_cookie_is_not_secure_on_plain_http(database_url, world):
    app = create_app({"ENVIRON": {"PASSPORT_DATABASE_URL": database_url,
                                  "PASSPORT_SECRET_KEY": KEY,
                                  "PASSPORT_BASE_URL": "http://localhost:5000"}})
    try:
        client = app.test_client()
        cookie = session_cookie(login(client, "coord@test.org"))
        assert {"httponly", "samesite"} <= cookie_flags(cookie)
        assert "secure" not in cookie_flags(cookie)
    finally:
        app.extensions["passport.engine"].dispose()
