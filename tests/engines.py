"""`desk` and `demo_desk` on both engines: imported by a conftest (or a test module) whose tests must give
the same answers on SQLite and PostgreSQL, they stand in for tests/conftest.py's SQLite-only fixtures of
the same names. Tests about a SQLite file itself take sqlite_desk/sqlite_demo_desk instead."""

from __future__ import annotations

import pytest

from zhdesk.desk import Desk


@pytest.fixture
def desk(any_desk: Desk) -> Desk:
    return any_desk


@pytest.fixture
def demo_desk(any_demo_desk: Desk) -> Desk:
    return any_demo_desk
