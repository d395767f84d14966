"""Small real photo files for the gallery tests and the benchmark (Pillow encoders, no mocks)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from PIL import Image, ImageDraw

TAG_ORIENTATION = 0x0112
TAG_EXIF_IFD = 0x8769
TAG_DATETIME_ORIGINAL = 0x9003
BASE_TIME = dt.datetime(2026, 1, 5, 9, 0)


def jpeg_bytes(
    n: int,
    size: tuple[int, int] = (96, 72),
    taken: dt.datetime | None = None,
    orientation: int | None = None,
) -> bytes:
    """A distinct little JPEG (colour and a bar depend on `n`), EXIF date taken and orientation if given."""
    w, h = size
    im = Image.new("RGB", size, ((n * 37) % 256, (n * 91) % 256, (n * 53) % 256))
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, w // 2, h // 2), fill=(255, 0, 0))  # top-left marker: shows any rotation
    d.rectangle((w // 2, h - 8, w // 2 + (n % (w // 2)), h), fill=(255, 255, 255))
    exif = Image.Exif()
    if taken is not None:
        exif.get_ifd(TAG_EXIF_IFD)[TAG_DATETIME_ORIGINAL] = taken.strftime("%Y:%m:%d %H:%M:%S")
    if orientation is not None:
        exif[TAG_ORIENTATION] = orientation
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=80, exif=exif.tobytes())
    return buf.getvalue()


def write_jpegs(folder: Path, count: int, start: int = 0, size: tuple[int, int] = (96, 72)) -> list[Path]:
    """`count` distinct JPEGs named IMG_0000.jpg …, taken a minute apart."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(start, start + count):
        p = folder / f"IMG_{n:04d}.jpg"
        p.write_bytes(jpeg_bytes(n, size, BASE_TIME + dt.timedelta(minutes=n)))
        paths.append(p)
    return paths


def heic_bytes(size: tuple[int, int] = (96, 72)) -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    buf = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(buf, format="HEIF")
    return buf.getvalue()
