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
