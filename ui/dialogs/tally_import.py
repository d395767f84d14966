"""The tally import wizard: choose files, see every entry and every problem, map unknown headers, fix a
value or exclude a row, check again, then import. Checking and importing run on the database worker; a
large import shows the rows counted so far and can be cancelled (nothing is written then)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.ops import Ops
from zhdesk.changes import FIGURES_CHANGED
from zhdesk.dto import MetricDTO, TallyFileReport, TallyImportOptions, TallyProblem
from zhdesk.errors import InputRefused

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    from zhdesk.desk import Desk

FILTER = "社区台账 (*.xlsx *.xlsm *.xls *.ods *.csv);;所有文件 (*)"
IGNORE = "（忽略该列）"
STATUS = {"preview": "可以导入", "rejected": "有错误，需处理", "duplicate": "已导入过", "imported": "已导入"}


class TallyImportDialog(QDialog):
    imported = Signal()  # something was written: the page refreshes

    def __init__(self, desk: Desk, ops: Ops, paths: list[Path], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("导入社区台账")
        self.resize(1200, 760)
        self.desk = desk
        self.ops = ops
        self.paths = list(paths)
        self.metrics: list[MetricDTO] = []
        self.reports: dict[Path, TallyFileReport] = {}
        self.fixes: dict[Path, dict[tuple[str, int, str], str]] = {p: {} for p in self.paths}
        self.excluded: dict[Path, set[tuple[str, int]]] = {p: set() for p in self.paths}
        self.mapping: dict[str, str | None] = {}
        self._cancel = threading.Event()
        self._rows_done = 0

        self.files = QTableWidget(0, 5)
        self.files.setObjectName("tally_files")
        self.files.setHorizontalHeaderLabels(["文件", "状态", "行数", "数字", "错误/警告"])
        self.files.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.files.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.files.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.files.itemSelectionChanged.connect(self._show_selected)

        self.problems = QTableWidget(0, 7)
        self.problems.setObjectName("tally_problems")
        self.problems.setHorizontalHeaderLabels(["", "工作表", "行", "列", "值", "原因", "文件"])
        self.problems.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.problems.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.problems.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

        self.preview = QTableWidget(0, 8)
        self.preview.setObjectName("tally_preview")
        self.preview.setHorizontalHeaderLabels(["指标", "社区", "点位", "时段", "数值", "工作表", "行", "列"])
        self.preview.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

        self.mapping_box = QGroupBox("无法识别的表头：请指定对应的统计指标（会被记住）")
        self.mapping_form = QFormLayout(self.mapping_box)
        self.mapping_box.setVisible(False)
        self.combos: dict[str, QComboBox] = {}

        self.fix_button = QPushButton("修正所选值…")
        self.fix_button.setObjectName("fix_value")
        self.fix_button.clicked.connect(self.fix_selected)
        self.exclude_button = QPushButton("排除所选行")
        self.exclude_button.setObjectName("exclude_row")
        self.exclude_button.clicked.connect(self.exclude_selected)
        self.check_button = QPushButton("重新检查")
        self.check_button.setObjectName("recheck")
        self.check_button.clicked.connect(self.check)
        self.import_button = QPushButton("导入")
        self.import_button.setObjectName("do_import")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.do_import)
        self.cancel_button = QPushButton("取消导入")
        self.cancel_button.setObjectName("cancel_import")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self._cancel.set)
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        self.status = QLabel("正在检查…")
        self.status.setObjectName("import_status")
        self.status.setWordWrap(True)

        buttons = QHBoxLayout()
        for b in (self.fix_button, self.exclude_button, self.check_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        for b in (self.cancel_button, self.import_button, close):
            buttons.addWidget(b)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.files)
        split.addWidget(self.problems)
        split.addWidget(self.preview)
        split.setSizes([120, 260, 300])
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.mapping_box)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        self._timer = QTimer(self)
        self._timer.setInterval(200)
        self._timer.timeout.connect(lambda: self.status.setText(f"正在导入… 已处理 {self._rows_done} 行"))
        self.ops.run(self.desk.metrics, self._got_metrics, label="正在读取指标目录…")
        self.check()

    # ------------------------------------------------------------ checking
    def _options(self, path: Path) -> TallyImportOptions:
        return TallyImportOptions(mapping=dict(self.mapping), fixes=dict(self.fixes[path]),
                                  excluded=frozenset(self.excluded[path]))  # fmt: skip

    def _got_metrics(self, metrics: list[MetricDTO]) -> None:
        self.metrics = metrics

    def check(self) -> None:
        """Dry-run every file on the worker; the preview shows what an import would write."""
        self._read_mapping()
        self._set_busy(True)
        self.status.setText("正在检查…")
        jobs = [(p, self._options(p)) for p in self.paths]

        def work() -> dict[Path, TallyFileReport]:
            out = {}
            for path, opts in jobs:
                try:
                    out[path] = self.desk.tally_check(path, opts)
                except Exception as exc:  # unreadable: shown as that file's one error
                    reason = getattr(exc, "message", None) or str(exc)
                    out[path] = TallyFileReport(path.name, "rejected", unreadable=True,
                                                errors=(TallyProblem(None, None, None, None, reason),))  # fmt: skip
            return out

        self.ops.run(work, self._checked, lambda _e: self._set_busy(False), label="正在检查台账…")

    def _checked(self, reports: dict[Path, TallyFileReport]) -> None:
        self.reports.update(reports)
        self._set_busy(False)
        self._fill_files()
        self._fill_mapping()
        errors = sum(len(r.errors) for r in self.reports.values() if r.status == "rejected")
        ready = [r for r in self.reports.values() if r.status == "preview"]
        self.import_button.setEnabled(bool(ready))
        if errors:
            self.status.setText(f"共 {errors} 处错误：有错误的文件不会导入。"
                                "可修正所选值、排除所选行或指定表头后重新检查。")  # fmt: skip
        else:
            self.status.setText(f"检查通过：{sum(r.entries for r in ready)} 个数字可以导入。")

    def _fill_files(self) -> None:
        self.files.setRowCount(len(self.paths))
        for i, p in enumerate(self.paths):
            r = self.reports.get(p)
            cells = [p.name, STATUS.get(r.status, r.status) if r else "", str(r.rows) if r else "",
                     str(r.entries) if r else "", f"{len(r.errors)} / {len(r.warnings)}" if r else ""]  # fmt: skip
            for j, text in enumerate(cells):
                self.files.setItem(i, j, QTableWidgetItem(text))
        if self.paths and not self.files.selectedItems():
            self.files.selectRow(0)
        self._show_selected()

    def _selected_path(self) -> Path | None:
        rows = {i.row() for i in self.files.selectedItems()}
        return self.paths[min(rows)] if rows else (self.paths[0] if self.paths else None)

    def _show_selected(self) -> None:
        path = self._selected_path()
        r = self.reports.get(path) if path else None
        problems = [("错误", p) for p in (r.errors if r else ())] + [("警告", p) for p in (r.warnings if r else ())]
        self.problems.setRowCount(len(problems))
        for i, (kind, p) in enumerate(problems):
            cells = [kind, p.sheet or "", str(p.row or ""), p.column or "", p.value or "", p.reason,
                     r.file if r else ""]  # fmt: skip
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if kind == "错误":
                    item.setForeground(Qt.GlobalColor.red)
                self.problems.setItem(i, j, item)
        entries = r.preview if r else ()
        self.preview.setRowCount(len(entries))
        for i, e in enumerate(entries):
            period = e.start.isoformat() if e.start == e.end else f"{e.start.isoformat()} — {e.end.isoformat()}"
            number = f"{e.value.normalize():f}"
            value = f"{number}余" if e.qualifier == "余" else f"{e.qualifier or ''}{number}"
            cells = [e.metric_name, e.community, e.site or "", period, f"{value} {e.unit}", e.sheet, str(e.row),
                     e.column]  # fmt: skip
            for j, text in enumerate(cells):
                self.preview.setItem(i, j, QTableWidgetItem(text))

    def _fill_mapping(self) -> None:
        unmapped = sorted({h for r in self.reports.values() for h in r.unmapped})
        for header in unmapped:
            if header in self.combos:
                continue
            combo = QComboBox()
            combo.addItem("（请选择）", "")
            combo.addItem(IGNORE, "-")
            for m in self.metrics:
                combo.addItem(f"{m.name}（{m.unit}）", m.code)
            self.combos[header] = combo
            self.mapping_form.addRow(header, combo)
        self.mapping_box.setVisible(bool(self.combos))

    def _read_mapping(self) -> None:
        for header, combo in self.combos.items():
            code = combo.currentData()
            if code == "-":
                self.mapping[header] = None
            elif code:
                self.mapping[header] = str(code)

    def _selected_problem(self) -> TallyProblem | None:
        path = self._selected_path()
        r = self.reports.get(path) if path else None
        rows = sorted({i.row() for i in self.problems.selectedItems()})
        if r is None or not rows:
            return None
        problems = list(r.errors) + list(r.warnings)
        return problems[rows[0]] if rows[0] < len(problems) else None

    def fix_selected(self) -> None:
        p = self._selected_problem()
        path = self._selected_path()
        if p is None or path is None or not (p.sheet and p.row and p.column):
            self.status.setText("请先在问题列表中选择一个有具体单元格的问题")
            return
        where = f"{p.sheet} 第{p.row}行 {p.column}列 的新值："
        text, ok = QInputDialog.getText(self, "修正值", where, text=p.value or "")
        if ok:
            self.set_fix(path, p.sheet, p.row, p.column, text)

    def set_fix(self, path: Path, sheet: str, row: int, column: str, value: str) -> None:
        self.fixes[path][(sheet, row, column)] = value
        self.check()

    def exclude_selected(self) -> None:
        p = self._selected_problem()
        path = self._selected_path()
        if p is None or path is None or not (p.sheet and p.row):
            self.status.setText("请先在问题列表中选择一行")
            return
        self.exclude(path, p.sheet, p.row)

    def exclude(self, path: Path, sheet: str, row: int) -> None:
        self.excluded[path].add((sheet, row))
        self.check()

    # ------------------------------------------------------------ importing
    def do_import(self) -> None:
        ready = [p for p in self.paths if (r := self.reports.get(p)) is not None and r.status == "preview"]
        if not ready:
            return
        self._read_mapping()
        jobs = [(p, self._options(p)) for p in ready]
        self._cancel.clear()
        self._rows_done = 0
        self._set_busy(True)
        self.cancel_button.setEnabled(True)
        self._timer.start()

        def progress(rows: int) -> bool:
            self._rows_done = rows
            return not self._cancel.is_set()

        def work() -> dict[Path, TallyFileReport]:
            out = {}
            for path, opts in jobs:
                out[path] = self.desk.tally_import(path, opts, progress=progress)
                if self._cancel.is_set():  # cancelled after this file committed: the next ones stay out
                    break
            return out

        self.ops.write(work, FIGURES_CHANGED, self._imported, self._import_failed, label="正在导入台账…",
                       show_errors=False, initiator=self.parent())  # fmt: skip

    def _imported(self, reports: dict[Path, TallyFileReport]) -> None:
        self._timer.stop()
        self.cancel_button.setEnabled(False)
        self.reports.update(reports)
        self._set_busy(False)
        self._fill_files()
        done = [r for r in reports.values() if r.status == "imported"]
        self.import_button.setEnabled(False)
        self.status.setText(f"已导入 {len(done)} 个文件、{sum(r.entries for r in done)} 个数字。")
        if done:
            self.imported.emit()

    def _import_failed(self, exc: BaseException) -> None:
        self._timer.stop()
        self.cancel_button.setEnabled(False)
        self._set_busy(False)
        if isinstance(exc, InputRefused):
            self.status.setText(exc.message)
        else:
            self.status.setText(getattr(exc, "message", None) or f"导入失败：{type(exc).__name__}")
        self.imported.emit()  # files before the failing one may have been written

    def _set_busy(self, busy: bool) -> None:
        for b in (self.fix_button, self.exclude_button, self.check_button, self.import_button):
            b.setEnabled(not busy)


def choose_files(parent: QWidget | None) -> list[Path]:
    names, _ = QFileDialog.getOpenFileNames(parent, "选择社区台账文件", "", FILTER)
    return [Path(n) for n in names]
