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
import shutil
from collections.abc import Callable, Iterator
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


def text() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(NASTY), st.text(max_size=40))


def ident() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(["1", "2", "3", "5", "48", *NASTY]), st.integers(-(2**70), 2**70).map(str))


def date() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(DATES), st.dates().map(lambda d: d.isoformat()))


STEPS = ["start", "submit", "accept", "reject", "rebound", "closed", "整改中", "待验收"]
KINDS = ["note", "inspection", "accepted", "listed", "备注", "rebound"]

# Each entry builds one command line from drawn values.
COMMANDS: dict[str, Callable[[st.DrawFn], list[str]]] = {
    "sites": lambda d: ["sites", d(st.sampled_from(["--search", "--community", "--status", "--light"])), d(text())],
    "site show": lambda d: ["site", "show", d(ident())],
    "site add": lambda d: ["site", "add", "--address", d(text()), "--community",
                           d(st.one_of(st.just("江西路社区"), text())), "--note", d(text())],
    "site list": lambda d: ["site", "list", d(ident()), "--deadline", d(date()), "--listed-on", d(date()),
                            "--problem", d(text()), "--lead", d(text()), "--lead-phone", d(text()),
                            "--unit", d(text()), "--issue-no", d(ident())],
    "site move": lambda d: ["site", "move", d(ident()), d(st.one_of(st.sampled_from(STEPS), text())),
                            "--date", d(date()), "--note", d(text())],
    "event add": lambda d: ["event", "add", d(ident()), "--kind", d(st.one_of(st.sampled_from(KINDS), text())),
                            "--date", d(date()), "--text", d(text()), "--actor", d(text())],
    "timeline": lambda d: ["timeline", d(ident())],
    "photos": lambda d: ["photos", d(ident())],
    "bulletins": lambda d: ["bulletins", "--kind", d(st.one_of(st.just("patrol"), text())), "--items"],
    "stats": lambda d: ["stats", "--from", d(date()), "--to", d(date()), "--community",
                        d(st.one_of(st.just("江西路社区"), text())), "--json"],
    "figure set": lambda d: ["figure", "set", d(st.one_of(st.just("city_cases"), text())), "--from", d(date()),
                             "--to", d(date()), "--value", d(st.one_of(st.sampled_from(VALUES), text()))],
}  # fmt: skip


def run_cli(url: str, args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(["--db", url, *args])
        except SystemExit as exc:  # argparse: usage errors (2), --help (0)
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def scratch(hostile_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("generated") / "demo.db"
    shutil.copyfile(hostile_template, path)
    yield sqlite_url(path)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_generated_arguments(scratch: str, name: str) -> None:
    build = COMMANDS[name]

    @settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def check(data: st.DataObject) -> None:
        args = data.draw(st.composite(lambda d: build(d))())
        before = dump(scratch)
        code, _out, err = run_cli(scratch, args)
        assert code in (0, 1, 2), (args, code, err)
        assert "Traceback" not in err, (args, err)
        if code != 0:
            lines = err.strip().splitlines()
            assert len(lines) == 1 and CJK.search(err), (args, err)
            assert dump(scratch) == before, (args, err)

    check()
