"""Where SQLite and PostgreSQL differ by nature, the services still give the same answers on both.

Each test runs on both engines (any_desk/any_demo_desk); docs/architecture.md "### Checks" lists the
differences and how each is kept equal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Date, literal, select

from db.models import Community, Metric
from tests.pg import Server
from tests.support import signed_in
from zhdesk.desk import Desk
from zhdesk.domain.periods import period_key
from zhdesk.dto import SiteFilter, StatsFilter
from zhdesk.services import directory, figures, sites
from zhdesk.services.stats import _period_key

T = dt.date(2026, 11, 29)


def _dates() -> list[dt.date]:
    """Every weekday around the turns of years whose ISO weeks straddle them, and some plain dates."""
    out: list[dt.date] = []
    for first in (dt.date(2019, 12, 26), dt.date(2020, 12, 25), dt.date(2026, 12, 26), dt.date(2027, 12, 28)):
        out += [first + dt.timedelta(days=k) for k in range(12)]
    return [*out, dt.date(2024, 2, 29), dt.date(2026, 3, 1), dt.date(2026, 11, 29), dt.date(2026, 11, 30)]


@pytest.mark.parametrize("timezone", ["UTC", "Asia/Shanghai", "America/Santiago"])
def test_period_keys_in_sql_are_the_domain_keys(any_desk: Desk, timezone: str) -> None:
    """Week, month and year keys of stats._period_key equal domain/periods.period_key for every date,
    whatever the PostgreSQL session's time zone (date_trunc works on a timestamp)."""
    with any_desk.uow() as uow:
        s = uow.session
        if s.get_bind().dialect.name == "postgresql":
            s.execute(select(literal(1)).where(literal(True)))  # begin, then set for this transaction
            s.connection().exec_driver_sql(f"SET LOCAL TIME ZONE '{timezone}'")
        for g in ("week", "month", "year"):
            keys = [select(_period_key(s, literal(day, Date), g)).scalar_subquery() for day in _dates()]
            got = list(s.execute(select(*keys)).one())
            assert got == [period_key(day, g) for day in _dates()], (g, timezone)


def test_site_search_ignores_ascii_case_and_takes_wildcards_literally(any_desk: Desk) -> None:
    with any_desk.uow() as uow:
        uow.session.add(Community(name="江西路社区", is_sample=False, sort_order=0))
        uow.commit()
    any_desk.add_site("江西路1号A座", "江西路社区")
    any_desk.add_site("江西路1号b座", "江西路社区")
    any_desk.add_site("江西路2号_50%", "江西路社区")

    def found(text: str) -> list[str]:
        return [r.address for r in any_desk.run(sites.list_sites, SiteFilter(text=text), T)]

    assert found("a座") == ["江西路1号A座"]
    assert found("B座") == ["江西路1号b座"]
    assert found("_50%") == ["江西路2号_50%"]
    assert found("1号_") == []


def test_a_figure_finds_its_metric_by_name_ignoring_ascii_case(any_demo_desk: Desk) -> None:
    with any_demo_desk.uow() as uow:
        uow.session.add(Metric(code="pm25_days", name="PM2.5超标天数", unit="天", sort_order=90))
        uow.commit()
    fig = any_demo_desk.run(figures.set_figure, "pm2.5", dt.date(2026, 11, 1), dt.date(2026, 11, 29), Decimal(3))
    assert fig.metric == "pm25_days"


def test_ties_and_prefixes_pick_the_same_community(any_desk: Desk) -> None:
    """A name typed without its （…） suffix matches by prefix: the first by sort order, on both engines."""
    with any_desk.uow() as uow:
        for order, name in ((2, "江西路社区（二）"), (1, "江西路社区（一）")):
            uow.session.add(Community(name=name, is_sample=False, sort_order=order))
        uow.commit()
    row = any_desk.add_site("江西路3号", "江西路社区").row
    assert row.community == "江西路社区（一）"


# ---------------------------------------------------------------- a database with a locale collation


@pytest.fixture(params=["sqlite", "postgresql-zh"])
def collated_desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desk]:
    """SQLite, or a PostgreSQL database whose default collation is ICU Chinese (pinyin order), as a
    server set up for Chinese users may well have: text must still sort by code point, as on SQLite."""
    server: Server | None = None
    if request.param == "sqlite":
        url = f"sqlite:///{(tmp_path / 't.db').as_posix()}"
    else:
        server = request.getfixturevalue("pg_server")
        assert server is not None
        name = f"zh_{id(request)}"
        with server.admin() as conn:
            icu = "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'zh' LOCALE 'C'"
            conn.execute(f'CREATE DATABASE "{name}" {icu}')
        url = server.url(name)
    d = signed_in(Desk.open(url))
    yield d
    d.close()
    if server is not None:
        server.drop(url)


def test_names_sort_by_code_point_whatever_the_collation(collated_desk: Desk) -> None:
    names = ["张三", "李四", "王五", "b", "B", "a"]
    for n in names:
        collated_desk.run(directory.save_person, None, n, None, n + "单位")
    assert [p.name for p in collated_desk.run(directory.list_people)] == sorted(names)
    assert [u.name for u in collated_desk.run(directory.list_units)] == sorted(n + "单位" for n in names)


def test_an_approximate_total_keeps_the_same_qualifier_whatever_the_collation(collated_desk: Desk) -> None:
    """约 and 近 in one total: the qualifier kept is the larger by code point (近), also where a pinyin
    collation would rank 约 (yue) above 近 (jin)."""
    for month, qualifier in ((9, "约"), (10, "近"), (11, None)):
        start, end = dt.date(2026, month, 1), dt.date(2026, month, 28)
        collated_desk.run(figures.set_figure, "city_cases", start, end, Decimal(10), qualifier)
    db = collated_desk.dashboard(StatsFilter(), today=T)
    assert (db.city_cases, db.city_cases_qualifier) == (Decimal(30), "近")
