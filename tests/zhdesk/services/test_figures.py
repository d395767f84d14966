"""Figures entered by hand per period (数字化城管件 until a tally import feeds it)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from tests.support import as_user, assert_error, assert_ok, dump, table_dump, zhdesk
from zhdesk.desk import Desk
from zhdesk.dto import StatsFilter
from zhdesk.errors import Conflict, InputRefused, NotFound, UsageError
from zhdesk.services import figures, stats

NOV = (dt.date(2030, 11, 1), dt.date(2030, 11, 30))  # a period the demo leaves empty


@pytest.mark.parametrize(
    ("text", "value", "qualifier"),
    [("1758", Decimal(1758), None), ("约130", Decimal(130), "约"), ("近 130", Decimal(130), "近"),
     ("100余", Decimal(100), "余"), ("１７５８", Decimal(1758), None), ("29.5", Decimal("29.5"), None)],
)  # fmt: skip
def test_parse_keeps_the_qualifier(text: str, value: Decimal, qualifier: str | None) -> None:
    assert figures.parse_figure(text) == (value, qualifier)


@pytest.mark.parametrize("text", ["", "abc", "约", "-5", "1,758"])
def test_parse_refuses_what_is_not_a_figure(text: str) -> None:
    with pytest.raises(UsageError, match="无法识别"):
        figures.parse_figure(text)


def test_set_then_correct_replaces_and_stats_read_it(demo_desk: Desk) -> None:
    f = StatsFilter(*NOV)
    with demo_desk.uow() as uow:
        assert stats.dashboard(uow, f).city_cases == 0
        dto = figures.set_figure(uow, "city_cases", *NOV, Decimal(130), "约")
    assert dto.text == "约130" and dto.metric_name == "处置数字化城管件"
    with demo_desk.uow() as uow:
        d = stats.dashboard(uow, f)
        assert (d.city_cases, d.city_cases_qualifier) == (130, "约")
        figures.set_figure(uow, "数字化城管件", *NOV, Decimal(128))  # a correction, by name
    with demo_desk.uow() as uow:
        d = stats.dashboard(uow, f)
        assert (d.city_cases, d.city_cases_qualifier) == (128, None)  # replaced, not added
        figures.set_figure(uow, "city_cases", *NOV, Decimal(20), community="江西路社区")
    with demo_desk.uow() as uow:
        assert stats.dashboard(uow, f).city_cases == 148
        assert stats.dashboard(uow, StatsFilter(*NOV, community="江西路社区")).city_cases == 20


@pytest.mark.parametrize(
    ("args", "error"),
    [(("nothing", *NOV, Decimal(1)), NotFound), (("city_cases", NOV[1], NOV[0], Decimal(1)), InputRefused),
     (("city_cases", *NOV, Decimal(-1)), InputRefused)],
)  # fmt: skip
def test_refusals_write_nothing(demo_desk: Desk, args: tuple[object, ...], error: type[Exception]) -> None:
    before = table_dump(demo_desk.engine)
    with demo_desk.uow() as uow, pytest.raises(error):
        figures.set_figure(uow, *args)  # type: ignore[arg-type]
    assert table_dump(demo_desk.engine) == before


def test_cli_figure_set(tmp_path: Path) -> None:
    url = f"sqlite:///{(tmp_path / 'f.db').as_posix()}"
    assert_ok(zhdesk("init", db=url, cwd=tmp_path))
    r = zhdesk("figure", "set", "city_cases", "--from", "2021-01-01", "--to", "2021-06-30", "--value", "1758",
               "--json", db=url, cwd=tmp_path)  # fmt: skip
    assert_ok(r)
    assert json.loads(r.out)["value"] == 1758
    s = zhdesk("stats", "--from", "2021-01-01", "--to", "2021-06-30", "--json", db=url, cwd=tmp_path)
    assert json.loads(s.out)["city_cases"] == {"value": 1758.0, "qualifier": None}
    before = dump(url)
    bad = zhdesk("figure", "set", "city_cases", "--from", "2021-01-01", "--to", "2021-06-30", "--value", "很多",
                 db=url, cwd=tmp_path)  # fmt: skip
    assert_error(bad, 2)
    assert dump(url) == before


def test_stale_figure_names_the_other_entry(any_demo_desk: Desk) -> None:
    """Both saw no figure for the period; 王五 enters one first: mine is a Conflict naming his, and writes
    nothing; having seen his, mine replaces it. Both engines."""
    desk = any_demo_desk
    other = as_user(desk, "wangwu")
    try:
        assert desk.hand_figure("city_cases", *NOV) is None
        none = {"value": None, "qualifier": None}
        other.set_figure("city_cases", *NOV, "约130", expected=none)
        before = table_dump(desk.engine)
        with pytest.raises(Conflict) as caught:
            desk.set_figure("city_cases", *NOV, "128", expected=none)
        c = caught.value
        assert c.by == "wangwu" and c.theirs["value"] == "130" and c.theirs["qualifier"] == "约"
        assert "2030-11-01 至 2030-11-30 全街道的处置数字化城管件" in c.message
        assert "值：空 → 130" in c.message and "\n" not in c.message
        assert table_dump(desk.engine) == before
        seen = desk.hand_figure("city_cases", *NOV)
        assert seen is not None and seen.text == "约130"
        mine = desk.set_figure("city_cases", *NOV, "128", expected={"value": seen.value, "qualifier": seen.qualifier})
        assert mine.text == "128"
        # his stale view of the figure (约130) no longer matches: his correction is refused in turn
        with pytest.raises(Conflict) as theirs:
            other.set_figure("city_cases", *NOV, "131", expected={"value": seen.value, "qualifier": seen.qualifier})
        assert "值：130 → 128" in theirs.value.message and "限定词：约 → 空" in theirs.value.message
        # a community's figure is its own record: no conflict with 全街道's
        assert other.set_figure("city_cases", *NOV, "20", "江西路社区", expected=none).text == "20"
        # no `expected` (the CLI): saved as before
        assert desk.set_figure("city_cases", *NOV, "127").text == "127"
    finally:
        other.close()
