"""The dashboard rollups (db/rollups.py) against the plain aggregation of the items, on both engines:
after every kind of write in random order, after the 0008 upgrade of a database with data, after two
processes write at once on PostgreSQL; and the `zhdesk stats rebuild` / `check` commands."""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import random
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text, update

from db import migrate, rollups
from db.engine import make_engine, sqlite_url
from db.models import Community, Listing, Site, StatKind, SupervisionItem
from tests.support import signed_in
from tests.zhdesk.services.test_stats import JX, T, random_dataset
from zhdesk.desk import Desk
from zhdesk.domain.stats import Kind
from zhdesk.domain.workflow import Action, Status
from zhdesk.dto import ItemInput, StatsFilter
from zhdesk.errors import InputRefused, ZhdeskError
from zhdesk.services import stats

SHORT = ("江西路社区", "澄海路社区", "汕头路社区")


def filters(rnd: random.Random) -> list[StatsFilter]:
    """Everything, odd-day ranges (months cut at both ends, and a short weekly one), a community."""
    start = T - dt.timedelta(days=rnd.randint(0, 400))
    return [
        StatsFilter(),
        StatsFilter(start, start + dt.timedelta(days=rnd.randint(0, 120)), rnd.choice([None, *SHORT])),
        StatsFilter(start, start + dt.timedelta(days=rnd.randint(200, 400))),
        StatsFilter(date_to=start, community=rnd.choice(SHORT)),
    ]


def assert_rollups_agree(desk: Desk, rnd: random.Random) -> None:
    """The rollup-backed dashboard equals the plain aggregation for every filter and a few `today`s,
    and the stored rollups equal a recomputation from the rows."""
    with desk.uow() as uow:
        for f in filters(rnd):
            for today in (T, T + dt.timedelta(days=rnd.randint(-60, 60))):
                got = stats.dashboard(uow, f, today)
                assert got == stats.dashboard(uow, f, today, plain=True), (f, today)
        assert stats.check_rollups(uow) == []


def _items(desk: Desk) -> list[Any]:
    with desk.uow() as uow:
        return list(uow.session.execute(select(SupervisionItem.id, SupervisionItem.status, SupervisionItem.deferred)))


def _sites(desk: Desk, listed: bool) -> list[int]:
    with desk.uow() as uow:
        q = select(Site.id)
        if listed:
            q = q.where(Site.id.in_(select(Listing.site_id)))
        return list(uow.session.scalars(q.order_by(Site.id)))


def random_write(desk: Desk, rnd: random.Random) -> str:
    """One write of a random kind: what the rollups must follow (a refused one must leave them as they
    were). Returns its name."""
    what = rnd.choice(["batch", "add", "close", "defer", "status", "extend", "move"])
    with contextlib.suppress(InputRefused):  # closing a 挂牌督办 item, a used issue number, nothing to extend …
        _write(desk, rnd, what)
    return what


def _write(desk: Desk, rnd: random.Random, what: str) -> None:
    if what == "batch":
        kind = rnd.choice(list(Kind))
        issued = T - dt.timedelta(days=rnd.randint(0, 400))
        inputs = [
            ItemInput(f"写入路{rnd.randint(1, 6)}号", rnd.choice(SHORT), None, None,
                      rnd.choice([None, issued + dt.timedelta(days=rnd.randint(0, 40))]), None,
                      deferred=rnd.random() < 0.3)
            for _ in range(rnd.randint(0, 3))
        ]  # fmt: skip
        desk.create_batch(kind, rnd.randint(100, 10_000), issued, inputs)
    elif what == "add":
        batches = [b for b in desk.batches() if b.kind != Kind.LISTED.value]
        if batches:
            b = rnd.choice(batches)
            desk.add_items(b.id, [ItemInput(f"补充路{rnd.randint(1, 3)}号", rnd.choice(SHORT), None, "乱堆杂物",
                                            b.issued_on + dt.timedelta(days=rnd.randint(0, 30)), None)])  # fmt: skip
    elif what in ("close", "defer"):
        items = _items(desk)
        if items:
            item = rnd.choice(items)
            if what == "defer":
                desk.set_deferred(item.id, not item.deferred)
            elif item.status != Status.CLOSED.value:
                desk.close_item(item.id, T - dt.timedelta(days=rnd.randint(0, 30)))
    elif what in ("status", "extend"):
        sites = _sites(desk, listed=True)
        if sites:
            site = desk.get_site(rnd.choice(sites), T)
            if what == "extend":
                deadline = site.current.deadline if site.current else None
                new = (deadline or T) + dt.timedelta(days=rnd.randint(1, 30))
                desk.extend_deadline(site.row.id, new, "需要更多时间", on=T)
            else:
                action = {
                    Status.LISTED.value: Action.START, Status.RECTIFYING.value: Action.SUBMIT,
                    Status.AWAITING_ACCEPTANCE.value: rnd.choice([Action.ACCEPT, Action.REJECT]),
                    Status.CLOSED.value: Action.REBOUND,
                }[site.row.status or ""]  # fmt: skip
                desk.change_status(site.row.id, action=action, on=T)
    elif what == "move":
        sites = _sites(desk, listed=False)
        if sites:
            site = desk.get_site(rnd.choice(sites), T)
            others = [c for c in SHORT if not site.row.community.startswith(c)]
            desk.edit_site(site.row.id, site.row.address, rnd.choice(others), "compound", site.note)


# 6 random datasets on SQLite, the first 3 also on PostgreSQL, each with 15 writes of random kinds
@pytest.mark.parametrize(
    ("any_url", "seed"),
    [*(("sqlite", n) for n in range(6)), *(("postgresql", n) for n in range(3))],
    indirect=["any_url"],
)
def test_rollups_follow_every_kind_of_write(any_url: str, seed: int) -> None:
    rnd = random.Random(seed)
    desk = signed_in(Desk.open(any_url))
    try:
        random_dataset(desk, rnd, T)
        assert_rollups_agree(desk, rnd)
        done = set()
        for _ in range(15):
            done.add(random_write(desk, rnd))
            assert_rollups_agree(desk, rnd)
        assert len(done) >= 4, done
    finally:
        desk.close()


def test_demo_load_fills_the_rollups(demo_desk: Desk) -> None:
    assert_rollups_agree(demo_desk, random.Random(1))


def test_rebuild_repairs_and_check_reports(any_desk: Desk) -> None:
    rnd = random.Random(7)
    random_dataset(any_desk, rnd, T)
    with any_desk.uow() as uow:  # a write past the app (as a hand edit of the file would be)
        uow.session.execute(update(StatKind).values(items=StatKind.items + 1))
        uow.session.commit()
    problems = any_desk.check_rollups()
    assert problems and all(p.startswith("stat_kind") for p in problems)
    n = any_desk.rebuild_rollups()
    assert n > 0
    assert any_desk.check_rollups() == []
    assert_rollups_agree(any_desk, rnd)
    assert any_desk.list_audit(action="stats.rebuild")


def test_only_an_admin_rebuilds(pg_url: str) -> None:
    desk = signed_in(Desk.open(pg_url))
    try:
        desk.add_user("clerk", "办事员", "staff", "clerk-password-1")
        desk.sign_out()
        desk.sign_in("clerk", "clerk-password-1")
        with pytest.raises(ZhdeskError, match="重建统计汇总表"):
            desk.rebuild_rollups()
        assert desk.check_rollups() == []  # reading is open to every role
    finally:
        desk.close()


def test_upgrade_from_0007_fills_the_rollups(tmp_path: Path) -> None:
    """A database with data at 0007 (made by the app at head, then stepped back) comes back to head with
    rollups equal to the plain aggregation."""
    path = tmp_path / "old.db"
    desk = Desk.open(sqlite_url(path))
    random_dataset(desk, random.Random(3), T)
    desk.close()
    engine = make_engine(sqlite_url(path))
    from alembic import command

    with engine.begin() as conn:
        cfg = migrate.alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007")
    with engine.connect() as conn:
        assert "stat_kind" not in {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
    assert migrate.upgrade(engine) is True
    with engine.connect() as conn:
        assert rollups.differences(conn) == []
        assert conn.execute(select(StatKind.items).limit(1)).first() is not None
    engine.dispose()
    desk = Desk.open(sqlite_url(path))
    try:
        assert_rollups_agree(desk, random.Random(3))
    finally:
        desk.close()


def _writer(url: str, seed: int, n: int) -> None:
    """A second workstation: n writes of random kinds (a refusal on a conflict is a normal outcome)."""
    rnd = random.Random(seed)
    desk = signed_in(Desk.open(url))
    try:
        for _ in range(n):
            with contextlib.suppress(ZhdeskError):  # a conflict with the other writer, refused and rolled back
                random_write(desk, rnd)
    finally:
        desk.close()


def test_two_processes_writing_at_once_on_postgresql(pg_url: str) -> None:
    desk = signed_in(Desk.open(pg_url))
    try:
        random_dataset(desk, random.Random(11), T)
        ctx = multiprocessing.get_context("spawn")
        procs = [ctx.Process(target=_writer, args=(pg_url, seed, 30)) for seed in (21, 22)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(timeout=300)
            assert p.exitcode == 0
        with desk.uow() as uow:
            assert uow.session.scalar(select(Community.id).where(Community.name == JX)) is not None
        assert_rollups_agree(desk, random.Random(12))
    finally:
        desk.close()


def test_tally_import_undo_and_hand_figures_keep_the_sums(any_demo_desk: Desk, tmp_path: Path) -> None:
    """stat_tally follows an import (Core insert), its undo (Core delete) and hand figures (ORM, new and
    replaced, with qualifiers): the 数字化城管件 card equals the plain sum after each."""
    from tests.zhdesk.tally import tally_files as tf

    desk, rnd = any_demo_desk, random.Random(5)
    assert_rollups_agree(desk, rnd)
    ledger = desk.tally_import(tf.detail_ledger(tmp_path / "明细.xlsx"))
    summary = desk.tally_import(tf.summary_table(tmp_path / "汇总.xlsx"))
    assert ledger.status == summary.status == "imported" and ledger.entries and summary.entries
    assert_rollups_agree(desk, rnd)
    october = StatsFilter(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    seen = set()
    for text_value, community in (("约130", "江西路社区"), ("100余", None), ("1758", "江西路社区"), ("12.5", None)):
        desk.set_figure("city_cases", october.date_from, october.date_to, text_value, community)
        assert_rollups_agree(desk, rnd)
        with desk.uow() as uow:
            d = stats.dashboard(uow, october, T)
            assert d == stats.dashboard(uow, october, T, plain=True)
            seen.add((d.city_cases, d.city_cases_qualifier))
    assert len(seen) == 4  # each figure moved the card
    assert ledger.batch_id is not None
    desk.tally_undo(ledger.batch_id)
    assert_rollups_agree(desk, rnd)


def test_orm_writes_no_service_makes_yet_are_followed(any_desk: Desk) -> None:
    """Writes with no service today (a batch's date or kind, an item moved to another site or batch, an
    item or a batch deleted) still pass through the flush hooks: the rollups follow them too."""
    from db.models import SupervisionBatch

    rnd = random.Random(9)
    random_dataset(any_desk, rnd, T)
    steps = [
        lambda s: setattr(s.scalars(select(SupervisionBatch).order_by(SupervisionBatch.id)).first(), "issued_on",
                          T - dt.timedelta(days=3)),
        lambda s: setattr(s.scalars(select(SupervisionBatch).order_by(SupervisionBatch.id.desc())).first(), "kind",
                          Kind.OTHER.value),
        lambda s: setattr(s.scalars(select(SupervisionItem).where(SupervisionItem.listing_id.is_(None))).first(),
                          "site_id", s.scalars(select(Site.id).order_by(Site.id.desc())).first()),
        lambda s: setattr(s.scalars(select(SupervisionItem).where(SupervisionItem.listing_id.is_(None))
                                    .order_by(SupervisionItem.id.desc())).first(), "batch_id",
                          s.scalars(select(SupervisionBatch.id).order_by(SupervisionBatch.id)).first()),
        lambda s: s.delete(s.scalars(select(SupervisionItem).where(SupervisionItem.listing_id.is_(None))).first()),
    ]  # fmt: skip
    for step in steps:
        with any_desk.uow() as uow:
            step(uow.session)
            uow.session.commit()
        assert_rollups_agree(any_desk, rnd)
