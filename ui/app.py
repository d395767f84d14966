"""Start the desktop app: `zhdesk-desk [--db URL | --demo]` or `python main.py`.

Sets up Qt in Chinese (translations, locale, a CJK font), opens the database and shows the main window.
The real database is never filled with fiction: an empty one opens on the welcome page. `--demo` (and
the welcome page's 打开演示数据) opens a demo database of its own, beside the real default file, filled on
first use and marked 演示数据. A start-up failure is one Chinese dialog and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ui import heap

# The app's stack is imported with the collector paused (ui/heap.py): all of it lives as long as the process.
with heap.importing():
    # The Qt-free core before Qt: once PySide6 is imported, its import hook reads the source of every module
    # imported after it (shibokensupport's feature_imported → inspect.getsource), ~300 modules of SQLAlchemy
    # and the core at start (cProfile: 0.1 s). isort keeps the two blocks apart.
    from zhdesk.database import ENV_VAR, default_url, demo_url, location_of
    from zhdesk.desk import Desk
    from zhdesk.errors import UsageError, ZhdeskError

    # isort: split
    import shiboken6
    from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ui import access, prefs
    from ui.dialogs.sign_in import sign_in_at_start
    from ui.fonts import install_app_font
    from ui.main_window import MainWindow
    from ui.ops import show_error

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
    parser.add_argument(
        "--demo",
        action="store_true",
        help="打开演示数据库（用户数据文件夹中的 demo.sqlite，首次使用时自动填入虚构的演示数据），不碰真实数据库",
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
    """Open (and migrate) the real database; an empty one stays empty (the window shows its welcome page)."""
    return Desk.open(url)


def open_demo_desk() -> Desk:
    """Open the demo database (its own file in the user data folder), loading the demo on first use."""
    from zhdesk.demo import load_demo  # the demo's data and photo drawing: only when asked for (issue 13)

    desk = Desk.open(demo_url())
    try:
        if not desk.is_demo():  # a new demo file: fill it once (load_demo marks it)
            with desk.uow() as uow:
                load_demo(uow)
    except BaseException:
        desk.close()
        raise
    return desk


def real_location(url: str | None) -> str | None:
    """Where the real data lives (for the demo mark's tooltip); None when it cannot be said."""
    try:
        return location_of(url or default_url())
    except Exception:  # an unwritable data folder or a malformed URL: the tooltip simply says less
        return None


class Launcher:
    """Owns the one window and its desk; 打开演示数据 swaps both for the demo database without leaving Qt's
    event loop (the old window is closed, its worker stopped, its database closed)."""

    def __init__(self, real: str | None = None) -> None:
        self.real = real
        self.window: MainWindow | None = None
        self.desk: Desk | None = None

    def start(self, desk: Desk) -> MainWindow:
        self.desk = desk
        window = MainWindow(desk, real_location=self.real)
        window.demo_requested.connect(self.switch_to_demo)
        window.switch_user_requested.connect(self.switch_user)
        self.window = window
        return window

    def switch_user(self) -> bool:
        """切换用户: sign out, ask who works next, and open the window again for that account's role.
        Cancelled: the old window closes and the app ends (nobody is signed in any more). True if switched."""
        old_window, desk = self.window, self.desk
        assert desk is not None
        if old_window is not None:  # nothing may read as nobody: stop the old window's work first
            old_window.feed_watch.stop()
            old_window.ops.shutdown()
            old_window.setEnabled(False)
        desk.sign_out()
        access.forget(desk)
        try:
            user = sign_in_at_start(desk, old_window)
            if user is not None:
                access.remember(desk)
        except ZhdeskError as exc:
            show_error(old_window, exc.message, START_FAILED_TITLE)
            user = None
        if user is not None:
            self.start(desk)
            self.show()
        else:
            self.window = None
        if old_window is not None:
            old_window.close()
            old_window.deleteLater()
        return user is not None

    def show(self) -> None:
        window = self.window
        assert window is not None
        if window.first_start:
            window.showMaximized()  # the tables have many columns: use the screen the first time
        else:
            window.show()

    def switch_to_demo(self) -> None:
        old_window, old_desk = self.window, self.desk
        try:
            desk = open_demo_desk()
        except ZhdeskError as exc:
            show_error(old_window, exc.message, START_FAILED_TITLE)
            return
        self.start(desk)
        self.show()
        if old_window is not None:
            old_window.close()
            old_window.ops.shutdown()
            old_window.deleteLater()
        if old_desk is not None:
            old_desk.close()

    def close(self) -> None:
        if self.window is not None and shiboken6.isValid(self.window):
            self.window.close()
            self.window.ops.shutdown()  # idempotent: the worker is stopped before the database closes
        if self.desk is not None:
            self.desk.close()


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
        if args.demo and args.db is not None:
            raise UsageError("--demo 打开单独的演示数据库，不能与 --db 同时使用")
        desk = open_demo_desk() if args.demo else open_desk(args.db)
    except ZhdeskError as exc:
        QMessageBox.critical(None, START_FAILED_TITLE, exc.message)
        return EXIT_START_FAILED
    # A database with accounts asks who works (or for its first administrator); local mode asks nothing.
    try:
        user = sign_in_at_start(desk)
        if user is not None:
            access.remember(desk)
    except ZhdeskError as exc:
        desk.close()
        QMessageBox.critical(None, START_FAILED_TITLE, exc.message)
        return EXIT_START_FAILED
    if user is None:  # 取消: nothing opened, nothing written
        desk.close()
        return 0

    launcher = Launcher(real_location(args.db))
    window = launcher.start(desk)
    launcher.show()
    # Today's rotating backup of a local database (the use case skips the demo and server databases).
    if window.access.can("backup.run"):
        window.ops.run(desk.daily_backup, label="正在备份数据库…")
    try:
        return app.exec()
    finally:
        launcher.close()
