"""`zhdesk site import|template` and `zhdesk demo`'s mark, run as the user runs them."""

from __future__ import annotations

from pathlib import Path

from tests.support import assert_error, assert_ok, dump, zhdesk
from tests.zhdesk.tally import tally_files as tf


def test_site_import_check_then_import(tmp_path: Path) -> None:
    url = f"sqlite:///{(tmp_path / 'z.db').as_posix()}"
    assert_ok(zhdesk("init", db=url, cwd=tmp_path))
    f = tf.xlsx(tmp_path / "清单.xlsx", [["地址", "社区", "类型"], ["江西路1号", "江西路社区", "楼院"],
                                         ["江西路1号院", "江西路社区", "楼院"]])  # fmt: skip
    before = dump(url)
    r = zhdesk("site", "import", str(f), "--check", db=url, cwd=tmp_path)
    assert_ok(r)
    assert "将新增 1 处点位" in r.out and "将新建 1 个社区（江西路社区）" in r.out and "未写入" in r.out
    assert "跳过 第 3 行 江西路1号院：已存在于本文件第 2 行" in r.out
    assert dump(url) == before
    r = zhdesk("site", "import", str(f), "--json", db=url, cwd=tmp_path)
    assert_ok(r)
    assert r.json()["imported"] is True and [s["address"] for s in r.json()["added"]] == ["江西路1号"]
    r = zhdesk("sites", "--json", db=url, cwd=tmp_path)
    assert [s["address"] for s in r.json()] == ["江西路1号"]


def test_site_import_refusals_are_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{(tmp_path / 'z.db').as_posix()}"
    assert_ok(zhdesk("init", db=url, cwd=tmp_path))
    bad = tf.xlsx(tmp_path / "坏.xlsx", [["地址", "社区", "类型"], ["江西路1号", "江西路社区", "楼院"],
                                        ["江西路2号", "江西路社区", "飞船"]], title="表1")  # fmt: skip
    before = dump(url)
    r = zhdesk("site", "import", str(bad), db=url, cwd=tmp_path)
    assert_error(r, 1)
    assert "坏.xlsx 工作表“表1”第 3 行 C 列（类型）" in r.err
    assert_error(zhdesk("site", "import", str(tmp_path), db=url, cwd=tmp_path), 2)
    assert_error(zhdesk("site", "import", str(tmp_path / "z.db"), db=url, cwd=tmp_path), 2)
    assert dump(url) == before


def test_site_template(tmp_path: Path) -> None:
    url = f"sqlite:///{(tmp_path / 'z.db').as_posix()}"
    r = zhdesk("site", "template", str(tmp_path / "模板.xlsx"), db=url, cwd=tmp_path)
    assert_ok(r)
    assert (tmp_path / "模板.xlsx").is_file()
    r = zhdesk("site", "template", str(tmp_path / "模板.xlsx"), db=url, cwd=tmp_path)
    assert_error(r, 1)
    assert "--overwrite" in r.err


def test_demo_command_marks_its_database(tmp_path: Path) -> None:
    url = f"sqlite:///{(tmp_path / 'd.db').as_posix()}"
    assert_ok(zhdesk("demo", db=url, cwd=tmp_path))
    rows = dump(url)["setting"]
    assert ("demo_data", "1") in [tuple(r[:2]) for r in rows]
