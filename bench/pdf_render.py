"""Passport PDF rendering speed.

Measures, in one run:
- a bilingual Arabic + English passport of 2-3 pages (median and p95 per render),
- a one-page ReportLab document with the same fonts (plain Paragraphs, no bidi or shaping of
  ours): the baseline, and the ratio between the two,
- the batch re-render command on a database of N issued passports (passports per second), on
  one process and on every core (the speed-up is the ratio).

Run: .venv/bin/python bench/pdf_render.py [--runs 40] [--batch 100]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.platypus import Paragraph, SimpleDocTemplate  # noqa: E402

from passport.passports import pdf  # noqa: E402
from passport.passports.pdftext import register_fonts  # noqa: E402
from tests.pdf_samples import typical  # noqa: E402

SIGNATURE = {"key_id": "qp-ed25519-0123456789abcdef", "value": "A" * 86}


def passport_once() -> bytes:
    return pdf.render(typical(), "ar", SIGNATURE)


def baseline_once() -> bytes:
    """One A4 page, same fonts (Latin, Arabic shaped by ReportLab), ReportLab's own layout."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, invariant=1)
    latin = ParagraphStyle("l", fontName="QP-Sans", fontSize=9, leading=12)
    arabic = ParagraphStyle("a", fontName="QP-Arabic", fontSize=9, leading=12, shaping=1)
    story = []
    for _ in range(12):
        story.append(Paragraph("The candidate described the curriculum, the final project and "
                               "the practical training in detail (ECTS 180, 2014).", latin))
        story.append(Paragraph("درس المرشح الهندسة المدنية في جامعة دمشق وأكمل مشروع تخرج.",
                               arabic))
    doc.build(story)
    return buffer.getvalue()


def timed(fn, runs: int) -> list[float]:
    fn()  # warm up: fonts parsed, caches filled
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def batch(n: int) -> dict[int, float]:
    """Issue n passports through the real services, then time `rerender-passports` on one
    process and on every core: passports per second for each."""
    folder = tempfile.mkdtemp(prefix="qp-bench-")
    os.environ["PASSPORT_DATABASE_URL"] = f"sqlite:///{folder}/bench.db"
    os.environ["PASSPORT_SIGNING_KEY_DIR"] = f"{folder}/keys"
    os.environ.setdefault("PASSPORT_SECRET_KEY", "bench-secret-key-that-is-long-enough-0123456")
    from passport import create_app
    from passport.cli import init_db
    from passport.db import session
    from passport.passports.models import Passport

    app = create_app()
    with app.app_context():
        init_db()
        from passport import demo

        demo.load()  # one issued passport and everything needed to issue more
        first = session.query(Passport).first()
        from passport.passports import services

        while session.query(Passport).count() < n:
            from passport.cases.models import Case
            from passport.interviews.services import current_assessment

            case = session.get(Case, first.case_id)
            services.issue(case, current_assessment(case), first.approved_by, "ar")
            session.commit()
        runner = app.test_cli_runner()
        rates = {}
        for jobs in (1, os.cpu_count() or 1):
            start = time.perf_counter()
            result = runner.invoke(args=["rerender-passports", "--jobs", str(jobs)])
            seconds = time.perf_counter() - start
            assert result.exit_code == 0, result.output
            rates[jobs] = n / seconds
        return rates


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    register_fonts()
    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(passport_once())).pages)
    passport = timed(passport_once, args.runs)
    base = timed(baseline_once, args.runs)
    m_p, m_b = statistics.median(passport), statistics.median(base)
    print(f"bilingual Arabic+English passport ({pages} pages): median {m_p * 1000:.0f} ms, "
          f"p95 {p95(passport) * 1000:.0f} ms  ({args.runs} runs)")
    print(f"one-page ReportLab baseline, same fonts:        median {m_b * 1000:.0f} ms, "
          f"p95 {p95(base) * 1000:.0f} ms")
    print(f"ratio passport / baseline (median): {m_p / m_b:.1f}x")
    rates = batch(args.batch)
    one, most = rates[1], max(rates)
    print(f"batch rerender-passports ({args.batch} passports, SQLite): one process "
          f"{one:.1f} passports/second; {most} processes {rates[most]:.1f} passports/second "
          f"({rates[most] / one:.2f}x one process)")


if __name__ == "__main__":
    main()
