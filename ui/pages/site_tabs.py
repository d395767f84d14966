"""The right-hand side of the 挂牌督办 page: 概况 (the detail panel) · 时间线 · 照片, for the selected site.

The timeline and photo tabs load when they are shown (a site picked while 概况 is showing costs nothing),
share one thumbnail cache, and follow writes through the window's change broadcast (ui/pages/site_tab.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QWidget

from ui import prefs
from ui.ops import Ops
from ui.pages.photos_tab import PhotosTab
from ui.pages.site_detail import SiteDetailPanel
from ui.pages.timeline_tab import TimelineTab
from ui.thumbnails import ThumbnailCache
from zhdesk.dto import SiteRow

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    from zhdesk.desk import Desk


OVERVIEW_TAB, TIMELINE_TAB, PHOTOS_TAB = 0, 1, 2
TAB_TITLES = ("概况", "时间线", "照片")


class SiteTabs(QTabWidget):
    message = Signal(str)

    def __init__(self, desk: Desk, ops: Ops, panel: SiteDetailPanel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("site_tabs")
        self.setDocumentMode(True)
        self.site: SiteRow | None = None
        self.thumbs = ThumbnailCache(desk, ops, self)
        self.panel = panel
        self.timeline = TimelineTab(desk, ops, self.thumbs)
        self.timeline.setObjectName("timeline_tab")
        self.photos = PhotosTab(desk, ops, self.thumbs)
        self.photos.setObjectName("photos_tab")
        self.addTab(panel, TAB_TITLES[OVERVIEW_TAB])
        self.addTab(self.timeline, TAB_TITLES[TIMELINE_TAB])
        self.addTab(self.photos, TAB_TITLES[PHOTOS_TAB])
        self.setTabToolTip(TIMELINE_TAB, "挂牌以来的检查、约谈、整改措施等事件")
        self.setTabToolTip(PHOTOS_TAB, "整改前、整改中、整改后的照片")

        self.timeline.count_changed.connect(lambda n: self.setTabText(TIMELINE_TAB, f"时间线（{n}）"))
        self.photos.count_changed.connect(lambda n: self.setTabText(PHOTOS_TAB, f"照片（{n}）"))
        self.timeline.message.connect(self.message)
        self.photos.message.connect(self.message)

        self.setCurrentIndex(max(0, min(self.count() - 1, prefs.SITE_TAB.get())))
        self.currentChanged.connect(prefs.SITE_TAB.set)

    def set_site(self, row: SiteRow) -> None:
        """Another site was selected."""
        if self.site is None or self.site.id != row.id:
            self.thumbs.clear()
            self.setTabText(TIMELINE_TAB, TAB_TITLES[TIMELINE_TAB])
            self.setTabText(PHOTOS_TAB, TAB_TITLES[PHOTOS_TAB])
        self.site = row
        self.timeline.set_site(row)
        self.photos.set_site(row)

    def site_updated(self, row: SiteRow) -> None:
        """The same site's row is fresher (deadline, status); what a write changed reloads on its broadcast."""
        if self.site is None or self.site.id != row.id:
            self.set_site(row)
            return
        self.site = row
        self.timeline.set_site(row)
        self.photos.set_site(row)

    def reload(self) -> None:
        """Read the shown site's timeline and photos again (F5); hidden tabs reload when shown."""
        if self.site is not None:
            self.timeline.set_site(self.site, reload=True)
            self.photos.set_site(self.site, reload=True)
