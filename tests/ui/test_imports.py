"""The window's modules stand on the Desk's DTOs and the domain, not on storage: importing all of them
(all but ui/app.py, which opens the Desk) loads neither SQLAlchemy nor the spreadsheet writer. One
process for all: if the union loads none of them, no module alone does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ["sqlalchemy", "alembic", "openpyxl", "db", "zhdesk.services", "zhdesk.desk"]


def _modules() -> list[str]:
    out = []
    for path in sorted((ROOT / "ui").rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        if rel.name == "__init__" or rel.as_posix() == "ui/app":
            continue
        out.append(".".join(rel.parts))
    return out


def test_importing_the_window_modules_loads_no_storage() -> None:
    modules = _modules()
    assert "ui.pages.listings" in modules and "ui.dialogs.drill" in modules and "ui.main_window" in modules
    code = (
        "import importlib, json, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"print(json.dumps(sorted(h for h in {HEAVY!r} if h in sys.modules)))\n"
    )
    p = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout.strip().splitlines()[-1]) == []
