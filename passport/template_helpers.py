"""Jinja filters: dates, times and names formatted for the reader's language with Babel."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time
from typing import Any

from babel import Locale
from flask import Flask, g
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

from passport.cases.workflow import STATUS_LABELS
from passport.i18n import (
    active_locale,
    active_timezone,
    country_name,
    for_active_locale,
    language_endonym,
    language_name,
)


@functools.lru_cache(maxsize=64)
def _datetime_patterns(locale_id: str, fmt: str) -> tuple[str, Any, Any]:
    """The locale's glue ("{1}, {0}") and its date and time patterns for one length. "short"
    spells the month: CLDR's all-digit short date is "11/30/26" in English, which most of our
    readers take for another day; so it is the medium date with the short time."""
    locale = Locale.parse(locale_id)
    date_length = "medium" if fmt == "short" else fmt
    glue = str(locale.datetime_formats[date_length]).replace("'", "")  # as Babel does
    return glue, locale.date_formats[date_length], locale.time_formats[fmt]


class _DateTimes:
    """Dates and times of one length in one language and zone, for one request. A list formats
    dozens of dates, most on a few days: each day and each clock time is formatted once (Babel's
    formatting was the costliest part of a row)."""

    def __init__(self, locale: Locale, zone: Any, fmt: str) -> None:
        self.locale, self.zone, self.fmt = locale, zone, fmt
        self.glue, self.date_pattern, self.time_pattern = _datetime_patterns(str(locale), fmt)
        self.days: dict[date, str] = {}
        self.clocks: dict[time, str] = {}

    def __call__(self, value: datetime) -> str:
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        local = value.astimezone(self.zone)
        day = self.days.get(local.date())
        if day is None:
            day = self.days[local.date()] = self.date_pattern.apply(local.date(), self.locale)
        if self.fmt in ("short", "medium"):
            # To the minute (short) or second (medium) shown: rows changed within the same
            # minute share one formatting.
            shown = local.time().replace(second=0 if self.fmt == "short" else local.second,
                                         microsecond=0)
            clock = self.clocks.get(shown)
            if clock is None:
                clock = self.clocks[shown] = self.time_pattern.apply(shown, self.locale)
        else:  # long and full times name the zone, which a bare clock time cannot tell
            clock = self.time_pattern.apply(local, self.locale)
        return self.glue.replace("{1}", day).replace("{0}", clock)


def _datetime(value: datetime | None, fmt: str = "medium") -> str:
    """In the reader's time zone and language."""
    if value is None:
        return ""
    if fmt not in ("short", "medium", "long", "full"):
        return format_datetime(value, fmt)
    locale, zone = active_locale(), active_timezone()
    formatters = g.setdefault("_datetimes", {})
    formatter = formatters.get(fmt)
    # By identity: `force_locale` (a mail in the recipient's language) swaps them mid-request.
    if formatter is None or formatter.locale is not locale or formatter.zone is not zone:
        formatter = formatters[fmt] = _DateTimes(locale, zone, fmt)
    return formatter(value)


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


@functools.cache
def _status_labels(_locale_id: str) -> dict[str, str]:
    # Called while that language is the active one (for_active_locale), so the lazy labels
    # come out in it.
    return {code.value: str(label) for code, label in STATUS_LABELS.items()}


def _status(value: str) -> str:
    """A step's name in the reader's language (a list shows one on every row)."""
    return for_active_locale(_status_labels).get(value, value)


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
