"""`zhdesk brief` end to end in a subprocess: the issue's done-when and the refusals."""

from __future__ import annotations

from pathlib import Path

from tests.support import assert_error, assert_ok, zhdesk
from tests.zhdesk.brief.conftest import assert_fonts_embedded, pdf_text

FIVE = ("江西路153号", "澄海路22号", "善化路18号院", "善化路19号院", "汕头路7号")


def test_demo_then_brief_for_the_first_half_of_2021(tmp_path: Path) -> None:
    db = f"sqlite:///{(tmp_path / 'd.db').as_posix()}"
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert_ok(zhdesk("demo", db=db, cwd=tmp_path))
    r = zhdesk("brief", "-o", "b.pdf", "--from", "2021-01-01", "--to", "2021-06-30", db=db, cwd=tmp_path, env=env)
    assert_ok(r)
    assert "第1期" in r.out
    flat = pdf_text(tmp_path / "b.pdf").replace("\n", "")
    for fig in ("已处置数字化城管件1758件", "巡查26期54处", "共计64期", *FIVE):
        assert fig in flat, fig
    assert_fonts_embedded(tmp_path / "b.pdf")
    # the next brief suggests the following issue; an existing file is not replaced without --overwrite
    r2 = zhdesk("brief", "-o", "b.pdf", "--no-photos", db=db, cwd=tmp_path, env=env)
    assert_error(r2, 1)
    assert "--overwrite" in r2.err
    r3 = zhdesk("brief", "-o", "b.pdf", "--no-photos", "--overwrite", "--internal", db=db, cwd=tmp_path, env=env)
    assert_ok(r3)
    assert "第2期" in r3.out
    assert "内部资料" in pdf_text(tmp_path / "b.pdf")


def test_brief_refusals_are_one_line(tmp_path: Path) -> None:
    db = f"sqlite:///{(tmp_path / 'd.db').as_posix()}"
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert_ok(zhdesk("demo", db=db, cwd=tmp_path))
    assert_error(zhdesk("brief", "-o", "b.txt", db=db, cwd=tmp_path, env=env), 2)
    assert_error(zhdesk("brief", "-o", "b.pdf", "--sites", "x,y", db=db, cwd=tmp_path, env=env), 2)
    assert_error(zhdesk("brief", "-o", "b.pdf", "--from", "2021-07-01", "--to", "2021-01-01", db=db, cwd=tmp_path,
                        env=env), 2)  # fmt: skip
    assert_error(zhdesk("brief", "-o", "b.pdf", "--community", "没有", db=db, cwd=tmp_path, env=env), 1)
    assert not (tmp_path / "b.pdf").exists()
