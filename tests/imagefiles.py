"""Real image files for the photo tests, made with Pillow and pillow_heif (no mocks, no downloads).

Every encoder here is the real one: the bytes are what a phone, a scanner or a bad copy would give.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import struct
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pillow_heif
from PIL import Image

pillow_heif.register_heif_opener()  # so Image.save(..., "HEIF") works here whatever imports first

COLOURS: dict[str, tuple[int, int, int]] = {"R": (255, 0, 0), "G": (0, 255, 0), "B": (0, 0, 255), "Y": (255, 255, 0)}
TAG_ORIENTATION = 0x0112
TAG_DATETIME = 0x0132
TAG_EXIF_IFD = 0x8769
TAG_DATETIME_ORIGINAL = 0x9003


def quadrants(size: tuple[int, int] = (400, 200)) -> Image.Image:
    """Top-left red, top-right green, bottom-left blue, bottom-right yellow: any turn or mirror shows."""
    w, h = size
    im = Image.new("RGB", size)
    im.paste(COLOURS["R"], (0, 0, w // 2, h // 2))
    im.paste(COLOURS["G"], (w // 2, 0, w, h // 2))
    im.paste(COLOURS["B"], (0, h // 2, w // 2, h))
    im.paste(COLOURS["Y"], (w // 2, h // 2, w, h))
    return im


def colour_name(pixel: tuple[int, ...]) -> str:
    """The nearest of the four quadrant colours (lossy codecs blur them a little)."""
    r, g, b = pixel[:3]
    return min(COLOURS, key=lambda k: sum((a - c) ** 2 for a, c in zip(COLOURS[k], (r, g, b), strict=True)))


def layout(im: Image.Image) -> str:
    """The colours at the centres of the four quadrants, read top-left, top-right, bottom-left, bottom-right."""
    rgb = im.convert("RGB")
    w, h = rgb.size
    points = ((w // 4, h // 4), (3 * w // 4, h // 4), (w // 4, 3 * h // 4), (3 * w // 4, 3 * h // 4))
    return "".join(colour_name(rgb.getpixel(p)) for p in points)  # type: ignore[arg-type]


def encode(
    im: Image.Image,
    fmt: str,
    *,
    orientation: int | None = None,
    taken: dt.datetime | None = None,
    ifd0_date: dt.datetime | None = None,
    **params: object,
) -> bytes:
    """`im` saved as `fmt` with the EXIF a phone writes (orientation, DateTimeOriginal, IFD0 DateTime)."""
    exif = Image.Exif()
    if orientation is not None:
        exif[TAG_ORIENTATION] = orientation
    if ifd0_date is not None:
        exif[TAG_DATETIME] = ifd0_date.strftime("%Y:%m:%d %H:%M:%S")
    if taken is not None:
        exif.get_ifd(TAG_EXIF_IFD)[TAG_DATETIME_ORIGINAL] = taken.strftime("%Y:%m:%d %H:%M:%S")
    buf = io.BytesIO()
    if len(exif) or taken is not None:
        params["exif"] = exif.tobytes()
    im.save(buf, format=fmt, **params)
    return buf.getvalue()


def picture(seed: int, size: tuple[int, int] = (96, 64)) -> Image.Image:
    """A small photo-like picture whose bytes differ for every seed."""
    rnd = random.Random(seed)
    im = Image.effect_noise(size, 40).convert("RGB")
    im.paste((rnd.randint(0, 255), rnd.randint(0, 255), rnd.randint(0, 255)), (0, 0, size[0] // 2, size[1] // 2))
    return im


def jpeg(seed: int = 0, size: tuple[int, int] = (96, 64), **exif: object) -> bytes:
    return encode(picture(seed, size), "JPEG", quality=90, **exif)  # type: ignore[arg-type]


def truncated_jpeg(seed: int = 0) -> bytes:
    """A JPEG cut in the middle of its scan data, as an interrupted copy leaves it."""
    whole = jpeg(seed, (320, 240))
    return whole[: len(whole) // 2]


def truncated_jpeg_header() -> bytes:
    """A phone JPEG cut inside its (large) EXIF block: nothing but the start of the header arrived."""
    exif = Image.Exif()
    exif[0x010F] = "phone " * 400  # Make: a long APP1 segment, like the embedded preview phones write
    buf = io.BytesIO()
    picture(1, (320, 240)).save(buf, format="JPEG", exif=exif.tobytes())
    return buf.getvalue()[:600]


@cache
def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A real, valid decompression-bomb PNG: 1-bit, width×height pixels, ~110 KB of zlib'd zeros."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    z = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    idat = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def other_format(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), "red").save(buf, format=fmt)
    return buf.getvalue()


@dataclass(frozen=True)
class Bad:
    name: str
    data: bytes
    words: str  # what the Chinese reason must say


def bad_files() -> list[Bad]:
    return [
        Bad("empty.jpg", b"", "0 字节"),
        Bad("cut.jpg", truncated_jpeg(), "不完整"),
        Bad("cut_header.jpg", truncated_jpeg_header(), "不完整"),
        Bad("notes.jpg", "现场检查记录：楼道堆物已清理。\n".encode() * 20, "不是可识别的图片"),
        Bad("bomb.png", png_bomb(), "30000×30000"),
        Bad("anim.gif", other_format("GIF"), "GIF"),
        Bad("scan.bmp", other_format("BMP"), "BMP"),
    ]


def good_files() -> dict[str, bytes]:
    """One of each supported format, each different."""
    return {
        "a_phone.jpg": jpeg(11, taken=dt.datetime(2026, 10, 2, 9, 30, 0)),
        "b_screen.png": encode(picture(12), "PNG"),
        "c_chat.webp": encode(picture(13), "WEBP", quality=90),
        "d_iphone.heic": encode(picture(14), "HEIF", quality=90),
    }


@dataclass(frozen=True)
class Mixed:
    folder: Path
    good: dict[str, bytes]
    bad: list[Bad]


def mixed_folder(folder: Path) -> Mixed:
    """Good photos of every format, every kind of bad file, and junk a folder copied off a PC holds."""
    folder.mkdir(parents=True, exist_ok=True)
    good = good_files()
    bad = bad_files()
    for name, data in good.items():
        (folder / name).write_bytes(data)
    for b in bad:
        (folder / b.name).write_bytes(b.data)
    (folder / "Thumbs.db").write_bytes(b"\x00" * 64)  # skipped silently, not refused
    (folder / ".DS_Store").write_bytes(b"\x00" * 64)
    (folder / "sub").mkdir(exist_ok=True)  # only the files directly in the folder count
    (folder / "sub" / "deeper.jpg").write_bytes(jpeg(99))
    return Mixed(folder, good, bad)
