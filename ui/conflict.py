"""A save refused because another workstation changed the record first (zhdesk.errors.Conflict): one
Chinese dialog shows their change (who, when, what) and lets the user choose. Every edit dialog that
passes a version uses `choose` (ui/dialogs/write_dialog.py does it for the registry dialogs; `resolve` for
the pages and dialogs that write without it: 通讯录, 社区, 督办件, 设置, 照片, 录入数字化城管件)."""

from __future__ import annotations

import enum
from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from zhdesk.errors import Conflict

TITLE = "记录已被其他人修改"
RELOAD = "载入对方的修改"
OVERWRITE = "用我的修改覆盖"
CANCEL = "取消"


class Choice(enum.Enum):
    RELOAD = "reload"  # discard mine, show theirs
    OVERWRITE = "overwrite"  # save mine again over the current version
    CANCEL = "cancel"  # keep the dialog open as it is


def describe_theirs(conflict: Conflict) -> str:
    """Their change, one field a line, for the dialog's details."""
    lines = []
    if conflict.by:
        when = conflict.at.strftime("%Y-%m-%d %H:%M") if conflict.at else ""
        lines.append(f"修改人：{conflict.by}　{when}".rstrip())
    lines += [f"{k}：{v}" for k, v in conflict.theirs.items() if k != "action"]
    return "\n".join(lines)


def choose(parent: QWidget | None, conflict: Conflict) -> Choice:
    """Ask what to do (tests replace this function)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(TITLE)
    box.setText(conflict.message)
    details = describe_theirs(conflict)
    if details:
        box.setDetailedText(details)
    reload = box.addButton(RELOAD, QMessageBox.ButtonRole.AcceptRole)
    overwrite = box.addButton(OVERWRITE, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(CANCEL, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(reload)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    if clicked is reload:
        return Choice.RELOAD
    if clicked is overwrite:
        return Choice.OVERWRITE
    return Choice.CANCEL


def resolve(
    parent: QWidget | None, exc: BaseException, reload: Callable[[], object], overwrite: Callable[[], object]
) -> Choice | None:
    """The failure of a write that passed what the user loaded: a Conflict asks (`choose`), then
    载入对方的修改 runs `reload` (show theirs, drop mine), 用我的修改覆盖 runs `overwrite` (read the record
    as it is now and save mine over it), 取消 does nothing. Any other failure: None, the caller shows it."""
    if not isinstance(exc, Conflict):
        return None
    choice = choose(parent, exc)
    if choice is Choice.RELOAD:
        reload()
    elif choice is Choice.OVERWRITE:
        overwrite()
    return choice
