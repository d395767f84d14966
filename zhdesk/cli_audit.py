"""`zhdesk audit`: the append-only audit trail (操作日志), newest first, as a table or JSON lines.
Registered by `zhdesk.cli.build_parser`; output and exit codes as everywhere there."""

from __future__ import annotations

import argparse
import json
import unicodedata
from collections.abc import Iterator, Sequence
from typing import Any

from zhdesk.desk import Desk
from zhdesk.domain.dates import parse_date
from zhdesk.dto import AuditDTO
from zhdesk.errors import UsageError
from zhdesk.services.audit import LIMIT_RANGE

HEADERS = ("时间", "用户", "操作", "对象", "详情")
DETAIL_MAX = 120  # characters of 详情 in the table; --json has it all


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _table(rows: Sequence[AuditDTO]) -> Iterator[str]:
    if not rows:
        yield "（没有符合条件的操作记录）"
        return
    cells = [
        (r.at.isoformat(sep=" "), r.user_login, r.action_label, r.target, r.detail_text(DETAIL_MAX))
        for r in rows
    ]  # fmt: skip
    widths = [max(_width(c[i]) for c in [HEADERS, *cells]) for i in range(4)]
    for c in [HEADERS, *cells]:
        yield "  ".join([*(_pad(c[i], widths[i]) for i in range(4)), c[4]]).rstrip()


def _limit(text: str) -> int:
    low, high = LIMIT_RANGE
    try:
        value = int(text)
    except ValueError:
        raise UsageError(f"--limit “{text}”不是整数（应为 {low} 至 {high}）") from None
    if not low <= value <= high:
        raise UsageError(f"--limit 应为 {low} 至 {high} 的整数，收到 {value}")
    return value


def cmd_audit(desk: Desk, args: argparse.Namespace) -> int:
    since = parse_date(args.since, "起始日期 --since") if args.since else None
    until = parse_date(args.until, "截止日期 --until") if args.until else None
    if since and until and since > until:
        raise UsageError(f"起始日期 {since.isoformat()} 晚于截止日期 {until.isoformat()}")
    rows = desk.list_audit(since, until, args.user, args.action, _limit(args.limit))
    if args.json:  # JSON lines: one entry per line, so a script can stream or grep them
        for r in rows:
            print(json.dumps(r.to_json(), ensure_ascii=False, default=str))
        return 0
    for line in _table(rows):
        print(line)
    return 0


def add_commands(sub: Any) -> None:
    au = sub.add_parser("audit", help="操作日志：谁在何时做了什么（只增不改，新的在前）")
    au.add_argument("--since", metavar="日期", help="从这一天起（含）")
    au.add_argument("--until", metavar="日期", help="到这一天止（含）")
    au.add_argument("--user", metavar="NAME", help="只看这个用户（登录名）")
    au.add_argument("--action", metavar="CODE", help="只看这种操作，如 site.edit 或 编辑点位")
    au.add_argument("--limit", default="1000", metavar="N", help="最多列出几条（默认 1000）")
    au.add_argument("--json", action="store_true", help="每行一条 JSON")
    au.set_defaults(func=cmd_audit)
