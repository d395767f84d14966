"""The Desk facade: use cases are the service functions run in a unit of work each, nothing more."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.engine import sqlite_url
from db.models import Site
from db.uow import UnitOfWork
from zhdesk import desk as desk_module
from zhdesk.desk import Desk
from zhdesk.errors import NotFound
from zhdesk.services import sites as sites_svc


def test_a_use_case_is_its_service_in_a_unit_of_work(demo_desk: Desk) -> None:
    assert Desk.use_cases()["list_sites"].fn is sites_svc.list_sites
    assert demo_desk.list_sites() == demo_desk.run(sites_svc.list_sites)
    with pytest.raises(NotFound):
        demo_desk.get_site(999_999)


def test_every_use_case_names_a_service_function_and_says_if_it_writes() -> None:
    cases = Desk.use_cases()
    assert len(cases) >= 30
    for name, uc in cases.items():
        assert uc.fn.__module__.startswith("zhdesk.services."), name
    writes = {n for n, uc in cases.items() if uc.writes}
    assert {"add_site", "change_status", "add_photos", "close_item", "set_figure"} <= writes
    assert not writes & {"list_sites", "get_site", "dashboard", "timeline", "photos"}


def test_a_refused_run_writes_nothing(demo_desk: Desk) -> None:
    """A service that fails before its commit leaves nothing behind, whatever it had flushed."""

    def add_then_refuse(uow: UnitOfWork) -> None:
        uow.session.add(Site(address="新路1号", community_id=1, kind="compound", military=False))
        uow.session.flush()
        raise NotFound("后续步骤被拒绝")

    before = demo_desk.list_sites()
    with pytest.raises(NotFound):
        demo_desk.run(add_then_refuse)
    assert demo_desk.list_sites() == before


def test_opening_a_database_at_head_does_not_seed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = sqlite_url(tmp_path / "x.db")
    seeded: list[int] = []
    real = desk_module.seed_reference

    def counting(uow: UnitOfWork) -> int:
        seeded.append(1)
        return real(uow)

    monkeypatch.setattr(desk_module, "seed_reference", counting)
    Desk.open(url).close()
    assert seeded == [1]  # a new database is created and seeded
    Desk.open(url).close()
    Desk.open(url).close()
    assert seeded == [1]  # already at head: one version look-up, no seeding
