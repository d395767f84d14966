"""导入点位清单: sites from a spreadsheet (.xlsx/.xlsm/.xls/.ods/.csv) with a header row 地址 · 社区 · 类型.

Read through the tally reader (its container checks and calamine), after a check of the path itself (a
folder, FIFO, device, the open database or an oversized file is refused before anything is opened for
reading). One transaction: communities named in the file are created, addresses that exist already are
skipped and reported, and one bad row refuses the whole file, naming file, sheet, row and column.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from db.models import Community, Site
from db.uow import UnitOfWork
from zhdesk.domain import fields
from zhdesk.domain.addresses import address_key
from zhdesk.domain.vocab import SITE_KINDS
from zhdesk.errors import InputRefused, UsageError
from zhdesk.files import database_files, os_reason, shown, write_export
from zhdesk.services.audit import audit
from zhdesk.services.authz import requires, unguarded
from zhdesk.site_import_dto import SiteImportReport, SiteImportRow, SkippedSite
from zhdesk.tally.reader import SheetGrid, read_workbook
from zhdesk.tally.text import header_key

# A list of a subdistrict's sites is a few thousand rows at most: far below this.
MAX_FILE_BYTES = 20 * 1024 * 1024
HEADER_ROWS = 10  # the header row is looked for among the first rows (a title may come first)

ADDRESS, COMMUNITY, KIND = "address", "community", "kind"
COLUMN_LABELS = {ADDRESS: "地址", COMMUNITY: "社区", KIND: "类型"}
HEADERS: dict[str, tuple[str, ...]] = {
    ADDRESS: ("地址", "点位", "点位地址", "点位名称", "详细地址", "位置", "楼院", "名称"),
    COMMUNITY: ("社区", "所属社区", "社区名称", "社区居委会", "居委会"),
    KIND: ("类型", "点位类型", "类别", "点位类别"),
}
_HEADER_KEYS = {header_key(text): col for col, texts in HEADERS.items() for text in texts}

# Words offices write for a kind, besides the labels and codes of SITE_KINDS.
KIND_SYNONYMS = {
    "小区": "compound", "院落": "compound", "楼院小区": "compound",
    "街巷": "street", "小巷": "street", "背街": "street",
    "商铺": "shop", "门店": "shop", "沿街": "shop",
    "商业": "commercial", "商业街": "commercial",
    "军产": "military", "部队": "military", "军产楼院": "military", "部队楼院": "military",
}  # fmt: skip
_KINDS = {
    **{header_key(k): v for k, v in KIND_SYNONYMS.items()},
    **{header_key(label): code for code, label in SITE_KINDS.items()},
    **{code: code for code in SITE_KINDS},
}
DEFAULT_KIND = "compound"



def _col_letter(j: int) -> str:
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def check_source(path: Path, protected: Sequence[Path] = ()) -> None:
    """Refuse, in one line, a path that is not a regular readable file of sensible size, or is a file of
    the open database; opened without blocking, so a FIFO cannot hang the import."""
    where = shown(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise UsageError(f"找不到文件：{where}") from None
    except IsADirectoryError:
        raise UsageError(f"这是文件夹，不是点位清单文件：{where}") from None
    except OSError as exc:
        raise UsageError(f"无法读取文件：{where}（{os_reason(exc, '无法读取')}）") from None
    try:
        st = os.fstat(fd)
    finally:
        os.close(fd)
    if stat.S_ISDIR(st.st_mode):
        raise UsageError(f"这是文件夹，不是点位清单文件：{where}")
    if not stat.S_ISREG(st.st_mode):
        raise UsageError(f"不是普通文件（设备、管道或套接字），未读取：{where}")
    for p in protected:
        try:
            other = os.stat(p)
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
            raise UsageError(f"这是正在使用的数据库文件，不是点位清单：{where}")
    if st.st_size > MAX_FILE_BYTES:
        mb = MAX_FILE_BYTES // 1024 // 1024
        raise UsageError(f"文件过大（{st.st_size // 1024 // 1024} MB），点位清单不应超过 {mb} MB：{where}")


def _find_header(sheet: SheetGrid) -> tuple[int, dict[str, int]] | None:
    """(row index, column of each known header) of the first row naming an address column."""
    for i, row in enumerate(sheet.rows[:HEADER_ROWS]):
        cols: dict[str, int] = {}
        for j, cell in enumerate(row):
            col = _HEADER_KEYS.get(header_key(_text(cell))) if _text(cell) else None
            if col is not None and col not in cols:
                cols[col] = j
        if ADDRESS in cols:
            return i, cols
    return None


def _kind_code(text: str) -> str | None:
    if not text:
        return DEFAULT_KIND
    return _KINDS.get(header_key(text)) or _KINDS.get(text.strip().lower())


@requires("sites.edit")
def import_sites(uow: UnitOfWork, path: Path, *, community: str | None = None, check: bool = False) -> SiteImportReport:
    """Add the sites listed in `path` (one transaction), or with `check` only say what would be added.

    `community`: used for rows whose 社区 is empty (or when the file has no 社区 column).
    InputRefused (nothing written) on a bad row; UsageError when the file cannot be read.
    """
    s = uow.session
    path = Path(path)
    check_source(path, database_files(uow.engine.url))
    wb = read_workbook(path)
    found = next(((sh, h) for sh in wb.sheets if (h := _find_header(sh)) is not None), None)
    if found is None:
        raise InputRefused(f"{wb.file_name}：找不到表头行（应有“地址”或“点位”列，以及“社区”“类型”列），未导入")
    sheet, (head, cols) = found
    default_community = fields.clean(community, fields.COMMUNITY, where="--community ") if community else None
    if COMMUNITY not in cols and default_community is None:
        raise InputRefused(f"{wb.file_name} 工作表“{sheet.name}”：没有“社区”列，请在表中加上社区，未导入")

    existing_communities = {c.name: c for c in s.scalars(select(Community))}
    by_key = {header_key(name): c for name, c in existing_communities.items() if not c.is_sample}
    # The registry's rule (services/sites._refuse_duplicate): the same place twice in one community.
    known_sites: dict[tuple[str, str], str] = {}
    for sid, known, where_known in s.execute(select(Site.id, Site.address, Community.name).join(Community)):
        known_sites.setdefault((where_known, address_key(known)), f"{where_known}（编号 {sid}）")

    added: list[SiteImportRow] = []
    skipped: list[SkippedSite] = []
    new_communities: list[str] = []
    in_file: dict[tuple[str, str], int] = {}
    for i in range(head + 1, len(sheet.rows)):
        row = sheet.rows[i]
        n = i + 1

        def cell(col: str, row: list[Any] = row) -> str:
            j = cols.get(col)
            return _text(row[j]) if j is not None and j < len(row) else ""

        def where(col: str, n: int = n) -> str:
            j = cols.get(col)
            letter = f" {_col_letter(j)} 列" if j is not None else ""
            return f"{wb.file_name} 工作表“{sheet.name}”第 {n} 行{letter}（{COLUMN_LABELS[col]}）："

        raw_address, raw_community, raw_kind = cell(ADDRESS), cell(COMMUNITY), cell(KIND)
        if not (raw_address or raw_community or raw_kind):
            continue  # an empty row
        if not raw_address:
            raise InputRefused(f"{where(ADDRESS)}地址为空，未导入任何点位")
        address = fields.required(raw_address, fields.ADDRESS, where=where(ADDRESS))
        cname = fields.clean(raw_community, fields.COMMUNITY, where=where(COMMUNITY)) or default_community
        if not cname:
            raise InputRefused(f"{where(COMMUNITY)}社区为空，未导入任何点位")
        kind = _kind_code(raw_kind)
        if kind is None:
            kinds = "、".join(SITE_KINDS.values())
            bad = fields.clean(raw_kind, fields.TITLE, label="类型", where=where(KIND))
            raise InputRefused(f"{where(KIND)}未知的点位类型“{bad}”，可用：{kinds}；未导入任何点位")
        c = existing_communities.get(cname) or by_key.get(header_key(cname))
        if c is not None:
            cname = c.name
        elif cname not in new_communities:
            new_communities.append(cname)
        key = (cname, address_key(address))
        if key in known_sites:
            skipped.append(SkippedSite(n, address, cname, known_sites[key]))
            continue
        if key in in_file:
            skipped.append(SkippedSite(n, address, cname, f"本文件第 {in_file[key]} 行"))
            continue
        in_file[key] = n
        added.append(SiteImportRow(sheet.name, n, address, cname, kind, SITE_KINDS[kind]))
    # A community only skipped rows named is not created.
    used = {r.community for r in added}
    new_communities = [c for c in new_communities if c in used]
    if not added and not skipped:
        raise InputRefused(f"{wb.file_name} 工作表“{sheet.name}”：表头下没有任何点位，未导入")
    report = SiteImportReport(wb.file_name, sheet.name, tuple(added), tuple(new_communities), tuple(skipped),
                              imported=not check)  # fmt: skip
    if check:
        return report
    top = s.scalar(select(func.max(Community.sort_order))) or 0
    ids = {name: c.id for name, c in existing_communities.items()}
    for k, name in enumerate(new_communities, start=1):
        nc = Community(name=name, is_sample=False, sort_order=top + k)
        s.add(nc)
        s.flush()
        ids[name] = nc.id
    for r in added:
        s.add(Site(address=r.address, community_id=ids[r.community], kind=r.kind, military=r.kind == "military"))
    s.flush()
    audit(uow, "site.import", "site", None, file=wb.file_name, sheet=sheet.name, added=len(added),
          communities=new_communities, skipped=len(skipped))  # fmt: skip
    uow.commit()
    return report


def check_sites_file(uow: UnitOfWork, path: Path, *, community: str | None = None) -> SiteImportReport:
    """The import's preview: every check of `import_sites`, nothing written."""
    return unguarded(import_sites)(uow, path, community=community, check=True)


TEMPLATE_SHEET = "点位清单"
TEMPLATE_HEADERS = ("地址", "社区", "类型")


def write_sites_template(uow: UnitOfWork, out: Path, overwrite: bool = False) -> Path:
    """An empty 点位清单 workbook (headers, a 类型 drop-down, a sheet of instructions), written through the
    export guard: never over the open database, an existing file only with `overwrite`."""
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"模板文件名应以 .xlsx 结尾：{shown(out)}")
    communities = [c for c in uow.session.scalars(select(Community.name).where(Community.is_sample.is_(False)))]

    def write(tmp: str) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Font
        from openpyxl.worksheet.datavalidation import DataValidation

        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = TEMPLATE_SHEET
        for j, title in enumerate(TEMPLATE_HEADERS, start=1):
            ws.cell(1, j, title).font = Font(bold=True)
        ws.column_dimensions["A"].width = 36
        ws.column_dimensions["B"].width = 18
        ws.column_dimensions["C"].width = 16
        kinds = DataValidation(type="list", formula1='"' + ",".join(SITE_KINDS.values()) + '"', allow_blank=True)
        kinds.add("C2:C2000")
        ws.add_data_validation(kinds)
        ws.freeze_panes = "A2"
        notes = wb.create_sheet("填写说明")
        lines = (
            "点位清单填写说明",
            "1. 每个点位一行：地址（必填）、社区（必填）、类型（可不填，默认楼院）。",
            "2. 类型可填：" + "、".join(SITE_KINDS.values()) + "（也可写 军产、小区、商铺 等）。",
            "3. 表中写到的社区如果软件里还没有，导入时会新建（导入前的预览会列出）。",
            "4. 已存在的地址（18号院与18号、全角数字视为相同）会跳过并列出，不会重复添加。",
            "5. 现有社区：" + ("、".join(communities) if communities else "（尚无）"),
            "6. 填好后在软件欢迎页点“导入点位清单…”，或运行 zhdesk site import 文件名.xlsx。",
        )
        for i, text in enumerate(lines, start=1):
            notes.cell(i, 1, text)
        notes.column_dimensions["A"].width = 100
        wb.save(tmp)

    return write_export(out, write, overwrite=overwrite, protected=database_files(uow.engine.url))
