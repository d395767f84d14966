"""照片 tab: paged thumbnails off the GUI thread, adding files (dialog, folder, drop) with a summary,
cancel, right-click actions, the viewer and the before/after comparison."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QThread, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot

from tests.ui.conftest import Dialogs, wait_idle
from tests.ui.photo_files import heic_bytes, jpeg_bytes, write_jpegs
from ui.dialogs.compare import SLIDER, default_pair
from ui.main_window import MainWindow
from ui.pages.photos_tab import PhotosTab, export_targets, summary_text
from ui.pages.site_tabs import PHOTOS_TAB
from ui.thumbnails import PAGE_SIZE
from zhdesk.desk import Desk
from zhdesk.dto import AddPhotosResult, FileResult

MANY = 60


def site_id(desk: Desk, address: str) -> int:
    return next(r.id for r in desk.list_sites() if r.address == address)


def open_photos(qtbot: QtBot, window: MainWindow, address: str) -> PhotosTab:
    page = window.listings
    assert page.select_site(site_id(window.desk, address))
    page.site_tabs.setCurrentIndex(PHOTOS_TAB)
    wait_idle(qtbot, window.ops)
    tab = page.site_tabs.photos
    assert tab.site is not None and tab.site.address == address
    return tab


def wait_thumbnails(qtbot: QtBot, tab: PhotosTab) -> None:
    qtbot.waitUntil(lambda: not tab.thumbs.busy(), timeout=10000)
    wait_idle(qtbot, tab.ops)


@pytest.fixture
def many(ui_desk: Desk, tmp_path: Path) -> int:
    """善化路19号院 with 60 more small photos (taken before the demo ones, so they come first)."""
    sid = site_id(ui_desk, "善化路19号院")
    result = ui_desk.add_photos(sid, write_jpegs(tmp_path / "many", MANY), "before")
    assert len(result.added) == MANY
    return sid


def test_first_page_arrives_without_blocking_the_gui(qtbot: QtBot, window: MainWindow, many: int) -> None:
    page = window.listings
    assert page.select_site(many)
    wait_idle(qtbot, window.ops)
    ticks = 0

    def tick() -> None:
        nonlocal ticks
        ticks += 1

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    try:
        start = time.perf_counter()
        page.site_tabs.setCurrentIndex(PHOTOS_TAB)  # opens the gallery: the photo list and thumbnails load
        tab = page.site_tabs.photos

        def first_page_shown() -> bool:
            shown = tab.proxy.visible_photos()[:PAGE_SIZE]
            return len(shown) == PAGE_SIZE and all(tab.thumbs.has(p.id) for p in shown)

        qtbot.waitUntil(first_page_shown, timeout=5000)
        elapsed = time.perf_counter() - start
        ticks_at_first_page = ticks
        assert tab.proxy.index(0, 0).data(Qt.ItemDataRole.DecorationRole) is not None
        wait_thumbnails(qtbot, tab)
    finally:
        timer.stop()
    assert elapsed < 2.0
    assert ticks_at_first_page >= 2  # the event loop kept running while the page loaded
    total = MANY + 4
    assert tab.model.rowCount() == total
    assert all(tab.thumbs.has(p.id) for p in tab.model.photos())  # the rest followed
    assert tab.count_label.text() == f"共 {total} 张"
    assert page.site_tabs.tabText(PHOTOS_TAB) == f"照片（{total}）"
    tab.view.grab()  # paints tiles with thumbnails


def test_scrolling_brings_visible_tiles_forward(qtbot: QtBot, window: MainWindow, many: int) -> None:
    tab = open_photos(qtbot, window, "善化路19号院")
    wait_thumbnails(qtbot, tab)
    tab.thumbs.clear()  # as if nothing were cached yet
    tab.view.scrollToBottom()
    QApplication.processEvents()
    rows = tab.view.visible_rows()
    assert rows and rows[-1] == tab.proxy.rowCount() - 1
    tab.request_visible()
    wait_thumbnails(qtbot, tab)
    assert all(tab.thumbs.has(tab.proxy.photo_at(r).id) for r in rows)


def test_phase_filter(qtbot: QtBot, window: MainWindow) -> None:
    tab = open_photos(qtbot, window, "江西路153号")
    assert tab.model.rowCount() == 6
    tab.phase_combo.setCurrentIndex(tab.phase_combo.findData("during"))
    assert {p.phase for p in tab.proxy.visible_photos()} == {"during"}
    assert tab.count_label.text() == f"显示 {tab.proxy.rowCount()} / 6 张"
    assert tab.phase_combo.currentText().startswith("整改中（")
    tab.phase_combo.setCurrentIndex(0)
    assert tab.proxy.rowCount() == 6


def drop(tab: PhotosTab, paths: list[Path]) -> None:
    """What the file manager sends: drag enter, move, drop (Qt ignores a drop that never entered)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    viewport = tab.view.viewport()
    enter = QDragEnterEvent(QPoint(40, 40), *args)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(viewport, QDragMoveEvent(QPoint(45, 45), *args))
    dropped = QDropEvent(QPointF(45, 45), *args)
    QApplication.sendEvent(viewport, dropped)
    assert dropped.isAccepted()


@pytest.fixture
def mixed_folder(tmp_path: Path, ui_desk: Desk) -> Path:
    """Two new photos, a copy of one the site already has, a text file and a truncated JPEG."""
    folder = tmp_path / "现场照片"
    write_jpegs(folder, 2, start=500)
    existing = ui_desk.photos(site_id(ui_desk, "江西路153号"))[0]
    (folder / "copy.jpg").write_bytes(ui_desk.original(existing.id))
    (folder / "说明.txt").write_text("不是照片", encoding="utf-8")
    (folder / "broken.jpg").write_bytes(jpeg_bytes(7, (400, 300))[:600])
    return folder


def test_dropped_folder_is_added_with_a_summary(
    qtbot: QtBot, window: MainWindow, ui_desk: Desk, mixed_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = open_photos(qtbot, window, "江西路153号")
    asked: list[list[Path]] = []

    def choose(paths: list[Path]) -> tuple[str, int | None]:
        asked.append(list(paths))
        return "during", None

    monkeypatch.setattr(tab, "choose_target", choose)
    drop(tab, [mixed_folder])
    assert asked == [[mixed_folder]]
    wait_idle(qtbot, window.ops)

    box = tab.summary_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.text() == "新增 2 张，重复 1 张，未能添加 2 个文件。"
    assert "说明.txt：" in box.informativeText() and "broken.jpg：" in box.informativeText()
    assert "不是可识别的图片" in box.detailedText()
    assert box.icon() == QMessageBox.Icon.Warning
    box.close()

    photos = ui_desk.photos(site_id(ui_desk, "江西路153号"))
    assert len(photos) == 8
    assert sorted(p.file_name or "" for p in photos if p.phase == "during")[-2:] == ["IMG_0500.jpg", "IMG_0501.jpg"]
    wait_thumbnails(qtbot, tab)
    assert tab.model.rowCount() == 8
    assert tab.progress_dialog is None
    assert "新增 2 张" in window.statusBar().currentMessage()


def test_add_folder_button_uses_the_same_path(
    qtbot: QtBot, window: MainWindow, ui_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = open_photos(qtbot, window, "江西路153号")
    folder = tmp_path / "folder"
    write_jpegs(folder, 3, start=700)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    events = tab.model.events()
    monkeypatch.setattr(tab, "choose_target", lambda paths: ("after", events[-1].id))
    tab.add_folder_button.click()
    wait_idle(qtbot, window.ops)
    assert tab.summary_box is not None and tab.summary_box.text() == "新增 3 张，重复 0 张。"
    tab.summary_box.close()
    added = [p for p in ui_desk.photos(site_id(ui_desk, "江西路153号")) if p.phase == "after"]
    assert len(added) == 3 and {p.event_id for p in added} == {events[-1].id}


def test_add_files_dialog_offers_photo_types(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = open_photos(qtbot, window, "江西路153号")
    files = write_jpegs(tmp_path / "f", 2, start=800)
    seen: dict[str, str] = {}

    def pick(_parent: object, _title: str, _folder: str, filters: str) -> tuple[list[str], str]:
        seen["filter"] = filters
        return [str(f) for f in files], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", pick)
    monkeypatch.setattr(tab, "choose_target", lambda paths: ("before", None))
    tab.add_files_button.click()
    wait_idle(qtbot, window.ops)
    for pattern in ("*.jpg", "*.jpeg", "*.png", "*.webp", "*.heic", "*.heif"):
        assert pattern in seen["filter"]
    assert tab.summary_box is not None and tab.summary_box.text().startswith("新增 2 张")
    tab.summary_box.close()


def test_cancel_stores_nothing(
    qtbot: QtBot, window: MainWindow, ui_desk: Desk, tmp_path: Path, dialogs: Dialogs
) -> None:
    tab = open_photos(qtbot, window, "江西路153号")
    files = write_jpegs(tmp_path / "c", 12, start=900)
    gate = threading.Event()
    window.ops.run(lambda: gate.wait(10))  # hold the worker so the cancel surely comes first
    assert tab.add_paths(files, phase="before")
    dlg = tab.progress_dialog
    assert dlg is not None
    cancel = next(b for b in dlg.findChildren(QPushButton) if b.text() == "取消")
    cancel.click()
    gate.set()
    wait_idle(qtbot, window.ops)
    assert len(ui_desk.photos(site_id(ui_desk, "江西路153号"))) == 6
    assert "已取消" in window.statusBar().currentMessage()
    assert not dialogs.shown and tab.summary_box is None


def test_summary_lists_every_refusal() -> None:
    refused = tuple(FileResult(f"/x/坏{i}.jpg", reason="图片文件已损坏") for i in range(12))
    result = AddPhotosResult(added=(FileResult("/x/a.jpg", 1),), refused=refused)
    assert summary_text(result) == "新增 1 张，重复 0 张，未能添加 12 个文件。"


def test_context_menu_retags_phase(qtbot: QtBot, window: MainWindow, ui_desk: Desk) -> None:
    tab = open_photos(qtbot, window, "江西路153号")
    assert not tab.compare_button.isEnabled()  # no 整改后 photo yet
    last = tab.proxy.visible_photos()[-1]
    tab.select_photos([last.id])
    menu = tab.context_menu()
    assert menu is not None
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts == ["查看大图", "设为整改前", "设为整改中", "设为整改后", "关联到事件…", "导出原图…", "删除"]
    action = next(a for a in menu.actions() if a.objectName() == "set_phase_after")
    action.trigger()
    wait_idle(qtbot, window.ops)
    menu.deleteLater()
    stored = next(p for p in ui_desk.photos(site_id(ui_desk, "江西路153号")) if p.id == last.id)
    assert stored.phase == "after"
    assert tab.model.photo_at(tab.model.row_of(last.id) or 0).phase == "after"
    assert tab.compare_button.isEnabled()
    assert "设为整改后" in window.statusBar().currentMessage()


def test_link_export_and_delete(
    qtbot: QtBot, window: MainWindow, ui_desk: Desk, tmp_path: Path, dialogs: Dialogs
) -> None:
    tab = open_photos(qtbot, window, "江西路153号")
    sid = site_id(ui_desk, "江西路153号")
    photos = tab.proxy.visible_photos()
    event = tab.model.events()[-1]
    tab.link_to_event([photos[0].id], event.id)
    wait_idle(qtbot, window.ops)
    assert next(p for p in ui_desk.photos(sid) if p.id == photos[0].id).event_id == event.id

    targets = export_targets(photos[:2], tmp_path)
    tab.export_originals(targets)
    wait_idle(qtbot, window.ops)
    assert targets[photos[0].id].read_bytes() == ui_desk.original(photos[0].id)

    dialogs.answer = QMessageBox.StandardButton.Yes
    tab.delete_photos([photos[1].id])
    wait_idle(qtbot, window.ops)
    assert all(p.id != photos[1].id for p in ui_desk.photos(sid))
    assert tab.model.row_of(photos[1].id) is None


def test_export_targets_never_clash(tmp_path: Path, ui_desk: Desk) -> None:
    photos = ui_desk.photos(site_id(ui_desk, "江西路153号"))[:2]
    same = [photos[0], photos[1].__class__(**{**photos[1].__dict__, "file_name": photos[0].file_name})]
    (tmp_path / (photos[0].file_name or "")).write_bytes(b"x")
    targets = export_targets(same, tmp_path)
    names = [p.name for p in targets.values()]
    assert len(set(names)) == 2 and all(" (" in n for n in names)


def test_viewer_moves_through_photos(qtbot: QtBot, window: MainWindow) -> None:
    tab = open_photos(qtbot, window, "江西路153号")
    photos = tab.proxy.visible_photos()
    viewer = tab.open_viewer(photos[0].id)
    assert viewer is not None
    wait_idle(qtbot, window.ops)
    assert viewer.current().id == photos[0].id
    assert viewer.view.pixmap().width() == photos[0].width
    assert viewer.status.text() == ""
    assert photos[0].file_name and photos[0].file_name in viewer.info.text()
    assert "1/6" in viewer.info.text() and viewer.phase_badge.text() == "整改前"
    assert not viewer.prev_button.isEnabled()

    viewer.view.setFocus()
    qtbot.keyClick(viewer.view, Qt.Key.Key_Right)  # the photo has the focus: the arrow still means next
    wait_idle(qtbot, window.ops)
    assert viewer.current().id == photos[1].id and "2/6" in viewer.info.text()
    viewer.next_button.click()
    wait_idle(qtbot, window.ops)
    assert viewer.index == 2
    qtbot.keyClick(viewer, Qt.Key.Key_Left)
    wait_idle(qtbot, window.ops)
    assert viewer.index == 1

    # Zoom: fit (a 1600×1200 photo is shrunk), 100 %, +, −.
    viewer.fit_button.click()
    assert viewer.view.zoom() < 1.0 and viewer.view.fit_mode()
    viewer.actual_button.click()
    assert viewer.view.zoom() == pytest.approx(1.0)
    viewer.zoom_in_button.click()
    assert viewer.view.zoom() == pytest.approx(1.25)
    qtbot.keyClick(viewer, Qt.Key.Key_Minus)
    assert viewer.view.zoom() == pytest.approx(1.0)
    assert viewer.zoom_label.text() == "100%"
    viewer.close()


def test_viewer_applies_exif_orientation_and_falls_back_for_heic(
    qtbot: QtBot, window: MainWindow, ui_desk: Desk, tmp_path: Path
) -> None:
    sid = site_id(ui_desk, "汕头路7号")
    sideways = tmp_path / "sideways.jpg"
    sideways.write_bytes(jpeg_bytes(3, (120, 60), orientation=6))  # stored landscape, shown portrait
    heic = tmp_path / "phone.heic"
    heic.write_bytes(heic_bytes((120, 90)))
    result = ui_desk.add_photos(sid, [sideways, heic], "after")
    assert len(result.added) == 2, result.refused
    tab = open_photos(qtbot, window, "汕头路7号")
    wait_thumbnails(qtbot, tab)

    viewer = tab.open_viewer(result.added[0].id or 0)
    assert viewer is not None
    wait_idle(qtbot, window.ops)
    pm = viewer.view.pixmap()
    assert (pm.width(), pm.height()) == (60, 120)
    image = pm.toImage()
    top_right, top_left = image.pixelColor(pm.width() - 5, 5), image.pixelColor(5, 5)
    assert top_right.red() > 200 and top_right.green() < 80  # turned a quarter clockwise: red corner top right
    assert not (top_left.red() > 200 and top_left.green() < 80)

    viewer.next()
    wait_idle(qtbot, window.ops)
    assert viewer.current().id == result.added[1].id
    assert "HEIC" in viewer.status.text() and "缩略图" in viewer.status.text()
    assert not viewer.view.pixmap().isNull()
    viewer.close()


def test_compare_dialog_opens_with_before_and_after(qtbot: QtBot, window: MainWindow, ui_desk: Desk) -> None:
    tab = open_photos(qtbot, window, "汕头路7号")
    photos = tab.model.photos()
    first, last = default_pair(photos)
    assert first is not None and last is not None
    assert tab.compare_button.isEnabled()
    dlg = tab.open_compare()
    assert dlg is not None
    with qtbot.waitSignal(dlg.images_loaded, timeout=10000):
        pass
    before, after = dlg.selected()
    assert (before, after) == (first, last)
    earliest = min(p.taken_at for p in photos if p.phase == "before" and p.taken_at)
    assert before is not None and before.taken_at == earliest
    assert dlg.view.before is not None and dlg.view.after is not None
    assert dlg.view.before_caption.startswith("整改前") and dlg.view.after_caption.startswith("整改后")

    dlg.set_mode(SLIDER)
    assert dlg.view.mode == SLIDER
    r = dlg.view.slider_rect()
    qtbot.mouseClick(dlg.view, Qt.MouseButton.LeftButton, pos=QPoint(round(r.left() + r.width() * 0.25), 100))
    assert dlg.view.divider == pytest.approx(0.25, abs=0.02)
    dlg.view.grab()

    if dlg.before_combo.count() > 1:  # pick another before photo
        dlg.before_combo.setCurrentIndex(1)
        wait_idle(qtbot, window.ops)
        assert dlg.selected()[0] != first
    dlg.close()


def test_progress_reaches_the_dialog_on_the_gui_thread(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = open_photos(qtbot, window, "江西路153号")
    files = write_jpegs(tmp_path / "p", 5, start=950)
    seen: list[tuple[int, bool]] = []
    original = QProgressDialog.setValue

    def set_value(dlg: QProgressDialog, value: int) -> None:
        seen.append((value, QThread.currentThread() is QApplication.instance().thread()))
        original(dlg, value)

    monkeypatch.setattr(QProgressDialog, "setValue", set_value)
    assert tab.add_paths(files, phase="during")
    wait_idle(qtbot, window.ops)
    assert [v for v, _ in seen] == [1, 2, 3, 4, 5]
    assert all(on_gui for _, on_gui in seen)
    assert tab.summary_box is not None
    tab.summary_box.close()
