"""The brief's text rules without a PDF: escaping and CJK line breaking with the kinsoku rule."""

from __future__ import annotations

import pytest
from reportlab.pdfbase import pdfmetrics

from zhdesk.brief.text import NO_LINE_END, NO_LINE_START, break_lines, esc, register_fonts

LONG = (
    "街道坚持问题导向，（一）对挂牌督办点位逐一建立台账，“一点一策”；（二）实行销号管理。"
    "截至6月底，共清理垃圾130吨、拆除违建5处！是否还有遗漏？请各社区《自查表》于本周内报送：逾期通报。"
) * 6


def test_markup_in_user_text_is_escaped() -> None:
    assert esc('<b>粗</b> & <font color=red>红</font>') == (
        "&lt;b&gt;粗&lt;/b&gt; &amp; &lt;font color=red&gt;红&lt;/font&gt;"
    )


@pytest.mark.parametrize("width", [float(w) for w in range(60, 480, 7)])
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(width: float) -> None:
    font = register_fonts()
    lines = break_lines(LONG, width, font, 10.5)
    assert "".join(lines) == LONG  # nothing lost or added
    for i, line in enumerate(lines):
        assert line, i
        if i > 0:
            assert line[0] not in NO_LINE_START, (i, line)
        if i < len(lines) - 1:
            assert line[-1] not in NO_LINE_END, (i, line)
        # a pulled-down character may make a line at most a couple of characters wider than asked
        assert pdfmetrics.stringWidth(line, font, 10.5) <= max(width, 0) + 3 * 10.5, (i, line)


def test_first_line_width_is_its_own() -> None:
    font = register_fonts()
    lines = break_lines("一" * 40, 100, font, 10, first=60)
    assert len(lines[0]) < len(lines[1])
