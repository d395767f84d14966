"""The photos of a brief: prepared once (EXIF-rotated, about 200 dpi at the printed size), embedded as the
prepared JPEG itself (DCTDecode, no re-encoding), and taken from the cache folder by the next build without
reading or decoding anything."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from PIL import ImageFile
from pypdf import PdfReader

from tests.imagefiles import encode, jpeg, picture, truncated_jpeg
from tests.support import TODAY
from zhdesk.brief.images import PhotoCache, edge_to_fit
from zhdesk.brief.pdf import PHOTO_H, PHOTO_W
from zhdesk.desk import Desk
from zhdesk.dto import BriefSpec
from zhdesk.imaging import PhotoRefused
from zhdesk.services import photos as photos_svc


def _embedded(pdf: bytes) -> list[tuple[int, int, object, int]]:
    """(width, height, /Filter, stream length) of every image XObject."""
    out = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        xobjects = page["/Resources"].get("/XObject", {})
        for ref in xobjects.values():
            x = ref.get_object()
            if x["/Subtype"] == "/Image":
                out.append((int(x["/Width"]), int(x["/Height"]), x["/Filter"], len(x._data)))
    return out


@pytest.fixture
def site_with_photos(desk: Desk, tmp_path: Path) -> tuple[int, dict[str, int]]:
    """A site with a landscape 整改前 photo and a 整改后 photo held sideways (EXIF orientation 6)."""
    site = desk.add_site("照片缓存路1号", "测试社区", new_community=True)
    shots = tmp_path / "shots"
    shots.mkdir()
    when = dt.datetime(2026, 5, 1, 9, 0)
    before = shots / "before.jpg"
    before.write_bytes(encode(picture(1, (2400, 1800)), "JPEG", taken=when, quality=95))
    after = shots / "after.jpg"
    after.write_bytes(encode(picture(2, (2400, 1800)), "JPEG", orientation=6, taken=when, quality=95))
    desk.add_photos(site.row.id, [before], "before")
    desk.add_photos(site.row.id, [after], "after")
    return site.row.id, {"before": before.stat().st_size, "after": after.stat().st_size}


def _count(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts pixel decodes (any Pillow image file) and originals read from the database."""
    calls = {"decode": 0, "original": 0}
    load, original = ImageFile.ImageFile.load, photos_svc.original_bytes

    def counted_load(self: ImageFile.ImageFile) -> object:
        if self.tile:  # pixels still to decode (load() on a loaded image returns them as they are)
            calls["decode"] += 1
        return load(self)

    def counted_original(*args: object, **kwargs: object) -> bytes:
        calls["original"] += 1
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ImageFile.ImageFile, "load", counted_load)
    monkeypatch.setattr(photos_svc, "original_bytes", counted_original)
    return calls


def test_second_build_reads_and_decodes_nothing(
    desk: Desk, tmp_path: Path, site_with_photos: tuple[int, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    site_id, _sizes = site_with_photos
    spec = BriefSpec(sites="chosen", site_ids=(site_id,))
    calls = _count(monkeypatch)
    first = desk.brief_pdf(spec, TODAY, cache_dir=tmp_path / "cache")
    assert calls == {"decode": 2, "original": 2}  # each original decoded once, not again by reportlab
    calls.update(decode=0, original=0)
    second = desk.brief_pdf(spec, TODAY, cache_dir=tmp_path / "cache")
    assert calls == {"decode": 0, "original": 0}
    assert _embedded(second) == _embedded(first)


def test_photos_are_embedded_as_prepared_jpegs_smaller_than_the_originals(
    desk: Desk, tmp_path: Path, site_with_photos: tuple[int, dict[str, int]]
) -> None:
    site_id, sizes = site_with_photos
    pdf = desk.brief_pdf(BriefSpec(sites="chosen", site_ids=(site_id,)), TODAY, cache_dir=tmp_path / "cache")
    images = sorted(_embedded(pdf))  # the portrait (整改后, rotated) one first
    assert len(images) == 2
    for _w, _h, filters, length in images:
        assert list(filters) == ["/DCTDecode"]  # the JPEG itself: neither re-encoded (Flate) nor ASCII85-inflated
        assert length < min(sizes.values()) / 3
    (pw, ph, _f, _l), (lw, lh, _f2, _l2) = images
    assert pw < ph and lw > lh  # EXIF orientation applied
    # about 200 dpi at the size each prints: the portrait one fills the box's height, so it is smaller
    assert (
        max(pw, ph)
        == edge_to_fit(1800, 2400, PHOTO_W, PHOTO_H)
        < max(lw, lh)
        == edge_to_fit(2400, 1800, PHOTO_W, PHOTO_H)
    )
    cached = sorted(p.name for p in (tmp_path / "cache").glob("*.jpg"))
    assert len(cached) == 2


def test_warm_prepares_ahead_on_threads_and_leaves_a_broken_photo_to_get() -> None:
    good = {f"sha{i}": jpeg(i, (800, 600)) for i in range(3)}
    cache = PhotoCache(None)
    wanted = [(sha, 200, lambda d=data: d) for sha, data in good.items()]
    cache.warm([*wanted, ("broken", 200, truncated_jpeg), wanted[0]], workers=2)
    assert sorted(cache.prepared) == sorted((sha, 200) for sha in good)

    def never() -> bytes:
        raise AssertionError("a warmed photo is not read again")

    for sha in good:
        assert cache.get(sha, 200, never).startswith(b"\xff\xd8")
    with pytest.raises(PhotoRefused):
        cache.get("broken", 200, truncated_jpeg)
