"""SitesModel + SitesProxy without widgets: real-value sorting, filters, export cells."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from ui.pages.sites_model import ROW_ROLE, Col, SitesModel, SitesProxy
from ui.widgets.light import LIGHT_ROLE
from zhdesk.dto import SiteRow

D = dt.date(2021, 3, 5)


def row(i: int, address: str, *, light: str | None = "green", days: int | None = 10, **kw: object) -> SiteRow:
    base = SiteRow(
        id=i, address=address, community="江西路社区", kind="compound", kind_label="楼院", military=False,
        listed=light is not None, listing_id=i if light else None, issue_no=i if light else None,
        status="rectifying" if light else None, status_label="整改中" if light else None,
        listed_on=D if light else None, deadline=D + dt.timedelta(days=days) if days is not None else None,
        closed_on=None, light=light, days_left=days,
        days_text=(f"剩{days}天" if days and days > 0 else f"超期{-days}天") if days is not None else "未挂牌",
        lead="李明远", lead_phone="138", unit="珠海路环卫站", category="乱堆杂物", category_code="06036",
        problem="堆物",
    )  # fmt: skip
    return replace(base, **kw)  # type: ignore[arg-type]


@pytest.fixture
def proxy() -> SitesProxy:
    model = SitesModel()
    model.set_rows(
        [
            row(1, "澄海路22号", days=5, issue_no=2),
            row(2, "江西路153号", light="red", days=-3, issue_no=1),
            row(3, "善化路19号院", days=40, community="善化路社区", lead="赵国强", issue_no=10),
            row(4, "汕头路7号", light="grey", days=None, status="closed", status_label="已办结(摘牌)", issue_no=3),
            row(5, "佰优坊商圈", light=None, days=None, community="澄海路社区"),
        ]
    )
    p = SitesProxy()
    p.setSourceModel(model)
    p.sort(Col.LIGHT, Qt.SortOrder.AscendingOrder)
    return p


def addresses(p: SitesProxy) -> list[str]:
    return [r.address for r in p.visible_rows()]


def test_default_order_is_red_first_then_days_left(proxy: SitesProxy) -> None:
    assert addresses(proxy) == ["江西路153号", "澄海路22号", "善化路19号院", "汕头路7号"]


def test_days_sort_by_number_not_text(proxy: SitesProxy) -> None:
    proxy.sort(Col.DAYS, Qt.SortOrder.AscendingOrder)
    # As text "剩40天" < "剩5天"; as numbers -3 < 5 < 40, the closed site (no days) last.
    assert addresses(proxy) == ["江西路153号", "澄海路22号", "善化路19号院", "汕头路7号"]


def test_issue_and_deadline_sort_by_value(proxy: SitesProxy) -> None:
    proxy.sort(Col.ISSUE, Qt.SortOrder.DescendingOrder)
    assert [r.issue_no for r in proxy.visible_rows()] == [10, 3, 2, 1]
    proxy.sort(Col.DEADLINE, Qt.SortOrder.AscendingOrder)
    deadlines = [r.deadline for r in proxy.visible_rows() if r.deadline]
    assert deadlines == sorted(deadlines)


def test_filters(proxy: SitesProxy) -> None:
    proxy.set_filters(listed_only=False)
    assert proxy.rowCount() == 5
    proxy.set_filters(community="善化路社区")
    assert addresses(proxy) == ["善化路19号院"]
    proxy.set_filters(status="closed")
    assert addresses(proxy) == ["汕头路7号"]
    proxy.set_filters(light="red")
    assert addresses(proxy) == ["江西路153号"]
    proxy.set_filters(text="赵国强")  # lead
    assert addresses(proxy) == ["善化路19号院"]
    proxy.set_filters(text="环卫")  # unit
    assert proxy.rowCount() == 4
    proxy.set_filters(text="153")  # address
    assert addresses(proxy) == ["江西路153号"]


def test_cells(proxy: SitesProxy) -> None:
    i = proxy.index(0, Col.DAYS)
    assert i.data() == "超期3天"
    assert i.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#c5221f"
    light = proxy.index(0, Col.LIGHT)
    assert light.data(LIGHT_ROLE) == "red"
    assert light.data(Qt.ItemDataRole.ToolTipRole) == "红灯(超期)"
    assert proxy.index(0, Col.DEADLINE).data() == "2021-03-02"
    assert proxy.index(0, Col.ISSUE).data() == "第1期"
    assert proxy.index(0, Col.CATEGORY).data() == "乱堆杂物(06036)"
    assert isinstance(proxy.index(0, 0).data(ROW_ROLE), SiteRow)


def test_export_rows_keep_real_values(proxy: SitesProxy) -> None:
    first = proxy.export_rows()[0]
    assert first[Col.LIGHT] == "红灯(超期)"
    assert first[Col.DEADLINE] == dt.date(2021, 3, 2)
    assert first[Col.ISSUE] == 1
    assert first[Col.DAYS] == "超期3天"


def test_replace_row_updates_in_place(proxy: SitesProxy) -> None:
    model = proxy.sourceModel()
    assert isinstance(model, SitesModel)
    fresh = replace(model.row_at(1), status="awaiting_acceptance", status_label="待验收")
    assert model.replace_row(fresh)
    assert proxy.index(0, Col.STATUS).data() == "待验收"
    assert not model.replace_row(replace(fresh, id=99))
