"""Cell values: numbers with units and qualifiers, dates in the forms communities type, periods.

Each parser returns a value or raises ValueProblem with the reason in Chinese; the caller adds the place.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from zhdesk.tally.text import nfkc

QUALIFIERS = ("约", "近", "余")
MAX_VALUE = Decimal(10) ** 12  # the column holds 14 digits, 2 after the point


class ValueProblem(ValueError):
    """A cell that cannot be read as what its column needs; `reason` is one line of Chinese."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# ------------------------------------------------------------------ numbers

_NUM = re.compile(
    r"^(?P<pre>约|近|大约|将近|接近)?(?P<sign>[-−])?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<post>余|多)?(?P<unit>[^\d]*?)(?P<post2>余|多)?$"
)
_BIG = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_WORDY = re.compile(r"^(?P<pre>约|近|大约|将近|接近)?(?P<big>[十百千万])(?P<post>余|多)?(?P<unit>\D*)$")
_CHINESE_DIGITS = set("零〇一二两三四五六七八九十百千万亿")


def _qualifier(pre: str | None, post: str | None) -> str | None:
    if pre:
        return "约" if pre in ("约", "大约") else "近"
    return "余" if post else None


def parse_number(value: object) -> tuple[Decimal, str | None, str]:
    number, qualifier, unit = _parse_number(value)
    if number >= MAX_VALUE:
        raise ValueProblem("数值过大")
    return number, qualifier, unit


def _parse_number(value: object) -> tuple[Decimal, str | None, str]:
    """A quantity cell → (value, qualifier 约/近/余 or None, unit written in the cell or '').

    29 · '29平方米' · '约130吨' · '近百' · '100余条' · '１２' all read; '十二', '待定', -3 are refused.
    """
    if isinstance(value, bool):
        raise ValueProblem("应为数字，不是逻辑值")
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueProblem("不是有效的数字")
        if isinstance(value, float) and not value.is_integer():
            number = Decimal(str(round(value, 6)))
        else:
            number = Decimal(int(value))
        if number < 0:
            raise ValueProblem("不能为负数")
        return number, None, ""
    if isinstance(value, dt.date | dt.datetime | dt.time | dt.timedelta):
        raise ValueProblem("应为数字，不是日期或时间")
    text = re.sub(r"\s+", "", nfkc(str(value).replace("㎡", "平方米").replace("m²", "平方米")))
    text = re.sub(r"(?i)(?<=\d)m2$", "平方米", text)
    m = _NUM.match(text)
    if m:
        if m.group("sign"):
            raise ValueProblem("不能为负数")
        try:
            number = Decimal(m.group("num").replace(",", ""))
        except InvalidOperation:
            raise ValueProblem("不是有效的数字") from None
        unit = m.group("unit") or ""
        if unit in ("余", "多"):
            unit = ""
        if unit and not re.fullmatch(r"[^\d.,]+", unit):
            raise ValueProblem("不是有效的数字")
        return number, _qualifier(m.group("pre"), m.group("post") or m.group("post2")), unit
    w = _WORDY.match(text)
    if w and (w.group("pre") or w.group("post")):  # 近百, 百余, 约千: a round figure, kept approximate
        return Decimal(_BIG[w.group("big")]), _qualifier(w.group("pre"), w.group("post")), w.group("unit") or ""
    if text and set(text) & _CHINESE_DIGITS and all(ch in _CHINESE_DIGITS or not ch.isdigit() for ch in text):
        raise ValueProblem("是中文数字，请写成阿拉伯数字（如 12）")
    raise ValueProblem("不是数字")


# ------------------------------------------------------------------ dates

EPOCH_1900 = dt.date(1899, 12, 30)  # Excel's 1900 system, its phantom 1900-02-29 included
EPOCH_1904 = dt.date(1904, 1, 1)

_FULL = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?$")


def _make(y: int, m: int, d: int, text: str) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise ValueProblem(f"日期“{text}”不存在") from None


def parse_date(value: object, year: int | None = None, date1904: bool = False) -> dt.date:
    """A date cell: a real date, an Excel serial (1900 or 1904 system) or text in the usual forms.

    '3月5日' takes `year` (from the file's title or period); without one it is refused.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueProblem("应为日期，不是逻辑值")
    if isinstance(value, int | float):
        if not 1 <= value < 2958466:
            raise ValueProblem(f"日期序号 {value} 超出范围")
        return (EPOCH_1904 if date1904 else EPOCH_1900) + dt.timedelta(days=int(value))
    text = re.sub(r"\s+", "", nfkc(str(value)))
    m = _FULL.match(text) or _COMPACT.match(text)
    if m:
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)
    m = _MONTH_DAY.match(text)
    if m:
        if year is None:
            raise ValueProblem(f"日期“{text}”缺少年份，文件标题和统计时段中也没有年份")
        return _make(year, int(m.group(1)), int(m.group(2)), text)
    if re.fullmatch(r"\d+(\.\d+)?", text):  # a serial stored as text
        return parse_date(float(text), year, date1904)
    raise ValueProblem(f"“{text}”不是日期（可写成 2021-03-05、2021年3月5日、2021/3/5、2021.3.5）")


# ------------------------------------------------------------------ periods

_SEP = r"\s*(?:—+|–|-|~|～|至|到)\s*"
_D = r"(?:(\d{4})\s*[年./\-]\s*)?(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?"
_RANGE = re.compile(_D + _SEP + _D)
_MONTHS = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月?" + _SEP + r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月")
_MONTH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?!\s*\d{1,2}\s*日)")
_YEAR = re.compile(r"(\d{4})\s*年")
_MONTH_ONLY = re.compile(r"^\s*(\d{1,2})\s*月份?\s*$")


def _month_end(y: int, m: int) -> dt.date:
    return (dt.date(y + m // 12, m % 12 + 1, 1)) - dt.timedelta(days=1)


def find_period(text: str, year: int | None = None) -> tuple[dt.date, dt.date] | None:
    """A period written in a title or a cell: '（2024年4月1日—6月30日）', '2021.1.1-2021.6.30',
    '2021年1月—6月', '2021年3月'. None when there is none; ValueProblem when it names no real date."""
    t = nfkc(text)
    m = _RANGE.search(t)
    if m:
        y1 = int(m.group(1)) if m.group(1) else year
        y2 = int(m.group(4)) if m.group(4) else y1
        if y1 is None or y2 is None:
            raise ValueProblem(f"时段“{m.group(0)}”缺少年份")
        start = _make(y1, int(m.group(2)), int(m.group(3)), m.group(0))
        end = _make(y2, int(m.group(5)), int(m.group(6)), m.group(0))
        if end < start:
            raise ValueProblem(f"时段“{m.group(0)}”的结束日期早于开始日期")
        return start, end
    m = _MONTHS.search(t)
    if m:
        y1 = int(m.group(1))
        y2 = int(m.group(3)) if m.group(3) else y1
        m1, m2 = int(m.group(2)), int(m.group(4))
        if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
            raise ValueProblem(f"时段“{m.group(0)}”的月份不存在")
        return dt.date(y1, m1, 1), _month_end(y2, m2)
    m = _MONTH.search(t)
    if m:
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise ValueProblem(f"“{m.group(0)}”的月份不存在")
        return dt.date(y, mo, 1), _month_end(y, mo)
    m = _MONTH_ONLY.match(t)
    if m and year is not None and 1 <= int(m.group(1)) <= 12:  # '3月' in a 月份 column, the year from the title
        return dt.date(year, int(m.group(1)), 1), _month_end(year, int(m.group(1)))
    return None


def find_year(text: str) -> int | None:
    m = _YEAR.search(nfkc(text))
    return int(m.group(1)) if m else None
