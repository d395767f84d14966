"""导入点位清单: real .xlsx (openpyxl and LibreOffice), .csv; one transaction; duplicates skipped; a bad row
refuses the whole file naming file, sheet, row and column; hostile paths refused in one line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support import dump
from tests.zhdesk.tally import tally_files as tf
from zhdesk.desk import Desk
from zhdesk.domain.addresses import address_key
from zhdesk.errors import InputRefused, UsageError
from zhdesk.services import site_import as svc
from zhdesk.services.sites import add_site

ROWS = [
    ["珠海路街道点位清单"],  # a title above the header
    ["序号", "点位地址", "所属社区", "类型"],
    [1, "江西路153号院", "江西路社区", "楼院"],
    [2, "澄海路 5号", "澄海路社区", "军产"],
    [3, "江西路１５３号", "江西路社区", ""],  # the same as row 3
    [None, None, None, None],
    [4, "善化路背街小巷", "善化路社区", "背街小巷"],
]


def sites_file(path: Path, rows: list[list[object]] | None = None) -> Path:
    return tf.xlsx(path, rows if rows is not None else ROWS, title="清单")


def test_address_key_treats_hao_yuan_full_width_and_spaces_alike() -> None:
    assert address_key("江西路１５３号院") == address_key("江西路 153号") == "江西路153号"


def test_import_creates_communities_and_sites_in_one_go(desk: Desk, tmp_path: Path) -> None:
    f = sites_file(tmp_path / "点位清单.xlsx")
    before = dump(str(desk.engine.url))
    preview = desk.site_import_check(f)
    assert dump(str(desk.engine.url)) == before  # the preview writes nothing
    assert not preview.imported
    assert [(r.row, r.address, r.community, r.kind) for r in preview.added] == [
        (3, "江西路153号院", "江西路社区", "compound"),
        (4, "澄海路 5号", "澄海路社区", "military"),
        (7, "善化路背街小巷", "善化路社区", "street"),
    ]
    assert preview.new_communities == ("江西路社区", "澄海路社区", "善化路社区")
    [skip] = preview.skipped
    assert (skip.row, skip.existing) == (5, "本文件第 3 行")
    assert "检查，未写入" in preview.summary()

    done = desk.site_import(f)
    assert done.imported and done.added == preview.added
    names = {c.name: c.is_sample for c in desk.communities()}
    assert names == {"江西路社区": False, "澄海路社区": False, "善化路社区": False}
    rows = {r.address: r for r in desk.list_sites()}
    assert set(rows) == {"江西路153号院", "澄海路 5号", "善化路背街小巷"}

    again = desk.site_import(f)  # everything exists now: nothing added, each reported
    assert again.added == () and again.new_communities == ()
    where = [s.existing.split("（")[0] for s in again.skipped]
    assert where == ["江西路社区", "澄海路社区", "江西路社区", "善化路社区"]
    assert len(desk.list_sites()) == 3


def test_existing_sites_are_skipped_and_reported(desk: Desk, tmp_path: Path) -> None:
    desk.run(lambda uow: _community(uow, "江西路社区"))
    site = desk.run(add_site, "江西路153号", "江西路社区")
    report = desk.site_import(sites_file(tmp_path / "a.xlsx"))
    assert [(s.row, s.existing) for s in report.skipped] == [
        (3, f"江西路社区（编号 {site.row.id}）"),
        (5, f"江西路社区（编号 {site.row.id}）"),
    ]
    assert "江西路社区" not in report.new_communities  # matched the existing one


def _community(uow: object, name: str) -> None:
    from db.models import Community

    s = uow.session  # type: ignore[attr-defined]
    s.add(Community(name=name))
    uow.commit()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("row", "says"),
    [
        ([9, "江西路1号", "江西路社区", "飞船"], "第 5 行 D 列（类型）：未知的点位类型“飞船”"),
        ([9, "", "江西路社区", "楼院"], "第 5 行 B 列（地址）：地址为空"),
        ([9, "江西路1号", "", "楼院"], "第 5 行 C 列（社区）：社区为空"),
        ([9, "江西路1号\u202e", "江西路社区", "楼院"], "第 5 行 B 列（地址）"),
        ([9, "长" * 200, "江西路社区", "楼院"], "第 5 行 B 列（地址）"),
    ],
)
def test_a_bad_row_refuses_the_whole_file(desk: Desk, tmp_path: Path, row: list[object], says: str) -> None:
    rows = [*ROWS[:4], row, *ROWS[4:]]
    f = sites_file(tmp_path / "坏.xlsx", rows)
    before = dump(str(desk.engine.url))
    with pytest.raises(InputRefused) as e:
        desk.site_import(f)
    assert dump(str(desk.engine.url)) == before
    message = e.value.message
    assert message.startswith("坏.xlsx 工作表“清单”") and says in message
    assert "\n" not in message


def test_no_header_or_no_rows_is_refused(desk: Desk, tmp_path: Path) -> None:
    with pytest.raises(InputRefused, match="找不到表头行"):
        desk.site_import(sites_file(tmp_path / "x.xlsx", [["甲", "乙"], [1, 2]]))
    with pytest.raises(InputRefused, match="表头下没有任何点位"):
        desk.site_import(sites_file(tmp_path / "y.xlsx", [["地址", "社区", "类型"]]))
    with pytest.raises(InputRefused, match="没有“社区”列"):
        desk.site_import(sites_file(tmp_path / "z.xlsx", [["地址"], ["江西路1号"]]))
    # ... unless the community is given
    report = desk.site_import(sites_file(tmp_path / "z.xlsx", [["地址"], ["江西路1号"]]), community="江西路社区")
    assert [(r.address, r.community, r.kind) for r in report.added] == [("江西路1号", "江西路社区", "compound")]


def test_csv_in_gbk(desk: Desk, tmp_path: Path) -> None:
    f = tmp_path / "清单.csv"
    f.write_bytes("地址,社区,类型\n汕头路7号,汕头路社区,沿街商铺\n".encode("gbk"))
    report = desk.site_import(f)
    assert [(r.address, r.kind) for r in report.added] == [("汕头路7号", "shop")]


@tf.needs_soffice
@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls"])
def test_files_saved_by_libreoffice(desk: Desk, tmp_path: Path, fmt: str) -> None:
    converted = tf.soffice_convert(sites_file(tmp_path / "src.xlsx"), fmt, tmp_path / "lo")
    report = desk.site_import_check(converted)
    assert [r.address for r in report.added] == ["江西路153号院", "澄海路 5号", "善化路背街小巷"]


def test_hostile_paths_are_one_line_and_write_nothing(desk: Desk, tmp_path: Path) -> None:
    fifo = tmp_path / "管道.xlsx"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.xlsx"
    with huge.open("wb") as fh:  # sparse: big by its size, nothing read
        fh.truncate(svc.MAX_FILE_BYTES + 1)
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    not_sheet = tmp_path / "text.xlsx"
    not_sheet.write_text("hello")
    before = dump(desk.engine.url.render_as_string(hide_password=False))
    cases = [
        (fifo, "不是普通文件"), (huge, "文件过大"), (folder, "这是文件夹"),
        (tmp_path / "missing.xlsx", "找不到文件"), (not_sheet, "不是电子表格"),
    ]  # fmt: skip
    if desk.engine.dialect.name == "sqlite":  # SQLite only: the database is a file that could be picked
        db_file = Path(str(desk.engine.url.database))
        link = tmp_path / "db-link.xlsx"
        link.symlink_to(db_file)
        cases += [(db_file, "正在使用的数据库文件"), (link, "正在使用的数据库文件")]
    for path, says in cases:
        with pytest.raises(UsageError) as e:
            desk.site_import(path)
        assert says in e.value.message and "\n" not in e.value.message, (path, e.value.message)
    assert dump(desk.engine.url.render_as_string(hide_password=False)) == before


def test_template_imports_once_filled(desk: Desk, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = desk.write_site_template(tmp_path / "模板.xlsx")
    wb = load_workbook(out)
    ws = wb["点位清单"]
    assert [c.value for c in ws[1]] == ["地址", "社区", "类型"]
    ws.append(["江西路9号", "江西路社区", "部队管辖楼院"])
    wb.save(out)
    report = desk.site_import(out)
    assert [(r.address, r.kind) for r in report.added] == [("江西路9号", "military")]
    with pytest.raises(InputRefused, match="文件已存在"):
        desk.write_site_template(out)
    if desk.engine.dialect.name == "sqlite":  # SQLite only: the database is a file that could be overwritten
        link = tmp_path / "库.xlsx"
        link.symlink_to(Path(str(desk.engine.url.database)))
        with pytest.raises(InputRefused, match="正在使用的数据库"):
            desk.write_site_template(link, overwrite=True)


def test_is_demo_marks_demo_databases_old_and_new(demo_desk: Desk, tmp_path: Path) -> None:
    from sqlalchemy import delete

    from db.models import Community, Setting

    real = Desk.open(f"sqlite:///{(tmp_path / 'real.db').as_posix()}")
    assert demo_desk.is_demo() and not real.is_demo()
    real.close()
    with demo_desk.uow() as uow:  # a database an older first start filled: no mark, the demo audited
        uow.session.execute(delete(Setting).where(Setting.key == "demo_data"))
        uow.commit()
    assert demo_desk.is_demo()
    with demo_desk.uow() as uow:  # its （示例） communities gone: the office's own data now
        s = uow.session
        s.query(Community).update({Community.is_sample: False})
        uow.commit()
    assert not demo_desk.is_demo()
