"""The main window: navigation list on the left, pages in a stack, database location and counts below.

Only the page shown first is built at start (挂牌督办, or the welcome page on an empty database); every
other page is imported and built the first time it is shown or used (issue 13). `window.overview`,
`window.dossier`, … are properties that build their page on first access, so callers need not care.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QWidget,
)

from ui import access, heap, prefs, preload, site_actions
from ui.display import DisplayScale, relative_font
from ui.feed_watch import FeedWatch
from ui.ops import Ops
from ui.stale import StaleWatch

if TYPE_CHECKING:  # the window is handed its Desk (ui/app.py); importing it would load SQLAlchemy
    # Pages are imported when first built (start-up imports the first page only, issue 13).
    from ui.pages.brief import BriefPage
    from ui.pages.bulletins import BulletinsPage
    from ui.pages.dossier import DossierPage
    from ui.pages.listings import ListingsPage
    from ui.pages.overview import OverviewPage
    from ui.pages.settings import SettingsPage
    from ui.pages.tallies import TalliesPage
    from ui.pages.welcome import WelcomePage
    from zhdesk.desk import Desk


WINDOW_TITLE = "市容秩序和环境卫生综合整治督办 — zhdesk"
DEMO = "演示数据"
DEMO_TITLE_SUFFIX = f" — {DEMO}"

OVERVIEW = "总览"
LISTINGS = "挂牌督办"
DOSSIER = "点位档案"
BULLETINS = "督办通报"
TALLIES = "社区台账"
BRIEF = "会议简报"
SETTINGS = "设置"
# After the first page has its rows: the chart modules load on a thread while the user reads (ui/preload.py).
PRELOAD_DELAY_MS = 100
NAVIGATION = (OVERVIEW, LISTINGS, DOSSIER, BULLETINS, TALLIES, BRIEF, SETTINGS)

# What each page not built yet will do (shown on the page, so nobody thinks it is broken).
PLANNED: dict[str, str] = {}


class Pages(Mapping[str, QWidget]):
    """Every navigation page by name, in navigation order; looking one up builds it (MainWindow.page)."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window

    def __getitem__(self, name: str) -> QWidget:
        if name not in NAVIGATION:
            raise KeyError(name)
        return self._window.page(name)

    def __iter__(self) -> Iterator[str]:
        return iter(NAVIGATION)

    def __len__(self) -> int:
        return len(NAVIGATION)

    def __contains__(self, name: object) -> bool:  # (Mapping's would build the page)
        return name in NAVIGATION

    def built(self) -> list[str]:
        """The names of the pages built so far."""
        return [n for n in NAVIGATION if n in self._window._built]


class MainWindow(QMainWindow):
    demo_requested = Signal()  # 打开演示数据 on the welcome page: ui/app.py re-opens on the demo database
    switch_user_requested = Signal()  # 切换用户…: ui/app.py signs out, asks who works next, opens a new window

    def __init__(self, desk: Desk, parent: QWidget | None = None, *, real_location: str | None = None) -> None:
        """`real_location`: where the real data lives, for the 演示数据 mark's tooltip (ui/app.py knows)."""
        super().__init__(parent)
        self.desk = desk
        self.is_demo = desk.is_demo()  # read once, before the worker starts
        self.setWindowTitle(WINDOW_TITLE + (DEMO_TITLE_SUFFIX if self.is_demo else ""))
        # 显示大小 applies to the whole application (menus and dialogs too); pages read nothing of it.
        DisplayScale.instance().set_scale(prefs.DISPLAY_SCALE.get(), remember=False)
        self.ops = Ops(self, dialog_parent=self)
        location = desk.location()
        # Who works here, read once: every page hides or disables what the role cannot do (ui/access.py).
        self.access = access.of(desk)

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        relative_font(self.nav, 1.15)
        self.nav.setStyleSheet(
            "QListWidget { border: none; background: #eef1f5; outline: 0; }"
            "QListWidget::item { padding: 10px 16px; color: #202124; }"
            "QListWidget::item:selected { background: #1a5fb4; color: white; }"
            "QListWidget::item:hover:!selected { background: #dde3ea; }"
        )
        self.nav.setMinimumWidth(120)
        for name in NAVIGATION:
            self.nav.addItem(QListWidgetItem(name))

        self.location_text = location
        self._built: dict[str, QWidget] = {}
        self._load_on_build = False  # the first page: read as it is built
        self.pages = Pages(self)
        self.stack = QStackedWidget()  # holds the pages built so far, in the order they were built

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("main_splitter")
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([150, 1400])
        # An empty database opens on the welcome page; the pages replace it once a site exists.
        self._welcome: WelcomePage | None = None
        self.body = QStackedWidget()
        self.body.addWidget(self.splitter)
        self.started_empty = not desk.has_sites()
        if self.started_empty:
            self.body.setCurrentWidget(self.welcome)
        self.setCentralWidget(self.body)

        # Status bar: counts on the left, busy note and database location on the right.
        self.counts = QLabel()
        self.counts.setObjectName("status_counts")
        self.busy = QLabel()
        self.busy.setObjectName("status_busy")
        self.location = QLabel(f"数据库：{location}")
        self.location.setObjectName("status_db")
        self.location.setToolTip(location)
        # Who works here; a click offers 修改密码…, 切换用户…, 账户管理… (the same as 设置 → 账户).
        self.user_label = QToolButton()
        self.user_label.setObjectName("status_user")
        self.user_label.setAutoRaise(True)
        self.user_label.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.user_menu = QMenu(self.user_label)
        self.user_menu.aboutToShow.connect(self._fill_user_menu)
        self.user_label.setMenu(self.user_menu)
        bar = self.statusBar()
        bar.addWidget(self.counts, 1)
        bar.addPermanentWidget(self.busy)
        bar.addPermanentWidget(self.user_label)
        self.show_user()
        bar.addPermanentWidget(self.location)
        self.demo_mark: QLabel | None = None
        if self.is_demo:
            self.demo_mark = QLabel(DEMO)
            self.demo_mark.setObjectName("status_demo")
            self.demo_mark.setStyleSheet(
                "QLabel { background: #e66100; color: white; font-weight: bold; padding: 1px 8px; border-radius: 3px; }"
            )
            real = f"真实数据在 {real_location}。" if real_location else ""
            self.demo_mark.setToolTip(
                f"这是演示数据库（{location}）：点位、人员和电话均为虚构。{real}"
                "不带 --demo 启动 zhdesk-desk 即打开真实数据库。"
            )
            bar.addPermanentWidget(self.demo_mark)

        refresh = QAction("刷新", self)
        refresh.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        refresh.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        refresh.triggered.connect(self.refresh_current)
        self.addAction(refresh)
        self.refresh_action = refresh

        self.nav.currentRowChanged.connect(self._present)
        self.ops.busy_changed.connect(lambda busy, label: self.busy.setText(label if busy else ""))
        # Pages follow each other's writes through ops.changed (ui/stale.py), not through wiring here.

        self._restore()
        if self.started_empty:  # the welcome page is shown: 挂牌督办 is built when a site exists
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(NAVIGATION.index(LISTINGS))
            self.nav.blockSignals(False)
        else:  # 挂牌督办 reads its rows while its widgets are built (issue 13)
            self._load_on_build = True
            self.show_page(LISTINGS)
        # Other workstations' writes reload the open pages (ui/feed_watch.py).
        self.feed_watch = FeedWatch(desk, self.ops, self)
        self.feed_watch.loaded.connect(self.show_message)
        self.ops.idle.connect(self._first_idle)

    def _first_idle(self) -> None:
        """Start-up is over (the first page's results are in): load the chart modules in the background."""
        self.ops.idle.disconnect(self._first_idle)
        QTimer.singleShot(PRELOAD_DELAY_MS, preload.start)

    # -- pages, built when first needed
    def page(self, name: str) -> QWidget:
        """The page `name`, built (and wired, and put in the stack) the first time it is asked for."""
        page = self._built.get(name)
        if page is None:
            builder = self._BUILDERS.get(name)
            if builder is None:
                from ui.pages.placeholder import PlaceholderPage

                page = PlaceholderPage(name, PLANNED[name])
            else:
                page = builder(self)
            page.setObjectName(f"page_{NAVIGATION.index(name)}")
            self._built[name] = page
            self.stack.addWidget(page)
            heap.freeze()  # what the page made lives as long as the window: out of later collections
        return page

    def _build_listings(self) -> QWidget:
        from ui.pages.listings import ListingsPage

        load, self._load_on_build = self._load_on_build, False
        page = ListingsPage(self.desk, self.ops, load=load)
        page.message.connect(self.show_message)
        page.counts_changed.connect(self.counts.setText)
        page.site_requested.connect(self.open_site)
        return page

    def _build_overview(self) -> QWidget:
        from ui.pages.overview import OverviewPage

        page = OverviewPage(self.desk, self.ops)
        # Every place that shows a site or an item opens the dossier (the item selected in it).
        page.site_activated.connect(self.open_site)
        page.item_activated.connect(self.open_site)
        page.message.connect(self.show_message)
        return page

    def _build_dossier(self) -> QWidget:
        from ui.pages.dossier import DossierPage

        page = DossierPage(self.desk, self.ops)
        page.message.connect(self.show_message)
        page.listing_requested.connect(self.show_listing)
        return page

    def _build_bulletins(self) -> QWidget:
        from ui.pages.bulletins import BulletinsPage

        page = BulletinsPage(self.desk, self.ops)
        page.message.connect(self.show_message)
        page.item_activated.connect(self.open_site)
        return page

    def _build_tallies(self) -> QWidget:
        from ui.pages.tallies import TalliesPage

        page = TalliesPage(self.desk, self.ops)
        page.message.connect(self.show_message)
        return page

    def _build_brief(self) -> QWidget:
        from ui.pages.brief import BriefPage

        page = BriefPage(self.desk, self.ops)
        page.message.connect(self.show_message)
        return page

    def _build_settings(self) -> QWidget:
        from ui.pages.settings import SettingsPage

        page = SettingsPage(self.desk, self.ops, self.location_text)
        page.message.connect(self.show_message)
        page.switch_user_requested.connect(self.switch_user_requested)
        page.account_changed.connect(self.show_user)
        return page

    _BUILDERS: dict[str, Callable[[MainWindow], QWidget]] = {
        LISTINGS: _build_listings,
        OVERVIEW: _build_overview,
        DOSSIER: _build_dossier,
        BULLETINS: _build_bulletins,
        TALLIES: _build_tallies,
        BRIEF: _build_brief,
        SETTINGS: _build_settings,
    }

    @property
    def listings(self) -> ListingsPage:
        return self.page(LISTINGS)  # type: ignore[return-value]

    @property
    def overview(self) -> OverviewPage:
        return self.page(OVERVIEW)  # type: ignore[return-value]

    @property
    def dossier(self) -> DossierPage:
        return self.page(DOSSIER)  # type: ignore[return-value]

    @property
    def bulletins(self) -> BulletinsPage:
        return self.page(BULLETINS)  # type: ignore[return-value]

    @property
    def tallies(self) -> TalliesPage:
        return self.page(TALLIES)  # type: ignore[return-value]

    @property
    def brief(self) -> BriefPage:
        return self.page(BRIEF)  # type: ignore[return-value]

    @property
    def settings_page(self) -> SettingsPage:
        return self.page(SETTINGS)  # type: ignore[return-value]

    @property
    def welcome(self) -> WelcomePage:
        """The welcome page of an empty database (built when first needed)."""
        if self._welcome is None:
            from ui.pages.welcome import WelcomePage

            desk = self.desk
            welcome = WelcomePage(
                desk, self.ops, new_site=lambda: site_actions.new_site(self, desk, self.ops, on_saved=self.open_site)
            )
            welcome.setObjectName("page_welcome")
            welcome.demo_requested.connect(self.demo_requested)
            welcome.message.connect(self.show_message)
            StaleWatch(welcome, self.ops, lambda c: c.sites, self._check_sites)
            self.body.addWidget(welcome)
            self._welcome = welcome
        return self._welcome

    def _present(self, row: int) -> None:
        """Navigation: show that page, building it on its first visit."""
        if 0 <= row < len(NAVIGATION):
            self.stack.setCurrentWidget(self.page(NAVIGATION[row]))

    def show_user(self) -> None:
        self.access = access.of(self.desk)
        self.user_label.setText(self.access.caption())
        u = self.access.user
        self.user_label.setToolTip(f"当前用户：{u.display_name}（{u.login}），角色：{u.role_label}")

    def _fill_user_menu(self) -> None:
        self.user_menu.clear()
        page = self.settings_page
        for key, b in page.account_buttons.items():
            if not b.isHidden():
                act = self.user_menu.addAction(b.text())
                act.setObjectName(f"user_menu_{key}")
                act.triggered.connect(lambda _c=False, k=key: page.account_action(k))
        self.user_menu.addSeparator()
        settings = self.user_menu.addAction("设置…")
        settings.triggered.connect(lambda: self.show_page(SETTINGS))

    # -- the welcome page
    def showing_welcome(self) -> bool:
        return self._welcome is not None and self.body.currentWidget() is self._welcome

    def _check_sites(self) -> None:
        self.ops.run(self.desk.has_sites, self._sites_exist, label="正在读取…")

    def _sites_exist(self, exist: bool) -> None:
        if not (exist and self.started_empty):
            return
        self.started_empty = False
        if self.showing_welcome():  # (not when the first site was opened in its 点位档案 already)
            self.body.setCurrentWidget(self.splitter)
            self.show_page(LISTINGS)
        self.listings.listed_only.setChecked(False)  # the first sites are not listed yet: show them
        self.listings.refresh()

    # -- navigation
    def show_page(self, name: str) -> None:
        self.nav.setCurrentRow(NAVIGATION.index(name))
        self._present(NAVIGATION.index(name))  # (the row may be current already, its page not built)

    def open_site(self, site_id: int, item_id: int | None = None) -> None:
        """Show a site's 点位档案; with `item_id`, that supervision item selected in it."""
        self.body.setCurrentWidget(self.splitter)  # the first site, added on the welcome page
        self.dossier.show_site(site_id, item_id)
        self.show_page(DOSSIER)

    def show_listing(self, site_id: int) -> None:
        """The site on the 挂牌督办 page, for its workflow; the page's filters are the user's and stay."""
        self.show_page(LISTINGS)
        if not self.listings.select_site(site_id):
            self.show_message("挂牌督办：当前筛选条件下看不到该点位，请调整筛选（如“仅显示挂牌点位”、搜索框）")

    def current_page_name(self) -> str:
        return NAVIGATION[self.nav.currentRow()]

    def refresh_current(self) -> None:
        page = self.stack.currentWidget()
        refresh = getattr(page, "refresh", None)
        if callable(refresh):
            refresh()

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 10000)

    # -- geometry
    def _restore(self) -> None:
        geometry = prefs.MAIN_GEOMETRY.get()
        # No remembered geometry: a first start on this workstation, shown maximized by ui.app.
        self.first_start = geometry is None or not self.restoreGeometry(geometry)
        if self.first_start:
            screen = QGuiApplication.primaryScreen()
            avail = screen.availableGeometry() if screen is not None else None
            if avail is not None and avail.width() > 1000:
                self.setGeometry(avail.adjusted(0, 0, -int(avail.width() * 0.02), -int(avail.height() * 0.04)))
            else:
                self.resize(1440, 900)
        splitter = prefs.MAIN_SPLITTER.get()
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def save_state(self) -> None:
        prefs.MAIN_GEOMETRY.set(self.saveGeometry())
        prefs.MAIN_SPLITTER.set(self.splitter.saveState())
        if LISTINGS in self._built:
            self.listings.save_state()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        self.feed_watch.stop()
        self.ops.shutdown()
        heap.thaw()
        super().closeEvent(event)
