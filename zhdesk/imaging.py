"""Photo files: check, identify, read the date taken, and make thumbnails. No database, no Qt.

Full-size pixels are never kept: JPEGs are decoded with draft mode (DCT scaling) straight to a
small size, which is what keeps adding hundreds of 12 MP phone photos fast and lean.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import io
import os
import stat
import threading
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

_heif_lock = threading.Lock()
_heif_registered = False


def _register_heif() -> None:
    """HEIC/HEIF phone photos, registered on the first photo opened (not at start: issue 13). pillow-heif
    applies the container's rotation (irot) on decode and resets EXIF orientation to 1, so exif_transpose
    afterwards does not rotate a second time."""
    global _heif_registered
    if _heif_registered:
        return
    with _heif_lock:
        if not _heif_registered:
            try:
                import pillow_heif

                pillow_heif.register_heif_opener()
            except ImportError:  # pragma: no cover - the dependency is declared; the core stays usable
                pass
            _heif_registered = True

# Phones make up to 200 MP (12–50 MP common). _open checks this limit from the header, before any
# pixel is decoded, so Pillow's own (warning-based) guard is replaced by one that names the size.
MAX_PIXELS = 200_000_000
Image.MAX_IMAGE_PIXELS = None

# Files are checked on worker threads (services/photos.py). A JPEG decodes at 1/8 size, but PNG, WebP and
# HEIC decode whole (up to MAX_PIXELS: hundreds of MB), so only one decode bigger than this runs at a time:
# the worst case costs no more memory than checking the files one by one.
BIG_DECODE_PIXELS = 16_000_000

# Largest photo file read at all (a database setting, services/settings.py, may change it): checked from
# the file's size before reading, so a 2 GB file or /dev/zero never reaches memory.
MB = 1024 * 1024
DEFAULT_MAX_FILE_MB = 100
_big_decode = threading.Lock()

FORMATS: dict[str, str] = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heif"}
FORMAT_LABELS = "JPEG、PNG、WebP、HEIC/HEIF"
THUMB_EDGE = 320

_TAG_ORIENTATION = 0x0112
_TAG_DATETIME = 0x0132
_TAG_EXIF_IFD = 0x8769
_TAG_DATETIME_ORIGINAL = 0x9003


class PhotoRefused(Exception):
    """A file that cannot be taken as a photo; `reason` is Chinese and says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PhotoInfo:
    sha256: str
    size: int
    mime: str
    width: int  # as displayed, after orientation
    height: int
    taken_at: dt.datetime | None  # EXIF date taken, else None (callers fall back to file time)


def _exif_datetime(im: Image.Image) -> dt.datetime | None:
    try:
        exif = im.getexif()
    except Exception:  # broken EXIF must not refuse an otherwise good photo
        return None
    raw = exif.get_ifd(_TAG_EXIF_IFD).get(_TAG_DATETIME_ORIGINAL) or exif.get(_TAG_DATETIME_ORIGINAL)
    raw = raw or exif.get(_TAG_DATETIME)
    if not isinstance(raw, str):
        return None
    try:
        return dt.datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(_TAG_ORIENTATION, 1)
    except Exception:
        return 1
    return value if isinstance(value, int) else 1


def _open(data: bytes) -> Image.Image:
    if not data:
        raise PhotoRefused("文件为空（0 字节）")
    _register_heif()
    try:
        im = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise PhotoRefused(f"不是可识别的图片文件（支持 {FORMAT_LABELS}）") from None
    except Exception:  # header parsers raise a zoo of types on garbage (struct.error, ValueError, ...)
        raise PhotoRefused("图片文件头已损坏或不完整（可能未传完），无法识别") from None
    if im.format not in FORMATS:
        fmt = im.format or "未知"
        raise PhotoRefused(f"不支持的图片格式 {fmt}（支持 {FORMAT_LABELS}）")
    w, h = im.size
    if w * h > MAX_PIXELS:
        raise PhotoRefused(f"图片尺寸过大（{w}×{h} 像素），超过上限 {MAX_PIXELS // 1_000_000} 百万像素，可能是恶意文件")
    return im


def _one_at_a_time(im: Image.Image) -> AbstractContextManager[object]:
    """Held while `im` is decoded and until it is closed, if its decode is a big one."""
    if im.format != "JPEG" and im.width * im.height > BIG_DECODE_PIXELS:
        return _big_decode
    return nullcontext()


def _decode_small(im: Image.Image, edge: int) -> Image.Image:
    """Decode at (about) `edge` on the long side, orientation applied. Raises PhotoRefused if broken."""
    if im.format == "JPEG":
        im.draft("RGB", (edge, edge))  # DCT scaling: decode 1/2, 1/4 or 1/8 size directly
    try:
        im.load()
    except Exception:  # truncated or corrupt data: OSError mostly, but decoders vary
        raise PhotoRefused("图片文件已损坏或不完整（可能未传完）") from None
    out = ImageOps.exif_transpose(im) or im
    out.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    return out


def _jpeg_bytes(small: Image.Image) -> bytes:
    if small.mode not in ("RGB", "L"):
        background = Image.new("RGB", small.size, "white")
        rgba = small.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        small = background
    buf = io.BytesIO()
    small.save(buf, format="JPEG", quality=85)
    return buf.getvalue()


def prepare(data: bytes, edge: int = THUMB_EDGE) -> tuple[PhotoInfo, bytes]:
    """Check that `data` is a whole, supported photo; return what the gallery needs and its thumbnail.

    One reduced-size decode serves both: a truncated file is caught here, never in the gallery.
    """
    im = _open(data)
    with _one_at_a_time(im), im:  # `im` is closed (its pixels freed) before the lock is released
        w, h = im.size
        if _orientation(im) in (5, 6, 7, 8):
            w, h = h, w
        taken = _exif_datetime(im)
        mime = FORMATS[im.format or ""]
        thumb = _jpeg_bytes(_decode_small(im, edge))
    info = PhotoInfo(sha256=hashlib.sha256(data).hexdigest(), size=len(data), mime=mime, width=w, height=h,
                     taken_at=taken)  # fmt: skip
    return info, thumb


def thumbnail(data: bytes, edge: int = THUMB_EDGE) -> bytes:
    """A JPEG thumbnail, upright, at most `edge` pixels on the long side."""
    im = _open(data)
    with _one_at_a_time(im), im:
        return _jpeg_bytes(_decode_small(im, edge))


def read_file(path: Path, limit: int = DEFAULT_MAX_FILE_MB * MB) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, else PhotoRefused saying why.

    Type and size are checked on the opened descriptor before anything is read (the path may change
    between a stat and the open): a FIFO is opened without blocking and refused, a device (/dev/zero)
    is never read, a huge or sparse file is refused by its size, and the read itself stops at limit + 1.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise PhotoRefused(f"无法读取文件：{_read_reason(exc)}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise PhotoRefused("这是文件夹，不是图片文件")
        if not stat.S_ISREG(st.st_mode):
            raise PhotoRefused("不是普通文件（设备、管道或套接字），未读取")
        if st.st_size > limit:
            raise PhotoRefused(f"文件过大（{_mb(st.st_size)}），超过上限 {_mb(limit)}")
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, max(st.st_size + 1, 1 << 16)))  # usually one read
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:  # grew while being read
            raise PhotoRefused(f"文件过大，超过上限 {_mb(limit)}")
        return b"".join(chunks)
    except OSError as exc:
        raise PhotoRefused(f"无法读取文件：{_read_reason(exc)}") from None
    finally:
        os.close(fd)


def _mb(n: int) -> str:
    return f"{n / MB:.0f} MB" if n >= MB else f"{n} 字节"


def _read_reason(exc: OSError) -> str:
    reasons = {
        errno.ENOENT: "文件不存在",
        errno.EACCES: "没有读取权限",
        errno.EPERM: "没有读取权限",
        errno.EISDIR: "这是文件夹",
        errno.ENOTDIR: "路径中有一段不是文件夹",
        errno.ELOOP: "符号链接循环",
        errno.ENXIO: "不是普通文件（设备或套接字）",
        errno.EOPNOTSUPP: "不是普通文件（设备或套接字）",
        errno.ENAMETOOLONG: "文件名过长",
        errno.EIO: "磁盘读写错误",
    }
    return reasons.get(exc.errno or 0, f"错误代码 {exc.errno}")


def file_time(path: Path) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0)
    except OSError:
        return None
