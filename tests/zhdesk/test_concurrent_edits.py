"""Two processes (two workstations) extend the same listing's deadline at once from the version both read,
50 rounds on each engine: each round exactly one wins, the other gets a Conflict (never a raw driver
error), the deadline is the winner's and the audit trail has exactly one entry per round."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
from typing import Any

import pytest
from sqlalchemy import func, select

from db.models import AuditEntry
from tests.support import ADMIN_PASSWORD, signed_in
from zhdesk.desk import Desk
from zhdesk.dto import SiteFilter
from zhdesk.errors import Conflict

ROUNDS = 50


def _worker(url: str, who: int, site_id: int, start: dt.date, barrier: Any, results: Any) -> None:
    desk = Desk.open(url)
    if desk.auth_mode() == "accounts":  # PostgreSQL: each workstation signs in to an account of its own
        desk.sign_in(f"ws{who}", ADMIN_PASSWORD)
    else:
        desk.user_login = f"ws{who}"
    try:
        for r in range(ROUNDS):
            version = desk.get_site(site_id).listings[-1].version
            mine = start + dt.timedelta(days=10 * (r + 1) + who)  # later than any earlier round's deadline
            barrier.wait(30)
            try:
                desk.extend_deadline(site_id, mine, f"第{r}轮", version)
                outcome = "won"
            except Conflict as exc:
                outcome = "conflict" if "\n" not in exc.message else "bad message"
            except Exception as exc:  # what reached the user is what the test checks
                outcome = f"error {type(exc).__name__}: {exc}"
            results.put((r, who, outcome, mine))
            barrier.wait(30)  # both done before the next round reads
    finally:
        desk.close()


def test_two_workstations_one_listing(any_demo_desk: Desk) -> None:
    desk = any_demo_desk
    url = desk.engine.url.render_as_string(hide_password=False)
    row = next(
        r for r in desk.list_sites(SiteFilter(listed_only=True)) if r.status != "closed" and r.deadline is not None
    )
    assert row.deadline is not None
    if desk.auth_mode() == "accounts":
        for who in (1, 2):
            desk.add_user(f"ws{who}", f"ws{who}", "preparer", ADMIN_PASSWORD)
    with desk.uow() as uow:
        audit_before = uow.session.scalar(select(func.count(AuditEntry.id)))
    desk.close()  # the children open their own; a forked pool must not be shared

    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(url, w, row.id, row.deadline, barrier, results)) for w in (1, 2)]
    for p in procs:
        p.start()
    got = [results.get(timeout=60) for _ in range(2 * ROUNDS)]
    for p in procs:
        p.join(30)
        assert p.exitcode == 0

    by_round: dict[int, list[tuple[int, str, dt.date]]] = {}
    for r, who, outcome, mine in got:
        by_round.setdefault(r, []).append((who, outcome, mine))
    last_winner: dt.date | None = None
    for r in range(ROUNDS):
        outcomes = sorted(o for _, o, _ in by_round[r])
        assert outcomes == ["conflict", "won"], (r, by_round[r])
        last_winner = next(m for _, o, m in by_round[r] if o == "won")

    check = signed_in(Desk.open(url))
    try:
        assert check.get_site(row.id).listings[-1].deadline == last_winner
        with check.uow() as uow:
            extends = uow.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "listing.extend"))
            total = uow.session.scalar(select(func.count(AuditEntry.id)))
        assert total is not None and audit_before is not None
        assert total - audit_before == ROUNDS
        assert extends is not None and extends >= ROUNDS
    finally:
        check.close()


@pytest.fixture(autouse=True)
def _no_leftover_children() -> Any:
    yield
    for child in mp.active_children():
        child.kill()
