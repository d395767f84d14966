"""Rules for what users type, in one place: which characters and how many each field may hold,
and which numbers fit their column. Every service write path cleans its inputs through here.

Single-line fields (addresses, names, phones, titles …) must print back on one line, so they refuse
control characters, line/paragraph separators and bidi controls. Multi-line texts (problem
descriptions, notes, event texts) may hold newlines and tabs, nothing else invisible.
Limits never exceed the column lengths in db/models.py (tests/zhdesk/services/test_input_rules.py checks).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from zhdesk.errors import InputRefused

# Bidi embeddings, overrides and isolates: they reorder what follows on the line when printed.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SEPARATORS = frozenset("\u2028\u2029")
_MULTILINE_ALLOWED = frozenset("\n\t")


@dataclass(frozen=True)
class Field:
    label: str
    limit: int
    multiline: bool = False


ADDRESS = Field("点位地址", 128)
COMMUNITY = Field("社区", 64)
UNIT = Field("单位名称", 100)
PERSON = Field("姓名", 50)
TITLE = Field("职务", 50)
PHONE = Field("电话", 30)
CATEGORY = Field("问题类别", 64)
ACTOR = Field("参与人员或单位", 100)
ISSUER = Field("下发单位", 100)
BATCH_TITLE = Field("通报标题", 200)
METRIC = Field("统计指标", 64)
NOTE = Field("备注", 5000, multiline=True)
PROBLEM = Field("问题描述", 5000, multiline=True)
EVENT_TEXT = Field("事件内容", 5000, multiline=True)

# Integer columns are INTEGER: 32 bits on PostgreSQL, so that is the range everywhere.
INT_MAX = 2_147_483_647

# tally_entry.value is NUMERIC(14, 2): 12 digits before the point, 2 after.
AMOUNT_DIGITS = 14
AMOUNT_PLACES = 2


def _bad_char(ch: str, multiline: bool) -> bool:
    if multiline and ch in _MULTILINE_ALLOWED:
        return False
    return unicodedata.category(ch) == "Cc" or ch in _SEPARATORS or ch in _BIDI


def _char_name(ch: str) -> str:
    names = {"\n": "换行", "\r": "回车", "\t": "制表符", "\x00": "空字符"}
    return names.get(ch, f"U+{ord(ch):04X}")


def clean(value: str | None, field: Field, *, label: str | None = None, where: str = "") -> str | None:
    """The trimmed value, None when blank; refused (naming the field) when it holds a forbidden
    character or is too long. `label` names the field more precisely (e.g. 包案领导姓名);
    `where` prefixes the message (e.g. 第3处：)."""
    if value is None:
        return None
    name = label or field.label
    text = value.replace("\r\n", "\n") if field.multiline else value
    text = text.strip()
    if not text:
        return None
    for pos, ch in enumerate(text, start=1):
        if _bad_char(ch, field.multiline):
            kind = "不可见的控制字符" if field.multiline else "换行或不可见的控制字符"
            raise InputRefused(f"{where}{name}含有{kind}（第 {pos} 个字符，{_char_name(ch)}），请删去后重试")
    if len(text) > field.limit:
        raise InputRefused(f"{where}{name}过长：最多 {field.limit} 个字符，收到 {len(text)} 个")
    return text


def required(value: str | None, field: Field, *, label: str | None = None, where: str = "") -> str:
    """Like `clean`, but a value blank after trimming is refused."""
    text = clean(value, field, label=label, where=where)
    if text is None:
        raise InputRefused(f"{where}{label or field.label}不能为空")
    return text


def whole(value: int, label: str, low: int = 1, high: int = INT_MAX, *, where: str = "") -> int:
    """An integer within [low, high] (by default a positive INTEGER column value)."""
    if not low <= value <= high:
        raise InputRefused(f"{where}{label}应在 {low} 到 {high} 之间，收到 {_short(str(value))}")
    return value


def amount(value: Decimal, label: str, *, where: str = "") -> Decimal:
    """A number NUMERIC(14, 2) stores exactly; anything it would round or overflow is refused."""
    limit = Decimal(10) ** (AMOUNT_DIGITS - AMOUNT_PLACES)
    if not value.is_finite() or abs(value) >= limit:
        raise InputRefused(
            f"{where}{label}超出范围：应小于 {limit:f}（最多 {AMOUNT_DIGITS - AMOUNT_PLACES} 位整数），"
            f"收到 {_short(f'{value:f}' if value.is_finite() else str(value))}"
        )
    step = Decimal(1).scaleb(-AMOUNT_PLACES)
    if value != value.quantize(step):
        raise InputRefused(f"{where}{label}最多保留 {AMOUNT_PLACES} 位小数，收到 {_short(f'{value:f}')}")
    return value


def _short(text: str, keep: int = 24) -> str:
    """A long number echoed back in full would swamp the one-line message."""
    return text if len(text) <= keep else f"{text[:keep]}…（共 {len(text)} 位）"
