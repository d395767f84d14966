"""zhdesk.dto names every record; those a start does not use live in zhdesk/dto_*.py and load on first use
(issue 13). The runtime table (`LATER`), the names mypy sees (the TYPE_CHECKING imports) and each module's
`__all__` must agree, or a name would type-check and fail at run time, or the reverse."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from zhdesk import dto


def _type_checking_imports() -> dict[str, set[str]]:
    tree = ast.parse(Path(dto.__file__).read_text(encoding="utf-8"))
    found: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom) and imp.module is not None
                for alias in imp.names:
                    assert alias.asname == alias.name, "a re-export keeps its name"
                    found.setdefault(imp.module, set()).add(alias.name)
    return found


def test_the_later_table_the_typed_names_and_each_modules_all_agree() -> None:
    assert _type_checking_imports() == {module: set(names) for module, names in dto.LATER.items()}
    for module, names in dto.LATER.items():
        assert sorted(importlib.import_module(module).__all__) == sorted(names), module


@pytest.mark.parametrize("module", sorted(dto.LATER))
def test_every_later_name_is_the_record_of_its_module(module: str) -> None:
    for name in dto.LATER[module]:
        assert getattr(dto, name) is getattr(importlib.import_module(module), name)
        assert name in dir(dto)
    defined_in_core = {n for n, v in vars(dto).items() if getattr(v, "__module__", "") == "zhdesk.dto"}
    assert not set(dto.LATER[module]) & defined_in_core  # none of them is defined twice


def test_an_unknown_name_is_an_import_error() -> None:
    with pytest.raises(ImportError):
        exec("from zhdesk.dto import NoSuchDTO", {})
    with pytest.raises(AttributeError):
        _ = dto.NoSuchDTO


def test_a_later_record_behaves_as_before() -> None:
    """Frozen, hashable, equal by value; the records that reach across modules still serialise."""
    from zhdesk.dto import BriefSpec, DossierItem, ItemDTO, StatsFilter

    spec = BriefSpec(communities=("东社区",))
    assert spec == BriefSpec(communities=("东社区",)) and hash(spec) == hash(BriefSpec(communities=("东社区",)))
    with pytest.raises(AttributeError):
        spec.photos = False
    assert {StatsFilter(): 1}[StatsFilter()] == 1  # filters are dictionary keys
    import datetime as dt

    item = ItemDTO(1, 2, "city", 3, 4, "东街1号", "东社区", None, None, dt.date(2026, 11, 30), None, "open", None,
                   False, None, "red", -2, "超期2天")  # fmt: skip
    d = DossierItem(item, 2026, dt.date(2026, 11, 1)).to_json()
    assert d["deadline"] == "2026-11-30" and d["issued_on"] == "2026-11-01" and d["batch"].startswith("2026年")
