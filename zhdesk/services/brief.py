"""会议简报 use cases: the brief PDF in memory (the window previews it), written to a file, and the issue
number a new brief suggests (the last saved + 1)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from db.models import BriefRecord
from db.uow import UnitOfWork
from zhdesk.brief import data as brief_data
from zhdesk.dto import BRIEF_SECTIONS, BriefRecordDTO, BriefResult, BriefSpec
from zhdesk.errors import UsageError
from zhdesk.files import shown, write_export
from zhdesk.services import photos as photos_svc
from zhdesk.services import settings as settings_svc
from zhdesk.services.audit import audit
from zhdesk.services.authz import requires

if TYPE_CHECKING:  # reportlab, python-docx and Pillow load with the first brief, not at start (issue 13)
    from zhdesk.brief.images import PhotoCache

_cache: PhotoCache | None = None


def photo_cache(folder: Path | None = None) -> PhotoCache:
    """The process's cache of prepared photos (the user cache folder unless a folder is given)."""
    from zhdesk.brief.images import PhotoCache, default_cache_dir

    global _cache
    if folder is not None:
        return PhotoCache(folder)
    if _cache is None:
        _cache = PhotoCache(default_cache_dir())
    return _cache


def _build(uow: UnitOfWork, spec: BriefSpec, today: dt.date | None, cache_dir: Path | None,
           word: bool = False) -> tuple[bytes, int, int]:  # fmt: skip
    """(bytes, pages, issue_no); a Word copy has pages 0 (Word lays it out, its page count is not known)."""
    from zhdesk.brief import docx as brief_docx
    from zhdesk.brief import pdf as brief_pdf

    data = brief_data.gather(uow, spec, today)
    source = (lambda pid: photos_svc.original_bytes(uow, pid)) if spec.photos else None
    if word:
        return brief_docx.render(data, source, photo_cache(cache_dir)), 0, data.issue_no
    pdf, pages = brief_pdf.render(data, source, photo_cache(cache_dir))
    return pdf, pages, data.issue_no


def section_count(uow: UnitOfWork, spec: BriefSpec, today: dt.date | None = None) -> int:
    """How many site sections the brief of `spec` holds (a page or more each), read cheaply."""
    return brief_data.section_count(uow, spec, today)


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


RECENT_LIMIT = 20


def spec_to_json(spec: BriefSpec) -> str:
    d = asdict(spec)
    for key in ("date_from", "date_to", "issued_on"):
        d[key] = d[key].isoformat() if d[key] else None
    return json.dumps(d, ensure_ascii=False, sort_keys=True)


def _date(v: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(v) if isinstance(v, str) else None
    except ValueError:
        return None


def _strs(v: object, default: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(x for x in v if isinstance(x, str)) if isinstance(v, list) else default


def spec_from_json(text: str) -> BriefSpec:
    """The spec a record holds; a field that does not read (an older or damaged record) takes its default."""
    try:
        d = json.loads(text)
    except ValueError:
        d = {}
    if not isinstance(d, dict):
        d = {}
    base = BriefSpec()

    def pick(key: str, kind: type, default: Any) -> Any:
        v = d.get(key)
        return v if type(v) is kind else default  # not isinstance: True is not an issue number

    sections = tuple(x for x in _strs(d.get("sections"), base.sections) if x in BRIEF_SECTIONS)
    sites = pick("sites", str, base.sites)
    ids = d.get("site_ids")
    return BriefSpec(
        date_from=_date(d.get("date_from")),
        date_to=_date(d.get("date_to")),
        communities=_strs(d.get("communities")),
        sections=sections,
        sites=sites if sites in ("listed", "all", "chosen") else base.sites,
        site_ids=tuple(x for x in ids if type(x) is int) if isinstance(ids, list) else (),
        photos=pick("photos", bool, base.photos),
        issue_no=pick("issue_no", int, None),
        issuer=pick("issuer", str, None),
        issued_on=_date(d.get("issued_on")),
        internal=pick("internal", bool, base.internal),
        title=pick("title", str, None),
    )


@requires("briefs.write")
def record_brief(uow: UnitOfWork, issue_no: int, spec: BriefSpec | None = None, path: Path | str = "",
                 pages: int = 0, size_bytes: int = 0) -> int:  # fmt: skip
    """Remember a saved brief: its spec (for 近期简报) and its issue number, so the next one suggests
    issue_no + 1 (never goes back). Returns the last issue number."""
    if spec is not None:
        stored = dataclasses.replace(spec, issue_no=issue_no)
        record = BriefRecord(issue_no=issue_no, spec=spec_to_json(stored), path=str(path), pages=pages,
                             size_bytes=size_bytes, made_by=uow.user_login)  # fmt: skip
        uow.session.add(record)
        uow.session.flush()
        audit(uow, "brief.save", "brief_record", record.id, issue_no=issue_no, path=str(path))
        # bounded: the list shows the newest; older records go (the files themselves stay where saved)
        oldest_kept = uow.session.scalar(
            select(BriefRecord.id).order_by(BriefRecord.id.desc()).offset(RECENT_LIMIT * 5 - 1).limit(1)
        )
        if oldest_kept is not None:
            uow.session.execute(delete(BriefRecord).where(BriefRecord.id < oldest_kept))
    last = settings_svc.last_brief_issue(uow)
    if issue_no > last:
        return settings_svc.set_last_brief_issue(uow, issue_no)  # commits the record with it
    uow.commit()
    return last


@requires("briefs.write")
def save_brief(uow: UnitOfWork, spec: BriefSpec, path: Path, overwrite: bool = False, today: dt.date | None = None,
               cache_dir: Path | None = None) -> BriefResult:  # fmt: skip
    """Write the brief, then record it (近期简报, the next issue number): the window's and the CLI's save."""
    r = write_brief(uow, spec, path, overwrite=overwrite, today=today, cache_dir=cache_dir)
    record_brief(uow, r.issue_no, spec, r.path, r.pages, r.bytes)
    return r


def recent_briefs(uow: UnitOfWork, limit: int = RECENT_LIMIT) -> list[BriefRecordDTO]:
    rows = uow.session.scalars(select(BriefRecord).order_by(BriefRecord.id.desc()).limit(limit))
    return [BriefRecordDTO(r.id, r.issue_no, spec_from_json(r.spec), r.path, r.pages, r.size_bytes, r.made_at,
                           r.made_by) for r in rows]  # fmt: skip
