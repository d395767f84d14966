"""zhdesk notice (issue 11 item 6): real subprocess, real SQLite file, the PDF read back with pypdf."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from db.engine import sqlite_url
from tests.support import assert_error, assert_ok, demo_database, dump, zhdesk
from tests.zhdesk.notice.pdfcheck import fonts, page_texts


@pytest.fixture
def db(tmp_path: Path) -> tuple[str, dict[str, int]]:
    path = demo_database(tmp_path / "demo.db", dt.date.today())
    with sqlite3.connect(path) as conn:
        ids = dict(conn.execute("SELECT address, id FROM site"))
    return sqlite_url(path), ids


def refused(url: str, cwd: Path, code: int, *args: str) -> str:
    before = dump(url)
    r = zhdesk(*args, db=url, cwd=cwd)
    assert_error(r, code)
    assert dump(url) == before
    return r.err


def test_notice_for_a_site_and_for_all_overdue(db: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    url, ids = db
    out = tmp_path / "一份.pdf"
    r = zhdesk("notice", "-o", str(out), "--site", str(ids["江西路153号"]), "--days", "10", "--json",
               db=url, cwd=tmp_path)  # fmt: skip
    assert_ok(r)
    data = r.json()
    assert data["pages"] == 1 and data["notices"][0]["number"] == f"督〔{dt.date.today().year}〕1号"
    due = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    assert data["notices"][0]["due"] == due
    assert len(page_texts(out)) == 1 and all(fonts(out).values())
    r = zhdesk("timeline", str(ids["江西路153号"]), db=url, cwd=tmp_path)
    assert_ok(r)
    assert "催办" in r.out and f"限 {due} 前整改完毕" in r.out
    # Again without --overwrite: refused, nothing written; with it: replaced.
    err = refused(url, tmp_path, 1, "notice", "-o", str(out), "--site", str(ids["江西路153号"]))
    assert "--overwrite" in err
    all_out = tmp_path / "全部.pdf"
    r = zhdesk("notice", "-o", str(all_out), "--overdue", db=url, cwd=tmp_path)
    assert_ok(r)
    assert r.out.startswith("已生成督办通知单") and "江西路153号" in r.out
    n = int(r.out.split("督办通知单 ")[1].split(" 份")[0])
    assert len(page_texts(all_out)) == n >= 1


def test_notice_refusals_and_usage(db: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    url, ids = db
    out = str(tmp_path / "n.pdf")
    refused(url, tmp_path, 2, "notice", "-o", out)
    refused(url, tmp_path, 2, "notice", "-o", out, "--site", "1", "--overdue")
    refused(url, tmp_path, 2, "notice", "-o", out, "--site", "abc")
    refused(url, tmp_path, 2, "notice", "-o", out, "--site", "1", "--days", "0")
    err = refused(url, tmp_path, 1, "notice", "-o", out, "--site", str(ids["江西路与福州南路交汇处"]))
    assert "没有在办的挂牌督办" in err
    refused(url, tmp_path, 1, "notice", "-o", out, "--site", "999999")
    refused(url, tmp_path, 2, "notice", "-o", str(tmp_path), "--site", str(ids["江西路153号"]), "--overwrite")
    db_file = url.removeprefix("sqlite:///")
    refused(url, tmp_path, 1, "notice", "-o", db_file, "--site", str(ids["江西路153号"]), "--overwrite")
    assert not Path(out).exists()


def test_overdue_with_none_overdue_says_so(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "empty.db")
    assert_ok(zhdesk("init", db=url, cwd=tmp_path))
    err = refused(url, tmp_path, 1, "notice", "-o", str(tmp_path / "n.pdf"), "--overdue")
    assert "没有超期的挂牌督办点位" in err
    assert not (tmp_path / "n.pdf").exists()
