"""Write the demo's phase-one community tallies (resources/tallies/*.xlsx), as communities send them.

Four shapes, one per community, totalling the source's figures for 2021-01-01 … 2021-06-30 (docs/domain.md):
a detail ledger with dates typed every way, a monthly summary with two-level headers and a 合计 row, a
one-row summary whose period is only in the title, a detail ledger with a 出动人次 column. Deterministic:
run it again and the files are byte-for-byte what the demo imports (their sha256 makes re-import a no-op).

Usage (repo root): .venv/bin/python tools/make_demo_tallies.py
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

OUT = Path(__file__).resolve().parent.parent / "resources" / "tallies"
FIXED = dt.datetime(2021, 7, 1, 9, 0)  # workbook timestamps, so the bytes never change

# community → metric → figure as written (strings keep the qualifier); sums are the source's figures
SHARES: dict[str, dict[str, object]] = {
    "江西路社区": {"mobilized": 140, "compounds_cleaned": 18, "illegal_buildings": 2, "illegal_buildings_area": 12,
              "unauthorized_structures": 3, "unauthorized_structures_area": 15, "street_vendors": 6,
              "cross_door_business": 5, "noise_checks": 18, "shop_sorting_checks": 8, "notices": 24,
              "vehicle_trips": 14, "garbage_tons": "近40", "green_damage": 40, "media_reports": "30余"},
    "澄海路社区": {"mobilized": 130, "compounds_cleaned": 17, "illegal_buildings": 1, "illegal_buildings_area": 6,
              "unauthorized_structures": 2, "unauthorized_structures_area": 12, "street_vendors": 5,
              "cross_door_business": 4, "noise_checks": 17, "shop_sorting_checks": 7, "notices": 22,
              "vehicle_trips": 12, "garbage_tons": 35, "green_damage": 38, "media_reports": 25},
    "汕头路社区": {"mobilized": 127, "compounds_cleaned": 16, "illegal_buildings": 1, "illegal_buildings_area": 6,
              "unauthorized_structures": 2, "unauthorized_structures_area": 11, "street_vendors": 5,
              "cross_door_business": 4, "noise_checks": 16, "shop_sorting_checks": 6, "notices": 21,
              "vehicle_trips": 12, "garbage_tons": "近30", "green_damage": 38, "media_reports": "25余"},
    "善化路社区": {"mobilized": 120, "compounds_cleaned": 14, "illegal_buildings": 1, "illegal_buildings_area": 5,
              "unauthorized_structures": 2, "unauthorized_structures_area": 10, "street_vendors": 4,
              "cross_door_business": 3, "noise_checks": 16, "shop_sorting_checks": 6, "notices": 21,
              "vehicle_trips": 12, "garbage_tons": 25, "green_damage": 36, "media_reports": 20},
}  # fmt: skip

NAMES = {
    "mobilized": ("组织发动人次", "人次"), "compounds_cleaned": ("清理整治楼院", "个"),
    "illegal_buildings": ("拆除违法建设", "处"), "illegal_buildings_area": ("拆除违法建设面积", "平方米"),
    "unauthorized_structures": ("乱搭乱建", "处"), "unauthorized_structures_area": ("乱搭乱建面积", "平方米"),
    "street_vendors": ("占路游商", "起"), "cross_door_business": ("跨门经营", "处"),
    "noise_checks": ("检查噪音扰民", "次"), "shop_sorting_checks": ("检查沿街商铺垃圾分类", "次"),
    "notices": ("下达告知书、责改文书", "份"), "vehicle_trips": ("出动清运车辆", "台次"),
    "garbage_tons": ("清理垃圾", "吨"), "green_damage": ("清理毁绿种菜", "处"),
    "media_reports": ("主流媒体刊(播)发新闻", "条"),
}  # fmt: skip
CATEGORY = {
    "illegal_buildings": ("无证建设", "拆除"), "illegal_buildings_area": ("无证建设", "拆除"),
    "unauthorized_structures": ("私搭乱建", "拆除"), "unauthorized_structures_area": ("私搭乱建", "拆除"),
    "street_vendors": ("无照经营游商", "劝离"), "cross_door_business": ("店外经营(跨门经营)", "责令整改"),
    "noise_checks": ("噪音扰民", "检查"), "shop_sorting_checks": ("垃圾分类", "检查"),
    "garbage_tons": ("积存垃圾渣土", "清运"), "green_damage": ("非法占绿毁绿", "清理"),
    "compounds_cleaned": ("卫生死角", "清理整治"),
}  # fmt: skip
SITES = ("江西路153号", "江西路背街小巷", "澄海路22号", "汕头路7号", "善化路18号院", "善化路19号院")


def _split(total: int, parts: int) -> list[int]:
    parts = max(1, min(parts, total))
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _number(v: object) -> tuple[str, int]:
    text = str(v)
    qualifier = text[0] if text[0] in "约近" else text[-1] if text[-1] == "余" else ""
    return qualifier, int(text.strip("约近余"))


def _with_qualifier(q: str, n: int) -> object:
    if not q:
        return n
    return f"{n}余" if q == "余" else f"{q}{n}"


def _save(wb: Workbook, name: str) -> None:
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    wb.properties.creator = "zhdesk demo"
    wb.save(OUT / name)


def detail_ledger(community: str, dated_text: bool, people_column: bool) -> Workbook:
    """One row per action, dates in every form; 组织发动人次 either as rows or as a 出动人次 column."""
    wb = Workbook()
    ws = wb.active
    ws.title = "明细台账"
    ws["A1"] = f"{community}市容秩序和环境卫生综合整治工作台账"
    ws["A1"].font = Font(bold=True, size=14)
    heads = ["日期", "社区", "点位/地址", "问题类别", "处置措施", "统计指标", "数量", "单位", "备注"]
    if people_column:
        heads.insert(8, "出动人次")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(heads))
    ws.append(heads)
    shares = SHARES[community]
    rows: list[list[object]] = []
    day = 0
    people = _split(int(str(shares["mobilized"])), 12) if people_column else []
    for code, (name, unit) in NAMES.items():
        if code == "mobilized" and people_column:
            continue
        q, total = _number(shares[code])
        pieces = _split(total, 1 if q else (3 if total >= 6 else 1))
        if code.endswith("_area"):
            pieces = [total]
        for piece in pieces:
            date = dt.date(2021, 1, 4) + dt.timedelta(days=(day * 13) % 175)
            day += 1
            cat, measure = CATEGORY.get(code, ("", ""))
            site = SITES[day % len(SITES)] if cat else ""
            value: object = _with_qualifier(q, piece)
            if code.endswith("_area") and not q:
                value = f"{piece}平方米"  # a number typed with its unit
            rows.append([date, community, site, cat, measure, name, value, "" if code.endswith("_area") else unit, ""])
    rows.sort(key=lambda r: r[0])  # type: ignore[arg-type, return-value]
    for i, r in enumerate(rows):
        d = r[0]
        assert isinstance(d, dt.date)
        if dated_text:  # how people type dates: a real date, 2021年3月5日, 2021.3.5, 3月5日 (year from above)
            r[0] = [d, f"{d.year}年{d.month}月{d.day}日", f"{d.year}.{d.month}.{d.day}", f"{d.month}月{d.day}日"][i % 4]
        if people_column:
            r.insert(8, people[i] if i < len(people) else None)
    if people_column:
        for i in range(len(rows), len(people)):  # more people rows than actions: a row of just people
            day = dt.date(2021, 6, 1) + dt.timedelta(days=i)
            rows.append([day, community, "", "", "集中清理", "", None, "", people[i], ""])
    for i, r in enumerate(rows):
        ws.append(r)
        if i % 7 == 6:
            ws.append([])  # blank rows happen
    for row in ws.iter_rows(min_row=3, max_col=1):
        for c in row:
            if isinstance(c.value, dt.date):
                c.number_format = "yyyy-mm-dd"
    return wb


def monthly_summary(community: str) -> Workbook:
    """One row per month, two-level headers for the paired metrics, a 合计 row at the bottom."""
    wb = Workbook()
    ws = wb.active
    ws.title = "2021年1-6月"
    codes = [c for c in NAMES if not c.endswith("_area")]
    ws.cell(1, 1, f"{community}市容环境卫生整治工作月度统计表")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    col = 3
    ws.cell(2, 1, "月份")
    ws.cell(2, 2, "社区")
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:B3")
    layout: list[tuple[int, str]] = []
    for code in codes:
        name, unit = NAMES[code]
        if code in ("illegal_buildings", "unauthorized_structures"):
            ws.cell(2, col, name)
            ws.merge_cells(start_row=2, start_column=col, end_row=2, end_column=col + 1)
            ws.cell(3, col, "处数")
            ws.cell(3, col + 1, "面积(㎡)")
            layout += [(col, code), (col + 1, code + "_area")]
            col += 2
        else:
            ws.cell(2, col, f"{name}（{unit}）")
            ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
            layout.append((col, code))
            col += 1
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=col - 1)
    for c in range(1, col):
        ws.cell(2, c).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    shares = SHARES[community]
    per_month = {code: [divmod(_number(shares[code])[1], 6)[0] + (1 if i < _number(shares[code])[1] % 6 else 0)
                        for i in range(6)] for _, code in layout}  # fmt: skip
    for m in range(6):
        r = 4 + m
        ws.cell(r, 1, f"2021年{m + 1}月")
        ws.cell(r, 2, community)
        for c, code in layout:
            ws.cell(r, c, per_month[code][m])
    ws.cell(10, 1, "合计")
    for c, code in layout:
        ws.cell(10, c, sum(per_month[code]))  # a typed total: checked, never counted
    return wb


def one_row_summary(community: str) -> Workbook:
    """A single community row; the period only in the title; approximate figures as typed."""
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws["A1"] = f"{community}综合整治工作统计（2021年1月1日—6月30日）"
    ws["A1"].font = Font(bold=True, size=14)
    heads = ["序号", "社区"] + [f"{n}（{u}）" for n, u in NAMES.values()]
    ws.append(heads)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(heads))
    shares = SHARES[community]
    values = [shares[c] for c in NAMES]
    values = [f"{v}吨" if c == "garbage_tons" else v for c, v in zip(NAMES, values, strict=True)]
    ws.append([1, community, *values])
    return wb


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    _save(detail_ledger("江西路社区", dated_text=True, people_column=False), "江西路社区_2021年上半年_明细台账.xlsx")
    _save(monthly_summary("澄海路社区"), "澄海路社区_2021年1-6月_月度统计.xlsx")
    _save(one_row_summary("汕头路社区"), "汕头路社区_2021年上半年_汇总.xlsx")
    _save(detail_ledger("善化路社区", dated_text=False, people_column=True), "善化路社区_2021年上半年_明细台账.xlsx")
    for code in NAMES:
        total = sum(_number(SHARES[c][code])[1] for c in SHARES)
        sys.stdout.write(f"{code} {total}\n")


if __name__ == "__main__":
    main()
