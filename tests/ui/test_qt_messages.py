"""The conftest's Qt message handler: a warning fails the test, the offscreen plugin's chatter does not."""

from __future__ import annotations

from PySide6.QtCore import qWarning


def test_a_qt_warning_is_caught_and_would_fail(qt_warnings_fail: list[str]) -> None:
    qWarning("QObject::connect: No such signal Foo::bar()")
    assert qt_warnings_fail == ["QtWarningMsg: QObject::connect: No such signal Foo::bar()"]
    qt_warnings_fail.clear()  # this test only proves the catch


def test_offscreen_chatter_is_allowed(qt_warnings_fail: list[str]) -> None:
    qWarning("This plugin does not support propagateSizeHints()")
    assert qt_warnings_fail == []
