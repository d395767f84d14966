"""Items 8, 11, 12 of the hardening issue: ids beyond 64 bits, parallel writers, Ctrl+C, a closed pipe."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import zhdesk
from tests.hostile.conftest import Db
from tests.support import CJK, assert_error
from tests.ui.photo_files import write_jpegs

PACKAGE = Path(zhdesk.__file__).parent
HUGE = "99999999999999999999"  # beyond 2**64: int() takes it, the driver overflows


@pytest.mark.parametrize(
    "args",
    [
        ["site", "show", HUGE],
        ["site", "show", "-5"],
        ["site", "show", "0"],
        ["timeline", HUGE],
        ["photos", HUGE],
        ["site", "move", HUGE, "submit"],
        ["site", "list", HUGE, "--deadline", "2026-12-31"],
        ["event", "add", HUGE, "--kind", "note", "--date", "2026-11-01"],
        ["photo", "export", HUGE, "-o", "out.jpg"],
        ["photo", "add", "1", "x.jpg", "--event", HUGE],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_ids_beyond_64_bits_are_a_usage_error(db: Db, args: list[str]) -> None:
    before = db.dump()
    r = db.run(*args)
    assert_error(r, 2)
    assert "编号" in r.err
    assert db.dump() == before


def test_ids_at_the_edge_of_bigint_are_simply_not_found(db: Db) -> None:
    r = db.run("site", "show", str(2**63 - 1))
    assert_error(r, 1)
    assert "找不到" in r.err


def _env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if k not in ("ZHDESK_DB", "PYTHONIOENCODING", "PYTHONUTF8")}
    return e


def test_parallel_status_changes_one_wins_the_rest_get_one_line(db: Db) -> None:
    """8 processes submit the same listing at once: exactly one succeeds; every other one is refused in
    one line of Chinese (a lost race or the new state), never a StaleDataError traceback."""
    site = "1"  # 江西路153号, 整改中 in the demo
    rounds = 3
    for _ in range(rounds):
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "zhdesk", "--db", db.url, "site", "move", site, "submit"],
                cwd=db.cwd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )
            for _ in range(8)
        ]  # fmt: skip
        results = [(p.wait(timeout=120), p.stdout.read().decode(), p.stderr.read().decode()) for p in procs]  # type: ignore[union-attr]
        for code, _out, err in results:
            assert "Traceback" not in err, err
            assert code in (0, 1), (code, err)
            if code:
                assert len(err.strip().splitlines()) == 1 and CJK.search(err), err
        assert sum(1 for code, _, _ in results if code == 0) == 1, results
        # Back to 整改中 for the next round.
        back = db.run("site", "move", site, "reject")
        assert back.code == 0, back.err
    events = db.run("timeline", site, "--json").json()
    assert sum(1 for e in events if e["kind"] == "acceptance_request") >= rounds


def test_ctrl_c_during_photo_add_writes_nothing(db: Db, tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    write_jpegs(folder, 60, size=(1600, 1200))
    before = db.dump()
    # The folder named 8 times: 480 files to read and check (seconds of work), 60 distinct photos.
    p = subprocess.Popen(
        [sys.executable, "-m", "zhdesk", "--db", db.url, "photo", "add", "1", *[str(folder)] * 8],
        cwd=db.cwd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    time.sleep(1.5)  # start-up takes about 0.6 s; the batch then runs for seconds
    assert p.poll() is None, "the batch finished before it could be interrupted: make it bigger"
    p.send_signal(signal.SIGINT)
    code = p.wait(timeout=60)
    err = p.stderr.read().decode()  # type: ignore[union-attr]
    assert code == 130, (code, err)
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "未保存任何内容" in err, err
    assert db.dump() == before


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.15])
def test_ctrl_c_while_starting_is_one_line(db: Db, delay: float) -> None:
    p = subprocess.Popen(
        [sys.executable, "-m", "zhdesk", "--db", db.url, "sites"],
        cwd=db.cwd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    time.sleep(delay)
    p.send_signal(signal.SIGINT)
    code = p.wait(timeout=60)
    err = p.stderr.read().decode()  # type: ignore[union-attr]
    if "Traceback" in err or "Fatal Python error" in err:
        # CPython's own start-up (site, runpy and its imports: ~25 ms idle, far more on a loaded machine)
        # runs under its default SIGINT handler before any file of ours; nothing a project can hook there
        # under `python -m`. What CPython then prints varies ("Could not import runpy module", "Failed to
        # import the site module", once a TypeError from a half-initialised io); allowed only if no frame
        # is in our package and the process did not go on as if nothing happened.
        assert str(PACKAGE) not in err, err
        assert code != 0, (code, err)
        return
    # Too late to interrupt is fine (it finished); before the interpreter runs, the signal's default
    # action ends it (the shell shows 130 too); otherwise the documented 130 with one line.
    assert code in (0, 130, -signal.SIGINT), (code, err)
    if code == 130:
        assert len(err.strip().splitlines()) == 1 and "中断" in err, err


@pytest.mark.parametrize("args", [["sites"], ["sites", "--json"], ["bulletins", "--items"], ["timeline", "1"]])
def test_a_closed_pipe_ends_quietly(db: Db, args: list[str]) -> None:
    """`zhdesk sites | head -1`: the reader goes away after one line."""
    p = subprocess.Popen(
        [sys.executable, "-m", "zhdesk", "--db", db.url, *args],
        cwd=db.cwd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert p.stdout is not None and p.stderr is not None
    p.stdout.readline()
    p.stdout.close()  # like head -1 exiting
    code = p.wait(timeout=60)
    err = p.stderr.read().decode()
    assert err == "", err
    assert code == 0


def _parallel(db: Db, args: list[str], n: int = 6) -> list[tuple[int, str]]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "zhdesk", "--db", db.url, *args],
            cwd=db.cwd, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        for _ in range(n)
    ]  # fmt: skip
    return [(p.wait(timeout=120), p.stderr.read().decode()) for p in procs]  # type: ignore[union-attr]


def test_parallel_adds_of_one_address_store_one_site(db: Db) -> None:
    """A unique key taken by another writer a moment earlier is a refusal (exit 1, one line of Chinese),
    not a raw "UNIQUE constraint failed" storage error."""
    results = _parallel(db, ["site", "add", "--address", "新地址1号", "--community", "江西路社区"])
    for code, err in results:
        assert "Traceback" not in err and "UNIQUE" not in err, err
        assert code in (0, 1), (code, err)
    assert sum(1 for code, _ in results if code == 0) == 1, results
    found = db.run("sites", "--search", "新地址1号", "--json").json()
    assert len(found) == 1
