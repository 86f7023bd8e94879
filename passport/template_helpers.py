"""Jinja filters: dates, times and names formatted for the reader's language with Babel."""

from __future__ import annotations

from datetime import date, datetime

from babel import dates as babel_dates
from flask import Flask, g
from flask_babel import format_date, format_datetime, format_decimal, get_locale, to_user_timezone
from flask_login import current_user

from passport.cases.workflow import STATUS_LABELS, CaseStatus
from passport.i18n import country_name, language_endonym, language_name


def _datetime(value: datetime | None, fmt: str = "medium") -> str:
    """In the reader's time zone and language. Babel directly: Flask-Babel's wrapper looks up
    the locale, zone and configured formats again for every date of a 50-row list."""
    if value is None:
        return ""
    if fmt not in ("short", "medium", "long", "full"):
        return format_datetime(value, fmt)
    local, locale = to_user_timezone(value), get_locale()
    if fmt == "short":
        # The month in words: CLDR's all-digit short date is "11/30/26" in English, which most
        # of our readers take for a different day. Medium date, short time, the locale's glue.
        return (str(locale.datetime_formats["medium"])
                .replace("{1}", babel_dates.format_date(local, "medium", locale=locale))
                .replace("{0}", babel_dates.format_time(local, "short", locale=locale)))
    return babel_dates.format_datetime(local, fmt, locale=locale)


def _date(value: date | str | None, fmt: str = "long") -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return format_date(value, fmt)


def _partial_date(value: str | None) -> str:
    """A date of birth that may be only a year ("1994") or a year and month ("1991-03"),
    written the reader's way: "mars 1991", "١٤ مايو ١٩٩٣"."""
    from babel.dates import format_skeleton

    if not value:
        return ""
    parts = value.split("-")
    try:
        if len(parts) == 1:
            return format_skeleton("y", date(int(parts[0]), 1, 1), locale=get_locale())
        if len(parts) == 2:
            return format_skeleton("yMMMM", date(int(parts[0]), int(parts[1]), 1),
                                   locale=get_locale())
        return format_date(date.fromisoformat(value), "long")
    except ValueError:
        return value


def _filesize(size: int | None) -> str:
    """A file's size in kilobytes or megabytes, in the reader's language ("1,2 Mo")."""
    from babel.units import format_unit

    size = size or 0
    if size >= 1024 * 1024:
        return format_unit(round(size / 1024 / 1024, 1), "digital-megabyte", "short",
                           locale=get_locale())
    return format_unit((size + 1023) // 1024, "digital-kilobyte", "short", locale=get_locale())


def _number(value: float | int | None) -> str:
    return "" if value is None else format_decimal(value)


def _status(value: str) -> str:
    """A step's name in the reader's language; translated once per request and language (a
    list shows it on every row; mails in other languages are rendered in the same request)."""
    locale = str(get_locale())
    labels = g.setdefault("status_labels", {})
    if locale not in labels:
        labels[locale] = {code: str(label) for code, label in STATUS_LABELS.items()}
    return labels[locale].get(CaseStatus(value), value)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        country=country_name,
        language=language_name,
        endonym=language_endonym,
        datetime=_datetime,
        date=_date,
        status=_status,
        filesize=_filesize,
        number=_number,
        partial_date=_partial_date,
    )
    app.jinja_env.globals.update(current_user=current_user)
