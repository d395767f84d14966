"""Photo evidence: add (files or folders), list, thumbnails, originals, export.

Originals are content-addressed (sha256) in `photo_blob`; the same file added twice is stored once.
Blobs are written with Core inserts, one file at a time, so nothing full-size accumulates in the
session while a batch of hundreds of phone photos goes in. The next few files are read, hashed and
thumbnailed on worker threads meanwhile; only the caller's thread touches the session.
"""

from __future__ import annotations

import datetime as dt
import errno
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from db.models import Photo, PhotoBlob, Thumbnail, TimelineEvent
from db.uow import UnitOfWork
from zhdesk import imaging
from zhdesk.domain.vocab import PHASES
from zhdesk.dto import AddPhotosResult, FileResult, PhotoDTO
from zhdesk.errors import InputRefused, NotFound, UsageError
from zhdesk.files import database_files, is_clean_name, shown, write_export
from zhdesk.services.audit import audit
from zhdesk.services.authz import require_community, requires
from zhdesk.services.common import site_or_refuse
from zhdesk.services.conflicts import check_values
from zhdesk.services.settings import photo_max_mb

# Files a folder may hold that are not photos and not worth a refusal line.
_JUNK = {"thumbs.db", "desktop.ini", ".ds_store"}
# Threads reading and checking files ahead of the one being stored, and how many files may wait checked.
# Phone JPEGs decode at 1/8 size, so two at once cost little; a big whole-image decode (PNG, WebP, HEIC)
# still runs alone (imaging.BIG_DECODE_PIXELS).
_WORKERS = 2
_AHEAD = 4


def parse_phase(text: str) -> str:
    t = text.strip()
    if t in PHASES:
        return t
    for code, label in PHASES.items():
        if t == label:
            return code
    raise UsageError(f"未知的照片阶段“{text}”，可用：before(整改前)、during(整改中)、after(整改后)")


def _wanted(p: Path) -> bool:
    if p.name.startswith(".") or p.name.lower() in _JUNK:
        return False
    try:
        return p.is_file()
    except OSError:  # cannot even stat it: kept, so reading it refuses it with the reason
        return True


def _is_dir(p: Path) -> bool:
    try:
        return p.is_dir()
    except OSError:  # e.g. a folder we may not enter: reading the path refuses it with the reason
        return False


def _folder_reason(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "无法读取文件夹：没有读取权限"
    return f"无法读取文件夹（错误代码 {exc.errno}）"


def gather(paths: Iterable[Path]) -> tuple[list[Path], list[FileResult]]:
    """`expand`, plus a refusal for each folder that cannot be listed (the rest of the batch goes on)."""
    out: list[Path] = []
    refused: list[FileResult] = []
    for p in paths:
        if _is_dir(p):
            try:
                out.extend(sorted((c for c in p.iterdir() if _wanted(c)), key=lambda c: c.name))
            except OSError as exc:
                refused.append(FileResult(shown(p), reason=_folder_reason(exc)))
        else:
            out.append(p)
    return out, refused


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a folder stands for the files directly in it (sorted; hidden and junk files skipped)."""
    return gather(paths)[0]


def store_photo(
    s: Session,
    site_id: int,
    data: bytes,
    file_name: str | None,
    phase: str,
    event_id: int | None,
    fallback_time: dt.datetime | None,
) -> tuple[int, bool]:
    """Store one photo for a site (no commit). Returns (photo id, False if the site already had it).

    Raises PhotoRefused for a file that is not a whole, supported photo.
    """
    info, thumb = imaging.prepare(data)
    return _store(s, site_id, _Loaded(data, info, thumb, fallback_time), file_name, phase, event_id)


@dataclass(frozen=True)
class _Loaded:
    """A file read and checked, with its thumbnail: everything but the database part of adding it."""

    data: bytes
    info: imaging.PhotoInfo
    thumb: bytes
    fallback_time: dt.datetime | None


def _load(path: Path, limit: int) -> _Loaded | imaging.PhotoRefused:
    """Read, hash, check and thumbnail one file. Runs on a worker thread: touches no session."""
    if not is_clean_name(path):  # its name could be neither stored nor printed
        return imaging.PhotoRefused("文件名不是有效的 UTF-8 编码（可能是 GBK），请改名后再添加")
    try:
        data = imaging.read_file(path, limit)
        info, thumb = imaging.prepare(data)
    except imaging.PhotoRefused as exc:
        return exc
    return _Loaded(data, info, thumb, imaging.file_time(path))


def _store(
    s: Session, site_id: int, f: _Loaded, file_name: str | None, phase: str, event_id: int | None
) -> tuple[int, bool]:
    info = f.info
    existing = s.scalar(
        select(Photo.id).where(Photo.site_id == site_id, Photo.sha256 == info.sha256, Photo.deleted.is_(False))
    )
    if existing is not None:
        return existing, False
    if s.scalar(select(PhotoBlob.sha256).where(PhotoBlob.sha256 == info.sha256)) is None:
        s.execute(insert(PhotoBlob).values(sha256=info.sha256, size=info.size, mime=info.mime, data=f.data))
        s.execute(insert(Thumbnail).values(sha256=info.sha256, edge=imaging.THUMB_EDGE, data=f.thumb))
    photo_id = s.execute(
        insert(Photo)
        .values(
            site_id=site_id, event_id=event_id, sha256=info.sha256, phase=phase,
            taken_at=info.taken_at or f.fallback_time, file_name=file_name, width=info.width, height=info.height,
            added_at=dt.datetime.now().replace(microsecond=0), deleted=False,
        )
        .returning(Photo.id)
    ).scalar_one()  # fmt: skip
    return photo_id, True


def _loaded_in_order(
    pool: ThreadPoolExecutor, files: Sequence[Path], limit: int
) -> Iterator[_Loaded | imaging.PhotoRefused]:
    """`_load` of each file, in order, with the next files loading while the caller stores this one.

    At most _AHEAD files wait loaded, so memory stays bounded however long the batch is.
    """
    pending: deque[Future[_Loaded | imaging.PhotoRefused]] = deque()
    queue = iter(files)
    for path in islice(queue, _AHEAD):
        pending.append(pool.submit(_load, path, limit))
    while pending:
        loaded = pending.popleft().result()
        nxt = next(queue, None)
        if nxt is not None:
            pending.append(pool.submit(_load, nxt, limit))
        yield loaded


@requires("events.edit")
def add_photos(
    uow: UnitOfWork,
    site_id: int,
    paths: Sequence[Path],
    phase: str = "before",
    event_id: int | None = None,
    progress: Callable[[int, int], bool] | None = None,
) -> AddPhotosResult:
    """Add photo files (or folders of them) to a site in one transaction.

    Each bad file is refused with its reason; the good ones in the same batch are added.
    `progress(done, total)` may return False to cancel: then nothing of the batch is stored.
    """
    s = uow.session
    site = site_or_refuse(s, site_id)
    require_community(uow, [site.community], "events.edit", "add_photos")
    phase = parse_phase(phase)
    if event_id is not None:
        ev = s.get(TimelineEvent, event_id)
        if ev is None or ev.deleted or ev.site_id != site.id:
            raise NotFound(f"找不到点位“{site.address}”的事件 {event_id}")
    files, refused = gather(paths)
    if not files:
        if refused:
            raise InputRefused(f"{refused[0].reason}：{refused[0].file}")
        raise InputRefused("没有可添加的文件")
    limit = photo_max_mb(uow) * imaging.MB
    added: list[FileResult] = []
    dups: list[FileResult] = []
    # Decoding (Pillow, libheif) and hashing release the GIL, so the next files are read and checked on
    # worker threads while this thread writes the current one to the database.
    pool = ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="zhdesk-photos")
    try:
        for n, (path, loaded) in enumerate(zip(files, _loaded_in_order(pool, files, limit), strict=True), start=1):
            name = shown(path)  # valid UTF-8 on one line, for the JSON and the refusal lines
            if isinstance(loaded, imaging.PhotoRefused):
                refused.append(FileResult(name, reason=loaded.reason))
            else:
                photo_id, new = _store(s, site.id, loaded, shown(path.name), phase, event_id)
                (added if new else dups).append(FileResult(name, id=photo_id))
            del loaded
            if progress is not None and not progress(n, len(files)):
                raise InputRefused("已取消添加照片，未保存任何照片")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if added:
        audit(uow, "photo.add", "site", site.id, count=len(added), phase=phase, event_id=event_id)
    uow.commit()
    return AddPhotosResult(tuple(added), tuple(dups), tuple(refused), tuple(r.id for r in added if r.id))


def list_photos(uow: UnitOfWork, site_id: int, phase: str | None = None) -> list[PhotoDTO]:
    """A site's photos in date-taken order; never loads the image bytes."""
    site_or_refuse(uow.session, site_id)
    return _photos_of(uow.session, [site_id], parse_phase(phase) if phase else None)[site_id]


def photos_of_sites(uow: UnitOfWork, site_ids: Sequence[int]) -> dict[int, list[PhotoDTO]]:
    """list_photos of each of `site_ids` in one query (the brief's site sections); the sites are not checked:
    an unknown id has no photos."""
    return _photos_of(uow.session, site_ids, None)


def _photos_of(s: Session, site_ids: Sequence[int], phase: str | None) -> dict[int, list[PhotoDTO]]:
    out: dict[int, list[PhotoDTO]] = {sid: [] for sid in site_ids}
    if not out:
        return out
    q = (
        select(Photo, PhotoBlob.size)
        .join(PhotoBlob, PhotoBlob.sha256 == Photo.sha256)
        .where(Photo.site_id.in_(list(out)), Photo.deleted.is_(False))
    )
    if phase:
        q = q.where(Photo.phase == phase)
    q = q.order_by(Photo.site_id, Photo.taken_at.is_(None), Photo.taken_at, Photo.id)
    for p, size in s.execute(q):
        out[p.site_id].append(PhotoDTO(
            id=p.id, site_id=p.site_id, event_id=p.event_id, phase=p.phase, phase_label=PHASES[p.phase],
            taken_at=p.taken_at, file_name=p.file_name, size=size, width=p.width, height=p.height, sha256=p.sha256,
        ))  # fmt: skip
    return out


def _photo(uow: UnitOfWork, photo_id: int) -> Photo:
    p = uow.session.get(Photo, photo_id)
    if p is None or p.deleted:
        raise NotFound(f"找不到编号为 {photo_id} 的照片")
    return p


def _photo_values(p: Photo) -> dict[str, object]:
    """What two people may change on a photo, as its PhotoDTO shows them (the keys `expected` takes)."""
    return {"phase": p.phase, "event_id": p.event_id}


def original_bytes(uow: UnitOfWork, photo_id: int) -> bytes:
    p = _photo(uow, photo_id)
    data = uow.session.scalar(select(PhotoBlob.data).where(PhotoBlob.sha256 == p.sha256))
    assert data is not None
    return data


def thumbnail_bytes(uow: UnitOfWork, photo_id: int, edge: int = imaging.THUMB_EDGE) -> bytes:
    """The cached thumbnail; made (once) from the original if it is missing."""
    s = uow.session
    p = _photo(uow, photo_id)
    thumb = s.scalar(select(Thumbnail.data).where(Thumbnail.sha256 == p.sha256, Thumbnail.edge == edge))
    if thumb is not None:
        return thumb
    thumb = imaging.thumbnail(original_bytes(uow, photo_id), edge)
    s.execute(insert(Thumbnail).values(sha256=p.sha256, edge=edge, data=thumb))
    uow.commit()
    return thumb


def thumbnails(uow: UnitOfWork, photo_ids: Sequence[int], edge: int = imaging.THUMB_EDGE) -> dict[int, bytes]:
    """Cached thumbnails for many photos in one query (the gallery asks in pages); missing ones are made."""
    s = uow.session
    ids = list(photo_ids)
    out: dict[int, bytes] = dict(
        s.execute(
            select(Photo.id, Thumbnail.data)
            .join(Thumbnail, (Thumbnail.sha256 == Photo.sha256) & (Thumbnail.edge == edge))
            .where(Photo.id.in_(ids), Photo.deleted.is_(False))
        ).all()
    )
    for pid in ids:
        if pid not in out:
            try:
                out[pid] = thumbnail_bytes(uow, pid, edge)
            except NotFound:
                continue
    return out


def export_photo(uow: UnitOfWork, photo_id: int, out: Path, *, overwrite: bool = False) -> Path:
    """Write the original bytes back, bit-identical. An existing `out` is replaced only with `overwrite`;
    the open database, devices and folders never are (files.export_target)."""
    data = original_bytes(uow, photo_id)

    def write(tmp: str) -> None:
        Path(tmp).write_bytes(data)

    return write_export(out, write, overwrite=overwrite, protected=database_files(uow.engine.url))


@requires("events.edit")
def update_photo(
    uow: UnitOfWork,
    photo_id: int,
    *,
    phase: str | None = None,
    event_id: int | None = None,
    unlink: bool = False,
    expected: Mapping[str, object] | None = None,
) -> PhotoDTO:
    """Re-tag a photo's phase or tie it to (or untie it from) an event of the same site. `expected`: the
    photo's phase and event as the user saw them; another person's change since is a
    Conflict."""
    s = uow.session
    p = _photo(uow, photo_id)
    require_community(uow, [site_or_refuse(s, p.site_id).community], "events.edit", "update_photo")
    before = _photo_values(p)
    check_values(uow, expected, before, f"照片“{p.file_name or p.id}”", "photo", p.id)
    if phase is not None:
        p.phase = parse_phase(phase)
    if unlink:
        p.event_id = None
    elif event_id is not None:
        ev = s.get(TimelineEvent, event_id)
        if ev is None or ev.deleted or ev.site_id != p.site_id:
            raise NotFound(f"找不到该点位的事件 {event_id}")
        p.event_id = event_id
    s.flush()
    after = _photo_values(p)
    audit(uow, "photo.update", "photo", p.id, phase=p.phase, event_id=p.event_id, before=before, after=after)
    uow.commit()
    return next(d for d in list_photos(uow, p.site_id) if d.id == p.id)


@requires("events.edit")
def delete_photo(uow: UnitOfWork, photo_id: int) -> None:
    """Hide a photo; the original stays (other sites may share it, and the audit trail names it)."""
    p = _photo(uow, photo_id)
    require_community(uow, [site_or_refuse(uow.session, p.site_id).community], "events.edit", "delete_photo")
    p.deleted = True
    uow.session.flush()
    audit(uow, "photo.delete", "photo", p.id, sha256=p.sha256)
    uow.commit()
