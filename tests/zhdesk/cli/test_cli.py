"""The `zhdesk` command line end to end, in a subprocess, against SQLite files in tmp folders.

One demo database is built per module; tests that write work on a copy of it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from db.engine import sqlite_url
from tests.support import CJK, Run, assert_error, assert_ok, copy_database, dump, zhdesk

FIVE = ["江西路153号", "澄海路22号", "汕头路7号", "善化路18号院", "善化路19号院"]
JIANGXI = {"江西路153号", "江西路121号", "江西路与福州南路交汇处", "江西路沿街商铺(88—102号)"}
STATUSES = {"listed", "rectifying", "awaiting_acceptance", "closed"}
ROW_KEYS = ["id", "address", "community", "listed", "status", "deadline", "light", "lead", "unit", "category"]


@dataclass(frozen=True)
class DemoDb:
    folder: Path
    path: Path
    url: str
    inits: tuple[Run, Run]
    demo: Run
    ids: dict[str, int]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoDb:
    folder = tmp_path_factory.mktemp("cli")
    path = folder / "demo.db"
    url = sqlite_url(path)
    inits = (zhdesk("init", db=url, cwd=folder), zhdesk("init", db=url, cwd=folder))
    loaded = zhdesk("demo", db=url, cwd=folder)
    assert loaded.code == 0, loaded.err
    with sqlite3.connect(path) as conn:
        ids = dict(conn.execute("SELECT address, id FROM site"))
    return DemoDb(folder, path, url, inits, loaded, ids)


@pytest.fixture
def scratch(demo: DemoDb, tmp_path: Path) -> str:
    """A private copy of the demo database for a test that writes (or must prove it did not)."""
    return sqlite_url(copy_database(demo.path, tmp_path / "demo.db"))


def addresses(r: Run) -> list[str]:
    assert_ok(r)
    return [row["address"] for row in r.json()]


# ---------------------------------------------------------------- init / demo


def test_init_twice_succeeds(demo: DemoDb) -> None:
    for r in demo.inits:
        assert_ok(r)
        assert "数据库已就绪" in r.out and str(demo.path) in r.out


def test_demo_twice_adds_nothing(demo: DemoDb, scratch: str, tmp_path: Path) -> None:
    assert "新增" in demo.demo.out
    before = zhdesk("sites", "--json", db=scratch, cwd=tmp_path)
    rows_before = dump(scratch)
    again = zhdesk("demo", db=scratch, cwd=tmp_path)
    assert_ok(again)
    assert "未新增" in again.out
    after = zhdesk("sites", "--json", db=scratch, cwd=tmp_path)
    assert_ok(after)
    assert after.raw == before.raw
    assert len(after.json()) >= 17
    rows_after = dump(scratch)
    assert {k: len(v) for k, v in rows_after.items()} == {k: len(v) for k, v in rows_before.items()}
    assert len(rows_after["site"]) >= 17 and len(rows_after["listing"]) == 15  # 5 now + 10 in 2021
    assert rows_after == rows_before


# ---------------------------------------------------------------- sites


def test_sites_json_listed(demo: DemoDb) -> None:
    r = zhdesk("sites", "--json", "--listed", db=demo.url, cwd=demo.folder)
    assert_ok(r)
    assert "江西路".encode() in r.raw  # real UTF-8, not \u escapes
    assert b"\\u" not in r.raw
    rows = r.json()
    assert isinstance(rows, list)
    assert sorted(row["address"] for row in rows) == sorted(FIVE)
    assert len(rows) == 5
    for row in rows:
        assert list(row)[: len(ROW_KEYS)] == ROW_KEYS
        assert row["id"] == demo.ids[row["address"]]
        assert row["listed"] is True
        assert row["status"] in STATUSES
        assert isinstance(row["deadline"], str) and dt.date.fromisoformat(row["deadline"])
        assert row["light"] in {"red", "yellow", "green", "grey"}
        assert row["community"].endswith("社区（示例）")
        for key in ("lead", "unit", "category"):
            assert isinstance(row[key], str) and CJK.search(row[key])
    assert [row["light"] for row in rows] == ["red", "yellow", "green", "green", "grey"]
    assert {row["address"] for row in rows if row["military"]} == {"善化路18号院", "善化路19号院"}


def test_output_is_utf8_even_on_a_legacy_console(demo: DemoDb) -> None:
    legacy = {"PYTHONIOENCODING": "ascii"}
    r = zhdesk("sites", "--json", "--listed", db=demo.url, cwd=demo.folder, env=legacy)
    assert_ok(r)
    assert "江西路153号".encode() in r.raw
    err = zhdesk("sites", "--community", "青岛路社区", db=demo.url, cwd=demo.folder, env=legacy)
    assert_error(err, 1)
    assert "青岛路社区" in err.err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--light", "red"], ["江西路153号"]),
        (["--light", "灰"], ["汕头路7号"]),
        (["--status", "rectifying"], ["江西路153号", "善化路18号院", "善化路19号院"]),
        (["--status", "待验收"], ["澄海路22号"]),
        (["--community", "江西路社区", "--listed"], ["江西路153号"]),
        (["--search", "善化路1", "--listed"], ["善化路18号院", "善化路19号院"]),
    ],
)
def test_sites_filters(demo: DemoDb, args: list[str], expected: list[str]) -> None:
    assert addresses(zhdesk("sites", "--json", *args, db=demo.url, cwd=demo.folder)) == expected


def test_sites_as_text(demo: DemoDb) -> None:
    r = zhdesk("sites", "--listed", db=demo.url, cwd=demo.folder)
    assert_ok(r)
    lines = r.out.strip().splitlines()
    assert len(lines) == 5
    assert "江西路153号" in lines[0] and "●红" in lines[0] and "超期" in lines[0]
    assert "汕头路7号" in lines[-1] and "●灰" in lines[-1]
    none = zhdesk("sites", "--light", "red", "--community", "善化路社区", db=demo.url, cwd=demo.folder)
    assert_ok(none)
    assert none.out.strip() == "（没有符合条件的点位）"


# ---------------------------------------------------------------- site show


def test_site_show(demo: DemoDb) -> None:
    sid = demo.ids["善化路18号院"]
    r = zhdesk("site", "show", str(sid), "--json", db=demo.url, cwd=demo.folder)
    assert_ok(r)
    d = r.json()
    assert (d["id"], d["address"], d["military"], d["status"], d["light"]) == (
        sid,
        "善化路18号院",
        True,
        "rectifying",
        "green",
    )
    *earlier, listing = d["listings"]
    assert [e["status"] for e in earlier] == ["closed", "closed"]  # the 2021 phase
    # listed 50 days before the demo was loaded, due 25 days after
    assert dt.date.fromisoformat(d["deadline"]) - dt.date.fromisoformat(listing["listed_on"]) == dt.timedelta(75)
    assert listing["rework_count"] == 1
    phones = {(c["role"], c["person"] or c["unit"]): c["phone"] for c in listing["contacts"]}
    assert phones[("lead", "赵国强")] == "138 0000 0104"
    assert phones[("unit", "区退役军人事务局")] == "0532-8000 1104"
    assert d["transitions"] == [
        {"action": "submit", "label": "申请验收", "target": "awaiting_acceptance", "target_label": "待验收"}
    ]
    text = zhdesk("site", "show", str(sid), db=demo.url, cwd=demo.folder)
    assert_ok(text)
    assert "善化路18号院" in text.out and "部队管辖" in text.out
    assert "包案领导：赵国强" in text.out and "138 0000 0104" in text.out
    assert "可执行：submit(申请验收)" in text.out


# ---------------------------------------------------------------- writing


def test_add_list_move_round_trip(scratch: str, tmp_path: Path) -> None:
    def run(*args: str) -> Run:
        r = zhdesk(*args, db=scratch, cwd=tmp_path)
        assert_ok(r)
        return r

    added = run("site", "add", "--address", "江西路300号", "--community", "江西路社区", "--note", "新发现", "--json")
    d = added.json()
    sid = str(d["id"])
    assert (d["address"], d["community"], d["listed"], d["status"], d["note"]) == (
        "江西路300号",
        "江西路社区（示例）",
        False,
        None,
        "新发现",
    )
    listed = run(
        "site", "list", sid, "--listed-on", "2026-11-01", "--deadline", "2026年12月31日",
        "--lead", "李明远", "--unit", "珠海路环卫站", "--unit", "江西路物业公司",
        "--person", "钱多多", "--person-phone", "135 0000 9999",
        "--category", "06036", "--issue-no", "9", "--problem", "楼道堆物", "--json",
    ).json()  # fmt: skip
    assert (listed["status"], listed["deadline"], listed["listed_on"], listed["issue_no"]) == (
        "listed",
        "2026-12-31",
        "2026-11-01",
        9,
    )
    assert (listed["lead"], listed["unit"], listed["category"], listed["category_code"]) == (
        "李明远",
        "珠海路环卫站",
        "乱堆杂物",
        "06036",
    )
    contacts = [(c["role"], c["person"] or c["unit"], c["phone"]) for c in listed["listings"][0]["contacts"]]
    assert contacts == [
        ("lead", "李明远", "138 0000 0102"),
        ("unit", "珠海路环卫站", "0532-8000 1102"),
        ("unit", "江西路物业公司", None),
        ("person", "钱多多", "135 0000 9999"),
    ]
    (row,) = run("sites", "--search", "江西路300", "--json").json()
    assert (row["id"], row["status"], row["lead"]) == (int(sid), "listed", "李明远")

    steps = [
        (("start", "--date", "2026-11-02"), "整改中"),
        (("待验收", "--date", "2026-11-10"), "待验收"),
        (("退回整改", "--date", "2026-11-12", "--note", "仍有堆物"), "整改中"),
        (("submit", "--date", "2026-11-15"), "待验收"),
        (("accept", "--date", "2026-11-16"), "已办结(摘牌)"),
        (("整改中", "--date", "2026-11-20"), "整改中"),  # a rebound, named by its target state
    ]
    for args, label in steps:
        assert f"状态已变为“{label}”" in run("site", "move", sid, *args).out
    final = run("site", "show", sid, "--json").json()
    (listing,) = final["listings"]
    assert (final["status"], final["closed_on"]) == ("rectifying", None)
    assert (listing["rework_count"], listing["rebound_count"]) == (1, 1)
    with sqlite3.connect(tmp_path / "demo.db") as conn:
        kinds = [k for (k,) in conn.execute("SELECT kind FROM timeline_event WHERE site_id=? ORDER BY id", (sid,))]
        texts = [t for (t,) in conn.execute("SELECT text FROM timeline_event WHERE site_id=? ORDER BY id", (sid,))]
    assert kinds == ["listed", "action", "acceptance_request", "rejected", "acceptance_request", "accepted", "rebound"]
    assert texts[3] == "退回整改：仍有堆物"


# ---------------------------------------------------------------- errors


ERRORS: list[tuple[list[str], int, str]] = [
    (["site", "show", "9999"], 1, "9999"),
    (["site", "move", "@汕头路7号", "start"], 1, "可执行"),
    (["site", "move", "@澄海路22号", "已挂牌"], 1, "不能从"),
    (["site", "move", "@江西路121号", "start", "--date", "2026-11-01"], 1, "未挂牌"),
    (["site", "add", "--address", "新路1号", "--community", "青岛路社区"], 1, "江西路社区（示例）"),
    (["site", "add", "--address", "江西路153号", "--community", "江西路社区"], 1, "已存在"),
    (["sites", "--community", "青岛路社区"], 1, "青岛路社区"),
    (["site", "list", "@江西路153号", "--listed-on", "2026-11-01", "--deadline", "2026-12-31"], 1, "重复挂牌"),
    (["site", "list", "@江西路121号", "--listed-on", "2026-12-01", "--deadline", "2026-11-01"], 1, "早于"),
    (["site", "list", "@江西路121号", "--deadline", "2021-13-45"], 2, "2021-13-45"),
    (["site", "list", "@江西路121号", "--deadline", "abc"], 2, "abc"),
    (["site", "list", "@江西路121号", "--deadline", "2026-12-31", "--listed-on", "2026-02-30"], 2, "挂牌日期"),
    (["site", "move", "@江西路153号", "submit", "--date", "abc"], 2, "abc"),
    (["site", "add", "--community", "江西路社区"], 2, "--address"),
    (["site", "list", "@江西路121号"], 2, "--deadline"),
    ([], 2, "命令"),
    (["site"], 2, "操作"),
    (["frobnicate"], 2, "frobnicate"),
    (["sites", "--light", "purple"], 2, "purple"),
    (["sites", "--status", "done"], 2, "awaiting_acceptance"),
    (["site", "move", "@江西路153号", "finish"], 2, "submit"),
    (["site", "show", "abc"], 2, "abc"),
]


@pytest.mark.parametrize(("args", "code", "words"), ERRORS, ids=[" ".join(a) or "(none)" for a, _, _ in ERRORS])
def test_refusals_and_usage_errors_write_nothing(
    demo: DemoDb, scratch: str, tmp_path: Path, args: list[str], code: int, words: str
) -> None:
    argv = [str(demo.ids[a[1:]]) if a.startswith("@") else a for a in args]
    before = dump(scratch)
    r = zhdesk(*argv, db=scratch, cwd=tmp_path)
    assert_error(r, code)
    assert words in r.err
    assert dump(scratch) == before


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("sqlite:////nonexistent-dir/x.db", "文件夹不存在"),
        ("nosuchdriver://x", "nosuchdriver"),
        ("not a database url", "无法识别"),
    ],
)
def test_database_that_cannot_be_opened(tmp_path: Path, url: str, words: str) -> None:
    r = zhdesk("sites", db=url, cwd=tmp_path)
    assert_error(r, 2)
    assert words in r.err
    assert not Path("/nonexistent-dir").exists()


def test_database_error_does_not_show_the_password(tmp_path: Path) -> None:
    r = zhdesk("sites", db="nosuchdriver://zhuser:s3cret@dbhost/zhdesk", cwd=tmp_path)
    assert_error(r, 2)
    assert "dbhost" in r.err and "s3cret" not in r.err


def test_file_that_is_not_a_database(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("不是数据库\n" * 200, encoding="utf-8")
    r = zhdesk("init", db=sqlite_url(notes), cwd=tmp_path)
    assert_error(r, 2)
    assert notes.read_text(encoding="utf-8") == "不是数据库\n" * 200


def test_database_that_refuses_writes(scratch: str, tmp_path: Path) -> None:
    before = dump(scratch)
    readonly = f"sqlite:///file:{(tmp_path / 'demo.db').as_posix()}?mode=ro&uri=true"
    listed = zhdesk("sites", "--json", "--listed", db=readonly, cwd=tmp_path)
    assert len(addresses(listed)) == 5
    r = zhdesk("site", "add", "--address", "只读路1号", "--community", "江西路社区", db=readonly, cwd=tmp_path)
    assert_error(r, 2)
    assert "数据库" in r.err
    assert dump(scratch) == before


def test_unwritable_data_folder(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    r = zhdesk("init", db=None, cwd=tmp_path, env={"XDG_DATA_HOME": str(afile / "sub")})
    assert_error(r, 2)
    assert "数据文件夹无法写入" in r.err
    assert afile.read_text(encoding="utf-8") == "x"


# ---------------------------------------------------------------- where the database is


def test_default_database_is_in_the_user_data_folder(tmp_path: Path) -> None:
    r = zhdesk("init", db=None, cwd=tmp_path)
    assert_ok(r)
    assert (tmp_path / "xdg" / "zhdesk" / "zhdesk.sqlite3").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xdg"]


def test_zhdesk_db_variable_and_db_option(demo: DemoDb, tmp_path: Path) -> None:
    from_env = zhdesk("sites", "--json", "--listed", db=None, cwd=tmp_path, env={"ZHDESK_DB": demo.url})
    assert sorted(addresses(from_env)) == sorted(FIVE)
    # --db wins over the variable
    both = zhdesk(
        "sites", "--json", "--listed", db=demo.url, cwd=tmp_path, env={"ZHDESK_DB": "sqlite:////nonexistent-dir/x.db"}
    )
    assert sorted(addresses(both)) == sorted(FIVE)
    assert not (tmp_path / "xdg").exists()


# ---------------------------------------------------------------- help


@pytest.mark.parametrize("args", [["--help"], ["site", "move", "--help"]])
def test_help(tmp_path: Path, args: Sequence[str]) -> None:
    r = zhdesk(*args, db=None, cwd=tmp_path)
    assert_ok(r)
    assert r.out.startswith("usage: zhdesk")
    assert CJK.search(r.out)
    assert not (tmp_path / "xdg").exists()  # help opens no database
