"""The passport PDF read back as a reader sees it: sections, scripts, order, pages, QR code."""

from __future__ import annotations

import io
import re
import unicodedata
from functools import lru_cache

import pdfplumber
import pypdfium2
import pytest
import zxingcpp
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from pypdf import PdfReader

from passport.passports import pdf
from passport.passports.pdf_texts import MESSAGES, PDF_LANGUAGES, TRANSLATIONS_DIR, texts
from passport.passports.pdftext import TextStyle, layout
from tests.pdf_samples import long_case, typical

SIGNATURE = {"key_id": "qp-ed25519-0123456789abcdef", "value": "A" * 86}
ARABIC = (
    "درس المرشح الهندسة المدنية في جامعة دمشق من 2010 إلى 2014 وأكمل ECTS 180 مع مشروع تخرج "
    "عن الجسور الخرسانية ثم عمل مهندسا في مواقع البناء لمدة خمس سنوات كاملة قبل أن يغادر البلد "
    "مع أسرته في نهاية الحرب"
)


@lru_cache(maxsize=32)
def _render(kind: str, lang: str) -> bytes:
    snapshot = long_case(12) if kind == "long" else typical()
    if kind == "arabic-summary":
        snapshot["summary"] = ARABIC
    return pdf.render(snapshot, lang, SIGNATURE)


def _char_text(ch: dict) -> str:
    """What a reader gets for one glyph: presentation forms and ligatures back to letters, in
    visual order (so a lam-alef ligature reads alef-lam in a right-to-left line)."""
    text = unicodedata.normalize("NFKC", ch["text"])
    if len(text) > 1 and unicodedata.bidirectional(text[0]) in ("AL", "R"):
        text = text[::-1]
    return text


def visual_lines(data: bytes) -> list[list[str]]:
    """Per page, its lines of text left to right as drawn (characters grouped by baseline)."""
    pages = []
    with pdfplumber.open(io.BytesIO(data)) as doc:
        for page in doc.pages:
            rows: dict[int, list[dict]] = {}
            for ch in page.chars:
                rows.setdefault(round(ch["matrix"][5]), []).append(ch)
            lines = []
            for y in sorted(rows, reverse=True):
                chars = sorted(rows[y], key=lambda c: c["x0"])
                lines.append("".join(_char_text(c) for c in chars))
            pages.append(lines)
    return pages


def rtl_visual(phrase: str) -> str:
    """How a purely right-to-left phrase reads when taken left to right off the page."""
    return phrase[::-1]


def _all(data: bytes) -> str:
    return "\n".join(line for page in visual_lines(data) for line in page)


def test_every_section_in_english_and_second_language():
    for lang in ("fr", "ar"):
        text = _all(_render("typical", lang))
        t = texts(lang)
        for key in ("sec_holder", "sec_highest", "sec_other", "sec_work", "sec_languages",
                    "sec_documents", "sec_summary", "sec_assessed", "part_a", "part_b",
                    "sec_verify", "what_it_is_not"):
            english = MESSAGES[key]
            assert english.split(" ")[0] in text, (lang, key)
            second = t[key] if lang == "fr" else rtl_visual(t[key])
            if key == "what_it_is_not":  # a paragraph: wrapped, so check its first words
                second = second[:20] if lang == "fr" else rtl_visual(t[key].split(" ")[0])
            assert second in text, (lang, key, second)
        # Data as recorded, dates and countries per language, the holder in their own script.
        assert "Amina Haddad" in text
        assert "EQPR-2026-00042-7" in text
        assert ("17 mars 2026" if lang == "fr" else rtl_visual("مارس") + " 17") in text
        assert ("Syrie" if lang == "fr" else rtl_visual("سوريا")) in text
        assert rtl_visual("حداد") in text and rtl_visual("أمينة") in text
        assert SIGNATURE["key_id"] in text


def test_arabic_lines_read_right_to_left_with_numbers_and_latin_in_their_own_order():
    pages = visual_lines(_render("arabic-summary", "ar"))
    lines = [line for page in pages for line in page if rtl_visual("الجسور") in line
             or rtl_visual("المرشح") in line or rtl_visual("الحرب") in line]
    assert len(lines) >= 2, "the sentence should wrap onto a second line"
    first = lines[0]
    # The first word of the sentence stands to the right of the second.
    assert first.index(rtl_visual("درس")) > first.index(rtl_visual("المرشح"))
    # Numbers and Latin words keep their own order inside the right-to-left line.
    joined = " ".join(lines)
    assert "2014" in joined and "4102" not in joined
    assert "2010" in joined
    assert "ECTS 180" in joined
    # Wrapped lines come in reading order: the sentence's last word is on the last line.
    assert rtl_visual("الحرب") in lines[-1]
    assert rtl_visual("درس") not in lines[-1]


def test_bidi_engine_breaks_logically_then_reorders_each_line():
    style = TextStyle(size=10, leading=12, direction="rtl")
    lines = layout("واحد اثنان ثلاثة أربعة خمسة ستة سبعة", 60, style)
    assert len(lines) > 1
    # Logical order top to bottom, each line right to left.
    words = [w for line in lines for w in reversed(line.visual_text.split(" ")) if w]
    assert [w[::-1] for w in words] == ["واحد", "اثنان", "ثلاثة", "أربعة", "خمسة", "ستة", "سبعة"]
    mixed = layout("عام 2014 (ECTS 180) في دمشق", 500, style)[0].visual_text
    assert mixed == rtl_visual("قشمد يف") + " (ECTS 180) 2014 " + rtl_visual("ماع") or (
        "ECTS 180" in mixed and "2014" in mixed
    )


@pytest.mark.parametrize("lang", ["uk", "ti"])
def test_cyrillic_and_ethiopic_text_comes_out_as_written(lang):
    text = _all(_render("long", lang))
    t = texts(lang)
    for key in ("sec_languages", "sec_work", "date_of_birth", "not_assessed"):
        if key == "not_assessed":
            continue
        assert t[key] in text, (lang, key, t[key])
    flowing = text.replace("\n", " ")  # values may wrap inside their column
    assert "Київський національний університет будівництва і архітектури" in flowing
    assert "Short course 3: Навчальний курс з проєктування мостів" in flowing
    assert "ኣስመራ ዩኒቨርሲቲ ክፍሊ ምህንድስና 3" in flowing
    assert "Mohammed Abdulrahman Abdulkarim Mustafa Al-Hashimi" in flowing


def test_long_case_flows_onto_numbered_pages_without_cut_or_overlap():
    data = _render("long", "ar")
    pages = visual_lines(data)
    total = len(pages)
    assert total >= 3
    for number, lines in enumerate(pages, 1):
        joined = "\n".join(lines)
        assert f"Page {number} of {total}" in joined
        # "الصفحة 2 من 5", read off the page left to right.
        assert f"{total} {rtl_visual('من')} {number} {rtl_visual('الصفحة')}" in joined
        assert "EQPR-2026-00042-7" in lines[0]  # running header
    # All twelve courses and every work entry are there, once.
    text = "\n".join("\n".join(p) for p in pages)
    for i in range(12):
        assert f"Short course {i}:" in text
        assert len(re.findall(f"ምህንድስና {i}(?![0-9])", text)) == 1
    with pdfplumber.open(io.BytesIO(data)) as doc:
        for page in doc.pages:
            words = page.extract_words(use_text_flow=False, keep_blank_chars=False)
            for w in words:  # inside the page's margins: nothing cut off
                assert w["x0"] > 40 and w["x1"] < page.width - 40, w
                assert w["top"] > 20 and w["bottom"] < page.height - 20, w
            # No two words drawn over each other. Font boxes (ascent to descent) of Arabic are
            # taller than the line spacing, so words overlap only if their boxes share most
            # of their height as well as some width.
            boxes = sorted((w["top"], w["bottom"], w["x0"], w["x1"]) for w in words)
            for i, (top, bottom, x0, x1) in enumerate(boxes):
                for top2, bottom2, x02, x12 in boxes[i + 1:]:
                    if top2 >= bottom:
                        break
                    shared_height = min(bottom, bottom2) - top2
                    if shared_height < 0.5 * min(bottom - top, bottom2 - top2):
                        continue
                    assert min(x1, x12) - max(x0, x02) < 1, ("overlap", top, x0, top2, x02)


def test_pdf_metadata_fonts_page_size_and_selectable_text():
    data = _render("typical", "ar")
    reader = PdfReader(io.BytesIO(data))
    info = reader.metadata
    assert "EQPR-2026-00042-7" in info.title and "جواز المؤهلات" in info.title
    assert info["/QPSignature"] == SIGNATURE["value"]
    assert info["/QPPublicId"] == "q7Hc2VbX9kLmN3pR5sTu8wYz"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    for page in reader.pages:
        assert [round(float(v), 1) for v in page.mediabox] == [0, 0, 595.3, 841.9]
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font.get("/DescendantFonts")
            descriptor = (descendant[0].get_object() if descendant else font)["/FontDescriptor"]
            assert "/FontFile2" in descriptor, "font not embedded"
            fonts.add(str(font["/BaseFont"]))
    assert all(re.match(r"^/[A-Z]{6}\+", name) for name in fonts), fonts  # subsets
    assert any("NotoSansArabic" in f for f in fonts) and any("NotoSans-" in f for f in fonts)
    assert "Passport number" in reader.pages[0].extract_text()


def test_same_snapshot_same_bytes():
    snapshot = typical()
    assert pdf.render(snapshot, "fa", SIGNATURE) == pdf.render(typical(), "fa", SIGNATURE)


def test_qr_code_decodes_to_the_verification_url():
    doc = pypdfium2.PdfDocument(_render("typical", "nb"))
    image = doc[0].render(scale=3).to_pil()
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == ["https://passport.test/verify/q7Hc2VbX9kLmN3pR5sTu8wYz"]


def test_missing_parts_say_not_assessed_in_both_languages():
    snapshot = typical()
    for key in ("other_qualifications", "languages", "documents"):
        snapshot.pop(key)
    snapshot["work_experience"] = []
    text = _all(pdf.render(snapshot, "nn", None))
    assert text.count("Not assessed") == 3 and text.count("Ikkje vurdert") == 3
    assert "None recorded" in text and "Ingen registrert" in text
    assert "Digital signature" not in text  # unsigned preview


def test_uqp_passport_has_the_way_ahead_part():
    snapshot = typical()
    snapshot["scheme"]["code"] = "UQP"
    text = _all(pdf.render(snapshot, "uk", None))
    assert "Part C: The way ahead" in text and "Частина C: Подальші кроки" in text
    snapshot["way_ahead"] = "Apply to the University of Bergen for a master's programme."
    text = _all(pdf.render(snapshot, "en", None))
    assert "Apply to the University of Bergen" in text and "Not assessed" not in text.split(
        "Part C")[1]


def test_catalogues_complete_reviewed_status_and_compiled():
    for lang in PDF_LANGUAGES:
        po_path = TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "passport_pdf.po"
        raw = po_path.read_text(encoding="utf-8")
        assert "X-Review-Status: " + ("source" if lang == "en" else "draft") in raw
        with po_path.open("rb") as fh:
            catalogue = read_po(fh)
        ids = {m.id for m in catalogue if m.id}
        assert ids == set(MESSAGES.values()), lang
        assert not any(m.fuzzy for m in catalogue if m.id), lang
        if lang == "en":
            continue
        assert all(m.string for m in catalogue if m.id), lang
        with (po_path.with_suffix(".mo")).open("rb") as fh:
            compiled = read_mo(fh)
        assert {m.id: m.string for m in compiled if m.id} == {
            m.id: m.string for m in catalogue if m.id
        }, f"{lang}: .mo is out of date; run pybabel compile -D passport_pdf -d translations"
