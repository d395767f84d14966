"""zhdesk.imaging with real JPEG, PNG, WebP and HEIC bytes: orientation, date taken, draft decoding, refusals."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any

import pytest
from PIL import Image, ImageFile, JpegImagePlugin

from tests.imagefiles import (
    COLOURS,
    bad_files,
    encode,
    jpeg,
    layout,
    picture,
    quadrants,
)
from tests.support import CJK
from zhdesk import imaging
from zhdesk.imaging import PhotoRefused, prepare

# What a viewer shows for each EXIF orientation of `quadrants()` (stored red|green over blue|yellow),
# worked out by hand from the EXIF definition — not from Pillow's table, which the code under test uses.
SHOWN = {
    1: "RGBY",  # as stored
    2: "GRYB",  # mirrored left-right
    3: "YBGR",  # turned 180°
    4: "BYRG",  # mirrored top-bottom
    5: "RBGY",  # mirrored along the main diagonal
    6: "BRYG",  # turned 90° clockwise (phone held with its top to the left)
    7: "YGBR",  # mirrored along the other diagonal
    8: "GYRB",  # turned 90° counter-clockwise
}


def opened(thumb: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(thumb))
    assert im.format == "JPEG"
    return im


# ---------------------------------------------------------------- orientation


def test_sideways_jpeg_shows_upright() -> None:
    im = Image.new("RGB", (400, 200), COLOURS["B"])
    im.paste(COLOURS["R"], (0, 0, 200, 200))  # red left half, blue right half, as the sensor saw it
    info, thumb = prepare(encode(im, "JPEG", orientation=6, quality=95))
    assert (info.width, info.height) == (200, 400)
    t = opened(thumb).convert("RGB")
    assert t.size == (160, 320)
    # turned 90° clockwise: the sensor's left (red) is now the top, its right (blue) the bottom
    for y in (5, 60, 150):
        assert t.getpixel((80, y)) == pytest.approx(COLOURS["R"], abs=40)
    for y in (170, 260, 314):
        assert t.getpixel((80, y)) == pytest.approx(COLOURS["B"], abs=40)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_is_applied_once(orientation: int) -> None:
    data = encode(quadrants(), "JPEG", orientation=orientation, quality=95)
    info, thumb = prepare(data)
    sideways = orientation >= 5
    assert (info.width, info.height) == ((200, 400) if sideways else (400, 200))
    t = opened(thumb)
    assert t.size == ((160, 320) if sideways else (320, 160))
    assert layout(t) == SHOWN[orientation]
    assert layout(opened(imaging.thumbnail(data))) == SHOWN[orientation]  # the regenerating path agrees


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_heic_is_turned_once_not_twice(orientation: int) -> None:
    """pillow_heif writes the EXIF orientation as the container's irot/imir and keeps the EXIF tag, as an
    iPhone does; decoding applies the container transform, so applying EXIF too would turn it twice."""
    data = encode(quadrants(), "HEIF", orientation=orientation, quality=95)
    raw = Image.open(io.BytesIO(data))
    assert raw.format == "HEIF"
    assert raw.info["original_orientation"] == orientation  # the file's EXIF does say it
    sideways = orientation >= 5
    assert raw.size == ((200, 400) if sideways else (400, 200))  # and the container already turned it
    info, thumb = prepare(data)
    assert info.mime == "image/heif"
    assert (info.width, info.height) == raw.size
    t = opened(thumb)
    assert t.size == ((160, 320) if sideways else (320, 160))
    assert layout(t) == SHOWN[orientation]
    assert layout(opened(imaging.thumbnail(data))) == SHOWN[orientation]


def test_webp_with_orientation() -> None:
    info, thumb = prepare(encode(quadrants(), "WEBP", orientation=6, quality=95))
    assert (info.mime, info.width, info.height) == ("image/webp", 200, 400)
    assert layout(opened(thumb)) == SHOWN[6]


@pytest.mark.parametrize("mode", ["RGBA", "P", "LA"])
def test_transparent_png_gets_a_white_background(mode: str) -> None:
    im = Image.new("RGBA", (200, 100), (0, 0, 0, 0))  # transparent black left half
    im.paste((0, 0, 255, 255), (100, 0, 200, 100))  # opaque blue right half
    if mode == "P":
        src = im.convert("P", palette=Image.Palette.ADAPTIVE)
        src.info["transparency"] = src.getpixel((0, 0))
    elif mode == "LA":
        src = im.convert("LA")
    else:
        src = im
    data = encode(src, "PNG")
    assert Image.open(io.BytesIO(data)).mode == mode
    info, thumb = prepare(data)
    assert (info.mime, info.width, info.height) == ("image/png", 200, 100)
    t = opened(thumb)
    assert t.mode == "RGB"
    left, right = t.getpixel((20, 50)), t.getpixel((180, 50))
    assert min(left) >= 245  # white, not the black behind the transparency
    if mode == "LA":
        assert max(right) <= 60  # blue in grey is dark
    else:
        assert right == pytest.approx(COLOURS["B"], abs=30)


# ---------------------------------------------------------------- date taken


WHEN = dt.datetime(2026, 5, 3, 14, 22, 1)
EDITED = dt.datetime(2026, 6, 1, 8, 0, 0)


@pytest.mark.parametrize(("fmt", "params"), [("JPEG", {}), ("PNG", {}), ("WEBP", {}), ("HEIF", {"quality": 80})])
def test_date_taken_from_exif_ifd(fmt: str, params: dict[str, Any]) -> None:
    info, _ = prepare(encode(picture(1), fmt, taken=WHEN, **params))
    assert info.taken_at == WHEN


def test_date_taken_from_ifd0_datetime() -> None:
    info, _ = prepare(encode(picture(2), "JPEG", ifd0_date=EDITED))
    assert info.taken_at == EDITED


def test_date_original_wins_over_ifd0_datetime() -> None:
    info, _ = prepare(encode(picture(3), "JPEG", taken=WHEN, ifd0_date=EDITED))
    assert info.taken_at == WHEN


def test_no_date() -> None:
    info, _ = prepare(encode(picture(4), "JPEG", orientation=1))
    assert info.taken_at is None
    info, _ = prepare(encode(picture(4), "PNG"))
    assert info.taken_at is None


def test_unset_camera_clock_is_no_date_not_a_refusal() -> None:
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "0000:00:00 00:00:00"
    buf = io.BytesIO()
    picture(5).save(buf, format="JPEG", exif=exif.tobytes())
    info, _ = prepare(buf.getvalue())
    assert info.taken_at is None


def test_info_fields() -> None:
    data = jpeg(7, (120, 90))
    info, thumb = prepare(data)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert (info.size, info.mime, info.width, info.height) == (len(data), "image/jpeg", 120, 90)
    assert opened(thumb).size == (120, 90)  # never enlarged


# ---------------------------------------------------------------- draft decoding of big JPEGs


def test_twelve_megapixel_jpeg_is_decoded_small(monkeypatch: pytest.MonkeyPatch) -> None:
    big = quadrants((4000, 3000))
    data = encode(big, "JPEG", orientation=6, quality=90)
    decoded: list[tuple[tuple[int, int], tuple[int, int]]] = []
    real_draft = JpegImagePlugin.JpegImageFile.draft

    def spy(self: JpegImagePlugin.JpegImageFile, mode: str | None, size: tuple[int, int] | None) -> Any:
        result = real_draft(self, mode, size)
        decoded.append((size or (0, 0), self.size))
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    info, thumb = prepare(data)
    # DCT scaling to 1/8: 500×375 pixels are decoded instead of 4000×3000 (64 times fewer)
    assert decoded == [((320, 320), (500, 375))]
    assert (info.width, info.height) == (3000, 4000)
    t = opened(thumb)
    assert t.size == (240, 320)
    assert layout(t) == SHOWN[6]
    decoded.clear()
    assert opened(imaging.thumbnail(data, 160)).size == (120, 160)
    assert decoded == [((160, 160), (500, 375))]


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize("bad", bad_files(), ids=lambda b: b.name)
def test_bad_files_are_refused_with_a_chinese_reason(bad: Any) -> None:
    for make in (prepare, imaging.thumbnail):
        with pytest.raises(PhotoRefused) as err:
            make(bad.data)
        reason = err.value.reason
        assert bad.words in reason
        assert CJK.search(reason)
        assert "Error" not in reason and "<" not in reason  # no Python exception text


def test_unsupported_formats_name_the_supported_ones() -> None:
    (gif,) = [b for b in bad_files() if b.name == "anim.gif"]
    with pytest.raises(PhotoRefused) as err:
        prepare(gif.data)
    for name in ("JPEG", "PNG", "WebP", "HEIC"):
        assert name in err.value.reason


def test_size_limit_is_checked_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Just over the limit: refused from the header alone, no pixel decoded."""
    over, at = encode(picture(1, (101, 100)), "PNG"), encode(picture(1, (100, 100)), "PNG")
    loads: list[tuple[int, int]] = []
    real_load = ImageFile.ImageFile.load

    def spy(self: ImageFile.ImageFile) -> Any:
        loads.append(self.size)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    monkeypatch.setattr(imaging, "MAX_PIXELS", 100 * 100)
    with pytest.raises(PhotoRefused) as err:
        prepare(over)
    assert "101×100" in err.value.reason
    assert loads == []
    prepare(at)  # at the limit: fine, and decoded
    assert loads and set(loads) == {(100, 100)}


def test_reading_a_folder_or_a_missing_file(tmp_path: Any) -> None:
    with pytest.raises(PhotoRefused) as err:
        imaging.read_file(tmp_path)
    assert "文件夹" in err.value.reason
    with pytest.raises(PhotoRefused) as err:
        imaging.read_file(tmp_path / "missing.jpg")
    assert err.value.reason == "无法读取文件：文件不存在"  # no OS English in the message
