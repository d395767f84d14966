"""The cyclic garbage collector and the GUI thread (issue 13).

A full collection (generation 2) walks every object the collector tracks while holding the GIL, on
whichever thread's allocation set it off: the window stops until it ends. On the large database that is
110,000–290,000 objects (modules, SQLAlchemy's mappers, Qt wrappers, pyqtgraph) and 110–200 ms a
collection (gc.callbacks): the start-up stall was one on the GUI thread, 点位档案's first visit three on the
worker. Those objects live as long as the window, so once a page is built `freeze()` moves everything
tracked to the permanent generation (`gc.freeze()`, constant time): later full collections walk only what
was made since. Cyclic garbage present at a freeze (tens to a hundred objects) stays until `thaw()`, when
the window closes; freezes happen once per page built, so that is bounded.

Start-up imports the app's stack (SQLAlchemy, the models, the DTOs, PySide6) with the collector paused
(`importing()`): every object those imports make lives as long as the process, yet the collector walked
them again and again as they piled up — 170 young and 15 middle collections plus one full one while
`import ui.app` ran, 7–9 % of the import (gc.callbacks). They are frozen when the imports end; the cyclic
garbage the imports leave, frozen with them, is ≈ 600 objects.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def importing() -> Iterator[None]:
    """Run long-lived imports without collecting, then freeze what they made (a no-op for the collector
    if someone else had paused it)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.freeze()
            gc.enable()


def freeze() -> None:
    """Leave what exists now out of every later collection (after building a page)."""
    gc.freeze()


def thaw() -> None:
    """Give the frozen objects back to the collector (the window closed: its pages may go)."""
    gc.unfreeze()
