"""The bundled CJK font: present, licensed, and TrueType-outlined (reportlab embeds only glyf fonts)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

FONTS = Path(__file__).resolve().parents[1] / "resources" / "fonts"
FONT = FONTS / "wqy-microhei.ttc"


def _table_tags(data: bytes, offset: int) -> set[str]:
    num_tables = struct.unpack_from(">H", data, offset + 4)[0]
    return {data[offset + 12 + 16 * i : offset + 16 + 16 * i].decode("latin-1") for i in range(num_tables)}


def test_font_and_licence_are_bundled() -> None:
    assert FONT.is_file()
    assert "Apache" in (FONTS / "LICENSE-wqy-microhei.txt").read_text(encoding="utf-8")


def test_font_has_truetype_outlines() -> None:
    data = FONT.read_bytes()
    assert data[:4] == b"ttcf"
    count = struct.unpack_from(">I", data, 8)[0]
    offsets = struct.unpack_from(f">{count}I", data, 12)
    for off in offsets:
        tags = _table_tags(data, off)
        assert "glyf" in tags and "CFF " not in tags


def test_reportlab_can_embed_it() -> None:
    pytest.importorskip("reportlab")
    from reportlab.pdfbase.ttfonts import TTFont

    font = TTFont("WQY", str(FONT), subfontIndex=0)
    assert font.face.name
