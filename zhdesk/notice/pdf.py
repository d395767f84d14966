"""The 督办通知单 as a PDF: one A4 page per notice in the usual 公文 layout — red title, 编号 and a red
rule; the addressee; the problem, deadline and how far it is overdue; what must be done by when; the
issuing office and date; then a dashed cut line and a 回执 strip to send back.

The body is shrunk to fit its frame (KeepInFrame), so however long a problem text is, a notice never
spills onto a second page; the 回执 strip is drawn on the page itself, below the frame."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    HRFlowable,
    KeepInFrame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from zhdesk.brief.text import markup, register_fonts
from zhdesk.domain.periods import date_text as cn_date

RED = colors.HexColor("#c8161d")  # the red of a 红头文件
INK = colors.HexColor("#1a1a1a")
GREY = colors.HexColor("#666666")

PAGE_W, PAGE_H = A4
MARGIN_X = 24 * mm
MARGIN_TOP = 18 * mm
MARGIN_BOTTOM = 14 * mm
RECEIPT_H = 66 * mm  # the 回执 strip, cut line included
GAP = 6 * mm
BODY_W = PAGE_W - 2 * MARGIN_X
BODY_Y = MARGIN_BOTTOM + RECEIPT_H + GAP
BODY_H = PAGE_H - MARGIN_TOP - BODY_Y


@dataclass(frozen=True)
class Notice:
    """What one notice says; every text field is plain user text (escaped when laid out)."""

    title: str  # 市容环境卫生综合整治督办通知单
    number: str  # 督〔2026〕12号
    addressee: str  # the 责任单位
    address: str
    community: str
    kind_label: str
    category: str | None
    problem: str | None
    listed_on: dt.date
    deadline: dt.date | None
    days_text: str  # 超期3天 / 剩5天 / 今天到期 / 无时限
    overdue: bool
    due: dt.date  # 限期整改完毕
    days: int
    lead: str | None
    lead_phone: str | None
    contact: str | None
    contact_phone: str | None
    office: str
    issued_on: dt.date


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=12, leading=20, textColor=INK, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", base, fontSize=24, leading=32, textColor=RED, alignment=TA_CENTER),
        "number": ParagraphStyle("number", base, fontSize=12, leading=18, alignment=TA_CENTER),
        "to": ParagraphStyle("to", base, fontSize=14, leading=22, spaceBefore=4, spaceAfter=2),
        "body": ParagraphStyle("body", base, firstLineIndent=24, spaceAfter=4),
        "cell": ParagraphStyle("cell", base, fontSize=10.5, leading=15),
        "label": ParagraphStyle("label", base, fontSize=10.5, leading=15, alignment=TA_CENTER),
        "sign": ParagraphStyle("sign", base, alignment=TA_RIGHT, leading=20),
    }


def _who(name: str | None, phone: str | None) -> str:
    if not name:
        return "—"
    return markup(name) + (f"（电话：{markup(phone)}）" if phone else "")


def _body(n: Notice, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    place = f"{markup(n.community)}{markup(n.address)}（{markup(n.kind_label)}）"
    deadline = cn_date(n.deadline) if n.deadline else "未定"
    state = f'<font color="#c8161d">{markup(n.days_text)}</font>' if n.overdue else markup(n.days_text)
    office = markup(n.office)
    opening = (
        f"经查，你单位负责的{place}于{cn_date(n.listed_on)}挂牌督办，整改时限为{deadline}，"
        f"截至{cn_date(n.issued_on)}{'已' if n.overdue else ''}{state}，问题尚未整改到位。"
        "现将有关情况通知如下，请高度重视，立即组织整改。"
    )
    rows = [
        ("点位地址", markup(n.address)),
        ("所属社区", markup(n.community)),
        ("问题类别", markup(n.category) or "—"),
        ("存在问题", markup(n.problem) or "—"),
        ("挂牌日期", cn_date(n.listed_on)),
        ("整改时限", f"{deadline}　{state}"),
        ("整改要求", f"限{n.days}日内，于<font color=\"#c8161d\">{cn_date(n.due)}</font>前整改完毕，"
                     "并将整改情况及整改前后照片报送" + office),
        ("包案领导", _who(n.lead, n.lead_phone)),
        ("联 系 人", _who(n.contact, n.contact_phone)),
    ]  # fmt: skip
    table = Table(
        [[Paragraph(k, st["label"]), Paragraph(v, st["cell"])] for k, v in rows],
        colWidths=[24 * mm, BODY_W - 24 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), st["cell"].fontName),  # a Table's default is Helvetica, not embedded
                ("GRID", (0, 0), (-1, -1), 0.6, INK),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    closing = (
        f"请你单位于{cn_date(n.due)}前整改完毕，并填写下方回执，连同整改前后照片一并报送{office}。"
        "逾期未整改到位的，将按有关规定予以通报。"
    )
    return [
        Paragraph(markup(n.title), st["title"]),
        Spacer(1, 2),
        Paragraph(markup(n.number), st["number"]),
        HRFlowable(width="100%", thickness=2, color=RED, spaceBefore=4, spaceAfter=10),
        Paragraph(f"{markup(n.addressee)}：", st["to"]),
        Paragraph(opening, st["body"]),
        Spacer(1, 4),
        table,
        Spacer(1, 8),
        Paragraph(closing, st["body"]),
        Spacer(1, 14),
        Paragraph(office, st["sign"]),
        Paragraph(cn_date(n.issued_on), st["sign"]),
    ]


def _fit(text: str, font: str, size: float, width: float) -> str:
    """`text` cut (with …) to fit `width` on one line: the 回执 is drawn, not flowed."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _receipt(c: Canvas, n: Notice, font: str) -> None:
    """The dashed cut line and the 回执 strip at the foot of the page."""
    left, right = MARGIN_X, PAGE_W - MARGIN_X
    top = MARGIN_BOTTOM + RECEIPT_H
    c.saveState()
    c.setStrokeColor(GREY)
    c.setDash(4, 3)
    c.setLineWidth(0.7)
    c.line(left - 8 * mm, top, right + 8 * mm, top)
    cut = "沿此线剪开"
    w = stringWidth(cut, font, 8) + 6
    c.setFillColor(colors.white)
    c.rect(PAGE_W / 2 - w / 2, top - 5, w, 10, stroke=0, fill=1)
    c.setFillColor(GREY)
    c.setFont(font, 8)
    c.drawCentredString(PAGE_W / 2, top - 3, cut)
    c.setDash()
    c.setFillColor(INK)
    c.setStrokeColor(INK)
    c.setFont(font, 15)
    c.drawCentredString(PAGE_W / 2, top - 11 * mm, "回　执")
    c.setFont(font, 9.5)
    head = f"编号：{n.number}　　点位：{n.community}{n.address}"
    c.drawString(left, top - 17 * mm, _fit(head, font, 9.5, right - left))
    # A grid: 单位 | unit (full width) ; 签收人 | blank | 签收日期 | 年月日 ; 整改情况 (tall).
    row_h = 9 * mm
    grid_top = top - 20 * mm
    label_w, mid = 22 * mm, left + (right - left) / 2
    rows_y = [grid_top, grid_top - row_h, grid_top - 2 * row_h, MARGIN_BOTTOM]
    c.setLineWidth(0.6)
    c.rect(left, MARGIN_BOTTOM, right - left, grid_top - MARGIN_BOTTOM)
    for y in rows_y[1:3]:
        c.line(left, y, right, y)
    c.line(left + label_w, grid_top, left + label_w, MARGIN_BOTTOM)
    c.line(mid, rows_y[1], mid, rows_y[2])
    c.line(mid + label_w, rows_y[1], mid + label_w, rows_y[2])
    c.setFont(font, 10.5)

    def label(x: float, y_top: float, text: str) -> None:
        c.drawCentredString(x + label_w / 2, y_top - row_h / 2 - 3.5, text)

    label(left, rows_y[0], "单　位")
    label(left, rows_y[1], "签收人")
    label(mid, rows_y[1], "签收日期")
    label(left, rows_y[2], "整改情况")
    unit = _fit(n.addressee, font, 10.5, right - left - label_w - 8)
    c.drawString(left + label_w + 4, rows_y[0] - row_h / 2 - 3.5, unit)
    c.drawRightString(right - 6, rows_y[1] - row_h / 2 - 3.5, "年　　月　　日")
    c.restoreState()


def render(path: str, notices: Sequence[Notice], *, title: str, author: str) -> None:
    """Write `notices` to the PDF at `path`, one A4 page each (the caller guards where it goes)."""
    font = register_fonts()
    st = _styles(font)

    def page(c: Canvas, _doc: BaseDocTemplate) -> None:
        _receipt(c, notices[c.getPageNumber() - 1], font)

    doc = BaseDocTemplate(
        path, pagesize=A4, title=title, author=author, subject="督办通知单", creator="zhdesk",
        leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
        initialFontName=font,  # else each page starts in Helvetica, a font the PDF would not embed
    )  # fmt: skip
    frame = Frame(MARGIN_X, BODY_Y, BODY_W, BODY_H, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="notice", frames=[frame], onPage=page)])
    story: list[Flowable] = []
    for i, n in enumerate(notices):
        if i:
            story.append(PageBreak())
        story.append(KeepInFrame(BODY_W, BODY_H, _body(n, st), mode="shrink"))
    doc.build(story)
