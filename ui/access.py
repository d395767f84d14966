"""What the signed-in account may do, as the window shows it (issue 12): buttons for what the role cannot
do are hidden or disabled, with the core's refusal sentence (zhdesk/domain/roles.py) as their tooltip.

The core refuses anyway (zhdesk/services/authz.py); this only keeps the window honest. One `Access` per
Desk (two windows in one process may be two accounts), read once: `desk.can` needs no query and the
account itself is read when the window opens, so pages pay nothing per click.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from zhdesk.domain import roles
from zhdesk.dto import UserDTO

if TYPE_CHECKING:
    from zhdesk.desk import Desk

LOCAL, ACCOUNTS = "local", "accounts"
REFUSED = "refused_action"  # widget property: the action code a gated widget needs (tests read it)


@dataclass
class Access:
    user: UserDTO
    mode: str  # 'local' | 'accounts'
    allowed: dict[str, bool] = field(default_factory=dict)

    def can(self, action: str) -> bool:
        return self.allowed.get(action, self.mode == LOCAL)

    def refusal(self, action: str) -> str | None:
        """None when allowed, else the sentence the core would refuse with."""
        return None if self.can(action) else roles.refusal(self.user.role, action)

    def site_refusal(self, action: str, community: str | None) -> str | None:
        """As `refusal`, and a staff account bound to a community may act only on that community's sites."""
        why = self.refusal(action)
        if why is not None:
            return why
        bound = self.user.community
        if bound and self.user.role in roles.COMMUNITY_BOUND and community is not None and community != bound:
            return f"当前账户只能办理“{bound}”的点位；该点位属于“{community}”"
        return None

    @property
    def local(self) -> bool:
        return self.mode == LOCAL

    def caption(self) -> str:
        """The status bar's line: who is signed in and the role (张三 · 领导)."""
        name = self.user.display_name or self.user.login
        return f"{name} · {self.user.role_label}" + ("（单机模式）" if self.local else "")


_known: weakref.WeakKeyDictionary[object, Access] = weakref.WeakKeyDictionary()


def local_user(desk: Desk) -> UserDTO:
    """Local mode's one person: the OS user, an administrator. Not read through `me()`, which records the
    user on first use: opening an empty database must write nothing."""
    login = desk.user_login
    return UserDTO(0, login, login, "admin", roles.ROLE_LABELS["admin"], None, False, None, False)


def read(desk: Desk) -> Access:
    """The account behind `desk` (it must be signed in, or in local mode), read now."""
    mode = desk.auth_mode()
    user = local_user(desk) if mode == LOCAL else desk.me()
    return Access(user, mode, {a: desk.can(a) for a in roles.ACTIONS})


def remember(desk: Desk, access: Access | None = None) -> Access:
    """Read (or take) the desk's account once; every page of its window uses it."""
    access = access or read(desk)
    _known[desk] = access
    return access


def forget(desk: Desk) -> None:
    _known.pop(desk, None)


def of(desk: Desk) -> Access:
    """The account's access for pages and dialogs (read on first use when the window did not)."""
    found = _known.get(desk)
    return found if found is not None else remember(desk)


class _KeepDisabled(QObject):
    """Pages enable their buttons by selection and state; a refused one must stay disabled whatever they do."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.EnabledChange and isinstance(watched, QWidget) and watched.isEnabled():
            watched.setEnabled(False)
        return False


def _keep_action_disabled(action: QAction) -> None:
    if action.isEnabled():
        action.setEnabled(False)


def gate(desk: Desk, action: str, *targets: QWidget | QAction, hide: bool = False) -> bool:
    """True when the account may do `action`; otherwise each target is hidden (`hide`) or disabled for
    good, its tooltip the refusal."""
    why = of(desk).refusal(action)
    if why is None:
        return True
    for t in targets:
        t.setProperty(REFUSED, action)
        t.setToolTip(why)
        if hide:
            t.setVisible(False)
            continue
        t.setEnabled(False)
        if isinstance(t, QAction):
            t.changed.connect(lambda a=t: _keep_action_disabled(a))
        else:
            keeper = _KeepDisabled(t)
            t.installEventFilter(keeper)
    return False


def refuse_in_place(target: QWidget | QAction, why: str | None, tooltip: str = "") -> None:
    """For controls whose state follows the current record (a site's community): disable with the
    reason, or leave alone and restore the ordinary tooltip."""
    if why is None:
        target.setToolTip(tooltip)
        target.setProperty(REFUSED, None)
        return
    target.setEnabled(False)
    target.setToolTip(why)
    target.setProperty(REFUSED, why)
