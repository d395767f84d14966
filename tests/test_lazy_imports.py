"""Start-up loads only what the first page needs (issue 13): importing the window's entry point must not
pull in the heavy modules that only an import, an export, a brief, a photo or a schema upgrade uses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# Loaded when first used: schema upgrades, Excel reading/writing, briefs and notices, HEIC photos.
HEAVY = ("alembic", "openpyxl", "python_calamine", "reportlab", "docx", "pillow_heif")

CODE = """
import json, sys
import ui.app
print(json.dumps(sorted(sys.modules)))
"""


def loaded_by(code: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
    return modules


def test_importing_the_app_loads_no_heavy_module() -> None:
    modules = loaded_by(CODE)
    assert "ui.main_window" in modules  # the probe saw the app
    heavy = [m for m in modules if m.split(".")[0] in HEAVY]
    plugins = [m for m in modules if m.startswith("PIL.") and m.endswith("ImagePlugin")]  # Pillow's decoders
    assert not heavy and not plugins, heavy + plugins


def test_the_probe_sees_a_heavy_module() -> None:
    """The check above can fail: a module that loads openpyxl is seen."""
    assert "openpyxl" in loaded_by(CODE.replace("import ui.app", "import ui.app, openpyxl"))


def test_a_heic_photo_opens_in_a_fresh_process(tmp_path: Path) -> None:
    """pillow-heif is registered on the first photo opened: a process that never imported it reads HEIC."""
    from tests.imagefiles import encode, picture

    heic = tmp_path / "p.heic"
    heic.write_bytes(encode(picture(14), "HEIF", quality=90))
    code = (
        "import sys; from pathlib import Path; from zhdesk import imaging; "
        "assert 'pillow_heif' not in sys.modules; "
        f"info, thumb = imaging.prepare(Path({str(heic)!r}).read_bytes()); print(info.mime, len(thumb) > 0)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr[-1500:]
    assert out.stdout.split() == ["image/heif", "True"]
