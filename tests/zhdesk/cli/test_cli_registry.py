"""CLI of the registry (issue 9): site edit / extend, people, units — real subprocess, real SQLite file."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from db.engine import sqlite_url
from tests.support import assert_error, assert_ok, demo_database, dump, zhdesk


@pytest.fixture
def db(tmp_path: Path) -> tuple[str, dict[str, int]]:
    path = demo_database(tmp_path / "demo.db", dt.date.today())
    with sqlite3.connect(path) as conn:
        ids = dict(conn.execute("SELECT address, id FROM site"))
    return sqlite_url(path), ids


def refused(url: str, cwd: Path, *args: str) -> str:
    before = dump(url)
    r = zhdesk(*args, db=url, cwd=cwd)
    assert_error(r, 1)
    assert dump(url) == before
    return r.err


def test_duplicate_site_and_listing_without_lead_refused(db: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    url, ids = db
    err = refused(url, tmp_path, "site", "add", "--address", "江西路１５３号院", "--community", "江西路社区")
    assert "江西路153号" in err and f"编号 {ids['江西路153号']}" in err
    sid = str(ids["江西路121号"])
    err = refused(url, tmp_path, "site", "list", sid, "--deadline", "2099-12-31", "--unit", "城管中队")
    assert "包案领导" in err


def test_edit_and_extend(db: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    url, ids = db
    sid = str(ids["江西路121号"])
    r = zhdesk("site", "edit", sid, "--note", "后门进", "--json", db=url, cwd=tmp_path)
    assert_ok(r)
    assert r.json()["note"] == "后门进" and r.json()["address"] == "江西路121号"
    today = dt.date.today()
    assert_ok(zhdesk("site", "list", sid, "--deadline", (today + dt.timedelta(days=5)).isoformat(),
                     "--lead", "王主任", db=url, cwd=tmp_path))  # fmt: skip
    new = (today + dt.timedelta(days=40)).isoformat()
    refused(url, tmp_path, "site", "extend", sid, "--to", new, "--reason", "  ")
    refused(url, tmp_path, "site", "extend", sid, "--to", today.isoformat(), "--reason", "理由")
    r = zhdesk("site", "extend", sid, "--to", new, "--reason", "施工", "--json", db=url, cwd=tmp_path)
    assert_ok(r)
    cur = r.json()["listings"][-1]
    assert cur["deadline"] == new and cur["extension_count"] == 1
    assert_error(zhdesk("site", "extend", sid, "--to", "2099-02-30", "--reason", "x", db=url, cwd=tmp_path), 2)


def test_people_and_units(db: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    url, _ = db
    r = zhdesk("people", "add", "--name", "李四", "--unit", "环卫站", "--phone", "123", "--json", db=url, cwd=tmp_path)
    assert_ok(r)
    pid = str(r.json()["id"])
    r = zhdesk("people", "edit", pid, "--phone", "456", "--json", db=url, cwd=tmp_path)
    assert_ok(r)
    assert (r.json()["phone"], r.json()["unit"]) == ("456", "环卫站")
    assert "李四" in zhdesk("people", "list", db=url, cwd=tmp_path).out
    refused(url, tmp_path, "people", "add", "--name", "李四", "--unit", "环卫站")
    refused(url, tmp_path, "units", "add", "--name", "环卫站")
    assert_error(zhdesk("people", "edit", "999999", "--phone", "1", db=url, cwd=tmp_path), 1)
    assert_ok(zhdesk("units", "edit", "1", "--phone", "0532-1", db=url, cwd=tmp_path))
    assert "0532-1" in zhdesk("units", "list", db=url, cwd=tmp_path).out
