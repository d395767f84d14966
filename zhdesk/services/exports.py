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


def export_bytes(uow: UnitOfWork, path: Path, data: bytes, overwrite: bool = False) -> Path:
    """Write bytes the window already holds (a previewed PDF) to `path` through the export guard."""
    from zhdesk.files import database_files, write_export

    def write(tmp: str) -> None:
        Path(tmp).write_bytes(data)

    return write_export(Path(path), write, overwrite=overwrite, protected=database_files(uow.engine.url))
