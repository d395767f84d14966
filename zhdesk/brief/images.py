"""Photos prepared for print: EXIF-rotated, draft-decoded and downscaled to about 200 dpi at their printed
size, JPEG-encoded (zhdesk.imaging.thumbnail); never the original. Prepared images are cached on disk by
the photo's sha256 and the pixel size, so a second build neither reads nor decodes the originals."""

from __future__ import annotations

import contextlib
import os
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from zhdesk import imaging

PRINT_DPI = 200
WARM_WORKERS = 4  # at most; never more than the CPUs
CACHE_LIMIT = 256 * 1024 * 1024  # bytes kept; the oldest prepared images go first


def edge_for(width_pt: float, height_pt: float, dpi: int = PRINT_DPI) -> int:
    """Pixels on the long side for a photo printed in a width × height box (points)."""
    return max(64, round(max(width_pt, height_pt) / 72 * dpi))


def edge_to_fit(width_px: int | None, height_px: int | None, box_w: float, box_h: float, dpi: int = PRINT_DPI) -> int:
    """Pixels on the long side for a width × height photo printed as large as fits a box (points): about
    `dpi` at the size it prints, so a portrait photo in a landscape box is prepared smaller. Pixel size
    unknown: the box's long side."""
    if not width_px or not height_px:
        return edge_for(box_w, box_h, dpi)
    scale = min(box_w / width_px, box_h / height_px)
    return edge_for(width_px * scale, height_px * scale, dpi)


def default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("zhdesk", appauthor=False)) / "brief-photos"


class PhotoCache:
    """Prepared photos by (sha256, edge); `folder=None` keeps them in memory only."""

    def __init__(self, folder: Path | None, limit: int = CACHE_LIMIT) -> None:
        self.folder = folder
        self.limit = limit
        self._memory: dict[tuple[str, int], bytes] = {}
        self.hits = 0
        self.misses = 0
        self._written = 0
        # what the misses cost (bench/brief.py reports it): originals decoded, seconds reading them,
        # seconds (wall) reading + decoding + resizing + encoding, which (sha256, edge) were prepared, and
        # the most threads warm() used
        self.decodes = 0
        self.read_seconds = 0.0
        self.prepare_seconds = 0.0
        self.prepared: list[tuple[str, int]] = []
        self.threads = 1

    def _path(self, sha: str, edge: int) -> Path | None:
        return None if self.folder is None else self.folder / f"{sha}-{edge}.jpg"

    def get(self, sha: str, edge: int, original: Callable[[], bytes]) -> bytes:
        """The prepared JPEG; `original()` is called only on a miss. A broken photo raises PhotoRefused."""
        key = (sha, edge)
        if key in self._memory:
            self.hits += 1
            return self._memory[key]
        path = self._path(sha, edge)
        if path is not None:
            with contextlib.suppress(OSError):
                data = path.read_bytes()
                if data:
                    self.hits += 1
                    self._memory[key] = data
                    return data
        self.misses += 1
        started = time.perf_counter()
        raw = original()
        read = time.perf_counter()
        self.decodes += 1
        data = imaging.thumbnail(raw, edge)
        del raw  # a 5 MB original is not kept while the brief is laid out
        self.read_seconds += read - started
        self.prepare_seconds += time.perf_counter() - started
        self.prepared.append(key)
        self._memory[key] = data
        if path is not None:
            self._store(path, data)
        return data

    def warm(self, wanted: Sequence[tuple[str, int, Callable[[], bytes]]], workers: int | None = None) -> None:
        """Prepare ahead the missing ones of `wanted` (sha256, edge, original), several at a time: Pillow
        decodes, resizes and encodes without holding the GIL. Originals are read on the caller's thread
        (they come from its database session), at most 2 × workers held at once. A photo that fails is
        left for get() to raise about."""
        workers = min(workers or WARM_WORKERS, os.cpu_count() or 1)
        todo: dict[tuple[str, int], Callable[[], bytes]] = {}
        for sha, edge, original in wanted:
            key = (sha, edge)
            path = self._path(sha, edge)
            if key in self._memory or key in todo or (path is not None and path.is_file()):
                continue  # get() finds it
            todo[key] = original
        if workers < 2 or len(todo) < 2:
            return  # get() prepares it on the spot just as fast
        self.threads = max(self.threads, workers)
        started = time.perf_counter()
        with ThreadPoolExecutor(workers, thread_name_prefix="brief-photo") as pool:
            pending: deque[tuple[tuple[str, int], Future[bytes]]] = deque()
            for key, original in todo.items():
                if len(pending) >= 2 * workers:
                    self._finish(*pending.popleft())
                t = time.perf_counter()
                try:
                    raw = original()
                except Exception:  # get() raises it, in its place in the brief
                    continue
                self.read_seconds += time.perf_counter() - t
                self.decodes += 1
                pending.append((key, pool.submit(imaging.thumbnail, raw, key[1])))
                del raw
            while pending:
                self._finish(*pending.popleft())
        self.prepare_seconds += time.perf_counter() - started

    def _finish(self, key: tuple[str, int], job: Future[bytes]) -> None:
        try:
            data = job.result()
        except Exception:  # a broken photo: get() decodes it again and raises PhotoRefused there
            return
        self.misses += 1
        self.prepared.append(key)
        self._memory[key] = data
        path = self._path(*key)
        if path is not None:
            self._store(path, data)

    def _store(self, path: Path, data: bytes) -> None:
        # a cache: failing to write it (read-only, full disk) only costs speed next time
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
            self._written += len(data)
            if self._written > self.limit // 8:
                self._written = 0
                self.prune()

    def prune(self) -> None:
        """Keep the cache folder under its limit, dropping the least recently written files first."""
        if self.folder is None:
            return
        with contextlib.suppress(OSError):
            files = [(p.stat().st_mtime, p.stat().st_size, p) for p in self.folder.glob("*.jpg")]
            total = sum(size for _t, size, _p in files)
            for _t, size, p in sorted(files):
                if total <= self.limit:
                    break
                with contextlib.suppress(OSError):
                    p.unlink()
                    total -= size
