"""Issue 7 items 4, 15, 16, 17: workflow states that cannot be left, control characters, length
limits and numbers beyond their column. Every refusal writes nothing (dump before == after)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy.exc
from alembic import command
from sqlalchemy import String, select, text

from db import migrate
from db.engine import make_engine, sqlite_url
from db.models import AuditEntry, EventActor, Listing, Person, Site, SupervisionBatch, TimelineEvent, Unit
from tests.support import TODAY, assert_error, assert_ok, copy_database, dump, table_dump, zhdesk
from zhdesk.desk import Desk
from zhdesk.domain import fields
from zhdesk.domain.paste import parse_paste
from zhdesk.domain.stats import Kind
from zhdesk.domain.vocab import MANUAL_EVENT_KINDS
from zhdesk.domain.workflow import Action
from zhdesk.dto import ContactInput, EventDTO, ItemInput, ListingInput
from zhdesk.errors import InputRefused
from zhdesk.services import figures, timeline

TOMORROW2 = dt.date.today() + dt.timedelta(days=2)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def demo_cli(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """A demo database made by the real CLI, once per module; tests copy it."""
    folder = tmp_path_factory.mktemp("rules")
    path = folder / "demo.db"
    r = zhdesk("demo", db=sqlite_url(path), cwd=folder)
    assert r.code == 0, r.err
    with sqlite3.connect(path) as conn:
        ids = dict(conn.execute("SELECT address, id FROM site"))
    return path, ids


@pytest.fixture
def cli_db(demo_cli: tuple[Path, dict[str, int]], tmp_path: Path) -> str:
    return sqlite_url(copy_database(demo_cli[0], tmp_path / "demo.db"))


def refused_cli(db: str, cwd: Path, *args: str) -> str:
    """Run a command that must be refused (exit 1, one line) without writing; the message."""
    before = dump(db)
    r = zhdesk(*args, db=db, cwd=cwd)
    assert_error(r, 1)
    assert dump(db) == before
    return r.err


def refused(desk: Desk, call: Callable[[], Any], *words: str) -> str:
    before = table_dump(desk.engine)
    with pytest.raises(InputRefused) as err:
        call()
    assert table_dump(desk.engine) == before
    message = err.value.message
    assert "\n" not in message
    for w in words:
        assert w in message, message
    return message


def closed_on(desk: Desk, address: str) -> dt.date:
    """The demo's dates follow the day it was loaded: read them instead of writing them down."""
    with desk.engine.connect() as conn:
        found = conn.execute(
            select(Listing.closed_on)
            .where(Listing.site_id == sid(desk, address), Listing.closed_on.is_not(None))
            .order_by(Listing.closed_on.desc())
            .limit(1)
        ).scalar_one()
    assert isinstance(found, dt.date)
    return found


def sid(desk: Desk, address: str) -> int:
    with desk.engine.connect() as conn:
        found = conn.execute(select(Site.id).where(Site.address == address)).scalar_one()
    return int(found)


# ---------------------------------------------------------------- item 4: workflow


def _one(url: str, sql: str, *args: object) -> str:
    """One value from the demo database (its dates follow the day the demo was made)."""
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        value = conn.execute(sql, args).fetchone()[0]
    assert isinstance(value, str), sql
    return value


def test_cli_relisting_before_the_previous_closing_is_refused(
    cli_db: str, tmp_path: Path, demo_cli: tuple[Path, dict[str, int]]
) -> None:
    site = str(demo_cli[1]["汕头路7号"])
    closed = _one(cli_db, "SELECT max(closed_on) FROM listing WHERE site_id = ?", site)  # the demo follows today
    err = refused_cli(cli_db, tmp_path, "site", "list", site, "--listed-on", "2025-01-01", "--deadline", "2025-02-01")
    assert closed in err and "挂牌日期" in err
    deadline = (dt.date.fromisoformat(closed) + dt.timedelta(days=30)).isoformat()
    assert_ok(zhdesk("site", "list", site, "--listed-on", closed, "--deadline", deadline,
                     "--lead", "王主任", db=cli_db, cwd=tmp_path))  # fmt: skip
    shown = zhdesk("site", "show", site, "--json", db=cli_db, cwd=tmp_path).json()
    assert shown["listings"][-1]["status"] == "listed"  # the new listing is the current one, reachable
    refused_cli(cli_db, tmp_path, "site", "move", site, "rebound")  # current is open: no second open one


def test_cli_listing_in_the_future_is_refused(
    cli_db: str, tmp_path: Path, demo_cli: tuple[Path, dict[str, int]]
) -> None:
    site = str(demo_cli[1]["善化路9号"])
    err = refused_cli(cli_db, tmp_path, "site", "list", site, "--listed-on", "2099-01-01", "--deadline", "2099-02-01")
    assert "2099-01-01" in err and "将来" in err


def test_cli_step_dated_before_the_step_it_follows_is_refused(
    cli_db: str, tmp_path: Path, demo_cli: tuple[Path, dict[str, int]]
) -> None:
    site = str(demo_cli[1]["澄海路22号"])
    submitted = _one(cli_db, "SELECT max(occurred_on) FROM timeline_event WHERE site_id = ? AND kind = "
                     "'acceptance_request'", site)  # fmt: skip
    before = (dt.date.fromisoformat(submitted) - dt.timedelta(days=20)).isoformat()
    err = refused_cli(cli_db, tmp_path, "site", "move", site, "accept", "--date", before)
    assert submitted in err and "申请验收" in err
    assert_ok(zhdesk("site", "move", site, "accept", "--date", submitted, db=cli_db, cwd=tmp_path))


def test_cli_event_add_refuses_workflow_kinds(
    cli_db: str, tmp_path: Path, demo_cli: tuple[Path, dict[str, int]]
) -> None:
    site = str(demo_cli[1]["澄海路22号"])
    for kind in ("accepted", "验收通过", "listed", "rebound", "delisted", "rejected", "acceptance_request"):
        err = refused_cli(cli_db, tmp_path, "event", "add", site, "--kind", kind, "--date", "2026-11-25")
        assert "site move" in err


def test_rebound_and_later_steps_are_dated_after_closing(demo_desk: Desk) -> None:
    s = sid(demo_desk, "汕头路7号")
    closed = closed_on(demo_desk, "汕头路7号")
    day = dt.timedelta(days=1)
    refused(demo_desk, lambda: demo_desk.change_status(s, action=Action.REBOUND, on=closed - day),
            closed.isoformat(), "办结")  # fmt: skip
    demo_desk.change_status(s, action=Action.REBOUND, on=closed + 2 * day)
    refused(demo_desk, lambda: demo_desk.change_status(s, action=Action.SUBMIT, on=closed + day),
            (closed + 2 * day).isoformat(), "反弹")  # fmt: skip


def test_start_then_submit_cannot_go_backwards(demo_desk: Desk) -> None:
    s = sid(demo_desk, "善化路9号")
    lead = (ContactInput("lead", person="王主任"),)
    demo_desk.list_site(s, ListingInput(dt.date(2026, 11, 1), dt.date(2026, 12, 1), contacts=lead))
    demo_desk.change_status(s, action=Action.START, on=dt.date(2026, 11, 10))
    refused(demo_desk, lambda: demo_desk.change_status(s, action=Action.SUBMIT, on=dt.date(2026, 11, 5)),
            "2026-11-10", "开始整改")  # fmt: skip
    demo_desk.change_status(s, action=Action.SUBMIT, on=dt.date(2026, 11, 10))


def test_relisting_rules_in_the_service(demo_desk: Desk) -> None:
    s = sid(demo_desk, "汕头路7号")
    closed = closed_on(demo_desk, "汕头路7号")
    early = closed - dt.timedelta(days=1)
    refused(demo_desk, lambda: demo_desk.list_site(s, ListingInput(early, None)), closed.isoformat())
    refused(demo_desk, lambda: demo_desk.list_site(s, ListingInput(TOMORROW2, None)), "将来")
    open_site = sid(demo_desk, "澄海路22号")
    refused(demo_desk, lambda: demo_desk.list_site(open_site, ListingInput(TODAY, None)), "未办结")


def test_a_listed_batch_follows_the_same_listing_rules(demo_desk: Desk) -> None:
    item = ItemInput(address="汕头路7号", deadline=dt.date(2025, 2, 1))
    refused(demo_desk, lambda: demo_desk.create_batch(Kind.LISTED, 9, dt.date(2025, 1, 1), [item]),
            "第1处", closed_on(demo_desk, "汕头路7号").isoformat())  # fmt: skip


def test_event_edit_refuses_workflow_kinds(demo_desk: Desk) -> None:
    s = sid(demo_desk, "澄海路22号")
    with demo_desk.uow() as uow:
        ev = timeline.add_event(uow, s, "inspection", TODAY, today=TODAY)
        listed = next(e for e in timeline.list_timeline(uow, s) if e.kind == "acceptance_request")

    def edit(event_id: int, kind: str) -> Callable[[], Any]:
        def run() -> None:
            with demo_desk.uow() as uow:
                timeline.edit_event(uow, event_id, kind=kind, today=TODAY)

        return run

    refused(demo_desk, edit(ev.id, "accepted"), "site move")
    refused(demo_desk, edit(listed.id, "note"), "申请验收", "site move")
    refused(demo_desk, lambda: demo_desk.edit_event(listed.id, on=listed.date - dt.timedelta(days=3)), "改日期")
    refused(demo_desk, lambda: demo_desk.delete_event(listed.id), "删除")
    with demo_desk.uow() as uow:  # same kind, new text: still fine
        assert timeline.edit_event(uow, listed.id, kind="acceptance_request", text="补充", today=TODAY).text == "补充"


def test_database_holds_at_most_one_open_listing_per_site(demo_desk: Desk) -> None:
    s = sid(demo_desk, "澄海路22号")
    with pytest.raises(sqlalchemy.exc.IntegrityError), demo_desk.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO listing (site_id, listed_on, status, rework_count, rebound_count, version) "
            "VALUES (:s, '2026-11-01', 'rectifying', 0, 0, 1)"
        ), {"s": s})  # fmt: skip
    with demo_desk.engine.begin() as conn:  # closed ones as many as history has
        conn.execute(text(
            "INSERT INTO listing (site_id, listed_on, status, closed_on, rework_count, rebound_count, version) "
            "VALUES (:s, '2020-01-01', 'closed', '2020-02-01', 0, 0, 1)"
        ), {"s": s})  # fmt: skip


def test_an_open_listing_older_than_a_closed_one_is_still_current(demo_desk: Desk) -> None:
    """A database from before the rules: the open listing stays reachable (shown and movable)."""
    s = sid(demo_desk, "汕头路7号")  # closed, listed 2026-10-01
    with demo_desk.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO listing (site_id, listed_on, deadline, status, rework_count, rebound_count, version) "
            "VALUES (:s, '2025-01-01', '2025-02-01', 'listed', 0, 0, 1)"
        ), {"s": s})  # fmt: skip
    detail = demo_desk.get_site(s)
    assert detail.current is not None and detail.current.listed_on == dt.date(2025, 1, 1)
    assert detail.row.status == "listed"
    row = next(r for r in demo_desk.list_sites() if r.id == s)
    assert row.listing_id == detail.current.id
    moved = demo_desk.change_status(s, action=Action.START, on=TODAY)
    assert moved.current is not None and moved.current.status == "rectifying"
    assert [li.status for li in moved.listings].count("rectifying") == 1


def _two_open_listings_at_0002(path: Path) -> None:
    engine = make_engine(sqlite_url(path))
    cfg = migrate.alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO community (id, name, is_sample, sort_order) VALUES (1, 'c', 0, 0)"))
        for site in (1, 2):
            conn.execute(text(
                "INSERT INTO site (id, address, kind, community_id, military, created_at, version) "
                "VALUES (:s, :a, 'compound', 1, 0, '2021-01-01 00:00:00', 1)"
            ), {"s": site, "a": f"路{site}号"})  # fmt: skip
        rows = [(1, 1, "2026-10-01", "rectifying"), (2, 1, "2025-01-01", "listed"), (3, 1, "2024-01-01", "closed"),
                (4, 2, "2026-01-01", "listed")]  # fmt: skip
        for lid, site, on, status in rows:
            conn.execute(text(
                "INSERT INTO listing (id, site_id, listed_on, status, rework_count, rebound_count, version) "
                "VALUES (:i, :s, :on, :st, 0, 0, 1)"
            ), {"i": lid, "s": site, "on": on, "st": status})  # fmt: skip
    engine.dispose()


def test_migration_closes_a_second_open_listing_and_records_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _two_open_listings_at_0002(path)
    engine = make_engine(sqlite_url(path))
    assert migrate.upgrade(engine) is True
    assert migrate.current_revision(engine) == migrate.head_revision()
    with engine.connect() as conn:
        listings = {r.id: (r.status, r.closed_on, r.version) for r in conn.execute(select(Listing))}
        audits = list(conn.execute(select(AuditEntry).where(AuditEntry.action == "listing.auto_close")))
        notes = list(conn.execute(select(TimelineEvent).where(TimelineEvent.kind == "note")))
    engine.dispose()
    # The current one (latest listed) stays open; the older open one is closed when the kept one began.
    assert listings[1] == ("rectifying", None, 1)
    assert listings[2] == ("closed", dt.date(2026, 10, 1), 2)
    assert listings[3][0] == "closed" and listings[4] == ("listed", None, 1)
    assert [(a.entity, a.entity_id) for a in audits] == [("listing", 2)]
    assert len(notes) == 1 and notes[0].listing_id == 2 and "自动办结" in notes[0].text


def test_migrating_a_database_with_one_open_listing_per_site_changes_no_row(tmp_path: Path) -> None:
    path = tmp_path / "fine.db"
    _two_open_listings_at_0002(path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE listing SET status = 'closed', closed_on = '2025-02-01' WHERE id = 2")
    # The tables 0003 may write; later migrations add columns elsewhere, so compare these as stored.
    def rows() -> dict[str, list[tuple[object, ...]]]:
        with sqlite3.connect(path) as conn:
            out = {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
                   for t in ("listing", "audit_entry", "timeline_event", "site")}  # fmt: skip
        conn.close()
        return out

    before = rows()
    engine = make_engine(sqlite_url(path))
    migrate.upgrade(engine)
    engine.dispose()
    assert rows() == before


def test_event_dialog_offers_only_manual_kinds() -> None:
    pytest.importorskip("PySide6")
    from PySide6.QtWidgets import QApplication

    from ui.dialogs.event_dialog import EventDialog

    _app = QApplication.instance() or QApplication([])
    dlg = EventDialog(None, "江西路153号", today=TODAY)
    offered = {dlg.kind_combo.itemData(i) for i in range(dlg.kind_combo.count())}
    assert offered == set(MANUAL_EVENT_KINDS)
    assert not offered & {"listed", "acceptance_request", "accepted", "rejected", "delisted", "rebound"}
    flow = EventDTO(1, 1, 1, "accepted", "验收通过", TODAY, None, None, (), (), None, 1)
    dlg2 = EventDialog(None, "江西路153号", event=flow, today=TODAY)
    assert dlg2.kind_combo.currentData() == "accepted" and not dlg2.kind_combo.isEnabled()
    dlg.deleteLater()
    dlg2.deleteLater()


# ---------------------------------------------------------------- item 15: control characters, blanks

BAD_CHARS = ["\n", "\r", "\t", "\x00", "\x1b", "\x1f", "\x7f", "\x85", "\u2028", "\u2029", "\u202e", "\u2066"]


@pytest.mark.parametrize("bad", BAD_CHARS, ids=[f"U+{ord(c):04X}" for c in BAD_CHARS])
def test_single_line_fields_refuse_control_characters(bad: str) -> None:
    with pytest.raises(InputRefused) as err:
        fields.clean(f"江西路{bad}1号", fields.ADDRESS)
    assert "点位地址" in err.value.message and "\n" not in err.value.message


def test_multi_line_texts_keep_newlines_and_tabs_but_no_other_control() -> None:
    assert fields.clean("  第一行\r\n\t第二行  ", fields.PROBLEM) == "第一行\n\t第二行"
    for bad in ("a\x00b", "a\x1bb", "a\u2028b", "a\u202eb"):
        with pytest.raises(InputRefused, match="问题描述"):
            fields.clean(bad, fields.PROBLEM)


def test_cli_address_with_a_newline_is_refused(cli_db: str, tmp_path: Path) -> None:
    err = refused_cli(cli_db, tmp_path, "site", "add", "--address", "江西路1号\n伪造的第二行",
                      "--community", "江西路社区")  # fmt: skip
    assert "点位地址" in err


def test_cli_blank_unit_is_refused(cli_db: str, tmp_path: Path, demo_cli: tuple[Path, dict[str, int]]) -> None:
    site = str(demo_cli[1]["善化路9号"])
    err = refused_cli(cli_db, tmp_path, "site", "list", site, "--deadline", "2026-12-31", "--unit", "   ")
    assert "责任单位" in err


def test_cli_whitespace_is_trimmed(cli_db: str, tmp_path: Path) -> None:
    r = zhdesk("site", "add", "--address", "  江西路1号  ", "--community", " 江西路社区 ", "--json",
               db=cli_db, cwd=tmp_path)  # fmt: skip
    assert_ok(r)
    assert r.json()["address"] == "江西路1号"


def test_service_write_paths_refuse_control_characters_and_blanks(demo_desk: Desk) -> None:
    s = sid(demo_desk, "善化路9号")
    d = demo_desk
    refused(d, lambda: d.add_site("   ", "江西路社区"), "点位地址", "不能为空")
    refused(d, lambda: d.add_site("江西路2号", "江西路", note="a\x00b"), "备注")
    refused(d, lambda: d.add_site("江西路2号", "江西\n路"), "社区")
    for contact, words in [
        (ContactInput("lead", person="张\n三"), "包案领导姓名"),
        (ContactInput("unit", unit="   "), "责任单位"),
        (ContactInput("unit", unit="环卫\t站"), "责任单位单位"),
        (ContactInput("person", person="李四", title="科\x1b长"), "责任人职务"),
        (ContactInput("contact", person="王五", phone="138\n0000"), "联系人电话"),
        (ContactInput("lead", title="主任"), "包案领导"),
    ]:
        refused(d, lambda c=contact: d.list_site(s, ListingInput(TODAY, None, contacts=(c,))), words)
    refused(d, lambda: d.list_site(s, ListingInput(TODAY, None, problem="x\x07y")), "问题描述")
    refused(d, lambda: d.list_site(s, ListingInput(TODAY, None, category="乱堆\n杂物")), "问题类别")
    refused(d, lambda: d.change_status(sid(d, "江西路153号"), action=Action.SUBMIT, note="ok\x00"), "备注")
    refused(d, lambda: d.add_event(s, "inspection", TODAY, text="a\x00b"), "事件内容")
    refused(d, lambda: d.add_event(s, "inspection", TODAY, actors=["张三", "李\n四"]), "第2个参与人员或单位")
    ok = d.add_event(s, "inspection", TODAY, text=" 第一行\n第二行 ", actors=["  张三  ", "   "])
    assert ok.text == "第一行\n第二行" and ok.actors == ("张三",)
    refused(d, lambda: d.edit_event(ok.id, text="a\x1bb"), "事件内容")
    refused(d, lambda: d.edit_event(ok.id, actors=["\u202e张三"]), "参与人员或单位")


def test_batches_items_and_pasted_rows_refuse_control_characters(demo_desk: Desk) -> None:
    d = demo_desk
    good = ItemInput(address="江西路153号", problem="堆物")
    refused(d, lambda: d.create_batch(Kind.PATROL, 50, TODAY, [good], issuer="街道\n办"), "下发单位")
    refused(d, lambda: d.create_batch(Kind.PATROL, 50, TODAY, [good], title="通\x00报"), "通报标题")
    for bad, words in [
        (ItemInput(address="江西路\u2028153号"), "地址"),
        (ItemInput(address="江西路153号", unit="   环卫\x00站"), "责任单位"),
        (ItemInput(address="江西路153号", problem="a\x00"), "问题描述"),
        (ItemInput(address="江西路9号", community="江西\t路"), "社区"),
    ]:
        refused(d, lambda b=bad: d.create_batch(Kind.PATROL, 50, TODAY, [good, b]), "第2处", words)
    rows = parse_paste("江西路153号\t堆物\n江西\x00路1号\t堆物\n")
    assert rows[0].error is None and rows[1].error is not None and "第2行" in rows[1].error
    assert "\n" not in rows[1].error


# ---------------------------------------------------------------- item 16: length limits


def test_limits_fit_their_columns() -> None:
    columns = {
        fields.ADDRESS: Site.address, fields.UNIT: Unit.name, fields.PERSON: Person.name, fields.TITLE: Person.title,
        fields.PHONE: Person.phone, fields.ACTOR: EventActor.name, fields.ISSUER: SupervisionBatch.issuer,
        fields.BATCH_TITLE: SupervisionBatch.title,
    }  # fmt: skip
    for field, column in columns.items():
        kind = column.property.columns[0].type
        assert isinstance(kind, String) and kind.length is not None
        assert field.limit <= kind.length, (field, kind.length)
    assert fields.PHONE.limit <= 32  # Unit.phone too


def test_cli_huge_address_is_refused(cli_db: str, tmp_path: Path) -> None:
    err = refused_cli(cli_db, tmp_path, "site", "add", "--address", "a" * 100_000, "--community", "江西路社区")
    assert "点位地址" in err and "128" in err and "100000" in err


def test_every_write_path_enforces_lengths(demo_desk: Desk) -> None:
    d = demo_desk
    s = sid(d, "善化路9号")
    long = "长" * 5001
    at = fields.ADDRESS.limit
    assert d.add_site("路" * at, "江西路社区").row.address == "路" * at  # the limit itself is fine
    refused(d, lambda: d.add_site("路" * (at + 1), "江西路社区"), "点位地址", str(at), str(at + 1))
    refused(d, lambda: d.add_site("江西路3号", "江西路", note=long), "备注", "5000", "5001")
    for contact, words in [
        (ContactInput("lead", person="张" * 51), "包案领导姓名"),
        (ContactInput("unit", unit="单" * 101), "责任单位单位"),
        (ContactInput("person", person="李四", title="职" * 51), "责任人职务"),
        (ContactInput("contact", person="王五", phone="1" * 31), "联系人电话"),
    ]:
        refused(d, lambda c=contact: d.list_site(s, ListingInput(TODAY, None, contacts=(c,))), words, "过长")
    refused(d, lambda: d.list_site(s, ListingInput(TODAY, None, problem=long)), "问题描述", "5000")
    refused(d, lambda: d.change_status(sid(d, "江西路153号"), action=Action.SUBMIT, note=long), "备注", "5000")
    refused(d, lambda: d.add_event(s, "note", TODAY, text=long), "事件内容", "5000")
    refused(d, lambda: d.add_event(s, "note", TODAY, actors=["人" * 101]), "参与人员或单位", "100")
    good = ItemInput(address="江西路153号")
    refused(d, lambda: d.create_batch(Kind.PATROL, 51, TODAY, [good], issuer="发" * 101), "下发单位", "100")
    refused(d, lambda: d.create_batch(Kind.PATROL, 51, TODAY, [good], title="题" * 201), "通报标题", "200")
    refused(d, lambda: d.create_batch(Kind.PATROL, 51, TODAY, [good, ItemInput(address="路" * 129,
            community="江西路社区")]), "第2处", "地址")  # fmt: skip
    batch = d.create_batch(Kind.PATROL, 52, TODAY, [good])
    refused(d, lambda: d.add_items(batch.id, [ItemInput(address="江西路153号", problem=long)]),
            "问题描述")  # fmt: skip
    rows = parse_paste("江西路153号\t" + long)
    assert rows[0].error is not None and "问题描述" in rows[0].error


# ---------------------------------------------------------------- item 17: numbers


def test_cli_negative_issue_no_is_refused(cli_db: str, tmp_path: Path, demo_cli: tuple[Path, dict[str, int]]) -> None:
    site = str(demo_cli[1]["善化路9号"])
    err = refused_cli(cli_db, tmp_path, "site", "list", site, "--deadline", "2026-12-31", "--issue-no", "-5")
    assert "期号" in err and "-5" in err


@pytest.mark.parametrize("flag", ["lead", "person", "contact"])
def test_cli_phone_without_its_person_is_refused(
    cli_db: str, tmp_path: Path, demo_cli: tuple[Path, dict[str, int]], flag: str
) -> None:
    site = str(demo_cli[1]["善化路9号"])
    err = refused_cli(cli_db, tmp_path, "site", "list", site, "--deadline", "2026-12-31", f"--{flag}-phone", "138")
    assert f"--{flag}" in err


@pytest.mark.parametrize(("value", "words"), [("99999999999999999999999999999", "超出范围"), ("0.0000001", "2 位小数"),
                                              ("1000000000000", "超出范围"), ("1.005", "2 位小数")])  # fmt: skip
def test_cli_figure_beyond_its_column_is_refused(cli_db: str, tmp_path: Path, value: str, words: str) -> None:
    err = refused_cli(cli_db, tmp_path, "figure", "set", "city_cases", "--from", "2026-01-01", "--to", "2026-06-30",
                      "--value", value)  # fmt: skip
    assert words in err and "数字化城管件" in err


def test_figures_at_the_edge_of_the_column_are_stored_exactly(demo_desk: Desk) -> None:
    with demo_desk.uow() as uow:
        f = figures.set_figure(uow, "city_cases", TODAY, TODAY, Decimal("999999999999.99"))
    assert f.value == Decimal("999999999999.99")
    with demo_desk.engine.connect() as conn:
        stored = conn.execute(text("SELECT value FROM tally_entry WHERE id = (SELECT MAX(id) FROM tally_entry)"))
        assert Decimal(str(stored.scalar())) == Decimal("999999999999.99")

    def setting(v: str) -> Callable[[], Any]:
        def run() -> None:
            with demo_desk.uow() as uow:
                figures.set_figure(uow, "city_cases", TODAY, TODAY, Decimal(v))

        return run

    for v in ("-1000000000000", "NaN", "Infinity", "0.001", "1e30"):
        refused(demo_desk, setting(v), "数字化城管件")


def test_issue_numbers_fit_their_column(demo_desk: Desk) -> None:
    d = demo_desk
    s = sid(d, "善化路9号")
    good = ItemInput(address="江西路153号")
    for n in (0, -5, 2**31, 10**20):
        refused(d, lambda n=n: d.create_batch(Kind.PATROL, n, TODAY, [good]), "期号", "2147483647")
        refused(d, lambda n=n: d.list_site(s, ListingInput(TODAY, None, issue_no=n)), "期号")
    assert d.create_batch(Kind.PATROL, 2**31 - 1, TODAY, [good]).issue_no == 2**31 - 1
