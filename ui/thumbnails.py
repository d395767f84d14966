"""Photo thumbnails for the window: fetched through the database worker in pages, decoded there to QImage
(QImage is safe off the GUI thread), turned into QPixmaps on the GUI thread, cached per photo id.

One page is in flight at a time, so other database work (a click on another site, an edit) never waits
behind hundreds of thumbnails. Pages asked for with `urgent=True` (what is on screen now) jump the queue.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage, QPixmap

from ui.ops import Ops

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    from zhdesk.desk import Desk


PAGE_SIZE = 24
TILE_EDGE = 180  # decoded size: a gallery tile at up to 1.25 display scale; the viewer asks for originals


def decode_thumbnails(data: dict[int, bytes], edge: int) -> dict[int, QImage]:
    """JPEG bytes -> QImages at most `edge` pixels on the long side. Runs on the worker."""
    out: dict[int, QImage] = {}
    for pid, raw in data.items():
        img = QImage.fromData(raw)
        if img.isNull():
            continue
        if max(img.width(), img.height()) > edge:
            img = img.scaled(edge, edge, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        out[pid] = img
    return out


class ThumbnailCache(QObject):
    """Owner of the thumbnails one page shows. `loaded(ids)` says which just became available."""

    loaded = Signal(list)

    def __init__(self, desk: Desk, ops: Ops, parent: QObject | None = None, *, edge: int = TILE_EDGE) -> None:
        super().__init__(parent)
        self.desk = desk
        self.ops = ops
        self.edge = edge
        self.page_size = PAGE_SIZE
        self._pixmaps: dict[int, QPixmap] = {}
        self._failed: set[int] = set()
        self._queue: OrderedDict[int, None] = OrderedDict()  # wanted, in the order they will be fetched
        self._in_flight: set[int] = set()
        self._generation = 0

    def pixmap(self, photo_id: int) -> QPixmap | None:
        return self._pixmaps.get(photo_id)

    def has(self, photo_id: int) -> bool:
        return photo_id in self._pixmaps

    def missing(self, photo_id: int) -> bool:
        """The database had no usable thumbnail for it (placeholder stays)."""
        return photo_id in self._failed

    def busy(self) -> bool:
        return bool(self._in_flight or self._queue)

    def clear(self) -> None:
        """Forget everything (another site): pages still in flight are dropped when they arrive."""
        self._generation += 1
        self._pixmaps.clear()
        self._failed.clear()
        self._queue.clear()
        self._in_flight.clear()

    def forget(self, ids: Iterable[int]) -> None:
        for pid in ids:
            self._pixmaps.pop(pid, None)
            self._queue.pop(pid, None)

    def request(self, ids: Sequence[int], *, urgent: bool = False) -> None:
        """Fetch these ids (those not cached or already on the way); `urgent` puts them first."""
        fresh = [i for i in ids if i not in self._pixmaps and i not in self._in_flight and i not in self._failed]
        if urgent:
            for pid in reversed(fresh):
                self._queue[pid] = None
                self._queue.move_to_end(pid, last=False)
        else:
            for pid in fresh:
                self._queue.setdefault(pid, None)
        self._next()

    def _next(self) -> None:
        if self._in_flight or not self._queue or self.ops.closed:
            return
        page = [self._queue.popitem(last=False)[0] for _ in range(min(self.page_size, len(self._queue)))]
        self._in_flight.update(page)
        desk, edge, generation = self.desk, self.edge, self._generation
        self.ops.run(
            lambda: decode_thumbnails(desk.thumbnails(page), edge),
            lambda images: self._arrived(generation, page, images),
            lambda _exc: self._arrived(generation, page, {}),
            label="正在读取照片缩略图…",
            show_errors=False,  # a missing thumbnail keeps its placeholder; not worth a dialog
        )

    def _arrived(self, generation: int, page: list[int], images: dict[int, QImage]) -> None:
        if generation != self._generation:
            self._next()
            return
        self._in_flight.difference_update(page)
        for pid in page:
            img = images.get(pid)
            if img is None:
                self._failed.add(pid)
            else:
                self._pixmaps[pid] = QPixmap.fromImage(img)
        self.loaded.emit(page)
        self._next()
