"""Export a table exactly as shown to .xlsx: bold frozen header, column widths, real dates."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from zhdesk.dto import Cell, Column
from zhdesk.files import write_export

# Characters Excel refuses in a sheet title.
_BAD_TITLE_CHARS = re.compile(r"[\\/*?:\[\]]")


def _width(value: Cell) -> float:
    if value is None:
        return 0
    if isinstance(value, dt.date):
        return 12  # yyyy-mm-dd plus a margin: LibreOffice shows #### when a date does not fit
    text = str(value)
    # CJK characters are about twice as wide as Latin ones in Excel's width unit.
    return sum(2.1 if ord(ch) > 0x2E80 else 1.1 for ch in text)


def _clean(value: Cell) -> Cell:
    """Text as shown: control characters (pasted from other programs) are dropped, openpyxl refuses them."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def export_table(
    path: Path,
    sheet_title: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    *,
    overwrite: bool = False,
    protected: Iterable[Path] = (),
) -> Path:
    """Write rows in the given order; written to a temp file then moved, so a failure leaves no half file.

    The target passes `files.export_target`: an existing file is replaced only with `overwrite` (the
    window's save dialog has asked), never the open database, a device or a folder.
    """
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _BAD_TITLE_CHARS.sub("-", sheet_title)[:31] or "Sheet1"
    ws.append([c.title for c in columns])
    header_font = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE4EE")
    for cell in ws[1]:
        cell.font = header_font
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
    widths = [_width(c.title) for c in columns]
    for row in rows:
        values = [_clean(v) for v in row]
        ws.append(values)
        for i, v in enumerate(values):
            widths[i] = max(widths[i], _width(v))
            if isinstance(v, str) and v.startswith("="):
                ws.cell(row=ws.max_row, column=i + 1).data_type = "s"  # text, never a formula
    for i, col in enumerate(columns, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = min(max(widths[i - 1] + 2, 6), 60)
        if col.kind == "date":
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    ws.print_options.gridLines = True
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = "1:1"
    return write_export(Path(path), wb.save, overwrite=overwrite, protected=protected)
