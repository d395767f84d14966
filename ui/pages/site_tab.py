"""Base of the site panel's lazily loaded tabs (时间线, 照片): one site shown; picking a site or a write
that concerns it marks the tab stale, and it reads the database when it is (or becomes) visible — so a
site picked while another tab is showing costs nothing, and after a write only the visible tab reads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from ui import access
from ui.ops import Ops
from ui.stale import StaleWatch
from zhdesk.changes import Changes
from zhdesk.dto import SiteRow

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    from zhdesk.desk import Desk


class SiteTab(QWidget):
    # Kinds of `Changes` this tab shows (for its site only).
    WATCHES: tuple[str, ...] = ()

    def __init__(self, desk: Desk, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.ops = ops
        self.site: SiteRow | None = None
        self.watch = StaleWatch(self, ops, self._concerns, self.reload)

    def refusal(self, action: str = "events.edit") -> str | None:
        """Why the account may not do `action` on the shown site (its role, or a staff account bound to
        another community), or None."""
        return access.of(self.desk).site_refusal(action, self.site.community if self.site is not None else None)

    def _concerns(self, changes: Changes) -> bool:
        return self.site is not None and changes.any(*self.WATCHES) and changes.concerns_site(self.site.id)

    def set_site(self, row: SiteRow | None, *, reload: bool = False) -> None:
        """Show another site (or the same one, changed); loads now if visible, else when shown."""
        same = self.site is not None and row is not None and self.site.id == row.id
        self.site = row
        if not same:
            self.clear_site()
        if row is not None:
            self.show_row(row)
            if not same or reload:
                self.watch.mark_stale()
        self.update_controls()

    def reload(self) -> None:
        if self.site is None:
            return
        self.watch.stale = False
        self.load(self.site.id)

    # -- for subclasses
    def load(self, site_id: int) -> None:
        """Read the site's data on the worker."""
        raise NotImplementedError

    def clear_site(self) -> None:
        """Another site: forget what was shown."""

    def show_row(self, row: SiteRow) -> None:
        """What the row itself tells (caption, dates), without reading anything."""

    def update_controls(self) -> None:
        """Enable buttons for the current state."""
