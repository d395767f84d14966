"""`zhdesk tally import|template|batches|undo` and `zhdesk summary`: the community tallies (社区台账) on
the command line. Registered by `zhdesk.cli.build_parser`; output and exit codes as everywhere there."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from zhdesk.cli import _emit, _out, _Parser, _site_id
from zhdesk.cli_edge import one_line
from zhdesk.desk import Desk
from zhdesk.domain.dates import parse_date
from zhdesk.errors import UsageError
from zhdesk.files import shown


def _range(args: argparse.Namespace) -> tuple[dt.date | None, dt.date | None]:
    start = parse_date(args.date_from, "起始日期") if args.date_from else None
    end = parse_date(args.date_to, "截止日期") if args.date_to else None
    if start and end and start > end:
        raise UsageError(f"起始日期 {start.isoformat()} 晚于截止日期 {end.isoformat()}")
    return start, end


def _mapping(items: Sequence[str] | None) -> dict[str, str | None]:
    """--map "表头=code" (or "表头=-" to ignore the column)."""
    out: dict[str, str | None] = {}
    for item in items or []:
        header, sep, code = item.rpartition("=")
        if not sep or not header.strip() or not code.strip():
            raise UsageError(f"--map “{shown(item)}”格式应为 “表头=指标代码”（或 “表头=-” 忽略该列）")
        out[header.strip()] = None if code.strip() == "-" else code.strip()
    return out


def cmd_tally_import(desk: Desk, args: argparse.Namespace) -> int:
    from pathlib import Path

    from zhdesk.dto import TallyFileReport, TallyImportOptions, TallyProblem

    start, end = _range(args)
    if (start is None) != (end is None):
        raise UsageError("--from 与 --to 须同时给出")
    opts = TallyImportOptions(community=args.community, period=(start, end) if start and end else None,
                              mapping=_mapping(args.map))  # fmt: skip
    reports: list[TallyFileReport] = []
    for name in args.files:
        path = Path(name)
        try:
            reports.append(desk.tally_check(path, opts) if args.dry_run else desk.tally_import(path, opts))
        except UsageError as exc:  # cannot be read at all
            problem = TallyProblem(None, None, None, None, exc.message)
            reports.append(TallyFileReport(path.name, "rejected", errors=(problem,), unreadable=True))
    unreadable = any(r.unreadable for r in reports)
    rejected = any(r.status == "rejected" for r in reports)
    if args.json:
        _out({"files": [r.to_json() for r in reports]})
    else:
        for r in reports:
            if r.status == "imported":
                print(f"{r.file}：已导入 {r.rows} 行、{r.entries} 个数字（批次 {r.batch_id}）")
            elif r.status == "duplicate":
                print(f"{r.file}：该文件已导入过（批次 {r.batch_id}），本次未重复添加")
            elif r.status == "preview":
                print(f"{r.file}：检查通过，{r.rows} 行、{r.entries} 个数字（试运行，未写入）")
            for w in r.warnings if r.status != "duplicate" else ():
                print(f"  警告：{w.text(r.file)}")
            if r.status == "rejected":
                for e in r.errors:
                    sys.stderr.write(f"zhdesk：{one_line(e.text(r.file) if not r.unreadable else e.reason)}\n")
                if not r.unreadable:
                    sys.stderr.write(f"zhdesk：{r.file} 未导入（{len(r.errors)} 处错误），未写入任何内容\n")
    return 2 if unreadable else 1 if rejected else 0


def cmd_tally_template(desk: Desk, args: argparse.Namespace) -> int:
    from pathlib import Path

    from zhdesk.files import TargetExists

    try:
        out = desk.write_tally_template(Path(args.output), overwrite=args.overwrite)
    except TargetExists as exc:
        raise TargetExists(f"{exc.message}；要替换请加 --overwrite", exc.path) from None
    print(f"已生成社区台账模板：{out}")
    return 0


def cmd_tally_batches(desk: Desk, args: argparse.Namespace) -> int:
    batches = desk.tally_batches()

    def lines() -> Iterator[str]:
        if not batches:
            yield "（还没有导入过台账）"
        for b in batches:
            state = f"已撤销（{b.undone_by} {b.undone_at:%Y-%m-%d %H:%M}）" if b.undone_at else ""
            yield (f"{b.id:>5}  {b.imported_at:%Y-%m-%d %H:%M}  {b.file_name}  {b.rows}行 {b.entries}个数字  "
                   f"{b.imported_by or ''}  {state}").rstrip()  # fmt: skip

    return _emit(args, lambda: [b.to_json() for b in batches], lines())


def cmd_tally_undo(desk: Desk, args: argparse.Namespace) -> int:
    b = desk.tally_undo(_site_id(args.id, "导入批次"))
    return _emit(args, b.to_json, [f"已撤销导入批次 {b.id}（{b.file_name}），删除 {b.entries} 个数字"])


def cmd_summary(desk: Desk, args: argparse.Namespace) -> int:
    start, end = _range(args)
    print(desk.summary(start, end, args.community))
    return 0


def add_commands(sub: Any) -> None:
    ta = sub.add_parser("tally", help="社区台账：导入、模板、导入批次、撤销")
    tsub = ta.add_subparsers(dest="tally_command", metavar="操作", parser_class=_Parser)
    tsub.required = True
    ti = tsub.add_parser("import", help="导入台账文件（.xlsx/.xlsm/.xls/.ods/.csv），每个文件整体导入或整体不导入")
    ti.add_argument("files", nargs="+", metavar="FILE")
    ti.add_argument("--community", metavar="社区", help="表中没有社区列时使用的社区")
    ti.add_argument("--from", dest="date_from", metavar="日期", help="表中没有日期、标题中也没有时段时使用")
    ti.add_argument("--to", dest="date_to", metavar="日期")
    ti.add_argument("--map", action="append", metavar="表头=代码", help="表头对应的指标代码（- 忽略该列），可多次")
    ti.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    ti.add_argument("--json", action="store_true")
    ti.set_defaults(func=cmd_tally_import)
    tt = tsub.add_parser("template", help="生成社区台账模板（.xlsx）")
    tt.add_argument("-o", "--output", required=True, metavar="FILE")
    tt.add_argument("--overwrite", action="store_true", help="替换已存在的文件")
    tt.set_defaults(func=cmd_tally_template)
    tb = tsub.add_parser("batches", help="列出导入批次")
    tb.add_argument("--json", action="store_true")
    tb.set_defaults(func=cmd_tally_batches)
    tu = tsub.add_parser("undo", help="撤销一个导入批次（删除其全部数字，撤销本身会被记录）")
    tu.add_argument("id", metavar="ID")
    tu.add_argument("--json", action="store_true")
    tu.set_defaults(func=cmd_tally_undo)
    sm = sub.add_parser("summary", help="按时段生成工作总结段落（督办件与台账数字）")
    sm.add_argument("--from", dest="date_from", metavar="日期")
    sm.add_argument("--to", dest="date_to", metavar="日期")
    sm.add_argument("--community", metavar="社区")
    sm.set_defaults(func=cmd_summary)
