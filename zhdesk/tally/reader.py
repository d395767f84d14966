"""Reading a tally file into plain grids of cell values, with the checks that come before parsing.

Spreadsheets (.xlsx/.xlsm, .xls, .ods) are read by python-calamine; .csv by the csv module (UTF-8, UTF-8
with BOM, or GBK). The container is checked first: a file that is not a spreadsheet, a password-protected
workbook, a zip whose content would unpack beyond a cap (zip bomb) or whose XML declares entities
(XML bomb) is refused before any parser sees it.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zhdesk.errors import UsageError

# Caps on what a zip may unpack to: far above a 100,000-row ledger (~30 MB of XML), far below a bomb.
MAX_UNPACKED = 400 * 1024 * 1024
MAX_RATIO = 200  # per member larger than 1 MB
MAX_CSV_BYTES = 200 * 1024 * 1024

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")


@dataclass
class SheetGrid:
    """One sheet: rows[i][j] is the cell at spreadsheet row i+1, column j+1 ('' when empty)."""

    name: str
    rows: list[list[Any]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    # (row index, column index) of formula cells that have no cached value
    uncached_formulas: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Workbook:
    file_name: str
    sheets: list[SheetGrid]
    date1904: bool = False


def unreadable(path: Path, reason: str) -> UsageError:
    return UsageError(f"无法读取文件 {path.name}：{reason}")


def read_workbook(path: Path) -> Workbook:
    """Every visible sheet of the file as grids; UsageError (one line, naming the file) when it cannot."""
    path = Path(path)
    try:
        return _read(path)
    except UsageError:
        raise
    except Exception as exc:  # a damaged file must never surface as a traceback; reading writes nothing
        raise unreadable(path, f"文件已损坏或格式无法识别（{type(exc).__name__}）") from None


def _read(path: Path) -> Workbook:
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
        size = path.stat().st_size
    except FileNotFoundError:
        raise UsageError(f"找不到文件：{path}") from None
    except IsADirectoryError:
        raise UsageError(f"这是文件夹，不是台账文件：{path}") from None
    except OSError as exc:
        raise unreadable(path, exc.strerror or type(exc).__name__) from None
    suffix = path.suffix.lower()
    if size == 0:
        raise unreadable(path, "文件是空的")
    if suffix == ".csv":
        return _read_csv(path, size)
    if head.startswith(_ZIP_MAGIC):
        date1904, formulas = _check_zip(path)
        wb = _read_calamine(path)
        wb.date1904 = date1904
        for sheet in wb.sheets:
            sheet.uncached_formulas = formulas.get(sheet.name, [])
        return wb
    if head.startswith(_CFB_MAGIC):
        _check_cfb(path)
        return _read_isolated(path)
    if suffix in SPREADSHEET_SUFFIXES:
        raise unreadable(path, "不是电子表格文件（内容与扩展名不符，或文件已损坏）")
    raise unreadable(path, f"不支持的文件类型“{path.suffix or '无扩展名'}”，请使用 .xlsx、.xls、.ods 或 .csv")


def _check_cfb(path: Path) -> None:
    """An OLE container is an .xls, or an encrypted (password-protected) .xlsx wrapped in one."""
    with path.open("rb") as fh:
        chunk = fh.read(1 << 20)
    if "EncryptedPackage".encode("utf-16-le") in chunk or "EncryptionInfo".encode("utf-16-le") in chunk:
        raise unreadable(path, "工作簿有密码保护，请在 Excel/WPS 中取消密码后另存再导入")


_ENTITY = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_SHEET_REL = re.compile(r"worksheets/(sheet\d+)\.xml$")
# A formula cell with no <v>: `<c r="B7" ...><f>SUM(B3:B6)</f></c>` (or a self-closing shared <f/>).
_UNCACHED = re.compile(
    rb'<c r="([A-Z]+)(\d+)"[^>]*>\s*<f(?:\s[^>]*)?(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v></v>)?\s*</c>'
)


def _check_zip(path: Path) -> tuple[bool, dict[str, list[tuple[int, int]]]]:
    """Sizes capped before anything is unpacked; no DTDs; the 1904 date flag; formulas with no value."""
    import defusedxml.ElementTree as safe_et

    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise unreadable(path, "文件已损坏或不完整（不是有效的 xlsx/ods 压缩包）") from None
    with zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        if total > MAX_UNPACKED:
            raise unreadable(path, f"解压后超过 {MAX_UNPACKED // 1024 // 1024} MB，疑似压缩炸弹，已拒绝")
        for i in infos:
            if i.file_size > (1 << 20) and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                raise unreadable(path, f"压缩比异常（{i.filename}），疑似压缩炸弹，已拒绝")
        names = {i.filename for i in infos}
        if "EncryptionInfo" in names or "EncryptedPackage" in names:
            raise unreadable(path, "工作簿有密码保护，请取消密码后另存再导入")
        try:
            for i in infos:
                if i.filename.endswith((".xml", ".rels")):
                    with zf.open(i) as fh:
                        if _ENTITY.search(fh.read(4096)):
                            raise unreadable(path, f"{i.filename} 含有 XML 实体声明，疑似 XML 炸弹，已拒绝")
            date1904 = False
            sheet_names: dict[str, str] = {}
            if "xl/workbook.xml" in names:
                root = safe_et.fromstring(zf.read("xl/workbook.xml"))
                for el in root.iter():
                    tag = el.tag.rsplit("}", 1)[-1]
                    if tag == "workbookPr":
                        date1904 = el.get("date1904", "0").lower() in ("1", "true")
                sheet_names = _sheet_files(zf, root, names)
            formulas: dict[str, list[tuple[int, int]]] = {}
            for sheet_name, member in sheet_names.items():
                data = zf.read(member)
                if b"<f" not in data:
                    continue
                found = [(int(r) - 1, _col_index(c.decode())) for c, r in _UNCACHED.findall(data)]
                if found:
                    formulas[sheet_name] = found
        except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError, zlib.error, NotImplementedError,
                RuntimeError) as exc:  # fmt: skip
            raise unreadable(path, f"文件已损坏或不完整（{type(exc).__name__}）") from None
        except safe_et.ParseError:
            raise unreadable(path, "文件已损坏（workbook.xml 无法解析）") from None
        except Exception as exc:  # defusedxml's own refusals (DTD, entities, external references)
            if type(exc).__module__.startswith("defusedxml"):
                raise unreadable(path, "含有不安全的 XML 声明，已拒绝") from None
            raise
    return date1904, formulas


def _sheet_files(zf: zipfile.ZipFile, root: Any, names: set[str]) -> dict[str, str]:
    """Sheet name → its XML member, through the workbook's relationships."""
    import defusedxml.ElementTree as safe_et

    rels: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for el in safe_et.fromstring(zf.read("xl/_rels/workbook.xml.rels")).iter():
            target = el.get("Target")
            if el.get("Id") and target:
                target = target.lstrip("/")
                rels[el.get("Id", "")] = target if target.startswith("xl/") else "xl/" + target
    out: dict[str, str] = {}
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
        member = rels.get(rid or "")
        if member and member in names:
            out[el.get("name", "")] = member
    return out


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _read_calamine(path: Path) -> Workbook:
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
        sheets: list[SheetGrid] = []
        for meta in wb.sheets_metadata:
            if meta.visible != pc.SheetVisibleEnum.Visible:
                continue  # the template's lists sheet; hidden sheets are not tallies
            if meta.typ != pc.SheetTypeEnum.WorkSheet:
                continue  # chart sheets
            sheet = wb.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
            try:
                merged = list(sheet.merged_cell_ranges or [])
            except Exception:  # not every format reports merges
                merged = []
            sheets.append(SheetGrid(meta.name, rows, merged))
        wb.close()
    except pc.PasswordError:
        raise unreadable(path, "工作簿有密码保护，请取消密码后另存再导入") from None
    except (pc.CalamineError, pc.ZipError, pc.XmlError, ValueError, OSError) as exc:
        detail = " ".join(str(exc).split())[:120]
        raise unreadable(path, f"文件已损坏或格式无法识别（{detail}）") from None
    except BaseException as exc:  # calamine's Rust panics arrive as PanicException (a BaseException)
        if type(exc).__name__ == "PanicException":
            raise unreadable(path, "文件已损坏或格式无法识别") from None
        raise
    return Workbook(path.name, sheets)


# The .xls (OLE) reader is the fragile one: on damaged files calamine panics (printing a Rust backtrace) or
# aborts the whole process on an absurd allocation. So .xls files are read in a child process; whatever
# happens there, this process gets grids or one line of Chinese.
_CHILD_TIMEOUT = 120
_CHILD_MEMORY = 2 * 1024 * 1024 * 1024


def _read_isolated(path: Path) -> Workbook:
    import os
    import pickle
    import subprocess
    import sys

    package_root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([package_root, os.environ.get("PYTHONPATH", "")])}
    code = "from zhdesk.tally.reader import _child_main; _child_main()"
    try:
        p = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, timeout=_CHILD_TIMEOUT,
                           env=env, check=False)  # fmt: skip
    except subprocess.TimeoutExpired:
        raise unreadable(path, f"读取超过 {_CHILD_TIMEOUT} 秒，文件可能已损坏") from None
    except OSError as exc:
        raise unreadable(path, f"无法启动读取进程（{exc.strerror or type(exc).__name__}）") from None
    if p.returncode != 0 or not p.stdout:
        raise unreadable(path, "文件已损坏或格式无法识别")
    status, payload = pickle.loads(p.stdout)  # our own child's output
    if status == "error":
        raise UsageError(str(payload))
    sheets = [SheetGrid(name, rows, merged) for name, rows, merged in payload]
    return Workbook(path.name, sheets)


def _child_main() -> None:
    """In the child: read one file with calamine, write (status, payload) pickled to stdout."""
    import pickle
    import sys

    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (_CHILD_MEMORY, _CHILD_MEMORY))
    except (ImportError, ValueError, OSError):  # not on this platform
        pass
    path = Path(sys.argv[1])
    try:
        wb = _read_calamine(path)
        out: tuple[str, object] = ("ok", [(s.name, s.rows, s.merged) for s in wb.sheets])
    except UsageError as exc:
        out = ("error", exc.message)
    except MemoryError:
        out = ("error", unreadable(path, "文件已损坏（读取时所需内存异常）").message)
    sys.stdout.buffer.write(pickle.dumps(out))
    sys.stdout.flush()


def _read_csv(path: Path, size: int) -> Workbook:
    if size > MAX_CSV_BYTES:
        raise unreadable(path, f"CSV 文件超过 {MAX_CSV_BYTES // 1024 // 1024} MB")
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise unreadable(path, "不是文本格式的 CSV 文件")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost anything
        raise unreadable(path, "无法识别文字编码（应为 UTF-8 或 GBK）")
    sample = text[:4096]
    delimiter = max(",\t;，", key=sample.count)
    rows: list[list[Any]] = [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]
    return Workbook(path.name, [SheetGrid(path.stem, rows)])
