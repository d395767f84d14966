"""Site services against a real SQLite file: filters, details, adding, listing, status changes, demo data."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from sqlalchemy import func, select

from db.models import AuditEntry, Community, Listing, Site, TimelineEvent
from tests.support import TODAY, table_dump
from zhdesk.demo import load_demo
from zhdesk.desk import Desk
from zhdesk.domain.lights import Light
from zhdesk.domain.workflow import Action, Status
from zhdesk.dto import ContactInput, ListingInput, SiteFilter
from zhdesk.errors import Conflict, IllegalTransition, InputRefused, NotFound
from zhdesk.services.sites import ACTION_EVENT_KIND

FIVE = {"江西路153号", "澄海路22号", "汕头路7号", "善化路18号院", "善化路19号院"}
JIANGXI = {"江西路153号", "江西路121号", "江西路与福州南路交汇处", "江西路沿街商铺(88—102号)"}
COMMUNITIES = ("江西路社区（示例）", "澄海路社区（示例）", "汕头路社区（示例）", "善化路社区（示例）")

LEAD = ContactInput("lead", person="王主任")


def sites(desk: Desk, **filters: object) -> list[str]:
    return [r.address for r in desk.list_sites(SiteFilter(**filters), today=TODAY)]  # type: ignore[arg-type]


def site_id(desk: Desk, address: str) -> int:
    (row,) = [r for r in desk.list_sites(today=TODAY) if r.address == address]
    return row.id


def count(desk: Desk, model: type) -> int:
    with desk.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def count_where(desk: Desk, community: str) -> int:
    with desk.engine.connect() as conn:
        q = select(func.count()).select_from(Site).join(Community).where(Community.name == community)
        return int(conn.execute(q).scalar_one())


def new_listed_site(desk: Desk, address: str = "测试路1号", **listing: object) -> int:
    sid = desk.add_site(address, "江西路社区").row.id
    data = {"listed_on": dt.date(2026, 11, 1), "deadline": dt.date(2026, 12, 31), "problem": "乱堆杂物",
            "contacts": (ContactInput("lead", person="王主任"),)}  # fmt: skip
    data.update(listing)
    desk.list_site(sid, ListingInput(**data))  # type: ignore[arg-type]
    return sid


# ---------------------------------------------------------------- list_sites


@pytest.mark.parametrize("name", ["江西路社区（示例）", "江西路社区", " 江西路社区 "])
def test_filter_by_community_with_or_without_sample_suffix(demo_desk: Desk, name: str) -> None:
    rows = demo_desk.list_sites(SiteFilter(community=name), today=TODAY)
    assert {r.address for r in rows} >= JIANGXI
    assert {r.community for r in rows} == {"江西路社区（示例）"}
    assert len(rows) == count_where(demo_desk, "江西路社区（示例）")


def test_unknown_community_names_the_known_ones(demo_desk: Desk) -> None:
    with pytest.raises(NotFound) as err:
        demo_desk.list_sites(SiteFilter(community="青岛路社区"), today=TODAY)
    assert "青岛路社区" in err.value.message
    for name in COMMUNITIES:
        assert name in err.value.message


@pytest.mark.parametrize("pattern", ["%", "_", "江西路社_", "%社区"])
def test_community_name_is_not_a_like_pattern(demo_desk: Desk, pattern: str) -> None:
    with pytest.raises(NotFound):
        demo_desk.list_sites(SiteFilter(community=pattern), today=TODAY)


def test_filter_by_status(demo_desk: Desk) -> None:
    assert set(sites(demo_desk, status=Status.RECTIFYING)) == {"江西路153号", "善化路18号院", "善化路19号院"}
    assert sites(demo_desk, status=Status.AWAITING_ACCEPTANCE) == ["澄海路22号"]
    assert sites(demo_desk, status=Status.CLOSED) == ["汕头路7号"]
    assert sites(demo_desk, status=Status.LISTED) == []


@pytest.mark.parametrize(
    ("light", "expected"),
    [
        (Light.RED, ["江西路153号"]),
        (Light.YELLOW, ["澄海路22号"]),
        (Light.GREEN, ["善化路18号院", "善化路19号院"]),
        (Light.GREY, ["汕头路7号"]),
    ],
)
def test_filter_by_light(demo_desk: Desk, light: Light, expected: list[str]) -> None:
    rows = demo_desk.list_sites(SiteFilter(light=light), today=TODAY)
    assert [r.address for r in rows] == expected
    assert {r.light for r in rows} == {light.value}


def test_listed_only_is_exactly_the_five_sites_ordered_by_urgency(demo_desk: Desk) -> None:
    rows = demo_desk.list_sites(SiteFilter(listed_only=True), today=TODAY)
    # red, yellow, green (fewest days left first), grey last
    assert [r.address for r in rows] == ["江西路153号", "澄海路22号", "善化路18号院", "善化路19号院", "汕头路7号"]
    assert [r.light for r in rows] == ["red", "yellow", "green", "green", "grey"]
    assert all(r.listed for r in rows)


def test_unfiltered_list_puts_unlisted_sites_after_the_listed(demo_desk: Desk) -> None:
    rows = demo_desk.list_sites(today=TODAY)
    assert len(rows) == count(demo_desk, Site)
    assert [r.address for r in rows[:5]] == ["江西路153号", "澄海路22号", "善化路18号院", "善化路19号院", "汕头路7号"]
    rest = rows[5:]
    assert all(not r.listed and r.light is None and r.days_text == "未挂牌" for r in rest)
    assert [r.address for r in rest] == sorted(r.address for r in rest)


def test_filters_combine(demo_desk: Desk) -> None:
    assert sites(demo_desk, community="善化路社区", listed_only=True) == ["善化路18号院", "善化路19号院"]
    assert sites(demo_desk, community="善化路社区", light=Light.RED) == []
    assert sites(demo_desk, community="江西路社区", status=Status.RECTIFYING, light=Light.RED) == ["江西路153号"]


def test_text_search_matches_address_and_note(demo_desk: Desk) -> None:
    assert set(sites(demo_desk, text="善化路1")) == {"善化路18号院", "善化路19号院"}
    assert set(sites(demo_desk, text=" 19号院 ")) == {"善化路19号院"}
    demo_desk.add_site("测试路8号", "汕头路社区", note="居民反映噪音扰民")
    assert sites(demo_desk, text="噪音") == ["测试路8号"]
    assert sites(demo_desk, text="不存在的地址") == []
    assert len(sites(demo_desk, text="   ")) == count(demo_desk, Site)  # blank search filters nothing


@pytest.mark.parametrize("text", ["%", "_", "江西路1_3号"])
def test_text_search_is_literal_not_a_like_pattern(demo_desk: Desk, text: str) -> None:
    assert sites(demo_desk, text=text) == []


# ---------------------------------------------------------------- get_site


def test_site_detail_with_contacts_and_phones(demo_desk: Desk) -> None:
    d = demo_desk.get_site(site_id(demo_desk, "善化路18号院"), today=TODAY)
    r = d.row
    assert (r.address, r.community, r.kind, r.kind_label, r.military) == (
        "善化路18号院", "善化路社区（示例）", "military", "部队管辖楼院", True,
    )  # fmt: skip
    assert (r.status, r.status_label, r.light, r.days_left, r.days_text) == (
        "rectifying",
        "整改中",
        "green",
        25,
        "剩25天",
    )
    assert r.deadline == TODAY + dt.timedelta(days=25)
    assert (r.lead, r.lead_phone, r.unit, r.category, r.category_code) == (
        "赵国强", "138 0000 0104", "北部战区海军保障部直属保障队", "私搭乱建", "06001",
    )  # fmt: skip
    cur = d.current
    assert cur is not None and cur.listed_on == TODAY - dt.timedelta(days=50)
    # listed twice in the 2021 phase (closed), and again now: the current listing is the last
    assert [li.status for li in d.listings] == ["closed", "closed", "rectifying"]
    assert cur.rework_count == 1 and cur.rebound_count == 0  # sent back once at acceptance
    contacts = [(c.role, c.role_label, c.person, c.unit, c.phone) for c in cur.contacts]
    assert contacts == [
        ("lead", "包案领导", "赵国强", None, "138 0000 0104"),
        ("unit", "责任单位", None, "北部战区海军保障部直属保障队", "0532-8000 1105"),
        ("unit", "责任单位", None, "区退役军人事务局", "0532-8000 1104"),
        ("person", "责任人", "吴志刚", "北部战区海军保障部直属保障队", "139 0000 0205"),
        ("contact", "联系人", "高玉兰", "善化路社区居委会（示例）", "137 0000 0304"),
    ]
    assert [(t.action, t.target) for t in d.transitions] == [("submit", "awaiting_acceptance")]


@pytest.mark.parametrize(
    ("address", "transitions"),
    [
        ("江西路153号", [("submit", "awaiting_acceptance")]),
        ("澄海路22号", [("accept", "closed"), ("reject", "rectifying")]),
        ("汕头路7号", [("rebound", "rectifying")]),
        ("江西路121号", []),
    ],
)
def test_allowed_transitions(demo_desk: Desk, address: str, transitions: list[tuple[str, str]]) -> None:
    d = demo_desk.get_site(site_id(demo_desk, address), today=TODAY)
    assert [(t.action, t.target) for t in d.transitions] == transitions


def test_closed_and_unlisted_details(demo_desk: Desk) -> None:
    closed = demo_desk.get_site(site_id(demo_desk, "汕头路7号"), today=TODAY)
    assert closed.row.light == "grey" and closed.row.days_left is None and closed.row.days_text == "已办结"
    # listed 60 days ago, accepted 33 days after listing
    assert closed.row.closed_on == TODAY - dt.timedelta(days=27)
    unlisted = demo_desk.get_site(site_id(demo_desk, "江西路121号"), today=TODAY)
    assert unlisted.current is None and unlisted.listings == ()
    assert (unlisted.row.listed, unlisted.row.status, unlisted.row.days_text) == (False, None, "未挂牌")


def test_unknown_site_id(demo_desk: Desk) -> None:
    with pytest.raises(NotFound, match="9999"):
        demo_desk.get_site(9999, today=TODAY)


# ---------------------------------------------------------------- add_site


def test_add_site_writes_site_and_audit(demo_desk: Desk) -> None:
    audits = count(demo_desk, AuditEntry)
    d = demo_desk.add_site("  澄海路30号 ", "澄海路社区", kind="shop", note="沿街")
    assert (d.row.address, d.row.community, d.row.kind, d.row.military, d.note) == (
        "澄海路30号", "澄海路社区（示例）", "shop", False, "沿街",
    )  # fmt: skip
    assert d.row.listed is False and d.transitions == ()
    assert "澄海路30号" in sites(demo_desk, community="澄海路社区")
    assert count(demo_desk, AuditEntry) == audits + 1
    with demo_desk.uow() as uow:
        entry = uow.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None
        assert (entry.action, entry.entity, entry.entity_id) == ("site.add", "site", d.row.id)
    assert demo_desk.add_site("善化路20号院", "善化路社区", kind="military").row.military is True


@pytest.mark.parametrize(
    ("address", "community", "kind", "error", "words"),
    [
        ("江西路153号", "江西路社区", "compound", InputRefused, ["已存在"]),
        (" 江西路153号 ", "江西路社区（示例）", "compound", InputRefused, ["已存在"]),
        ("新点位1号", "青岛路社区", "compound", NotFound, ["青岛路社区", *COMMUNITIES]),
        ("", "江西路社区", "compound", InputRefused, ["地址不能为空"]),
        ("   ", "江西路社区", "compound", InputRefused, ["地址不能为空"]),
        ("新点位1号", "江西路社区", "castle", InputRefused, ["castle", "compound"]),
    ],
)
def test_add_site_refusals_write_nothing(
    demo_desk: Desk, address: str, community: str, kind: str, error: type[Exception], words: list[str]
) -> None:
    before = table_dump(demo_desk.engine)
    with pytest.raises(error) as err:
        demo_desk.add_site(address, community, kind)
    assert type(err.value) is error
    for w in words:
        assert w in str(err.value)
    assert table_dump(demo_desk.engine) == before


def test_same_address_in_another_community_is_a_different_site(demo_desk: Desk) -> None:
    d = demo_desk.add_site("江西路153号", "澄海路社区")
    assert d.row.community == "澄海路社区（示例）"
    assert sites(demo_desk, text="江西路153号").count("江西路153号") == 2


# ---------------------------------------------------------------- list_site_for_supervision


def test_list_site_with_contacts_category_code_and_timeline(demo_desk: Desk) -> None:
    sid = demo_desk.add_site("江西路200号", "江西路社区").row.id
    d = demo_desk.list_site(
        sid,
        ListingInput(
            listed_on=dt.date(2026, 11, 20),
            deadline=dt.date(2026, 12, 1),
            problem="楼道堆物",
            category="06036",
            issue_no=7,
            contacts=(
                ContactInput("lead", person="李明远"),
                ContactInput("unit", unit="珠海路环卫站"),
                ContactInput("unit", unit="新成立的物业公司", phone="0532-1234 5678"),
                ContactInput("person", person="钱多多", title="物业经理", phone="135 0000 9999"),
            ),
        ),
    )
    r = d.row
    assert (r.status, r.issue_no, r.category, r.category_code, r.problem) == (
        "listed",
        7,
        "乱堆杂物",
        "06036",
        "楼道堆物",
    )
    assert (r.lead, r.lead_phone, r.unit) == ("李明远", "138 0000 0102", "珠海路环卫站")
    assert d.current is not None
    phones = {(c.person or c.unit): c.phone for c in d.current.contacts}
    assert phones == {
        "李明远": "138 0000 0102",
        "珠海路环卫站": "0532-8000 1102",
        "新成立的物业公司": "0532-1234 5678",
        "钱多多": "135 0000 9999",
    }
    assert [(t.action, t.target) for t in d.transitions] == [("start", "rectifying")]
    # due in 2 days from TODAY: yellow
    assert demo_desk.get_site(sid, today=TODAY).row.light == "yellow"
    with demo_desk.uow() as uow:
        events = list(uow.session.scalars(select(TimelineEvent).where(TimelineEvent.site_id == sid)))
        assert [(e.kind, e.occurred_on, e.listing_id) for e in events] == [
            ("listed", dt.date(2026, 11, 20), r.listing_id)
        ]
        last = uow.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert last is not None and (last.action, last.entity_id) == ("listing.add", r.listing_id)


def test_listing_without_deadline_is_green(demo_desk: Desk) -> None:
    sid = demo_desk.add_site("江西路201号", "江西路社区").row.id
    d = demo_desk.list_site(sid, ListingInput(listed_on=dt.date(2026, 1, 1), deadline=None, contacts=(LEAD,)))
    assert (d.row.deadline, d.row.light, d.row.days_text) == (None, "green", "无时限")


@pytest.mark.parametrize(
    ("address", "data", "error", "words"),
    [
        ("江西路121号", ListingInput(dt.date(2026, 11, 20), dt.date(2026, 11, 19)), InputRefused, ["早于挂牌日期"]),
        ("江西路153号", ListingInput(dt.date(2026, 11, 20), dt.date(2026, 12, 20)), InputRefused, ["重复挂牌"]),
        ("澄海路22号", ListingInput(dt.date(2026, 11, 20), dt.date(2026, 12, 20)), InputRefused, ["重复挂牌"]),
        (
            "江西路121号",
            ListingInput(dt.date(2026, 11, 20), dt.date(2026, 12, 20), category="乱扔垃圾"),
            NotFound,
            ["乱扔垃圾"],
        ),
        (
            "江西路121号",
            ListingInput(dt.date(2026, 11, 20), None, contacts=(ContactInput("boss", person="某某"),)),
            InputRefused,
            ["boss"],
        ),
        (
            "江西路121号",
            ListingInput(dt.date(2026, 11, 20), None, contacts=(ContactInput("lead"),)),
            InputRefused,
            ["包案领导"],
        ),
    ],
)
def test_listing_refusals_write_nothing(
    demo_desk: Desk, address: str, data: ListingInput, error: type[Exception], words: list[str]
) -> None:
    sid = site_id(demo_desk, address)
    before = table_dump(demo_desk.engine)
    with pytest.raises(error) as err:
        demo_desk.list_site(sid, data)
    assert type(err.value) is error
    for w in words:
        assert w in str(err.value)
    assert table_dump(demo_desk.engine) == before


def test_closed_site_can_be_listed_again_keeping_the_old_listing(demo_desk: Desk) -> None:
    sid = site_id(demo_desk, "汕头路7号")
    old = demo_desk.get_site(sid, today=TODAY)
    assert old.current is not None
    d = demo_desk.list_site(
        sid, ListingInput(TODAY, TODAY + dt.timedelta(days=10), problem="回头看发现反弹", contacts=(LEAD,))
    )
    assert len(d.listings) == len(old.listings) + 1
    assert d.listings[:-1] == old.listings  # earlier listings kept untouched
    first, second = d.listings[-2:]
    assert first == old.current  # the closed listing is kept untouched
    assert (first.status, first.closed_on) == ("closed", old.current.closed_on)
    assert second.id != first.id and (second.status, second.problem) == ("listed", "回头看发现反弹")
    assert (d.row.listing_id, d.row.status, d.row.light) == (second.id, "listed", "green")
    (row,) = demo_desk.list_sites(SiteFilter(text="汕头路7号"), today=TODAY)
    assert (row.listing_id, row.status) == (second.id, "listed")
    with pytest.raises(InputRefused, match="重复挂牌"):
        demo_desk.list_site(sid, ListingInput(TODAY, None))


# ---------------------------------------------------------------- change_status


def _events_and_audits(desk: Desk, sid: int) -> tuple[list[tuple[str, dt.date]], list[dict[str, object]]]:
    with desk.uow() as uow:
        s = uow.session
        events = [
            (e.kind, e.occurred_on)
            for e in s.scalars(select(TimelineEvent).where(TimelineEvent.site_id == sid).order_by(TimelineEvent.id))
        ]
        lids = list(s.scalars(select(Listing.id).where(Listing.site_id == sid)))
        audits = [
            json.loads(a.detail or "{}")
            for a in s.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "listing.status", AuditEntry.entity_id.in_(lids))
                .order_by(AuditEntry.id)
            )
        ]
    return events, audits


def test_every_legal_step_with_counters_timeline_and_audit(demo_desk: Desk) -> None:
    sid = new_listed_site(demo_desk)
    day = dt.date(2026, 11, 1)
    steps = [
        (Action.START, "rectifying", 0, 0, None),
        (Action.SUBMIT, "awaiting_acceptance", 0, 0, None),
        (Action.REJECT, "rectifying", 1, 0, None),
        (Action.SUBMIT, "awaiting_acceptance", 1, 0, None),
        (Action.ACCEPT, "closed", 1, 0, "closed"),
        (Action.REBOUND, "rectifying", 1, 1, None),
        (Action.SUBMIT, "awaiting_acceptance", 1, 1, None),
        (Action.REJECT, "rectifying", 2, 1, None),
        (Action.SUBMIT, "awaiting_acceptance", 2, 1, None),
        (Action.ACCEPT, "closed", 2, 1, "closed"),
        (Action.REBOUND, "rectifying", 2, 2, None),
    ]
    expected_events: list[tuple[str, dt.date]] = [("listed", day)]
    sources = ["listed"]
    version = demo_desk.get_site(sid, today=TODAY).listings[-1].version
    for i, (action, status, rework, rebound, closed) in enumerate(steps, start=1):
        on = day + dt.timedelta(days=i)
        d = demo_desk.change_status(sid, action=action, on=on, note=f"第{i}步", expected_version=version)
        cur = d.current
        assert cur is not None and len(d.listings) == 1
        assert (cur.status, cur.rework_count, cur.rebound_count) == (status, rework, rebound), action
        assert cur.closed_on == (on if closed else None), action
        assert cur.version > version
        version = cur.version
        expected_events.append((ACTION_EVENT_KIND[action], on))
        sources.append(status)
    events, audits = _events_and_audits(demo_desk, sid)
    assert events == expected_events
    assert [ACTION_EVENT_KIND[a] for a, *_ in steps] == [
        "action", "acceptance_request", "rejected", "acceptance_request", "accepted", "rebound",
        "acceptance_request", "rejected", "acceptance_request", "accepted", "rebound",
    ]  # fmt: skip
    assert [(a["source"], a["target"]) for a in audits] == list(itertools.pairwise(sources))
    assert [a["note"] for a in audits] == [f"第{i}步" for i in range(1, len(steps) + 1)]


def test_step_named_by_target_state_and_note_in_timeline(demo_desk: Desk) -> None:
    sid = new_listed_site(demo_desk)
    d = demo_desk.change_status(sid, to=Status.RECTIFYING, on=dt.date(2026, 11, 2), note="  进场  ")
    assert d.row.status == "rectifying"
    d = demo_desk.change_status(sid, to=Status.AWAITING_ACCEPTANCE, on=dt.date(2026, 11, 3))
    d = demo_desk.change_status(sid, to=Status.RECTIFYING, on=dt.date(2026, 11, 4))  # = reject
    assert d.current is not None and d.current.rework_count == 1
    with demo_desk.uow() as uow:
        texts = list(
            uow.session.scalars(
                select(TimelineEvent.text).where(TimelineEvent.site_id == sid).order_by(TimelineEvent.id)
            )
        )
    assert texts[1:] == ["开始整改：进场", "申请验收", "退回整改"]


def test_rebound_clears_closed_on(demo_desk: Desk) -> None:
    sid = site_id(demo_desk, "汕头路7号")
    d = demo_desk.change_status(sid, action=Action.REBOUND, on=TODAY)
    assert d.current is not None
    assert (d.row.status, d.row.closed_on, d.current.closed_on, d.current.rebound_count) == (
        "rectifying",
        None,
        None,
        1,
    )
    # deadline passed 20 days ago: a reopened site is overdue again
    assert d.row.light == "red"


ILLEGAL = [
    ("江西路153号", Action.START, None),
    ("江西路153号", Action.ACCEPT, None),
    ("江西路153号", Action.REJECT, None),
    ("江西路153号", Action.REBOUND, None),
    ("澄海路22号", Action.START, None),
    ("澄海路22号", Action.SUBMIT, None),
    ("澄海路22号", Action.REBOUND, None),
    ("汕头路7号", Action.START, None),
    ("汕头路7号", Action.SUBMIT, None),
    ("汕头路7号", Action.ACCEPT, None),
    ("汕头路7号", Action.REJECT, None),
    ("江西路153号", None, Status.CLOSED),
    ("江西路153号", None, Status.LISTED),
    ("江西路153号", None, Status.RECTIFYING),
    ("汕头路7号", None, Status.AWAITING_ACCEPTANCE),
    ("汕头路7号", None, Status.CLOSED),
]


@pytest.mark.parametrize(("address", "action", "to"), ILLEGAL)
def test_illegal_transition_leaves_database_unchanged(
    demo_desk: Desk, address: str, action: Action | None, to: Status | None
) -> None:
    sid = site_id(demo_desk, address)
    before = table_dump(demo_desk.engine)
    with pytest.raises(IllegalTransition) as err:
        demo_desk.change_status(sid, action=action, to=to, on=TODAY, note="不该写入")
    assert "可执行" in err.value.message
    assert table_dump(demo_desk.engine) == before


def test_illegal_transition_from_freshly_listed(demo_desk: Desk) -> None:
    sid = new_listed_site(demo_desk)
    before = table_dump(demo_desk.engine)
    for action in (Action.SUBMIT, Action.ACCEPT, Action.REJECT, Action.REBOUND):
        with pytest.raises(IllegalTransition):
            demo_desk.change_status(sid, action=action, on=TODAY)
    assert table_dump(demo_desk.engine) == before


def test_stale_version_is_a_conflict_and_writes_nothing(demo_desk: Desk) -> None:
    sid = site_id(demo_desk, "江西路153号")
    seen = demo_desk.get_site(sid, today=TODAY).current
    assert seen is not None
    demo_desk.change_status(sid, action=Action.SUBMIT, on=TODAY, expected_version=seen.version)
    before = table_dump(demo_desk.engine)
    with pytest.raises(Conflict):
        demo_desk.change_status(sid, action=Action.REJECT, on=TODAY, expected_version=seen.version)
    assert table_dump(demo_desk.engine) == before


@pytest.mark.parametrize(
    ("address", "kwargs", "words"),
    [
        ("江西路121号", {"action": Action.START}, "未挂牌"),
        ("江西路153号", {}, "请指定"),
        ("江西路153号", {"action": Action.SUBMIT, "on": TODAY - dt.timedelta(days=41)}, "早于上一步"),
    ],
)
def test_other_status_refusals_write_nothing(
    demo_desk: Desk, address: str, kwargs: dict[str, object], words: str
) -> None:
    sid = site_id(demo_desk, address)
    kwargs.setdefault("on", TODAY)
    before = table_dump(demo_desk.engine)
    with pytest.raises(InputRefused, match=words):
        demo_desk.change_status(sid, **kwargs)  # type: ignore[arg-type]
    assert table_dump(demo_desk.engine) == before


def test_unknown_site_status_change(demo_desk: Desk) -> None:
    with pytest.raises(NotFound):
        demo_desk.change_status(9999, action=Action.START, on=TODAY)


# ---------------------------------------------------------------- settings


def test_warning_days_moves_the_yellow_window(demo_desk: Desk) -> None:
    sid = new_listed_site(demo_desk, listed_on=TODAY, deadline=TODAY + dt.timedelta(days=5))
    assert demo_desk.warning_days() == 3
    row = demo_desk.get_site(sid, today=TODAY).row
    assert (row.days_left, row.light) == (5, "green")
    assert demo_desk.set_warning_days(5) == 5
    assert demo_desk.warning_days() == 5
    assert demo_desk.get_site(sid, today=TODAY).row.light == "yellow"
    assert "测试路1号" in sites(demo_desk, light=Light.YELLOW)
    assert demo_desk.set_warning_days(4) == 4
    assert demo_desk.get_site(sid, today=TODAY).row.light == "green"


@pytest.mark.parametrize("days", [-1, 61])
def test_warning_days_out_of_range_refused(demo_desk: Desk, days: int) -> None:
    before = table_dump(demo_desk.engine)
    with pytest.raises(InputRefused):
        demo_desk.set_warning_days(days)
    assert table_dump(demo_desk.engine) == before
    assert demo_desk.warning_days() == 3


# ---------------------------------------------------------------- demo data


def test_demo_is_idempotent(demo_desk: Desk) -> None:
    before = table_dump(demo_desk.engine)
    with demo_desk.uow() as uow:
        assert load_demo(uow, today=TODAY) == 0
    assert table_dump(demo_desk.engine) == before
    # a later day adds nothing either: listings are found by site, not re-dated
    with demo_desk.uow() as uow:
        assert load_demo(uow, today=TODAY + dt.timedelta(days=30)) == 0
    assert table_dump(demo_desk.engine) == before


def test_demo_reports_what_it_added(desk: Desk) -> None:
    before = {k: len(v) for k, v in table_dump(desk.engine).items()}
    with desk.uow() as uow:
        added = load_demo(uow, today=TODAY)
    after = {k: len(v) for k, v in table_dump(desk.engine).items()}
    grown = {k: after[k] - before[k] for k in after if after[k] != before[k]}
    # one audit entry for the demo (not counted), one per tally file it imports through the importer (counted)
    audits = grown.pop("audit_entry")
    assert audits == 1 + grown["import_batch"]
    assert added == sum(grown.values()) + audits - 1
    # 4 communities; 5 current listings + 10 closed ones of the 2021 phase (5期10处 at the five sites)
    assert (grown["community"], grown["listing"]) == (4, 15)
    assert grown["site"] >= 17


def test_demo_has_each_light_the_five_sites_and_two_military(demo_desk: Desk) -> None:
    listed = demo_desk.list_sites(SiteFilter(listed_only=True), today=TODAY)
    assert {r.address for r in listed} == FIVE and len(listed) == 5
    assert sorted(r.light or "" for r in listed) == ["green", "green", "grey", "red", "yellow"]
    assert {r.address for r in listed if r.military} == {"善化路18号院", "善化路19号院"}
    assert all(r.lead and r.unit and r.category for r in listed)
    assert count(demo_desk, Site) >= 17
    assert [(c.name, c.is_sample) for c in demo_desk.communities()] == [(n, True) for n in COMMUNITIES]
    # the other sites are not listed
    assert all(not r.listed for r in demo_desk.list_sites(today=TODAY) if r.address not in FIVE)


def test_a_status_change_dated_beyond_tomorrow_is_refused(demo_desk: Desk) -> None:
    sid = site_id(demo_desk, "江西路153号")
    before = table_dump(demo_desk.engine)
    later = dt.date.today() + dt.timedelta(days=2)
    with pytest.raises(InputRefused, match="在将来"):
        demo_desk.change_status(sid, action=Action.SUBMIT, on=later)
    assert table_dump(demo_desk.engine) == before
    d = demo_desk.change_status(sid, action=Action.SUBMIT, on=dt.date.today() + dt.timedelta(days=1))
    assert d.row.status == "awaiting_acceptance"
