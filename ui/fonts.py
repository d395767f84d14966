"""The bundled CJK font, so Chinese never renders as boxes on a machine without CJK fonts."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

import resources

BUNDLED_FONT = Path(resources.__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"

# System CJK fonts that look better where present; the bundled one is always last in line.
PREFERRED_SYSTEM_FAMILIES = ("Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC")

MIN_POINT_SIZE = 10.0

_registered: list[str] = []


def register_bundled_font() -> list[str]:
    """Register the bundled font once; returns its family names (empty if the file is missing or bad)."""
    if not _registered and BUNDLED_FONT.is_file():
        font_id = QFontDatabase.addApplicationFont(str(BUNDLED_FONT))
        if font_id >= 0:
            _registered.extend(QFontDatabase.applicationFontFamilies(font_id))
    return list(_registered)


def ui_families() -> list[str]:
    """Font families for the UI, best first: a system CJK font if installed, then the bundled one."""
    installed = set(QFontDatabase.families())
    families = [f for f in PREFERRED_SYSTEM_FAMILIES if f in installed]
    bundled = register_bundled_font()
    # The .ttc holds Micro Hei and Micro Hei Mono: prefer the proportional face.
    bundled.sort(key=lambda f: "mono" in f.lower())
    return families + [f for f in bundled if f not in families]


def install_app_font(app: QApplication) -> QFont:
    """Set the application font to a CJK-capable family at a readable size; returns it."""
    font = QFont(app.font())
    families = ui_families()
    if families:
        font.setFamilies(families)
    if font.pointSizeF() < MIN_POINT_SIZE:
        font.setPointSizeF(MIN_POINT_SIZE)
    app.setFont(font)
    return font
