"""Photo services against a real SQLite file, with real JPEG/PNG/WebP/HEIC files made in the test."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageFile
from sqlalchemy import event, func, select

from db.models import AuditEntry, Community, Photo, PhotoBlob, Thumbnail
from tests.imagefiles import encode, jpeg, mixed_folder, picture
from tests.support import as_user, table_dump
from zhdesk import imaging
from zhdesk.desk import Desk
from zhdesk.domain.vocab import PHASES
from zhdesk.dto import AddPhotosResult
from zhdesk.errors import Conflict, InputRefused, NotFound, StorageProblem, UsageError
from zhdesk.services import photos

WHEN = dt.datetime(2026, 10, 2, 9, 30, 0)


@dataclass(frozen=True)
class Sites:
    desk: Desk
    a: int
    b: int


@pytest.fixture
def sites(desk: Desk) -> Sites:
    with desk.uow() as uow:
        uow.session.add(Community(name="江西路社区（示例）", is_sample=True, sort_order=0))
        uow.commit()
    a = desk.add_site("江西路153号", "江西路社区").row.id
    b = desk.add_site("江西路121号", "江西路社区").row.id
    return Sites(desk, a, b)


def count(desk: Desk, model: type) -> int:
    with desk.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def counts(desk: Desk) -> tuple[int, int, int]:
    return count(desk, Photo), count(desk, PhotoBlob), count(desk, Thumbnail)


def add(desk: Desk, site: int, *paths: Path, **kwargs: Any) -> AddPhotosResult:
    with desk.uow() as uow:
        return photos.add_photos(uow, site, list(paths), **kwargs)


@contextmanager
def statements(desk: Desk) -> Iterator[list[str]]:
    """Every SQL statement the engine runs inside the block."""
    seen: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(desk.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(desk.engine, "before_cursor_execute", listen)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------- adding a folder


def test_folder_with_good_and_bad_files(sites: Sites, tmp_path: Path) -> None:
    mixed = mixed_folder(tmp_path / "相机导出")
    desk = sites.desk
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return True

    result = add(desk, sites.a, mixed.folder, phase="整改前", progress=progress)
    good, bad = sorted(mixed.good), sorted(b.name for b in mixed.bad)
    assert [Path(r.file).name for r in result.added] == good
    assert all(r.id is not None for r in result.added)
    assert result.duplicates == ()
    refused = {Path(r.file).name: r.reason or "" for r in result.refused}
    assert sorted(refused) == bad  # Thumbs.db, .DS_Store and the subfolder's file are not even mentioned
    for b in mixed.bad:
        assert b.words in refused[b.name], (b.name, refused[b.name])
    for r in result.refused:
        assert Path(r.file).parent == mixed.folder  # the whole path, so the user can find the file
    # every file counted once, the bad ones included, so a progress bar reaches the end
    total = len(good) + len(bad)
    assert calls == [(n, total) for n in range(1, total + 1)]

    # exactly the good files are stored, each with its thumbnail; nothing of the bad ones
    assert counts(desk) == (len(good), len(good), len(good))
    with desk.engine.connect() as conn:
        stored = dict(conn.execute(select(PhotoBlob.sha256, PhotoBlob.mime)).all())
        names = set(conn.execute(select(Photo.file_name)).scalars())
        (entry,) = conn.execute(select(AuditEntry.detail).where(AuditEntry.action == "photo.add")).all()
    assert stored == {
        hashlib.sha256(mixed.good["a_phone.jpg"]).hexdigest(): "image/jpeg",
        hashlib.sha256(mixed.good["b_screen.png"]).hexdigest(): "image/png",
        hashlib.sha256(mixed.good["c_chat.webp"]).hexdigest(): "image/webp",
        hashlib.sha256(mixed.good["d_iphone.heic"]).hexdigest(): "image/heif",
    }
    assert names == set(good)
    assert json.loads(entry.detail) == {"count": 4, "phase": "before", "event_id": None}
    listed = desk.photos(sites.a)
    assert {p.id for p in listed} == set(result.photo_ids)
    assert {p.phase for p in listed} == {"before"}
    (phone,) = [p for p in listed if p.file_name == "a_phone.jpg"]
    assert phone.taken_at == WHEN
    assert (phone.width, phone.height, phone.size) == (96, 64, len(mixed.good["a_phone.jpg"]))


def test_only_bad_files_write_nothing(sites: Sites, tmp_path: Path) -> None:
    desk = sites.desk
    before = table_dump(desk.engine)
    bad = [write(tmp_path / "empty.jpg", b""), write(tmp_path / "notes.jpg", b"hello"), tmp_path / "missing.jpg"]
    result = add(desk, sites.a, *bad)
    assert (result.added, result.duplicates) == ((), ())
    reasons = [r.reason or "" for r in result.refused]
    assert "0 字节" in reasons[0] and "不是可识别的图片" in reasons[1] and "无法读取文件" in reasons[2]
    assert table_dump(desk.engine) == before


def test_no_files_at_all(sites: Sites, tmp_path: Path) -> None:
    (tmp_path / "空文件夹").mkdir()
    (tmp_path / "空文件夹" / "Thumbs.db").write_bytes(b"x")
    with pytest.raises(InputRefused) as err:
        add(sites.desk, sites.a, tmp_path / "空文件夹")
    assert "没有可添加的文件" in err.value.message


def test_unknown_site(sites: Sites, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        add(sites.desk, 9999, write(tmp_path / "a.jpg", jpeg(1)))


# ---------------------------------------------------------------- content addressing


def test_identical_file_twice_in_one_batch_and_again_later(sites: Sites, tmp_path: Path) -> None:
    desk = sites.desk
    data = jpeg(5, taken=WHEN)
    first, copy = write(tmp_path / "IMG_0001.jpg", data), write(tmp_path / "IMG_0001 (1).jpg", data)
    r1 = add(desk, sites.a, first, copy)
    (added,) = r1.added
    assert [(Path(d.file).name, d.id) for d in r1.duplicates] == [("IMG_0001 (1).jpg", added.id)]
    later = write(tmp_path / "again.jpg", data)
    r2 = add(desk, sites.a, later)
    assert r2.added == ()
    assert [(d.file, d.id) for d in r2.duplicates] == [(str(later), added.id)]
    assert counts(desk) == (1, 1, 1)


def test_same_file_for_two_sites_is_stored_once(sites: Sites, tmp_path: Path) -> None:
    desk = sites.desk
    f = write(tmp_path / "shared.jpg", jpeg(6))
    (a,) = add(desk, sites.a, f).added
    (b,) = add(desk, sites.b, f).added
    assert a.id != b.id
    assert counts(desk) == (2, 1, 1)
    assert [p.id for p in desk.photos(sites.a)] == [a.id]
    assert [p.id for p in desk.photos(sites.b)] == [b.id]


@pytest.mark.parametrize("name", ["a_phone.jpg", "b_screen.png", "c_chat.webp", "d_iphone.heic"])
def test_export_is_bit_identical(sites: Sites, tmp_path: Path, name: str) -> None:
    mixed = mixed_folder(tmp_path / "in")
    (r,) = add(sites.desk, sites.a, mixed.folder / name).added
    assert r.id is not None
    (tmp_path / "out").mkdir()
    out = sites.desk.export_photo(r.id, tmp_path / "out" / f"导出-{name}")
    assert out.read_bytes() == mixed.good[name]
    assert hashlib.sha256(out.read_bytes()).hexdigest() == hashlib.sha256(mixed.good[name]).hexdigest()
    assert sites.desk.original(r.id) == mixed.good[name]
    assert [p.name for p in (tmp_path / "out").iterdir()] == [f"导出-{name}"]  # no .part left behind


def test_export_to_a_missing_folder(sites: Sites, tmp_path: Path) -> None:
    (r,) = add(sites.desk, sites.a, write(tmp_path / "a.jpg", jpeg(1))).added
    assert r.id is not None
    with pytest.raises(StorageProblem) as err:
        sites.desk.export_photo(r.id, tmp_path / "nope" / "a.jpg")
    assert "无法写入文件" in err.value.message
    assert not (tmp_path / "nope").exists()


# ---------------------------------------------------------------- reading without the originals


def test_list_photos_never_loads_blob_data(sites: Sites, tmp_path: Path) -> None:
    desk = sites.desk
    mixed = mixed_folder(tmp_path / "in")
    add(desk, sites.a, mixed.folder, phase="during")
    with statements(desk) as seen:
        listed = desk.photos(sites.a)
        during = desk.photos(sites.a, "整改中")
        assert desk.photos(sites.a, "after") == []
    assert len(listed) == len(during) == len(mixed.good)
    assert any("FROM photo JOIN photo_blob" in s for s in seen)  # the listener does see the queries
    assert not [s for s in seen if "photo_blob.data" in s]
    # and it would notice: reading an original does select the blob data
    with statements(desk) as seen:
        desk.original(listed[0].id)
    assert [s for s in seen if "photo_blob.data" in s]


def test_thumbnails_are_made_once_and_cached(sites: Sites, tmp_path: Path) -> None:
    desk = sites.desk
    (r,) = add(desk, sites.a, write(tmp_path / "a.jpg", encode(picture(3, (640, 480)), "JPEG", orientation=6))).added
    assert r.id is not None
    with statements(desk) as seen:
        made_on_add = desk.thumbnail(r.id)
    assert not [s for s in seen if s.startswith("INSERT")]
    assert not [s for s in seen if "photo_blob.data" in s]  # served from the cache, original not read
    assert Image.open(io.BytesIO(made_on_add)).size == (240, 320)

    with desk.engine.begin() as conn:  # the cache lost its entry (e.g. a database from an older version)
        conn.execute(Thumbnail.__table__.delete())
    with statements(desk) as seen:
        regenerated = desk.thumbnail(r.id)
    assert len([s for s in seen if s.startswith("INSERT INTO thumbnail")]) == 1
    assert regenerated == made_on_add
    with statements(desk) as seen:
        assert desk.thumbnail(r.id) == made_on_add
    assert not [s for s in seen if s.startswith("INSERT")]
    assert count(desk, Thumbnail) == 1

    with desk.uow() as uow:  # another size is made once too
        small = photos.thumbnail_bytes(uow, r.id, 160)
    with desk.uow() as uow, statements(desk) as seen:
        assert photos.thumbnail_bytes(uow, r.id, 160) == small
    assert not [s for s in seen if s.startswith("INSERT")]
    assert Image.open(io.BytesIO(small)).size == (120, 160)
    assert count(desk, Thumbnail) == 2


def test_thumbnails_in_pages(sites: Sites, tmp_path: Path) -> None:
    desk = sites.desk
    ids = [
        r.id for r in add(desk, sites.a, *(write(tmp_path / f"{n}.jpg", jpeg(n)) for n in range(3))).added
    ]  # fmt: skip
    assert all(i is not None for i in ids)
    photo_ids = [i for i in ids if i is not None]
    with desk.engine.begin() as conn:  # one thumbnail went missing
        first_sha = conn.execute(select(Photo.sha256).where(Photo.id == photo_ids[0])).scalar_one()
        conn.execute(Thumbnail.__table__.delete().where(Thumbnail.sha256 == first_sha))
    desk.delete_photo(photo_ids[2])
    with statements(desk) as seen:
        got = desk.thumbnails([*photo_ids, 9999])
    assert sorted(got) == photo_ids[:2]  # the deleted and the unknown photo are left out
    assert len([s for s in seen if s.startswith("INSERT INTO thumbnail")]) == 1
    assert got[photo_ids[1]] == desk.thumbnail(photo_ids[1])
    assert count(desk, Thumbnail) == 3


# ---------------------------------------------------------------- date taken


def test_taken_at_falls_back_to_the_file_time(sites: Sites, tmp_path: Path) -> None:
    no_exif = write(tmp_path / "screenshot.png", encode(picture(8), "PNG"))
    with_exif = write(tmp_path / "phone.jpg", jpeg(9, taken=WHEN))
    mtime = dt.datetime(2026, 3, 4, 5, 6, 7)
    for f in (no_exif, with_exif):
        os.utime(f, (mtime.timestamp(), mtime.timestamp()))
    add(sites.desk, sites.a, no_exif, with_exif)
    taken = {p.file_name: p.taken_at for p in sites.desk.photos(sites.a)}
    assert taken == {"screenshot.png": mtime, "phone.jpg": WHEN}
    assert [p.file_name for p in sites.desk.photos(sites.a)] == ["screenshot.png", "phone.jpg"]  # by date taken


# ---------------------------------------------------------------- refusals that write nothing


def test_cancel_stores_nothing(sites: Sites, tmp_path: Path) -> None:
    desk = sites.desk
    files = [write(tmp_path / f"{n}.jpg", jpeg(n)) for n in range(6)]
    before = table_dump(desk.engine)
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return done < 2

    with pytest.raises(InputRefused) as err:
        add(desk, sites.a, *files, progress=progress)
    assert "取消" in err.value.message
    assert calls == [(1, 6), (2, 6)]
    assert table_dump(desk.engine) == before


def test_event_of_another_site_is_refused(sites: Sites, tmp_path: Path) -> None:
    desk = sites.desk
    other = desk.add_event(sites.b, "inspection", dt.date.today() - dt.timedelta(days=1))
    mine = desk.add_event(sites.a, "inspection", dt.date.today() - dt.timedelta(days=1))
    desk.delete_event(mine.id)
    f = write(tmp_path / "a.jpg", jpeg(1))
    before = table_dump(desk.engine)
    for event_id in (other.id, mine.id, 9999):
        with pytest.raises(NotFound) as err:
            add(desk, sites.a, f, event_id=event_id)
        assert str(event_id) in err.value.message and "江西路153号" in err.value.message
    assert table_dump(desk.engine) == before
    ok = desk.add_event(sites.a, "action", dt.date.today())
    (r,) = add(desk, sites.a, f, event_id=ok.id, phase="after").added
    assert [(p.id, p.event_id, p.phase) for p in desk.photos(sites.a)] == [(r.id, ok.id, "after")]
    assert desk.timeline(sites.a)[-1].photo_ids == (r.id,)


@pytest.mark.parametrize(
    ("text", "code"),
    [("before", "before"), ("整改前", "before"), (" during ", "during"), ("整改中", "during"), ("整改后", "after")],
)
def test_phase_codes_and_chinese_names(sites: Sites, tmp_path: Path, text: str, code: str) -> None:
    assert photos.parse_phase(text) == code
    add(sites.desk, sites.a, write(tmp_path / "a.jpg", jpeg(2)), phase=text)
    (p,) = sites.desk.photos(sites.a)
    assert (p.phase, p.phase_label) == (code, PHASES[code])


@pytest.mark.parametrize("text", ["later", "整改完", "", "BEFORE"])
def test_unknown_phase(sites: Sites, tmp_path: Path, text: str) -> None:
    with pytest.raises(UsageError) as err:
        photos.parse_phase(text)
    assert "整改前" in err.value.message
    before = table_dump(sites.desk.engine)
    with pytest.raises(UsageError):
        add(sites.desk, sites.a, write(tmp_path / "a.jpg", jpeg(2)), phase=text)
    assert table_dump(sites.desk.engine) == before


# ---------------------------------------------------------------- re-tagging and deleting


def test_update_photo(sites: Sites, tmp_path: Path) -> None:
    desk = sites.desk
    (r,) = add(desk, sites.a, write(tmp_path / "a.jpg", jpeg(3))).added
    assert r.id is not None
    ev = desk.add_event(sites.a, "action", dt.date.today())
    other = desk.add_event(sites.b, "action", dt.date.today())
    dto = desk.update_photo(r.id, phase="整改后", event_id=ev.id)
    assert (dto.phase, dto.event_id) == ("after", ev.id)
    assert desk.timeline(sites.a)[-1].photo_ids == (r.id,)
    before = table_dump(desk.engine)
    with pytest.raises(NotFound):
        desk.update_photo(r.id, event_id=other.id)
    with pytest.raises(UsageError):
        desk.update_photo(r.id, phase="done")
    assert table_dump(desk.engine) == before
    assert desk.update_photo(r.id, unlink=True).event_id is None
    with desk.engine.connect() as conn:
        details = [
            json.loads(d)
            for d in conn.execute(
                select(AuditEntry.detail).where(AuditEntry.action == "photo.update").order_by(AuditEntry.id)
            ).scalars()
        ]  # fmt: skip
    assert details == [
        {"phase": "after", "event_id": ev.id, "before": {"phase": "before", "event_id": None},
         "after": {"phase": "after", "event_id": ev.id}},
        {"phase": "after", "event_id": None, "before": {"phase": "after", "event_id": ev.id},
         "after": {"phase": "after", "event_id": None}},
    ]  # fmt: skip


def test_delete_photo_hides_it_and_keeps_the_original(sites: Sites, tmp_path: Path) -> None:
    desk = sites.desk
    f = write(tmp_path / "a.jpg", jpeg(4))
    (r,) = add(desk, sites.a, f).added
    (kept,) = add(desk, sites.a, write(tmp_path / "b.jpg", jpeg(5))).added
    assert r.id is not None
    desk.delete_photo(r.id)
    assert [p.id for p in desk.photos(sites.a)] == [kept.id]
    for read in (desk.original, desk.thumbnail):
        with pytest.raises(NotFound):
            read(r.id)
    with pytest.raises(NotFound):
        desk.delete_photo(r.id)
    with desk.engine.connect() as conn:
        deleted, sha = conn.execute(select(Photo.deleted, Photo.sha256).where(Photo.id == r.id)).one()
        deleting = select(AuditEntry.entity, AuditEntry.entity_id, AuditEntry.detail)
        (entry,) = conn.execute(deleting.where(AuditEntry.action == "photo.delete")).all()
    assert deleted is True
    assert (entry.entity, entry.entity_id, json.loads(entry.detail)) == ("photo", r.id, {"sha256": sha})
    assert counts(desk) == (2, 2, 2)  # row, original and thumbnail all still there
    # adding the same file again makes a new, visible photo on the blob already stored
    (again,) = add(desk, sites.a, f).added
    assert again.id not in (r.id, kept.id)
    assert counts(desk) == (3, 2, 2)


# ---------------------------------------------------------------- the loader threads


def test_big_whole_image_decodes_run_one_at_a_time(
    sites: Sites, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files are checked on two threads; PNG/WebP/HEIC decode whole, so big ones must not overlap
    (memory), while phone JPEGs (decoded at 1/8) do."""
    monkeypatch.setattr(imaging, "BIG_DECODE_PIXELS", 50 * 50)  # every PNG below counts as big
    busy = {"png": 0, "jpeg": 0}
    most = {"png": 0, "jpeg": 0}
    lock = threading.Lock()
    real_load = ImageFile.ImageFile.load

    def slow_load(self: ImageFile.ImageFile) -> Any:
        kind = "jpeg" if self.format == "JPEG" else "png"
        if threading.current_thread() is threading.main_thread() or getattr(self, "_spied", False):
            return real_load(self)
        self._spied = True  # type: ignore[attr-defined]
        with lock:
            busy[kind] += 1
            most[kind] = max(most[kind], busy[kind])
        if kind == "png":
            time.sleep(0.05)  # long enough for the other thread to start its decode, were it allowed to
        else:
            deadline = time.monotonic() + 2
            while most["jpeg"] < 2 and time.monotonic() < deadline:  # wait for the other thread to join in
                time.sleep(0.005)
        try:
            return real_load(self)
        finally:
            with lock:
                busy[kind] -= 1

    pngs = [write(tmp_path / f"p{n}.png", encode(picture(n, (80, 60)), "PNG")) for n in range(4)]
    jpegs = [write(tmp_path / f"j{n}.jpg", jpeg(n + 10, (80, 60))) for n in range(4)]
    monkeypatch.setattr(ImageFile.ImageFile, "load", slow_load)
    result = add(sites.desk, sites.a, *pngs)
    result2 = add(sites.desk, sites.a, *jpegs)
    assert len(result.added) == len(result2.added) == 4
    assert most == {"png": 1, "jpeg": 2}


def test_stale_photo_edit_names_the_other_change(any_demo_desk: Desk, tmp_path: Path) -> None:
    """王五 re-tags a photo first: my edit from what I saw is a Conflict naming his, writing nothing; from
    the photo as it is now it goes through. Both engines."""
    desk = any_demo_desk
    site = desk.add_site("江西路999号", desk.communities()[0].name).row.id
    (r,) = add(desk, site, write(tmp_path / "a.jpg", jpeg(3))).added
    assert r.id is not None
    (seen,) = desk.photos(site)
    saw = {"phase": seen.phase, "event_id": seen.event_id}
    other = as_user(desk, "wangwu")
    try:
        other.update_photo(r.id, phase="after", expected=saw)
        before = table_dump(desk.engine)
        ev = desk.add_event(site, "action", dt.date.today())
        assert table_dump(desk.engine) != before
        before = table_dump(desk.engine)
        with pytest.raises(Conflict) as caught:
            desk.update_photo(r.id, event_id=ev.id, expected=saw)
        c = caught.value
        assert c.by == "wangwu" and c.theirs["phase"] == "after"
        assert f"照片“{seen.file_name}”" in c.message and f"阶段：{PHASES[seen.phase]} → 整改后" in c.message
        assert table_dump(desk.engine) == before
        (now,) = desk.photos(site)
        dto = desk.update_photo(r.id, event_id=ev.id, expected={"phase": now.phase, "event_id": now.event_id})
        assert (dto.phase, dto.event_id) == ("after", ev.id)
        with pytest.raises(Conflict, match="关联事件"):
            other.update_photo(r.id, phase="before", expected={"phase": "after", "event_id": None})
    finally:
        other.close()
