"""Interface languages: which one a request gets, its text direction, and Babel formatting."""

from __future__ import annotations

from flask import Flask, g, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user

from passport.extensions import babel

# Staff pages; candidate pages add fa, uk and ti.
STAFF_LOCALES = ["en", "fr", "nb", "nn", "ar"]
CANDIDATE_LOCALES = [*STAFF_LOCALES, "fa", "uk", "ti"]
RTL_LOCALES = {"ar", "fa"}
LOCALE_COOKIE = "lang"


def select_locale() -> str | None:
    override = getattr(g, "locale_override", None)
    if override:
        return override
    if not has_request_context():  # a command or a service called outside a request
        return None
    if current_user.is_authenticated and getattr(current_user, "locale", None):
        return current_user.locale
    cookie = request.cookies.get(LOCALE_COOKIE)
    if cookie in CANDIDATE_LOCALES:
        return cookie
    return request.accept_languages.best_match(CANDIDATE_LOCALES) or "en"


def select_timezone() -> str | None:
    if not has_request_context():
        return None
    if current_user.is_authenticated and getattr(current_user, "timezone", None):
        return current_user.timezone
    return "UTC"


def text_direction() -> str:
    return "rtl" if str(get_locale()).split("_")[0] in RTL_LOCALES else "ltr"


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(app.config["TRANSLATIONS_DIR"]),
    )

    @app.context_processor
    def _i18n_context() -> dict:
        return {
            "current_locale": str(get_locale()),
            "text_direction": text_direction(),
            "interface_locales": STAFF_LOCALES,
        }


# Codes Babel lists as territories that are not countries a person can come from.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"}


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166 countries with names in the active language, sorted for that language."""
    territories = get_locale().territories
    pairs = [
        (code, name)
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    ]
    return sorted(pairs, key=lambda p: p[1].casefold())


def country_name(code: str | None) -> str:
    if not code:
        return ""
    return get_locale().territories.get(code.upper(), code)


def language_name(code: str | None) -> str:
    if not code:
        return ""
    from babel import Locale

    try:
        return Locale.parse(code).get_display_name(get_locale()) or code
    except (ValueError, LookupError):
        return code
