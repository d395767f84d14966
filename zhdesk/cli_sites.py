"""`zhdesk site import|template`: a list of sites (点位清单) from a spreadsheet, and its empty template.
Registered by `zhdesk.cli.build_parser` under the existing `site` command; output and exit codes as there."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from zhdesk.cli import _out
from zhdesk.desk import Desk


def cmd_site_import(desk: Desk, args: argparse.Namespace) -> int:
    path = Path(args.file)
    if args.check:
        report = desk.site_import_check(path, community=args.community)
    else:
        report = desk.site_import(path, community=args.community)
    if args.json:
        _out(report.to_json())
        return 0
    print(report.summary())
    for r in report.skipped:
        print(f"  跳过 第 {r.row} 行 {r.address}：已存在于{r.existing}")
    return 0


def cmd_site_template(desk: Desk, args: argparse.Namespace) -> int:
    from zhdesk.files import TargetExists

    try:
        out = desk.write_site_template(Path(args.file), overwrite=args.overwrite)
    except TargetExists as exc:
        raise TargetExists(f"{exc.message}；要替换请加 --overwrite", exc.path) from None
    print(f"已生成点位清单模板：{out}")
    return 0


def add_commands(sub: Any) -> None:
    """Add `import` and `template` to the `site` command built in zhdesk.cli."""
    site = sub.choices["site"]
    ssub = next(a for a in site._actions if isinstance(a, argparse._SubParsersAction))
    si = ssub.add_parser("import", help="导入点位清单（表头：地址、社区、类型），整体导入或整体不导入")
    si.add_argument("file", metavar="FILE")
    si.add_argument("--check", action="store_true", help="只检查并列出将新增的点位和社区，不写入")
    si.add_argument("--community", metavar="社区", help="表中社区为空（或没有社区列）时使用的社区")
    si.add_argument("--json", action="store_true")
    si.set_defaults(func=cmd_site_import)
    st = ssub.add_parser("template", help="生成点位清单模板（.xlsx）")
    st.add_argument("file", metavar="FILE")
    st.add_argument("--overwrite", action="store_true", help="替换已存在的文件")
    st.set_defaults(func=cmd_site_template)
