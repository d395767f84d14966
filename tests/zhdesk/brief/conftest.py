"""Brief tests read real PDFs with poppler's tools; without them they skip, saying why."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed: run `sh tools/sysdeps.sh pdf` to check brief PDFs")
    return path


def pdf_text(pdf: Path, page: int | None = None) -> str:
    cmd = [_need("pdftotext")]
    if page is not None:
        cmd += ["-f", str(page), "-l", str(page)]
    return subprocess.run([*cmd, str(pdf), "-"], capture_output=True, check=True, text=True).stdout


def pdf_pages(pdf: Path) -> int:
    out = subprocess.run([_need("pdfinfo"), str(pdf)], capture_output=True, check=True, text=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def pdf_info(pdf: Path) -> dict[str, str]:
    out = subprocess.run([_need("pdfinfo"), str(pdf)], capture_output=True, check=True, text=True).stdout
    return {k.strip(): v.strip() for k, _s, v in (line.partition(":") for line in out.splitlines())}


def pdf_fonts(pdf: Path) -> list[list[str]]:
    """pdffonts rows: name, type, …, emb, sub, uni, …"""
    out = subprocess.run([_need("pdffonts"), str(pdf)], capture_output=True, check=True, text=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def pdf_images(pdf: Path) -> list[tuple[int, int]]:
    """(width, height) of every image embedded."""
    out = subprocess.run([_need("pdfimages"), "-list", str(pdf)], capture_output=True, check=True, text=True).stdout
    return [(int(r.split()[3]), int(r.split()[4])) for r in out.splitlines()[2:] if r.strip()]


def assert_fonts_embedded(pdf: Path) -> None:
    rows = pdf_fonts(pdf)
    assert rows
    for r in rows:
        assert r[-5] == "yes" and r[-4] == "yes", r  # emb, sub
