"""`zhdesk stats` and `zhdesk bulletins` end to end, in a subprocess, on one demo database per module
(loaded by `zhdesk demo`; every test here only reads it)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from db.engine import sqlite_url
from tests.support import Run, assert_error, assert_ok, dump, zhdesk
from zhdesk.desk import Desk
from zhdesk.domain.stats import Kind

PHASE_ONE = ("--from", "2021-01-01", "--to", "2021-06-30")
SOURCE = {
    "patrol": (26, 54), "foot_patrol": (21, 39), "inspection_bulletin": (8, 12), "listed": (5, 10),
    "supervision_case": (3, 20), "compound_notice": (1, 5), "other": (0, 0),
}  # fmt: skip
BATCH_KEYS = {"id", "kind", "kind_label", "year", "issue_no", "issued_on", "issuer", "title", "items", "closed",
              "all_closed"}  # fmt: skip


@dataclass(frozen=True)
class DemoDb:
    folder: Path
    url: str
    runs: dict[tuple[str, ...], Run] = field(default_factory=dict)

    def run(self, *args: str) -> Run:
        """Each command line runs once per module: nothing here writes to the database."""
        if args not in self.runs:
            self.runs[args] = zhdesk(*args, db=self.url, cwd=self.folder)
        return self.runs[args]

    def json(self, *args: str) -> Any:
        r = self.run(*args)
        assert_ok(r)
        return r.json()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoDb:
    folder = tmp_path_factory.mktemp("cli_stats")
    url = sqlite_url(folder / "demo.db")
    loaded = zhdesk("demo", db=url, cwd=folder)
    assert loaded.code == 0, loaded.err
    return DemoDb(folder, url)


def check_shape(out: dict[str, Any]) -> None:
    sup = out["supervision"]
    assert set(sup) == {k.value for k in Kind} | {"total"}
    for counts in sup.values():
        assert set(counts) == {"issues", "items", "closed"}
        assert all(isinstance(v, int) and v >= 0 for v in counts.values())
        assert counts["closed"] <= counts["items"]
    for key in ("issues", "items", "closed"):
        assert sup["total"][key] == sum(sup[k.value][key] for k in Kind)
    for key in ("closure_rate", "on_time_closure_rate"):
        assert isinstance(out[key], float) and 0.0 <= out[key] <= 1.0, key
    assert out["on_time_closure_rate"] <= out["closure_rate"]


def test_stats_phase_one_is_the_source(demo: DemoDb) -> None:
    out = demo.json("stats", *PHASE_ONE, "--json")
    check_shape(out)
    sup = out["supervision"]
    for kind, (issues, items) in SOURCE.items():
        assert sup[kind] == {"issues": issues, "items": items, "closed": items}, kind
    assert sup["total"] == {"issues": 64, "items": 140, "closed": 140}
    assert out["closure_rate"] == 1.0
    assert out["range"] == {"from": "2021-01-01", "to": "2021-06-30", "community": None}
    assert out["city_cases"] == {"value": 1758.0, "qualifier": None}


def test_stats_same_range_written_the_chinese_way(demo: DemoDb) -> None:
    r = demo.run("stats", "--from", "2021年1月1日", "--to", "２０２１.６.３０", "--json")
    assert_ok(r)
    assert r.json()["supervision"] == demo.json("stats", *PHASE_ONE, "--json")["supervision"]


def test_stats_unfiltered_includes_the_live_phase(demo: DemoDb) -> None:
    out = demo.json("stats", "--json")
    check_shape(out)
    total = out["supervision"]["total"]
    assert total["issues"] > 64 and total["items"] > 140
    assert total["closed"] < total["items"]  # the live phase has open items
    assert sum(u["items"] for u in out["overdue_by_unit"]) >= 1
    assert out["closure_rate"] < 1.0


def test_stats_as_text(demo: DemoDb) -> None:
    r = demo.run("stats", *PHASE_ONE)
    assert_ok(r)
    lines = r.out.strip().splitlines()
    assert "巡查：26期 54处，办结 54处" in lines
    assert "挂牌督办：5期 10处，办结 10处" in lines
    assert "合计：64期 140处，办结 140处" in lines
    assert not any(line.startswith("其他：") for line in lines)  # a kind with no items is left out
    assert lines[-2].startswith("结案率 100.0%，按期结案率 ")
    # then the tally figures (issue 10), with their qualifiers
    assert lines[-1].startswith("台账：") and "组织发动人次517人次" in lines[-1] and "清理垃圾近130吨" in lines[-1]


def test_stats_for_one_community_agrees_with_its_bulletins(demo: DemoDb) -> None:
    out = demo.json("stats", "--community", "江西路社区", "--json")
    check_shape(out)
    everything = demo.json("stats", "--json")["supervision"]["total"]
    total = out["supervision"]["total"]
    assert 0 < total["items"] < everything["items"]
    assert out["range"]["community"] == "江西路社区"
    batches = demo.json("bulletins", "--community", "江西路社区", "--json")
    assert sum(b["items"] for b in batches) == total["items"]
    assert sum(b["closed"] for b in batches) == total["closed"]
    assert len(batches) == total["issues"]
    for kind in Kind:
        mine = [b for b in batches if b["kind"] == kind.value]
        c = out["supervision"][kind.value]
        assert (c["issues"], c["items"]) == (len(mine), sum(b["items"] for b in mine)), kind


def test_bulletins_json(demo: DemoDb) -> None:
    batches = demo.json("bulletins", "--json")
    total = demo.json("stats", "--json")["supervision"]
    assert len(batches) == total["total"]["issues"]
    assert sum(b["items"] for b in batches) == total["total"]["items"]
    for b in batches:
        assert set(b) == BATCH_KEYS
        assert b["kind"] in {k.value for k in Kind}
        assert b["kind_label"] == Kind(b["kind"]).label
        assert b["year"] == int(b["issued_on"][:4]) and b["issue_no"] >= 1
        assert b["all_closed"] == (b["items"] > 0 and b["closed"] == b["items"])
    keys = [(b["kind"], b["year"], b["issue_no"]) for b in batches]
    assert len(set(keys)) == len(keys)  # 期 numbers never repeat within a kind and year
    dates = [b["issued_on"] for b in batches]
    assert dates == sorted(dates, reverse=True)  # newest first
    phase_one = [b for b in batches if "2021-01-01" <= b["issued_on"] <= "2021-06-30"]
    assert len(phase_one) == 64 and all(b["all_closed"] for b in phase_one)


@pytest.mark.parametrize("kind", ["listed", "挂牌督办"])
def test_bulletins_by_kind(demo: DemoDb, kind: str) -> None:
    r = demo.run("bulletins", "--kind", kind, "--json")
    assert_ok(r)
    assert r.raw == demo.run("bulletins", "--kind", "listed", "--json").raw
    batches = r.json()
    assert {b["kind"] for b in batches} == {"listed"}
    assert len(batches) == demo.json("stats", "--json")["supervision"]["listed"]["issues"]


def test_bulletins_with_items(demo: DemoDb) -> None:
    batches = demo.json("bulletins", "--kind", "挂牌督办", "--items", "--json")
    in_2021 = [b for b in batches if b["year"] == 2021]
    assert len(in_2021) == 5
    items = [i for b in in_2021 for i in b["item_list"]]
    assert len(items) == 10 and all(i["listing_id"] is not None and i["status"] == "closed" for i in items)
    assert sorted({i["address"] for i in items}) == sorted(["江西路153号", "澄海路22号", "汕头路7号", "善化路18号院",
                                                            "善化路19号院"])  # fmt: skip
    for b in batches:
        assert len(b["item_list"]) == b["items"]


@pytest.mark.parametrize(
    "args", [(), ("--community", "江西路社区（示例）"), ("--kind", "挂牌督办"), ("--kind", "其他")]
)
def test_bulletins_items_stream_the_same_text(demo: DemoDb, args: tuple[str, ...]) -> None:
    """Streamed batch by batch (issue 13), the output is byte for byte what the whole list made."""
    from zhdesk.cli import _batch_json, _batch_lines
    from zhdesk.domain.stats import parse_kind
    from zhdesk.dto import BatchFilter

    desk = Desk.open(demo.url)
    try:
        kind = parse_kind(args[1]) if args[:1] == ("--kind",) else None
        f = BatchFilter(kind=kind, community=args[1] if args[:1] == ("--community",) else None)
        batches = desk.batches(f)
        items = {b.id: desk.batch_items(b.id) for b in batches}
    finally:
        desk.close()
    whole = json.dumps([_batch_json(b, items[b.id]) for b in batches], ensure_ascii=False, indent=2) + "\n"
    assert demo.run("bulletins", "--items", "--json", *args).out == whole
    plain = json.dumps([_batch_json(b, None) for b in batches], ensure_ascii=False, indent=2) + "\n"
    assert demo.run("bulletins", "--json", *args).out == plain
    assert demo.run("bulletins", "--items", *args).out == "".join(f"{line}\n" for line in _batch_lines(batches, items))
    assert (batches == []) == (args == ("--kind", "其他"))


ERRORS: list[tuple[list[str], int, str]] = [
    (["stats", "--from", "2021-06-30", "--to", "2021-01-01", "--json"], 2, "晚于"),
    (["stats", "--from", "2021-13-01", "--json"], 2, "2021-13-01"),
    (["stats", "--to", "abc", "--json"], 2, "abc"),
    (["stats", "--from", "2021-02-30"], 2, "起始日期"),
    (["stats", "--community", "青岛路社区", "--json"], 1, "青岛路社区"),
    (["bulletins", "--kind", "foo"], 2, "foo"),
    (["bulletins", "--kind", "foo", "--json"], 2, "挂牌督办"),
    (["bulletins", "--community", "青岛路社区"], 1, "青岛路社区"),
]


@pytest.mark.parametrize(("args", "code", "words"), ERRORS, ids=[" ".join(a) for a, _, _ in ERRORS])
def test_errors(demo: DemoDb, args: list[str], code: int, words: str) -> None:
    db_file = demo.folder / "demo.db"
    before = dump(demo.url)
    r = zhdesk(*args, db=demo.url, cwd=demo.folder)
    assert_error(r, code)
    assert words in r.err
    assert dump(demo.url) == before and db_file.exists()


def test_stats_check_and_rebuild(tmp_path: Path) -> None:
    """`stats check` says whether the dashboard's rollups agree with the items; `stats rebuild` repairs them."""
    import sqlite3

    url = sqlite_url(tmp_path / "r.db")
    assert zhdesk("demo", db=url, cwd=tmp_path).code == 0
    ok = zhdesk("stats", "check", db=url, cwd=tmp_path)
    assert_ok(ok)
    assert "一致" in ok.out
    with sqlite3.connect(tmp_path / "r.db") as con:  # a change past the app
        con.execute("UPDATE stat_kind SET closed = closed + 1 WHERE community_id = 0")
    bad = zhdesk("stats", "check", db=url, cwd=tmp_path)
    assert_error(bad, 1)
    assert "不一致" in bad.err and "stats rebuild" in bad.err
    rebuilt = zhdesk("stats", "rebuild", "--json", db=url, cwd=tmp_path)
    assert_ok(rebuilt)
    assert rebuilt.json()["rows"] > 0
    assert_ok(zhdesk("stats", "check", db=url, cwd=tmp_path))
    log = zhdesk("audit", "--action", "stats.rebuild", db=url, cwd=tmp_path)
    assert_ok(log)
    assert "重建统计汇总表" in log.out
