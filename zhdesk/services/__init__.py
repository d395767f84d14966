"""Use cases: one function per thing a user does, each in one unit of work.

`zhdesk.services.brief` (any service module) is imported the first time it is named, as an attribute of
this package too (PEP 562): the Desk names every use case's module without loading it at start (issue 13).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

if not TYPE_CHECKING:  # hidden from mypy: `services.x` type-checks only where zhdesk.services.x is imported

    def __getattr__(name: str) -> ModuleType:
        if name.startswith("_"):
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":  # the service exists but something it imports does not
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
