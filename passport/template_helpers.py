"""Jinja filters: dates, times and names formatted for the reader's language with Babel."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any

from babel import Locale
from flask import Flask, g
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

from passport.cases.workflow import STATUS_LABELS, CaseStatus
from passport.i18n import (
    active_locale,
    active_timezone,
    country_name,
    language_endonym,
    language_name,
)


@lru_cache(maxsize=64)
def _datetime_patterns(locale: Locale, fmt: str) -> tuple[str, Any, Any]:
    """The locale's glue ("{1}, {0}") and its date and time patterns for one length. "short"
    spells the month: CLDR's all-digit short date is "11/30/26" in English, which most of our
    readers take for another day; so it is the medium date with the short time."""
    date_length = "medium" if fmt == "short" else fmt
    glue = str(locale.datetime_formats[date_length]).replace("'", "")  # as Babel does
    return glue, locale.date_formats[date_length], locale.time_formats[fmt]


@lru_cache(maxsize=4096)
def _date_part(day: date, locale: Locale, fmt: str) -> str:
    return _datetime_patterns(locale, fmt)[1].apply(day, locale)


@lru_cache(maxsize=4096)
def _clock_part(clock: time, locale: Locale, fmt: str) -> str:
    return _datetime_patterns(locale, fmt)[2].apply(clock, locale)


def _datetime(value: datetime | None, fmt: str = "medium") -> str:
    """In the reader's time zone and language. A list formats dozens of dates, most on a few
    days: the day and the clock are each formatted once per language (Babel's formatting was
    the costliest part of a row)."""
    if value is None:
        return ""
    if fmt not in ("short", "medium", "long", "full"):
        return format_datetime(value, fmt)
    locale = active_locale()
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(active_timezone())
    glue, _date_pattern, time_pattern = _datetime_patterns(locale, fmt)
    # Long and full times name the zone, which a bare clock time cannot tell.
    clock = _clock_part(local.time(), locale, fmt) if fmt in ("short", "medium") \
        else time_pattern.apply(local, locale)
    return glue.replace("{1}", _date_part(local.date(), locale, fmt)).replace("{0}", clock)


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
    locale = str(active_locale())
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
