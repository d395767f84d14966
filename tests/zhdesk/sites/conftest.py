"""The site import tests run on SQLite and on PostgreSQL (tests/engines.py)."""

from tests.engines import demo_desk, desk

__all__ = ["demo_desk", "desk"]
