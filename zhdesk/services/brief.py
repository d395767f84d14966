"""会议简报 use cases: the brief PDF in memory (the window previews it), written to a file, and the issue
number a new brief suggests (the last saved + 1)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from db.uow import UnitOfWork
from zhdesk.brief import data as brief_data
from zhdesk.brief import docx as brief_docx
from zhdesk.brief import pdf as brief_pdf
from zhdesk.brief.images import PhotoCache, default_cache_dir
from zhdesk.dto import BriefSpec
from zhdesk.errors import UsageError
from zhdesk.files import shown, write_export
from zhdesk.services import photos as photos_svc
from zhdesk.services import settings as settings_svc


@dataclass(frozen=True)
class BriefResult:
    path: Path
    pages: int  # the PDF's page count; 0 for a .docx (Word paginates it when it opens the file)
    bytes: int
    issue_no: int

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["path"] = str(self.path)
        return d


_cache: PhotoCache | None = None


def photo_cache(folder: Path | None = None) -> PhotoCache:
    """The process's cache of prepared photos (the user cache folder unless a folder is given)."""
    global _cache
    if folder is not None:
        return PhotoCache(folder)
    if _cache is None:
        _cache = PhotoCache(default_cache_dir())
    return _cache


def _build(uow: UnitOfWork, spec: BriefSpec, today: dt.date | None, cache_dir: Path | None,
           word: bool = False) -> tuple[bytes, int, int]:  # fmt: skip
    """(bytes, pages, issue_no); a Word copy has pages 0 (Word lays it out, its page count is not known)."""
    data = brief_data.gather(uow, spec, today)
    source = (lambda pid: photos_svc.original_bytes(uow, pid)) if spec.photos else None
    if word:
        return brief_docx.render(data, source, photo_cache(cache_dir)), 0, data.issue_no
    pdf, pages = brief_pdf.render(data, source, photo_cache(cache_dir))
    return pdf, pages, data.issue_no


def build_pdf(uow: UnitOfWork, spec: BriefSpec, today: dt.date | None = None, cache_dir: Path | None = None) -> bytes:
    """The whole brief as PDF bytes."""
    return _build(uow, spec, today, cache_dir)[0]


def write_brief(uow: UnitOfWork, spec: BriefSpec, path: Path, overwrite: bool = False, today: dt.date | None = None,
                cache_dir: Path | None = None) -> BriefResult:  # fmt: skip
    """Build the brief and write it to `path` through files.write_export: a .pdf, or a .docx (the editable Word
    copy, same content; its `pages` is 0 because Word paginates it when opened). Writes no database row
    (record_brief does, once the caller has the file)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".pdf", ".docx"):
        raise UsageError(f"简报文件应以 .pdf 或 .docx 结尾：{shown(path)}")
    content, pages, issue_no = _build(uow, spec, today, cache_dir, word=suffix == ".docx")

    def write(tmp: str) -> None:
        Path(tmp).write_bytes(content)

    write_export(path, write, overwrite=overwrite)
    return BriefResult(path, pages, len(content), issue_no)


def next_brief_issue(uow: UnitOfWork) -> int:
    return brief_data.next_issue(uow)


def record_brief(uow: UnitOfWork, issue_no: int) -> int:
    """Remember a saved brief's issue number, so the next one suggests issue_no + 1 (never goes back)."""
    last = settings_svc.last_brief_issue(uow)
    if issue_no <= last:
        return last
    return settings_svc.set_last_brief_issue(uow, issue_no)
