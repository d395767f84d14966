"""Start the desktop app: `zhdesk-desk [--db URL]` or `python main.py`.

Sets up Qt in Chinese (translations, locale, a CJK font), opens the database (loading demo data
into an empty one) and shows the main window. A start-up failure is one Chinese dialog and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from ui import prefs
from ui.fonts import install_app_font
from ui.main_window import MainWindow
from zhdesk.database import ENV_VAR
from zhdesk.demo import load_demo
from zhdesk.desk import Desk
from zhdesk.errors import ZhdeskError

EXIT_START_FAILED = 2
START_FAILED_TITLE = "zhdesk 无法启动"
QT_TRANSLATIONS = ("qtbase", "qt")

_translators: list[QTranslator] = []  # kept alive for the application's lifetime


def parse_args(argv: Sequence[str] | None = None) -> tuple[argparse.Namespace, list[str]]:
    """Our options, plus whatever is left for Qt (-platform, -style …)."""
    parser = argparse.ArgumentParser(
        prog="zhdesk-desk",
        description="市容秩序和环境卫生综合整治督办 桌面看板",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help=f"数据库地址（SQLAlchemy URL），默认读取环境变量 {ENV_VAR}，再默认为用户数据文件夹中的 SQLite 文件",
    )
    return parser.parse_known_args(list(sys.argv[1:] if argv is None else argv))


def chinese_locale() -> QLocale:
    return QLocale(QLocale.Language.Chinese, QLocale.Script.SimplifiedHanScript, QLocale.Country.China)


def install_translations(app: QCoreApplication, locale: QLocale) -> list[str]:
    """Load Qt's own zh_CN catalogues so standard dialogs and buttons speak Chinese; returns what loaded."""
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    loaded: list[str] = []
    if _translators:  # already installed (tests set the application up more than once)
        return [t.filePath() for t in _translators]
    for name in QT_TRANSLATIONS:
        t = QTranslator(app)
        if t.load(locale, name, "_", folder) and app.installTranslator(t):
            _translators.append(t)
            loaded.append(name)
    return loaded


def setup_application(app: QApplication) -> None:
    """Everything that must happen before the first widget: names, locale, translations, font."""
    app.setOrganizationName(prefs.ORGANIZATION)
    app.setApplicationName(prefs.APPLICATION)
    app.setApplicationDisplayName("zhdesk")
    locale = chinese_locale()
    QLocale.setDefault(locale)
    install_translations(app, locale)
    install_app_font(app)


def open_desk(url: str | None) -> Desk:
    """Open (and migrate) the database; an empty one gets the demo data so the first run shows something."""
    desk = Desk.open(url)
    try:
        if not desk.has_sites():  # a new database: show something real on the first run
            with desk.uow() as uow:
                load_demo(uow)
    except BaseException:
        desk.close()
        raise
    return desk


def application(qt_args: Sequence[str] = ()) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    return QApplication([sys.argv[0] if sys.argv else "zhdesk-desk", *qt_args])


def main(argv: Sequence[str] | None = None) -> int:
    args, qt_args = parse_args(argv)
    app = application(qt_args)
    setup_application(app)
    try:
        desk = open_desk(args.db)
    except ZhdeskError as exc:
        QMessageBox.critical(None, START_FAILED_TITLE, exc.message)
        return EXIT_START_FAILED

    window = MainWindow(desk)
    if window.first_start:
        window.showMaximized()  # the tables have many columns: use the screen the first time
    else:
        window.show()
    try:
        return app.exec()
    finally:
        window.close()
        window.ops.shutdown()  # idempotent: the worker is stopped before the database closes
        desk.close()
