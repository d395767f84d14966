"""Per-workstation preferences (QSettings), each declared once here with its key and default.

Settings every workstation shares (warning days, ...) live in the database, not here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "zhdesk"
APPLICATION = "zhdesk"

T = TypeVar("T")


def settings() -> QSettings:
    """The user's settings store; honours QSettings.setDefaultFormat/setPath (tests point it at a temp dir)."""
    return QSettings(QSettings.defaultFormat(), QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


def as_float(raw: object) -> float:
    return float(str(raw))


def as_str(raw: object) -> str:
    return "" if raw is None else str(raw)


@dataclass(frozen=True)
class Pref(Generic[T]):
    """A typed scalar preference: key, default, and how to read the stored value back (IniFormat gives text)."""

    key: str
    default: T
    parse: Callable[[object], T]

    def get(self, store: QSettings | None = None) -> T:
        raw: object = (store or settings()).value(self.key, self.default)
        try:
            return self.parse(raw)
        except (TypeError, ValueError):
            return self.default

    def set(self, value: T, store: QSettings | None = None) -> None:
        s = store or settings()
        s.setValue(self.key, value)
        s.sync()


@dataclass(frozen=True)
class BlobPref:
    """An opaque QByteArray preference (window geometry, splitter and header state)."""

    key: str

    def get(self, store: QSettings | None = None) -> QByteArray | None:
        raw = (store or settings()).value(self.key)
        return raw if isinstance(raw, QByteArray) and not raw.isEmpty() else None

    def set(self, value: QByteArray, store: QSettings | None = None) -> None:
        s = store or settings()
        s.setValue(self.key, value)
        s.sync()


# Display size of the 挂牌督办 page (and future pages): label -> font scale.
DISPLAY_SIZES: tuple[tuple[str, float], ...] = (("标准", 1.0), ("较大", 1.25), ("特大", 1.5))

MAIN_GEOMETRY = BlobPref("main_window/geometry")
MAIN_SPLITTER = BlobPref("main_window/splitter")
LISTINGS_SPLITTER = BlobPref("listings/splitter")
DISPLAY_SCALE = Pref("display/scale", 1.0, as_float)
EXPORT_DIR = Pref("export/last_dir", "", as_str)
PHOTO_DIR = Pref("photos/last_dir", "", as_str)
SITE_TAB = Pref("listings/site_tab", 0, lambda raw: int(str(raw)))
