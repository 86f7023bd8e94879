"""Multilingual text for ReportLab: font fallback, shaping, line breaking and bidi reordering.

ReportLab shapes complex scripts with HarfBuzz (`TTFont(..., shapable=True)`), but it reorders
right-to-left text only with `rlbidi`, which is not on PyPI. Without it an Arabic line comes out
with its words left to right. This module does the whole job itself, in the order the Unicode
Bidirectional Algorithm (UAX #9) asks for:

1. resolve the embedding level of every character for the whole paragraph (python-bidi);
2. break the paragraph into lines in *logical* order, measuring shaped widths;
3. per line, reset trailing white space to the paragraph level (rule L1) and reverse runs of
   characters from the highest level down to the lowest odd level (rule L2);
4. shape each run of one font and one level with HarfBuzz in its own direction, which yields
   glyphs in visual order, and draw the runs left to right.

So numbers and Latin words inside an Arabic line keep their own order, and wrapped lines come out
top to bottom in reading order. Each character gets the first bundled font that has a glyph for
it (Latin/Cyrillic, Arabic, Ethiopic); spaces, digits and punctuation stay in the font of the
text around them when that font has them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import uharfbuzz
from bidi import algorithm as bidi_algorithm
from reportlab.lib.colors import Color, black
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapeData, ShapedStr, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

FONT_DIR = Path(__file__).parent / "fonts"

# Font chains by weight: the first font with a glyph for a character draws it.
_FILES = {
    "regular": [
        ("QP-Sans", "NotoSans-Regular.ttf"),
        ("QP-Arabic", "NotoSansArabic-Regular.ttf"),
        ("QP-Ethiopic", "NotoSansEthiopic-Regular.ttf"),
    ],
    "bold": [
        ("QP-Sans-Bold", "NotoSans-Bold.ttf"),
        ("QP-Arabic-Bold", "NotoSansArabic-Bold.ttf"),
        ("QP-Ethiopic-Bold", "NotoSansEthiopic-Bold.ttf"),
    ],
}
_FEATURES = {"kern": True, "liga": True}
_X9_REMOVED = {"RLE", "LRE", "RLO", "LRO", "PDF"}


def register_fonts() -> None:
    """Register the bundled fonts with ReportLab (once per process)."""
    for chain in _FILES.values():
        for name, filename in chain:
            try:
                pdfmetrics.getFont(name)
            except KeyError:
                pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename), shapable=True))


@lru_cache(maxsize=16)
def _chain(weight: str) -> tuple[TTFont, ...]:
    register_fonts()
    return tuple(pdfmetrics.getFont(name) for name, _f in _FILES[weight])


def _has(font: TTFont, ch: str) -> bool:
    return ord(ch) in font.face.charToGlyph


def _is_strong_letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "L"


def assign_fonts(text: str, weight: str) -> list[TTFont]:
    """The font of each character."""
    chain = _chain(weight)
    fonts: list[TTFont | None] = [None] * len(text)
    # Letters first: each takes the first font of the chain that has it.
    for i, ch in enumerate(text):
        if _is_strong_letter(ch):
            fonts[i] = next((f for f in chain if _has(f, ch)), chain[0])
    # Everything else (spaces, digits, punctuation, combining marks) follows its neighbours.
    previous: TTFont | None = None
    for i, ch in enumerate(text):
        if fonts[i] is not None:
            previous = fonts[i]
            continue
        if unicodedata.category(ch) == "Cf":  # invisible: joiners, bidi marks; HarfBuzz drops them
            fonts[i] = previous or next((f for f in fonts[i:] if f), chain[0])
            continue
        following = next((fonts[j] for j in range(i + 1, len(text)) if fonts[j]), None)
        for candidate in (previous, following, *chain):
            if candidate is not None and _has(candidate, ch):
                fonts[i] = candidate
                break
        else:
            fonts[i] = chain[0]  # draws the font's "missing glyph" box: visible, not silent
        if unicodedata.category(ch) != "Mn":
            previous = fonts[i]
    return fonts


def resolve_levels(text: str, rtl: bool | None) -> tuple[list[int], int]:
    """Embedding level of each character (UAX #9 up to rule I2) and the paragraph level.

    python-bidi drops boundary neutrals (zero-width joiners, soft hyphens: rule X9) from its
    result; they get the level of the character before them, so that Persian's zero-width
    non-joiner reaches the shaper inside its word."""
    kept = [i for i, ch in enumerate(text) if unicodedata.bidirectional(ch) != "BN"]
    stripped = "".join(text[i] for i in kept)
    base = (bidi_algorithm.get_base_level(stripped) if rtl is None else int(rtl))
    storage = bidi_algorithm.get_empty_storage()
    storage["base_level"] = base
    storage["base_dir"] = ("L", "R")[base]
    bidi_algorithm.get_embedding_levels(stripped, storage)
    bidi_algorithm.explicit_embed_and_overrides(storage)
    bidi_algorithm.resolve_weak_types(storage)
    bidi_algorithm.resolve_neutral_types(storage, False)
    bidi_algorithm.resolve_implicit_levels(storage, False)
    levels = [base] * len(text)
    for i, char in zip(kept, storage["chars"], strict=True):
        levels[i] = char["level"]
    for i, ch in enumerate(text):
        if unicodedata.bidirectional(ch) == "BN":
            levels[i] = levels[i - 1] if i else (levels[i + 1] if len(text) > 1 else base)
    return levels, base


@dataclass
class Run:
    """Glyphs of one font in one direction, ready to draw."""

    font_name: str
    text: ShapedStr | str
    width: float  # points
    rtl: bool
    source: str  # the logical characters, for tests and debugging


@dataclass
class Line:
    runs: list[Run]
    width: float
    rtl: bool  # the paragraph direction (decides alignment "start"/"end")

    @property
    def visual_text(self) -> str:
        return "".join(r.source[::-1] if r.rtl else r.source for r in self.runs)


def shape(text: str, font: TTFont, size: float, rtl: bool) -> tuple[ShapedStr, float]:
    """Shape `text` (logical order) with HarfBuzz; glyphs come back in visual order."""
    hb_font = font.hbFont(size)
    buf = uharfbuzz.Buffer()
    buf.cluster_level = uharfbuzz.BufferClusterLevel.MONOTONE_CHARACTERS
    buf.add_str(text)
    buf.guess_segment_properties()
    buf.direction = "rtl" if rtl else "ltr"
    buf.flags = uharfbuzz.BufferFlags.REMOVE_DEFAULT_IGNORABLES
    uharfbuzz.shape(hb_font, buf, _FEATURES)
    chars: list[str] = []
    data: list[ShapeData] = []
    width = 0.0
    scale = size / 1000
    face = font.face
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
        gid = info.codepoint
        try:
            code = face.glyphToChar[gid][0]
        except (KeyError, IndexError):
            code = font.hbAddPrivate(hb_font.glyph_to_string(gid), gid, pos.x_advance)
        x_advance = font.pdfScale(pos.x_advance)
        width += x_advance * scale
        chars.append(chr(code))
        data.append(
            ShapeData(
                info.cluster,
                x_advance,
                font.pdfScale(pos.y_advance),
                font.pdfScale(pos.x_offset),
                font.pdfScale(pos.y_offset),
                face.charWidths[code],
            )
        )
    return ShapedStr("".join(chars), shapeData=data), width


@lru_cache(maxsize=20000)
def _shaped(text: str, font_name: str, size: float, rtl: bool) -> tuple[ShapedStr, float]:
    return shape(text, pdfmetrics.getFont(font_name), size, rtl)


def _segments(text: str, fonts: list[TTFont], start: int, end: int) -> Iterable[tuple]:
    """(font, first, last+1) for stretches of one font."""
    i = start
    while i < end:
        font = fonts[i]
        j = i + 1
        while j < end and fonts[j] is font:
            j += 1
        yield font, i, j
        i = j


def measure(text: str, fonts: list[TTFont], start: int, end: int, size: float,
            rtl: bool) -> float:
    total = 0.0
    for font, a, b in _segments(text, fonts, start, end):
        total += _shaped(text[a:b], font.fontName, size, rtl)[1]
    return total


def _reorder(items: list, levels: list[int]) -> list:
    """Rule L2: from the highest level down to the lowest odd one, reverse every maximal
    sequence of items at that level or higher."""
    if not items:
        return items
    order = list(range(len(items)))
    highest = max(levels)
    lowest_odd = min(lv for lv in levels) | 1
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] >= level:
                j = i
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return [items[k] for k in order]


@dataclass
class TextStyle:
    size: float = 9.5
    leading: float = 12.5
    weight: str = "regular"
    color: Color = black
    # "ltr", "rtl" or "auto" (from the first strong character, as UAX #9 rule P2).
    direction: str = "auto"
    # "start" and "end" follow the paragraph direction; "left", "right", "center" do not.
    align: str = "start"
    space_before: float = 0
    space_after: float = 0


@dataclass
class LaidOut:
    lines: list[Line] = field(default_factory=list)


def layout(text: str, width: float, style: TextStyle) -> list[Line]:
    """Break `text` into lines no wider than `width`, then reorder each line for display."""
    lines: list[Line] = []
    rtl_forced = {"rtl": True, "ltr": False}.get(style.direction)
    for paragraph in text.split("\n"):
        lines.extend(_layout_paragraph(paragraph, width, style, rtl_forced))
    return lines


def _layout_paragraph(text: str, width: float, style: TextStyle,
                      rtl_forced: bool | None) -> list[Line]:
    # Explicit embeddings/overrides and boundary-neutral characters are dropped (rule X9) up
    # front, so that character positions and resolved levels stay aligned.
    text = "".join(ch for ch in text if unicodedata.bidirectional(ch) not in _X9_REMOVED)
    text = text.replace("\t", " ").rstrip()
    if not text.strip():
        return [Line([], 0.0, bool(rtl_forced))]
    fonts = assign_fonts(text, style.weight)
    levels, base = resolve_levels(text, rtl_forced)
    rtl = base == 1
    size = style.size

    # Logical line breaking at spaces; a word wider than the line is cut between characters.
    words: list[tuple[int, int]] = []  # (start, end) of each word, spaces excluded
    i = 0
    n = len(text)
    while i < n:
        while i < n and text[i] == " ":
            i += 1
        j = i
        while j < n and text[j] != " ":
            j += 1
        if j > i:
            words.append((i, j))
        i = j

    breaks: list[tuple[int, int]] = []
    line_start: int | None = None
    line_end = 0
    for a, b in words:
        candidate = (a, b) if line_start is None else (line_start, b)
        if measure(text, fonts, candidate[0], candidate[1], size, rtl) <= width:
            line_start, line_end = candidate
            continue
        if line_start is not None:
            breaks.append((line_start, line_end))
        # The word alone: cut it if it does not fit on a line of its own.
        start = a
        while measure(text, fonts, start, b, size, rtl) > width and b - start > 1:
            cut = start + 1
            while cut < b and measure(text, fonts, start, cut + 1, size, rtl) <= width:
                cut += 1
            breaks.append((start, cut))
            start = cut
        line_start, line_end = start, b
    if line_start is not None:
        breaks.append((line_start, line_end))

    return [_visual_line(text, fonts, levels, base, a, b, size) for a, b in breaks]


def _visual_line(text: str, fonts: list, levels: list[int], base: int, a: int, b: int,
                 size: float) -> Line:
    line_levels = levels[a:b]
    # Rule L1: trailing white space goes back to the paragraph level.
    k = len(line_levels) - 1
    while k >= 0 and text[a + k].isspace():
        line_levels[k] = base
        k -= 1
    runs: list[tuple[TTFont, int, int, int]] = []  # font, start, end, level
    i = a
    while i < b:
        font = fonts[i]
        level = line_levels[i - a]
        j = i + 1
        while j < b and fonts[j] is font and line_levels[j - a] == level:
            j += 1
        runs.append((font, i, j, level))
        i = j
    ordered = _reorder(runs, [r[3] for r in runs])
    out: list[Run] = []
    total = 0.0
    for font, start, end, level in ordered:
        chunk = text[start:end]
        shaped, w = _shaped(chunk, font.fontName, size, bool(level % 2))
        if not shaped:
            continue
        out.append(Run(font.fontName, shaped, w, bool(level % 2), chunk))
        total += w
    return Line(out, total, base == 1)


def draw_line(canvas: Canvas, line: Line, x: float, y: float, size: float) -> None:
    """Draw one laid-out line with its left edge at x and its baseline at y."""
    for run in line.runs:
        canvas.setFont(run.font_name, size)
        canvas.drawString(x, y, run.text)
        x += run.width


def line_x(line: Line, left: float, width: float, align: str) -> float:
    if align == "start":
        align = "right" if line.rtl else "left"
    elif align == "end":
        align = "left" if line.rtl else "right"
    if align == "right":
        return left + width - line.width
    if align == "center":
        return left + (width - line.width) / 2
    return left


def draw_text(canvas: Canvas, text: str, x: float, y: float, width: float,
              style: TextStyle) -> float:
    """Draw `text` in a box of `width` from the baseline y downwards; return the height used."""
    lines = layout(text, width, style)
    canvas.setFillColor(style.color)
    for n, line in enumerate(lines):
        draw_line(canvas, line, line_x(line, x, width, style.align), y - n * style.leading,
                  style.size)
    return len(lines) * style.leading


class BidiParagraph(Flowable):
    """A paragraph of plain text in any script and direction; splits across pages by line."""

    def __init__(self, text: str, style: TextStyle, lines: list[Line] | None = None,
                 first: bool = True, last: bool = True) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self._lines = lines
        self._laid_width: float | None = None if lines is None else -1
        self._first = first
        self._last = last

    def _ensure(self, width: float) -> list[Line]:
        if self._lines is None or (self._laid_width not in (-1, width)):
            self._lines = layout(self.text, width, self.style)
            self._laid_width = width
        return self._lines

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        lines = self._ensure(availWidth)
        self.width = availWidth
        self.height = len(lines) * self.style.leading
        return availWidth, self.height

    def getSpaceBefore(self) -> float:  # noqa: N802
        return self.style.space_before if self._first else 0

    def getSpaceAfter(self) -> float:  # noqa: N802
        return self.style.space_after if self._last else 0

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        lines = self._ensure(availWidth)
        fit = int(availHeight // self.style.leading)
        if fit <= 0 or fit >= len(lines):
            return []
        return [
            BidiParagraph(self.text, self.style, lines[:fit], self._first, False),
            BidiParagraph(self.text, self.style, lines[fit:], False, self._last),
        ]

    def draw(self) -> None:
        canvas = self.canv
        style = self.style
        canvas.setFillColor(style.color)
        # Baseline of the first line: leave room for ascenders within the leading.
        y = self.height - style.size * 1.05 - (style.leading - style.size * 1.2) / 2
        for n, line in enumerate(self._lines or []):
            draw_line(canvas, line, line_x(line, 0, self.width, style.align),
                      y - n * style.leading, style.size)
