"""粘贴督办件: rows copied from a spreadsheet, previewed before they are added.

Rows that do not parse are shown in red with their reason; they are skipped only when the user
ticks “跳过 N 行有误的数据” — without that consent nothing is added.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from zhdesk.domain.paste import parse_paste
from zhdesk.dto import ItemInput, PastedRow

Index = QModelIndex | QPersistentModelIndex

ERROR_TEXT = QColor("#c5221f")
ERROR_ROW = QColor("#fdecea")
HEADERS = ("行", "地址", "问题", "整改时限", "责任单位", "社区", "检查结果")
NO_COMMUNITY = "（不指定）"


class PastedRowsModel(QAbstractTableModel):
    """Read-only preview of parsed rows; bad rows in red with their reason."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[PastedRow] = []

    def set_rows(self, rows: Sequence[PastedRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[PastedRow]:
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    @staticmethod
    def _text(row: PastedRow, col: int) -> str:
        if col == 0:
            return str(row.line)
        if col == 6:
            return row.error or "可添加"
        item = row.item
        if item is None:  # show the raw cells of a bad row
            cells = row.text.split("\t") + [""] * 5
            return cells[col - 1].strip()
        values = (item.address, item.problem, item.deadline.isoformat() if item.deadline else "", item.unit,
                  item.community)  # fmt: skip
        return values[col - 1] or ""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        col = index.column()
        bad = row.error is not None
        match role:
            case Qt.ItemDataRole.DisplayRole:
                return self._text(row, col)
            case Qt.ItemDataRole.ToolTipRole:
                return row.error or row.text.replace("\t", " | ")
            case Qt.ItemDataRole.ForegroundRole if bad:
                return QBrush(ERROR_TEXT)
            case Qt.ItemDataRole.ForegroundRole if col == 6:
                return QBrush(QColor("#1e7e34"))
            case Qt.ItemDataRole.BackgroundRole if bad:
                return QBrush(ERROR_ROW)
            case Qt.ItemDataRole.FontRole if bad and col == 6:
                f = QFont()
                f.setBold(True)
                return f
        return None


class PasteDialog(QDialog):
    """Text box → live preview → the good rows as `ItemInput`s (`items()` after accept)."""

    def __init__(self, communities: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("粘贴督办件")
        self.resize(900, 620)
        self._accepted_items: list[ItemInput] = []

        hint = QLabel(
            "从 Excel/WPS 表格中复制后粘贴到下方，每行一处，各列依次为：地址、问题、整改时限、责任单位、社区"
            "（后几列可省略；未填社区的行使用下面选择的默认社区）。"
        )
        hint.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setObjectName("paste_text")
        self.text.setPlaceholderText("江西路153号\t楼道堆物\t2021-05-10\t江西路社区居委会\t江西路社区")
        self.text.setTabChangesFocus(False)
        self.community = QComboBox()
        self.community.setObjectName("paste_community")
        self.community.addItem(NO_COMMUNITY, None)
        for name in communities:
            self.community.addItem(name, name)
        row = QHBoxLayout()
        row.addWidget(QLabel("默认社区："))
        row.addWidget(self.community)
        row.addStretch(1)

        self.model = PastedRowsModel(self)
        self.preview = QTableView()
        self.preview.setObjectName("paste_preview")
        self.preview.setModel(self.model)
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.preview.verticalHeader().setVisible(False)
        self.preview.setWordWrap(False)
        header = self.preview.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.summary = QLabel()
        self.summary.setObjectName("paste_summary")
        self.skip_bad = QCheckBox()
        self.skip_bad.setObjectName("paste_skip_bad")
        self.skip_bad.setVisible(False)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("添加")
        ok.setObjectName("paste_ok")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.text, 2)
        layout.addLayout(row)
        layout.addWidget(QLabel("预览："))
        layout.addWidget(self.preview, 3)
        layout.addWidget(self.summary)
        layout.addWidget(self.skip_bad)
        layout.addWidget(self.buttons)

        self.text.textChanged.connect(self._parse)
        self.community.currentIndexChanged.connect(self._parse)
        self._parse()

    # -- parsing
    def set_default_community(self, name: str | None) -> None:
        i = self.community.findData(name) if name else 0
        self.community.setCurrentIndex(max(i, 0))

    def _parse(self) -> None:
        rows = parse_paste(self.text.toPlainText(), self.community.currentData())
        self.model.set_rows(rows)
        self.preview.resizeColumnsToContents()
        good, bad = self.good_rows(), self.bad_rows()
        self.summary.setText(f"共 {len(rows)} 行：可添加 {len(good)} 行，有误 {len(bad)} 行")
        self.skip_bad.setText(f"跳过 {len(bad)} 行有误的数据，只添加其余 {len(good)} 行")
        self.skip_bad.setVisible(bool(bad))
        if not bad:
            self.skip_bad.setChecked(False)

    def good_rows(self) -> list[PastedRow]:
        return [r for r in self.model.rows() if r.item is not None]

    def bad_rows(self) -> list[PastedRow]:
        return [r for r in self.model.rows() if r.error is not None]

    # -- result
    def items(self) -> list[ItemInput]:
        """The rows to add once accepted (empty before, or when nothing may be added)."""
        return list(self._accepted_items)

    def accept(self) -> None:
        good, bad = self.good_rows(), self.bad_rows()
        if not good:
            QMessageBox.warning(self, "粘贴督办件", "没有可添加的数据。")
            return
        if bad and not self.skip_bad.isChecked():
            QMessageBox.warning(
                self,
                "粘贴督办件",
                f"有 {len(bad)} 行数据有误（红色标出），未添加任何数据。\n"
                f"请修改后重新粘贴，或勾选“跳过 {len(bad)} 行有误的数据”。",
            )
            return
        self._accepted_items = [r.item for r in good if r.item is not None]
        super().accept()
