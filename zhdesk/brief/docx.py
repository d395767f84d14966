"""The brief as an editable Word copy (.docx, python-docx): the same data, sections, charts and prepared photos
as the PDF (pdf.py), for a preparer who must edit before printing. Chinese text is set on the eastAsia font
slot (宋体 body, 黑体 headings) so Word and LibreOffice pick a Chinese face; charts are the PDF's vector
drawings rasterised (reportlab → PDF → PNG through pdfium, grayscale, 200 dpi); photos are the cached JPEGs."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pypdfium2 as pdfium
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from PIL import Image as PILImage
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing

from zhdesk.brief import charts
from zhdesk.brief.data import BriefData, SiteSection
from zhdesk.brief.images import PhotoCache
from zhdesk.brief.pdf import (
    FRAME_W,
    MARGIN,
    MARKS,
    NOTHING,
    NUMERALS,
    PAGE_H,
    PAGE_W,
    PHOTO_H,
    PHOTO_W,
    PhotoSource,
    _pct,
    photo_edge,
    warm_photos,
)
from zhdesk.brief.text import register_fonts
from zhdesk.domain.periods import date_text, range_text
from zhdesk.domain.stats import KIND_LABELS, Kind
from zhdesk.dto import PhotoDTO

BODY_FONT = "宋体"
HEAD_FONT = "黑体"
LATIN_FONT = "Times New Roman"
RED = RGBColor(0xCC, 0x00, 0x00)
GREY_FILL = "E0E0E0"
DARK_FILL = "EDEDED"
CHART_DPI = 200

# XML 1.0 refuses these; a note pasted from elsewhere may carry them
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def plain(text: object) -> str:
    """User text as Word run text: never markup, only the characters XML cannot hold dropped."""
    return _CONTROL.sub("", str(text))


def _padded(drawing: Drawing) -> Drawing:
    """The drawing grown to hold what sticks out of it (a legend's labels do; the PDF lets them overhang)."""
    x1, y1, x2, y2 = drawing.getBounds()
    x1, y1 = min(x1, 0), min(y1, 0)
    x2, y2 = max(x2, drawing.width), max(y2, drawing.height)
    if (x1, y1, x2, y2) == (0, 0, drawing.width, drawing.height):
        return drawing
    out = Drawing(x2 - x1 + 2, y2 - y1 + 2)
    out.initialFontName = drawing.initialFontName
    g = drawing.asGroup()
    g.translate(1 - x1, 1 - y1)
    out.add(g)
    return out


def chart_png(drawing: Drawing, dpi: int = CHART_DPI) -> tuple[bytes, float]:
    """The PDF's own vector chart, drawn to a one-page PDF and rasterised (grayscale PNG), and its width in
    points."""
    drawing = _padded(drawing)
    doc = pdfium.PdfDocument(renderPDF.drawToString(drawing))
    try:
        page = doc[0]
        try:
            img = page.render(scale=dpi / 72, grayscale=True).to_pil()
        finally:
            page.close()
    finally:
        doc.close()
    buf = io.BytesIO()
    img.convert("L").save(buf, "PNG", optimize=True)
    return buf.getvalue(), float(drawing.width)


# -- low-level OOXML helpers (python-docx has no API for these)


def _set_fonts(rpr: Any, east: str, latin: str = LATIN_FONT) -> None:
    """Replace rFonts (theme attributes included, they would win) with explicit faces."""
    for old in rpr.findall(qn("w:rFonts")):
        rpr.remove(old)
    fonts = OxmlElement("w:rFonts")
    for attr, face in (("w:ascii", latin), ("w:hAnsi", latin), ("w:cs", latin), ("w:eastAsia", east)):
        fonts.set(qn(attr), face)
    fonts.set(qn("w:hint"), "eastAsia")  # quotes and dashes render with the Chinese face
    rpr.insert(0, fonts)


def _lang(rpr: Any) -> None:
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)


def _shade(cell: _Cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _repeat_header(table: Table) -> None:
    """The first row repeats on every page (w:tblHeader); no row splits across pages."""
    for i, row in enumerate(table.rows):
        trpr = row._tr.get_or_add_trPr()
        trpr.append(OxmlElement("w:cantSplit"))
        if i == 0:
            head = OxmlElement("w:tblHeader")
            head.set(qn("w:val"), "true")
            trpr.append(head)


def _no_borders(table: Table) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = OxmlElement(f"w:{side}")
        b.set(qn("w:val"), "nil")
        borders.append(b)
    tblpr.append(borders)


def _bottom_rule(p: Paragraph, color: str = "CC0000", eighths: int = 18) -> None:
    """The masthead's red rule: a bottom border on the issuer line (2.25 pt)."""
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", str(eighths)), ("w:space", "4"), ("w:color", color)):
        bottom.set(qn(k), v)
    bdr.append(bottom)
    ppr.append(bdr)


def _field(p: Paragraph, instr: str, shown: str, size: float) -> None:
    """A complex field (PAGE, NUMPAGES): Word and LibreOffice fill it in when laying out."""

    def run_with(el: Any) -> None:
        r = p.add_run()
        r.font.size = Pt(size)
        r._r.append(el)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instr} "
    run_with(text)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    r = p.add_run(shown)
    r.font.size = Pt(size)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _keep_together(elements: list[Any]) -> None:
    """A site never splits awkwardly: every paragraph of its block (table cells included) keeps with the
    next, but the last; Word and LibreOffice then move the whole block to the next page when it does not fit."""
    paras = [p for el in elements for p in el.iter(qn("w:p"))]
    for p in paras[:-1]:
        p.get_or_add_pPr().keepNext_val = True


class _Writer:
    def __init__(self, data: BriefData, photo_source: PhotoSource | None, cache: PhotoCache,
                 generated: dt.datetime) -> None:  # fmt: skip
        self.data = data
        self.photo_source = photo_source
        self.cache = cache
        self.generated = generated
        self._headings = 0
        self.doc: DocxDocument = Document()
        self._setup()

    # -- page, styles, footer, properties

    def _setup(self) -> None:
        doc = self.doc
        sec = doc.sections[0]
        sec.page_width, sec.page_height = Mm(PAGE_W / 72 * 25.4), Mm(PAGE_H / 72 * 25.4)
        sec.left_margin = sec.right_margin = sec.top_margin = Mm(MARGIN / 72 * 25.4)
        sec.bottom_margin = Mm(MARGIN / 72 * 25.4 + 6)
        sec.footer_distance = Mm(8)
        defaults = doc.styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
            if rpr is not None:
                _set_fonts(rpr, BODY_FONT)
                _lang(rpr)
        normal = doc.styles["Normal"]
        _set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
        normal.font.size = Pt(10.5)
        normal.paragraph_format.space_after = Pt(0)
        normal.paragraph_format.line_spacing = 1.3
        for name, size in (("Heading 1", 14), ("Heading 2", 12)):
            st = doc.styles[name]
            _set_fonts(st.element.get_or_add_rPr(), HEAD_FONT, HEAD_FONT)
            st.font.size = Pt(size)
            st.font.bold = False
            st.font.italic = False
            st.font.color.rgb = RGBColor(0, 0, 0)
            st.paragraph_format.space_before = Pt(10 if size > 12 else 6)
            st.paragraph_format.space_after = Pt(4)
            st.paragraph_format.keep_with_next = True
        self._footer()
        props = doc.core_properties
        d = self.data
        props.title = plain(f"{d.title} 第{d.issue_no}期")
        props.author = plain(d.issuer)
        props.subject = f"{range_text(d.spec.date_from, d.spec.date_to)} 督办工作简报"
        props.last_modified_by = plain(d.issuer)
        props.created = props.modified = self.generated
        props.language = "zh-CN"
        props.comments = "zhdesk"

    def _footer(self) -> None:
        sec = self.doc.sections[0]
        p = sec.footer.paragraphs[0]
        width = Pt(FRAME_W)
        self.doc.styles["Footer"].paragraph_format.tab_stops.clear_all()  # the template's are for Letter paper
        stops = p.paragraph_format.tab_stops
        stops.add_tab_stop(Pt(FRAME_W / 2), WD_TAB_ALIGNMENT.CENTER)
        stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
        size = 8

        def text(s: str) -> None:
            p.add_run(s).font.size = Pt(size)

        text("\t第 ")
        _field(p, "PAGE", "1", size)
        text(" 页 共 ")
        _field(p, "NUMPAGES", "1", size)
        text(f" 页\t生成时间：{self.generated:%Y-%m-%d %H:%M}")

    # -- building blocks

    def para(self, text: str, size: float | None = None, indent: bool = False, align: Any = None,
             keep: bool = False) -> Paragraph:  # fmt: skip
        p = self.doc.add_paragraph()
        self._runs(p, text, size)
        if indent:
            p.paragraph_format.first_line_indent = Pt(21)
            p.paragraph_format.space_after = Pt(4)
        if align is not None:
            p.alignment = align
        if keep:
            p.paragraph_format.keep_with_next = True
        return p

    def _runs(self, p: Paragraph, text: str, size: float | None) -> None:
        r = p.add_run(plain(text))
        if size is not None:
            r.font.size = Pt(size)

    def heading(self, text: str, level: int = 1) -> Paragraph:
        """Level 1 is numbered 一、二、… in the order printed, as in the PDF (a section left out takes no number)."""
        if level == 1:
            self._headings += 1
            text = f"{NUMERALS[self._headings - 1]}、{text}"
        p: Paragraph = self.doc.add_heading(plain(text), level)
        return p

    def _cell_text(self, cell: _Cell, text: str, size: float, align: Any = None, bold: bool = False) -> None:
        p = cell.paragraphs[0]
        p.paragraph_format.line_spacing = 1.0
        r = p.add_run(plain(text))
        r.font.size = Pt(size)
        r.bold = bold
        if align is not None:
            p.alignment = align

    def grid(self, rows: list[list[str]], widths_pt: list[float], size: float = 9,
             right_from: int | None = None) -> Table:  # fmt: skip
        """A ruled table, its first row the (shaded, repeating) header."""
        t: Table = self.doc.add_table(rows=len(rows), cols=len(widths_pt))
        t.style = self.doc.styles["Table Grid"]
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False
        for j, w in enumerate(widths_pt):
            t.columns[j].width = Pt(w)  # the grid LibreOffice lays out by
        for i, values in enumerate(rows):
            for j, value in enumerate(values):
                cell = t.cell(i, j)
                cell.width = Pt(widths_pt[j])
                if i == 0:
                    self._cell_text(cell, value, size, WD_ALIGN_PARAGRAPH.CENTER)
                    _shade(cell, GREY_FILL)
                else:
                    right = right_from is not None and j >= right_from
                    self._cell_text(cell, value, size, WD_ALIGN_PARAGRAPH.RIGHT if right else None)
        _repeat_header(t)
        return t

    # -- the sections, in the PDF's order

    def masthead(self) -> None:
        d = self.data
        if d.spec.internal:
            self.para("内部资料　注意保存", size=10)
        title = self.para(d.title, align=WD_ALIGN_PARAGRAPH.CENTER)
        title.paragraph_format.space_before = Pt(14)
        title.paragraph_format.space_after = Pt(4)
        r = title.runs[0]
        r.font.size = Pt(26)
        r.font.bold = True
        r.font.color.rgb = RED
        issue = self.para(f"第{d.issue_no}期", size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
        issue.paragraph_format.space_after = Pt(12)
        line = self.doc.add_paragraph()
        line.paragraph_format.tab_stops.add_tab_stop(Pt(FRAME_W), WD_TAB_ALIGNMENT.RIGHT)
        self._runs(line, f"{d.issuer}\t{date_text(d.issued_on)}", 11)
        _bottom_rule(line)
        line.paragraph_format.space_after = Pt(10)
        scope = range_text(d.spec.date_from, d.spec.date_to)
        if d.communities:
            scope += "　" + "、".join(d.communities)
        self.para(f"统计范围：{scope}", size=8).paragraph_format.space_after = Pt(6)

    def summary(self) -> None:
        self.heading("工作概况")
        self.para(self.data.summary, indent=True)

    def kpi(self) -> None:
        dash = self.data.dashboards
        fig = dash.figures
        self.heading("主要指标")
        top = [
            ["挂牌督办在办", "其中超期", "区间内摘牌", "结案率", "按期结案率"],
            [str(dash.listings_in_force), str(dash.listings_overdue), str(dash.listings_closed_in_range),
             _pct(fig.closure_rate), _pct(fig.on_time_closure_rate)],
        ]  # fmt: skip
        t1 = self.grid(top, [FRAME_W / 5] * 5)
        for cell in t1.rows[1].cells:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            cell.paragraphs[0].runs[0].font.size = Pt(13)
        self.para("", size=4)
        rows = [["类别", "期数", "处数", "办结"]]
        for k in Kind:
            c = fig.by_kind.get(k.value)
            if c is not None:
                rows.append([KIND_LABELS[k], str(c.issues), str(c.items), str(c.closed)])
        rows.append(["合计", str(fig.total.issues), str(fig.total.items), str(fig.total.closed)])
        t2 = self.grid(rows, [FRAME_W * 0.4] + [FRAME_W * 0.2] * 3, right_from=1)
        for cell in t2.rows[-1].cells:
            _shade(cell, DARK_FILL)

    def charts(self) -> None:
        shown = charts.drawings(self.data.dashboards, register_fonts(), FRAME_W, self.data.spec.date_from,
                               self.data.spec.date_to)  # fmt: skip
        if not shown:
            return
        self.heading("图表")
        for dr in shown:
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.space_after = Pt(6)
            png, width = chart_png(dr)
            p.add_run().add_picture(io.BytesIO(png), width=Pt(min(width, FRAME_W)))

    def listings(self) -> None:
        rows = self.data.listings
        self.heading("挂牌督办点位")
        if not rows:
            self.para("所选范围内没有挂牌督办点位。", indent=True)
            return
        self.para("标记：●超期　▲临期　○正常　—已办结；超期点位列在最前。", size=8, keep=True)
        head = ["标记", "点位", "社区", "问题", "包案领导", "责任单位", "整改期限", "剩余/超期", "状态"]
        data = [head]
        for r in rows:
            data.append([
                MARKS.get(r.light or "", ""), r.address, r.community, r.problem or "", r.lead or "", r.unit or "",
                r.deadline.isoformat() if r.deadline else "", r.days_text, r.status_label or "",
            ])  # fmt: skip
        widths = [13.0, 22, 20, 30, 14, 25, 17, 15, 15]
        scale = FRAME_W / sum(widths)
        t = self.grid(data, [w * scale for w in widths], size=7.5)
        for i, r in enumerate(rows, start=1):
            if r.light == "red":  # grey, not red: reads on a black-and-white printer, the mark says why
                for cell in t.rows[i].cells:
                    _shade(cell, "EDEDED")

    def _photo(self, cell: _Cell, photos: tuple[PhotoDTO, ...], phase: str) -> None:
        p = cell.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        if not photos:
            self._runs(p, f"（无{phase}照片）", 8)
            return
        assert self.photo_source is not None
        source, photo = self.photo_source, photos[0]
        jpeg = self.cache.get(photo.sha256, photo_edge(photo), lambda: source(photo.id))
        w, h = PILImage.open(io.BytesIO(jpeg)).size
        ratio = min(PHOTO_W / w, PHOTO_H / h)
        p.add_run().add_picture(io.BytesIO(jpeg), width=Pt(w * ratio), height=Pt(h * ratio))
        when = date_text(photo.taken_at.date()) if photo.taken_at else "拍摄日期不详"
        cap = cell.add_paragraph()
        cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._runs(cap, f"{phase}　{when}", 8)

    def site(self, sec: SiteSection, n: int) -> None:
        body = self.doc.element.body
        start = len(body)
        self._site(sec, n)
        _keep_together(list(body)[start:])
        self.para("", size=6)

    def _site(self, sec: SiteSection, n: int) -> None:
        r = sec.row
        self.heading(f"（{n}）{r.address}", 2)
        facts = sec.facts()
        self.para(facts, size=9, keep=True)
        if sec.note:
            self.para(f"备注：{sec.note}", size=9, keep=True)
        if self.data.spec.photos and self.photo_source is not None and (sec.before or sec.after):
            t = self.doc.add_table(rows=1, cols=2)
            t.alignment = WD_TABLE_ALIGNMENT.CENTER
            t.autofit = False
            _no_borders(t)
            for j, cell in enumerate(t.rows[0].cells):
                t.columns[j].width = cell.width = Pt(FRAME_W / 2)
            t.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
            self._photo(t.cell(0, 0), sec.before, "整改前")
            self._photo(t.cell(0, 1), sec.after, "整改后")
            if sec.photo_count > len(sec.before) + len(sec.after):
                self.para(f"（共{sec.photo_count}张照片，此处选登整改前后各一张）", size=8,
                          align=WD_ALIGN_PARAGRAPH.CENTER)  # fmt: skip
        if sec.events:
            self.para("时间线", size=8, keep=True)
            rows = [["日期", "事项", "内容"]]
            rows += [[e.date.isoformat(), e.kind_label, e.text or ""] for e in sec.events[-12:]]
            mm = 72 / 25.4
            self.grid(rows, [22 * mm, 22 * mm, FRAME_W - 44 * mm], size=8)

    def build(self) -> bytes:
        d = self.data
        warm_photos(d, self.photo_source, self.cache)
        self.masthead()
        if d.empty:
            self.para(NOTHING, indent=True)
        if "summary" in d.spec.sections:
            self.summary()
        if "kpi" in d.spec.sections and not d.empty:
            self.kpi()
        if "charts" in d.spec.sections and not d.empty:
            self.charts()
        if "listings" in d.spec.sections:
            self.listings()
        if "sites" in d.spec.sections and d.sites:
            self.heading("重点点位情况")
            for i, sec in enumerate(d.sites, start=1):
                self.site(sec, i)
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()


def render(data: BriefData, photo_source: PhotoSource | None, cache: PhotoCache,
           generated: dt.datetime | None = None) -> bytes:  # fmt: skip
    """The .docx bytes (Word paginates it itself: the page count is not known here)."""
    return _Writer(data, photo_source, cache, generated or dt.datetime.now()).build()
