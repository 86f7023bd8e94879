"""Interface languages: which one a request gets, its text direction, and Babel formatting."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path
from typing import Any

from babel import Locale
from flask import Flask, g, has_request_context, request
from flask_babel import get_locale, get_timezone
from flask_login import current_user

from passport.extensions import babel

FONTS_DIR = Path(__file__).parent / "passports" / "fonts"
INTERFACE_FONTS = {
    "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf",
    "NotoSansEthiopic-Regular.ttf", "NotoSansEthiopic-Bold.ttf",
}

# Staff pages; candidate pages add fa, uk and ti.
STAFF_LOCALES = ["en", "fr", "nb", "nn", "ar"]
CANDIDATE_LOCALES = [*STAFF_LOCALES, "fa", "uk", "ti"]
RTL_LOCALES = {"ar", "fa"}
LOCALE_COOKIE = "lang"
# Pages a candidate (or anyone they show their passport to) reads: the longer list.
CANDIDATE_BLUEPRINTS = {"candidate", "passports"}


def offered_locales() -> list[str]:
    """The languages this page is offered in: staff pages have fewer than candidate pages."""
    if has_request_context() and request.blueprint in CANDIDATE_BLUEPRINTS:
        return CANDIDATE_LOCALES
    return STAFF_LOCALES


def select_locale() -> str | None:
    override = getattr(g, "locale_override", None)
    if override:
        return override
    if not has_request_context():  # command line, or a service called outside a request
        return "en"
    offered = offered_locales()
    if current_user.is_authenticated and getattr(current_user, "locale", None) in offered:
        return current_user.locale
    cookie = request.cookies.get(LOCALE_COOKIE)
    if cookie in offered:
        return cookie
    return request.accept_languages.best_match(offered) or "en"


def select_timezone() -> str:
    override = getattr(g, "timezone_override", None)
    if override:
        return override
    if not has_request_context():
        return "UTC"
    if current_user.is_authenticated and getattr(current_user, "timezone", None):
        return current_user.timezone
    return "UTC"


def active_locale() -> Locale:
    """Flask-Babel's `get_locale()`, cheaper: a list formats a date, a country and a step on
    each of its 50 rows, and each `get_locale()` costs some 4 us of context lookups. Reads what
    Flask-Babel has settled for this request (also under `force_locale`), else asks it."""
    settled = getattr(g.get("_flask_babel"), "babel_locale", None)
    return settled if settled is not None else get_locale()


def active_timezone() -> tzinfo:
    """Flask-Babel's `get_timezone()`, as cheaply as `active_locale`."""
    settled = getattr(g.get("_flask_babel"), "babel_tzinfo", None)
    return settled if settled is not None else get_timezone()


def isolated(text: str) -> str:
    """A name in its own direction inside a translated sentence (first-strong isolate): an
    English course title quoted in Arabic keeps its words and quotes in order, in pages, mails
    and files alike."""
    return f"\u2068{text}\u2069"


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
            "interface_locales": offered_locales(),
        }

    @app.get("/fonts/<name>")
    def interface_font(name: str):
        """The Noto fonts the passport PDF embeds, served to browsers too: Arabic and Ethiopic
        (Tigrinya) text shows on a device without such fonts, with nothing fetched elsewhere."""
        from flask import abort, send_from_directory

        if name not in INTERFACE_FONTS:
            abort(404)
        return send_from_directory(FONTS_DIR, name, mimetype="font/ttf", max_age=7 * 24 * 3600)

    @app.before_request
    def _form_messages_in_our_language() -> None:
        # Flask-WTF looks for the translations of WTForms' own messages ("This field is
        # required.") on the request before loading WTForms' catalogue: give it ours.
        request.wtforms_translations = FORM_MESSAGES


# Codes Babel lists as territories that are not countries a person can come from.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"}


def for_active_locale(build: Callable[[str], Any]) -> Any:
    """What `build` makes of the active language's identifier ("ar"), made once per language
    for the process and found once per request: a list page asks for a country name, a step
    name and a date on each of its 50 rows, and Babel's lookups (each naming the locale afresh)
    were most of the cost of a row. `build` must be cached (functools.cache) and return data
    that nobody changes; it is called while that language is the active one."""
    locale = active_locale()
    cache = g.setdefault("_per_locale", {})
    held = cache.get(build)
    # By identity: Flask-Babel makes a Locale per request, and `force_locale` (a mail in the
    # recipient's language) swaps it for another within one.
    if held is None or held[0] is not locale:
        held = cache[build] = (locale, build(str(locale)))
    return held[1]


@functools.cache
def _countries(locale_id: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    territories = dict(Locale.parse(locale_id).territories)
    pairs = [
        (code, name)
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    ]
    return territories, sorted(pairs, key=lambda p: p[1].casefold())


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166 countries with names in the active language, sorted for that language."""
    return list(for_active_locale(_countries)[1])


def country_name(code: str | None) -> str:
    if not code:
        return ""
    return for_active_locale(_countries)[0].get(code.upper(), code)


def language_endonym(code: str) -> str:
    """A language's name in that language ("العربية"), for language switchers: a reader who
    does not understand the current page can still find their own language."""
    from babel import Locale

    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (ValueError, LookupError):
        return code
    return name[:1].upper() + name[1:]


def language_name(code: str | None) -> str:
    if not code:
        return ""
    from babel import Locale

    try:
        return Locale.parse(code).get_display_name(get_locale()) or code
    except (ValueError, LookupError):
        return code


# Languages a person may speak: ISO 639-1 codes, plus a few without one that refugees often
# speak (Central Kurdish/Sorani, Dari).
_EXTRA_LANGUAGES = ("ckb", "fa_AF")


def language_choices() -> list[tuple[str, str]]:
    """Languages with names in the active language, sorted for that language."""
    names = get_locale().languages
    pairs = [(code, name) for code, name in names.items() if len(code) == 2 and code.isalpha()]
    pairs += [(code, names[code]) for code in _EXTRA_LANGUAGES if code in names]
    return sorted(pairs, key=lambda p: p[1].casefold())


def timezone_choices() -> list[tuple[str, str]]:
    """IANA time zones of places people live, labelled in the active language."""
    return list(_timezone_choices(str(get_locale())))


_TZ_AREAS = {"Africa", "America", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific"}


@functools.lru_cache(maxsize=16)
def _timezone_choices(locale: str) -> tuple[tuple[str, str], ...]:
    from zoneinfo import available_timezones

    from babel.dates import get_timezone_location

    zones = [z for z in available_timezones() if z.split("/")[0] in _TZ_AREAS]
    pairs = [(z, f"{get_timezone_location(z, locale=locale)} · {z}") for z in zones]
    pairs.append(("UTC", "UTC"))
    return tuple(sorted(pairs, key=lambda p: p[1].casefold()))


class FormMessages:
    """WTForms' built-in messages in the active language: our catalogue first (translators can
    cover languages WTForms has no catalogue for: passport/form_messages.py lists the messages
    for extraction), then WTForms' own catalogue (Nynorsk falls back to Bokmål)."""

    _FALLBACK = {"nn": ["nb"]}

    def _wtforms(self):
        from wtforms.i18n import messages_path

        locale = str(get_locale())
        return _wtforms_catalogue(messages_path(), (locale, *self._FALLBACK.get(locale, [])))

    def ugettext(self, string: str) -> str:
        from flask_babel import get_translations

        ours = get_translations().ugettext(string)
        return ours if ours != string else self._wtforms().ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        from flask_babel import get_translations

        ours = get_translations().ungettext(singular, plural, n)
        if ours not in (singular, plural) or str(get_locale()) == "en":
            return ours
        return self._wtforms().ungettext(singular, plural, n)

    gettext = ugettext
    ngettext = ungettext


@functools.lru_cache(maxsize=16)
def _wtforms_catalogue(path: str, locales: tuple[str, ...]):
    from babel import support

    return support.Translations.load(path, list(locales), domain="wtforms")


FORM_MESSAGES = FormMessages()
