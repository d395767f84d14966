"""Export any table exactly as shown (filtered and sorted) to .xlsx: ask where, then write on the worker."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ui import prefs
from ui.ops import Ops
from zhdesk.export import Cell, Column, export_table


def export_rows(
    parent: QWidget,
    ops: Ops,
    *,
    name: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    done: Callable[[str], None] | None = None,
) -> int:
    """Returns the worker job id (0 when nothing was exported). `done` gets a one-line status message."""
    if not rows:
        QMessageBox.information(parent, "导出Excel", "当前筛选条件下没有数据，无可导出的内容。")
        return 0
    folder = prefs.EXPORT_DIR.get() or str(Path.home())
    suggested = Path(folder) / f"{name}_{dt.date.today().isoformat()}.xlsx"
    path_text, _ = QFileDialog.getSaveFileName(parent, "导出Excel", str(suggested), "Excel 工作簿 (*.xlsx)")
    if not path_text:
        return 0
    path = Path(path_text)
    # The save dialog asked before replacing the name it returned; a name we extend was not asked about.
    confirmed = path.suffix.lower() == ".xlsx"
    if path.suffix.lower() != ".xlsx":
        path = path.with_name(path.name + ".xlsx")
    prefs.EXPORT_DIR.set(str(path.parent))
    cols, data, n = list(columns), [list(r) for r in rows], len(rows)
    return ops.run(
        lambda: export_table(path, name, cols, data, overwrite=confirmed),
        lambda p: done(f"已导出 {n} 行到 {p}") if done else None,
        label="正在导出Excel…",
    )
