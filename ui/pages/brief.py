"""会议简报 page: the brief's options on the left (producing a `BriefSpec`), a live preview on the right.

A change restarts a short debounce; then the brief is built on the worker (`ops.run`), so the window never
waits for it. Each build carries a generation number: a result older than the newest request is dropped,
and a queued build that is already stale does not even run. The old pages stay on screen until the new
ones are ready. 保存PDF… and 导出Word… write the spec shown through `Desk.save_brief` (the suffix picks the
format; the save is recorded in 近期简报, whose entries can be rebuilt as they were or cloned into the next
issue); 打印… renders the previewed pages onto the printer.

The builder can be injected (`build`: BriefSpec -> PDF bytes, for tests); by default the Desk's `brief_pdf`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui import access
from ui.ops import Ops, describe
from ui.stale import StaleWatch
from ui.tables import page_title
from ui.widgets.pdf_view import PdfPreview, print_pdf
from zhdesk.changes import Changes
from zhdesk.domain.periods import ALL, CUSTOM, QUICK_PRESETS, half_year_presets, preset_range, range_text
from zhdesk.dto import BRIEF_SECTIONS, BriefRecordDTO, BriefSpec, SiteRow

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    from zhdesk.desk import Desk
    from zhdesk.dto import BriefResult


PAGE_TITLE = "会议简报"
BUILDING = "正在生成预览…"
DEBOUNCE_MS = 400
# More site sections than this (a page or more each, ~0.1 s each to lay out): the preview asks first. On a
# district's database 2,264 listed sites made a 2,000-page preview that kept the worker — every page's
# reads — for minutes.
PREVIEW_ASK_SITES = 200
DEFAULT_PRESET = "本月"

SECTION_NAMES: dict[str, str] = {
    "summary": "工作综述",
    "kpi": "主要指标统计表",
    "charts": "统计图表",
    "listings": "挂牌督办一览表",
    "sites": "点位详情（整改前后照片、时间线）",
}
SITE_CHOICES: dict[str, str] = {"listed": "挂牌督办点位", "all": "全部点位", "chosen": "指定点位"}



def qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def pydate(d: QDate) -> dt.date:
    return dt.date(d.year(), d.month(), d.day())


def spec_text(spec: BriefSpec) -> str:
    """One line naming a brief: 第12期 · 2026年11月1日—11月30日 · 全部社区."""
    issue = f"第{spec.issue_no}期" if spec.issue_no else "期号自动"
    where = "、".join(spec.communities) if spec.communities else "全部社区"
    return f"{issue} · {range_text(spec.date_from, spec.date_to)} · {where}"


def recent_label(entry: BriefRecordDTO) -> str:
    """A 近期简报 row: the spec in one line and the day it was saved."""
    return f"{spec_text(entry.spec)}（{entry.made_at:%Y-%m-%d}）"


def cloned(spec: BriefSpec, today: dt.date, next_issue: int | None) -> BriefSpec:
    """The next brief like `spec`: the next 期号, issued today, its dates moved on by the range's length
    (last week's brief becomes this week's)."""
    date_from, date_to = spec.date_from, spec.date_to
    if date_from and date_to:
        span = date_to - date_from + dt.timedelta(days=1)
        date_from, date_to = date_from + span, date_to + span
    issue = next_issue if next_issue is not None else (spec.issue_no + 1 if spec.issue_no else None)
    return dataclasses.replace(spec, date_from=date_from, date_to=date_to, issue_no=issue, issued_on=today)


class SitePicker(QDialog):
    """Choose the sites a brief describes one by one (指定点位)."""

    def __init__(self, sites: Sequence[SiteRow], chosen: Sequence[int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("选择点位")
        self.resize(520, 560)
        self.search = QLineEdit()
        self.search.setPlaceholderText("按地址或社区查找")
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setObjectName("site_picker_list")
        picked = set(chosen)
        for site in sites:
            state = f" · {site.status_label}" if site.status_label else ""
            item = QListWidgetItem(f"{site.address}（{site.community}{state}）")
            item.setData(Qt.ItemDataRole.UserRole, site.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if site.id in picked else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.search.textChanged.connect(self._filter)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)

    def _filter(self, text: str) -> None:
        text = text.strip()
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setHidden(bool(text) and text not in item.text())

    def chosen(self) -> tuple[int, ...]:
        out = []
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return tuple(out)


class BriefPage(QWidget):
    message = Signal(str)
    preview_ready = Signal(int)  # a new preview is on screen: its page count
    build_failed = Signal(str)  # the newest build was refused: its one line

    def __init__(
        self,
        desk: Desk,
        ops: Ops,
        build: Callable[[BriefSpec], bytes] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.ops = ops
        self.build: Callable[[BriefSpec], bytes] = build or desk.brief_pdf
        self.pdf: bytes | None = None  # what the preview shows
        self.shown_spec: BriefSpec | None = None  # the spec it was built from (saved as such)
        self.site_ids: tuple[int, ...] = ()
        self._generation = 0
        self._large_ok: tuple[object, ...] | None = None  # the site choice whose long preview the user asked for
        self._issue_offered = False
        self._loading = False  # controls being filled: no rebuild per control

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.rebuild)

        options = self._options_panel()
        preview = self._preview_panel()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("brief_splitter")
        self.splitter.addWidget(options)
        self.splitter.addWidget(preview)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([380, 1100])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 6)
        layout.addWidget(self.splitter, 1)
        self._update_buttons()

        # The preview follows the data: any write that may change a figure, a site or a photo.
        self.watch = StaleWatch(
            self,
            ops,
            lambda c: c.any("sites", "listings", "items", "events", "photos", "figures", "settings"),
            self.refresh,
            stale=True,
        )

    # ------------------------------------------------------------ the options panel
    def _options_panel(self) -> QWidget:
        self.title = page_title(PAGE_TITLE)

        # 时间: the same presets as 总览, or two dates.
        today = dt.date.today()
        self.range_combo = QComboBox()
        self.range_combo.setObjectName("brief_range")
        for name in (*QUICK_PRESETS, *half_year_presets(today), CUSTOM):
            self.range_combo.addItem(name)
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(qdate(today))
            edit.dateChanged.connect(lambda _d: self._dates_edited())
        self.date_from.setObjectName("brief_date_from")
        self.date_to.setObjectName("brief_date_to")
        self.range_label = QLabel()
        self.range_label.setObjectName("brief_range_text")
        self.range_label.setStyleSheet("QLabel { color: #5f6368; }")
        self.range_combo.currentTextChanged.connect(self._preset_chosen)
        dates = QHBoxLayout()
        dates.addWidget(self.date_from, 1)
        dates.addWidget(QLabel("至"))
        dates.addWidget(self.date_to, 1)
        time_box = QGroupBox("时间范围")
        tb = QVBoxLayout(time_box)
        tb.addWidget(self.range_combo)
        tb.addLayout(dates)
        tb.addWidget(self.range_label)

        # 社区: none ticked means every community.
        self.community_list = QListWidget()
        self.community_list.setObjectName("brief_communities")
        self.community_list.setMaximumHeight(130)
        self.community_list.itemChanged.connect(lambda _i: self.changed())
        community_box = QGroupBox("社区（不勾选即全部社区）")
        QVBoxLayout(community_box).addWidget(self.community_list)

        # 内容
        self.section_boxes: dict[str, QCheckBox] = {}
        section_box = QGroupBox("简报内容")
        sb = QVBoxLayout(section_box)
        for key in BRIEF_SECTIONS:
            box = QCheckBox(SECTION_NAMES.get(key, key))
            box.setObjectName(f"brief_section_{key}")
            box.setChecked(True)
            box.toggled.connect(lambda _on: self.changed())
            self.section_boxes[key] = box
            sb.addWidget(box)

        # 点位: listed / all / chosen (with the picker), photos on or off.
        self.site_group = QButtonGroup(self)
        self.site_buttons: dict[str, QRadioButton] = {}
        site_box = QGroupBox("点位详情包括")
        sl = QVBoxLayout(site_box)
        for key, text in SITE_CHOICES.items():
            b = QRadioButton(text)
            b.setObjectName(f"brief_sites_{key}")
            self.site_group.addButton(b)
            self.site_buttons[key] = b
            sl.addWidget(b)
        self.site_buttons["listed"].setChecked(True)
        self.site_group.buttonToggled.connect(self._site_button_toggled)
        self.pick_button = QPushButton("选择点位…")
        self.pick_button.setObjectName("brief_pick_sites")
        self.pick_button.clicked.connect(self.pick_sites)
        self.picked_label = QLabel()
        self.picked_label.setObjectName("brief_picked")
        pick_row = QHBoxLayout()
        pick_row.addWidget(self.pick_button)
        pick_row.addWidget(self.picked_label, 1)
        sl.addLayout(pick_row)
        self.photos = QCheckBox("附整改前后照片")
        self.photos.setObjectName("brief_photos")
        self.photos.setChecked(True)
        self.photos.toggled.connect(lambda _on: self.changed())
        sl.addWidget(self.photos)

        # 期号, 发文单位, 日期, 内部资料
        self.issue = QSpinBox()
        self.issue.setObjectName("brief_issue")
        self.issue.setRange(0, 9999)
        self.issue.setSpecialValueText("自动（上期＋1）")
        self.issue.setPrefix("第 ")
        self.issue.setSuffix(" 期")
        self.issue.valueChanged.connect(lambda _v: self.changed())
        self.issuer = QLineEdit()
        self.issuer.setObjectName("brief_issuer")
        self.issuer.setPlaceholderText("不填则用设置中的发文单位")
        self.issuer.textChanged.connect(lambda _t: self.changed())
        self.issued_on = QDateEdit()
        self.issued_on.setObjectName("brief_issued_on")
        self.issued_on.setCalendarPopup(True)
        self.issued_on.setDisplayFormat("yyyy-MM-dd")
        self.issued_on.setDate(qdate(today))
        self.issued_on.dateChanged.connect(lambda _d: self.changed())
        self.internal = QCheckBox("印“内部资料 注意保存”")
        self.internal.setObjectName("brief_internal")
        self.internal.toggled.connect(lambda _on: self.changed())
        head_box = QGroupBox("报头")
        form = QFormLayout(head_box)
        form.addRow("期号", self.issue)
        form.addRow("发文单位", self.issuer)
        form.addRow("印发日期", self.issued_on)
        form.addRow("", self.internal)

        # 近期简报 (shown when the Desk keeps them)
        self.recent_box = QGroupBox("近期简报")
        self.recent_box.setObjectName("brief_recent")
        self.recent_list = QListWidget()
        self.recent_list.setObjectName("brief_recent_list")
        self.recent_list.setMaximumHeight(120)
        self.recent_list.itemDoubleClicked.connect(lambda _i: self.rebuild_recent())
        self.rebuild_button = QPushButton("按原样重新生成")
        self.rebuild_button.setToolTip("用这期简报的全部选项（含期号）重新生成")
        self.rebuild_button.clicked.connect(self.rebuild_recent)
        self.clone_button = QPushButton("照此生成新一期")
        self.clone_button.setToolTip("选项照旧，期号加一，时间范围顺延一段，印发日期为今天")
        self.clone_button.clicked.connect(self.clone_recent)
        rb = QVBoxLayout(self.recent_box)
        rb.addWidget(self.recent_list)
        row = QHBoxLayout()
        row.addWidget(self.rebuild_button)
        row.addWidget(self.clone_button)
        rb.addLayout(row)
        self.recent_specs: list[BriefSpec] = []

        column = QWidget()
        col = QVBoxLayout(column)
        col.setContentsMargins(0, 0, 8, 0)
        col.addWidget(self.title)
        for w in (time_box, community_box, section_box, site_box, head_box, self.recent_box):
            col.addWidget(w)
        col.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("brief_options")
        scroll.setWidget(column)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(330)

        self._loading = True
        self.range_combo.setCurrentText(DEFAULT_PRESET)
        self._preset_chosen(DEFAULT_PRESET)
        self._sites_mode_changed()
        self._loading = False
        return scroll

    # ------------------------------------------------------------ the preview panel
    def _preview_panel(self) -> QWidget:
        self.save_button = QPushButton("保存PDF…")
        self.save_button.setObjectName("brief_save_pdf")
        self.save_button.clicked.connect(self.ask_save_pdf)
        self.word_button = QPushButton("导出Word…")
        self.word_button.setObjectName("brief_save_word")
        self.word_button.setToolTip("导出可编辑的 Word 文档（.docx）")
        self.word_button.clicked.connect(self.ask_save_word)
        self.print_button = QPushButton("打印…")
        self.print_button.setObjectName("brief_print")
        self.print_button.clicked.connect(self.print_brief)
        # Both saves record the issue (近期简报, the next number): the role must be allowed to keep briefs.
        access.gate(self.desk, "briefs.write", self.save_button, self.word_button)
        self.busy = QLabel(BUILDING)
        self.busy.setObjectName("brief_busy")
        self.busy.setStyleSheet("QLabel { color: #1a5fb4; }")
        self.busy.setVisible(False)
        self.problem = QLabel()
        self.problem.setObjectName("brief_problem")
        self.problem.setStyleSheet("QLabel { color: #c01c28; }")
        self.problem.setVisible(False)
        self.spec_label = QLabel()
        self.spec_label.setObjectName("brief_spec_text")
        bar = QHBoxLayout()
        bar.addWidget(self.spec_label)
        bar.addSpacing(12)
        bar.addWidget(self.busy)
        bar.addWidget(self.problem, 1)
        bar.addStretch(0)
        for b in (self.save_button, self.word_button, self.print_button):
            bar.addWidget(b)
        self.preview = PdfPreview()
        self.preview.setObjectName("brief_preview")
        self.preview.loaded.connect(self._preview_loaded)
        self.preview.failed.connect(self._show_problem)
        # In the preview's place when the brief would hold hundreds of site sections (PREVIEW_ASK_SITES).
        self.large_box = QFrame()
        self.large_box.setObjectName("brief_large")
        self.large_text = QLabel()
        self.large_text.setObjectName("brief_large_text")
        self.large_text.setWordWrap(True)
        self.large_button = QPushButton("生成预览")
        self.large_button.setObjectName("brief_large_build")
        self.large_button.clicked.connect(self.build_large)
        large = QVBoxLayout(self.large_box)
        large.addStretch(1)
        large.addWidget(self.large_text)
        large.addWidget(self.large_button, 0, Qt.AlignmentFlag.AlignLeft)
        large.addStretch(2)
        self.large_box.setVisible(False)
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.large_box, 1)
        return panel

    # ------------------------------------------------------------ the spec
    def spec(self) -> BriefSpec:
        """The options as a BriefSpec (what the builder, the CLI and the tests share)."""
        date_from, date_to = self._range()
        communities = tuple(
            self.community_list.item(i).text()
            for i in range(self.community_list.count())
            if self.community_list.item(i).checkState() == Qt.CheckState.Checked
        )
        sites = next(key for key, b in self.site_buttons.items() if b.isChecked())
        return BriefSpec(
            date_from=date_from,
            date_to=date_to,
            communities=communities,
            sections=tuple(key for key, box in self.section_boxes.items() if box.isChecked()),
            sites=sites,
            site_ids=self.site_ids if sites == "chosen" else (),
            photos=self.photos.isChecked(),
            issue_no=self.issue.value() or None,
            issuer=self.issuer.text().strip() or None,
            issued_on=pydate(self.issued_on.date()),
            internal=self.internal.isChecked(),
        )

    def _range(self) -> tuple[dt.date | None, dt.date | None]:
        name = self.range_combo.currentText()
        if name != CUSTOM:
            return preset_range(name, dt.date.today())
        start, end = pydate(self.date_from.date()), pydate(self.date_to.date())
        return (start, end) if start <= end else (end, start)

    def apply_spec(self, spec: BriefSpec) -> None:
        """Set every option from `spec` (a recent brief, or a test), then rebuild after the debounce."""
        self._loading = True
        try:
            if spec.date_from is None and spec.date_to is None:
                self.range_combo.setCurrentText(ALL)
            else:
                self.range_combo.setCurrentText(CUSTOM)
                today = dt.date.today()
                self.date_from.setDate(qdate(spec.date_from or spec.date_to or today))
                self.date_to.setDate(qdate(spec.date_to or today))
            self._preset_chosen(self.range_combo.currentText())
            wanted = set(spec.communities)
            for i in range(self.community_list.count()):
                item = self.community_list.item(i)
                item.setCheckState(Qt.CheckState.Checked if item.text() in wanted else Qt.CheckState.Unchecked)
            for key, box in self.section_boxes.items():
                box.setChecked(key in spec.sections)
            self.site_buttons.get(spec.sites, self.site_buttons["listed"]).setChecked(True)
            self.site_ids = tuple(spec.site_ids)
            self._sites_mode_changed()
            self.photos.setChecked(spec.photos)
            self.issue.setValue(spec.issue_no or 0)
            self.issuer.setText(spec.issuer or "")
            self.issued_on.setDate(qdate(spec.issued_on or dt.date.today()))
            self.internal.setChecked(spec.internal)
        finally:
            self._loading = False
        self.changed()

    # ------------------------------------------------------------ option events
    def changed(self) -> None:
        """Any option changed: rebuild once the user pauses (one build per pause, not per keystroke)."""
        if self._loading:
            return
        self._debounce.start()

    def _preset_chosen(self, name: str) -> None:
        custom = name == CUSTOM
        self.date_from.setEnabled(custom)
        self.date_to.setEnabled(custom)
        if not custom:
            start, end = preset_range(name, dt.date.today())
            for edit, d in ((self.date_from, start), (self.date_to, end)):
                if d is not None:
                    edit.blockSignals(True)
                    edit.setDate(qdate(d))
                    edit.blockSignals(False)
        self.range_label.setText(range_text(*self._range()))
        self.changed()

    def _dates_edited(self) -> None:
        if self.range_combo.currentText() == CUSTOM:
            self.range_label.setText(range_text(*self._range()))
            self.changed()

    def _site_button_toggled(self, _button: QAbstractButton, on: bool) -> None:
        if on:  # (the button turned off reports too)
            self._sites_mode_changed()

    def _sites_mode_changed(self) -> None:
        chosen = self.site_buttons["chosen"].isChecked()
        self.pick_button.setEnabled(chosen)
        self.picked_label.setText(f"已选 {len(self.site_ids)} 处" if chosen else "")
        self.changed()

    def choose_sites(self, site_ids: Sequence[int]) -> None:
        """指定点位 with these sites (the picker's result)."""
        self.site_ids = tuple(site_ids)
        self.site_buttons["chosen"].setChecked(True)
        self._sites_mode_changed()

    def pick_sites(self) -> None:
        desk = self.desk
        self.ops.run(lambda: desk.list_sites(), self._open_picker, label="正在读取点位…")

    def _open_picker(self, sites: list[SiteRow]) -> None:
        picker = SitePicker(sites, self.site_ids, self)
        if picker.exec() == QDialog.DialogCode.Accepted:
            self.choose_sites(picker.chosen())

    # ------------------------------------------------------------ loading the choices
    def refresh(self) -> None:
        """Read the communities (and, once, the next 期号 and the recent briefs), then rebuild."""
        # After the page's paint: on a first visit its first layout and paint come first (the worker's reads
        # shared the GIL with them: the page's longest stall, 104 ms → docs/performance.md).
        self.ops.after_paint(self, self._load, label="正在读取…")

    def _load(self) -> None:
        desk = self.desk
        self.ops.run(lambda: [c.name for c in desk.communities()], self._fill_communities, label="正在读取社区…")
        if not self._issue_offered:
            self.ops.run(lambda: desk.next_brief_issue(), self._offer_issue, label="正在读取期号…")
        self.refresh_recent()
        self.changed()

    def _fill_communities(self, names: list[str]) -> None:
        ticked = {
            self.community_list.item(i).text()
            for i in range(self.community_list.count())
            if self.community_list.item(i).checkState() == Qt.CheckState.Checked
        }
        self._loading = True
        try:
            self.community_list.clear()
            for name in names:
                item = QListWidgetItem(name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if name in ticked else Qt.CheckState.Unchecked)
                self.community_list.addItem(item)
        finally:
            self._loading = False

    def _offer_issue(self, issue: int) -> None:
        self._issue_offered = True
        if self.issue.value() == 0:  # never over a number the user typed
            self.issue.setValue(issue)

    def refresh_recent(self) -> None:
        """近期简报: the briefs saved, newest first."""
        desk = self.desk
        self.ops.run(lambda: desk.recent_briefs(), self.show_recent, label="正在读取近期简报…")

    def show_recent(self, entries: Sequence[BriefRecordDTO]) -> None:
        self.recent_list.clear()
        self.recent_specs = [e.spec for e in entries]
        for entry in entries:
            self.recent_list.addItem(recent_label(entry))
        if self.recent_specs:
            self.recent_list.setCurrentRow(0)
        else:  # say what the box is for instead of an empty white field
            hint = QListWidgetItem("尚未保存过简报；保存PDF或导出Word后列在这里")
            hint.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent_list.addItem(hint)
        for b in (self.rebuild_button, self.clone_button):
            b.setEnabled(bool(self.recent_specs))
        self.recent_box.setVisible(True)

    def _recent_spec(self) -> BriefSpec | None:
        row = self.recent_list.currentRow()
        return self.recent_specs[row] if 0 <= row < len(self.recent_specs) else None

    def rebuild_recent(self) -> None:
        spec = self._recent_spec()
        if spec is not None:
            self.apply_spec(spec)

    def clone_recent(self) -> None:
        spec = self._recent_spec()
        if spec is None:
            return
        offered = self.issue.value() if self._issue_offered else 0
        newest = max((s.issue_no or 0 for s in self.recent_specs), default=0)
        self.apply_spec(cloned(spec, dt.date.today(), max(offered, newest + 1) or None))

    # ------------------------------------------------------------ building
    def rebuild(self) -> int:
        """Build the preview of the current options on the worker; returns the job id (0: nothing queued)."""
        self._debounce.stop()
        build = self.build
        spec = self.spec()
        self._generation += 1
        generation = self._generation
        self.busy.setVisible(True)

        desk, ask = self.desk, self._asks_first(spec)

        def job() -> bytes | int | None:
            if generation != self._generation:  # a newer request is queued behind this one
                return None
            if ask:  # hundreds of site sections: say how many instead of building them (the user chooses)
                sections = desk.brief_section_count(spec)
                if sections > PREVIEW_ASK_SITES:
                    return sections
            return build(spec)

        return self.ops.run(
            job,
            lambda out: self._built(generation, spec, out),
            lambda exc: self._failed(generation, exc),
            label="正在生成会议简报预览…",
            show_errors=False,
        )

    def is_current(self, generation: int) -> bool:
        return generation == self._generation

    @staticmethod
    def _site_choice(spec: BriefSpec) -> tuple[object, ...]:
        return spec.sites, spec.communities, spec.date_from, spec.date_to

    def _asks_first(self, spec: BriefSpec) -> bool:
        """A preview of many site sections is built only when asked for (chosen sites were picked by hand)."""
        return "sites" in spec.sections and spec.sites != "chosen" and self._site_choice(spec) != self._large_ok

    def build_large(self) -> int:
        """生成预览 under the large-brief note: build this site choice's preview, however long."""
        self._large_ok = self._site_choice(self.spec())
        return self.rebuild()

    def _ask_large(self, spec: BriefSpec, sections: int) -> None:
        self.large_text.setText(
            f"所选内容含 {sections} 处点位的点位详情（每处一页或更多），生成预览需要较长时间，"
            "期间其他页面读取数据也要等待。\n可以在左侧改选“指定点位”、某个社区或去掉“点位详情”；"
            "也可以不看预览，直接保存PDF或导出Word。"
        )
        self.pdf, self.shown_spec = None, spec  # saving writes this spec; there is nothing to print yet
        self.spec_label.setText(spec_text(spec))
        self.preview.setVisible(False)
        self.large_box.setVisible(True)
        self._update_buttons()

    def _built(self, generation: int, spec: BriefSpec, pdf: bytes | int | None) -> None:
        if not self.is_current(generation) or pdf is None:
            return  # stale: a newer build will replace the preview
        self.busy.setVisible(False)
        self._show_problem("")
        if isinstance(pdf, int):
            self._ask_large(spec, pdf)
            return
        self.large_box.setVisible(False)
        self.preview.setVisible(True)
        self.pdf = pdf
        self.shown_spec = spec
        self.spec_label.setText(spec_text(spec))
        self.preview.set_pdf(pdf)
        self._update_buttons()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if not self.is_current(generation):
            return
        self.busy.setVisible(False)
        text = describe(exc)
        self._show_problem(text)
        self.build_failed.emit(text)

    def _preview_loaded(self, pages: int) -> None:
        self.preview_ready.emit(pages)

    def _show_problem(self, text: str) -> None:
        line = " ".join(text.split())  # one line, whatever the message held
        self.problem.setText(line)
        self.problem.setToolTip(line)
        self.problem.setVisible(bool(line))

    def _update_buttons(self) -> None:
        self.save_button.setEnabled(self.shown_spec is not None)
        self.print_button.setEnabled(self.pdf is not None)
        self.word_button.setEnabled(self.shown_spec is not None)

    # ------------------------------------------------------------ saving and printing
    def _file_name(self) -> str:
        spec = self.shown_spec or self.spec()
        issue = f"第{spec.issue_no}期" if spec.issue_no else ""
        return f"会议简报{issue}_{(spec.issued_on or dt.date.today()).isoformat()}"

    def _ask_path(self, title: str, suffix: str, kind: str) -> tuple[Path, bool] | None:
        from ui.dialogs.export_dialog import ask_save_path  # loaded with the first save (issue 13)

        return ask_save_path(self, self._file_name(), suffix, title, kind, dated=False)

    def ask_save_pdf(self) -> None:
        chosen = self._ask_path("保存PDF", ".pdf", "PDF 文件 (*.pdf)")
        if chosen is not None:
            self.save(*chosen)

    def ask_save_word(self) -> None:
        chosen = self._ask_path("导出Word", ".docx", "Word 文档 (*.docx)")
        if chosen is not None:
            self.save(*chosen)

    def save(self, path: Path, overwrite: bool = False) -> int:
        """Write the brief shown to `path` (.pdf or .docx) on the worker and record it in 近期简报; returns the
        job id (0: nothing to save)."""
        desk, spec = self.desk, self.shown_spec
        if spec is None:
            return 0
        what = "Word 文档" if path.suffix.lower() == ".docx" else "PDF"

        def saved(r: BriefResult) -> None:
            self.message.emit(f"已保存会议简报第{r.issue_no}期{what}：{r.path}")
            self.refresh_recent()

        return self.ops.write(
            lambda: desk.save_brief(spec, path, overwrite),
            Changes(briefs=True),
            saved,
            label=f"正在保存会议简报{what}…",
            initiator=self,
        )

    def print_brief(self) -> int:
        """打印…: the print dialog, then each page rendered onto the printer. Returns the pages printed."""
        if self.pdf is None:
            return 0
        pages = print_pdf(self, self.pdf)
        if pages:
            self.message.emit(f"会议简报已送打印：{pages} 页")
        return pages
