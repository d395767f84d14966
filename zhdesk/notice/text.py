"""The bundled CJK font for reportlab and the escaping of user text: the two things every PDF we write
needs. Small on purpose, so the brief builder's helpers can absorb them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.sax.saxutils import escape

import resources

FONT_FILE = Path(resources.__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
FONT_NAME = "WenQuanYiMicroHei"


def register_font() -> str:
    """Register the bundled WenQuanYi Micro Hei (face 0 of the .ttc) with reportlab once; its name.
    reportlab embeds a TrueType font as a subset of the glyphs used."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_FILE), subfontIndex=0))
    return FONT_NAME


def markup(text: str | None) -> str:
    """User text for a reportlab Paragraph: `<b>`, `&`, `<font ...>` print literally (Paragraph parses
    markup, so unescaped text could restyle or break the page); line breaks kept."""
    if not text:
        return ""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br/>".join(escape(line) for line in lines)


def cn_date(d: dt.date) -> str:
    """2026年12月1日, as dates are written in a 公文."""
    return f"{d.year}年{d.month}月{d.day}日"
