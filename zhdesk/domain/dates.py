"""Date parsing and formatting the way users write them (2021-03-05, 2021年3月5日, 2021.3.5)."""

from __future__ import annotations

import datetime as dt
import re

from zhdesk.errors import UsageError

_FULLWIDTH = str.maketrans("０１２３４５６７８９．／－", "0123456789./-")
_PATTERN = re.compile(r"^\s*(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?\s*$")


def parse_date(text: str, field: str = "日期") -> dt.date:
    """Parse a user-typed date; raise a Chinese message naming the field when it is not one."""
    m = _PATTERN.match(text.translate(_FULLWIDTH))
    if not m:
        raise UsageError(f"{field}“{text}”不是有效日期，请写成 2021-03-05 或 2021年3月5日")
    y, mo, d = (int(g) for g in m.groups())
    try:
        return dt.date(y, mo, d)
    except ValueError:
        raise UsageError(f"{field}“{text}”不存在（{y}年{mo}月{d}日）") from None


def fmt_cn(d: dt.date | None) -> str:
    return "" if d is None else f"{d.year}年{d.month}月{d.day}日"


def fmt_iso(d: dt.date | None) -> str | None:
    return None if d is None else d.isoformat()
