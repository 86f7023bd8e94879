"""The draft passport, exactly as it will be printed, for the coordinator to look at before
approving: the same snapshot and renderer as issuing, with "DRAFT" across every page, no number,
no signature, and a QR code that leads to the "not found" verification page."""

from __future__ import annotations

import io
import threading

from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas

from passport.auth.models import User
from passport.cases.models import Case
from passport.db import utcnow
from passport.interviews.models import Assessment
from passport.passports import pdf
from passport.passports.services import add_years, build_snapshot, second_language, verification_url

DRAFT_ID = "draft-not-valid"


def draft_snapshot(case: Case, assessment: Assessment, approver: User) -> dict:
    today = utcnow().date()
    snapshot = build_snapshot(case, assessment, approver)
    snapshot.update(
        number=f"{case.scheme.code}-{today.year}-DRAFT",
        issued_on=today.isoformat(),
        valid_until=add_years(today, case.scheme.validity_years).isoformat(),
        verify_url=verification_url(DRAFT_ID),
    )
    return snapshot


def _stamp(width: float, height: float) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height))
    canvas.saveState()
    canvas.setFillColor(Color(0.8, 0.1, 0.1, alpha=0.18))
    canvas.setFont("Helvetica-Bold", 110)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(50)
    canvas.drawCentredString(0, -35, "DRAFT")
    canvas.restoreState()
    canvas.setFillColor(Color(0.8, 0.1, 0.1))
    canvas.setFont("Helvetica-Bold", 9)
    canvas.drawCentredString(width / 2, height - 18,
                             "DRAFT - NOT ISSUED, NOT SIGNED, NOT VERIFIABLE")
    canvas.save()
    return buffer.getvalue()


def draft_pdf(case: Case, assessment: Assessment, approver: User,
              language: str | None = None) -> bytes:
    from pypdf import PdfReader, PdfWriter

    lang = language or second_language(case.candidate)
    data = pdf.render(draft_snapshot(case, assessment, approver), lang, None)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    stamp_page = None
    for page in writer.pages:
        if stamp_page is None:
            box = page.mediabox
            stamp_page = PdfReader(io.BytesIO(_stamp(float(box.width),
                                                     float(box.height)))).pages[0]
        page.merge_page(stamp_page)
    writer.add_metadata({"/Title": "DRAFT - not a passport"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# PDFium is not thread-safe: a browser asks for the page images at once, and two threads of one
# server process rendering together crashed the process (segmentation fault). One at a time.
_PDFIUM = threading.Lock()


def page_image(data: bytes, index: int, scale: float = 1.5) -> bytes | None:
    """One page of the PDF as a PNG image (every browser shows it, phones included)."""
    import pypdfium2

    with _PDFIUM:  # the PNG is written while PDFium's bitmap is still alive
        doc = pypdfium2.PdfDocument(data)
        try:
            if not 0 <= index < len(doc):
                return None
            buffer = io.BytesIO()
            doc[index].render(scale=scale).to_pil().save(buffer, format="PNG", optimize=True)
            return buffer.getvalue()
        finally:
            doc.close()


def page_count(data: bytes) -> int:
    import pypdfium2

    with _PDFIUM:
        doc = pypdfium2.PdfDocument(data)
        try:
            return len(doc)
        finally:
            doc.close()
