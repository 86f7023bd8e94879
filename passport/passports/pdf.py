"""The passport PDF, drawn from the frozen snapshot with ReportLab.

This is the English-only first version: the bilingual layout with scripts, fonts and signature
is its own piece of work. Rendering is deterministic (`invariant`), so the same snapshot always
gives the same bytes and the stored SHA-256 identifies the issued file.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from babel import Locale
from babel.dates import format_date
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

LEVELS = {
    "upper_secondary": "Upper secondary education giving access to higher education",
    "short_cycle": "Short-cycle higher education",
    "bachelor": "Bachelor's degree",
    "master": "Master's degree",
    "doctorate": "Doctorate",
    "vocational": "Vocational qualification",
    "other": "Other qualification",
}

EXPLANATION = (
    "This document describes the qualifications of its holder as assessed by trained "
    "credential evaluators through a structured interview and the documentation available. "
    "It is not a formal recognition decision. It is meant to help the holder with admission "
    "to studies, with employment and with later recognition procedures."
)

_EN = Locale("en")


def _country(code: str) -> str:
    return _EN.territories.get(code, code) if code else ""


def _date(iso: str) -> str:
    return format_date(date.fromisoformat(iso), "long", locale=_EN)


def _qr(url: str, size: float = 32 * mm) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M")
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    return drawing


def _rows(pairs: list[tuple[str, str]], style: ParagraphStyle) -> Table:
    data = [[Paragraph(escape(k), style), Paragraph(escape(v), style)] for k, v in pairs if v]
    table = Table(data, colWidths=[55 * mm, 115 * mm])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TEXTCOLOR", (0, 0), (0, -1), colors.HexColor("#444444")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#cccccc")),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


def render(snapshot: dict[str, Any]) -> bytes:
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=10, leading=13)
    heading = ParagraphStyle("h", parent=styles["Heading2"], fontSize=13, spaceBefore=10)
    title = ParagraphStyle("t", parent=styles["Title"], fontSize=20)

    holder = snapshot["holder"]
    qual = snapshot["highest_qualification"]
    scheme = snapshot["scheme"]
    completed = "Completed" if qual["completed"] else "Not completed"
    if qual.get("years_completed"):
        completed += f" ({qual['years_completed']} years of study completed)"

    story: list[Any] = [
        Paragraph(escape(scheme["name"]), title),
        Paragraph(escape(f"Issued by {scheme['issuing_body']}"), body),
        Spacer(0, 4 * mm),
        _rows([
            ("Passport number", snapshot["number"]),
            ("Date of issue", _date(snapshot["issued_on"])),
            ("Valid until", _date(snapshot["valid_until"])),
        ], body),
        Paragraph("Holder", heading),
        _rows([
            ("Name", f"{holder['given_name']} {holder['family_name']}"),
            ("Date of birth", holder["birth_date"]),
            ("Nationality", _country(holder["nationality"])),
        ], body),
        Paragraph("Highest qualification", heading),
        _rows([
            ("Level", LEVELS.get(qual["level"], qual["level"])),
            ("Title", qual["title"]),
            ("Field of study", qual["field"]),
            ("Institution", qual["institution"]),
            ("Country", _country(qual["country"])),
            ("Completion", completed),
        ], body),
        Paragraph("Assessment", heading),
        Paragraph(escape(snapshot["summary"]).replace("\n", "<br/>"), body),
        Paragraph("Assessed by", heading),
        _rows(
            [(f"Evaluator {i}", f"{e['name']}, {e['centre']}")
             for i, e in enumerate(snapshot["evaluators"], 1)]
            + [("Approved by", snapshot["approved_by"])],
            body,
        ),
        Paragraph("About this document", heading),
        Paragraph(EXPLANATION, body),
        Spacer(0, 4 * mm),
        Table(
            [[_qr(snapshot["verify_url"]),
              Paragraph("Check that this passport is genuine and valid at<br/>"
                        + escape(snapshot["verify_url"]), body)]],
            colWidths=[38 * mm, 132 * mm],
            style=[("VALIGN", (0, 0), (-1, -1), "MIDDLE")],
        ),
    ]

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Qualifications passport {snapshot['number']}",
        author=scheme["issuing_body"],
        subject=scheme["name"],
        lang="en",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        invariant=1,
    )
    doc.build(story)
    return buffer.getvalue()
