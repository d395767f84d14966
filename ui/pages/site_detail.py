"""Right-hand panel of the 挂牌督办 page: one site's listing, responsible people and next steps."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.pages.sites_model import OVERDUE_TEXT
from ui.widgets.light import light_label, light_pixmap
from zhdesk.domain.dates import fmt_cn
from zhdesk.domain.lights import Light
from zhdesk.dto import ContactDTO, ListingDTO, SiteDetail, SiteRow

EMPTY = "—"
MILITARY_BADGE = "部队管辖"


# The registry's buttons on a site (here and on its 点位档案): ui/site_actions.dispatch by key.
REGISTRY_ACTIONS = (
    ("edit", "编辑点位…", "修改地址、社区、类型和备注"),
    ("list", "挂牌督办…", "对该点位挂牌督办：问题、时限、包案领导及责任人"),
    ("extend", "延期…", "延后整改时限（须写明理由，记入时间线并计数）"),
)


def registry_visible(li: ListingDTO | None) -> dict[str, bool]:
    """Which registry buttons a site shows: 挂牌督办… without an open listing, 延期… with one."""
    open_listing = li is not None and li.status != "closed"
    return {"edit": True, "list": not open_listing, "extend": open_listing}


def _label(text: str = "", *, wrap: bool = True, selectable: bool = False) -> QLabel:
    lab = QLabel(text)
    lab.setWordWrap(wrap)
    if selectable:
        lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return lab


def _clear(layout: QLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        w = item.widget() if item is not None else None
        if w is not None:
            w.hide()
            w.deleteLater()


def contact_name(c: ContactDTO) -> str:
    """'刘海峰（中队长）· 市南区…中队' — whatever of person, title and unit is known."""
    parts: list[str] = []
    if c.person:
        parts.append(f"{c.person}（{c.title}）" if c.title else c.person)
    if c.unit and c.role != "lead":
        parts.append(c.unit)
    return " · ".join(parts) or EMPTY


class SiteDetailPanel(QWidget):
    """Shows a SiteDetail; asks for a workflow step by `transition_requested(action, note)`."""

    transition_requested = Signal(str, str)
    dossier_requested = Signal(int)  # site id: 查看档案
    registry_requested = Signal(str)  # "edit" / "list" / "extend": ui/site_actions.dispatch

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail: SiteDetail | None = None
        self._busy = False
        # Why the account may not run the workflow (the page sets it from its role), or None.
        self.refused: str | None = None

        self.stack = QStackedWidget()
        self.empty = _label("请在左侧列表中选择一个点位，\n查看整改情况、责任人和办理操作。")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setObjectName("detail_empty")
        self.stack.addWidget(self.empty)

        body = QWidget()
        self.body_layout = QVBoxLayout(body)
        self.body_layout.setContentsMargins(12, 8, 12, 12)
        self.body_layout.setSpacing(10)

        # Header: address, community and kind, military badge, the light with its days text.
        self.address = _label(selectable=True)
        self.address.setObjectName("detail_address")
        self.where = _label()
        self.where.setObjectName("detail_where")
        self.badge = QLabel(MILITARY_BADGE)
        self.badge.setObjectName("detail_military")
        self.badge.setStyleSheet("QLabel { background: #5b6b2f; color: white; border-radius: 4px; padding: 1px 8px; }")
        self.badge.setToolTip("部队管辖楼院：需协调区退役军人事务局及驻地部队保障单位")
        self.badge.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Maximum)
        where_row = QHBoxLayout()
        where_row.addWidget(self.where, 1)
        where_row.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)

        self.light_dot = QLabel()
        self.light_text = _label(wrap=False)
        self.light_text.setObjectName("detail_light")
        self.status = _label()
        self.status.setObjectName("detail_status")
        light_row = QHBoxLayout()
        light_row.addWidget(self.light_dot)
        light_row.addWidget(self.light_text)
        light_row.addStretch(1)
        self.dossier_button = QPushButton("查看档案")
        self.dossier_button.setObjectName("detail_dossier")
        self.dossier_button.setToolTip("打开该点位的档案：历次挂牌、各类督办件、时间线、照片、台账")
        self.dossier_button.clicked.connect(self._open_dossier)
        light_row.addWidget(self.dossier_button)

        # The registry: edit the site, list it (挂牌督办…) when it has no open listing, or extend (延期…).
        self.registry_buttons: dict[str, QPushButton] = {}
        registry_row = QHBoxLayout()
        for key, text, tip in REGISTRY_ACTIONS:
            b = QPushButton(text)
            b.setObjectName(f"registry_{key}")
            b.setToolTip(tip)
            b.clicked.connect(lambda _=False, k=key: self.registry_requested.emit(k))
            registry_row.addWidget(b)
            self.registry_buttons[key] = b
        registry_row.addStretch(1)

        self.body_layout.addWidget(self.address)
        self.body_layout.addLayout(where_row)
        self.body_layout.addLayout(light_row)
        self.body_layout.addWidget(self.status)
        self.body_layout.addLayout(registry_row)

        # 问题
        self.problem_box = QGroupBox("问题")
        pl = QVBoxLayout(self.problem_box)
        self.problem = _label(selectable=True)
        self.problem.setObjectName("detail_problem")
        self.category = _label()
        self.category.setObjectName("detail_category")
        pl.addWidget(self.problem)
        pl.addWidget(self.category)
        self.body_layout.addWidget(self.problem_box)

        # 挂牌信息
        self.listing_box = QGroupBox("挂牌信息")
        form = QFormLayout(self.listing_box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.issue = _label()
        self.listed_on = _label()
        self.deadline = _label()
        self.deadline.setObjectName("detail_deadline")
        self.closed_on = _label()
        self.rework = _label()
        self.rebound = _label()
        self.extensions = _label()
        self.extensions.setObjectName("detail_extensions")
        self.history = _label()
        for caption, widget in (
            ("期", self.issue),
            ("挂牌日期", self.listed_on),
            ("整改时限", self.deadline),
            ("办结日期", self.closed_on),
            ("退回整改次数", self.rework),
            ("反弹次数", self.rebound),
            ("延期次数", self.extensions),
            ("历次挂牌", self.history),
        ):
            form.addRow(caption + "：", widget)
        self.body_layout.addWidget(self.listing_box)

        # 责任人
        self.people_box = QGroupBox("责任人及联系电话")
        self.people = QGridLayout(self.people_box)
        self.people.setHorizontalSpacing(10)
        self.people.setVerticalSpacing(2)
        self.people.setColumnStretch(1, 1)
        self.body_layout.addWidget(self.people_box)

        # 办理
        self.action_box = QGroupBox("办理")
        al = QVBoxLayout(self.action_box)
        self.current = _label()
        self.current.setObjectName("detail_current")
        self.note = QLineEdit()
        self.note.setObjectName("detail_note")
        self.note.setPlaceholderText("备注(可选)，随操作记入点位时间线")
        self.note.setClearButtonEnabled(True)
        self.buttons = QHBoxLayout()
        self.no_actions = _label("")
        al.addWidget(self.current)
        al.addWidget(self.note)
        al.addLayout(self.buttons)
        al.addWidget(self.no_actions)
        self.body_layout.addWidget(self.action_box)

        self.not_listed = _label("该点位尚未挂牌督办。")
        self.not_listed.setObjectName("detail_not_listed")
        self.body_layout.addWidget(self.not_listed)
        self.body_layout.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        self.stack.addWidget(scroll)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self._apply_fonts()

    # -- state
    def clear(self) -> None:
        self.detail = None
        self.stack.setCurrentIndex(0)

    def show_row(self, row: SiteRow) -> None:
        """Fill what the table row already knows while the full detail loads."""
        if self.detail is not None and self.detail.row.id == row.id:
            return
        self.detail = None
        self.note.clear()
        self._header(row)
        self._set_sections(row.listed)
        self.problem.setText(row.problem or EMPTY)
        self.category.setText(self._category_text(row.category, row.category_code))
        _clear(self.people)
        _clear(self.buttons)
        self.current.setText("")
        self.no_actions.setText("正在读取…")
        self.stack.setCurrentIndex(1)

    def show_detail(self, detail: SiteDetail) -> None:
        same_site = self.detail is not None and self.detail.row.id == detail.row.id
        self.detail = detail
        row = detail.row
        if not same_site and self.stack.currentIndex() == 0:
            self.note.clear()
        self._header(row)
        self._set_sections(row.listed)
        li = detail.current
        if li is not None:
            self._listing(li, len(detail.listings))
        self._contacts(li.contacts if li else ())
        self._actions(detail)
        for key, shown in registry_visible(li).items():
            self.registry_buttons[key].setVisible(shown)
        self.stack.setCurrentIndex(1)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        for b in self.transition_buttons().values():
            b.setEnabled(not busy and self.refused is None)

    def transition_buttons(self) -> dict[str, QPushButton]:
        out: dict[str, QPushButton] = {}
        for i in range(self.buttons.count()):
            item = self.buttons.itemAt(i)
            w = item.widget() if item is not None else None
            if isinstance(w, QPushButton):
                out[str(w.property("action"))] = w
        return out

    # -- filling
    @staticmethod
    def _category_text(name: str | None, code: str | None) -> str:
        if not name:
            return "问题类别：未分类"
        return f"问题类别：{name}（{code}）" if code else f"问题类别：{name}"

    def _header(self, row: SiteRow) -> None:
        self.address.setText(row.address)
        self.where.setText(f"{row.community} · {row.kind_label}")
        self.badge.setVisible(row.military)
        if row.listed:
            size = self.fontMetrics().height()
            self.light_dot.setPixmap(light_pixmap(row.light, size))
            self.light_dot.setToolTip(light_label(row.light))
            self.light_text.setText(f"{light_label(row.light)}　{row.days_text}")
            self._set_text_color(self.light_text, OVERDUE_TEXT if row.light == Light.RED.value else None)
            self.status.setText(f"当前状态：{row.status_label}")
        else:
            self.light_dot.clear()
            self.light_text.setText("未挂牌")
            self._set_text_color(self.light_text, None)
            self.status.setText("")

    def _set_text_color(self, label: QLabel, color: QColor | None) -> None:
        pal = label.palette()
        pal.setColor(QPalette.ColorRole.WindowText, color or self.palette().color(QPalette.ColorRole.WindowText))
        label.setPalette(pal)

    def _set_sections(self, listed: bool) -> None:
        for box in (self.problem_box, self.listing_box, self.people_box, self.action_box):
            box.setVisible(listed)
        self.not_listed.setVisible(not listed)

    def _listing(self, li: ListingDTO, count: int) -> None:
        self.problem.setText(li.problem or EMPTY)
        self.category.setText(self._category_text(li.category, li.category_code))
        self.issue.setText(f"第{li.issue_no}期" if li.issue_no is not None else EMPTY)
        self.listed_on.setText(fmt_cn(li.listed_on))
        if li.deadline:
            self.deadline.setText(f"{fmt_cn(li.deadline)}（{li.days_text}）")
        else:
            self.deadline.setText("无时限")
        self.closed_on.setText(fmt_cn(li.closed_on) or EMPTY)
        self.rework.setText(f"{li.rework_count} 次")
        self.rebound.setText(f"{li.rebound_count} 次")
        self.extensions.setText(f"{li.extension_count} 次")
        self.history.setText(f"共 {count} 次（显示最近一次）" if count > 1 else "首次挂牌")

    def _contacts(self, contacts: tuple[ContactDTO, ...]) -> None:
        _clear(self.people)
        if not contacts:
            self.people.addWidget(_label("未登记责任人"), 0, 0, 1, 2)
            return
        for i, c in enumerate(contacts):
            role = _label(c.role_label + "：", wrap=False)
            role.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            name = _label(contact_name(c), selectable=True)
            phone = _label(f"电话 {c.phone}" if c.phone else "未登记电话", wrap=False, selectable=True)
            phone.setObjectName(f"phone_{c.role}_{i}")
            phone.setProperty("phone", c.phone or "")
            phone.setContentsMargins(0, 0, 0, 6)
            self.people.addWidget(role, 2 * i, 0)
            self.people.addWidget(name, 2 * i, 1)
            self.people.addWidget(phone, 2 * i + 1, 1)

    def _actions(self, detail: SiteDetail) -> None:
        _clear(self.buttons)
        self.current.setText("下一步（可先填写备注）：" if detail.transitions else "")
        self.current.setVisible(bool(detail.transitions))
        for t in detail.transitions:
            b = QPushButton(t.label)
            b.setObjectName(f"transition_{t.action}")
            b.setProperty("action", t.action)
            b.setToolTip(self.refused or f"{t.label}后状态变为“{t.target_label}”")
            b.setEnabled(not self._busy and self.refused is None)
            b.clicked.connect(lambda _=False, a=t.action: self._request(a))
            self.buttons.addWidget(b)
        self.buttons.addStretch(1)
        self.no_actions.setVisible(not detail.transitions)
        self.no_actions.setText("当前状态下没有可执行的操作。" if not detail.transitions else "")
        self.note.setEnabled(bool(detail.transitions))

    def _open_dossier(self) -> None:
        if self.detail is not None:
            self.dossier_requested.emit(self.detail.row.id)

    def _request(self, action: str) -> None:
        if self.detail is not None and not self._busy:
            self.transition_requested.emit(action, self.note.text().strip())

    # -- fonts follow the page's display size
    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._apply_fonts()
            if self.detail is not None:
                self._header(self.detail.row)

    def _apply_fonts(self) -> None:
        base = self.font()
        big = QFont(base)
        big.setPointSizeF(base.pointSizeF() * 1.6)
        big.setBold(True)
        self.address.setFont(big)
        strong = QFont(base)
        strong.setPointSizeF(base.pointSizeF() * 1.15)
        strong.setBold(True)
        self.light_text.setFont(strong)
        self.status.setFont(strong)
