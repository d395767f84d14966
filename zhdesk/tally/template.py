"""The community tally template (openpyxl): a detail sheet, a summary sheet, Chinese instructions and a
hidden sheet with the lists the drop-downs use. Headers come from the metric catalogue, so a filled-in
template imports without any mapping."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from zhdesk.tally.parse import MetricInfo

DATA_ROWS = 500  # rows prepared with drop-downs and date formats
DETAIL_HEADERS = ("日期", "社区", "点位/地址", "问题类别", "处置措施", "统计指标", "数量", "单位", "备注")
LISTS_SHEET = "下拉列表"

INSTRUCTIONS = (
    "社区台账填写说明",
    "",
    "1. 本模板有两张表，按实际情况任选其一填写，同一项工作不要在两张表中重复填写。",
    "2. “明细台账”：每次处置一行。日期写成 2021-03-05（也可写 2021年3月5日、2021/3/5）；"
    "社区、统计指标、问题类别从下拉列表中选择。",
    "3. “数量”只写数字；约数可写成 约130、近百、100余，系统会保留“约/近/余”；"
    "单位可不填，填写时须与统计指标的单位一致。",
    "4. “汇总表”：每个社区（或每个时段）一行，每个统计指标一列；开始日期和结束日期必须填写，系统不会猜测时段。",
    "5. 合计、小计行可以保留，系统只用来核对，不会重复计入。",
    "6. 表头行已保护，请勿修改表头；需要新的统计指标，请在软件的“设置”中添加后重新导出模板。",
    "7. 填好后在软件“社区台账”页面点“导入台账”，或运行 zhdesk tally import 文件名.xlsx。同一文件重复导入不会重复计数。",
)


def write_template(
    path: Path, metrics: Sequence[MetricInfo], communities: Sequence[str], categories: Sequence[str]
) -> None:
    """Write the template workbook to `path` (the caller makes the write atomic)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    title_font = Font(bold=True, size=14)
    unlocked = Protection(locked=False)

    # hidden lists for the drop-downs (not inline: names with commas and long lists stay intact)
    lists = wb.create_sheet(LISTS_SHEET)
    columns: list[tuple[str, Sequence[str]]] = [
        ("社区", communities), ("统计指标", [m.name for m in metrics]), ("问题类别", categories),
        ("单位", sorted({m.unit for m in metrics})),
    ]  # fmt: skip
    ranges: dict[str, str] = {}
    for j, (title, values) in enumerate(columns, start=1):
        letter = chr(64 + j)
        lists.cell(1, j, title)
        for i, v in enumerate(values, start=2):
            lists.cell(i, j, v)
        ranges[title] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${max(len(values), 1) + 1}"
    lists.sheet_state = "hidden"

    def protect(ws: Any, header_row: int, width: int) -> None:
        for r in range(header_row + 1, header_row + DATA_ROWS + 1):
            for c in range(1, width + 1):
                ws.cell(r, c).protection = unlocked
        ws.protection.sheet = True
        # protected header, but rows can still be added, sorted and filtered
        ws.protection.insertRows = False
        ws.protection.deleteRows = False
        ws.protection.formatColumns = False
        ws.protection.sort = False
        ws.protection.autoFilter = False
        ws.freeze_panes = ws.cell(header_row + 1, 1)

    def drop_down(ws: Any, list_name: str, column: int, first: int) -> None:
        dv = DataValidation(type="list", formula1=ranges[list_name], allow_blank=True, showErrorMessage=True,
                            errorTitle="请从列表中选择", error=f"请从下拉列表中选择{list_name}")  # fmt: skip
        letter = _letter(column)
        dv.add(f"{letter}{first}:{letter}{first + DATA_ROWS - 1}")
        ws.add_data_validation(dv)

    # detail ledger
    ws = wb.active
    ws.title = "明细台账"
    ws.cell(1, 1, "社区市容秩序和环境卫生综合整治工作台账（明细）").font = title_font
    for j, h in enumerate(DETAIL_HEADERS, start=1):
        c = ws.cell(2, j, h)
        c.font, c.fill = bold, head_fill
        c.alignment = Alignment(horizontal="center", vertical="center")
    for r in range(3, 3 + DATA_ROWS):
        ws.cell(r, 1).number_format = "yyyy-mm-dd"
    widths = (12, 16, 24, 14, 16, 26, 10, 8, 24)
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[_letter(j)].width = w
    drop_down(ws, "社区", 2, 3)
    drop_down(ws, "问题类别", 4, 3)
    drop_down(ws, "统计指标", 6, 3)
    drop_down(ws, "单位", 8, 3)
    dates = _date_validation()
    dates.add(f"A3:A{2 + DATA_ROWS}")
    ws.add_data_validation(dates)
    protect(ws, 2, len(DETAIL_HEADERS))

    # summary table: one row per community or period, one column per metric
    sm = wb.create_sheet("汇总表", 1)
    heads = ["社区", "开始日期", "结束日期", *(f"{m.name}（{m.unit}）" for m in metrics)]
    sm.cell(1, 1, "社区市容秩序和环境卫生综合整治工作统计汇总表").font = title_font
    for j, h in enumerate(heads, start=1):
        c = sm.cell(2, j, h)
        c.font, c.fill = bold, head_fill
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sm.column_dimensions[_letter(j)].width = 16 if j > 3 else 14
    sm.row_dimensions[2].height = 48
    for r in range(3, 3 + DATA_ROWS):
        sm.cell(r, 2).number_format = "yyyy-mm-dd"
        sm.cell(r, 3).number_format = "yyyy-mm-dd"
    drop_down(sm, "社区", 1, 3)
    sdates = _date_validation()
    sdates.add(f"B3:C{2 + DATA_ROWS}")
    sm.add_data_validation(sdates)
    protect(sm, 2, len(heads))

    # instructions
    ins = wb.create_sheet("填写说明", 2)
    for i, line in enumerate(INSTRUCTIONS, start=1):
        ins.cell(i, 1, line).alignment = Alignment(wrap_text=True, vertical="top")
    ins.cell(1, 1).font = title_font
    ins.column_dimensions["A"].width = 110

    wb.active = 0
    wb.save(str(path))


def _date_validation() -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    return DataValidation(
        type="date", operator="greaterThan", formula1="36526", allow_blank=True, showErrorMessage=True,
        errorTitle="日期无效", error="请填写有效日期，如 2021-03-05",
    )  # fmt: skip


def _letter(j: int) -> str:
    from zhdesk.tally.text import column_letter

    return column_letter(j - 1)
