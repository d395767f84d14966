"""点位档案 (services/dossier.py): every listing newest first, every supervision item of every kind with its
batch, the site's tally entries; an unknown id refused. The CLI `site dossier` prints the same."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from db.engine import sqlite_url
from tests.support import TODAY, assert_error, assert_ok, demo_database, table_dump, zhdesk
from zhdesk.desk import Desk
from zhdesk.domain.stats import Kind, kind_label
from zhdesk.dto import ItemInput, SiteFilter
from zhdesk.errors import NotFound

JX = "江西路社区（示例）"


def site_id(desk: Desk, address: str) -> int:
    return next(r.id for r in desk.list_sites(SiteFilter(text=address)) if r.address == address)


def test_every_kind_of_item_with_its_batch(demo_desk: Desk) -> None:
    demo_desk.add_site("测试路1号", JX)
    sid = site_id(demo_desk, "测试路1号")
    for n, kind in enumerate(Kind):
        issued = dt.date(2025, 1, 1) + dt.timedelta(days=10 * n)
        demo_desk.create_batch(
            kind,
            90 + n,
            issued,
            [ItemInput("测试路1号", JX, problem=f"问题{n}", deadline=issued + dt.timedelta(days=7))],
        )
    before = table_dump(demo_desk.engine)
    d = demo_desk.dossier(sid, TODAY)
    assert table_dump(demo_desk.engine) == before  # a read
    assert d.row.address == "测试路1号"
    assert {i.item.kind for i in d.items} == {k.value for k in Kind}
    assert [i.issued_on for i in d.items] == sorted((i.issued_on for i in d.items), reverse=True)
    newest = d.items[0]
    assert (
        newest.item.kind == list(Kind)[-1].value and newest.year == 2025 and newest.item.issue_no == 90 + len(Kind) - 1
    )
    assert newest.batch_label == f"2025年{kind_label(newest.item.kind)}第{newest.item.issue_no}期"
    assert all(
        i.item.light == "red" and i.item.days_text.startswith("超期") for i in d.items if i.item.listing_id is None
    )
    listed = [i for i in d.items if i.item.kind == Kind.LISTED.value]
    assert listed[0].item.listing_id == d.detail.current.id if d.detail.current else False


def test_listings_newest_first_items_and_tally_of_a_listed_site(demo_desk: Desk) -> None:
    sid = site_id(demo_desk, "江西路153号")
    d = demo_desk.dossier(sid, TODAY)
    listed_on = [li.listed_on for li in d.listings_newest_first]
    assert listed_on == sorted(listed_on, reverse=True) and len(listed_on) == 3
    assert d.listings_newest_first[0] == d.detail.current
    assert {i.item.listing_id for i in d.items} == {li.id for li in d.detail.listings}
    assert d.tally and all(e.site == "江西路153号" for e in d.tally)
    assert all(e.file_name and e.row for e in d.tally)  # provenance: the file and row
    assert d.tally == tuple(demo_desk.tally_entries(site_id=sid))


def test_a_site_with_only_supervision_items(demo_desk: Desk) -> None:
    d = demo_desk.dossier(site_id(demo_desk, "江西路47号"), TODAY)
    assert d.detail.listings == () and not d.row.listed
    overdue = [i for i in d.items if i.item.overdue]
    assert [(i.kind_label, i.item.days_text) for i in overdue] == [
        ("督察通报", "超期12天"),
        ("通报部分楼院", "超期37天"),
    ]
    assert d.item(overdue[1].item.id) is overdue[1] and d.item(-1) is None


def test_unknown_site_refused(demo_desk: Desk) -> None:
    with pytest.raises(NotFound, match="找不到编号为 99999 的点位"):
        demo_desk.dossier(99999)


def test_cli_dossier(tmp_path: Path) -> None:
    url = sqlite_url(demo_database(tmp_path / "demo.db", dt.date.today()))
    desk = Desk.open(url)
    try:
        sid = site_id(desk, "江西路47号")
    finally:
        desk.close()
    r = zhdesk("site", "dossier", str(sid), "--json", db=url, cwd=tmp_path)
    assert_ok(r)
    data = r.json()
    assert data["address"] == "江西路47号" and data["listings"] == []
    assert {i["kind_label"] for i in data["items"]} == {"督察通报", "通报部分楼院"}
    assert all(i["batch"].endswith("期") and i["issued_on"] for i in data["items"])
    text = zhdesk("site", "dossier", str(sid), db=url, cwd=tmp_path)
    assert_ok(text)
    assert "督办件 4 件" in text.out and "通报部分楼院第1期" in text.out
    assert_error(zhdesk("site", "dossier", "99999", db=url, cwd=tmp_path), 1)


def test_a_sites_tally_entries_are_read_through_their_index(sqlite_demo_desk: Desk) -> None:
    """Without ix_tally_entry_site one site's figures scanned the whole tally (~4 s a site at 1,000,000
    entries; a brief of every listed site took hours): the query plan must use the index."""
    from sqlalchemy import event

    desk = sqlite_demo_desk
    site = next(s for s in desk.list_sites(SiteFilter(listed_only=True)))
    seen: list[tuple[str, object]] = []

    def note(_conn: object, _cursor: object, statement: str, params: object, _ctx: object, _many: bool) -> None:
        if "FROM tally_entry" in statement:
            seen.append((statement, params))

    event.listen(desk.engine, "before_cursor_execute", note)
    try:
        desk.tally_entries(site_id=site.id)
    finally:
        event.remove(desk.engine, "before_cursor_execute", note)
    assert len(seen) == 1
    statement, params = seen[0]
    with desk.engine.connect() as conn:
        plan = " | ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params))
    assert "ix_tally_entry_site" in plan, plan
