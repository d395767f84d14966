"""会议简报 page: options → BriefSpec, a debounced preview built off the GUI thread (stale results dropped),
saving through the export guard, printing rendered page by page, refusals in one line.

The builder is injected: a real reportlab PDF with one page per chosen section, its text naming the spec's
issue number and dates (the real builder lands with zhdesk/brief/)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from tests.support import table_dump
from tests.ui.conftest import Dialogs, wait_idle
from ui.main_window import BRIEF, NAVIGATION, MainWindow
from ui.ops import Ops
from ui.pages import brief as brief_module
from ui.pages.brief import DEBOUNCE_MS, BriefPage, cloned
from ui.widgets import pdf_view
from ui.widgets.pdf_view import load_pdf, render_to_printer
from zhdesk.desk import Desk
from zhdesk.dto import BRIEF_SECTIONS, BriefResult, BriefSpec
from zhdesk.errors import InputRefused


def make_pdf(spec: BriefSpec) -> bytes:
    """A real PDF: one A4 page per section, each saying the issue and the dates."""
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    for n, section in enumerate(spec.sections or ("empty",), 1):
        c.setFont("Helvetica", 24)
        c.drawString(72, 760, f"Issue {spec.issue_no} page {n} {section}")
        c.drawString(72, 720, f"From {spec.date_from} to {spec.date_to}")
        c.showPage()
    c.save()
    return out.getvalue()


class Builder:
    """BriefSpec -> PDF bytes, recording each call; `gate` holds the first call until it is set."""

    def __init__(self, delay: float = 0.0, gate: threading.Event | None = None) -> None:
        self.calls: list[BriefSpec] = []
        self.delay = delay
        self.gate = gate
        self.started = threading.Event()
        self.threads: set[str] = set()

    def __call__(self, spec: BriefSpec) -> bytes:
        self.calls.append(spec)
        self.threads.add(threading.current_thread().name)
        self.started.set()
        if self.gate is not None and len(self.calls) == 1:
            assert self.gate.wait(10)
        if self.delay:
            time.sleep(self.delay)
        return make_pdf(spec)


class HookDesk:
    """A Desk with extra (or hidden) attributes: the builder's hooks before the builder exists."""

    def __init__(self, desk: Desk, hidden: tuple[str, ...] = (), **extra: Any) -> None:
        self._desk = desk
        self._hidden = hidden
        self._extra = extra

    def __getattr__(self, name: str) -> Any:
        if name in self._extra:
            return self._extra[name]
        if name in self._hidden:
            raise AttributeError(name)
        return getattr(self._desk, name)


@pytest.fixture
def ops() -> Iterator[Ops]:
    o = Ops()
    yield o
    o.shutdown()


def new_page(qtbot: QtBot, desk: Any, ops: Ops, builder: Any, show: bool = True) -> BriefPage:
    page = BriefPage(desk, ops, build=builder)
    qtbot.addWidget(page)
    page.resize(1400, 900)
    if show:
        page.show()
    return page


def pdf_text(data: bytes) -> str:
    doc = load_pdf(data)
    try:
        return "\n".join(doc.getAllText(i).text() for i in range(doc.pageCount()))
    finally:
        doc.deleteLater()


def test_first_show_builds_the_preview_with_its_page_count(qtbot: QtBot, ui_desk: Desk, ops: Ops) -> None:
    builder = Builder()
    page = BriefPage(ui_desk, ops, build=builder)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.preview_ready, timeout=5000) as ready:
        page.show()
    assert ready.args == [len(BRIEF_SECTIONS)]
    assert page.preview.page_count() == len(BRIEF_SECTIONS)
    assert page.preview.page_label.text() == f"第 1 / {len(BRIEF_SECTIONS)} 页"
    assert not page.busy.isVisible() and not page.problem.isVisible()
    assert len(builder.calls) == 1 and threading.main_thread().name not in builder.threads
    spec = builder.calls[0]
    # Default: this month, every community and section, the listed sites, with photos.
    assert spec.date_from == dt.date.today().replace(day=1) and spec.sites == "listed" and spec.photos
    assert f"From {spec.date_from} to {spec.date_to}" in pdf_text(page.pdf or b"")
    assert page.save_button.isEnabled() and page.print_button.isEnabled()
    # Fewer sections: fewer pages, the old ones on screen until the new document is ready.
    page.section_boxes["charts"].setChecked(False)
    page.section_boxes["sites"].setChecked(False)
    assert page.preview.page_count() == len(BRIEF_SECTIONS)
    with qtbot.waitSignal(page.preview_ready, timeout=5000) as ready:
        pass
    assert ready.args == [len(BRIEF_SECTIONS) - 2]
    assert page.shown_spec is not None and page.shown_spec.sections == ("summary", "kpi", "listings")
    wait_idle(qtbot, ops)


def test_typing_rebuilds_once_after_the_pause(qtbot: QtBot, ui_desk: Desk, ops: Ops) -> None:
    builder = Builder()
    page = new_page(qtbot, ui_desk, ops, builder)
    qtbot.waitUntil(lambda: page.pdf is not None, timeout=5000)
    wait_idle(qtbot, ops)
    builder.calls.clear()
    for ch in "街道城管办":
        page.issuer.insert(ch)  # a keystroke each: textChanged every time
        qtbot.wait(DEBOUNCE_MS // 4)
    assert builder.calls == []  # still typing: nothing built yet
    with qtbot.waitSignal(page.preview_ready, timeout=5000):
        pass
    qtbot.wait(DEBOUNCE_MS + 200)
    wait_idle(qtbot, ops)
    assert [s.issuer for s in builder.calls] == ["街道城管办"]


def test_a_stale_result_is_dropped_and_a_stale_queued_build_never_runs(qtbot: QtBot, ui_desk: Desk, ops: Ops) -> None:
    gate = threading.Event()
    builder = Builder(gate=gate)
    page = new_page(qtbot, ui_desk, ops, builder, show=False)
    shown: list[int] = []
    page.preview_ready.connect(shown.append)
    page.issue.setValue(5)
    page.rebuild()  # generation 1: held in the builder
    assert builder.started.wait(5)
    page.issue.setValue(6)
    page.rebuild()  # generation 2: queued behind it, stale before it starts
    page.issue.setValue(7)
    page.rebuild()  # generation 3: the one that counts
    assert page.busy.isVisibleTo(page)
    gate.set()
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    wait_idle(qtbot, ops)
    assert [s.issue_no for s in builder.calls] == [5, 7]  # 6 was skipped on the worker
    assert shown == [len(BRIEF_SECTIONS)]  # issue 5's finished PDF never reached the screen
    assert page.shown_spec is not None and page.shown_spec.issue_no == 7
    assert "Issue 7 page 1" in pdf_text(page.pdf or b"")
    assert not page.busy.isVisibleTo(page)


def test_the_window_stays_responsive_while_building(qtbot: QtBot, ui_desk: Desk, ops: Ops) -> None:
    builder = Builder(delay=0.5)
    page = new_page(qtbot, ui_desk, ops, builder, show=False)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    start = time.monotonic()
    page.rebuild()
    assert page.busy.isVisibleTo(page)
    qtbot.waitUntil(lambda: page.pdf is not None, timeout=5000)
    timer.stop()
    assert time.monotonic() - start >= 0.5
    assert len(ticks) >= 10
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert max(gaps) < 0.25, f"the GUI thread stalled {max(gaps):.2f} s"


def test_save_writes_the_brief_records_it_and_refuses_the_database(
    qtbot: QtBot, ui_desk: Desk, ops: Ops, tmp_path: Path, dialogs: Dialogs
) -> None:
    page = new_page(qtbot, ui_desk, ops, Builder(), show=False)
    page.refresh_recent()
    qtbot.waitUntil(lambda: page.recent_list.count() == 1, timeout=5000)
    assert page.recent_list.item(0).text().startswith("尚未保存过简报")  # the empty list says what it is for
    assert not page.clone_button.isEnabled() and not page.rebuild_button.isEnabled()
    page.issue.setValue(9)
    page.rebuild()
    qtbot.waitUntil(lambda: page.pdf is not None, timeout=5000)
    messages: list[str] = []
    page.message.connect(messages.append)
    target = tmp_path / "简报.pdf"
    assert page.save(target)
    wait_idle(qtbot, ops, timeout=60000)
    assert target.read_bytes()[:5] == b"%PDF-"  # the real brief of the spec shown, written by the Desk
    assert messages == [f"已保存会议简报第9期PDF：{target}"]
    # recorded: 近期简报 lists it with its spec, and the next brief is offered issue 10
    wait_idle(qtbot, ops)
    assert dialogs.shown == [], dialogs.shown
    qtbot.waitUntil(lambda: len(page.recent_specs) == 1, timeout=5000)
    assert page.recent_list.item(0).text().startswith("第9期") and page.clone_button.isEnabled()
    assert [r.spec for r in ui_desk.recent_briefs()] == [page.shown_spec]
    assert ui_desk.next_brief_issue() == 10
    # An existing file is replaced only when the dialog asked; the database never.
    target.write_bytes(b"mine")
    page.save(target)
    wait_idle(qtbot, ops, timeout=60000)
    assert target.read_bytes() == b"mine"
    assert dialogs.texts("warning")[-1].startswith("文件已存在")
    db = Path(str(ui_desk.engine.url.database))
    before, before_bytes = table_dump(ui_desk.engine), db.read_bytes()
    alias = tmp_path / "库.pdf"  # the database under a .pdf name (a hard link): still the database
    os.link(db, alias)
    assert page.save(alias, overwrite=True)
    wait_idle(qtbot, ops, timeout=60000)
    assert dialogs.texts("warning")[-1] == f"不能导出到正在使用的数据库文件：{alias}，未写入"
    assert table_dump(ui_desk.engine) == before and db.read_bytes() == before_bytes
    assert all("\n" not in t for t in dialogs.texts())


def test_word_goes_through_the_desk_with_its_suffix(qtbot: QtBot, ui_desk: Desk, ops: Ops, tmp_path: Path) -> None:
    written: list[tuple[BriefSpec, Path, bool]] = []

    def save_brief(spec: BriefSpec, path: Path, overwrite: bool) -> BriefResult:
        written.append((spec, path, overwrite))
        return BriefResult(path, 3, 100, spec.issue_no or 1)

    desk = HookDesk(ui_desk, save_brief=save_brief)
    page = new_page(qtbot, desk, ops, Builder(), show=False)
    assert not page.word_button.isEnabled()  # nothing shown yet
    page.issue.setValue(9)
    page.rebuild()
    qtbot.waitUntil(lambda: page.pdf is not None, timeout=5000)
    assert page.word_button.isEnabled()
    page.save(tmp_path / "b.docx")
    wait_idle(qtbot, ops)
    assert [(s.issue_no, p.name, o) for s, p, o in written] == [(9, "b.docx", False)]


def test_print_renders_every_page_onto_the_printer(
    qtbot: QtBot, ui_desk: Desk, ops: Ops, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = new_page(qtbot, ui_desk, ops, Builder(), show=False)
    page.rebuild()
    qtbot.waitUntil(lambda: page.pdf is not None, timeout=5000)
    assert page.pdf is not None
    # The rendering alone, onto a printer writing a PDF.
    printer = pdf_view.a4_printer()  # what the dialog starts from: A4, the whole sheet
    printer.setResolution(96)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert render_to_printer(page.pdf, printer) == len(BRIEF_SECTIONS)
    printed = load_pdf((tmp_path / "printed.pdf").read_bytes())
    assert printed.pageCount() == len(BRIEF_SECTIONS)
    image = printed.render(0, printed.pagePointSize(0).toSize())
    assert image.pixelColor(10, 10).name() == "#ffffff"  # paper, and ink somewhere on it
    assert any(image.pixelColor(x, 70).name() != "#ffffff" for x in range(60, 400))
    printed.deleteLater()

    # 打印… through the page: the dialog answered (A4 offered), then the same rendering.
    offered: list[str] = []

    class AcceptingDialog:
        def __init__(self, printer: QPrinter, _parent: object) -> None:
            offered.append(printer.pageLayout().pageSize().name())
            printer.setResolution(96)
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(tmp_path / "dialog.pdf"))

        def setWindowTitle(self, _title: str) -> None:
            pass

        def exec(self) -> QDialog.DialogCode:
            return QDialog.DialogCode.Accepted

    monkeypatch.setattr(pdf_view, "QPrintDialog", AcceptingDialog)
    messages: list[str] = []
    page.message.connect(messages.append)
    assert page.print_brief() == len(BRIEF_SECTIONS)
    assert offered == ["A4"]
    assert load_pdf((tmp_path / "dialog.pdf").read_bytes()).pageCount() == len(BRIEF_SECTIONS)
    assert messages == [f"会议简报已送打印：{len(BRIEF_SECTIONS)} 页"]


def test_a_refusal_shows_its_one_line_and_keeps_the_preview(
    qtbot: QtBot, ui_desk: Desk, ops: Ops, dialogs: Dialogs
) -> None:
    refuse = {"on": False}

    def build(spec: BriefSpec) -> bytes:
        if refuse["on"]:
            raise InputRefused(f"会议简报：第{spec.issue_no}期已存在，请换一个期号")
        return make_pdf(spec)

    page = new_page(qtbot, ui_desk, ops, build, show=False)
    page.issue.setValue(3)
    page.rebuild()
    qtbot.waitUntil(lambda: page.pdf is not None, timeout=5000)
    kept = page.pdf
    refuse["on"] = True
    with qtbot.waitSignal(page.build_failed, timeout=5000) as failed:
        page.rebuild()
    assert failed.args == ["会议简报：第3期已存在，请换一个期号"]
    assert page.problem.text() == "会议简报：第3期已存在，请换一个期号" and page.problem.isVisibleTo(page)
    assert not page.busy.isVisibleTo(page)
    assert page.pdf is kept and page.preview.page_count() == len(BRIEF_SECTIONS)
    assert dialogs.shown == []  # said on the page, not in a box
    refuse["on"] = False
    page.rebuild()
    qtbot.waitUntil(lambda: not page.problem.isVisibleTo(page), timeout=5000)


def test_options_make_the_spec_and_a_spec_sets_the_options(qtbot: QtBot, ui_desk: Desk, ops: Ops) -> None:
    page = new_page(qtbot, ui_desk, ops, Builder())
    wait_idle(qtbot, ops)
    names = [page.community_list.item(i).text() for i in range(page.community_list.count())]
    assert len(names) >= 2
    spec = BriefSpec(
        date_from=dt.date(2021, 1, 1),
        date_to=dt.date(2021, 6, 30),
        communities=(names[1],),
        sections=("summary", "listings"),
        sites="chosen",
        site_ids=(2, 3),
        photos=False,
        issue_no=12,
        issuer="某某街道办事处",
        issued_on=dt.date(2021, 7, 2),
        internal=True,
    )
    page.apply_spec(spec)
    assert page.spec() == spec
    assert page.range_label.text() == "2021年1月1日—6月30日"
    assert page.picked_label.text() == "已选 2 处" and page.pick_button.isEnabled()
    page.range_combo.setCurrentText("全部")
    assert (page.spec().date_from, page.spec().date_to) == (None, None)
    page.issue.setValue(0)
    assert page.spec().issue_no is None  # 自动: the builder takes the last + 1
    wait_idle(qtbot, ops)


def test_recent_briefs_rebuild_or_clone(qtbot: QtBot, ui_desk: Desk, ops: Ops) -> None:
    last_week = BriefSpec(
        date_from=dt.date(2026, 11, 16), date_to=dt.date(2026, 11, 22), issue_no=3, issued_on=dt.date(2026, 11, 23)
    )
    ui_desk.record_brief(3, last_week, "last.pdf", 2, 1000)
    page = new_page(qtbot, ui_desk, ops, Builder())
    qtbot.waitUntil(lambda: len(page.recent_specs) == 1, timeout=5000)
    wait_idle(qtbot, ops)
    assert page.recent_box.isVisible()
    assert page.issue.value() == 4  # offered by the Desk: the last recorded + 1
    assert page.recent_list.item(0).text().startswith("第3期 · 2026年11月16日—11月22日")
    page.clone_button.click()
    spec = page.spec()
    assert (spec.issue_no, spec.date_from, spec.date_to, spec.issued_on) == (
        4, dt.date(2026, 11, 23), dt.date(2026, 11, 29), dt.date.today(),
    )  # fmt: skip
    page.rebuild_button.click()
    assert page.spec() == last_week
    assert cloned(BriefSpec(issue_no=8), dt.date(2026, 1, 1), None).issue_no == 9
    wait_idle(qtbot, ops)


def test_the_window_shows_the_brief_page(window: MainWindow) -> None:
    window.show_page(BRIEF)
    assert isinstance(window.stack.currentWidget(), BriefPage)
    assert window.pages[BRIEF] is window.brief and NAVIGATION.index(BRIEF) == 5
    assert brief_module.PAGE_TITLE == BRIEF


def test_a_preview_of_hundreds_of_site_sections_is_built_when_asked(
    qtbot: QtBot, ui_desk: Desk, ops: Ops, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a district's database the listed sites make a 2,000-page preview that holds the worker for
    minutes: past PREVIEW_ASK_SITES sections the page says how many and builds only when asked; saving
    needs no preview."""
    from ui.pages import brief as brief_page

    monkeypatch.setattr(brief_page, "PREVIEW_ASK_SITES", 2)  # the demo's brief has 4–5 listed sites
    builder = Builder()
    page = new_page(qtbot, ui_desk, ops, builder)
    page.rebuild()
    wait_idle(qtbot, ops)
    assert builder.calls == []
    assert page.large_box.isVisible() and not page.preview.isVisible()
    sections = ui_desk.brief_section_count(page.spec())
    assert sections > 2 and f"含 {sections} 处点位" in page.large_text.text()
    assert page.save_button.isEnabled() and not page.print_button.isEnabled()
    assert page.shown_spec is not None and page.shown_spec.sites == "listed"

    with qtbot.waitSignal(page.preview_ready, timeout=5000):
        page.large_button.click()
    wait_idle(qtbot, ops)
    assert len(builder.calls) == 1 and page.preview.isVisible() and not page.large_box.isVisible()
    page.issuer.setText("街道城管办")  # the same sites: no second question
    page.rebuild()
    wait_idle(qtbot, ops)
    assert len(builder.calls) == 2 and not page.large_box.isVisible()
    page.site_buttons["all"].setChecked(True)  # other sites: asked again
    page.rebuild()
    wait_idle(qtbot, ops)
    assert len(builder.calls) == 2 and page.large_box.isVisible()
    page.section_boxes["sites"].setChecked(False)  # no site sections: built at once
    page.rebuild()
    wait_idle(qtbot, ops)
    assert len(builder.calls) == 3 and not page.large_box.isVisible()
