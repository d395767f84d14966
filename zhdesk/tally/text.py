"""Text normalisation for headers, names and units: full/half width, brackets, spacing."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_BRACKETS = re.compile(r"[(\[【［{][^)\]】］}]*[)\]】］}]")
_NOISE = re.compile(r"[\s/\\、,，.。:：;；·・\-—–_*#'\"“”‘’|]+")


def nfkc(text: str) -> str:
    """Full-width digits, letters and brackets become half-width (０１２ → 012, （ → ()."""
    return unicodedata.normalize("NFKC", text)


def header_key(text: str) -> str:
    """How a header or name is compared: half-width, bracketed parts (units) and punctuation removed.

    '清理垃圾（吨）' and '清理垃圾' have the same key; so do '主流媒体刊(播)发新闻' and '主流媒体刊发新闻'.
    """
    t = nfkc(str(text)).strip()
    stripped = _BRACKETS.sub("", t)
    if stripped.strip():  # a header that is only a bracket, e.g. '(㎡)', keeps its content
        t = stripped
    return _NOISE.sub("", t).lower()


def bracket_content(text: str) -> str | None:
    """The unit a header gives in brackets: '面积（㎡）' → '㎡'."""
    m = re.search(r"[(\[【［]([^)\]】］]*)[)\]】］]\s*$", nfkc(str(text)))
    return m.group(1).strip() if m else None


# Units people write for the same thing, mapped to the catalogue's spelling.
_UNIT_ALIASES = {
    "㎡": "平方米", "m2": "平方米", "m²": "平方米", "平米": "平方米", "平方": "平方米", "平方米": "平方米",
    "t": "吨", "吨": "吨",
    "人": "人次", "人次": "人次",
    "辆": "台次", "车次": "台次", "台": "台次", "台次": "台次",
    "个": "个", "处": "处", "件": "件", "起": "起", "次": "次", "份": "份", "条": "条",
}  # fmt: skip


@lru_cache(maxsize=1024)
def unit_key(unit: str) -> str:
    u = nfkc(unit).strip().lower()
    return _UNIT_ALIASES.get(u, u)


def same_unit(written: str, catalogue: str) -> bool:
    return unit_key(written) == unit_key(catalogue)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how the spreadsheet names a column."""
    s = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def cell_text(value: object) -> str:
    """A cell as the user sees it, for messages."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
