"""Tables exported to .xlsx from the window, as shown (the writer, openpyxl, loads on first use)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from db.uow import UnitOfWork
from zhdesk.dto import Cell, Column


def export_table(
    uow: UnitOfWork,
    path: Path,
    sheet: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    overwrite: bool = False,
) -> Path:
    """Write the rows to `path` through the export guard (never over the open database)."""
    from zhdesk import export

    return export.export_table(path, sheet, columns, rows, overwrite=overwrite)
