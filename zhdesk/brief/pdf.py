"""The brief as a PDF (reportlab platypus, A4 portrait), in the usual 简报 form: red masthead, 第N期, the
issuing unit and date on one line, a red rule; then the summary, the KPI table, charts, the 挂牌督办 table
and one section per chosen site. Footer: 第 X 页 共 Y 页 and the generation time."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from functools import partial
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    HRFlowable,
    Image,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from zhdesk.brief import charts
from zhdesk.brief.data import BriefData, SiteSection
from zhdesk.brief.images import PhotoCache, edge_to_fit
from zhdesk.brief.text import esc, para, register_fonts
from zhdesk.domain.periods import date_text, range_text
from zhdesk.domain.stats import KIND_LABELS, Kind
from zhdesk.dto import PhotoDTO

RED = colors.Color(0.8, 0, 0)
MARGIN = 18 * mm
PAGE_W, PAGE_H = A4
FRAME_W = PAGE_W - 2 * MARGIN
PHOTO_W = (FRAME_W - 6 * mm) / 2
PHOTO_H = PHOTO_W * 3 / 4
NOTHING = "所选时间内无督办数据。"
MARKS = {"red": "●超期", "yellow": "▲临期", "green": "○正常", "grey": "—已办结"}

PhotoSource = Callable[[int], bytes]  # photo id → original bytes (read only on a cache miss)

# Binary streams, not ASCII85: reportlab ≥ 4 encodes ASCII85 in pure Python (its C accelerator is a separate
# package), which cost about 30 ms per embedded photo and made every stream a quarter bigger.
rl_config.useA85 = 0


class _JpegReader(ImageReader):  # type: ignore[misc]
    """A prepared JPEG embedded as it is (DCTDecode, no re-encoding). canvas.drawImage names an ImageReader's
    image by a digest of its decoded pixels; the JPEG bytes name it as well without decoding them."""

    def __init__(self, jpeg: bytes) -> None:
        super().__init__(io.BytesIO(jpeg))
        self._jpeg = jpeg
        self._dataA = None  # no alpha: drawImage asks

    def getRGBData(self) -> bytes:  # reportlab's name
        return self._jpeg


class _Photo(Flowable):  # type: ignore[misc]
    """A prepared photo drawn at width × height points."""

    def __init__(self, jpeg: bytes, width: float, height: float) -> None:
        super().__init__()
        self.reader = _JpegReader(jpeg)
        self.width, self.height = width, height
        self.hAlign = "CENTER"

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.drawImage(self.reader, 0, 0, self.width, self.height)


NUMERALS = "一二三四五六七八九十"


class _Styles:
    def __init__(self, font: str) -> None:
        base = ParagraphStyle("base", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK")
        self.body = ParagraphStyle("body", base, firstLineIndent=21, spaceAfter=4)
        self.small = ParagraphStyle("small", base, fontSize=8, leading=11)
        self.cell = ParagraphStyle("cell", base, fontSize=8, leading=10.5)
        self.caption = ParagraphStyle("caption", base, fontSize=8, leading=11, alignment=TA_CENTER)
        self.title = ParagraphStyle("title", base, fontSize=26, leading=34, alignment=TA_CENTER, textColor=RED)
        self.issue = ParagraphStyle("issue", base, fontSize=12, leading=18, alignment=TA_CENTER)
        self.h1 = ParagraphStyle("h1", base, fontSize=13, leading=20, spaceBefore=8, spaceAfter=4)
        self.h2 = ParagraphStyle("h2", base, fontSize=11, leading=16, spaceBefore=4, spaceAfter=2)
        self.internal = ParagraphStyle("internal", base, fontSize=10, leading=14)


def _grid(data: list[list[Any]], widths: list[float], font: str, repeat: int = 1, size: float = 8) -> Table:
    t = Table(data, colWidths=widths, repeatRows=repeat)
    t.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, size),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("BACKGROUND", (0, 0), (-1, repeat - 1), colors.Color(0.88, 0.88, 0.88)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))  # fmt: skip
    return t


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def photo_edge(p: PhotoDTO) -> int:
    """The prepared size of a photo as the brief prints it (the PDF and the Word copy share the cache)."""
    return edge_to_fit(p.width, p.height, PHOTO_W, PHOTO_H)


def warm_photos(data: BriefData, source: PhotoSource | None, cache: PhotoCache) -> None:
    """Prepare every photo the brief shows before laying it out, several at a time."""
    if not (data.spec.photos and source is not None and "sites" in data.spec.sections):
        return
    shown = [p for sec in data.sites for p in (*sec.before[:1], *sec.after[:1])]  # the first of each phase
    cache.warm([(p.sha256, photo_edge(p), partial(source, p.id)) for p in shown])


class _Builder:
    def __init__(self, data: BriefData, photo_source: PhotoSource | None, cache: PhotoCache) -> None:
        self.data = data
        self.font = register_fonts()
        self.s = _Styles(self.font)
        self.photo_source = photo_source
        self.cache = cache
        self._headings = 0

    def masthead(self) -> list[Flowable]:
        d, s = self.data, self.s
        out: list[Flowable] = []
        if d.spec.internal:
            out.append(Paragraph("内部资料　注意保存", s.internal))
        out += [
            Spacer(1, 6 * mm),
            Paragraph(esc(d.title), s.title),
            Spacer(1, 2 * mm),
            Paragraph(f"第{d.issue_no}期", s.issue),
            Spacer(1, 5 * mm),
        ]
        line = Table([[esc(d.issuer), date_text(d.issued_on)]], colWidths=[FRAME_W / 2] * 2)
        line.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), self.font, 11),
            ("ALIGN", (1, 0), (1, 0), "RIGHT"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ]))  # fmt: skip
        out += [line, HRFlowable(width="100%", thickness=2, color=RED, spaceBefore=2, spaceAfter=8)]
        scope = range_text(d.spec.date_from, d.spec.date_to)
        if d.communities:
            scope += "　" + "、".join(d.communities)
        out.append(para(f"统计范围：{scope}", s.small))
        out.append(Spacer(1, 3 * mm))
        return out

    def summary(self) -> list[Flowable]:
        return [self.heading("工作概况"), para(self.data.summary, self.s.body)]

    def kpi(self) -> list[Flowable]:
        dash, font = self.data.dashboards, self.font
        fig = dash.figures
        top = [
            ["挂牌督办在办", "其中超期", "区间内摘牌", "结案率", "按期结案率"],
            [str(dash.listings_in_force), str(dash.listings_overdue), str(dash.listings_closed_in_range),
             _pct(fig.closure_rate), _pct(fig.on_time_closure_rate)],
        ]  # fmt: skip
        t1 = _grid(top, [FRAME_W / 5] * 5, font, size=9)
        t1.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER"), ("FONTSIZE", (0, 1), (-1, 1), 13),
                                ("LEADING", (0, 1), (-1, 1), 16)]))  # fmt: skip
        rows: list[list[Any]] = [["类别", "期数", "处数", "办结"]]
        for k in Kind:
            c = fig.by_kind.get(k.value)
            if c is not None:
                rows.append([KIND_LABELS[k], str(c.issues), str(c.items), str(c.closed)])
        rows.append(["合计", str(fig.total.issues), str(fig.total.items), str(fig.total.closed)])
        t2 = _grid(rows, [FRAME_W * 0.4] + [FRAME_W * 0.2] * 3, font, size=9)
        t2.setStyle(TableStyle([("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                                ("BACKGROUND", (0, -1), (-1, -1), colors.Color(0.94, 0.94, 0.94))]))  # fmt: skip
        return [self.heading("主要指标"), t1, Spacer(1, 3 * mm), t2]

    def charts(self) -> list[Flowable]:
        spec = self.data.spec
        shown = charts.drawings(self.data.dashboards, self.font, FRAME_W, spec.date_from, spec.date_to)
        if not shown:
            return []
        # the heading stays with the first chart (never alone at a page foot)
        out: list[Flowable] = [KeepTogether([self.heading("图表"), shown[0], Spacer(1, 3 * mm)])]
        out += [KeepTogether([dr, Spacer(1, 3 * mm)]) for dr in shown[1:]]
        return out

    def listings(self) -> list[Flowable]:
        rows = self.data.listings
        c = self.s.cell
        head = ["标记", "点位", "社区", "问题", "包案领导", "责任单位", "整改期限", "剩余/超期", "状态"]
        data: list[list[Any]] = [head]
        for r in rows:
            data.append([
                MARKS.get(r.light or "", ""), para(r.address, c), para(r.community, c), para(r.problem or "", c),
                para(r.lead or "", c), para(r.unit or "", c), r.deadline.isoformat() if r.deadline else "",
                para(r.days_text, c), para(r.status_label or "", c),
            ])  # fmt: skip
        widths = [x * mm for x in (13, 22, 20, 30, 14, 25, 17, 15, 15)]
        scale = FRAME_W / sum(widths)
        t = _grid(data, [w * scale for w in widths], self.font)
        style = [("FONTSIZE", (0, 0), (-1, -1), 7.5)]
        for i, r in enumerate(rows, start=1):
            if r.light == "red":
                style.append(("BACKGROUND", (0, i), (-1, i), colors.Color(0.93, 0.93, 0.93)))
        t.setStyle(TableStyle(style))
        head_p = self.heading("挂牌督办点位")
        note = para("标记：●超期　▲临期　○正常　—已办结；超期点位列在最前。", self.s.small)
        if not rows:
            return [head_p, para("所选范围内没有挂牌督办点位。", self.s.body)]
        return [head_p, note, Spacer(1, 2 * mm), t]

    def _photo(self, p: PhotoDTO) -> Flowable:
        assert self.photo_source is not None
        source = self.photo_source
        data = self.cache.get(p.sha256, photo_edge(p), lambda: source(p.id))
        if not data.startswith(b"\xff\xd8"):  # not a JPEG (never made by imaging): let reportlab convert it
            img = Image(io.BytesIO(data))
            ratio = min(PHOTO_W / img.imageWidth, PHOTO_H / img.imageHeight)
            img.drawWidth, img.drawHeight = img.imageWidth * ratio, img.imageHeight * ratio
            return img
        photo = _Photo(data, PHOTO_W, PHOTO_H)
        w, h = photo.reader.getSize()
        ratio = min(PHOTO_W / w, PHOTO_H / h)
        photo.width, photo.height = w * ratio, h * ratio
        return photo

    def _photo_cell(self, photos: tuple[PhotoDTO, ...], phase: str) -> list[Flowable]:
        if not photos:
            return [para(f"（无{phase}照片）", self.s.caption)]
        p = photos[0]
        when = date_text(p.taken_at.date()) if p.taken_at else "拍摄日期不详"
        return [self._photo(p), para(f"{phase}　{when}", self.s.caption)]

    def site(self, sec: SiteSection, n: int) -> list[Flowable]:
        r, s = sec.row, self.s
        head = Paragraph(f"（{n}）{esc(r.address)}", s.h2)
        facts = sec.facts()
        block: list[Flowable] = [head, para(facts, s.small)]
        if sec.note:
            block.append(para(f"备注：{sec.note}", s.small))
        if self.data.spec.photos and self.photo_source is not None and (sec.before or sec.after):
            t = Table([[self._photo_cell(sec.before, "整改前"), self._photo_cell(sec.after, "整改后")]],
                      colWidths=[FRAME_W / 2] * 2)  # fmt: skip
            t.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), self.font), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))  # fmt: skip
            block += [Spacer(1, 2 * mm), t]
            if sec.photo_count > len(sec.before) + len(sec.after):
                block.append(para(f"（共{sec.photo_count}张照片，此处选登整改前后各一张）", s.caption))
        out: list[Flowable] = [CondPageBreak(60 * mm), KeepTogether(block)]
        if sec.events:
            rows: list[list[Any]] = [["日期", "事项", "内容"]]
            for e in sec.events[-12:]:
                rows.append([e.date.isoformat(), e.kind_label, para(e.text or "", s.cell)])
            t = _grid(rows, [22 * mm, 22 * mm, FRAME_W - 44 * mm], self.font)
            out.append(KeepTogether([Paragraph("时间线", s.small), t]))
        out.append(Spacer(1, 4 * mm))
        return out

    def heading(self, title: str) -> Paragraph:
        """一、二、… numbered in the order printed (a section left out takes no number)."""
        self._headings += 1
        return Paragraph(f"{NUMERALS[self._headings - 1]}、{title}", self.s.h1)

    def story(self) -> list[Flowable]:
        d = self.data
        self._headings = 0
        out = self.masthead()
        if d.empty:
            out.append(para(NOTHING, self.s.body))
        if "summary" in d.spec.sections:
            out += self.summary()
        if "kpi" in d.spec.sections and not d.empty:
            out += self.kpi()
        if "charts" in d.spec.sections and not d.empty:
            out += self.charts()
        if "listings" in d.spec.sections:
            out += self.listings()
        if "sites" in d.spec.sections and d.sites:
            out.append(CondPageBreak(80 * mm))
            out.append(self.heading("重点点位情况"))
            for i, sec in enumerate(d.sites, start=1):
                out += self.site(sec, i)
        return out


Footer = Callable[[Canvas, int, int], None]  # (canvas, page, pages)


class _HeldPages(Canvas):  # type: ignore[misc]
    """A canvas that holds every finished page until the last, so that a single layout pass can print
    第 X 页 共 Y 页 (laying the brief out twice, once to count its pages, was half of a build). The footer
    goes at the start of each page's stream, in the page's initial graphics state, as an onPage footer
    would be drawn."""

    _code: list[str]  # reportlab's: the current page's operators
    _pageNumber: int
    state_stack: list[dict[str, Any]]

    def __init__(self, *args: Any, footer: Footer, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._footer = footer
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:  # reportlab's name
        self._held.append(dict(self.__dict__))  # _startPage gives the next page new lists, not cleared ones
        self._startPage()

    def save(self) -> None:
        if self._code:
            self.showPage()
        total = len(self._held)
        for state in self._held:
            self.__dict__.update(state)
            body = self._code
            self._code = []
            self.init_graphics_state()  # as _startPage left it when the page began
            self.state_stack = []
            self._footer(self, self._pageNumber, total)
            self._code += body
            super().showPage()
        self._held = []
        super().save()


class _Doc(BaseDocTemplate):  # type: ignore[misc]
    """A4 with one frame; the footer is drawn by _HeldPages once the page count is known."""

    def __init__(self, buf: io.BytesIO, font: str, generated: dt.datetime, **kw: Any) -> None:
        # initialFontName: the canvas's default font would otherwise be an unembedded Helvetica
        super().__init__(buf, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                         bottomMargin=MARGIN + 4 * mm, initialFontName=font, **kw)  # fmt: skip
        self.font = font
        self.generated = generated
        frame = Frame(MARGIN, MARGIN + 4 * mm, FRAME_W, PAGE_H - 2 * MARGIN - 4 * mm, id="body")
        self.addPageTemplates([PageTemplate("page", [frame])])

    def footer(self, canv: Canvas, page: int, total: int) -> None:
        canv.saveState()
        canv.setFont(self.font, 8)
        canv.drawCentredString(PAGE_W / 2, MARGIN - 2 * mm, f"第 {page} 页 共 {total} 页")
        canv.drawRightString(PAGE_W - MARGIN, MARGIN - 2 * mm, f"生成时间：{self.generated:%Y-%m-%d %H:%M}")
        canv.restoreState()

    def build_story(self, story: list[Flowable]) -> None:
        self.build(story, canvasmaker=partial(_HeldPages, footer=self.footer))


def render(data: BriefData, photo_source: PhotoSource | None, cache: PhotoCache,
           generated: dt.datetime | None = None) -> tuple[bytes, int]:  # fmt: skip
    """The PDF bytes and its page count."""
    builder = _Builder(data, photo_source, cache)
    warm_photos(data, photo_source, cache)
    generated = generated or dt.datetime.now()
    meta = {
        "title": f"{data.title} 第{data.issue_no}期",
        "author": data.issuer,
        "subject": f"{range_text(data.spec.date_from, data.spec.date_to)} 督办工作简报",
        "creator": "zhdesk",
    }
    buf = io.BytesIO()
    doc = _Doc(buf, builder.font, generated, **meta)
    doc.build_story(builder.story())
    return buf.getvalue(), int(doc.page)
