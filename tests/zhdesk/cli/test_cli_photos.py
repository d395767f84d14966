"""`zhdesk event add`, `timeline`, `photo add`, `photos` and `photo export` end to end, in a subprocess,
against copies of a demo database, with real image files made in the test."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from db.engine import sqlite_url
from tests.imagefiles import jpeg, mixed_folder
from tests.support import CJK, Run, assert_error, assert_ok, demo_database, dump, zhdesk
from zhdesk.domain.vocab import EVENT_KINDS

# The command line checks dates against the real clock, so this demo is loaded at the real today.
TODAY = dt.date.today()
SHOT = dt.datetime(2026, 10, 2, 9, 30, 0)  # the EXIF date of mixed_folder's phone photo


@dataclass(frozen=True)
class Db:
    path: Path
    url: str
    cwd: Path

    def run(self, *args: str) -> Run:
        return zhdesk(*args, db=self.url, cwd=self.cwd)

    def ok(self, *args: str) -> Run:
        r = self.run(*args)
        assert_ok(r)
        return r

    def site(self, address: str) -> str:
        with sqlite3.connect(self.path) as conn:
            (sid,) = conn.execute("SELECT id FROM site WHERE address = ?", (address,)).fetchone()
        return str(sid)

    def count(self, sql: str, *params: object) -> int:
        with sqlite3.connect(self.path) as conn:
            return int(conn.execute(sql, params).fetchone()[0])


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_database(tmp_path_factory.mktemp("cli-photos") / "demo.db", TODAY)


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Db:
    shutil.copyfile(template, tmp_path / "demo.db")
    return Db(tmp_path / "demo.db", sqlite_url(tmp_path / "demo.db"), tmp_path)


# ---------------------------------------------------------------- photo add


def test_photo_add_mixed_folder(db: Db, tmp_path: Path) -> None:
    mixed = mixed_folder(tmp_path / "现场照片")
    sid = db.site("江西路121号")
    r = db.run("photo", "add", sid, str(mixed.folder), "--phase", "整改中", "--json")
    assert r.code == 1, r.err
    out = r.json()
    assert list(out) == ["added", "duplicates", "refused"]
    assert [list(a) for a in out["added"]] == [["file", "id"]] * len(mixed.good)
    assert [list(a) for a in out["refused"]] == [["file", "reason"]] * len(mixed.bad)
    assert out["duplicates"] == []
    assert [Path(a["file"]).name for a in out["added"]] == sorted(mixed.good)
    assert all(isinstance(a["id"], int) for a in out["added"])
    reasons = {Path(x["file"]).name: x["reason"] for x in out["refused"]}
    assert sorted(reasons) == sorted(b.name for b in mixed.bad)
    for b in mixed.bad:
        assert b.words in reasons[b.name]
    # stderr: one Chinese line per refused file, naming it and why; no traceback
    lines = r.err.strip().splitlines()
    assert "Traceback" not in r.err
    assert len(lines) == len(mixed.bad)
    for b in mixed.bad:
        (line,) = [x for x in lines if str(mixed.folder / b.name) in x]
        assert line.startswith("zhdesk：未添加 ") and reasons[b.name] in line
    # the good ones are in
    listed = db.ok("photos", sid, "--json").json()
    assert sorted(p["id"] for p in listed) == sorted(a["id"] for a in out["added"])
    assert {p["phase"] for p in listed} == {"during"}
    assert db.count("SELECT count(*) FROM photo WHERE site_id = ?", sid) == len(mixed.good)


def test_photo_add_all_good_then_again_with_an_event(db: Db, tmp_path: Path) -> None:
    sid = db.site("江西路121号")
    files = [tmp_path / f"IMG_{n}.jpg" for n in range(3)]
    for n, f in enumerate(files):
        f.write_bytes(jpeg(n))
    ev = db.ok("event", "add", sid, "--kind", "action", "--date", TODAY.isoformat(), "--json").json()
    first = db.ok("photo", "add", sid, *map(str, files), "--event", str(ev["id"]), "--json").json()
    assert [a["file"] for a in first["added"]] == list(map(str, files))
    assert (first["duplicates"], first["refused"]) == ([], [])
    again = db.ok("photo", "add", sid, str(files[1]), "--json").json()
    assert again == {"added": [], "duplicates": [{"file": str(files[1]), "id": first["added"][1]["id"]}],
                     "refused": []}  # fmt: skip
    (event,) = [e for e in db.ok("timeline", sid, "--json").json() if e["id"] == ev["id"]]
    assert event["photo_ids"] == [a["id"] for a in first["added"]]
    text = db.ok("photo", "add", sid, str(files[0]))
    assert text.out.strip() == "新增 0 张，重复 1 张，未添加 0 张"


def test_photos_json(db: Db, tmp_path: Path) -> None:
    mixed = mixed_folder(tmp_path / "in")
    sid = db.site("江西路121号")
    db.run("photo", "add", sid, str(mixed.folder / "a_phone.jpg"), str(mixed.folder / "b_screen.png"))
    listed = db.ok("photos", sid, "--json").json()
    assert len(listed) == 2
    for p in listed:
        assert {"id", "phase", "taken_date", "taken_at", "event_id", "size"} <= set(p)
        assert p["phase"] == "before" and p["event_id"] is None
        assert p["size"] == len(mixed.good[p["file_name"]])
    (phone,) = [p for p in listed if p["file_name"] == "a_phone.jpg"]
    assert (phone["taken_date"], phone["taken_at"]) == ("2026-10-02", "2026-10-02 09:30:00")
    assert (phone["width"], phone["height"]) == (96, 64)
    # the demo's photos carry their event
    demo = db.ok("photos", db.site("江西路153号"), "--json").json()
    assert demo and all(isinstance(p["event_id"], int) for p in demo)


def test_photo_export_round_trip(db: Db, tmp_path: Path) -> None:
    mixed = mixed_folder(tmp_path / "in")
    sid = db.site("江西路121号")
    heic = mixed.folder / "d_iphone.heic"
    (added,) = db.ok("photo", "add", sid, str(heic), "--json").json()["added"]
    out = tmp_path / "导出" / "原件.heic"
    out.parent.mkdir()
    r = db.ok("photo", "export", str(added["id"]), "-o", str(out))
    assert str(out) in r.out
    assert out.read_bytes() == heic.read_bytes()
    assert hashlib.sha256(out.read_bytes()).digest() == hashlib.sha256(mixed.good["d_iphone.heic"]).digest()
    assert_error(db.run("photo", "export", "99999", "-o", str(tmp_path / "x.jpg")), 1)
    assert_error(db.run("photo", "export", str(added["id"]), "-o", str(out.parent)), 2)
    bad_id = db.run("photo", "export", "abc", "-o", str(tmp_path / "x.jpg"))
    assert_error(bad_id, 2)
    assert "abc" in bad_id.err and "照片" in bad_id.err
    assert not (tmp_path / "x.jpg").exists()


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--phase", "later"], 2, "整改前"),
        (["--event", "@澄海路22号"], 1, "事件"),
        (["--event", "abc"], 2, "abc"),
    ],
)
def test_photo_add_refusals_write_nothing(db: Db, tmp_path: Path, args: list[str], code: int, words: str) -> None:
    f = tmp_path / "a.jpg"
    f.write_bytes(jpeg(1))
    if args[-1].startswith("@"):  # an event of another site
        other = db.site(args[-1][1:])
        with sqlite3.connect(db.path) as conn:
            (eid,) = conn.execute("SELECT min(id) FROM timeline_event WHERE site_id = ?", (other,)).fetchone()
        args = [*args[:-1], str(eid)]
    before = dump(db.url)
    r = db.run("photo", "add", db.site("江西路153号"), str(f), *args)
    assert_error(r, code)
    assert words in r.err
    assert dump(db.url) == before


# ---------------------------------------------------------------- timeline and event add


def test_timeline_json(db: Db) -> None:
    sid = db.site("善化路18号院")
    events = db.ok("timeline", sid, "--json").json()
    assert len(events) >= 3
    for e in events:
        assert {"id", "kind", "date", "text", "actors", "photo_ids"} <= set(e)
        assert e["kind"] in EVENT_KINDS and e["kind_label"] == EVENT_KINDS[e["kind"]]
        assert isinstance(e["actors"], list) and isinstance(e["photo_ids"], list)
    keys = [(e["date"], e["time"] is None, e["time"] or "", e["id"]) for e in events]
    assert keys == sorted(keys)  # by date, timed before untimed within a day
    assert events[0]["kind"] == "listed"
    actors = {a for e in events for a in e["actors"]}
    assert {"区退役军人事务局", "北部战区海军保障部直属保障队"} <= actors
    photo_ids = sorted(i for e in events for i in e["photo_ids"])
    assert photo_ids == sorted(p["id"] for p in db.ok("photos", sid, "--json").json())
    text = db.ok("timeline", sid)
    assert len(text.out.strip().splitlines()) == len(events)
    assert "挂牌" in text.out and "照片" in text.out


def test_event_add_with_chinese_kind_and_actors(db: Db) -> None:
    sid = db.site("江西路153号")
    ev = db.ok(
        "event", "add", sid, "--kind", "现场检查", "--date", TODAY.isoformat(), "--time", "14：30",
        "--text", "复查楼道堆物", "--actor", "李明远", "--actor", "物业公司", "--json",
    ).json()  # fmt: skip
    assert (ev["kind"], ev["kind_label"], ev["date"], ev["time"], ev["text"]) == (
        "inspection", "现场检查", TODAY.isoformat(), "14:30", "复查楼道堆物",
    )  # fmt: skip
    assert ev["actors"] == ["李明远", "物业公司"]
    (listed,) = [e for e in db.ok("timeline", sid, "--json").json() if e["id"] == ev["id"]]
    assert listed == ev
    text = db.ok("event", "add", sid, "--kind", "note", "--date", TODAY.isoformat(), "--text", "备注一条")
    assert text.out.startswith("已记录事件 ") and "备注一条" in text.out


def test_event_in_the_future_needs_force(db: Db) -> None:
    sid = db.site("江西路153号")
    later = (TODAY + dt.timedelta(days=5)).isoformat()
    before = dump(db.url)
    r = db.run("event", "add", sid, "--kind", "inspection", "--date", later)
    assert_error(r, 1)
    assert later in r.err and "将来" in r.err
    assert dump(db.url) == before
    forced = db.ok("event", "add", sid, "--kind", "inspection", "--date", later, "--force", "--json").json()
    assert forced["date"] == later
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    assert db.ok("event", "add", sid, "--kind", "note", "--date", tomorrow, "--json").json()["date"] == tomorrow


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--kind", "inspection", "--date", "2026-13-45"], 2, "2026-13-45"),
        (["--kind", "inspection", "--date", "昨天"], 2, "昨天"),
        (["--kind", "巡查", "--date", "2026-11-01"], 2, "巡查"),
        (["--kind", "inspection", "--date", "2026-11-01", "--time", "25:99"], 2, "25:99"),
        (["--kind", "inspection", "--date", "2000-01-01"], 1, "早于"),
        (["--kind", "inspection"], 2, "--date"),
    ],
)
def test_event_add_errors_write_nothing(db: Db, args: list[str], code: int, words: str) -> None:
    before = dump(db.url)
    r = db.run("event", "add", db.site("江西路153号"), *args)
    assert_error(r, code)
    assert words in r.err and CJK.search(r.err)
    assert dump(db.url) == before
