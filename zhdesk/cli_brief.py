"""`zhdesk brief`: the 会议简报 as a PDF or an editable Word copy (zhdesk/brief/). Registered by
`zhdesk.cli.build_parser`; output and exit codes as everywhere there."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from zhdesk.cli import _site_id
from zhdesk.cli_tally import _range
from zhdesk.desk import Desk
from zhdesk.dto import BriefSpec
from zhdesk.errors import UsageError
from zhdesk.files import TargetExists, shown


def _sites(text: str) -> tuple[str, tuple[int, ...]]:
    """--sites listed | all | ID,ID,..."""
    t = text.strip()
    if t in ("listed", "all"):
        return t, ()
    ids = tuple(_site_id(part.strip()) for part in t.split(",") if part.strip())
    if not ids:
        raise UsageError(f"--sites “{shown(text)}”应为 listed、all 或逗号分隔的点位编号")
    return "chosen", ids


def _issue(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        n = int(text)
    except ValueError:
        raise UsageError(f"--issue “{shown(text)}”不是整数") from None
    if not 1 <= n <= 99999:
        raise UsageError(f"--issue {n} 超出范围（应为 1 至 99999）")
    return n


def cmd_brief(desk: Desk, args: argparse.Namespace) -> int:
    start, end = _range(args)
    sites, ids = _sites(args.sites)
    spec = BriefSpec(date_from=start, date_to=end, communities=tuple(args.community or ()), sites=sites,
                     site_ids=ids, photos=not args.no_photos, issue_no=_issue(args.issue),
                     internal=args.internal)  # fmt: skip
    try:
        r = desk.save_brief(spec, Path(args.output), overwrite=args.overwrite)
    except TargetExists as exc:
        raise TargetExists(f"{exc.message}；要替换请加 --overwrite", exc.path) from None
    # a Word copy has no page count of its own (Word paginates it when it opens the file)
    size = f"{r.pages} 页" if r.pages else "Word 文档"
    print(f"已生成会议简报 第{r.issue_no}期：{shown(r.path)}（{size}，{r.bytes / 1024:.0f} KB）")
    return 0


def add_commands(sub: Any) -> None:
    br = sub.add_parser("brief", help="生成会议简报（PDF 或 Word）")
    br.add_argument("-o", "--output", required=True, metavar="FILE.pdf|FILE.docx",
                    help="输出文件：.pdf 为印发稿，.docx 为可编辑的 Word 稿")  # fmt: skip
    br.add_argument("--from", dest="date_from", metavar="日期")
    br.add_argument("--to", dest="date_to", metavar="日期")
    br.add_argument("--issue", metavar="N", help="期号（默认：上一期 + 1）")
    br.add_argument("--community", action="append", metavar="社区", help="只含该社区，可多次")
    br.add_argument("--sites", default="listed", metavar="listed|all|ID,ID",
                    help="点位章节：挂牌督办点位（默认）、全部点位或指定编号")  # fmt: skip
    br.add_argument("--no-photos", action="store_true", help="不放照片")
    br.add_argument("--internal", action="store_true", help="印“内部资料”字样")
    br.add_argument("--overwrite", action="store_true", help="替换已存在的文件")
    br.set_defaults(func=cmd_brief)
