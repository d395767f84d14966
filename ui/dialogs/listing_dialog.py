"""挂牌督办…: problem, category, 期, listed date, deadline (default +30 days) and the four responsible
rows — 包案领导 / 责任单位 / 责任人 / 联系人 — each picked from the 通讯录 (picking a person fills post,
unit and phone) or typed new. The service refuses what is wrong (no 包案领导, deadline before listing)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from ui.dialogs.write_dialog import WriteDialog, date_edit, get_date, set_date
from ui.ops import Ops
from zhdesk.changes import Changes
from zhdesk.domain.vocab import ROLE_LABELS
from zhdesk.dto import ContactInput, ListingInput, PersonDTO, UnitDTO

if TYPE_CHECKING:
    from zhdesk.desk import Desk

LISTED = Changes(listings=True, items=True, events=True)
DEFAULT_DAYS = 30


def _picker(name: str, placeholder: str) -> QComboBox:
    """An editable combo whose completer matches anywhere in the name."""
    box = QComboBox()
    box.setObjectName(name)
    box.setEditable(True)
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    edit = box.lineEdit()
    if edit is not None:  # editable: the placeholder lives on its line edit
        edit.setPlaceholderText(placeholder)
    completer = QCompleter(box.model(), box)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    box.setCompleter(completer)
    return box


class ContactRow:
    """One role's fields: person (or unit, for 责任单位), post, unit, phone."""

    def __init__(self, role: str) -> None:
        self.role = role
        self.is_unit = role == "unit"
        label = ROLE_LABELS[role]
        self.name = _picker(f"{role}_name", "从通讯录选择或输入单位名称" if self.is_unit else "从通讯录选择或输入姓名")
        self.name.setToolTip(f"{label}：从通讯录选择会自动填入职务、单位和电话")
        self.title = QLineEdit()
        self.title.setObjectName(f"{role}_title")
        self.title.setPlaceholderText("职务")
        self.unit = QLineEdit()
        self.unit.setObjectName(f"{role}_unit")
        self.unit.setPlaceholderText("所在单位")
        self.phone = QLineEdit()
        self.phone.setObjectName(f"{role}_phone")
        self.phone.setPlaceholderText("电话")
        self.people: list[PersonDTO] = []
        self.units: list[UnitDTO] = []
        self.name.activated.connect(self._picked)

    def fill(self, people: list[PersonDTO], units: list[UnitDTO]) -> None:
        self.people, self.units = people, units
        text = self.name.currentText()
        self.name.clear()
        if self.is_unit:
            for u in units:
                self.name.addItem(u.name, u.id)
        else:
            for p in people:
                shown = f"{p.name}（{p.unit}）" if p.unit else p.name
                self.name.addItem(shown, p.id)
        self.name.setCurrentIndex(-1)
        self.name.setEditText(text)

    def _picked(self, index: int) -> None:
        ident = self.name.itemData(index)
        if self.is_unit:
            u = next((x for x in self.units if x.id == ident), None)
            if u is not None:
                self.name.setEditText(u.name)
                self.phone.setText(u.phone or "")
            return
        p = next((x for x in self.people if x.id == ident), None)
        if p is not None:
            self.pick_person(p)

    def pick_person(self, p: PersonDTO) -> None:
        self.name.setEditText(p.name)
        self.title.setText(p.title or "")
        self.unit.setText(p.unit or "")
        self.phone.setText(p.phone or "")

    def set_values(self, name: str, phone: str = "", title: str = "", unit: str = "") -> None:
        self.name.setEditText(name)
        self.phone.setText(phone)
        self.title.setText(title)
        self.unit.setText(unit)

    def value(self) -> ContactInput | None:
        name = self.name.currentText().strip()
        phone = self.phone.text().strip() or None
        if self.is_unit:
            return ContactInput(self.role, unit=name, phone=phone) if name or phone else None
        title = self.title.text().strip() or None
        unit = self.unit.text().strip() or None
        if not (name or phone or title or unit):
            return None
        return ContactInput(self.role, person=name or None, unit=unit, title=title, phone=phone)


class ListingDialog(WriteDialog):
    def __init__(
        self, parent: QWidget | None, desk: Desk, ops: Ops, site_id: int, address: str, today: dt.date | None = None
    ) -> None:
        super().__init__(parent, ops, f"挂牌督办 — {address}", LISTED.for_site(site_id))
        self.desk = desk
        self.site_id = site_id
        today = today or dt.date.today()

        self.problem = QPlainTextEdit()
        self.problem.setObjectName("listing_problem")
        self.problem.setPlaceholderText("存在的问题")
        self.problem.setTabChangesFocus(True)
        self.problem.setFixedHeight(70)
        self.category = QComboBox()
        self.category.setObjectName("listing_category")
        self.category.addItem("（未分类）", None)
        self.issue = QSpinBox()
        self.issue.setObjectName("listing_issue")
        self.issue.setRange(0, 9999)
        self.issue.setSpecialValueText("—")
        self.issue.setPrefix("第 ")
        self.issue.setSuffix(" 期")
        self.listed_on = date_edit("listing_listed_on", today)
        self.deadline = date_edit("listing_deadline", today + dt.timedelta(days=DEFAULT_DAYS))
        self._deadline_touched = False
        self.deadline.dateChanged.connect(self._touched)
        self.listed_on.dateChanged.connect(self._follow_listed)

        form = QFormLayout()
        form.addRow("问题：", self.problem)
        form.addRow("问题类别：", self.category)
        form.addRow("期：", self.issue)
        form.addRow("挂牌日期：", self.listed_on)
        form.addRow("整改时限：", self.deadline)
        self.form_layout.addLayout(form)

        people = QGroupBox("责任人及联系电话（包案领导必填）")
        grid = QGridLayout(people)
        self.rows: dict[str, ContactRow] = {}
        for r, role in enumerate(ROLE_LABELS):
            row = ContactRow(role)
            self.rows[role] = row
            grid.addWidget(QLabel(ROLE_LABELS[role] + "："), r, 0)
            grid.addWidget(row.name, r, 1, 1, 3 if row.is_unit else 1)  # a unit has no post or unit of its own
            if row.is_unit:
                row.title.hide()
                row.unit.hide()
            else:
                grid.addWidget(row.title, r, 2)
                grid.addWidget(row.unit, r, 3)
            grid.addWidget(row.phone, r, 4)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(3, 2)
        self.form_layout.addWidget(people)
        self.setMinimumWidth(760)

        ops.run(lambda: (desk.categories(), desk.people(), desk.units()), self._loaded, label="正在读取通讯录…")

    def _loaded(self, result: tuple[list[str], list[PersonDTO], list[UnitDTO]]) -> None:
        categories, people, units = result
        for c in categories:
            self.category.addItem(c, c)
        for row in self.rows.values():
            row.fill(people, units)

    def _touched(self) -> None:
        if not self.deadline.signalsBlocked():
            self._deadline_touched = True

    def _follow_listed(self) -> None:
        """The deadline follows the listed date (+30 days) until the user sets it."""
        if not self._deadline_touched:
            self.deadline.blockSignals(True)
            set_date(self.deadline, get_date(self.listed_on) + dt.timedelta(days=DEFAULT_DAYS))
            self.deadline.blockSignals(False)

    def set_dates(self, listed_on: dt.date, deadline: dt.date | None = None) -> None:
        set_date(self.listed_on, listed_on)
        if deadline is not None:
            set_date(self.deadline, deadline)

    def work(self) -> Callable[[], Any] | None:
        contacts = tuple(c for c in (row.value() for row in self.rows.values()) if c is not None)
        issue = self.issue.value() or None
        data = ListingInput(
            listed_on=get_date(self.listed_on),
            deadline=get_date(self.deadline),
            problem=self.problem.toPlainText(),
            category=self.category.currentData(),
            issue_no=issue,
            contacts=contacts,
        )
        desk, sid = self.desk, self.site_id
        return lambda: desk.list_site(sid, data)
