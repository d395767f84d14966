"""`zhdesk` command line: a thin shell over the services.

Exit codes: 0 done; 1 input refused (nothing written); 2 usage error, unreadable input or bad database.
Errors are one line of Chinese on stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from json.encoder import encode_basestring as _json_str  # what ensure_ascii=False uses
from typing import Any, NoReturn

from zhdesk import __version__
from zhdesk import cli_edge as edge
from zhdesk.desk import Desk
from zhdesk.domain.dates import fmt_iso, parse_date
from zhdesk.domain.lights import Light
from zhdesk.domain.vocab import ROLE_LABELS, SITE_KINDS
from zhdesk.domain.workflow import Action, Status, parse_action, parse_status
from zhdesk.dto import (
    BatchDTO,
    BatchFilter,
    ContactInput,
    DossierDTO,
    EventDTO,
    ItemDTO,
    ListingInput,
    MetricTotal,
    PersonDTO,
    PhotoDTO,
    SiteDetail,
    SiteFilter,
    SiteRow,
    StatsFilter,
)
from zhdesk.errors import InputRefused, NotFound, SignInRequired, UsageError, ZhdeskError
from zhdesk.files import shown

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


def _emit(args: argparse.Namespace, data: Callable[[], Any], lines: Iterable[str]) -> int:
    """The one output path: `--json` prints `data()`, otherwise the text lines (a generator: nothing of
    the unused form is computed). Returns the exit code 0."""
    if getattr(args, "json", False):
        _out(data())
    else:
        for line in lines:
            print(line)
    return 0


# Ids are SQLite/PostgreSQL BIGINT: anything outside cannot name a record (and would overflow the driver).
_MAX_ID = 2**63 - 1


def _site_id(text: str, what: str = "点位") -> int:
    """An id as typed: a whole number from 1 to the BIGINT maximum, else a usage error (exit 2)."""
    try:
        value = int(text)
    except ValueError:
        raise UsageError(f"{what}编号“{shown(text)}”不是整数") from None
    if not 1 <= value <= _MAX_ID:
        raise UsageError(f"{what}编号“{shown(text.strip())}”超出范围（应为 1 至 {_MAX_ID} 的整数）")
    return value


def _event_id(text: str) -> int:
    """argparse type for --event: the same rule as other ids, reported by argparse as a usage error."""
    try:
        return _site_id(text, "事件")
    except ZhdeskError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _row_json(r: SiteRow) -> dict[str, Any]:
    d = r.to_json()
    # Stable keys the issue promises, first.
    head = {k: d[k] for k in ("id", "address", "community", "listed", "status", "deadline", "light",
                              "lead", "unit", "category")}  # fmt: skip
    head.update(d)
    return head


def _row_lines(rows: Sequence[SiteRow]) -> Iterator[str]:
    if not rows:
        yield "（没有符合条件的点位）"
    for r in rows:
        light = {"red": "●红", "yellow": "●黄", "green": "●绿", "grey": "●灰"}.get(r.light or "", "  —")
        yield (
            f"{r.id:>4}  {light}  {r.address}  [{r.community}]  "
            f"{r.status_label or '未挂牌'}  {fmt_iso(r.deadline) or ''} {r.days_text if r.listed else ''}  "
            f"{r.lead or ''} {('/ ' + r.unit) if r.unit else ''}"
        )


def _detail_lines(d: SiteDetail) -> Iterator[str]:
    r = d.row
    yield f"点位 {r.id}：{r.address}（{r.community}，{r.kind_label}{'，部队管辖' if r.military else ''}）"
    if d.note:
        yield f"备注：{d.note}"
    cur = d.current
    if cur is None:
        yield "未挂牌督办"
        return
    yield f"状态：{cur.status_label}   整改时限：{fmt_iso(cur.deadline) or '无'}（{cur.days_text}）"
    closed = fmt_iso(cur.closed_on) or "—"
    yield f"挂牌日期：{cur.listed_on.isoformat()}   期：{cur.issue_no or '—'}   办结日期：{closed}"
    if cur.category:
        yield f"问题类别：{cur.category}" + (f"（{cur.category_code}）" if cur.category_code else "")
    if cur.problem:
        yield f"问题：{cur.problem}"
    yield f"退回整改：{cur.rework_count} 次   反弹：{cur.rebound_count} 次   延期：{cur.extension_count} 次"
    for c in cur.contacts:
        who = " ".join(x for x in (c.person, c.title, f"（{c.unit}）" if c.unit and c.person else c.unit) if x)
        yield f"  {c.role_label}：{who}  {c.phone or ''}"
    if d.transitions:
        yield "可执行：" + "、".join(f"{t.action}({t.label})" for t in d.transitions)


# ------------------------------------------------------------------ commands


def cmd_init(desk: Desk, args: argparse.Namespace) -> int:
    from zhdesk.reference import seed_reference

    with desk.uow() as uow:  # reference data, not a user's change: no sign-in needed (a new shared database)
        seed_reference(uow)
        uow.commit()
    print("数据库已就绪：" + desk.engine.url.render_as_string(hide_password=True))
    return 0


def cmd_demo(desk: Desk, args: argparse.Namespace) -> int:
    from zhdesk.demo import load_demo
    from zhdesk.services.authz import authorize

    desk.run(authorize, "demo.load", "load_demo")
    added = desk.run(load_demo)
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
    return _emit(args, lambda: [_row_json(r) for r in rows], _row_lines(rows))


def cmd_site_show(desk: Desk, args: argparse.Namespace) -> int:
    d = desk.get_site(_site_id(args.id))
    return _emit(args, d.to_json, _detail_lines(d))


def _dossier_lines(d: DossierDTO) -> Iterator[str]:
    yield from _detail_lines(d.detail)
    if len(d.detail.listings) > 1:
        yield f"历次挂牌（{len(d.detail.listings)} 次，新的在前）："
        for li in d.listings_newest_first:
            yield (f"  {li.listed_on.isoformat()} 挂牌  {li.status_label}  办结 {fmt_iso(li.closed_on) or '—'}  "
                   f"退回 {li.rework_count} 次  反弹 {li.rebound_count} 次")  # fmt: skip
    yield f"督办件 {len(d.items)} 件" + ("：" if d.items else "")
    for i in d.items:
        it = i.item
        yield (f"  {it.id:>4}  {i.batch_label}（{i.issued_on.isoformat()}）  {it.category or it.problem or ''}  "
               f"时限 {fmt_iso(it.deadline) or '无'}  {it.days_text}")  # fmt: skip
    yield f"台账 {len(d.tally)} 条" + ("：" if d.tally else "")
    for e in d.tally:
        text = MetricTotal(e.metric, e.metric_name, e.unit, e.value, e.qualifier).text  # 约130, 100余
        yield f"  {e.metric_name} {e.start.isoformat()}～{e.end.isoformat()}  {text}{e.unit}  {e.source}"


def cmd_site_dossier(desk: Desk, args: argparse.Namespace) -> int:
    d = desk.dossier(_site_id(args.id))
    return _emit(args, d.to_json, _dossier_lines(d))


def cmd_site_add(desk: Desk, args: argparse.Namespace) -> int:
    d = desk.add_site(args.address, args.community, args.kind, args.note)
    return _emit(args, d.to_json, [f"已添加点位 {d.row.id}：{d.row.address}（{d.row.community}）"])


def _contact(role: str, text: str | None, phone: str | None, flag: str = "") -> ContactInput | None:
    if not text or not text.strip():
        if phone is not None:  # a phone without its person would be dropped silently
            label = ROLE_LABELS[role]
            raise InputRefused(f"填写了{label}电话（--{flag}-phone）但没有填写{label}（--{flag}），请补上或去掉电话")
        if text is not None:
            raise InputRefused(f"{ROLE_LABELS[role]}（--{flag}）不能为空")
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
            _contact("lead", args.lead, args.lead_phone, "lead"),
            *(_contact("unit", u, None, "unit") for u in args.unit or []),
            _contact("person", args.person, args.person_phone, "person"),
            _contact("contact", args.contact, args.contact_phone, "contact"),
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
    return _emit(args, d.to_json, [f"已挂牌督办：{d.row.address}，整改时限 {fmt_iso(d.row.deadline)}"])


def cmd_site_edit(desk: Desk, args: argparse.Namespace) -> int:
    """Fields not given keep their value."""
    sid = _site_id(args.id)
    d = desk.get_site(sid)
    r = d.row
    out = desk.edit_site(
        sid,
        args.address if args.address is not None else r.address,
        args.community if args.community is not None else r.community,
        args.kind if args.kind is not None else r.kind,
        args.note if args.note is not None else d.note,
        d.site_version,
    )
    return _emit(args, out.to_json, [f"已修改点位 {out.row.id}：{out.row.address}（{out.row.community}）"])


def cmd_site_extend(desk: Desk, args: argparse.Namespace) -> int:
    new = parse_date(args.to, "新的整改时限")
    assert new is not None  # --to is required
    d = desk.extend_deadline(_site_id(args.id), new, args.reason)
    cur = d.current
    n = cur.extension_count if cur else 0
    return _emit(args, d.to_json, [f"已延期：{d.row.address}，整改时限延至 {fmt_iso(d.row.deadline)}（第 {n} 次延期）"])


def _person_lines(people: Sequence[PersonDTO]) -> Iterator[str]:
    if not people:
        yield "（通讯录中没有人员）"
    for p in people:
        yield f"{p.id:>4}  {p.name}  {p.title or ''}  {p.unit or ''}  {p.phone or ''}  挂牌 {p.listings} 处"


def cmd_people_list(desk: Desk, args: argparse.Namespace) -> int:
    people = desk.people()
    return _emit(args, lambda: [p.to_json() for p in people], _person_lines(people))


def cmd_people_save(desk: Desk, args: argparse.Namespace) -> int:
    if args.people_command == "add":
        p = desk.save_person(None, args.name, args.title, args.unit, args.phone)
        return _emit(args, p.to_json, [f"已添加人员 {p.id}：{p.name}"])
    pid = _site_id(args.id, "人员")
    old = next((x for x in desk.people() if x.id == pid), None)
    if old is None:
        raise NotFound(f"找不到编号为 {pid} 的人员")
    p = desk.save_person(
        pid,
        args.name if args.name is not None else old.name,
        args.title if args.title is not None else old.title,
        args.unit if args.unit is not None else old.unit,
        args.phone if args.phone is not None else old.phone,
    )
    return _emit(args, p.to_json, [f"已修改人员 {p.id}：{p.name}  {p.phone or ''}（{p.listings} 处挂牌随之更新）"])


def cmd_units_list(desk: Desk, args: argparse.Namespace) -> int:
    units = desk.units()
    lines = (f"{u.id:>4}  {u.name}  {u.phone or ''}  人员 {u.people} 名  挂牌 {u.listings} 处" for u in units)
    return _emit(args, lambda: [u.to_json() for u in units], lines if units else ["（通讯录中没有单位）"])


def cmd_units_save(desk: Desk, args: argparse.Namespace) -> int:
    if args.units_command == "add":
        u = desk.save_unit(None, args.name, args.phone)
        return _emit(args, u.to_json, [f"已添加单位 {u.id}：{u.name}"])
    uid = _site_id(args.id, "单位")
    old = next((x for x in desk.units() if x.id == uid), None)
    if old is None:
        raise NotFound(f"找不到编号为 {uid} 的单位")
    u = desk.save_unit(
        uid, args.name if args.name is not None else old.name, args.phone if args.phone is not None else old.phone
    )
    return _emit(args, u.to_json, [f"已修改单位 {u.id}：{u.name}  {u.phone or ''}"])


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
    return _emit(args, d.to_json, [f"{d.row.address}：状态已变为“{d.row.status_label}”"])


def _time(text: str | None) -> dt.time | None:
    if not text:
        return None
    try:
        return dt.datetime.strptime(text.strip().replace("：", ":"), "%H:%M").time()
    except ValueError:
        raise UsageError(f"时间“{text}”无效，请写成 14:30") from None


def cmd_event_add(desk: Desk, args: argparse.Namespace) -> int:
    from zhdesk.services.timeline import parse_kind

    kind = parse_kind(args.kind)
    on = parse_date(args.date, "事件日期")
    ev = desk.add_event(
        _site_id(args.site_id), kind, on, at=_time(args.time), text=args.text, actors=args.actor or [],
        confirmed=args.force,
    )  # fmt: skip
    return _emit(args, ev.to_json, [f"已记录事件 {ev.id}：{ev.date.isoformat()} {ev.kind_label} {ev.text or ''}"])


def _event_lines(events: Sequence[EventDTO]) -> Iterator[str]:
    for e in events:
        when = e.date.isoformat() + (e.time.strftime(" %H:%M") if e.time else "")
        who = f"［{'、'.join(e.actors)}］" if e.actors else ""
        pics = f"（照片 {len(e.photo_ids)} 张）" if e.photo_ids else ""
        yield f"{e.id:>5}  {when}  {e.kind_label}  {who}{e.text or ''}{pics}"


def cmd_timeline(desk: Desk, args: argparse.Namespace) -> int:
    events = desk.timeline(_site_id(args.site_id))
    return _emit(args, lambda: [e.to_json() for e in events], _event_lines(events))


def cmd_photo_add(desk: Desk, args: argparse.Namespace) -> int:
    from pathlib import Path

    from zhdesk.services.photos import parse_phase

    result = desk.add_photos(
        _site_id(args.site_id), [Path(f) for f in args.files], phase=parse_phase(args.phase), event_id=args.event
    )
    counts = f"新增 {len(result.added)} 张，重复 {len(result.duplicates)} 张，未添加 {len(result.refused)} 张"
    _emit(args, result.to_json, [counts])
    for r in result.refused:  # r.file is already shown(): valid UTF-8, one line
        sys.stderr.write(f"zhdesk：未添加 {shown(r.file)}：{r.reason}\n")
    return 1 if result.refused else 0


def _photo_lines(items: Sequence[PhotoDTO]) -> Iterator[str]:
    for p in items:
        taken = p.taken_at.strftime("%Y-%m-%d %H:%M") if p.taken_at else "日期不详"
        yield f"{p.id:>5}  {p.phase_label}  {taken}  {p.width}×{p.height}  {p.size // 1024} KB  {p.file_name or ''}"


def cmd_photos(desk: Desk, args: argparse.Namespace) -> int:
    items = desk.photos(_site_id(args.site_id))
    return _emit(args, lambda: [p.to_json() for p in items], _photo_lines(items))


def cmd_photo_export(desk: Desk, args: argparse.Namespace) -> int:
    from pathlib import Path

    from zhdesk.files import TargetExists

    out = Path(args.output)
    photo_id = _site_id(args.id, "照片")
    try:
        desk.export_photo(photo_id, out, overwrite=args.overwrite)
    except TargetExists as exc:
        raise TargetExists(f"{exc.message}；要替换请加 --overwrite", exc.path) from None
    print(f"已导出照片原件：{shown(out)}")
    return 0


def cmd_photo_limit(desk: Desk, args: argparse.Namespace) -> int:
    if args.mb is None:
        print(f"照片文件大小上限：{desk.photo_max_mb()} MB")
        return 0
    try:
        mb = int(args.mb)
    except ValueError:
        raise UsageError(f"照片文件大小上限“{args.mb}”不是整数（单位 MB）") from None
    print(f"照片文件大小上限已设为 {desk.set_photo_max_mb(mb)} MB")
    return 0


def _batch_json(b: BatchDTO, items: Sequence[ItemDTO] | None) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": b.id, "kind": b.kind, "kind_label": b.kind_label, "year": b.year, "issue_no": b.issue_no,
        "issued_on": b.issued_on.isoformat(), "issuer": b.issuer, "title": b.title, "items": b.items,
        "closed": b.closed, "all_closed": b.all_closed,
    }  # fmt: skip
    if items is not None:
        d["item_list"] = [
            {"id": i.id, "site_id": i.site_id, "address": i.address, "community": i.community,
             "category": i.category, "problem": i.problem, "deadline": fmt_iso(i.deadline), "unit": i.unit,
             "status": i.status, "closed_on": fmt_iso(i.closed_on), "deferred": i.deferred,
             "listing_id": i.listing_id, "overdue": i.overdue}
            for i in items
        ]  # fmt: skip
    return d


def _batch_lines(batches: Sequence[BatchDTO], items: dict[int, list[ItemDTO]]) -> Iterator[str]:
    for b in batches:
        state = "全部办结" if b.all_closed else f"办结 {b.closed}/{b.items}"
        yield f"{b.id:>5}  {b.issued_on.isoformat()}  {b.label}  {b.items}处  {state}"
        for i in items.get(b.id, []):
            yield f"         · {i.address}  {i.problem or ''}  {fmt_iso(i.deadline) or ''}  {i.status}"


def _pretty(v: Any, pad: str = "") -> str:
    """json.dumps(v, ensure_ascii=False, indent=2) nested at `pad`, the same text, several times faster:
    with an indent the json module falls back to its pure-Python encoder (10 of 14 s for 100,000 items)."""
    if isinstance(v, dict):
        if not v:
            return "{}"
        inner = pad + "  "
        values = list(v.values())
        if any(isinstance(x, dict | list) for x in values):
            texts = [_pretty(x, inner) for x in values]
        else:  # scalars only: the C encoder in one call; NUL cannot occur in JSON text (it is written \u0000)
            texts = json.dumps(values, ensure_ascii=False, separators=("\0", ":"))[1:-1].split("\0")
        return "{\n" + ",\n".join(f"{inner}{_json_str(k)}: {t}" for k, t in zip(v, texts, strict=True)) + f"\n{pad}}}"
    if isinstance(v, list):
        if not v:
            return "[]"
        inner = pad + "  "
        return "[\n" + ",\n".join(inner + _pretty(x, inner) for x in v) + f"\n{pad}]"
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return _json_str(v)
    if isinstance(v, int):
        return int.__repr__(v)
    return json.dumps(v, ensure_ascii=False)


def cmd_bulletins(desk: Desk, args: argparse.Namespace) -> int:
    """Rows are written as the database yields them (100,000 items need no list in memory); the JSON is
    the same text json.dumps(..., indent=2) makes of the whole list."""
    from zhdesk.domain.stats import parse_kind

    f = BatchFilter(kind=parse_kind(args.kind) if args.kind else None, community=args.community)
    as_json = getattr(args, "json", False)
    out = sys.stdout.write
    first = True

    def emit(b: BatchDTO, items: list[ItemDTO]) -> None:
        nonlocal first
        if as_json:
            out(("[\n  " if first else ",\n  ") + _pretty(_batch_json(b, items if args.items else None), "  "))
        else:
            for line in _batch_lines([b], {b.id: items}):
                print(line)
        first = False

    if args.items:
        desk.each_batch(f, emit)
    else:
        for b in desk.batches(f):
            emit(b, [])
    if as_json:
        out("[]\n" if first else "\n]\n")
    return 0


def _stats_lines(data: dict[str, Any]) -> Iterator[str]:
    from zhdesk.domain.stats import KIND_LABELS, Kind, percent

    for k in Kind:
        c = data["supervision"][k.value]
        if c["items"]:
            yield f"{KIND_LABELS[k]}：{c['issues']}期 {c['items']}处，办结 {c['closed']}处"
    t = data["supervision"]["total"]
    yield f"合计：{t['issues']}期 {t['items']}处，办结 {t['closed']}处"
    yield f"结案率 {percent(data['closure_rate'])}，按期结案率 {percent(data['on_time_closure_rate'])}"


def cmd_stats(desk: Desk, args: argparse.Namespace) -> int:
    if args.action == "rebuild":
        n = desk.rebuild_rollups()
        return _emit(args, lambda: {"rebuilt": True, "rows": n}, [f"已重建统计汇总表：共 {n} 行"])
    if args.action == "check":
        diffs = desk.check_rollups()
        if diffs:
            what = f"{len(diffs)} 处，如 {diffs[0]}"
            sys.stderr.write(f"zhdesk：统计汇总表与督办件、台账数据不一致（{what}），请运行 zhdesk stats rebuild\n")
            return 1
        return _emit(args, lambda: {"consistent": True}, ["统计汇总表与督办件、台账数据一致"])
    f = StatsFilter(
        date_from=parse_date(args.date_from, "起始日期") if args.date_from else None,
        date_to=parse_date(args.date_to, "截止日期") if args.date_to else None,
        community=args.community,
    )
    if f.date_from and f.date_to and f.date_from > f.date_to:
        raise UsageError(f"起始日期 {f.date_from.isoformat()} 晚于截止日期 {f.date_to.isoformat()}")
    data = desk.stats_json(f)
    lines = _stats_lines(data)
    metrics = _metric_lines(desk, f.date_from, f.date_to, f.community)
    return _emit(args, lambda: data, itertools.chain(lines, metrics))


def cmd_figure_set(desk: Desk, args: argparse.Namespace) -> int:
    start = parse_date(args.date_from, "起始日期")
    end = parse_date(args.date_to, "截止日期")
    f = desk.set_figure(args.metric, start, end, args.value, args.community)
    warnings = desk.figure_overlaps(f.metric, start, end, args.community)  # never double count silently
    where = f.community or "全街道"
    return _emit(
        args,
        lambda: {"metric": f.metric, "name": f.metric_name, "unit": f.unit, "from": start.isoformat(),
                 "to": end.isoformat(), "community": f.community, "value": float(f.value),
                 "qualifier": f.qualifier, "warnings": warnings},
        [f"已录入 {start.isoformat()} 至 {end.isoformat()} {where} {f.metric_name} {f.text}{f.unit}",
         *(f"  警告：{w}" for w in warnings)],
    )  # fmt: skip


def _metric_lines(desk: Desk, start: dt.date | None, end: dt.date | None, community: str | None) -> Iterator[str]:
    """The tally figures, one line, zero ones left out (issue 10)."""
    totals = [t for t in desk.metric_totals(start, end, community) if t.value]
    if totals:
        yield "台账：" + "，".join(f"{t.name}{t.text}{t.unit}" for t in totals)


def build_parser() -> argparse.ArgumentParser:
    from zhdesk import cli_tally as tally_commands  # its commands use this module's helpers

    p = _Parser(prog="zhdesk", description="街道市容环境卫生综合整治督办 — 命令行")
    p.add_argument(
        "--db",
        metavar="URL",
        help="数据库地址（SQLAlchemy URL），默认为用户数据文件夹中的 SQLite 文件；也可用环境变量 ZHDESK_DB",
    )
    p.add_argument(
        "--user",
        metavar="LOGIN",
        help="以此账户登录（数据库启用账户登录时；密码在终端中输入或取自环境变量 ZHDESK_PASSWORD）；"
        "也可用环境变量 ZHDESK_USER",
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
    dossier = ssub.add_parser("dossier", help="点位档案：历次挂牌、各类督办件、台账")
    dossier.add_argument("id", metavar="ID")
    dossier.add_argument("--json", action="store_true")
    dossier.set_defaults(func=cmd_site_dossier)

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

    ed = ssub.add_parser("edit", help="修改点位（地址、社区、类型、备注；未给出的保持不变）")
    ed.add_argument("id", metavar="ID")
    ed.add_argument("--address", metavar="地址")
    ed.add_argument("--community", metavar="社区")
    ed.add_argument("--kind", choices=list(SITE_KINDS), help="点位类型")
    ed.add_argument("--note", metavar="备注")
    ed.add_argument("--json", action="store_true")
    ed.set_defaults(func=cmd_site_edit)

    ex = ssub.add_parser("extend", help="延期：把未办结挂牌的整改时限延后（须写明理由）")
    ex.add_argument("id", metavar="ID")
    ex.add_argument("--to", required=True, metavar="日期", help="新的整改时限，晚于现在的时限")
    ex.add_argument("--reason", required=True, metavar="理由")
    ex.add_argument("--json", action="store_true")
    ex.set_defaults(func=cmd_site_extend)

    mv = ssub.add_parser("move", help="变更挂牌状态（start/submit/accept/reject/rebound 或目标状态）")
    mv.add_argument("id", metavar="ID")
    mv.add_argument("step", metavar="操作或状态")
    mv.add_argument("--note", metavar="备注")
    mv.add_argument("--date", metavar="日期", help="默认今天")
    mv.add_argument("--json", action="store_true")
    mv.set_defaults(func=cmd_site_move)

    for noun, helptext, list_fn, save_fn in (
        ("people", "通讯录：人员（姓名、职务、单位、电话）", cmd_people_list, cmd_people_save),
        ("units", "通讯录：单位（名称、电话）", cmd_units_list, cmd_units_save),
    ):
        np = sub.add_parser(noun, help=helptext)
        nsub = np.add_subparsers(dest=f"{noun}_command", metavar="操作", parser_class=_Parser)
        nsub.required = True
        nl = nsub.add_parser("list", help="列出")
        nl.add_argument("--json", action="store_true")
        nl.set_defaults(func=list_fn)
        for verb in ("add", "edit"):
            na = nsub.add_parser(
                verb, help="添加" if verb == "add" else "修改（未给出的保持不变；电话改后各挂牌处随之更新）"
            )
            if verb == "edit":
                na.add_argument("id", metavar="ID")
            na.add_argument("--name", required=verb == "add", metavar="名称" if noun == "units" else "姓名")
            if noun == "people":
                na.add_argument("--title", metavar="职务")
                na.add_argument("--unit", metavar="单位")
            na.add_argument("--phone", metavar="电话")
            na.add_argument("--json", action="store_true")
            na.set_defaults(func=save_fn)

    ev = sub.add_parser("event", help="点位时间线事件")
    esub = ev.add_subparsers(dest="event_command", metavar="操作", parser_class=_Parser)
    esub.required = True
    ea = esub.add_parser("add", help="记录事件（现场检查、约谈、整改措施、回头看……）")
    ea.add_argument("site_id", metavar="SITE_ID")
    ea.add_argument("--kind", required=True, metavar="类型", help="inspection/interview/action/follow_up/note… 或中文")
    ea.add_argument("--date", required=True, metavar="日期")
    ea.add_argument("--time", metavar="时:分")
    ea.add_argument("--text", metavar="内容")
    ea.add_argument("--actor", action="append", metavar="人员或单位", help="参与人员或单位（可多次）")
    ea.add_argument("--force", action="store_true", help="日期早于挂牌或在将来时仍然记录")
    ea.add_argument("--json", action="store_true")
    ea.set_defaults(func=cmd_event_add)

    tl = sub.add_parser("timeline", help="点位时间线（按日期）")
    tl.add_argument("site_id", metavar="SITE_ID")
    tl.add_argument("--json", action="store_true")
    tl.set_defaults(func=cmd_timeline)

    ph = sub.add_parser("photo", help="照片：添加、导出原件")
    psub = ph.add_subparsers(dest="photo_command", metavar="操作", parser_class=_Parser)
    psub.required = True
    pa = psub.add_parser("add", help="添加照片（文件或文件夹）")
    pa.add_argument("site_id", metavar="SITE_ID")
    pa.add_argument("files", nargs="+", metavar="FILE")
    pa.add_argument("--phase", default="before", metavar="阶段", help="before/during/after（整改前/整改中/整改后）")
    pa.add_argument("--event", type=_event_id, metavar="ID", help="关联的事件编号")
    pa.add_argument("--json", action="store_true")
    pa.set_defaults(func=cmd_photo_add)
    pe = psub.add_parser("export", help="导出照片原件（逐字节一致）")
    pe.add_argument("id", metavar="ID")
    pe.add_argument("-o", "--output", required=True, metavar="FILE")
    pe.add_argument("--overwrite", action="store_true", help="文件已存在时替换它（不会替换数据库、设备或文件夹）")
    pe.set_defaults(func=cmd_photo_export)
    pm = psub.add_parser("limit", help="查看或设置照片文件大小上限（MB，默认 100，所有工作站共用）")
    pm.add_argument("mb", nargs="?", metavar="MB")
    pm.set_defaults(func=cmd_photo_limit)

    bl = sub.add_parser("bulletins", help="督办通报：按类型和期号列出批次")
    bl.add_argument("--kind", metavar="类型", help="patrol/foot_patrol/inspection_bulletin/listed/supervision_case/"
                    "compound_notice/other 或中文")  # fmt: skip
    bl.add_argument("--community", metavar="社区")
    bl.add_argument("--items", action="store_true", help="同时列出每期的督办件")
    bl.add_argument("--json", action="store_true")
    bl.set_defaults(func=cmd_bulletins)

    st = sub.add_parser("stats", help="统计：各类督办件期数、处数、办结数，结案率")
    st.add_argument("action", nargs="?", choices=["rebuild", "check"], metavar="操作",
                    help="rebuild：按督办件和台账重建统计汇总表（管理员）；check：核对汇总表是否一致")  # fmt: skip
    st.add_argument("--from", dest="date_from", metavar="日期")
    st.add_argument("--to", dest="date_to", metavar="日期")
    st.add_argument("--community", metavar="社区")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=cmd_stats)

    fg = sub.add_parser("figure", help="手工录入某一时段的统计数字（如 数字化城管件）")
    fsub = fg.add_subparsers(dest="figure_command", metavar="操作", parser_class=_Parser)
    fsub.required = True
    fs = fsub.add_parser("set", help="录入或更正一个数字（同一时段、社区再次录入即替换）")
    fs.add_argument("metric", metavar="METRIC", help="指标编码或名称，如 city_cases 或 数字化城管件")
    fs.add_argument("--from", dest="date_from", required=True, metavar="日期")
    fs.add_argument("--to", dest="date_to", required=True, metavar="日期")
    fs.add_argument("--value", required=True, metavar="数值", help="如 1758、约130、100余")
    fs.add_argument("--community", metavar="社区", help="不填为全街道")
    fs.add_argument("--json", action="store_true")
    fs.set_defaults(func=cmd_figure_set)

    pl = sub.add_parser("photos", help="列出点位照片")
    pl.add_argument("site_id", metavar="SITE_ID")
    pl.add_argument("--json", action="store_true")
    pl.set_defaults(func=cmd_photos)
    from zhdesk import cli_notice  # notice: 督办通知单

    cli_notice.add_commands(sub)

    tally_commands.add_commands(sub)  # 社区台账: tally import|template|batches|undo, summary
    from zhdesk import cli_sites  # site import|template (点位清单)

    cli_sites.add_commands(sub)
    from zhdesk import cli_brief  # 会议简报 (issue 11)

    cli_brief.add_commands(sub)
    from zhdesk import cli_audit  # 操作日志 (issue 12)

    cli_audit.add_commands(sub)
    from zhdesk import cli_backup  # backup / restore (issue 12)

    cli_backup.add_commands(sub)
    from zhdesk import cli_users  # user / accounts (issue 12)

    cli_users.add_commands(sub)
    return p


# Arguments that are file paths: any bytes the file system allows, checked where the file is opened.
PATH_ARGS = frozenset({"files", "output", "file"})


def main(argv: Sequence[str] | None = None) -> int:
    edge.prepare_process()
    opened: list[tuple[Desk, int]] = []  # the desk and its commits once opened (opening may migrate)

    def run() -> int:
        args = build_parser().parse_args(argv)
        edge.check_encoding(args, PATH_ARGS)
        desk = Desk.open(args.db)
        opened.append((desk, desk.commits))
        from zhdesk import cli_users

        try:
            if args.func is not cli_users.cmd_accounts or args.switch == "off":
                cli_users.authenticate(desk, args.user)
            result: int = args.func(desk, args)
            return result
        except SignInRequired as exc:
            raise cli_users.explain_sign_in(exc) from None
        finally:
            desk.close()

    return edge.guarded(run, saved=lambda: any(d.commits > n for d, n in opened))


if __name__ == "__main__":
    raise SystemExit(main())
