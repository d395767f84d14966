"""照片 tab of the site panel: the gallery (thumbnails load in pages off the GUI thread), phase filter,
adding files / folders / dropped files with a progress dialog and a summary, the right-click actions,
the full-size viewer and the before/after comparison."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QObject, QPoint, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ui import access, prefs
from ui import conflict as conflict_ui
from ui.ops import Ops, confirm, describe, show_error
from ui.pages.photos_model import EMPTY_HINT, NO_MATCH_HINT, GalleryView, PhaseProxy, PhotosModel, PhotoTileDelegate
from ui.pages.site_tab import SiteTab
from ui.pages.timeline_tab import site_caption
from ui.thumbnails import ThumbnailCache
from zhdesk.changes import PHOTOS_CHANGED
from zhdesk.domain.vocab import PHASES
from zhdesk.dto import AddPhotosResult, EventDTO, PhotoDTO, SiteRow

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    # The dialogs load when first opened (start-up imports none, issue 13).
    from ui.dialogs.compare import CompareDialog
    from ui.dialogs.viewer import PhotoViewer
    from zhdesk.desk import Desk


PHOTO_FILTER = "照片 (*.jpg *.jpeg *.png *.webp *.heic *.heif *.JPG *.JPEG *.PNG *.WEBP *.HEIC *.HEIF);;所有文件 (*)"
ALL_PHASES = "全部阶段"
SUMMARY_TITLE = "添加照片"
MAX_INLINE_REFUSALS = 8
ADD_FILES_TIP = "选择一张或多张照片（JPG、PNG、WebP、HEIC），也可以直接拖进下方"
ADD_FOLDER_TIP = "添加一个文件夹中的全部照片"


def refusal_lines(result: AddPhotosResult) -> list[str]:
    return [f"{Path(r.file).name}：{r.reason}" for r in result.refused]


def summary_text(result: AddPhotosResult) -> str:
    text = f"新增 {len(result.added)} 张，重复 {len(result.duplicates)} 张"
    if result.refused:
        text += f"，未能添加 {len(result.refused)} 个文件"
    return text + "。"


def describe_paths(paths: Sequence[Path]) -> str:
    folders = [p for p in paths if p.is_dir()]
    files = len(paths) - len(folders)
    parts = []
    if files:
        parts.append(f"{files} 个文件")
    if folders:
        names = "、".join(p.name for p in folders[:2]) + ("等" if len(folders) > 2 else "")
        parts.append(f"文件夹“{names}”中的照片" if len(folders) <= 2 else f"{len(folders)} 个文件夹（{names}）中的照片")
    return "，".join(parts) or "0 个文件"


class AddProgress(QObject):
    """The service's progress callback. Called on the worker: emits (queued to the GUI thread) and
    reports whether to go on; the GUI sets `cancelled` from the progress dialog's 取消."""

    progressed = Signal(int, int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cancelled = threading.Event()

    def __call__(self, done: int, total: int) -> bool:
        self.progressed.emit(done, total)
        return not self.cancelled.is_set()


class PhotosTab(SiteTab):
    WATCHES = ("photos", "events")  # photos link to events: their choices and labels
    count_changed = Signal(int)
    message = Signal(str)
    loaded = Signal()
    added = Signal(object)  # AddPhotosResult, after the summary is shown

    def __init__(self, desk: Desk, ops: Ops, thumbs: ThumbnailCache, parent: QWidget | None = None) -> None:
        super().__init__(desk, ops, parent)
        self.thumbs = thumbs
        self.progress_dialog: QProgressDialog | None = None
        self.summary_box: QMessageBox | None = None
        self.viewer: PhotoViewer | None = None
        self.compare_dialog: CompareDialog | None = None

        self.caption = QLabel()
        self.caption.setObjectName("photos_caption")
        self.phase_combo = QComboBox()
        self.phase_combo.setObjectName("phase_filter")
        self.phase_combo.addItem(ALL_PHASES, None)
        for code, label in PHASES.items():
            self.phase_combo.addItem(label, code)
        self.phase_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.add_files_button = QPushButton("添加照片…")
        self.add_files_button.setObjectName("add_photos")
        self.add_files_button.setToolTip(ADD_FILES_TIP)
        self.add_folder_button = QPushButton("添加文件夹…")
        self.add_folder_button.setObjectName("add_folder")
        self.add_folder_button.setToolTip(ADD_FOLDER_TIP)
        self.compare_button = QPushButton("整改前后对比")
        self.compare_button.setObjectName("compare_photos")
        self.count_label = QLabel()
        self.count_label.setObjectName("photos_count")

        bar1 = QHBoxLayout()
        bar1.addWidget(self.caption, 1)
        bar1.addWidget(self.count_label)
        bar2 = QHBoxLayout()
        bar2.addWidget(self.phase_combo)
        bar2.addStretch(1)
        bar2.addWidget(self.add_files_button)
        bar2.addWidget(self.add_folder_button)
        bar2.addWidget(self.compare_button)

        self.model = PhotosModel(thumbs, self)
        self.proxy = PhaseProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = GalleryView()
        self.view.setModel(self.proxy)
        self.view.setItemDelegate(PhotoTileDelegate(self.model, self.view))
        self.view.update_grid()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(bar1)
        layout.addLayout(bar2)
        layout.addWidget(self.view, 1)

        self.phase_combo.currentIndexChanged.connect(self._filter_changed)
        self.add_files_button.clicked.connect(self.add_files_dialog)
        self.add_folder_button.clicked.connect(self.add_folder_dialog)
        self.compare_button.clicked.connect(self.open_compare)
        self.view.files_dropped.connect(self.add_paths)
        self.view.viewport_changed.connect(self.request_visible)
        self.view.doubleClicked.connect(self._open_index)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self._update_controls()

    # ------------------------------------------------------------ loading (ui/pages/site_tab.py)
    def clear_site(self) -> None:
        self.thumbs.clear()
        self.model.set_photos([])

    def show_row(self, row: SiteRow) -> None:
        self.caption.setText(site_caption(row))

    def update_controls(self) -> None:
        self._update_controls()

    def load(self, sid: int) -> None:
        desk = self.desk
        self.ops.run(
            lambda: (desk.photos(sid), desk.timeline(sid)),
            lambda result: self._loaded(sid, *result),
            label="正在读取照片…",
        )

    def _loaded(self, site_id: int, photos: list[PhotoDTO], events: list[EventDTO]) -> None:
        if self.site is None or self.site.id != site_id:
            return
        self.model.set_photos(photos, events)
        self._request_all()
        self._update_controls()
        self.count_changed.emit(len(photos))
        self.loaded.emit()

    def _request_all(self) -> None:
        """First page now (what is on screen first), the rest queued behind it."""
        ids = [p.id for p in self.proxy.visible_photos()]
        first = self.thumbs.page_size
        self.thumbs.request(ids[:first], urgent=True)
        self.thumbs.request(ids[first:])
        shown = set(ids)
        others = [p.id for p in self.model.photos() if p.id not in shown]
        self.thumbs.request(others)

    def request_visible(self) -> None:
        """Scrolled or resized: what is on screen now goes to the front of the queue."""
        rows = self.view.visible_rows()
        if rows:
            self.thumbs.request([self.proxy.photo_at(r).id for r in rows], urgent=True)

    def _filter_changed(self) -> None:
        self.proxy.set_phase(self.phase_combo.currentData())
        self.view.empty_text = EMPTY_HINT if self.model.rowCount() == 0 else NO_MATCH_HINT
        self.request_visible()
        self._update_controls()

    def _update_controls(self) -> None:
        has_site = self.site is not None
        why = self.refusal() if has_site else None
        for b, tip in ((self.add_files_button, ADD_FILES_TIP), (self.add_folder_button, ADD_FOLDER_TIP)):
            b.setEnabled(has_site and why is None)
            b.setToolTip(why or tip)
        photos = self.model.photos()
        counts = {code: sum(p.phase == code for p in photos) for code in PHASES}
        for i in range(1, self.phase_combo.count()):
            code = self.phase_combo.itemData(i)
            self.phase_combo.setItemText(i, f"{PHASES[code]}（{counts[code]}）")
        self.phase_combo.setItemText(0, f"{ALL_PHASES}（{len(photos)}）")
        shown = self.proxy.rowCount()
        self.count_label.setText(f"共 {len(photos)} 张" if shown == len(photos) else f"显示 {shown} / {len(photos)} 张")
        can_compare = counts["before"] > 0 and counts["after"] > 0
        self.compare_button.setEnabled(can_compare)
        self.compare_button.setToolTip(
            "把整改前和整改后的照片放在一起对比" if can_compare else "需要至少一张整改前和一张整改后的照片"
        )
        self.view.empty_text = EMPTY_HINT if not photos else NO_MATCH_HINT
        self.view.viewport().update()

    # ------------------------------------------------------------ selection helpers
    def selected_photos(self) -> list[PhotoDTO]:
        rows = sorted(ix.row() for ix in self.view.selectionModel().selectedIndexes())
        return [self.proxy.photo_at(r) for r in rows]

    def select_photos(self, ids: Sequence[int]) -> None:
        sel = self.view.selectionModel()
        sel.clearSelection()
        for pid in ids:
            r = self.proxy.proxy_row_of(pid)
            if r is not None:
                sel.select(self.proxy.index(r, 0), sel.SelectionFlag.Select)

    # ------------------------------------------------------------ adding
    def add_files_dialog(self) -> None:
        folder = prefs.PHOTO_DIR.get() or str(Path.home())
        files, _ = QFileDialog.getOpenFileNames(self, "添加照片", folder, PHOTO_FILTER)
        if files:
            prefs.PHOTO_DIR.set(str(Path(files[0]).parent))
            self.add_paths([Path(f) for f in files])

    def add_folder_dialog(self) -> None:
        folder = prefs.PHOTO_DIR.get() or str(Path.home())
        chosen = QFileDialog.getExistingDirectory(self, "添加文件夹中的照片", folder)
        if chosen:
            prefs.PHOTO_DIR.set(chosen)
            self.add_paths([Path(chosen)])

    def choose_target(self, paths: Sequence[Path]) -> tuple[str, int | None] | None:
        """Ask for the phase (default 整改前, or the phase being filtered) and an optional event."""
        if self.site is None:
            return None
        phase = self.phase_combo.currentData() or "before"
        from ui.dialogs.add_photos import AddPhotosDialog

        dlg = AddPhotosDialog(self, self.site.address, describe_paths(paths), self.model.events(), phase)
        try:
            return dlg.choice() if dlg.exec() == AddPhotosDialog.DialogCode.Accepted else None
        finally:
            dlg.deleteLater()

    def add_paths(self, paths: Sequence[Path], phase: str | None = None, event_id: int | None = None) -> bool:
        """The one way photos get added (buttons and drops): choose phase/event, then add on the worker."""
        if self.site is None or not paths:
            return False
        why = self.refusal()
        if why is not None:  # a drop on a site this account may not change
            self.message.emit(why)
            return False
        if phase is None:
            choice = self.choose_target(paths)
            if choice is None:
                return False
            phase, event_id = choice
        self._start_add(list(paths), phase, event_id)
        return True

    def _start_add(self, paths: list[Path], phase: str, event_id: int | None) -> None:
        assert self.site is not None
        progress = AddProgress(self)
        dlg = QProgressDialog("正在添加照片…", "取消", 0, 0, self)
        dlg.setWindowTitle(SUMMARY_TITLE)
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(300)
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        dlg.canceled.connect(progress.cancelled.set)
        progress.progressed.connect(self._progressed)  # a slot of this GUI-thread object: queued from the worker
        self.progress_dialog = dlg
        self.add_files_button.setEnabled(False)
        self.add_folder_button.setEnabled(False)
        sid, desk = self.site.id, self.desk
        self.ops.write(
            lambda: desk.add_photos(sid, paths, phase, event_id, progress),
            PHOTOS_CHANGED.for_site(sid),  # the broadcast reloads this tab and marks the timeline stale
            lambda result: self._added(sid, result, dlg, progress),
            lambda exc: self._add_failed(exc, dlg, progress),
            label="正在添加照片…",
            show_errors=False,
        )

    @Slot(int, int)
    def _progressed(self, done: int, total: int) -> None:
        dlg = self.progress_dialog
        if dlg is not None and isValid(dlg) and not dlg.wasCanceled():
            dlg.setMaximum(total)
            dlg.setValue(done)
            dlg.setLabelText(f"正在添加照片… {done}/{total}")

    def _finish_progress(self, dlg: QProgressDialog, progress: AddProgress) -> None:
        if isValid(dlg):
            dlg.close()
            dlg.deleteLater()
        if self.progress_dialog is dlg:
            self.progress_dialog = None
        progress.deleteLater()
        self._update_controls()

    def _added(self, site_id: int, result: AddPhotosResult, dlg: QProgressDialog, progress: AddProgress) -> None:
        self._finish_progress(dlg, progress)
        self.show_summary(result)
        self.message.emit(summary_text(result))
        self.added.emit(result)

    def _add_failed(self, exc: BaseException, dlg: QProgressDialog, progress: AddProgress) -> None:
        self._finish_progress(dlg, progress)
        if progress.cancelled.is_set():
            self.message.emit("已取消添加照片，未保存任何照片")
            return
        show_error(self, describe(exc))

    def show_summary(self, result: AddPhotosResult) -> QMessageBox:
        """新增 N 张，重复 M 张 — and, for refused files, “文件名：原因” (all of them under 显示详细信息)."""
        if self.summary_box is not None and isValid(self.summary_box):
            self.summary_box.close()
        lines = refusal_lines(result)
        icon = QMessageBox.Icon.Warning if result.refused else QMessageBox.Icon.Information
        box = QMessageBox(icon, SUMMARY_TITLE, summary_text(result), QMessageBox.StandardButton.Ok, self)
        box.setObjectName("add_summary")
        if lines:
            shown = lines[:MAX_INLINE_REFUSALS]
            more = f"\n……等共 {len(lines)} 个（见“显示详细信息”）" if len(lines) > len(shown) else ""
            box.setInformativeText("未能添加的文件：\n" + "\n".join(shown) + more)
            box.setDetailedText("\n".join(lines))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.summary_box = box
        return box

    # ------------------------------------------------------------ right-click actions
    def _context_menu(self, pos: QPoint) -> None:
        if not self.view.indexAt(pos).isValid():
            return
        menu = self.context_menu()
        if menu is not None:
            menu.exec(self.view.viewport().mapToGlobal(pos))
            menu.deleteLater()

    def context_menu(self) -> QMenu | None:
        """The actions for the selected photos (built here so tests can trigger them)."""
        photos = self.selected_photos()
        if not photos:
            return None
        ids = [p.id for p in photos]
        menu = QMenu(self)
        view = menu.addAction("查看大图")
        view.triggered.connect(lambda: self.open_viewer(photos[0].id))
        menu.addSeparator()
        for code, label in PHASES.items():
            act = menu.addAction(f"设为{label}")
            act.setObjectName(f"set_phase_{code}")
            act.setEnabled(any(p.phase != code for p in photos))
            act.triggered.connect(lambda _c=False, code=code: self.set_phase(ids, code))
        link = menu.addAction("关联到事件…")
        link.triggered.connect(lambda: self.link_dialog(ids))
        menu.addSeparator()
        export = menu.addAction("导出原图…")
        export.triggered.connect(lambda: self.export_dialog(photos))
        delete = menu.addAction("删除")
        delete.setObjectName("delete_photos")
        delete.triggered.connect(lambda: self.delete_photos(ids))
        why = self.refusal()
        if why is not None:  # viewing and exporting stay; changing is the core's refusal, shown here
            for act in menu.actions():
                if act not in (view, export) and not act.isSeparator():
                    access.refuse_in_place(act, why)
        menu.setToolTipsVisible(True)
        return menu

    def _update_photos(
        self,
        ids: Sequence[int],
        call: Callable[[int, dict[str, object] | None], PhotoDTO],
        label: str,
        done_text: str,
        again: Callable[[list[int]], None],
    ) -> None:
        """`call(id, expected)` for each photo, `expected` as the gallery shows it: a change made elsewhere
        since asks (ui/conflict.py); 用我的修改覆盖 reads the photos again and runs `again`."""
        shown = {p.id: p for p in self.model.photos()}
        seen = {pid: _expected(shown.get(pid)) for pid in ids}

        def work() -> list[PhotoDTO]:
            return [call(pid, seen[pid]) for pid in ids]

        changes = PHOTOS_CHANGED.for_site(self.site.id) if self.site else PHOTOS_CHANGED
        self.ops.write(work, changes, lambda photos: self._photos_updated(photos, done_text),
                       lambda exc: self._update_failed(exc, list(ids), again), label=label, initiator=self,
                       show_errors=False)  # fmt: skip

    def _update_failed(self, exc: BaseException, ids: list[int], again: Callable[[list[int]], None]) -> None:
        desk, site = self.desk, self.site

        def read_again() -> None:
            if site is not None:
                self.ops.run(lambda: desk.photos(site.id), lambda now: self._again(now, ids, again), label="正在读取…")

        if conflict_ui.resolve(self, exc, self.reload, read_again) is None:
            show_error(self, describe(exc))
            self.reload()

    def _again(self, now: list[PhotoDTO], ids: list[int], again: Callable[[list[int]], None]) -> None:
        """Show the photos as they are now, then save mine over them (the ones still there)."""
        self.model.replace(now)
        left = {p.id for p in now}
        again([pid for pid in ids if pid in left])

    def _photos_updated(self, photos: list[PhotoDTO], text: str) -> None:
        self.model.replace(photos)
        self._update_controls()
        self.request_visible()
        self.message.emit(text)

    def set_phase(self, ids: Sequence[int], phase: str) -> None:
        desk, label = self.desk, PHASES[phase]
        self._update_photos(ids, lambda pid, seen: desk.update_photo(pid, phase=phase, expected=seen),
                            "正在修改照片阶段…", f"已将 {len(ids)} 张照片设为{label}",
                            lambda now: self.set_phase(now, phase))  # fmt: skip

    def link_dialog(self, ids: Sequence[int]) -> None:
        current = {p.event_id for p in self.selected_photos()}
        from ui.dialogs.add_photos import LinkEventDialog

        dlg = LinkEventDialog(self, len(ids), self.model.events(), next(iter(current)) if len(current) == 1 else None)
        try:
            if dlg.exec() == LinkEventDialog.DialogCode.Accepted:
                self.link_to_event(ids, dlg.event_id())
        finally:
            dlg.deleteLater()

    def link_to_event(self, ids: Sequence[int], event_id: int | None) -> None:
        desk = self.desk
        if event_id is None:
            self._update_photos(ids, lambda pid, seen: desk.update_photo(pid, unlink=True, expected=seen),
                                "正在修改照片…", f"已取消 {len(ids)} 张照片与事件的关联",
                                lambda now: self.link_to_event(now, None))  # fmt: skip
            return
        ev = self.model.event_by_id(event_id)
        what = f"{ev.date.isoformat()} {ev.kind_label}" if ev else "所选事件"
        self._update_photos(ids, lambda pid, seen: desk.update_photo(pid, event_id=event_id, expected=seen),
                            "正在修改照片…", f"已将 {len(ids)} 张照片关联到 {what}",
                            lambda now: self.link_to_event(now, event_id))  # fmt: skip

    def export_dialog(self, photos: Sequence[PhotoDTO]) -> None:
        folder = prefs.EXPORT_DIR.get() or str(Path.home())
        if len(photos) == 1:
            p = photos[0]
            suggested = Path(folder) / (p.file_name or f"照片{p.id}.jpg")
            path, _ = QFileDialog.getSaveFileName(self, "导出原图", str(suggested), "所有文件 (*)")
            if path:
                prefs.EXPORT_DIR.set(str(Path(path).parent))
                self.export_originals({p.id: Path(path)}, overwrite=True)  # the save dialog asked
            return
        chosen = QFileDialog.getExistingDirectory(self, f"导出 {len(photos)} 张原图到文件夹", folder)
        if chosen:
            prefs.EXPORT_DIR.set(chosen)
            self.export_originals(export_targets(photos, Path(chosen)))

    def export_originals(self, targets: dict[int, Path], *, overwrite: bool = False) -> None:
        """Folder exports pick names not taken (export_targets), so nothing existing is replaced there."""
        desk = self.desk

        def work() -> int:
            for pid, path in targets.items():
                desk.export_photo(pid, path, overwrite=overwrite)
            return len(targets)

        where = next(iter(targets.values())).parent if targets else ""
        self.ops.run(work, lambda n: self.message.emit(f"已导出 {n} 张原图到 {where}"), label="正在导出原图…")

    def delete_photos(self, ids: Sequence[int]) -> None:
        if not confirm(
            self,
            "删除照片",
            f"从该点位删除所选的 {len(ids)} 张照片？\n\n删除后不再显示；删除操作记入审计记录。",
        ):
            return
        desk, gone = self.desk, list(ids)

        def work() -> None:
            for pid in gone:
                desk.delete_photo(pid)

        changes = PHOTOS_CHANGED.for_site(self.site.id) if self.site else PHOTOS_CHANGED
        self.ops.write(work, changes, lambda _r: self._deleted(gone), lambda _e: self.reload(),
                       label="正在删除照片…", initiator=self)  # fmt: skip

    def _deleted(self, ids: list[int]) -> None:
        self.model.remove(ids)
        self.thumbs.forget(ids)
        self._update_controls()
        self.count_changed.emit(self.model.rowCount())
        self.message.emit(f"已删除 {len(ids)} 张照片")

    # ------------------------------------------------------------ viewer and comparison
    def _open_index(self, index: QModelIndex) -> None:
        self.open_viewer(self.proxy.photo_at(index.row()).id)

    def open_viewer(self, photo_id: int) -> PhotoViewer | None:
        photos = self.proxy.visible_photos()
        i = next((n for n, p in enumerate(photos) if p.id == photo_id), None)
        if i is None or self.site is None:
            return None
        if self.viewer is not None and isValid(self.viewer):
            self.viewer.close()
            self.viewer.deleteLater()
        from ui.dialogs.viewer import PhotoViewer

        self.viewer = PhotoViewer(self, self.desk, self.ops, photos, i, self.site.address, self.thumbs)
        self.viewer.open()
        return self.viewer

    def open_compare(self) -> CompareDialog | None:
        if self.site is None or not self.compare_button.isEnabled():
            return None
        if self.compare_dialog is not None and isValid(self.compare_dialog):
            self.compare_dialog.close()
            self.compare_dialog.deleteLater()
        from ui.dialogs.compare import CompareDialog

        self.compare_dialog = CompareDialog(self, self.desk, self.ops, self.model.photos(), self.site.address,
                                            self.thumbs)  # fmt: skip
        self.compare_dialog.open()
        return self.compare_dialog


def export_targets(photos: Sequence[PhotoDTO], folder: Path) -> dict[int, Path]:
    """Each photo to `folder` under its own file name; repeats get ' (2)', ' (3)' …; existing files kept."""
    out: dict[int, Path] = {}
    used: set[str] = set()
    for p in photos:
        name = p.file_name or f"照片{p.id}.jpg"
        stem, suffix = Path(name).stem, Path(name).suffix
        candidate, n = name, 1
        while candidate.lower() in used or (folder / candidate).exists():
            n += 1
            candidate = f"{stem} ({n}){suffix}"
        used.add(candidate.lower())
        out[p.id] = folder / candidate
    return out


def _expected(p: PhotoDTO | None) -> dict[str, object] | None:
    """What update_photo compares: the photo's phase and event as the gallery showed them."""
    return None if p is None else {"phase": p.phase, "event_id": p.event_id}
