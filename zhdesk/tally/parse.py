"""From sheet grids to tally entries: find the header, map it to the catalogue, read every row.

Two shapes (docs/domain.md): the detail ledger (one row per action: a 统计指标 column naming the metric and
a 数量 column, possibly metric columns such as 出动人次 beside them) and the summary table (one row per
community or period, one column per metric, maybe two-level headers and a 合计 row). Both are read by the
same loop: every metric cell of a data row is one entry. 小计/合计/总计 rows are checked, never counted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from zhdesk.dto import TallyImportOptions, TallyProblem
from zhdesk.tally.reader import SheetGrid, Workbook
from zhdesk.tally.text import bracket_content, cell_text, column_letter, header_key, same_unit
from zhdesk.tally.values import ValueProblem, find_period, find_year, parse_date, parse_number

HEADER_SCAN_ROWS = 30

# Header words of the ledger's descriptive columns (keys as header_key makes them).
FIELDS: dict[str, str] = {}
for _field, _words in {
    "date": ("日期", "时间", "处置日期", "检查日期", "工作日期", "发生日期", "日期时间"),
    "start": ("开始日期", "起始日期", "起始时间", "开始时间"),
    "end": ("结束日期", "截止日期", "结束时间", "截止时间"),
    "period": ("月份", "月度", "周", "时段", "周次", "统计时段", "统计周期", "期间", "统计期间", "时间段"),
    "community": ("社区", "社区名称", "所属社区", "社区居委会"),
    "site": ("点位", "地址", "点位地址", "点位名称", "楼院", "楼院名称", "位置"),
    "category": ("问题类别", "类别", "问题类型", "问题分类"),
    "measure": ("处置措施", "措施", "整改措施", "处置情况"),
    "metric_field": ("统计指标", "指标", "工作项目", "项目", "工作内容"),
    "quantity": ("数量", "数值", "完成数量", "工作量"),
    "unit": ("单位", "计量单位"),
    "note": ("备注", "说明"),
    "seq": ("序号", "编号", "no"),
}.items():
    for _w in _words:
        FIELDS[header_key(_w)] = _field

# Second-level headers that just say "how many" or "how large" under a metric's name.
COUNT_WORDS = {
    header_key(w) for w in ("处", "处数", "数量", "个数", "起数", "次数", "件数", "数", "起", "次", "件", "个")
}
AREA_WORDS = {header_key(w) for w in ("面积", "平方米", "㎡", "m2")}
TOTAL = re.compile(r"小计|合计|总计|共计|总数")


@dataclass(frozen=True)
class MetricInfo:
    code: str
    name: str
    unit: str


@dataclass(frozen=True)
class Catalogue:
    """What headers and values are matched against. `keys`: header key → metric code, or None = ignore."""

    metrics: dict[str, MetricInfo]
    keys: dict[str, str | None]
    communities: tuple[str, ...]

    @classmethod
    def build(
        cls, metrics: Iterable[MetricInfo], synonyms: Iterable[tuple[str, str | None]], communities: Iterable[str]
    ) -> Catalogue:
        ms = {m.code: m for m in metrics}
        keys: dict[str, str | None] = {}
        for text, code in synonyms:
            keys[header_key(text)] = code
        for m in ms.values():  # names and codes win over synonyms
            keys[header_key(m.name)] = m.code
            keys[m.code.lower()] = m.code
        return cls(ms, keys, tuple(communities))


ImportOptions = TallyImportOptions
Problem = TallyProblem


@dataclass(frozen=True)
class Entry:
    metric: str
    community: str
    site: str | None
    start: dt.date
    end: dt.date
    value: Decimal
    qualifier: str | None
    sheet: str
    row: int
    column: str
    note: str | None = None


@dataclass(frozen=True)
class Column:
    letter: str
    header: str
    kind: str  # 'metric' | a field name | 'ignore' | 'unmapped'
    metric: str | None = None
    unit: str | None = None  # unit written in the header's brackets


@dataclass
class SheetResult:
    name: str
    shape: str | None = None  # 'detail' | 'summary'
    header_row: int | None = None
    columns: list[Column] = field(default_factory=list)
    rows: int = 0  # data rows read (blank and total rows not counted)


@dataclass
class ParseResult:
    entries: list[Entry] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    sheets: list[SheetResult] = field(default_factory=list)
    rows: int = 0
    # (sheet, row) of rows excluded by the user, and of the total rows that were checked
    excluded_rows: list[tuple[str, int]] = field(default_factory=list)
    total_rows: list[tuple[str, int]] = field(default_factory=list)


_VALUE_MAX = 200  # a cell quoted back in a message
_MAX_ERRORS = 200  # a file with thousands of bad cells says so without a thousand-line report


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


class Cancelled(Exception):
    """The progress callback asked to stop."""


PROGRESS_EVERY = 5000  # rows between progress calls


class _Parser:
    def __init__(
        self, wb: Workbook, cat: Catalogue, opts: ImportOptions, progress: Callable[[int], bool] | None = None
    ) -> None:
        self.progress = progress
        self.wb = wb
        self.cat = cat
        self.opts = opts
        self.result = ParseResult()
        self.mapping = {header_key(k): v for k, v in opts.mapping.items()}
        self._community_keys: dict[str, str] = {}
        for name in cat.communities:
            k = header_key(name)
            self._community_keys[k] = name
            if k.endswith("社区") and len(k) > 2:
                self._community_keys.setdefault(k[:-2], name)
        self._date_cache: dict[Any, dt.date] = {}
        # a 100,000-row ledger repeats a handful of names: normalise each once
        self._community_memo: dict[str, str | None] = {}
        self._metric_memo: dict[str, str | bool | None] = {}

    # ---------------------------------------------------------------- problems
    def error(self, sheet: str | None, row: int | None, col: str | None, value: Any, reason: str) -> None:
        if len(self.result.errors) < _MAX_ERRORS:
            shown = None if value is None else cell_text(value)[:_VALUE_MAX]
            self.result.errors.append(Problem(sheet, row, col, shown, reason))
        elif len(self.result.errors) == _MAX_ERRORS:
            self.result.errors.append(Problem(sheet, None, None, None, f"错误超过 {_MAX_ERRORS} 处，其余未列出"))

    def warn(self, sheet: str | None, row: int | None, col: str | None, value: Any, reason: str) -> None:
        shown = None if value is None else cell_text(value)[:_VALUE_MAX]
        self.result.warnings.append(Problem(sheet, row, col, shown, reason))

    # ---------------------------------------------------------------- lookups
    def community(self, text: str) -> str | None:
        try:
            return self._community_memo[text]
        except KeyError:
            found = self._community_memo[text] = self._community_keys.get(header_key(text))
            return found

    def community_in(self, text: str) -> str | None:
        """A community named anywhere in a title or sheet name (longest name first)."""
        k = header_key(text)
        for key in sorted(self._community_keys, key=len, reverse=True):
            if len(key) >= 2 and key in k:
                return self._community_keys[key]
        return None

    def metric_for(self, text: str) -> str | bool | None:
        """Header/metric text → code; None = ignore; False = unknown."""
        try:
            return self._metric_memo[text]
        except KeyError:
            found = self._metric_memo[text] = self._metric_for(text)
            return found

    def _metric_for(self, text: str) -> str | bool | None:
        k = header_key(text)
        if not k:
            return False
        if k in self.mapping:
            return self.mapping[k]
        if k in self.cat.keys:
            return self.cat.keys[k]
        return False

    def classify(self, top: str, sub: str = "") -> Column:
        """One header cell, or a two-level pair (拆除违法建设 over 处数 | 面积(㎡))."""
        header = f"{top}/{sub}" if top and sub else (top or sub)
        unit = bracket_content(sub) if sub else bracket_content(top)
        candidates: list[str] = []
        if top and sub:
            candidates += [header, top + sub]
            sk = header_key(sub)
            if sk in COUNT_WORDS:
                candidates.append(top)
            if sk in AREA_WORDS or (unit and same_unit(unit, "平方米")):
                candidates.append(top + "面积")
            candidates.append(sub)
        else:
            candidates.append(header)
        for c in candidates:
            code = self.metric_for(c)
            if code is None:
                return Column("", header, "ignore")
            if code:
                assert isinstance(code, str)
                return Column("", header, "metric", code, unit)
        for c in (sub, top) if sub else (top,):
            f = FIELDS.get(header_key(c))
            if f:
                return Column("", header, f)
        return Column("", header, "unmapped")

    # ---------------------------------------------------------------- sheets
    def run(self) -> ParseResult:
        found = [self.sheet(sheet) for sheet in self.wb.sheets]
        with_header = [s for s in found if s is not None]
        if not with_header:
            if not any(any(not _blank(v) for v in r) for s in self.wb.sheets for r in s.rows):
                self.error(None, None, None, None, "工作簿是空的，没有任何数据")
            else:
                names = "、".join(s.name for s in self.wb.sheets)
                self.error(None, None, None, None,
                           f"没有找到可识别的表头（工作表：{names}）；表头应包含 日期/社区 和统计指标名称，"
                           "如“清理垃圾（吨）”")  # fmt: skip
        return self.result

    def _find_header(self, rows: list[list[Any]]) -> tuple[int | None, list[Column], int]:
        """(header row index, columns, first data row index); (None, [], 0) when there is none."""
        best: tuple[int, int] | None = None  # (score, row index)
        # No metric known at all: a row of descriptive headers (日期, 社区 …) beside unknown ones is still the
        # header, so the unknown ones can be reported for the user to map.
        fallback: tuple[int, int] | None = None
        for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
            found = [self.classify(cell_text(v)) for v in row if isinstance(v, str) and v.strip()]
            kinds = [c.kind for c in found]
            metrics = kinds.count("metric")
            fields = sum(1 for k in kinds if k not in ("metric", "unmapped", "ignore", "seq"))
            if metrics == 0 and not ("quantity" in kinds and "metric_field" in kinds):
                if fields >= 2 and "unmapped" in kinds and ({"date", "community", "period"} & set(kinds)) and (
                    fallback is None or fields > fallback[0]
                ):
                    fallback = (fields, r)
                continue
            score = metrics * 2 + fields
            if score >= 2 and (best is None or score > best[0]):
                best = (score, r)
        if best is None:
            best = fallback
        if best is None:
            return None, [], 0
        r = best[1]
        top = [cell_text(v) if not _blank(v) else "" for v in rows[r]]
        sub_row = rows[r + 1] if r + 1 < len(rows) else []
        two_level = bool(sub_row) and any(not _blank(v) for v in sub_row) and all(
            _blank(v) or _headerish(v) for v in sub_row
        )
        width = max(len(top), len(sub_row))
        top += [""] * (width - len(top))
        cols: list[Column] = []
        if two_level:
            sub = [cell_text(v) if not _blank(v) else "" for v in sub_row] + [""] * (width - len(sub_row))
            filled_top = list(top)
            for j in range(1, width):  # a group header spans the empty cells to its right that have a sub header
                if not filled_top[j] and sub[j] and sub[j - 1] and filled_top[j - 1]:
                    filled_top[j] = filled_top[j - 1]
            for j in range(width):
                cols.append(self._col(j, filled_top[j], sub[j]))
            return r, cols, r + 2
        for j in range(width):
            cols.append(self._col(j, top[j], ""))
        return r, cols, r + 1

    def _col(self, j: int, top: str, sub: str) -> Column:
        letter = column_letter(j)
        if sub == top:  # a cell merged down over both header rows
            sub = ""
        if not top and not sub:
            return Column(letter, "", "empty")
        c = self.classify(top, sub)
        return Column(letter, c.header, c.kind, c.metric, c.unit)

    def sheet(self, sheet: SheetGrid) -> SheetResult | None:
        rows = sheet.rows
        filled: set[tuple[int, int]] = set()
        for (r0, c0), (r1, c1) in sheet.merged:
            if r0 >= len(rows):
                continue
            origin = rows[r0][c0] if c0 < len(rows[r0]) else ""
            for r in range(r0, min(r1, len(rows) - 1) + 1):
                row = rows[r]
                for c in range(c0, min(c1, len(row) - 1) + 1):
                    if (r, c) != (r0, c0):
                        row[c] = origin
                        filled.add((r, c))
        header_row, cols, data_start = self._find_header(rows)
        if header_row is None:
            if "说明" not in sheet.name and any(_row_has_data(r) for r in rows):
                self.warn(sheet.name, None, None, None, "没有可识别的表头，已跳过该工作表")
            return None
        res = SheetResult(sheet.name, header_row=header_row + 1, columns=cols)
        self.result.sheets.append(res)
        kinds = {c.kind for c in cols}
        res.shape = "detail" if "metric_field" in kinds and "quantity" in kinds else "summary"
        title = " ".join(cell_text(v) for row in rows[:header_row] for v in row if isinstance(v, str) and v.strip())
        self._read_rows(sheet, rows, cols, data_start, title, filled, res)
        for r, c in sheet.uncached_formulas:
            if r >= data_start:
                self.error(sheet.name, r + 1, column_letter(c), None,
                           "公式没有计算结果（请在 Excel/WPS 中打开并保存后再导入）")  # fmt: skip
        return res

    def _read_rows(
        self, sheet: SheetGrid, rows: list[list[Any]], cols: list[Column], start: int, title: str,
        filled: set[tuple[int, int]], res: SheetResult,
    ) -> None:  # fmt: skip
        name = sheet.name
        by_kind: dict[str, int] = {}
        for j, c in enumerate(cols):
            by_kind.setdefault(c.kind, j)
        metric_cols = [(j, c) for j, c in enumerate(cols) if c.kind == "metric"]
        # where a 小计/合计 label can stand: any column that is not a number column
        label_cols = [j for j, c in enumerate(cols) if c.kind not in ("metric", "quantity")]
        unmapped = [(j, c) for j, c in enumerate(cols) if c.kind == "unmapped"]
        i_date, i_period = by_kind.get("date"), by_kind.get("period")
        i_start, i_end = by_kind.get("start"), by_kind.get("end")
        i_comm, i_site = by_kind.get("community"), by_kind.get("site")
        i_mfield, i_qty, i_unit = by_kind.get("metric_field"), by_kind.get("quantity"), by_kind.get("unit")
        i_note = by_kind.get("note")
        detail = res.shape == "detail"
        # The period and year the rows fall back on: the title's, else the user's.
        title_period: tuple[dt.date, dt.date] | None = None
        try:
            title_period = find_period(title + " " + name) if title or name else None
        except ValueProblem as p:
            self.error(name, None, None, title, p.reason)
        fallback = title_period or self.opts.period
        year = fallback[0].year if fallback else find_year(title) or find_year(self.wb.file_name)
        default_comm = self.community_in(title) or self.community_in(name)
        if self.opts.community:
            default_comm = self.community(self.opts.community)
            if default_comm is None:
                known = "、".join(self.cat.communities) or "（无）"
                self.error(None, None, None, self.opts.community,
                           f"--community 指定的社区不在社区列表中（现有：{known}）")  # fmt: skip
                return
        if i_date is None and i_period is None and (i_start is None or i_end is None) and fallback is None:
            self.error(name, None, None, None,
                       "没有日期列，标题中也没有统计时段（如“2021年1月1日—6月30日”），无法确定时段；"
                       "请用 --from/--to 指定，系统不会猜测")  # fmt: skip
            return
        data_seen: set[int] = set()
        section: dict[int, Decimal] = {}
        overall: dict[int, Decimal] = {}
        excluded = self.opts.excluded
        fixes = self.opts.fixes
        for r in range(start, len(rows)):
            row = rows[r]
            shown_row = r + 1
            if not any(not _blank(v) for v in row):
                continue
            if (name, shown_row) in excluded:
                self.result.excluded_rows.append((name, shown_row))
                continue
            if fixes:
                row = list(row)
                for j in range(len(row)):
                    key = (name, shown_row, column_letter(j))
                    if key in fixes:
                        row[j] = fixes[key]
                for (s_, r_, col_), v_ in fixes.items():
                    j = _col_index(col_)
                    if s_ == name and r_ == shown_row and j >= len(row):
                        row += [""] * (j - len(row) + 1)
                        row[j] = v_
            width = len(row)
            total_label = None
            for j in label_cols:
                v = row[j] if j < width else None
                if isinstance(v, str) and ("计" in v or "总数" in v) and TOTAL.search(v):
                    total_label = cell_text(v)
                    break
            if total_label is not None:
                self.result.total_rows.append((name, shown_row))
                self._check_total(name, shown_row, total_label, row, metric_cols, i_qty, section, overall, filled, r)
                if "小计" in total_label:
                    section = {}
                continue
            res.rows += 1
            self.result.rows += 1
            if self.progress is not None and self.result.rows % PROGRESS_EVERY == 0 and not self.progress(
                self.result.rows
            ):
                raise Cancelled
            # where and when
            comm: str | None = default_comm
            if i_comm is not None and i_comm < width and not _blank(row[i_comm]):
                comm = self.community(cell_text(row[i_comm]))
                if comm is None:
                    known = "、".join(self.cat.communities) or "（无）"
                    self.error(name, shown_row, cols[i_comm].letter, row[i_comm],
                               f"社区不在社区列表中（现有：{known}）")  # fmt: skip
            elif comm is None:
                self.error(name, shown_row, None, None,
                           "没有社区：表中无社区列、标题中也没有社区名；请用 --community 指定")  # fmt: skip
            if i_start is not None and i_end is not None:
                period = self._span(name, shown_row, row, cols, i_start, i_end, fallback, year)
            else:
                period = self._row_period(name, shown_row, row, cols, i_date, i_period, fallback, year)
            if period is not None and year is None and fallback is None:
                year = period[0].year  # '3月5日' below a full date takes its year
            # A row with no place or time is still checked cell by cell; it adds no entries (the file is refused).
            ok = comm is not None and period is not None
            site = cell_text(row[i_site]) if i_site is not None and i_site < width and not _blank(row[i_site]) else None
            note = cell_text(row[i_note]) if i_note is not None and i_note < width and not _blank(row[i_note]) else None
            # the figures
            for j, c in metric_cols:
                if j >= width or (r, j) in filled:
                    continue
                v = row[j]
                if _blank(v):
                    continue
                assert c.metric is not None
                got = self._value(name, shown_row, c, v, c.metric, c.unit)
                if got is None:
                    continue
                value, qualifier = got
                data_seen.add(j)
                section[j] = section.get(j, Decimal(0)) + value
                overall[j] = overall.get(j, Decimal(0)) + value
                if value and ok:
                    assert comm is not None and period is not None
                    self.result.entries.append(Entry(c.metric, comm, site, period[0], period[1], value, qualifier,
                                                     name, shown_row, c.letter, note))  # fmt: skip
            if detail and i_mfield is not None and i_qty is not None:
                self._detail_cell(name, shown_row, row, cols, i_mfield, i_qty, i_unit, comm if ok else None, site,
                                  period, note, overall)  # fmt: skip
            for j, _c in unmapped:
                if j < width and not _blank(row[j]):
                    data_seen.add(j)
        for j, c in unmapped:
            if j in data_seen:
                self.result.unmapped.append(c.header)
                self.error(name, res.header_row, c.letter, c.header,
                           f"表头无法对应统计指标（可用 --map \"{c.header}=指标代码\" 指定，或 --map \"{c.header}=-\" "
                           "忽略该列）")  # fmt: skip
            else:
                self.warn(name, res.header_row, c.letter, c.header, "表头无法对应统计指标，该列没有数据，已忽略")

    def _value(
        self, sheet: str, row: int, c: Column, v: Any, metric: str, header_unit: str | None
    ) -> tuple[Decimal, str | None] | None:
        m = self.cat.metrics[metric]
        try:
            value, qualifier, unit = parse_number(v)
        except ValueProblem as p:
            self.error(sheet, row, c.letter, v, f"{m.name}{p.reason}")
            return None
        for u in (unit, header_unit):
            if u and not same_unit(u, m.unit):
                self.error(sheet, row, c.letter, v, f"单位“{u}”与指标“{m.name}”的单位“{m.unit}”不符")
                return None
        return value, qualifier

    def _detail_cell(
        self, sheet: str, row_no: int, row: list[Any], cols: list[Column], i_m: int, i_q: int, i_u: int | None,
        comm: str | None, site: str | None, period: tuple[dt.date, dt.date] | None, note: str | None,
        overall: dict[int, Decimal],
    ) -> None:  # fmt: skip
        width = len(row)
        mv = row[i_m] if i_m < width else ""
        qv = row[i_q] if i_q < width else ""
        if _blank(mv) and _blank(qv):
            return
        if _blank(mv):
            self.error(sheet, row_no, cols[i_m].letter, None, "有数量但没有填写统计指标")
            return
        code = self.metric_for(cell_text(mv))
        if code is None:
            return  # the user chose to ignore this metric name
        if code is False:
            self.error(sheet, row_no, cols[i_m].letter, mv, "不是目录中的统计指标（可在 设置 中添加同义词）")
            return
        assert isinstance(code, str)
        if _blank(qv):
            self.error(sheet, row_no, cols[i_q].letter, None, f"{self.cat.metrics[code].name}没有填写数量")
            return
        unit = cell_text(row[i_u]) if i_u is not None and i_u < width and not _blank(row[i_u]) else None
        got = self._value(sheet, row_no, cols[i_q], qv, code, unit)
        if got is None:
            return
        value, qualifier = got
        overall[i_q] = overall.get(i_q, Decimal(0)) + value
        if value and comm is not None and period is not None:
            self.result.entries.append(Entry(code, comm, site, period[0], period[1], value, qualifier, sheet, row_no,
                                             cols[i_q].letter, note))  # fmt: skip

    def _span(
        self, sheet: str, row_no: int, row: list[Any], cols: list[Column], i_s: int, i_e: int,
        fallback: tuple[dt.date, dt.date] | None, year: int | None,
    ) -> tuple[dt.date, dt.date] | None:  # fmt: skip
        """开始日期 and 结束日期 columns; both empty falls back on the title's or the user's period."""
        width = len(row)
        vs = row[i_s] if i_s < width else ""
        ve = row[i_e] if i_e < width else ""
        if _blank(vs) and _blank(ve):
            if fallback is None:
                self.error(sheet, row_no, cols[i_s].letter, None, "没有填写开始日期和结束日期，标题中也没有统计时段")
            return fallback
        got: list[dt.date] = []
        for i, v in ((i_s, vs), (i_e, ve)):
            if _blank(v):
                self.error(sheet, row_no, cols[i].letter, None, "开始日期和结束日期须同时填写")
                return None
            try:
                got.append(parse_date(v, year, self.wb.date1904))
            except ValueProblem as p:
                self.error(sheet, row_no, cols[i].letter, v, p.reason)
                return None
        if got[1] < got[0]:
            self.error(sheet, row_no, cols[i_e].letter, ve, "结束日期早于开始日期")
            return None
        return got[0], got[1]

    def _row_period(
        self, sheet: str, row_no: int, row: list[Any], cols: list[Column], i_date: int | None, i_period: int | None,
        fallback: tuple[dt.date, dt.date] | None, year: int | None,
    ) -> tuple[dt.date, dt.date] | None:  # fmt: skip
        width = len(row)
        for i in (i_period, i_date):
            if i is None or i >= width or _blank(row[i]):
                continue
            v = row[i]
            try:
                ranged = isinstance(v, str) and (
                    i == i_period or re.search(r"\d\s*(—|–|~|～|至|到|-\s*\d{1,2}\s*月|-\s*\d{4})", v)
                )
                if ranged and (p := find_period(str(v), year)):
                    return p
                key = v if not isinstance(v, list) else None
                d = self._date_cache.get(key) if key is not None else None
                if d is None:
                    d = parse_date(v, year, self.wb.date1904)
                    if key is not None:
                        self._date_cache[key] = d
                return d, d
            except ValueProblem as p:
                self.error(sheet, row_no, cols[i].letter, v, p.reason)
                return None
        if fallback is None:
            self.error(sheet, row_no, cols[i_date].letter if i_date is not None else None, None,
                       "没有日期，标题中也没有统计时段；请用 --from/--to 指定")  # fmt: skip
        return fallback

    def _check_total(
        self, sheet: str, row_no: int, label: str, row: list[Any], metric_cols: list[tuple[int, Column]],
        i_qty: int | None, section: dict[int, Decimal], overall: dict[int, Decimal],
        filled: set[tuple[int, int]], r: int,
    ) -> None:  # fmt: skip
        against = section if "小计" in label else overall
        checks = list(metric_cols)
        if i_qty is not None:
            checks.append((i_qty, Column("", "数量", "quantity")))
        for j, c in checks:
            if j >= len(row) or _blank(row[j]) or (r, j) in filled:
                continue
            try:
                value, _, _ = parse_number(row[j])
            except ValueProblem:
                self.warn(sheet, row_no, column_letter(j), row[j], f"“{label}”行的数值无法识别，已跳过核对")
                continue
            expect = against.get(j, Decimal(0))
            if value != expect:
                what = c.header or column_letter(j)
                self.warn(sheet, row_no, column_letter(j), row[j],
                          f"“{label}”行的{what}为 {_num(value)}，"
                          f"与所合计各行之和 {_num(expect)} 不符（合计行不计入）")  # fmt: skip


def _num(d: Decimal) -> str:
    return f"{d.normalize():f}"


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def _row_has_data(row: list[Any]) -> bool:
    return any(not _blank(v) for v in row)


def _headerish(v: Any) -> bool:
    """A cell that can be a (second-level) header: text that is neither a number nor a date."""
    if not isinstance(v, str):
        return False
    try:
        parse_number(v)
        return False
    except ValueProblem:
        pass
    try:
        parse_date(v, 2000)
        return False
    except ValueProblem:
        return True


def parse_workbook(
    wb: Workbook, cat: Catalogue, opts: ImportOptions | None = None, progress: Callable[[int], bool] | None = None
) -> ParseResult:
    """`progress(rows read)` is called every few thousand rows; returning False raises Cancelled."""
    return _Parser(wb, cat, opts or ImportOptions(), progress).run()
