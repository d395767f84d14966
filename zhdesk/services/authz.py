"""Who may call which service (issue 12): `@requires("action")` on every service the Desk offers as a
writing use case, checked before the service reads its arguments.

Accounts mode: the signed-in account's role must allow the action (zhdesk/domain/roles.py); a refusal is
audited (auth.denied: who, action, use case) in a transaction of its own, committed although the call is
refused, then raised as Forbidden. Local mode (one person, no passwords): every action is allowed.

Staff bound to a community (roles.COMMUNITY_BOUND) stay inside it: `require_community` is called by the
services that touch a site or a community's tallies.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Concatenate, ParamSpec, TypeVar, cast

from db.models import Community, User
from db.uow import UnitOfWork
from zhdesk.domain.roles import ACTIONS, COMMUNITY_BOUND, ROLE_LABELS, allowed, refusal
from zhdesk.errors import Forbidden

P = ParamSpec("P")
R = TypeVar("R")

# audit, settings and common are imported where used: they are guarded by `requires` themselves.
REQUIRED = "required_action"  # the attribute `requires` sets, read by Desk and its test


def required_action(fn: object) -> str | None:
    """The action a service function requires, or None when it is not guarded."""
    value = getattr(fn, REQUIRED, None)
    return value if isinstance(value, str) else None


def _deny(uow: UnitOfWork, user: User, action: str, use_case: str, **detail: object) -> Forbidden:
    """Record the refusal in its own committed transaction and return the error to raise."""
    if uow.refuse_writes is None:  # a damaged, read-only database records nothing
        with UnitOfWork(uow.engine, uow.user_login) as own:
            _audit_denied(own, user, action, use_case, detail)
    return Forbidden(refusal(user.role, action))


def _audit_denied(uow: UnitOfWork, user: User, action: str, use_case: str, detail: dict[str, object]) -> None:
    from zhdesk.services.audit import audit

    audit(uow, "auth.denied", "user", user.id, role=user.role, required=action, use_case=use_case, **detail)
    uow.commit()


def unguarded(fn: Callable[P, R]) -> Callable[P, R]:
    """The function under `requires`: for a service calling a guarded one for a read (a preview)."""
    inner = getattr(fn, "__wrapped__", fn)
    return cast(Callable[P, R], inner)


def authorize(uow: UnitOfWork, action: str, use_case: str) -> User | None:
    """The account allowed to do `action`, None in local mode; Forbidden (audited) otherwise."""
    from zhdesk.services.common import current_user
    from zhdesk.services.settings import auth_mode

    if action not in ACTIONS:
        raise KeyError(action)
    if auth_mode(uow) != "accounts":
        return None
    user = current_user(uow)  # SignInRequired when nobody signed in
    if not allowed(user.role, action):
        raise _deny(uow, user, action, use_case)
    return user


def requires(
    action: str,
) -> Callable[[Callable[Concatenate[UnitOfWork, P], R]], Callable[Concatenate[UnitOfWork, P], R]]:
    """Guard a service function: the role check runs before the function touches its arguments."""
    if action not in ACTIONS:
        raise KeyError(action)

    def decorate(fn: Callable[Concatenate[UnitOfWork, P], R]) -> Callable[Concatenate[UnitOfWork, P], R]:
        @functools.wraps(fn)
        def guarded(uow: UnitOfWork, /, *args: P.args, **kwargs: P.kwargs) -> R:
            authorize(uow, action, fn.__name__)
            return fn(uow, *args, **kwargs)

        setattr(guarded, REQUIRED, action)
        return guarded

    return decorate


def require_community(uow: UnitOfWork, communities: Iterable[Community | None], action: str, use_case: str) -> None:
    """A staff account bound to a community acts only inside it (events and photos of its sites, tallies
    of it): every one of `communities` must be its own (None: a record of no community, refused too).
    Refusals are audited like any other. Local mode and unbound accounts pass."""
    from zhdesk.services.common import current_user
    from zhdesk.services.settings import auth_mode

    if auth_mode(uow) != "accounts":
        return
    user = current_user(uow)
    if user.role not in COMMUNITY_BOUND or user.community_id is None:
        return
    others = {c.name if c is not None else None for c in communities if c is None or c.id != user.community_id}
    if not others:
        return
    own = user.community.name if user.community is not None else str(user.community_id)
    names = sorted(n for n in others if n is not None)
    where = "、".join(f"“{n}”" for n in names[:3]) + ("等社区" if len(names) > 3 else "")
    _deny(uow, user, action, use_case, outside=names or None)
    role = ROLE_LABELS.get(user.role, user.role)
    raise Forbidden(f"当前账户（{role}）限定在“{own}”，不能对{where or '未归属社区的记录'}{ACTIONS[action]}")
