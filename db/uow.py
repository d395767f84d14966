"""Unit of work: one session, committed or rolled back as a whole."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from db import rollups


class UnitOfWork:
    """`with uow:` opens a session; leaving normally does NOT commit — call commit() explicitly.

    Any exception rolls everything back, so a refused operation leaves the database as it was.
    With `refuse_writes`, every flush of a change, ORM insert/update/delete and commit raises the
    exception it returns (a damaged database is read-only); reads go on.
    """

    def __init__(
        self,
        engine: Engine,
        user_login: str = "local",
        refuse_writes: Callable[[], Exception] | None = None,
        *,
        signed_in: bool = False,
    ) -> None:
        self.engine = engine
        self.user_login = user_login
        # Whether `user_login` proved its password (accounts mode; zhdesk/services/common.current_user).
        self.signed_in = signed_in
        self.refuse_writes = refuse_writes
        self._factory = sessionmaker(engine, expire_on_commit=False, future=True)
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside 'with'")
        return self._session

    def __enter__(self) -> UnitOfWork:
        if self._session is not None:
            raise RuntimeError("UnitOfWork is not re-entrant")
        self._session = self._factory()
        if self.refuse_writes is not None:
            event.listen(self._session, "before_flush", self._refuse_flush)
            event.listen(self._session, "do_orm_execute", self._refuse_dml)
        rollups.install(self._session)  # the dashboard's counts move in the same flush as the rows
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        try:
            self._session.rollback()
        finally:
            self._session.close()
            self._session = None

    def commit(self) -> None:
        if self.refuse_writes is not None:
            raise self.refuse_writes()
        self.session.commit()

    def _refuse_flush(self, *_: Any) -> None:
        assert self.refuse_writes is not None
        raise self.refuse_writes()

    def _refuse_dml(self, state: ORMExecuteState) -> None:
        assert self.refuse_writes is not None
        if state.is_insert or state.is_update or state.is_delete:
            raise self.refuse_writes()
