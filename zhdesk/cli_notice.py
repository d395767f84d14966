"""`zhdesk notice`: 督办通知单 / 催办单 as a PDF, one page per site, each recorded as a 催办 event on the
site's timeline. Registered by `zhdesk.cli.build_parser`; output and exit codes as everywhere there."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from zhdesk.cli import _emit, _site_id
from zhdesk.desk import Desk
from zhdesk.errors import UsageError
from zhdesk.files import TargetExists


def cmd_notice(desk: Desk, args: argparse.Namespace) -> int:
    if (args.site is None) == (not args.overdue):
        raise UsageError("请指定 --site 点位编号 或 --overdue（全部超期点位），二者选一")
    site_ids = [_site_id(args.site)] if args.site is not None else None
    if args.days is not None and args.days < 1:
        raise UsageError(f"--days 应为正整数，收到 {args.days}")
    try:
        result = desk.issue_notices(
            site_ids, Path(args.output), overdue=args.overdue, overwrite=args.overwrite, days=args.days or 7
        )
    except TargetExists as exc:
        raise TargetExists(f"{exc.message}；要替换请加 --overwrite", exc.path) from None

    def lines() -> Any:
        yield f"已生成督办通知单 {len(result.notices)} 份（每份一页）：{result.path}"
        for n in result.notices:
            yield (f"  {n.number}  点位 {n.site_id} {n.address}（{n.community}）→ {n.addressee}  "
                   f"{n.days_text}，限 {n.due.isoformat()} 前整改完毕")  # fmt: skip

    return _emit(args, result.to_json, lines())


def add_commands(sub: Any) -> None:
    no = sub.add_parser("notice", help="生成督办通知单（PDF，每个点位一页），并在点位时间线记录催办")
    no.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    # Not an argparse group: its "one of the arguments ... is required" would reach the user in English.
    no.add_argument("--site", metavar="ID", help="一个挂牌督办中的点位（与 --overdue 二选一）")
    no.add_argument("--overdue", action="store_true", help="全部超期的挂牌督办点位")
    no.add_argument("--days", type=int, metavar="N", help="限期整改天数（自今天起，默认 7）")
    no.add_argument("--overwrite", action="store_true", help="文件已存在时替换它（不会替换数据库、设备或文件夹）")
    no.add_argument("--json", action="store_true")
    no.set_defaults(func=cmd_notice)
