"""Guard against a Qt binding that corrupts reference counts.

PySide6 6.12.0 on Python 3.11 drops a reference to True on every Python `signal.emit()` and to None on
every `QModelIndex.data()` that returns nothing; after a few hundred calls the interpreter aborts
("deallocating True or False"). 6.11.x is fine, and so is Python 3.12+ (True/None are immortal there).
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QModelIndex, QObject, QStringListModel, Qt, Signal, __version__

pytestmark = pytest.mark.skipif(sys.version_info >= (3, 12), reason="True/None are immortal on 3.12+")

CALLS = 200
ADVICE = f"PySide6 {__version__} corrupts reference counts on this Python; use PySide6-Essentials 6.11.x"


class _Emitter(QObject):
    fired = Signal(int)


def test_emit_keeps_reference_counts() -> None:
    e = _Emitter()
    got: list[int] = []
    e.fired.connect(got.append)
    before = sys.getrefcount(True)
    for i in range(CALLS):
        e.fired.emit(i)
    assert len(got) == CALLS
    assert abs(sys.getrefcount(True) - before) < CALLS // 2, ADVICE


def test_model_data_keeps_reference_counts() -> None:
    model = QStringListModel(["a"])
    index: QModelIndex = model.index(0, 0)
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        assert index.data(Qt.ItemDataRole.DecorationRole) is None
    assert abs(sys.getrefcount(None) - before) < CALLS // 2, ADVICE
