"""Every service test here runs on SQLite and on PostgreSQL (tests/engines.py); the backup tests that are
about a SQLite file take sqlite_desk/sqlite_demo_desk."""

from tests.engines import demo_desk, desk

__all__ = ["demo_desk", "desk"]
