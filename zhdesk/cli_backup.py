"""`zhdesk backup -o FILE` and `zhdesk restore FILE [--yes]` (issue 12, item 3). Registered by
`zhdesk.cli.build_parser`; output and exit codes as everywhere there."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from zhdesk.cli import _emit
from zhdesk.desk import Desk
from zhdesk.errors import InputRefused, UsageError
from zhdesk.files import TargetExists, shown
from zhdesk.services import backup as backup_svc
from zhdesk.services.authz import authorize, unguarded


def cmd_backup(desk: Desk, args: argparse.Namespace) -> int:
    try:
        result = desk.backup(Path(args.output), args.overwrite)
    except TargetExists as exc:
        raise TargetExists(f"{exc.message}；要替换请加 --overwrite", exc.path) from None
    return _emit(args, result.to_json, [result.line()])


def _confirm(backup: Path, target: str) -> None:
    """Ask on the terminal; without one (a script, a pipe) the user must have said --yes."""
    if not sys.stdin.isatty():
        raise UsageError(f"恢复会替换当前数据库 {shown(target)}：不在终端中运行时请加 --yes 确认，未做任何改动")
    sys.stderr.write(f"将用备份 {shown(backup)} 替换当前数据库 {shown(target)}（原数据库会另存一份），确定吗？[y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes", "是"):
        raise InputRefused(f"已取消恢复，当前数据库 {shown(target)} 未做任何改动")


def cmd_restore(desk: Desk, args: argparse.Namespace) -> int:
    url = desk.engine.url.render_as_string(hide_password=False)
    desk.run(authorize, "database.restore", "restore")  # administrators only, before anything is asked
    found = backup_svc.check_backup(Path(args.file))  # refuse a bad file (an archive: read whole) before asking
    if not args.yes:
        _confirm(found.path, desk.location())
    desk.close()  # no connection of ours may stay open on the file (or the tables) being replaced
    result = backup_svc.restore(url, found.path)
    restored = Desk.open(url, user_login=desk.user_login)
    try:  # checked above: the restored database's accounts (the backup's) need not know this login
        with restored.uow() as uow:
            safety = shown(result.safety) if result.safety else None
            unguarded(backup_svc.record_restore)(uow, shown(result.backup), safety)
    finally:
        restored.close()
    return _emit(args, result.to_json, [result.line()])


def add_commands(sub: Any) -> None:
    bk = sub.add_parser(
        "backup", help="备份数据库（运行中也可备份，写完即校验；PostgreSQL 或 .zip 文件名：可移植的归档）"
    )
    bk.add_argument("-o", "--output", required=True, metavar="FILE")
    bk.add_argument("--overwrite", action="store_true", help="文件已存在时替换它（不会替换数据库、设备或文件夹）")
    bk.add_argument("--json", action="store_true")
    bk.set_defaults(func=cmd_backup)

    rs = sub.add_parser("restore", help="用备份文件替换当前数据库（先另存当前数据库）")
    rs.add_argument("file", metavar="FILE")
    rs.add_argument("--yes", action="store_true", help="不再询问，直接恢复")
    rs.add_argument("--json", action="store_true")
    rs.set_defaults(func=cmd_restore)
