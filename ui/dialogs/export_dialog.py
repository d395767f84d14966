"""Export any table exactly as shown (filtered and sorted) to .xlsx: ask where, then write on the worker.
The one export path of the window: 挂牌督办, 督办通报 and the drill-down list all call `export_rows`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ui import prefs
from ui.ops import Ops
from zhdesk.dto import Cell, Column

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    from zhdesk.desk import Desk


NOTHING_TO_EXPORT = "当前筛选条件下没有数据，无可导出的内容。"
UNSAFE_IN_FILE_NAMES = '\\/:*?"<>|'


def ask_xlsx_path(parent: QWidget, name: str) -> tuple[Path, bool] | None:
    """Ask where to save (last folder remembered); the answer always ends in .xlsx. The flag says whether
    the dialog itself asked before replacing that name (it did not for a name we extended)."""
    return ask_save_path(parent, name, ".xlsx", "导出Excel", "Excel 工作簿 (*.xlsx)")


def ask_pdf_path(parent: QWidget, name: str, caption: str = "保存PDF") -> tuple[Path, bool] | None:
    """ask_xlsx_path for a PDF (督办通知单, 会议简报)."""
    return ask_save_path(parent, name, ".pdf", caption, "PDF 文件 (*.pdf)")


def ask_save_path(parent: QWidget, name: str, suffix: str, caption: str, filter_: str,
                  dated: bool = True) -> tuple[Path, bool] | None:  # fmt: skip
    """The save dialog in the last export folder, offering `name` (+ _today unless `dated` is False)."""
    folder = prefs.EXPORT_DIR.get() or str(Path.home())
    stem = "".join(ch for ch in name if ch not in UNSAFE_IN_FILE_NAMES) or "导出"
    suggested = Path(folder) / (f"{stem}_{dt.date.today().isoformat()}{suffix}" if dated else f"{stem}{suffix}")
    path_text, _ = QFileDialog.getSaveFileName(parent, caption, str(suggested), filter_)
    if not path_text:
        return None
    path = Path(path_text)
    confirmed = path.suffix.lower() == suffix
    if not confirmed:
        path = path.with_name(path.name + suffix)
    prefs.EXPORT_DIR.set(str(path.parent))
    return path, confirmed


def export_rows(
    parent: QWidget,
    ops: Ops,
    desk: Desk,
    *,
    name: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    done: Callable[[str], None] | None = None,
    path: Path | None = None,
    empty_text: str = NOTHING_TO_EXPORT,
    overwrite: bool = False,
) -> int:
    """Returns the worker job id (0 when nothing was exported). `done` gets a one-line status message;
    `path` skips the file dialog (an existing file there is replaced only with `overwrite`); `name` is the
    sheet title and the start of the suggested file name."""
    if not rows:
        QMessageBox.information(parent, "导出Excel", empty_text)
        return 0
    chosen = (path, overwrite) if path is not None else ask_xlsx_path(parent, name)
    if chosen is None:
        return 0
    target, replace = chosen
    cols, data, n = list(columns), [list(r) for r in rows], len(rows)
    return ops.run(
        lambda: desk.export_table(target, name, cols, data, overwrite=replace),
        lambda p: done(f"已导出 {n} 行到 {p}") if done else None,
        label="正在导出Excel…",
    )


def export_query(
    parent: QWidget,
    ops: Ops,
    desk: Desk,
    *,
    name: str,
    columns: Sequence[Column],
    count: int,
    read: Callable[[], list[list[Cell]]],
    done: Callable[[str], None] | None = None,
    path: Path | None = None,
    empty_text: str = NOTHING_TO_EXPORT,
) -> int:
    """export_rows for a paged table: ask where first, then `read` every row of its query on the worker
    (ui/paged_table.PagedModel.export_job; not only the rows fetched so far), then write. `count`: the
    query's total, for the nothing-to-export message. Returns the worker job id (0: nothing done)."""
    if count == 0:
        QMessageBox.information(parent, "导出Excel", empty_text)
        return 0
    chosen = (path, False) if path is not None else ask_xlsx_path(parent, name)
    if chosen is None:
        return 0
    target, replace = chosen
    return ops.run(
        read,
        lambda rows: export_rows(parent, ops, desk, name=name, columns=columns, rows=rows, done=done, path=target,
                                 empty_text=empty_text, overwrite=replace),
        label="正在读取要导出的数据…",
    )  # fmt: skip
