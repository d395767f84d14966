"""需要关注 as a service: red before yellow, listings before items, the lights the DTOs carry."""

from __future__ import annotations

from tests.support import TODAY
from zhdesk.desk import Desk


def test_attention_on_the_demo(demo_desk: Desk) -> None:
    entries = demo_desk.attention(None, TODAY)
    assert entries, "the demo has overdue work"
    ranks = [e.rank for e in entries]
    assert ranks == sorted(ranks)
    first = entries[0]
    assert (first.address, first.light, first.rank, first.item_id) == ("江西路153号", "red", 0, None)
    assert first.days_text.startswith("超期")
    yellow = [e for e in entries if e.rank == 2]
    assert [e.address for e in yellow] == ["澄海路22号"]
    items = [e for e in entries if e.rank in (1, 3)]
    assert items and all(e.item_id is not None for e in items)


def test_attention_follows_the_community_filter(demo_desk: Desk) -> None:
    everyone = demo_desk.attention(None, TODAY)
    shantou = demo_desk.attention("汕头路社区", TODAY)
    assert {e.site_id for e in shantou} <= {e.site_id for e in everyone}
    assert all(e.address != "江西路153号" for e in shantou)


def test_warning_days_move_entries_between_green_and_yellow(demo_desk: Desk) -> None:
    demo_desk.set_warning_days(0)
    assert not [e for e in demo_desk.attention(None, TODAY) if e.address == "澄海路22号"]
    demo_desk.set_warning_days(3)
    assert [e for e in demo_desk.attention(None, TODAY) if e.address == "澄海路22号"]


def test_the_items_read_in_sql_are_every_red_and_yellow_one(demo_desk: Desk) -> None:
    """attention() narrows its item reads in SQL (open, no listing, not deferred, due by the last yellow day);
    the entries equal those of the plain drill-downs filtered by light, over a year of `today`s."""
    import datetime as dt

    from zhdesk.domain.stats import kind_label
    from zhdesk.dto import Drill, StatsFilter
    from zhdesk.services.attention import LOOKBACK_DAYS, SHOWN
    from zhdesk.services.stats import drill_items

    def plain(today: dt.date, community: str | None) -> set[tuple[int, str, str]]:
        def read(uow: object) -> list:  # type: ignore[type-arg]
            overdue = drill_items(uow, Drill(base=StatsFilter(community=community), overdue_only=True), today)  # type: ignore[arg-type]
            recent = StatsFilter(today - dt.timedelta(days=LOOKBACK_DAYS), None, community)
            return overdue + drill_items(uow, Drill(base=recent), today)  # type: ignore[arg-type]

        return {
            (i.id, i.light, f"{kind_label(i.kind)}第{i.issue_no}期")
            for i in demo_desk.run(read)
            if i.listing_id is None and i.light in SHOWN
        }

    checked = 0
    for days in range(-200, 160, 9):
        today = TODAY + dt.timedelta(days=days)
        for community in (None, "汕头路社区"):
            got = {(e.item_id, e.light, e.what.split("：")[0]) for e in demo_desk.attention(community, today)
                   if e.item_id is not None}  # fmt: skip
            expected = plain(today, community)
            assert got == expected, (today, community)
            checked += len(expected)
    assert checked > 100  # red and yellow items were there to compare
