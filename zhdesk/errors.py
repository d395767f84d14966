"""Errors the user sees. Every message is one line of Chinese saying what and where."""

from __future__ import annotations

import datetime as dt


class ZhdeskError(Exception):
    """Base: `exit_code` is what the CLI returns for it."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputRefused(ZhdeskError):
    """The input was understood but refused (nothing written). CLI exit 1."""

    exit_code = 1


class NotFound(InputRefused):
    """An id or name that does not exist."""


class IllegalTransition(InputRefused):
    """A listing workflow step that is not allowed from the current state."""


class NeedsConfirmation(InputRefused):
    """Refused as it stands, but the user may confirm it (e.g. an event dated before its listing)."""


class Conflict(InputRefused):
    """Another workstation changed the record first (optimistic locking).

    `theirs`: what the other person's change set (field -> value, from the audit trail), `by` who (their
    name or login) and `at` when, so the window can show their change and offer a choice; None when the
    trail says nothing about it (e.g. a database written by an older version)."""

    def __init__(
        self,
        message: str,
        theirs: dict[str, object] | None = None,
        by: str | None = None,
        at: dt.datetime | None = None,
    ) -> None:
        super().__init__(message)
        self.theirs = theirs or {}
        self.by = by
        self.at = at


class UsageError(ZhdeskError):
    """Malformed arguments or unreadable input. CLI exit 2."""


class StorageProblem(ZhdeskError):
    """The database cannot be opened or written. CLI exit 2."""


class Forbidden(InputRefused):
    """The signed-in role may not do this (zhdesk/domain/roles.refusal names the role and the action)."""


class SignInRequired(InputRefused):
    """The database uses accounts and this desk has not signed in (or its account was disabled)."""

    def __init__(self, message: str = "此数据库已启用账户登录，请先登录") -> None:
        super().__init__(message)


class SignInRefused(InputRefused):
    """A sign-in was refused: wrong login or password, a disabled or locked account. `locked_until`: when
    a locked account may try again, else None."""

    def __init__(self, message: str, locked_until: dt.datetime | None = None) -> None:
        super().__init__(message)
        self.locked_until = locked_until
