"""`zhdesk` command line: a thin shell over the services.

Exit codes: 0 done; 1 input refused (nothing written); 2 usage error, unreadable input or bad database.
Errors are one line of Chinese on stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from zhdesk import __version__
from zhdesk.dates import fmt_iso, parse_date
from zhdesk.desk import Desk
from zhdesk.domain.lights import Light
from zhdesk.domain.workflow import Action, Status, parse_action, parse_status
from zhdesk.dto import SiteDetail, SiteRow
from zhdesk.errors import UsageError, ZhdeskError
from zhdesk.services.sites import SITE_KINDS, ContactInput, ListingInput, SiteFilter

LIGHT_NAMES = {
    "red": Light.RED, "红": Light.RED, "yellow": Light.YELLOW, "黄": Light.YELLOW,
    "green": Light.GREEN, "绿": Light.GREEN, "grey": Light.GREY, "gray": Light.GREY, "灰": Light.GREY,
}  # fmt: skip


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in Chinese, as one line, with exit code 2."""

    def error(self, message: str) -> NoReturn:
        translated = (
            message.replace("the following arguments are required", "缺少必需的参数")
            .replace("unrecognized arguments", "无法识别的参数")
            .replace("invalid choice", "无效的选项")
            .replace("argument ", "参数 ")
            .replace("expected one argument", "需要一个值")
            .replace("invalid int value", "不是整数")
        )
        sys.stderr.write(f"zhdesk：用法错误：{translated}（运行 zhdesk -h 查看帮助）\n")
        raise SystemExit(2)


def _out(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _site_id(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"点位编号“{text}”不是整数") from None


def _row_json(r: SiteRow) -> dict[str, Any]:
    d = r.to_json()
    # Stable keys the issue promises, first.
    head = {k: d[k] for k in ("id", "address", "community", "listed", "status", "deadline", "light",
                              "lead", "unit", "category")}  # fmt: skip
    head.update(d)
    return head


def _print_rows(rows: Sequence[SiteRow]) -> None:
    if not rows:
        print("（没有符合条件的点位）")
        return
    for r in rows:
        light = {"red": "●红", "yellow": "●黄", "green": "●绿", "grey": "●灰"}.get(r.light or "", "  —")
        print(
            f"{r.id:>4}  {light}  {r.address}  [{r.community}]  "
            f"{r.status_label or '未挂牌'}  {fmt_iso(r.deadline) or ''} {r.days_text if r.listed else ''}  "
            f"{r.lead or ''} {('/ ' + r.unit) if r.unit else ''}"
        )


def _print_detail(d: SiteDetail) -> None:
    r = d.row
    print(f"点位 {r.id}：{r.address}（{r.community}，{r.kind_label}{'，部队管辖' if r.military else ''}）")
    if d.note:
        print(f"备注：{d.note}")
    cur = d.current
    if cur is None:
        print("未挂牌督办")
        return
    print(f"状态：{cur.status_label}   整改时限：{fmt_iso(cur.deadline) or '无'}（{cur.days_text}）")
    closed = fmt_iso(cur.closed_on) or "—"
    print(f"挂牌日期：{cur.listed_on.isoformat()}   期：{cur.issue_no or '—'}   办结日期：{closed}")
    if cur.category:
        print(f"问题类别：{cur.category}" + (f"（{cur.category_code}）" if cur.category_code else ""))
    if cur.problem:
        print(f"问题：{cur.problem}")
    print(f"退回整改：{cur.rework_count} 次   反弹：{cur.rebound_count} 次")
    for c in cur.contacts:
        who = " ".join(x for x in (c.person, c.title, f"（{c.unit}）" if c.unit and c.person else c.unit) if x)
        print(f"  {c.role_label}：{who}  {c.phone or ''}")
    if d.transitions:
        print("可执行：" + "、".join(f"{t.action}({t.label})" for t in d.transitions))


# ------------------------------------------------------------------ commands


def cmd_init(desk: Desk, args: argparse.Namespace) -> int:
    from zhdesk.reference import seed_reference

    with desk.uow() as uow:
        seed_reference(uow)
        uow.commit()
    print("数据库已就绪：" + desk.engine.url.render_as_string(hide_password=True))
    return 0


def cmd_demo(desk: Desk, args: argparse.Namespace) -> int:
    from zhdesk.demo import load_demo

    with desk.uow() as uow:
        added = load_demo(uow)
    print(f"已载入演示数据，新增 {added} 条记录" if added else "演示数据已存在，未新增记录")
    return 0


def cmd_sites(desk: Desk, args: argparse.Namespace) -> int:
    light = None
    if args.light:
        light = LIGHT_NAMES.get(args.light.strip().lower())
        if light is None:
            raise UsageError(f"未知的灯色“{args.light}”，可用：red、yellow、green、grey（红、黄、绿、灰）")
    f = SiteFilter(
        community=args.community,
        status=parse_status(args.status) if args.status else None,
        light=light,
        listed_only=args.listed,
        text=args.search,
    )
    rows = desk.list_sites(f)
    if args.json:
        _out([_row_json(r) for r in rows])
    else:
        _print_rows(rows)
    return 0


def cmd_site_show(desk: Desk, args: argparse.Namespace) -> int:
    d = desk.get_site(_site_id(args.id))
    if args.json:
        _out(d.to_json())
    else:
        _print_detail(d)
    return 0


def cmd_site_add(desk: Desk, args: argparse.Namespace) -> int:
    d = desk.add_site(args.address, args.community, args.kind, args.note)
    if args.json:
        _out(d.to_json())
    else:
        print(f"已添加点位 {d.row.id}：{d.row.address}（{d.row.community}）")
    return 0


def _contact(role: str, text: str | None, phone: str | None) -> ContactInput | None:
    if not text:
        return None
    if role == "unit":
        return ContactInput(role, unit=text, phone=phone)
    return ContactInput(role, person=text, phone=phone)


def cmd_site_list(desk: Desk, args: argparse.Namespace) -> int:
    listed_on = parse_date(args.listed_on, "挂牌日期") if args.listed_on else dt.date.today()
    deadline = parse_date(args.deadline, "整改时限")
    contacts = tuple(
        c
        for c in (
            _contact("lead", args.lead, args.lead_phone),
            *(_contact("unit", u, None) for u in args.unit or []),
            _contact("person", args.person, args.person_phone),
            _contact("contact", args.contact, args.contact_phone),
        )
        if c is not None
    )
    d = desk.list_site(
        _site_id(args.id),
        ListingInput(
            listed_on=listed_on, deadline=deadline, problem=args.problem, category=args.category,
            issue_no=args.issue_no, contacts=contacts,
        ),
    )  # fmt: skip
    if args.json:
        _out(d.to_json())
    else:
        print(f"已挂牌督办：{d.row.address}，整改时限 {fmt_iso(d.row.deadline)}")
    return 0


def cmd_site_move(desk: Desk, args: argparse.Namespace) -> int:
    action: Action | None = None
    to: Status | None = None
    try:
        action = parse_action(args.step)
    except ZhdeskError:
        try:
            to = parse_status(args.step)
        except ZhdeskError:
            actions = "、".join(f"{a.value}({a.label})" for a in Action)
            states = "、".join(f"{s.value}({s.label})" for s in Status)
            raise UsageError(f"未知的操作或状态“{args.step}”；操作：{actions}；状态：{states}") from None
    on = parse_date(args.date, "日期") if args.date else None
    d = desk.change_status(_site_id(args.id), action=action, to=to, note=args.note, on=on)
    if args.json:
        _out(d.to_json())
    else:
        print(f"{d.row.address}：状态已变为“{d.row.status_label}”")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="zhdesk", description="街道市容环境卫生综合整治督办 — 命令行")
    p.add_argument(
        "--db",
        metavar="URL",
        help="数据库地址（SQLAlchemy URL），默认为用户数据文件夹中的 SQLite 文件；也可用环境变量 ZHDESK_DB",
    )
    p.add_argument("--version", action="version", version=f"zhdesk {__version__}")
    sub = p.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)
    sub.required = True

    sub.add_parser("init", help="创建或升级数据库结构（可重复运行）").set_defaults(func=cmd_init)
    sub.add_parser("demo", help="载入演示数据（重复运行不会重复添加）").set_defaults(func=cmd_demo)

    s = sub.add_parser("sites", help="列出点位")
    s.add_argument("--json", action="store_true", help="输出 JSON 数组")
    s.add_argument("--community", metavar="社区")
    s.add_argument("--status", metavar="状态", help="listed/rectifying/awaiting_acceptance/closed 或中文")
    s.add_argument("--light", metavar="灯色", help="red/yellow/green/grey")
    s.add_argument("--listed", action="store_true", help="只列出挂牌督办过的点位（含已办结）")
    s.add_argument("--search", metavar="文字", help="按地址或备注查找")
    s.set_defaults(func=cmd_sites)

    site = sub.add_parser("site", help="单个点位：查看、添加、挂牌、变更状态")
    ssub = site.add_subparsers(dest="site_command", metavar="操作", parser_class=_Parser)
    ssub.required = True
    show = ssub.add_parser("show", help="查看点位详情")
    show.add_argument("id", metavar="ID")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=cmd_site_show)

    add = ssub.add_parser("add", help="添加点位")
    add.add_argument("--address", required=True, metavar="地址")
    add.add_argument("--community", required=True, metavar="社区")
    add.add_argument("--kind", default="compound", choices=list(SITE_KINDS), help="点位类型")
    add.add_argument("--note", metavar="备注")
    add.add_argument("--json", action="store_true")
    add.set_defaults(func=cmd_site_add)

    lst = ssub.add_parser("list", help="挂牌督办")
    lst.add_argument("id", metavar="ID")
    lst.add_argument("--deadline", required=True, metavar="日期", help="整改时限，如 2021-03-05")
    lst.add_argument("--listed-on", metavar="日期", help="挂牌日期，默认今天")
    lst.add_argument("--problem", metavar="问题描述")
    lst.add_argument("--category", metavar="类别", help="问题类别名称或标准编码")
    lst.add_argument("--issue-no", type=int, metavar="期")
    lst.add_argument("--lead", metavar="姓名", help="包案领导")
    lst.add_argument("--lead-phone", metavar="电话")
    lst.add_argument("--unit", action="append", metavar="单位", help="责任单位（可多次）")
    lst.add_argument("--person", metavar="姓名", help="责任人")
    lst.add_argument("--person-phone", metavar="电话")
    lst.add_argument("--contact", metavar="姓名", help="联系人")
    lst.add_argument("--contact-phone", metavar="电话")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=cmd_site_list)

    mv = ssub.add_parser("move", help="变更挂牌状态（start/submit/accept/reject/rebound 或目标状态）")
    mv.add_argument("id", metavar="ID")
    mv.add_argument("step", metavar="操作或状态")
    mv.add_argument("--note", metavar="备注")
    mv.add_argument("--date", metavar="日期", help="默认今天")
    mv.add_argument("--json", action="store_true")
    mv.set_defaults(func=cmd_site_move)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    # Windows consoles default to a legacy code page; Chinese must survive.
    for stream in (sys.stdout, sys.stderr):
        reconfigure: Callable[..., None] | None = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        desk = Desk.open(args.db)
        try:
            result: int = args.func(desk, args)
            return result
        finally:
            desk.close()
    except ZhdeskError as exc:
        sys.stderr.write(f"zhdesk：{exc.message}\n")
        return exc.exit_code


if __name__ == "__main__":
    raise SystemExit(main())
