"""The registry's dialogs, each opened with one line from any page: 新增点位, 编辑点位, 挂牌督办, 延期, 通讯录.

Each opens non-modally and returns its dialog (tests drive it); the write goes through `ops.write`, so
every page showing the site reloads itself (ui/stale.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QWidget

from ui.ops import Ops, show_error
from zhdesk.changes import Changes
from zhdesk.dto import NoticeResult, SiteDetail

if TYPE_CHECKING:  # each dialog is imported by the action that opens it (start-up loads none, issue 13)
    from ui.dialogs.directory_dialog import DirectoryDialog
    from ui.dialogs.site_dialog import SiteDialog
    from zhdesk.desk import Desk

OnSite = Callable[[int], object]


def _show(dlg: QDialog) -> QDialog:
    dlg.finished.connect(dlg.deleteLater)
    dlg.open()
    return dlg


def new_site(parent: QWidget, desk: Desk, ops: Ops, on_saved: OnSite | None = None,
             on_open: OnSite | None = None) -> SiteDialog:  # fmt: skip
    """新增点位; `on_saved(site_id)` after saving, `on_open(site_id)` when the user picks an existing one."""
    from ui.dialogs.site_dialog import SiteDialog

    dlg = SiteDialog(parent, desk, ops)
    if on_saved is not None:
        dlg.saved.connect(lambda d: on_saved(d.row.id))
    dlg.open_existing.connect(on_open or (lambda sid: edit_site(parent, desk, ops, sid)))
    _show(dlg)
    return dlg


def _with_site(parent: QWidget, desk: Desk, ops: Ops, site_id: int, then: Callable[[SiteDetail], object]) -> None:
    ops.run(lambda: desk.get_site(site_id), then, label="正在读取点位…")


def edit_site(parent: QWidget, desk: Desk, ops: Ops, site_id: int, on_saved: OnSite | None = None) -> None:
    """编辑点位 (the dialog opens once the site is read)."""

    def opened(site: SiteDetail) -> None:
        from ui.dialogs.site_dialog import SiteDialog

        dlg = SiteDialog(parent, desk, ops, site)
        if on_saved is not None:
            dlg.saved.connect(lambda d: on_saved(d.row.id))
        dlg.open_existing.connect(lambda sid: edit_site(parent, desk, ops, sid))
        _show(dlg)

    _with_site(parent, desk, ops, site_id, opened)


def list_site(parent: QWidget, desk: Desk, ops: Ops, site_id: int) -> None:
    """挂牌督办… for a site without an open listing."""

    def opened(site: SiteDetail) -> None:
        cur = site.current
        if cur is not None and cur.status != "closed":
            show_error(parent, f"点位“{site.row.address}”已有未办结的挂牌督办（{cur.listed_on.isoformat()} 挂牌）")
            return
        from ui.dialogs.listing_dialog import ListingDialog

        _show(ListingDialog(parent, desk, ops, site.row.id, site.row.address))

    _with_site(parent, desk, ops, site_id, opened)


def extend(parent: QWidget, desk: Desk, ops: Ops, site_id: int) -> None:
    """延期… for a site's open listing."""

    def opened(site: SiteDetail) -> None:
        cur = site.current
        if cur is None or cur.status == "closed":
            show_error(parent, f"点位“{site.row.address}”没有未办结的挂牌督办，不能延期")
            return
        from ui.dialogs.extend_dialog import ExtendDialog

        _show(ExtendDialog(parent, desk, ops, site))

    _with_site(parent, desk, ops, site_id, opened)


# A notice records a 催办 event on each site's timeline (and uses a number, a setting).
NOTICE_CHANGES = Changes(events=True, settings=True)


def _notice_done(parent: QWidget, done: Callable[[str], object] | None) -> Callable[[NoticeResult], object]:
    def report(r: NoticeResult) -> None:
        numbers = "、".join(n.number for n in r.notices[:3]) + ("等" if len(r.notices) > 3 else "")
        message = f"已生成督办通知单 {len(r.notices)} 份（{numbers}），已记入时间线：{r.path}"
        if done is not None:
            done(message)

    return report


def issue_notice(parent: QWidget, desk: Desk, ops: Ops, site_id: int, address: str = "",
                 done: Callable[[str], object] | None = None) -> int:  # fmt: skip
    """生成督办通知单… for one listed site: ask for the PDF, write it and the 催办 event on the worker."""
    from ui.dialogs.export_dialog import ask_pdf_path

    chosen = ask_pdf_path(parent, f"督办通知单_{address}" if address else "督办通知单", "生成督办通知单")
    if chosen is None:
        return 0
    path, replace = chosen
    return ops.write(lambda: desk.issue_notices([site_id], path, overwrite=replace), NOTICE_CHANGES.for_site(site_id),
                     _notice_done(parent, done), label="正在生成督办通知单…")  # fmt: skip


def issue_overdue_notices(parent: QWidget, desk: Desk, ops: Ops, done: Callable[[str], object] | None = None) -> int:
    """为全部超期点位生成督办通知单…: one PDF, a page per overdue listed site."""
    from ui.dialogs.export_dialog import ask_pdf_path

    chosen = ask_pdf_path(parent, "督办通知单_全部超期点位", "为全部超期点位生成督办通知单")
    if chosen is None:
        return 0
    path, replace = chosen
    return ops.write(lambda: desk.issue_notices(None, path, overdue=True, overwrite=replace), NOTICE_CHANGES,
                     _notice_done(parent, done), label="正在生成督办通知单…")  # fmt: skip


def open_directory(parent: QWidget, desk: Desk, ops: Ops) -> DirectoryDialog:
    from ui.dialogs.directory_dialog import DirectoryDialog

    dlg = DirectoryDialog(parent, desk, ops)
    _show(dlg)
    return dlg


def dispatch(action: str, parent: QWidget, desk: Desk, ops: Ops, site_id: int | None) -> None:
    """A site detail panel's registry button by name: edit / list / extend."""
    if site_id is None:
        return
    {"edit": edit_site, "list": list_site, "extend": extend}[action](parent, desk, ops, site_id)
