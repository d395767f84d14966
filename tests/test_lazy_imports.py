"""Start-up loads only what the first page needs (issue 13): importing the window's entry point must not
pull in the heavy modules that only an import, an export, a brief, a photo or a schema upgrade uses; a
window opened on a database imports and builds its first page only, and no dialog start-up does not need."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from db.engine import sqlite_url
from zhdesk.demo import load_demo
from zhdesk.desk import Desk

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
    assert not later_modules(modules), later_modules(modules)


def test_the_app_is_imported_with_the_collector_paused_then_frozen() -> None:
    """ui/heap.importing: the collector is back on after `import ui.app`, with what the imports made frozen
    (out of later collections); a process that had paused the collector itself keeps it paused, unfrozen."""
    code = "import gc, json, sys\n{}import ui.app\nprint(json.dumps([gc.isenabled(), gc.get_freeze_count()]))"
    enabled, frozen = json.loads(loaded_by_output(code.format("")))
    assert enabled and frozen > 50_000, (enabled, frozen)
    enabled, frozen = json.loads(loaded_by_output(code.format("gc.disable()\n")))
    assert not enabled and frozen == 0, (enabled, frozen)


def loaded_by_output(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


# A window opened on a database: what its process has imported once the first page is filled.
WINDOW = """
import json, sys, time
from ui import app as ui_app
qapp = ui_app.application([])
ui_app.setup_application(qapp)
desk = ui_app.open_desk(sys.argv[1])
window = ui_app.Launcher(None).start(desk)
window.resize(1600, 1000)
window.show()
deadline = time.monotonic() + 60
while time.monotonic() < deadline and not (window.ops.is_idle() and window.listings.model.rowCount() > 0):
    qapp.processEvents()
    time.sleep(0.005)
assert window.listings.model.rowCount() > 0, "the first page never filled"
# (a variant touches another page here)
print(json.dumps({"modules": sorted(sys.modules), "built": window.pages.built()}, ensure_ascii=False))
window.close()
window.ops.shutdown()
desk.close()
"""
# Start-up itself needs the sign-in dialog (a database with accounts asks who works) and its base class.
START_DIALOGS = {"ui.dialogs.sign_in", "ui.dialogs.write_dialog"}
# The first page (挂牌督办) and the parts it is made of; every other page module loads when first shown.
OTHER_PAGES = ("overview", "dashboard", "dossier", "bulletins", "bulletins_model", "tallies", "brief", "settings",
               "welcome", "placeholder")  # fmt: skip
# Charts appear on other pages only (总览, 社区台账, 点位档案).
CHARTS = ("pyqtgraph", "numpy")
# The services the first page runs (sign-in and role, settings, the 挂牌督办 rows); every other service module
# loads with its first use case (zhdesk/desk.py names them lazily), and with it what only it needs.
START_SERVICES = {"accounts", "audit", "authz", "common", "conflicts", "settings", "sites"}
LATER = ("zhdesk.brief", "zhdesk.tally", "zhdesk.imaging", "zhdesk.demo", "PIL")
# The other pages' records (zhdesk/dto_*.py): zhdesk.dto imports each on the first use of one of its names.
LATER_DTO = "zhdesk.dto_"


def later_modules(modules: list[str]) -> list[str]:
    """Service modules the first page does not run, the records it does not use, and what only they import."""
    services = [m for m in modules if m.startswith("zhdesk.services.") and m.split(".")[2] not in START_SERVICES]
    records = [m for m in modules if m.startswith(LATER_DTO)]
    return services + records + [m for m in modules if m in LATER or m.startswith(tuple(p + "." for p in LATER))]


def window_loads(tmp_path: Path, touch: str = "") -> tuple[list[str], list[str]]:
    """(modules imported, pages built) by a fresh process that opens the window on a demo database."""
    db = tmp_path / "demo.db"
    if not db.exists():
        desk = Desk.open(sqlite_url(db))
        with desk.uow() as uow:
            load_demo(uow)
        desk.close()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path),
               XDG_DATA_HOME=str(tmp_path))  # fmt: skip
    code = WINDOW.replace("# (a variant touches another page here)", touch)
    out = subprocess.run([sys.executable, "-c", code, sqlite_url(db)], capture_output=True, text=True, env=env,
                         check=False)  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    found = json.loads(out.stdout.strip().splitlines()[-1])
    return found["modules"], found["built"]


def test_a_window_on_a_database_loads_its_first_page_only(tmp_path: Path) -> None:
    modules, built = window_loads(tmp_path)
    assert built == ["挂牌督办"]
    assert "ui.pages.listings" in modules  # the probe saw the first page
    dialogs = {m for m in modules if m.startswith("ui.dialogs.")}
    assert dialogs <= START_DIALOGS, sorted(dialogs - START_DIALOGS)
    pages = [m for m in modules if m.startswith("ui.pages.") and m.split(".")[2] in OTHER_PAGES]
    heavy = [m for m in modules if m.split(".")[0] in HEAVY + CHARTS]
    plugins = [m for m in modules if m.startswith("PIL.") and m.endswith("ImagePlugin")]
    assert not pages and not heavy and not plugins, pages + heavy + plugins
    assert "alembic" not in modules  # the schema check at open reads the revision without Alembic
    assert "sqlalchemy.dialects.postgresql" not in modules  # db/models.postgresql_options, PostgreSQL only
    assert not later_modules(modules), later_modules(modules)


def test_the_window_probe_sees_a_page_built_later(tmp_path: Path) -> None:
    """The check above can fail: touching `window.bulletins` imports and builds 督办通报 and its dialogs."""
    modules, built = window_loads(tmp_path, "window.bulletins")
    assert built == ["挂牌督办", "督办通报"]
    assert "ui.pages.bulletins" in modules and "ui.dialogs.batch_dialog" in modules


def test_the_chart_modules_load_in_the_background_once_the_first_page_is_in(tmp_path: Path) -> None:
    """Not at start (above), but on a thread while the user reads the first page (ui/preload.py): 总览's
    first visit does not pay `import pyqtgraph` on the GUI thread. Nothing else comes with them."""
    touch = (
        "from ui import preload\n"
        "t0 = time.monotonic()\n"
        "while time.monotonic() - t0 < 1.0:\n"
        "    qapp.processEvents()\n"
        "    time.sleep(0.01)\n"
        "assert preload.wait(60)\n"
        "assert preload._thread is not None and preload._thread.name == 'zhdesk-preload-charts'\n"
    )
    modules, built = window_loads(tmp_path, touch)
    assert built == ["挂牌督办"]
    assert {"numpy", "pyqtgraph", "ui.widgets.plot", "ui.widgets.charts", "ui.widgets.gantt"} <= set(modules)
    pages = [m for m in modules if m.startswith("ui.pages.") and m.split(".")[2] in OTHER_PAGES]
    heavy = [m for m in modules if m.split(".")[0] in HEAVY]
    assert not pages and not heavy, pages + heavy


def test_a_service_module_loads_with_its_first_use_case() -> None:
    """The checks above can fail: naming a use case's service function imports its module."""
    assert "zhdesk.services.brief" not in loaded_by(CODE.replace("import ui.app", "import zhdesk.desk"))
    modules = loaded_by(CODE.replace("import ui.app", "from zhdesk.desk import Desk; Desk.use_cases()['brief_pdf'].fn"))
    assert "zhdesk.services.brief" in modules and "zhdesk.services.brief" in later_modules(modules)


def test_a_record_module_loads_with_the_first_use_of_its_names() -> None:
    """The checks above can fail: naming a later record through zhdesk.dto imports its module, and only it."""
    modules = loaded_by(CODE.replace("import ui.app", "from zhdesk.dto import ItemDTO"))
    assert [m for m in modules if m.startswith(LATER_DTO)] == ["zhdesk.dto_supervision"]
    assert "zhdesk.dto_supervision" in later_modules(modules)


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
