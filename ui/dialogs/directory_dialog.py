"""通讯录: people (name, post, unit, phone) and units (name, phone), edited in one place. Listings name
these records, so a phone changed here shows on every listing at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ui import access
from ui import conflict as conflict_ui
from ui.ops import Ops, confirm, describe
from zhdesk.changes import Changes
from zhdesk.dto import PersonDTO, UnitDTO

if TYPE_CHECKING:
    from zhdesk.desk import Desk

# Contacts show on listings (the 挂牌督办 rows carry the lead's phone).
DIRECTORY_CHANGED = Changes(listings=True)


class _Tab(QWidget):
    """A table and the form editing its selected row."""

    def __init__(self, headers: list[str], fields: list[tuple[str, str]], prefix: str) -> None:
        super().__init__()
        self.table = QTableWidget(0, len(headers))
        self.table.setObjectName(f"{prefix}_table")
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for key, label in fields:
            e = QLineEdit()
            e.setObjectName(f"{prefix}_{key}")
            self.edits[key] = e
            form.addRow(label + "：", e)
        self.new_button = QPushButton("新增")
        self.new_button.setObjectName(f"{prefix}_new")
        self.new_button.setToolTip("清空表单，填写后保存为新的一条")
        self.save_button = QPushButton("保存")
        self.save_button.setObjectName(f"{prefix}_save")
        self.delete_button = QPushButton("删除")
        self.delete_button.setObjectName(f"{prefix}_delete")
        self.delete_button.setToolTip("只能删除没有被任何挂牌督办或事件引用的记录")
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.editing: int | None = None
        # The record's values as loaded (what the save passes as `expected`): a change made elsewhere
        # since is a Conflict, not a silent overwrite.
        self.seen: dict[str, object] | None = None

    def set_rows(self, rows: list[list[str]], ids: list[int]) -> None:
        self.table.setRowCount(len(rows))
        for r, (cells, ident) in enumerate(zip(rows, ids, strict=True)):
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(0x0100, ident)  # Qt.UserRole
                self.table.setItem(r, c, item)

    def selected_id(self) -> int | None:
        items = self.table.selectedItems()
        return int(items[0].data(0x0100)) if items else None

    def select_id(self, ident: int) -> None:
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 0)
            if item is not None and item.data(0x0100) == ident:
                self.table.selectRow(r)
                return

    def clear_form(self) -> None:
        self.table.clearSelection()
        self.editing = None
        self.seen = None
        for e in self.edits.values():
            e.clear()


class DirectoryDialog(QDialog):
    def __init__(self, parent: QWidget | None, desk: Desk, ops: Ops) -> None:
        super().__init__(parent)
        self.desk = desk
        self.ops = ops
        self.setWindowTitle("通讯录")
        self.resize(820, 600)
        self.people: list[PersonDTO] = []
        self.units: list[UnitDTO] = []

        person_fields = [("name", "姓名"), ("title", "职务"), ("unit", "单位"), ("phone", "电话")]
        self.people_tab = _Tab(["姓名", "职务", "单位", "电话", "挂牌"], person_fields, "person")
        self.units_tab = _Tab(["单位名称", "电话", "人员", "挂牌"], [("name", "单位名称"), ("phone", "电话")], "unit")
        self.tabs = QTabWidget()
        self.tabs.addTab(self.people_tab, "人员")
        self.tabs.addTab(self.units_tab, "单位")
        self.status = QLabel("电话改动后，所有挂牌督办中的该人员或单位随之更新。")
        self.status.setObjectName("dialog_status")
        self.status.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)
        layout.addWidget(close)

        for tab, kind in ((self.people_tab, "person"), (self.units_tab, "unit")):
            tab.table.itemSelectionChanged.connect(lambda t=tab, k=kind: self._selected(t, k))
            tab.new_button.clicked.connect(tab.clear_form)
            tab.save_button.clicked.connect(lambda _=False, k=kind: self.save(k))
            tab.delete_button.clicked.connect(lambda _=False, k=kind: self.delete(k))
            access.gate(desk, "directory.edit", tab.new_button, tab.save_button, tab.delete_button)
        self.last_error: str | None = None
        self.reload()

    # -- reading
    def reload(self, select: tuple[str, int] | None = None) -> None:
        desk = self.desk
        self.ops.run(lambda: (desk.people(), desk.units()), lambda r: self._loaded(r, select), label="正在读取通讯录…")

    def _loaded(self, result: tuple[list[PersonDTO], list[UnitDTO]], select: tuple[str, int] | None) -> None:
        if not isValid(self):
            return
        self.people, self.units = result
        self.people_tab.set_rows(
            [[p.name, p.title or "", p.unit or "", p.phone or "", f"{p.listings} 处"] for p in self.people],
            [p.id for p in self.people],
        )
        self.units_tab.set_rows(
            [[u.name, u.phone or "", f"{u.people} 名", f"{u.listings} 处"] for u in self.units],
            [u.id for u in self.units],
        )
        if select is not None:
            tab = self.people_tab if select[0] == "person" else self.units_tab
            tab.select_id(select[1])
            self._selected(tab, select[0])  # the form shows the record as read now

    def _values(self, kind: str, ident: int) -> dict[str, object] | None:
        """The record as loaded, keyed as save_person/save_unit compare it; None when it is gone."""
        if kind == "person":
            p = next((x for x in self.people if x.id == ident), None)
            return None if p is None else {"name": p.name, "title": p.title, "unit": p.unit, "phone": p.phone}
        u = next((x for x in self.units if x.id == ident), None)
        return None if u is None else {"name": u.name, "phone": u.phone}

    def _selected(self, tab: _Tab, kind: str) -> None:
        ident = tab.selected_id()
        if ident is None:
            return
        values = self._values(kind, ident)
        if values is None:
            return
        tab.editing, tab.seen = ident, values
        for key, e in tab.edits.items():
            e.setText(str(values.get(key) or ""))

    # -- writing
    def _write(
        self, fn: Callable[[], Any], done: Callable[[Any], None], failed: Callable[[BaseException], None] | None = None
    ) -> None:
        self.status.setText("正在保存…")
        self.ops.write(fn, DIRECTORY_CHANGED, done, failed or self._failed, show_errors=False, initiator=self)

    def _failed(self, exc: BaseException) -> None:
        if isValid(self):
            self.last_error = describe(exc)
            self.status.setText("未保存：" + self.last_error)

    def save(self, kind: str) -> None:
        desk = self.desk
        t = self.people_tab if kind == "person" else self.units_tab
        ident, seen, v = t.editing, t.seen, {k: e.text() for k, e in t.edits.items()}
        failed = lambda exc: self._save_failed(exc, kind, ident)  # noqa: E731
        if kind == "person":
            self._write(lambda: desk.save_person(ident, v["name"], v["title"], v["unit"], v["phone"], expected=seen),
                        lambda p: self._saved("person", p.id, f"已保存人员：{p.name}"), failed)  # fmt: skip
        else:
            self._write(lambda: desk.save_unit(ident, v["name"], v["phone"], expected=seen),
                        lambda u: self._saved("unit", u.id, f"已保存单位：{u.name}"), failed)  # fmt: skip

    def _save_failed(self, exc: BaseException, kind: str, ident: int | None) -> None:
        """Shown in the status line; a Conflict also asks: theirs into the form, or mine saved over theirs."""
        self._failed(exc)
        if not isValid(self) or ident is None:
            return
        read = lambda: (self.desk.people(), self.desk.units())  # noqa: E731
        conflict_ui.resolve(
            self,
            exc,
            reload=lambda: self._take_theirs(kind, ident),
            overwrite=lambda: self.ops.run(read, lambda r: self._overwrite(r, kind, ident), label="正在读取通讯录…"),
        )

    def _take_theirs(self, kind: str, ident: int) -> None:
        self.last_error = None
        self.status.setText("已载入对方的修改，未保存本次修改")
        self.reload((kind, ident))

    def _overwrite(self, result: tuple[list[PersonDTO], list[UnitDTO]], kind: str, ident: int) -> None:
        """Mine over theirs: the record as it is now becomes what this save expects; the form keeps mine."""
        if not isValid(self):
            return
        self.people, self.units = result
        tab = self.people_tab if kind == "person" else self.units_tab
        values = self._values(kind, ident)
        if values is None:
            self.status.setText("未保存：该记录已被其他人删除")
            return
        tab.editing, tab.seen = ident, values
        self.save(kind)

    def _saved(self, kind: str, ident: int, text: str) -> None:
        if isValid(self):
            self.last_error = None
            self.status.setText(text)
            self.reload((kind, ident))

    def delete(self, kind: str) -> None:
        tab = self.people_tab if kind == "person" else self.units_tab
        ident = tab.selected_id()
        if ident is None:
            return
        name = tab.edits["name"].text()
        if not confirm(self, "删除", f"从通讯录删除“{name}”？"):
            return
        desk = self.desk
        fn = (lambda: desk.delete_person(ident)) if kind == "person" else (lambda: desk.delete_unit(ident))
        self._write(fn, lambda _r: self._deleted(tab, name))

    def _deleted(self, tab: _Tab, name: str) -> None:
        if isValid(self):
            self.last_error = None
            tab.clear_form()
            self.status.setText(f"已删除：{name}")
            self.reload()
