"""Fonts and text of the brief: the bundled CJK font (embedded as a subset), escaped user text, and CJK line
breaking with the kinsoku rule (no line starts with closing punctuation, none ends with an opening one).

reportlab's own CJK wrap (`wordWrap='CJK'`) hangs at most one character of its (mostly Japanese) cannot-start
list and has no cannot-end rule, and its list lacks ，；：？！》”; so `para` breaks the lines itself and hands
reportlab lines that already fit.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph

FONT = "ZhMicroHei"
FONT_FILE = Path(__file__).resolve().parents[2] / "resources" / "fonts" / "wqy-microhei.ttc"

NO_LINE_START = "，。、；：？！）》」”』】〕,.;:?!)"
NO_LINE_END = "（《「“『【〔("

_registered = False


def register_fonts() -> str:
    """Register the bundled font once (reportlab embeds the glyphs used, as a subset) and return its name."""
    global _registered
    if not _registered:
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE), subfontIndex=0))
        # bold and italic map to the same face: the font has no bold, and markup never asks for one
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT, italic=FONT, boldItalic=FONT)
        _registered = True
    return FONT


def esc(text: object) -> str:
    """User text made safe for reportlab's paragraph markup: `<b>`, `&`, `<font color=red>` print literally."""
    return escape(str(text), {'"': "&quot;"})


def markup(text: str | None) -> str:
    """esc for text that may hold line breaks (kept as <br/>); None or blank gives ""."""
    if not text:
        return ""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br/>".join(esc(line) for line in lines)


# An ASCII run (a number, a code, a word) stays on one line when it can.
_TOKEN = re.compile(r"[A-Za-z0-9.%\-/:_]+|.", re.S)


def break_lines(text: str, width: float, font: str, size: float, first: float | None = None) -> list[str]:
    """Lines of `text` (newlines kept) that fit `width` (the first line of each paragraph: `first`), greedily,
    then moved so that no line starts with a character of NO_LINE_START and none ends with one of
    NO_LINE_END (a character moves to the next line)."""
    out: list[str] = []
    for raw in text.split("\n"):
        out.extend(_break_one(raw, width, font, size, width if first is None else first))
    return out


def _break_one(text: str, width: float, font: str, size: float, first: float) -> list[str]:
    tokens = _TOKEN.findall(text)
    if not tokens:
        return [""]
    lines: list[list[str]] = [[]]
    used = 0.0

    def width_of(toks: list[str]) -> float:
        return float(sum(pdfmetrics.stringWidth(t, font, size) for t in toks))

    for tok in tokens:
        w = pdfmetrics.stringWidth(tok, font, size)
        cur = lines[-1]
        if used + w > (first if len(lines) == 1 else width) and cur:
            # a run longer than a line is split by characters
            tokens_here = list(tok) if w > width and len(tok) > 1 else [tok]
            for piece in tokens_here:
                pw = pdfmetrics.stringWidth(piece, font, size)
                cur = lines[-1]
                if used + pw <= (first if len(lines) == 1 else width) or not cur:
                    cur.append(piece)
                    used += pw
                    continue
                # break before `piece`; kinsoku: a closing mark pulls the previous token down with it,
                # an opening mark at the end of the line goes down too
                moved: list[str] = []
                while len(cur) > 1 and (piece[0] in NO_LINE_START if not moved else moved[0][0] in NO_LINE_START):
                    moved.insert(0, cur.pop())
                while len(cur) > 1 and cur[-1][-1] in NO_LINE_END:
                    moved.insert(0, cur.pop())
                lines.append([*moved, piece])
                used = width_of(lines[-1])
            continue
        cur.append(tok)
        used += w
    return ["".join(line) for line in lines]


class CJKPara(Flowable):  # type: ignore[misc]
    """A paragraph of plain user text, broken into lines by `break_lines` at the width it is given."""

    def __init__(self, text: str, style: Any) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self._para: Paragraph | None = None
        self._width = -1.0  # the width _para was wrapped at
        self._size = (0.0, 0.0)

    def _build(self, avail_width: float) -> Paragraph:
        st = self.style
        width = avail_width - st.leftIndent - st.rightIndent - 0.5
        lines = break_lines(self.text, width, st.fontName, st.fontSize, width - st.firstLineIndent)
        markup = "<br/>".join(esc(line) for line in lines)
        return Paragraph(markup, self.style)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        # A table cell or a KeepTogether asks again at the same width (3 times for most cells): the lines
        # and their height depend only on the width, so they are broken once per width.
        if self._para is None or avail_width != self._width:
            self._para = self._build(avail_width)
            w, h = self._para.wrap(avail_width, avail_height)
            self._width, self._size = avail_width, (float(w), float(h))
        return self._size

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        self.wrap(avail_width, avail_height)
        assert self._para is not None
        parts = list(self._para.split(avail_width, avail_height))
        self._para = None  # reportlab drops a paragraph's lines when it cannot split it: wrap afresh
        return parts

    def draw(self) -> None:
        assert self._para is not None
        self._para.drawOn(self.canv, 0, 0)

    def getSpaceBefore(self) -> float:
        return float(self.style.spaceBefore)

    def getSpaceAfter(self) -> float:
        return float(self.style.spaceAfter)


def para(text: object, style: Any) -> CJKPara:
    """A paragraph of user text: escaped, CJK-wrapped with the kinsoku rule."""
    return CJKPara(str(text), style)
