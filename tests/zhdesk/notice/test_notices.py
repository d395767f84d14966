"""督办通知单 (issue 11 item 6): real PDFs read back with pypdf, the 催办 events, refusals writing nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import AuditEntry, TimelineEvent
from tests.support import TODAY, table_dump
from tests.zhdesk.notice.pdfcheck import fonts, metadata, page_texts
from zhdesk.desk import Desk
from zhdesk.domain.lights import Light
from zhdesk.dto import ContactInput, ListingInput, SiteFilter
from zhdesk.errors import InputRefused, UsageError, ZhdeskError

LEAD = ContactInput("lead", person="王主任", phone="139 1111 2222")
UNIT = ContactInput("unit", unit="珠海路环卫站")


def flat(text: str) -> str:
    """Page text without the line breaks and spaces the layout put in."""
    return re.sub(r"\s+", "", text)


def overdue_rows(desk: Desk, today: dt.date) -> list[str]:
    return [r.address for r in desk.list_sites(SiteFilter(listed_only=True, light=Light.RED), today=today)]


def refused(desk: Desk, call: Callable[[], object], *words: str, kind: type[ZhdeskError] = InputRefused) -> str:
    before = table_dump(desk.engine)
    with pytest.raises(kind) as info:
        call()
    message = info.value.message
    assert "\n" not in message and all(w in message for w in words), message
    assert table_dump(desk.engine) == before
    return message


def site_id(desk: Desk, address: str) -> int:
    return next(r.id for r in desk.list_sites() if r.address == address)


def test_overdue_on_the_demo_one_page_per_overdue_listing(demo_desk: Desk, tmp_path: Path) -> None:
    later = TODAY + dt.timedelta(days=60)  # several listings are overdue by then
    expected = overdue_rows(demo_desk, later)
    assert len(expected) >= 2
    out = tmp_path / "督办通知单.pdf"
    result = demo_desk.issue_notices(None, out, overdue=True, today=later)
    assert sorted(n.address for n in result.notices) == sorted(expected)
    pages = page_texts(out)
    assert len(pages) == len(expected)
    for n, text in zip(result.notices, pages, strict=True):
        t = flat(text)
        assert n.address in t and n.addressee in t and n.number in t and n.days_text in t
        assert n.days_text.startswith("超期") and "回执" in t and "市容环境卫生综合整治督办通知单" in t
        assert f"{n.due.year}年{n.due.month}月{n.due.day}日前整改完毕" in t
    assert [n.number for n in result.notices] == [f"督〔{later.year}〕{k}号" for k in range(1, len(expected) + 1)]
    assert fonts(out) and all(fonts(out).values()), fonts(out)
    assert metadata(out).get("/Title") == "市容环境卫生综合整治督办通知单"
    # Each site got its 催办 event, and the log says who issued what.
    for n in result.notices:
        ev = [e for e in demo_desk.timeline(n.site_id) if e.kind == "urge"]
        assert [e.id for e in ev] == [n.event_id]
        assert ev[0].kind_label == "催办" and ev[0].date == later
        assert ev[0].text == f"发出督办通知单 {n.number}，限 {n.due.isoformat()} 前整改完毕"
        assert n.addressee in ev[0].actors
    with demo_desk.engine.connect() as c:
        issued = c.scalars(select(AuditEntry.detail).where(AuditEntry.action == "notice.issue")).all()
    assert len(issued) == len(expected)
    # The counter goes on: the next notice of the year gets the next number.
    again = demo_desk.issue_notices([result.notices[0].site_id], tmp_path / "again.pdf", today=later)
    assert again.notices[0].number == f"督〔{later.year}〕{len(expected) + 1}号"


def test_the_demo_today_one_overdue_site(demo_desk: Desk, tmp_path: Path) -> None:
    expected = overdue_rows(demo_desk, TODAY)
    result = demo_desk.issue_notices(None, tmp_path / "n.pdf", overdue=True, today=TODAY)
    assert [n.address for n in result.notices] == expected
    text = flat(page_texts(tmp_path / "n.pdf")[0])
    assert "江西路153号" in text and "市南区综合行政执法大队珠海路街道中队" in text  # the 责任单位
    assert "包案领导" in text and "李明远" in text and "珠海路街道城市管理办公室" in text  # the demo's office
    assert f"{TODAY.year}年{TODAY.month}月{TODAY.day}日" in text


def test_user_text_prints_literally_never_as_markup(demo_desk: Desk, tmp_path: Path) -> None:
    sid = site_id(demo_desk, "江西路121号")
    problem = '堆物<b>粗体</b> & 杂物 <font color=red>红字</font> </para> 完'
    demo_desk.list_site(sid, ListingInput(TODAY - dt.timedelta(days=20), TODAY - dt.timedelta(days=3),
                                          problem=problem, contacts=(LEAD, UNIT)))  # fmt: skip
    result = demo_desk.issue_notices([sid], tmp_path / "n.pdf", days=10, today=TODAY)
    text = page_texts(tmp_path / "n.pdf")[0]
    assert "<b>粗体</b>" in text and "&" in text and "<font color=red>红字</font>" in text and "</para>" in text
    t = flat(text)
    assert "超期3天" in t and "珠海路环卫站" in t and "限10日内" in t
    assert result.notices[0].addressee == "珠海路环卫站" and result.notices[0].due == TODAY + dt.timedelta(days=10)


def test_addressee_falls_back_to_the_leads_unit_then_a_generic_one(demo_desk: Desk, tmp_path: Path) -> None:
    a, b = site_id(demo_desk, "江西路121号"), site_id(demo_desk, "江西路与福州南路交汇处")
    lead_with_unit = ContactInput("lead", person="孙科长", unit="珠海路街道城市管理办公室")
    demo_desk.list_site(a, ListingInput(TODAY, TODAY + dt.timedelta(days=5), contacts=(lead_with_unit,)))
    demo_desk.list_site(b, ListingInput(TODAY, None, contacts=(ContactInput("lead", person="钱主任"),)))
    result = demo_desk.issue_notices([a, b], tmp_path / "n.pdf", today=TODAY)
    assert [n.addressee for n in result.notices] == ["珠海路街道城市管理办公室", "相关责任单位"]
    pages = [flat(t) for t in page_texts(tmp_path / "n.pdf")]
    assert len(pages) == 2 and "剩5天" in pages[0] and "无时限" in pages[1]


def test_a_very_long_problem_still_fits_one_page(demo_desk: Desk, tmp_path: Path) -> None:
    sid = site_id(demo_desk, "江西路121号")
    problem = "楼道堆放杂物、私搭乱建，堵塞消防通道，居民反映强烈。" * 60
    demo_desk.list_site(sid, ListingInput(TODAY - dt.timedelta(days=9), TODAY - dt.timedelta(days=1),
                                          problem=problem, contacts=(LEAD, UNIT)))  # fmt: skip
    demo_desk.issue_notices([sid], tmp_path / "n.pdf", today=TODAY)
    pages = page_texts(tmp_path / "n.pdf")
    assert len(pages) == 1 and "回执" in flat(pages[0])


def test_refusals_write_nothing(demo_desk: Desk, tmp_path: Path) -> None:
    listed = site_id(demo_desk, "江西路153号")
    never = site_id(demo_desk, "江西路与福州南路交汇处")
    refused(demo_desk, lambda: demo_desk.issue_notices([never], tmp_path / "n.pdf", today=TODAY), "没有在办的挂牌督办")
    refused(demo_desk, lambda: demo_desk.issue_notices([999_999], tmp_path / "n.pdf", today=TODAY), "999999")
    refused(demo_desk, lambda: demo_desk.issue_notices([listed], tmp_path / "n.pdf", days=0, today=TODAY), "天数")
    # The file cannot be written: a folder, the open database itself. No event, no number used.
    folder = tmp_path / "folder.pdf"
    folder.mkdir()
    refused(demo_desk, lambda: demo_desk.issue_notices([listed], folder, overwrite=True, today=TODAY), "文件夹",
            kind=UsageError)  # fmt: skip
    db = Path(str(demo_desk.engine.url.database))
    refused(demo_desk, lambda: demo_desk.issue_notices([listed], db, overwrite=True, today=TODAY), "数据库")
    existing = tmp_path / "old.pdf"
    existing.write_bytes(b"old")
    refused(demo_desk, lambda: demo_desk.issue_notices([listed], existing, today=TODAY), "已存在")
    assert existing.read_bytes() == b"old"
    refused(demo_desk, lambda: demo_desk.issue_notices(None, tmp_path / "n.pdf", today=TODAY), "二者选一",
            kind=UsageError)  # fmt: skip
    assert not (tmp_path / "n.pdf").exists()
    assert not [e for e in demo_desk.timeline(listed) if e.kind == "urge"]


def test_none_overdue_says_so(demo_desk: Desk, tmp_path: Path) -> None:
    early = min(r.listed_on for r in demo_desk.list_sites(SiteFilter(listed_only=True)) if r.listed_on)
    refused(demo_desk, lambda: demo_desk.issue_notices(None, tmp_path / "n.pdf", overdue=True, today=early),
            "没有超期的挂牌督办点位")  # fmt: skip
    assert not (tmp_path / "n.pdf").exists()


def test_urge_events_cannot_be_entered_by_hand(demo_desk: Desk) -> None:
    sid = site_id(demo_desk, "江西路153号")
    refused(demo_desk, lambda: demo_desk.add_event(sid, "urge", TODAY, text="手工催办"), "督办通知单")
    refused(demo_desk, lambda: demo_desk.add_event(sid, "催办", TODAY, text="手工催办"), "督办通知单")


def test_commit_failure_leaves_no_new_file(demo_desk: Desk, tmp_path: Path) -> None:
    """The PDF is written before the commit; if the commit fails, the notice it announced goes too."""
    from sqlalchemy import event

    sid = site_id(demo_desk, "江西路153号")

    def fail(_conn: object) -> None:
        raise RuntimeError("提交失败")

    event.listen(demo_desk.engine, "commit", fail)
    try:
        with pytest.raises(Exception):  # noqa: B017 - whatever the driver turns it into
            demo_desk.issue_notices([sid], tmp_path / "n.pdf", today=TODAY)
    finally:
        event.remove(demo_desk.engine, "commit", fail)
    assert not (tmp_path / "n.pdf").exists()
    with demo_desk.engine.connect() as c:
        assert c.scalar(select(TimelineEvent.id).where(TimelineEvent.kind == "urge")) is None
