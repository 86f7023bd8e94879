"""The coordinators' dashboard: where the work stands, as charts drawn here (SVG, no script,
no inline style: colours come from classes in app.css), each with its numbers as a table and
a CSV file.

Every figure is computed from a handful of grouped queries over the coordinator's schemes.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median
from typing import Any

from flask_babel import format_date, format_decimal
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import func, select

from passport.auth.models import User
from passport.cases.models import Assignment, AssignmentRole, Case
from passport.cases.workflow import STATUS_LABELS, CaseStatus
from passport.db import session, utcnow
from passport.interviews.models import Interview, InterviewStatus
from passport.org.models import Scheme
from passport.passports.models import Passport

OPEN_STEPS = [s for s in CaseStatus if s not in {
    CaseStatus.INELIGIBLE, CaseStatus.PASSPORT_ISSUED, CaseStatus.CLOSED}]
SERIES_CLASSES = 6  # .series-0 ... .series-5 in app.css


@dataclass
class Chart:
    name: str
    title: Any
    columns: list[Any]
    rows: list[list[Any]]  # first cell: the label; then one number per series
    series: list[Any] = field(default_factory=list)
    unit: Any = ""
    stacked: bool = False

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([str(c) for c in self.columns])
        for row in self.rows:
            writer.writerow([str(row[0]), *row[1:]])
        return out.getvalue()

    def svg(self) -> Markup:
        return _vertical_svg(self) if self.stacked else _horizontal_svg(self)


def _fmt(value: float) -> str:
    return format_decimal(round(value, 1)) if isinstance(value, float) else str(value)


def _horizontal_svg(chart: Chart) -> Markup:
    """One group of horizontal bars per row (one bar per series), labels on the left."""
    label_w, bar_area, bar_h, gap = 190, 330, 14, 10
    n_series = max(1, len(chart.series))
    group_h = n_series * bar_h + gap
    height = max(1, len(chart.rows)) * group_h + 10
    width = label_w + bar_area + 60
    plotted = [row[1:1 + n_series] for row in chart.rows]
    peak = max([v for values in plotted for v in values] or [0]) or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-{chart.name}-title" direction="ltr" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-{chart.name}-title">{escape(str(chart.title))}</title>',
    ]
    for i, row in enumerate(chart.rows):
        y = 5 + i * group_h
        label = str(row[0])
        if len(label) > 28:
            label = label[:27] + "…"
        ty = y + n_series * bar_h / 2 + 4
        parts.append(f'<text class="chart-label" x="{label_w - 8}" y="{ty}"'
                     f' text-anchor="end">{escape(label)}</text>')
        for s, value in enumerate(plotted[i]):
            w = bar_area * value / peak
            by = y + s * bar_h
            parts.append(f'<rect class="bar series-{s % SERIES_CLASSES}" x="{label_w}" '
                         f'y="{by}" width="{w:.1f}" height="{bar_h - 2}"/>')
            parts.append(f'<text class="chart-value" x="{label_w + w + 4:.1f}" '
                         f'y="{by + bar_h - 4}">{escape(_fmt(value))}</text>')
    parts.append(f'<line class="axis" x1="{label_w}" y1="0" x2="{label_w}" y2="{height}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text is escaped above)


def _month_label(label: str) -> tuple[str, str]:
    """"2026-11" → ("Nov", "2026") in the reader's language; other labels unchanged."""
    try:
        day = date.fromisoformat(f"{label}-01")
    except ValueError:
        return label, ""
    return format_date(day, "LLL"), str(day.year)


def _vertical_svg(chart: Chart) -> Markup:
    """Stacked columns, one per row (month), one segment per series (scheme)."""
    left, col_w, gap, plot_h, bottom = 30, 34, 8, 160, 46
    width = left + max(1, len(chart.rows)) * (col_w + gap) + 10
    height = plot_h + bottom + 10
    peak = max([sum(row[1:]) for row in chart.rows] or [0]) or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-{chart.name}-title" direction="ltr" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-{chart.name}-title">{escape(str(chart.title))}</title>',
        f'<text class="chart-value" x="{left - 4}" y="14" text-anchor="end">{peak}</text>',
        f'<text class="chart-value" x="{left - 4}" y="{plot_h + 10}" text-anchor="end">0</text>',
    ]
    for i, row in enumerate(chart.rows):
        x = left + gap / 2 + i * (col_w + gap)
        y = plot_h + 10
        for s, value in enumerate(row[1:]):
            h = plot_h * value / peak
            if h:
                y -= h
                parts.append(f'<rect class="bar series-{s % SERIES_CLASSES}" x="{x:.1f}" '
                             f'y="{y:.1f}" width="{col_w}" height="{h:.1f}"/>')
        total = sum(row[1:])
        if total:
            parts.append(f'<text class="chart-value" x="{x + col_w / 2:.1f}" y="{y - 3:.1f}" '
                         f'text-anchor="middle">{total}</text>')
        month, year = _month_label(str(row[0]))
        parts.append(f'<text class="chart-label chart-month" x="{x + col_w / 2:.1f}" '
                     f'y="{plot_h + 26}" text-anchor="middle">{escape(month)}</text>')
        if year and (i == 0 or month == _month_label(f"{year}-01")[0]):
            parts.append(f'<text class="chart-value" x="{x + col_w / 2:.1f}" '
                         f'y="{plot_h + 40}" text-anchor="middle">{escape(year)}</text>')
    parts.append(f'<line class="axis" x1="{left}" y1="{plot_h + 10}" x2="{width}" '
                 f'y2="{plot_h + 10}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text is escaped above)


def _scheme_ids(user: User) -> list[int]:
    return [s.id for s in user.coordinated_schemes]


def cases_per_step(scheme_ids: list[int]) -> Chart:
    counts = dict(session.execute(
        select(Case.status, func.count()).where(Case.scheme_id.in_(scheme_ids))
        .group_by(Case.status)
    ).all())
    rows = [[STATUS_LABELS[s], counts[s]] for s in CaseStatus if counts.get(s)]
    return Chart("cases-per-step", _l("Cases per step"), [_l("Step"), _l("Cases")], rows,
                 series=[_l("Cases")])


def waiting_per_step(scheme_ids: list[int], now: datetime) -> Chart:
    waits: dict[str, list[float]] = defaultdict(list)
    for status, updated in session.execute(
        select(Case.status, Case.updated_at)
        .where(Case.scheme_id.in_(scheme_ids), Case.status.in_([str(s) for s in OPEN_STEPS]))
    ):
        waits[status].append((now - updated).total_seconds() / 86400)
    rows = [[STATUS_LABELS[s], round(median(waits[s]), 1), len(waits[s])]
            for s in OPEN_STEPS if waits.get(s)]
    chart = Chart("waiting-per-step", _l("Median waiting time per step (days)"),
                  [_l("Step"), _l("Median days waiting"), _l("Cases")], rows,
                  series=[_l("Median days waiting")], unit=_l("days"))
    return chart


def evaluator_load(scheme_ids: list[int], now: datetime) -> Chart:
    open_cases = dict(session.execute(
        select(Assignment.user_id, func.count())
        .join(Case, Case.id == Assignment.case_id)
        .where(Case.scheme_id.in_(scheme_ids), Assignment.role == AssignmentRole.EVALUATOR,
               Case.status.in_([str(s) for s in OPEN_STEPS]))
        .group_by(Assignment.user_id)
    ).all())
    upcoming = dict(session.execute(
        select(Assignment.user_id, func.count(Interview.id))
        .join(Case, Case.id == Assignment.case_id)
        .join(Interview, Interview.case_id == Case.id)
        .where(Case.scheme_id.in_(scheme_ids), Assignment.role == AssignmentRole.EVALUATOR,
               Interview.status == InterviewStatus.SCHEDULED,
               Interview.starts_at >= now, Interview.starts_at < now + timedelta(days=14))
        .group_by(Assignment.user_id)
    ).all())
    ids = set(open_cases) | set(upcoming)
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())
    rows = sorted(([names[i], open_cases.get(i, 0), upcoming.get(i, 0)] for i in ids),
                  key=lambda r: (-r[1], r[0]))
    return Chart("evaluator-load", _l("Evaluators' open cases and interviews in the next "
                                      "14 days"),
                 [_l("Evaluator"), _l("Open cases"), _l("Interviews in the next 14 days")],
                 rows, series=[_l("Open cases"), _l("Interviews in the next 14 days")])


def _months(today: date, count: int = 12) -> list[tuple[int, int]]:
    year, month = today.year, today.month
    result = []
    for _ in range(count):
        result.append((year, month))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(result))


def passports_per_month(scheme_ids: list[int], today: date) -> Chart:
    months = _months(today)
    start = date(months[0][0], months[0][1], 1)
    schemes = list(session.scalars(
        select(Scheme).where(Scheme.id.in_(scheme_ids)).order_by(Scheme.code)))
    counts: dict[tuple[int, int, int], int] = defaultdict(int)
    for scheme_id, issued in session.execute(
        select(Passport.scheme_id, Passport.issued_on)
        .where(Passport.scheme_id.in_(scheme_ids), Passport.issued_on >= start)
    ):
        counts[(issued.year, issued.month, scheme_id)] += 1
    rows = [[f"{y}-{m:02d}", *(counts[(y, m, s.id)] for s in schemes)] for y, m in months]
    return Chart("passports-per-month", _l("Passports issued per month, by scheme"),
                 [_l("Month"), *(s.code for s in schemes)], rows,
                 series=[s.code for s in schemes], stacked=True)


def build(user: User, now: datetime | None = None) -> list[Chart]:
    now = now or utcnow()
    ids = _scheme_ids(user)
    return [
        cases_per_step(ids),
        waiting_per_step(ids, now),
        evaluator_load(ids, now),
        passports_per_month(ids, now.date()),
    ]
