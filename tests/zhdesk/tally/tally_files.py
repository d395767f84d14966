"""Real tally files for the tests, made the way communities make them (openpyxl, LibreOffice, csv)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed: run `sh tools/sysdeps.sh office` (Debian) to test the "
    "template and .xls/.ods files made by LibreOffice",
)


def xlsx(path: Path, rows: Sequence[Sequence[Any]], merges: Sequence[str] = (), title: str = "Sheet1") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(list(r))
    for m in merges:
        ws.merge_cells(m)
    wb.save(path)
    return path


def summary_table(path: Path, total_ok: bool = True) -> Path:
    """The summary shape: merged title with the period, two-level headers, one row per community, 合计."""
    return xlsx(
        path,
        [
            ["珠海路街道市容整治工作统计表（2021年1月1日—6月30日）"],
            ["社区", "组织发动人次", "拆除违法建设", None, "清理垃圾（吨）", "主流媒体刊(播)发新闻"],
            [None, None, "处数", "面积(㎡)", None, None],
            ["江西路社区", 120, 2, "12平方米", "约30吨", "20余"],
            [],
            ["澄海路社区", 130, 3, 17, "约100", 80],
            ["合计", 250, 5, 29, 130, 100 if total_ok else 101],
        ],
        merges=["A1:F1", "A2:A3", "B2:B3", "C2:D2", "E2:E3", "F2:F3"],
        title="汇总",
    )


def detail_ledger(path: Path, rows: Sequence[Sequence[Any]] | None = None) -> Path:
    head = ["日期", "社区", "点位/地址", "问题类别", "处置措施", "统计指标", "数量", "单位", "备注"]
    body = rows if rows is not None else [
        [dt.date(2021, 3, 5), "江西路社区", "江西路153号", "私搭乱建", "拆除", "拆除违法建设", 1, "处", ""],
        ["2021年3月6日", "江西路社区", "江西路153号", "私搭乱建", "拆除", "拆除违法建设面积", "6㎡", "", ""],
        [],
        ["3月7日", "江西路", "", "", "清运", "清理垃圾", "近3", "吨", ""],
        ["2021.3.8", "澄海路社区", "", "", "", "组织发动人次", "１２", "", "志愿者"],
    ]  # fmt: skip
    return xlsx(path, [["江西路社区工作台账"], head, *body], title="明细台账")


def corrupt_copy(src: Path, dst: Path) -> Path:
    data = src.read_bytes()
    dst.write_bytes(data[: len(data) // 2])  # truncated mid-way, as an interrupted download is
    return dst


def xml_bomb(src: Path, dst: Path) -> Path:
    """A real workbook whose sheet XML declares nested entities (billion laughs)."""
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
            for i in range(1, 10)
        )
        + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
        b'<c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = bomb if item.filename == "xl/worksheets/sheet1.xml" else zin.read(item)
            zout.writestr(item, data)
    return dst


def zip_bomb(src: Path, dst: Path, size: int = 64 * 1024 * 1024) -> Path:
    """A real workbook plus a member that unpacks to `size` bytes of nothing."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item))
        with zout.open("xl/media/padding.bin", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(size // len(chunk)):
                fh.write(chunk)
    return dst


def encrypted(src: Path, dst: Path, password: str = "secret") -> Path:
    office = pytest.importorskip("msoffcrypto.format.ooxml", reason="msoffcrypto-tool makes the encrypted workbook")
    with src.open("rb") as fin, dst.open("wb") as fout:
        office.OOXMLFile(fin).encrypt(password, fout)
    return dst


def soffice_convert(src: Path, fmt: str, out_dir: Path) -> Path:
    """Convert with LibreOffice (headless, a profile of its own so parallel runs never clash)."""
    assert SOFFICE is not None
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir / "lo-profile"
    env = {**os.environ, "HOME": str(out_dir)}
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", fmt,
         "--outdir", str(out_dir), str(src)],
        check=True, capture_output=True, timeout=180, env=env,
    )  # fmt: skip
    out = out_dir / (src.stem + "." + fmt.split(":")[0])
    assert out.exists(), f"LibreOffice did not write {out}"
    return out
