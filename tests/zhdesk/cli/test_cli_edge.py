"""cli_edge.guarded: a fault of zhdesk's own reaches the user as one line, with the traceback in a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhdesk import cli_edge


def test_an_unexpected_fault_is_one_line_and_a_crash_report(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))  # platformdirs' user log folder on Linux
    monkeypatch.setenv("HOME", str(tmp_path))

    def broken() -> int:
        raise TypeError("a bug")

    assert cli_edge.guarded(broken, saved=lambda: False) == cli_edge.INTERNAL
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert err.startswith("zhdesk：内部错误（TypeError），本次操作未保存任何内容；详情见 ")
    report = Path(err.split("详情见 ")[1].split("，")[0])
    assert report.is_relative_to(tmp_path) and "Traceback" in report.read_text(encoding="utf-8")
    assert cli_edge.guarded(broken, saved=lambda: True) == cli_edge.INTERNAL
    assert "（操作在出错前已保存）" in capsys.readouterr().err
