"""Per-workstation preferences: typed, with defaults, never the user's real settings in tests."""

from __future__ import annotations

from pathlib import Path

from ui import prefs
from ui.widgets.display_size import nearest_size


def test_defaults_and_round_trip(settings_dir: Path) -> None:
    assert prefs.DISPLAY_SCALE.get() == 1.0
    prefs.DISPLAY_SCALE.set(1.25)
    assert prefs.DISPLAY_SCALE.get() == 1.25
    assert list(settings_dir.rglob("*.ini")), "written to the test's settings folder"


def test_garbage_in_the_settings_file_falls_back_to_the_default() -> None:
    prefs.settings().setValue(prefs.DISPLAY_SCALE.key, "很大")
    assert prefs.DISPLAY_SCALE.get() == 1.0
    assert prefs.MAIN_GEOMETRY.get() is None


def test_any_stored_scale_maps_to_a_listed_size() -> None:
    assert [nearest_size(s) for s in (0.5, 1.0, 1.2, 1.3, 9.0)] == [0, 0, 1, 1, 2]
