"""Reading back a PDF we wrote, with pypdf: its pages' text and whether every font is embedded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pypdf import PdfReader


def page_texts(path: Path) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(path).pages]


def fonts(path: Path) -> dict[str, bool]:
    """Every font the pages use → whether its program is embedded in the file."""
    out: dict[str, bool] = {}
    for page in PdfReader(path).pages:
        res: Any = page.get("/Resources")
        for ref in (res.get_object().get("/Font") or {}).values() if res else ():
            font = ref.get_object()
            desc = font.get("/FontDescriptor")
            for sub in font.get("/DescendantFonts") or ():
                desc = desc or sub.get_object().get("/FontDescriptor")
            d = desc.get_object() if desc else {}
            out[str(font.get("/BaseFont"))] = any(k in d for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return out


def metadata(path: Path) -> dict[str, str]:
    meta = PdfReader(path).metadata or {}
    return {str(k): str(v) for k, v in meta.items()}
