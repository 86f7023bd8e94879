"""The passport PDF: bilingual (English and a second language), drawn from the frozen snapshot.

Every label and fixed text is printed in English and in the passport's second language; the
words come from the `passport_pdf` gettext catalogues (see `pdf_texts`), dates, numbers, country
and language names from Babel's locale data. Text in any script goes through `pdftext`, which
shapes it with HarfBuzz and reorders right-to-left lines itself.

Rendering is deterministic (`invariant`): the same snapshot, language and signature always give
the same bytes, so the stored SHA-256 identifies the issued file.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal
from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFInfo, PDFName, PDFString
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from passport.passports.pdf_texts import PDF_LANGUAGES, RTL, texts
from passport.passports.pdftext import BidiParagraph, TextStyle, draw_text, register_fonts

PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
CONTENT_W = PAGE_W - 2 * MARGIN
INK = colors.HexColor("#1b1b1b")
MUTED = colors.HexColor("#4a4a4a")
ACCENT = colors.HexColor("#1d3f6e")
RULE = colors.HexColor("#c7ccd4")
BAND = colors.HexColor("#e9eef5")

CEFR = {"A1", "A2", "B1", "B2", "C1", "C2"}
SKILLS = ("listening", "reading", "writing", "spoken_production", "spoken_interaction")
LEVELS = ("upper_secondary", "short_cycle", "bachelor", "master", "doctorate", "vocational",
          "other")


def _style(**kw: Any) -> TextStyle:
    return TextStyle(**kw)


BODY = _style(size=9, leading=12, color=INK)
LABEL = _style(size=7.8, leading=10, color=MUTED)
HEAD = _style(size=11, leading=14, weight="bold", color=ACCENT)
PART = _style(size=13, leading=17, weight="bold", color=ACCENT)
STRONG = _style(size=9, leading=12, weight="bold", color=INK)


class Lang:
    """Formatting for one language of the document."""

    def __init__(self, code: str) -> None:
        self.code = code if code in PDF_LANGUAGES else "en"
        self.rtl = self.code in RTL
        self.t = texts(self.code)
        self.locale = Locale.parse(self.code)
        self.direction = "rtl" if self.rtl else "ltr"

    def date(self, iso: str | None) -> str:
        """A full or partial ISO date ("1990", "1990-04", "1990-04-17") for this language."""
        if not iso:
            return ""
        parts = iso.split("-")
        try:
            if len(parts) == 3:
                return format_date(date.fromisoformat(iso), "long", locale=self.locale)
            if len(parts) == 2:
                day = date(int(parts[0]), int(parts[1]), 1)
                return format_skeleton("yMMMM", day, locale=self.locale)
        except ValueError:
            return iso
        return iso

    def number(self, value: float | int) -> str:
        return format_decimal(value, locale=self.locale)

    def country(self, code: str | None) -> str:
        return self.locale.territories.get(code.upper(), code) if code else ""

    def language(self, code: str | None) -> str:
        if not code:
            return ""
        try:
            return Locale.parse(code).get_display_name(self.locale) or code
        except (ValueError, LookupError):
            return code


class _Info(PDFInfo):
    """Document information with the passport's own entries (read back by verification)."""

    extra: dict[str, str] = {}

    def format(self, document: Any) -> bytes:
        D = {  # noqa: N806 - ReportLab's naming
            "Title": PDFString(self.title),
            "Author": PDFString(self.author),
            "Subject": PDFString(self.subject),
            "Keywords": PDFString(self.keywords),
            "Creator": PDFString(self.creator),
            "Producer": PDFString(self.producer),
            "Trapped": PDFName(self.trapped),
        }
        for key, value in self.extra.items():
            D[key] = PDFString(value)
        return PDFDictionary(D).format(document)


def _canvas_class(header: Callable[[Canvas, int, int], None], extra: dict[str, str]) -> type:
    """A canvas that waits until the end to draw headers, so it knows the page count."""

    class PassportCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # Start pages in a bundled font, so that no unembedded standard font is listed.
            kwargs["initialFontName"] = kwargs.get("initialFontName") or "QP-Sans"
            super().__init__(*args, **kwargs)
            info = _Info()
            info.__dict__.update(self._doc.info.__dict__)
            info.extra = extra
            self._doc.info = info
            self._pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                header(self, number, total)
                super().showPage()
            super().save()

    return PassportCanvas


class QRCode(Flowable):
    """The verification URL as a QR code, drawn as filled squares (no font, no Drawing)."""

    def __init__(self, url: str, size: float, border: int = 2) -> None:
        super().__init__()
        code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
        code.addData(url)
        code.make()
        self.modules = [[bool(m) for m in row] for row in code.modules]
        self.url = url
        self.size = size
        self.border = border

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.size, self.size

    def draw(self) -> None:
        canvas = self.canv
        count = len(self.modules)
        box = self.size / (count + 2 * self.border)
        canvas.setFillColor(colors.black)
        for r, row in enumerate(self.modules):
            c = 0
            for dark, run in itertools.groupby(row):
                n = len(list(run))
                if dark:
                    canvas.rect((c + self.border) * box, self.size - (r + self.border + 1) * box,
                                n * box, box, stroke=0, fill=1)
                c += n


class Document:
    """Builds the story of one passport in English plus one second language."""

    def __init__(self, snapshot: dict[str, Any], lang: str,
                 signature: dict[str, str] | None) -> None:
        register_fonts()
        self.s = snapshot
        self.en = Lang("en")
        self.l2 = Lang(lang)
        self.bilingual = self.l2.code != "en"
        self.signature = signature
        w = CONTENT_W
        if self.bilingual:
            self.cols = [38 * mm, w - 76 * mm, 38 * mm]
        else:
            self.cols = [48 * mm, w - 48 * mm]

    # --- small builders -------------------------------------------------------------------

    def para(self, text: str, style: TextStyle = BODY, lang: Lang | None = None,
             align: str = "start") -> BidiParagraph:
        direction = lang.direction if lang else "auto"
        return BidiParagraph(text, TextStyle(**{**style.__dict__, "direction": direction,
                                                 "align": align}))

    def both(self, key: str, style: TextStyle = BODY, **fmt: Any) -> list[Flowable]:
        """A fixed text in English, then in the second language."""
        out = [self.para(self.en.t[key] % fmt if fmt else self.en.t[key], style, self.en)]
        if self.bilingual:
            out.append(self.para(self.l2.t[key] % fmt if fmt else self.l2.t[key],
                                 TextStyle(**{**style.__dict__, "color": MUTED}), self.l2))
        return out

    def both_with(self, render: Callable[[Lang], str], style: TextStyle = BODY) -> list[Flowable]:
        """A value formatted per language (dates, countries, fixed values)."""
        first = render(self.en)
        out = [self.para(first, style, self.en)]
        if self.bilingual:
            second = render(self.l2)
            if second and second != first:
                out.append(self.para(second, TextStyle(**{**style.__dict__, "color": MUTED}),
                                     self.l2))
        return out

    def value(self, text: Any, style: TextStyle = BODY) -> list[Flowable]:
        """Data as recorded (names, titles): one paragraph, its direction from its own text."""
        return [self.para(str(text), style)]

    def table(self, rows: list[list[Any]], widths: list[float], extra: Iterable = (),
              repeat: int = 0) -> Table:
        table = Table(rows, colWidths=widths, repeatRows=repeat, splitInRow=1, hAlign="LEFT")
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTNAME", (0, 0), (-1, -1), "QP-Sans"),  # else Helvetica is listed, unembedded
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            *extra,
        ]))
        return table

    def rows(self, pairs: list[tuple[str, list[Flowable]]], lines: bool = True) -> Table:
        data = []
        for key, value in pairs:
            label_en = self.para(self.en.t[key], LABEL, self.en)
            if self.bilingual:
                label_l2 = self.para(self.l2.t[key], LABEL, self.l2, align="right")
                data.append([label_en, value, label_l2])
            else:
                data.append([label_en, value])
        style = [("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE)] if lines else []
        return self.table(data, self.cols, style)

    def heading(self, key: str, style: TextStyle = HEAD, band: bool = True) -> Table:
        half = CONTENT_W / 2
        cells = [self.para(self.en.t[key], style, self.en)]
        if self.bilingual:
            cells.append(self.para(self.l2.t[key], style, self.l2, align="right"))
            widths = [half, half]
        else:
            widths = [CONTENT_W]
        extra = [("BACKGROUND", (0, 0), (-1, -1), BAND)] if band else [
            ("LINEBELOW", (0, 0), (-1, -1), 1.2, ACCENT)]
        table = self.table([cells], widths, extra)
        return table

    def section(self, key: str, *content: Flowable) -> list[Flowable]:
        # The heading never stands alone at the foot of a page: it keeps its first block (or
        # its short English + second-language lines) with it.
        n = 0
        while n < len(content) and isinstance(content[n], BidiParagraph):
            n += 1
        n = max(n, 1) if content else 0
        # Each further block (an entry of a list) stays on one page unless longer than a page.
        # (KeepTogether must not be nested: an inner one reports an endless height.)
        rest = [KeepTogether([c]) if isinstance(c, Table) else c for c in content[n:]]
        return [Spacer(0, 4 * mm),
                KeepTogether([self.heading(key), Spacer(0, 1.5 * mm), *content[:n]]),
                *rest]

    def side_by_side(self, keys: list[str], **fmt: Any) -> Table:
        """Explanatory texts: English in the left column, the second language in the right."""
        en = " ".join(self.en.t[k] for k in keys) % fmt if fmt else " ".join(
            self.en.t[k] for k in keys)
        if not self.bilingual:
            return self.table([[self.para(en, BODY, self.en)]], [CONTENT_W])
        l2 = " ".join(self.l2.t[k] for k in keys)
        half = CONTENT_W / 2
        return self.table(
            [[self.para(en, BODY, self.en), self.para(l2 % fmt if fmt else l2, BODY, self.l2)]],
            [half, half],
            [("LINEAFTER", (0, 0), (0, -1), 0.3, RULE), ("LEFTPADDING", (1, 0), (1, -1), 8),
             ("RIGHTPADDING", (0, 0), (0, -1), 8)],
        )

    def not_assessed(self, key: str = "not_assessed") -> list[Flowable]:
        return self.both(key)

    # --- parts ----------------------------------------------------------------------------

    def title_block(self) -> list[Flowable]:
        s = self.s
        title = [self.para(self.en.t["document"], _style(size=20, leading=25, weight="bold",
                                                         color=ACCENT), self.en)]
        if self.bilingual:
            title.append(self.para(self.l2.t["document"],
                                   _style(size=16, leading=22, weight="bold", color=ACCENT),
                                   self.l2))
        title += self.both("subtitle", BODY)
        title.append(Spacer(0, 2 * mm))
        title.append(self.para(s["scheme"]["name"], STRONG))
        facts = [
            ("passport_number", self.value(s["number"], STRONG)),
            ("date_of_issue", self.both_with(lambda lang: lang.date(s["issued_on"]))),
            ("valid_until", self.both_with(lambda lang: lang.date(s["valid_until"]))),
            ("issuing_body", self.value(s["scheme"]["issuing_body"])),
        ]
        qr_size = 34 * mm
        left_w = CONTENT_W - qr_size - 4 * mm
        saved = self.cols
        self.cols = ([30 * mm, left_w - 60 * mm, 30 * mm] if self.bilingual
                     else [40 * mm, left_w - 40 * mm])
        facts_table = self.rows(facts)
        self.cols = saved
        top = self.table(
            [[title, QRCode(s["verify_url"], qr_size)], [facts_table, ""]],
            [left_w, qr_size + 4 * mm],
            [("SPAN", (1, 0), (1, 1)), ("VALIGN", (1, 0), (1, 1), "TOP"),
             ("LEFTPADDING", (0, 0), (0, -1), 0), ("ALIGN", (1, 0), (1, 1), "RIGHT")],
        )
        return [top]

    def holder(self) -> list[Flowable]:
        h = self.s["holder"]
        name = f"{h.get('given_name', '')} {h.get('family_name', '')}".strip()
        pairs = [("name", self.value(name, STRONG))]
        if h.get("native_name"):
            pairs.append(("native_name", self.value(h["native_name"], STRONG)))
        pairs += [
            ("date_of_birth", self.both_with(lambda lang: lang.date(h.get("birth_date")))),
            ("nationality", self.both_with(lambda lang: lang.country(h.get("nationality")))),
        ]
        return self.section("sec_holder", self.rows(pairs))

    def _period(self, item: dict[str, Any], lang: Lang) -> str:
        start = item.get("from") or item.get("years_from") or ""
        end = item.get("to") or item.get("years_to") or ""
        if not start and not end:
            return ""
        start = lang.date(str(start)) if start else ""
        end = lang.date(str(end)) if end else lang.t["until_now"]
        return f"{start} – {end}"

    def highest(self) -> list[Flowable]:
        q = self.s.get("highest_qualification") or {}
        if not q:
            return self.section("sec_highest", *self.not_assessed())
        pairs: list[tuple[str, list[Flowable]]] = []
        if q.get("level"):
            level = q["level"] if q["level"] in LEVELS else "other"
            pairs.append(("level", self.both(f"level_{level}")))
        for key, field in (("title", "title"), ("field", "field"),
                           ("institution", "institution")):
            if q.get(field):
                pairs.append((key, self.value(q[field], STRONG if key == "title" else BODY)))
        if q.get("country"):
            pairs.append(("country", self.both_with(lambda lang: lang.country(q["country"]))))
        if self._period(q, self.en):
            pairs.append(("period", self.both_with(lambda lang: self._period(q, lang))))
        if q.get("nominal_duration_years"):
            pairs.append(("nominal_duration", self.both_with(
                lambda lang: lang.t["years"] % {"years": lang.number(q["nominal_duration_years"])}
            )))
        if q.get("instruction_language"):
            pairs.append(("instruction_language", self.both_with(
                lambda lang: lang.language(q["instruction_language"]))))
        if "completed" in q:
            def completion(lang: Lang) -> str:
                text = lang.t["completed" if q["completed"] else "not_completed"]
                if q.get("years_completed"):
                    text += ". " + lang.t["years_completed"] % {
                        "years": lang.number(q["years_completed"])}
                return text
            pairs.append(("completion", self.both_with(completion)))
        return self.section("sec_highest", self.rows(pairs))

    def _entries(self, section: str, items: list[dict[str, Any]] | None,
                 build: Callable[[dict[str, Any]], list[tuple[str, list[Flowable]]]]
                 ) -> list[Flowable]:
        if items is None:
            return self.section(section, *self.not_assessed())
        if not items:
            return self.section(section, *self.not_assessed("none_recorded"))
        tables: list[Flowable] = []
        for n, item in enumerate(items):
            tables.append(self.rows(build(item)))
            if n < len(items) - 1:
                tables.append(Spacer(0, 2.5 * mm))
        return self.section(section, *tables)

    def other(self) -> list[Flowable]:
        def build(item: dict[str, Any]) -> list[tuple[str, list[Flowable]]]:
            pairs = [("title", self.value(item.get("title", ""), STRONG))]
            if item.get("awarding_body"):
                pairs.append(("awarding_body", self.value(item["awarding_body"])))
            if item.get("level"):
                pairs.append(("level", self.value(item["level"])))
            if item.get("ects"):
                pairs.append(("workload", self.both_with(
                    lambda lang: lang.t["ects"] % {"credits": lang.number(item["ects"])})))
            if item.get("assessment_type"):
                pairs.append(("assessment_type", self.value(item["assessment_type"])))
            if item.get("date"):
                pairs.append(("date", self.both_with(lambda lang: lang.date(str(item["date"])))))
            if item.get("learning_outcomes"):
                pairs.append(("learning_outcomes", self.value(item["learning_outcomes"])))
            return pairs

        return self._entries("sec_other", self.s.get("other_qualifications"), build)

    def work(self) -> list[Flowable]:
        def build(item: dict[str, Any]) -> list[tuple[str, list[Flowable]]]:
            pairs = [("position", self.value(item.get("position", ""), STRONG))]
            if item.get("employer"):
                pairs.append(("employer", self.value(item["employer"])))
            if item.get("country"):
                pairs.append(("country", self.both_with(
                    lambda lang: lang.country(item["country"]))))
            if self._period(item, self.en):
                pairs.append(("period", self.both_with(lambda lang: self._period(item, lang))))
            if item.get("tasks"):
                pairs.append(("main_tasks", self.value(item["tasks"])))
            return pairs

        return self._entries("sec_work", self.s.get("work_experience"), build)

    def _cefr(self, value: str | None) -> list[Flowable]:
        if value in CEFR:
            return [self.para(value, STRONG)]
        if value == "below_a1":
            return self.both("below_a1", LABEL)
        return self.both("not_assessed", LABEL)

    def languages(self) -> list[Flowable]:
        items = self.s.get("languages")
        if not items:
            return self.section("sec_languages",
                                *self.not_assessed("not_assessed" if items is None
                                                   else "none_recorded"))
        header = [self.both("language", LABEL)] + [self.both(k, LABEL) for k in SKILLS] + [
            self.both("basis", LABEL)]
        rows = [header]
        for item in items:
            code = item.get("code", "")
            basis = item.get("basis", "")
            rows.append(
                [self.both_with(lambda lang, c=code: lang.language(c), STRONG)]
                + [self._cefr(item.get(k)) for k in SKILLS]
                + [self.both(f"basis_{basis}", LABEL)
                   if f"basis_{basis}" in self.en.t else self.value(basis, LABEL)]
            )
        widths = [32 * mm] + [21 * mm] * 5 + [CONTENT_W - 32 * mm - 105 * mm]
        table = self.table(rows, widths, [
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ], repeat=1)
        return self.section("sec_languages", table)

    def documents(self) -> list[Flowable]:
        def build(item: dict[str, Any]) -> list[tuple[str, list[Flowable]]]:
            pairs = [("document_type", self.value(item.get("title", ""), STRONG))]
            if item.get("issuer"):
                pairs.append(("issuer", self.value(item["issuer"])))
            if item.get("date"):
                pairs.append(("date", self.both_with(lambda lang: lang.date(str(item["date"])))))
            if item.get("seen") in ("original", "copy"):
                pairs.append(("basis", self.both(f"{item['seen']}_seen")))
            return pairs

        return self._entries("sec_documents", self.s.get("documents"), build)

    def summary(self) -> list[Flowable]:
        text = (self.s.get("summary") or "").strip()
        if not text:
            return self.section("sec_summary", *self.not_assessed())
        return self.section("sec_summary", self.para(text, BODY))

    def assessed_by(self) -> list[Flowable]:
        pairs = []
        for ev in self.s.get("evaluators", []):
            who = ev.get("name", "")
            if ev.get("centre"):
                who += f", {ev['centre']}"

            def line(lang: Lang, who: str = who, country: str = ev.get("country", "")) -> str:
                return f"{who} ({lang.country(country)})" if country else who

            pairs.append(("evaluator", self.both_with(line)))
        pairs.append(("approved_by", self.value(self.s.get("approved_by", ""))))
        return self.section("sec_assessed", self.rows(pairs))

    def explanatory(self) -> list[Flowable]:
        s = self.s
        pairs = [
            ("scheme", self.value(s["scheme"]["name"])),
            ("issuing_body", self.value(s["scheme"]["issuing_body"])),
        ]
        content: list[Flowable] = [self.side_by_side(["what_it_is", "what_it_is_not",
                                                      "about_scheme"])]
        if s["scheme"].get("description"):
            content.append(self.para(s["scheme"]["description"], BODY))
        content.append(Spacer(0, 2 * mm))
        content.append(self.rows(pairs))
        return [Spacer(0, 6 * mm), self.heading("part_b", PART, band=False),
                *self.section("sec_document", *content)]

    def way_ahead(self) -> list[Flowable]:
        s = self.s
        if s["scheme"].get("code") != "UQP" and not s.get("way_ahead"):
            return []
        text = (s.get("way_ahead") or "").strip()
        body = [self.side_by_side(["way_ahead_intro"])]
        body += [self.para(text, BODY)] if text else self.not_assessed()
        return [Spacer(0, 6 * mm),
                KeepTogether([self.heading("part_c", PART, band=False), Spacer(0, 2 * mm),
                              body[0]]),
                Spacer(0, 2 * mm), *body[1:]]

    def authenticity(self) -> list[Flowable]:
        s = self.s
        pairs = [("verify_at", self.value(s["verify_url"]))]
        if self.signature:
            pairs.append(("key", self.value(self.signature["key_id"])))
            pairs.append(("signature", self.value(self.signature["value"], LABEL)))
        keys = ["verify_text"] + (["signature_text"] if self.signature else [])
        return self.section("sec_verify", self.side_by_side(keys), Spacer(0, 2 * mm),
                            self.rows(pairs))

    def story(self) -> list[Flowable]:
        parts: list[Flowable] = [*self.title_block(), Spacer(0, 4 * mm),
                                 self.heading("part_a", PART, band=False)]
        for build in (self.holder, self.highest, self.other, self.work, self.languages,
                      self.documents, self.summary, self.assessed_by):
            parts += build()
        parts += self.explanatory()
        parts += self.way_ahead()
        parts += self.authenticity()
        return parts

    # --- page furniture -------------------------------------------------------------------

    def furniture(self, canvas: Canvas, page: int, pages: int) -> None:
        canvas.saveState()
        top = PAGE_H - 11 * mm
        small = TextStyle(size=7.5, leading=9, color=MUTED)
        half = CONTENT_W / 2
        left = f"{self.en.t['document']} · {self.s['number']}"
        draw_text(canvas, left, MARGIN, top, half, TextStyle(**{**small.__dict__,
                                                               "direction": "ltr"}))
        if self.bilingual:
            draw_text(canvas, self.l2.t["document"], MARGIN + half, top, half,
                      TextStyle(**{**small.__dict__, "direction": self.l2.direction,
                                   "align": "right"}))
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, top - 3 * mm, PAGE_W - MARGIN, top - 3 * mm)
        bottom = 10 * mm
        canvas.line(MARGIN, bottom + 4 * mm, PAGE_W - MARGIN, bottom + 4 * mm)
        numbers = {"page": self.en.number(page), "pages": self.en.number(pages)}
        draw_text(canvas, self.en.t["page_of"] % numbers, MARGIN, bottom, half,
                  TextStyle(**{**small.__dict__, "direction": "ltr"}))
        if self.bilingual:
            numbers = {"page": self.l2.number(page), "pages": self.l2.number(pages)}
            draw_text(canvas, self.l2.t["page_of"] % numbers, MARGIN + half, bottom, half,
                      TextStyle(**{**small.__dict__, "direction": self.l2.direction,
                                   "align": "right"}))
        canvas.restoreState()

    def build(self, public_id: str = "") -> bytes:
        s = self.s
        buffer = io.BytesIO()
        title = f"{self.en.t['document']} {s['number']}"
        if self.bilingual:
            title = f"{self.en.t['document']} / {self.l2.t['document']} {s['number']}"
        doc = BaseDocTemplate(
            buffer,
            pagesize=A4,
            title=title,
            author=s["scheme"]["issuing_body"],
            subject=s["scheme"]["name"],
            creator="Qualifications Passport",
            lang="en",
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            invariant=1,
        )
        frame = Frame(MARGIN, MARGIN, CONTENT_W, PAGE_H - 2 * MARGIN - 2 * mm, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
        extra = {"QPNumber": s["number"], "QPLanguages": f"en {self.l2.code}"}
        if public_id:
            extra["QPPublicId"] = public_id
        if self.signature:
            extra["QPKeyId"] = self.signature["key_id"]
            extra["QPSignature"] = self.signature["value"]
        doc.build(self.story(), canvasmaker=_canvas_class(self.furniture, extra))
        return buffer.getvalue()


def render(snapshot: dict[str, Any], lang: str = "en",
           signature: dict[str, str] | None = None) -> bytes:
    """The passport as PDF bytes. `lang` is the second language (English is always printed);
    `signature` ({"key_id", "value"}) is printed and put in the document information."""
    return Document(snapshot, lang, signature).build(_public_id(snapshot))


def render_job(job: tuple[dict[str, Any], str, dict[str, str] | None]) -> bytes:
    """`render` with its arguments as one tuple: what a process pool hands a worker."""
    return render(*job)


def _public_id(snapshot: dict[str, Any]) -> str:
    return snapshot.get("verify_url", "").rstrip("/").rsplit("/", 1)[-1]
