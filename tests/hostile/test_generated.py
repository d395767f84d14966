"""Generated hostile input: every command, its arguments drawn from the classes that broke it before
(huge and negative ids, blank and control-character strings, invalid UTF-8, huge strings, impossible
dates and numbers, SQL and markup). Run in-process for speed; the subprocess-only classes (signals,
pipes, parallel writers, special files) have their own tests.

For every call: nothing but SystemExit may escape `main`, the exit code is 0, 1 or 2, a refusal is
exactly one line of Chinese on stderr, and a refused call leaves every table as it was.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.engine import sqlite_url
from tests.support import CJK, dump
from zhdesk import cli

# Python hands undecodable argv bytes to the program as lone surrogates (surrogateescape).
BAD_UTF8 = b"\xb9\xa4\xd7\xf7".decode("utf-8", "surrogateescape")

NASTY = [
    "", " ", "   ", "\t", "\n", "a\nb", "江西路\r\n153号", "\x00", "a\x00b", "\x1b[31m红\x1b[0m", "\u2028", "\u202e号",
    "%", "_", "'; DROP TABLE site;--", "<b>粗</b>", "&amp;", "x" * 5000, "长" * 100_000, BAD_UTF8,
    "１２", "-1", "0", "-0", "+7", "1e999", "nan", "inf", "0x10", "99999999999999999999", str(2**63), str(2**63 - 1),
]  # fmt: skip
DATES = [
    "2021-02-30", "2021-13-01", "0000-00-00", "0001-01-01", "9999-12-31", "99999-01-01", "2021年3月5日", "3月5日",
    "2021.3.5", "2026-11-30", "2099-01-01", "1900-01-01", "", " ", BAD_UTF8, "2021-03-05\n",
]  # fmt: skip
VALUES = ["1758", "约130", "近百", "100余", "-5", "1e29", "9" * 29, "0.0000001", "十二", "待定", ""]


STEPS = ["start", "submit", "accept", "reject", "rebound", "closed", "整改中", "待验收"]
KINDS = ["note", "inspection", "accepted", "listed", "备注", "rebound"]
ROLES = ["admin", "leader", "preparer", "staff", "管理员", "工作人员", "ADMIN", "root"]


@dataclass(frozen=True)
class Slot:
    """A place in a command line that takes user input: what kind, and a sensible value to leave in it
    while another slot is under attack."""

    kind: str  # text, id, date, value, or a fixed list's name
    default: str


T, N, D = (lambda x: Slot("text", x)), (lambda x: Slot("id", x)), (lambda x: Slot("date", x))
COMMANDS: dict[str, list[str | Slot]] = {
    "sites": ["sites", "--search", T("江西路"), "--community", T("江西路社区"), "--status", T("rectifying"),
              "--light", T("red")],
    "site show": ["site", "show", N("1")],
    "site add": ["site", "add", "--address", T("新路1号"), "--community", T("江西路社区"), "--note", T("备注")],
    "site list": ["site", "list", N("48"), "--deadline", D("2026-12-31"), "--listed-on", D("2026-11-01"),
                  "--problem", T("乱堆杂物"), "--lead", T("李四"), "--lead-phone", T("13800000000"),
                  "--unit", T("环卫站"), "--issue-no", N("3")],
    "site move": ["site", "move", N("1"), Slot("step", "submit"), "--date", D("2026-11-28"), "--note", T("整改完毕")],
    "event add": ["event", "add", N("1"), "--kind", Slot("kind", "note"), "--date", D("2026-11-28"),
                  "--text", T("现场检查"), "--actor", T("王五")],
    "timeline": ["timeline", N("1")],
    "photos": ["photos", N("1")],
    "bulletins": ["bulletins", "--kind", T("patrol"), "--community", T("江西路社区"), "--items"],
    "stats": ["stats", "--from", D("2021-01-01"), "--to", D("2021-06-30"), "--community", T("江西路社区"), "--json"],
    "figure set": ["figure", "set", T("city_cases"), "--from", D("2021-01-01"), "--to", D("2021-06-30"),
                   "--value", Slot("value", "1758")],
    # accounts (issue 12): new passwords come from ZHDESK_NEW_PASSWORD (tests/hostile/conftest.py)
    "user add": ["user", "add", T("wangwu"), "--name", T("王五"), "--role", Slot("role", "staff"),
                 "--community", T("江西路社区")],
    "user list": ["user", "list", "--json"],
    "user role": ["user", "role", T("wangwu"), Slot("role", "leader"), "--community", T("江西路社区")],
    "user passwd": ["user", "passwd", T("wangwu")],
    "user disable": ["user", "disable", T("wangwu")],
    "user enable": ["user", "enable", T("wangwu")],
    "accounts on": ["accounts", "on", "--login", T("chief"), "--name", T("主任")],
    "accounts status": ["accounts", "status"],
    "--user": ["--user", T("chief"), "sites"],
}  # fmt: skip

STRATEGIES: dict[str, st.SearchStrategy[str]] = {
    "text": st.one_of(st.sampled_from(NASTY), st.text(max_size=40)),
    "id": st.one_of(st.sampled_from(["1", "2", "3", "5", "48", *NASTY]), st.integers(-(2**70), 2**70).map(str)),
    "date": st.one_of(st.sampled_from(DATES), st.dates().map(lambda d: d.isoformat())),
    "value": st.one_of(st.sampled_from(VALUES), st.sampled_from(NASTY)),
    "step": st.one_of(st.sampled_from(STEPS), st.sampled_from(NASTY)),
    "kind": st.one_of(st.sampled_from(KINDS), st.sampled_from(NASTY)),
    "role": st.one_of(st.sampled_from(ROLES), st.sampled_from(NASTY)),
}
# The classes every slot meets in the exhaustive pass (one of each; hypothesis explores the rest).
CORE = ["", "   ", "a\nb", "\x00", "\u2028", "长" * 100_000, BAD_UTF8, "-1", "99999999999999999999", "2021-02-30",
        "1e29", "'; DROP TABLE site;--"]  # fmt: skip


# Never stored: control characters but newline and tab (multi-line texts keep those), line separators,
# lone surrogates (undecodable input).
STORED_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\ud800-\udfff]")


def run_cli(url: str, args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(["--db", url, *args])
        except SystemExit as exc:  # argparse: usage errors (2), --help (0)
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def scratch(hostile_template: Path, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """A fresh copy of the demo for every call: an earlier accepted write must not mask a later fault."""
    path = tmp_path / "demo.db"

    def fresh() -> str:
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(hostile_template, path)
        return sqlite_url(path)

    yield fresh


def _check(url: str, args: list[str]) -> None:
    before = dump(url)
    code, _out, err = run_cli(url, args)
    assert code in (0, 1, 2), (args, code, err)
    assert "Traceback" not in err, (args, err)
    if code != 0:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and CJK.search(err), (args, err)
        assert dump(url) == before, (args, err)
        return
    # Accepted: whatever was stored is clean text of a sane length (the field rules held).
    for table, rows in dump(url).items():
        for row in rows:
            for cell in row:
                if isinstance(cell, str):
                    assert not STORED_FORBIDDEN.search(cell), (args, table, cell[:80])
                    assert len(cell) <= 5000, (args, table, len(cell))


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_class_in_each_slot(scratch: Callable[[], str], name: str) -> None:
    """Deterministic: every slot of the command gets each class of bad input, the others their default."""
    template = COMMANDS[name]
    for i, slot in enumerate(template):
        if not isinstance(slot, Slot):
            continue
        for value in CORE:
            args = [value if j == i else (p.default if isinstance(p, Slot) else p) for j, p in enumerate(template)]
            _check(scratch(), args)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_generated_arguments(scratch: Callable[[], str], name: str) -> None:
    """Random combinations (a fixed seed on CI, so a failure there can be replayed)."""
    template = COMMANDS[name]

    @settings(max_examples=40, deadline=None, database=None, derandomize=bool(os.environ.get("CI")),
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(st.data())
    def check(data: st.DataObject) -> None:
        args = [data.draw(STRATEGIES[p.kind]) if isinstance(p, Slot) else p for p in template]
        _check(scratch(), args)

    check()
