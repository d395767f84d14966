"""Pages follow writes made anywhere in the window: a `StaleWatch` marks its widget stale when a broadcast
`Changes` concerns it, reloads it at once if it is on screen, and otherwise when it is next shown.

Every page (and every lazily loaded tab) owns one; no page wires another page's signals by hand.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Slot
from PySide6.QtWidgets import QWidget

from ui.ops import Ops
from zhdesk.changes import Changes


class StaleWatch(QObject):
    def __init__(
        self,
        widget: QWidget,
        ops: Ops,
        concerns: Callable[[Changes], bool],
        reload: Callable[[], None],
        *,
        stale: bool = False,
        every_show: bool = False,
    ) -> None:
        """`stale`: load on the first show. `every_show`: re-read on every visit too (catches what other
        workstations wrote meanwhile; for cheap pages such as 总览)."""
        super().__init__(widget)  # dies with the widget, and its connection with it
        self._widget = widget
        self._concerns = concerns
        self._reload = reload
        self.stale = stale
        self.every_show = every_show
        widget.installEventFilter(self)
        ops.changed.connect(self._changed)

    @Slot(object, object)
    def _changed(self, changes: Changes, initiator: object) -> None:
        # The widget that asked for the write has shown its result already.
        if initiator is not self._widget and self._concerns(changes):
            self.mark_stale()

    def mark_stale(self) -> None:
        """Reload now if on screen, else on the next show."""
        self.stale = True
        if self._widget.isVisible():
            self.reload_now()

    def reload_now(self) -> None:
        self.stale = False
        self._reload()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._widget and event.type() == QEvent.Type.Show and (self.stale or self.every_show):
            self.reload_now()
        return False
