"""Benchmark database generator: 10,000 sites, 100,000 supervision items and 100,000 timeline events
over 5 years, 1,000,000 tally entries. Reused by later benchmarks (`from bench.gendb import big_db`).

The schema comes from the real migrations; rows go in through sqlite3 executemany (generation speed is
not what is measured). The file is cached under the temp folder, keyed by its parameters.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from db.engine import sqlite_url
from db.migrate import head_revision
from zhdesk.demo import COMMUNITIES, SAMPLE
from zhdesk.demo_supervision import PROBLEMS
from zhdesk.desk import Desk
from zhdesk.domain.stats import Kind
from zhdesk.reference import METRICS

END = dt.date(2026, 11, 29)
START = END - dt.timedelta(days=5 * 365)
KIND_WEIGHTS = (
    (Kind.PATROL, 30), (Kind.FOOT_PATROL, 25), (Kind.INSPECTION_BULLETIN, 12), (Kind.LISTED, 3),
    (Kind.SUPERVISION_CASE, 15), (Kind.COMPOUND_NOTICE, 5), (Kind.OTHER, 10),
)  # fmt: skip


def big_db(sites: int = 10_000, items: int = 100_000, events: int = 100_000, tally: int = 1_000_000) -> Path:
    """Path of a generated database (made once, then reused)."""
    folder = Path(tempfile.gettempdir()) / "zhdesk-bench"
    folder.mkdir(exist_ok=True)
    path = folder / f"big-{sites}-{items}-{events}-{tally}-{head_revision()}.db"
    if not path.exists():
        t0 = time.perf_counter()
        tmp = path.with_suffix(".part")
        tmp.unlink(missing_ok=True)
        _generate(tmp, sites, items, events, tally)
        tmp.rename(path)
        print(f"generated {path.name} in {time.perf_counter() - t0:.1f} s ({path.stat().st_size / 2**20:.0f} MB)")
    return path


def _generate(path: Path, n_sites: int, n_items: int, n_events: int, n_tally: int) -> None:
    desk = Desk.open(sqlite_url(path))  # creates the schema and seeds categories and metrics
    desk.close()
    rnd = random.Random(5)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    with con:
        con.executemany(
            "INSERT INTO community (id, name, is_sample, sort_order) VALUES (?, ?, 1, ?)",
            [(i + 1, name + SAMPLE, i) for i, name in enumerate(COMMUNITIES)],
        )
        units = [f"责任单位{i:02d}" for i in range(1, 21)]
        con.executemany("INSERT INTO unit (id, name) VALUES (?, ?)", [(i + 1, u) for i, u in enumerate(units)])
        con.executemany(
            "INSERT INTO person (id, name, title, unit_id) VALUES (?, ?, '包案领导', NULL)",
            [(i, f"领导{i:03d}") for i in range(1, 201)],
        )
        cats = [r[0] for r in con.execute("SELECT id FROM problem_category")]
        con.executemany(
            "INSERT INTO site (id, address, kind, community_id, military, created_at, version) "
            "VALUES (?, ?, 'compound', ?, 0, '2021-01-01 00:00:00', 1)",
            [(i, f"测试路{i}号", rnd.randint(1, 4)) for i in range(1, n_sites + 1)],
        )
        # batches: about 8 items each, spread over 5 years, numbered per kind and year
        kinds = [k for k, w in KIND_WEIGHTS for _ in range(w)]
        n_batches = n_items // 8
        numbering: dict[tuple[str, int], int] = {}
        batches = []
        for b in range(1, n_batches + 1):
            kind = rnd.choice(kinds).value
            issued = START + dt.timedelta(days=rnd.randrange((END - START).days))
            no = numbering.get((kind, issued.year), 0) + 1
            numbering[(kind, issued.year)] = no
            batches.append((b, kind, issued.year, no, issued.isoformat()))
        con.executemany(
            "INSERT INTO supervision_batch (id, kind, year, issue_no, issued_on, issuer) "
            "VALUES (?, ?, ?, ?, ?, '街道')",
            batches,
        )
        item_rows = []
        listing_rows = []
        resp_rows = []
        for i in range(1, n_items + 1):
            b = batches[rnd.randrange(n_batches)]
            issued = dt.date.fromisoformat(b[4])
            deadline = issued + dt.timedelta(days=rnd.choice((7, 10, 15, 20, 30)))
            open_ = deadline > END - dt.timedelta(days=40) and rnd.random() < 0.5
            closed_on = None if open_ else issued + dt.timedelta(days=rnd.randint(1, 35))
            site = rnd.randint(1, n_sites)
            listing_id = None
            if b[1] == Kind.LISTED.value:
                listing_id = len(listing_rows) + 1
                listing_rows.append((listing_id, site, b[3], b[4], deadline.isoformat(), rnd.choice(cats),
                                     "rectifying" if open_ else "closed", closed_on.isoformat() if closed_on else None,
                                     rnd.randint(0, 1)))  # fmt: skip
                resp_rows.append((listing_id, "lead", rnd.randint(1, 200), None))
                resp_rows.append((listing_id, "unit", None, rnd.randint(1, 20)))
            item_rows.append((
                i, b[0], site, listing_id, None if listing_id else rnd.choice(cats), None if listing_id else "问题",
                None if listing_id else deadline.isoformat(), rnd.randint(1, 20),
                "open" if (open_ or listing_id) else "closed", int(open_ and rnd.random() < 0.05),
                None if (listing_id or open_) else closed_on.isoformat() if closed_on else None,
            ))  # fmt: skip
        con.executemany(
            "INSERT INTO listing (id, site_id, issue_no, listed_on, deadline, category_id, status, closed_on, "
            "rework_count, rebound_count, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 1)",
            listing_rows,
        )
        con.executemany(
            "INSERT INTO responsibility (listing_id, role, person_id, unit_id) VALUES (?, ?, ?, ?)", resp_rows
        )
        con.executemany(
            "INSERT INTO supervision_item (id, batch_id, site_id, listing_id, category_id, problem, deadline, "
            "unit_id, status, deferred, closed_on, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            item_rows,
        )
        kinds_ev = ("inspection", "interview", "action", "follow_up", "note")
        con.executemany(
            "INSERT INTO timeline_event (site_id, kind, occurred_on, text, deleted, created_at, version) "
            "VALUES (?, ?, ?, ?, 0, '2021-01-01 00:00:00', 1)",
            (
                (rnd.randint(1, n_sites), rnd.choice(kinds_ev),
                 (START + dt.timedelta(days=rnd.randrange((END - START).days))).isoformat(),
                 PROBLEMS[rnd.randrange(len(PROBLEMS))][1])
                for _ in range(n_events)
            ),
        )  # fmt: skip
        codes = [m[0] for m in METRICS]
        days = (END - START).days

        def tally_rows() -> object:
            for _ in range(n_tally):
                d = START + dt.timedelta(days=rnd.randrange(days))
                yield (rnd.choice(codes), rnd.randint(1, 4), d.isoformat(), d.isoformat(), rnd.randint(1, 30))

        con.executemany(
            "INSERT INTO tally_entry (metric_code, community_id, period_start, period_end, value) "
            "VALUES (?, ?, ?, ?, ?)",
            tally_rows(),  # type: ignore[arg-type]
        )
    con.close()
    # the rows went in past the ORM, so the dashboard rollups are filled the way `zhdesk stats rebuild` does
    from db import rollups
    from db.engine import make_engine

    engine = make_engine(sqlite_url(path))
    with engine.begin() as conn:
        rollups.rebuild(conn)
    engine.dispose()
    con = sqlite3.connect(path)
    con.execute("ANALYZE")
    con.execute("PRAGMA journal_mode=WAL")
    con.close()


def main(argv: Sequence[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench gendb", description=__doc__)
    p.add_argument("--sites", type=int, default=10_000)
    p.add_argument("--items", type=int, default=100_000)
    p.add_argument("--events", type=int, default=100_000)
    p.add_argument("--tally", type=int, default=1_000_000)
    a = p.parse_args(list(argv))
    print(big_db(a.sites, a.items, a.events, a.tally))
    return 0
