"""The real CLI on PostgreSQL: `demo`, then the read commands print the same JSON as on a SQLite file
loaded with the same demo the same day (there is no `dashboard` command: `stats --json` is its figures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import assert_ok, with_admin, zhdesk

READS = [
    ("sites", "--json"),
    ("stats", "--json"),
    ("stats", "--json", "--from", "2021-01-01", "--to", "2021-06-30"),
    ("stats", "--json", "--community", "江西路社区"),
    ("bulletins", "--json", "--items"),
    ("people", "list", "--json"),
    ("units", "list", "--json"),
    ("site", "dossier", "1", "--json"),
    ("timeline", "1", "--json"),
]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory, pg_server: object) -> dict[str, dict[tuple[str, ...], str]]:
    """Each engine's output of every read after `demo` (one demo per engine for the whole module)."""
    from tests.pg import Server

    assert isinstance(pg_server, Server)
    folder = tmp_path_factory.mktemp("cli_pg")
    urls = {"sqlite": f"sqlite:///{(folder / 'demo.db').as_posix()}", "postgresql": with_admin(pg_server.create())}
    out: dict[str, dict[tuple[str, ...], str]] = {}
    try:
        for engine, url in urls.items():
            loaded = zhdesk("demo", db=url, cwd=folder)
            assert_ok(loaded)
            assert "新增" in loaded.out
            out[engine] = {}
            for args in READS:
                r = zhdesk(*args, db=url, cwd=folder)
                assert_ok(r)
                out[engine][args] = r.out
    finally:
        pg_server.drop(urls["postgresql"])
    return out


@pytest.mark.parametrize("args", READS, ids=[" ".join(a) for a in READS])
def test_reads_print_the_same_json_on_both_engines(outputs: dict[str, dict[tuple[str, ...], str]],
                                                   args: tuple[str, ...]) -> None:  # fmt: skip
    assert outputs["postgresql"][args] == outputs["sqlite"][args]
    assert outputs["sqlite"][args].strip() not in ("", "[]", "{}")


def test_demo_twice_adds_nothing_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    assert_ok(zhdesk("demo", db=with_admin(pg_url), cwd=tmp_path))
    again = zhdesk("demo", db=pg_url, cwd=tmp_path)
    assert_ok(again)
    assert "未新增" in again.out
