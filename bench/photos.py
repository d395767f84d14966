"""Adding phone photos (12 MP JPEGs) to a site: photos/s, peak memory, cost over a bare Pillow loop.

    .venv/bin/python -m bench.photos [--count 200] [--add-runs 2] [--bare-runs 3] [--folder DIR]

The photos are generated once (noisy 4000×3000 JPEGs of 3–5 MB, like a phone's) and cached in the temp
folder, keyed by count. `add_photos` runs in a fresh subprocess per run, on a fresh SQLite file, so the
peak RSS it reports (VmHWM) is that of a process which only opens the database and adds the photos.
Targets: peak RSS < 600 MB; add_photos time ≤ 1.3 × the bare loop
`Image.open(f); im.draft('RGB', (320, 320)); im.thumbnail((320, 320))` over the same files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from PIL import Image, ImageChops, ImageDraw

from bench import report

SIZE = (4000, 3000)
EDGE = 320
PEAK_TARGET_MB = 600
RATIO_TARGET = 1.3
T = TypeVar("T")
_lock = threading.Lock()


# ------------------------------------------------------------------ the photos


def _noise() -> Image.Image:
    """Sensor-like grain, made once per generation run (effect_noise is the slow part)."""
    grain = Image.effect_noise(SIZE, 48)
    return Image.merge(
        "RGB",
        (
            grain,
            grain.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
            grain.transpose(Image.Transpose.FLIP_TOP_BOTTOM),
        ),
    )


def _phone_photo(n: int, grain: Image.Image) -> bytes:
    """A 12 MP 'compound' photo: sky, facades, clutter, grain; EXIF date taken; every 4th shot held sideways."""
    rnd = random.Random(n)
    w, h = SIZE
    im = Image.new("RGB", SIZE, (rnd.randint(170, 210), rnd.randint(200, 225), rnd.randint(220, 245)))
    d = ImageDraw.Draw(im)
    ground = rnd.randint(1900, 2200)
    x = 0
    while x < w:  # facades with windows
        bw = rnd.randint(700, 1200)
        top = rnd.randint(200, 700)
        tone = rnd.randint(150, 215)
        d.rectangle((x, top, x + bw, ground), fill=(tone, tone - 8, tone - 20), outline=(110, 100, 90), width=6)
        for wy in range(top + 80, ground - 200, 220):
            for wx in range(x + 80, x + bw - 120, 200):
                d.rectangle((wx, wy, wx + 110, wy + 140), fill=(80, 100 + rnd.randint(0, 40), 125), width=4)
        x += bw + rnd.randint(0, 60)
    d.rectangle((0, ground, w, h), fill=(150, 145, 135))
    for _ in range(120):  # clutter
        cx, cy, r = rnd.randint(0, w), rnd.randint(ground - 40, h), rnd.randint(30, 220)
        colour = (rnd.randint(20, 160), rnd.randint(20, 150), rnd.randint(20, 120))
        if rnd.random() < 0.5:
            d.ellipse((cx - r, cy - r // 2, cx + r, cy + r // 2), fill=colour, outline=(20, 20, 20), width=3)
        else:
            d.rectangle((cx - r, cy - r, cx + r, cy), fill=colour, outline=(20, 20, 20), width=3)
    shifted = ImageChops.offset(grain, rnd.randint(0, w), rnd.randint(0, h))
    im = Image.blend(im, shifted, 0.22)
    when = dt.datetime(2026, 5, 1, 8, 0) + dt.timedelta(minutes=7 * n)
    exif = Image.Exif()
    exif[0x010F] = "bench phone"  # Make
    exif[0x0112] = 6 if n % 4 == 0 else 1  # Orientation
    exif.get_ifd(0x8769)[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=92, exif=exif.tobytes())
    return buf.getvalue()


def generate(count: int, folder: Path | None = None) -> list[Path]:
    """`count` phone photos in a cache folder (made once; later runs reuse them)."""
    folder = folder or Path(tempfile.gettempdir()) / f"zhdesk-bench-photos-{count}"
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / f"IMG_{n:04d}.jpg" for n in range(1, count + 1)]
    missing = [f for f in files if not f.exists()]
    if missing:
        print(f"generating {len(missing)} photos of {SIZE[0]}×{SIZE[1]} in {folder} (once) …", flush=True)
        grain = _noise()
        started = time.perf_counter()
        for i, f in enumerate(missing, start=1):
            part = f.with_suffix(".part")
            part.write_bytes(_phone_photo(int(f.stem.split("_")[1]), grain))
            part.replace(f)
            if i % 25 == 0:
                print(f"  {i}/{len(missing)}  {time.perf_counter() - started:.0f} s", flush=True)
    return files


# ------------------------------------------------------------------ measuring


def _peak_rss_mb() -> float:
    """Peak resident set size of this process so far."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource  # not on Windows

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _timed(fn: Callable[..., T], bucket: dict[str, float], key: str) -> Callable[..., T]:
    """`fn`, adding the seconds it takes to bucket[key] (from any thread)."""

    def wrapper(*args: Any, **kwargs: Any) -> T:
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            with _lock:
                bucket[key] = bucket.get(key, 0.0) + time.perf_counter() - t

    return wrapper


def child_add(folder: Path, db_path: Path) -> dict[str, Any]:
    """In a fresh process: add every photo of `folder` to one site of a fresh database."""
    from sqlalchemy.orm import Session

    from db.models import Community, Site
    from zhdesk import imaging
    from zhdesk.desk import Desk
    from zhdesk.services import photos

    desk = Desk.open(f"sqlite:///{db_path.as_posix()}")
    with desk.uow() as uow:  # a fresh database has no communities; the services do not add them
        community = Community(name="基准社区", is_sample=True, sort_order=0)
        uow.session.add(community)
        uow.session.flush()
        site = Site(address="基准路1号", community_id=community.id, kind="compound", military=False)
        uow.session.add(site)
        uow.commit()
        site_id = site.id
    spent: dict[str, float] = {}
    imaging.read_file = _timed(imaging.read_file, spent, "read")
    imaging.prepare = _timed(imaging.prepare, spent, "prepare")
    if hasattr(photos, "_store"):  # the database part of adding one file (absent before the loader threads)
        photos._store = _timed(photos._store, spent, "store")
    Session.commit = _timed(Session.commit, spent, "commit")  # type: ignore[method-assign]
    rss_before = _peak_rss_mb()
    started = time.perf_counter()
    with desk.uow() as uow:
        result = photos.add_photos(uow, site_id, [folder], phase="before")
    seconds = time.perf_counter() - started
    peak = _peak_rss_mb()
    desk.close()  # the last connection checkpoints and removes the WAL
    wal = Path(f"{db_path}-wal")
    return {
        "added": len(result.added),
        "refused": [r.reason for r in result.refused],
        "seconds": seconds,
        "rss_before_mb": rss_before,
        "peak_mb": peak,
        "db_mb": (db_path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)) / 1e6,
        "spent": spent,
    }


def run_add(folder: Path, work: Path, run: int) -> dict[str, Any]:
    db_path = work / f"bench-{run}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "bench.photos", "--child", str(folder), str(db_path)]
    p = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=Path(__file__).resolve().parents[1])
    if p.returncode != 0:
        raise SystemExit(f"add_photos run failed:\n{p.stderr}")
    out: dict[str, Any] = json.loads(p.stdout.strip().splitlines()[-1])
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    return out


def bare_loop(files: Sequence[Path]) -> float:
    started = time.perf_counter()
    for f in files:
        with Image.open(f) as im:
            im.draft("RGB", (EDGE, EDGE))
            im.thumbnail((EDGE, EDGE))
    return time.perf_counter() - started


def read_and_hash(files: Sequence[Path]) -> float:
    started = time.perf_counter()
    for f in files:
        hashlib.sha256(f.read_bytes()).hexdigest()
    return time.perf_counter() - started


def prepare_loop(files: Sequence[Path]) -> float:
    from zhdesk import imaging

    started = time.perf_counter()
    for f in files:
        imaging.prepare(f.read_bytes())
    return time.perf_counter() - started


def _median(fn: Callable[[], float], runs: int) -> float:
    return statistics.median(fn() for _ in range(runs))


# ------------------------------------------------------------------ report


def main(argv: Sequence[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.photos", description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--add-runs", type=int, default=2, help="add_photos runs (each in a fresh process)")
    ap.add_argument("--bare-runs", type=int, default=3)
    ap.add_argument("--folder", type=Path, help="photo cache folder (default: temp folder keyed by count)")
    ap.add_argument("--child", nargs=2, metavar=("FOLDER", "DB"), help=argparse.SUPPRESS)
    args = ap.parse_args(list(argv))
    if args.child:
        print(json.dumps(child_add(Path(args.child[0]), Path(args.child[1]))))
        return 0

    files = generate(args.count, args.folder)
    folder = files[0].parent
    total_mb = sum(f.stat().st_size for f in files) / 1e6
    print(f"{len(files)} photos, {SIZE[0]}×{SIZE[1]}, {total_mb:.0f} MB ({total_mb / len(files):.1f} MB each)")
    bare_loop(files[:10])  # warm the page cache and Pillow's imports
    hashing = _median(lambda: read_and_hash(files), args.bare_runs)
    prep = _median(lambda: prepare_loop(files), args.bare_runs)
    # Each add_photos run is paired with a bare loop run just before it, so both see the same machine
    # (other processes, disk writeback); the ratio is the median of the pairs' ratios.
    bares: list[float] = []
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="zhdesk-bench-db-") as tmp:
        for run in range(max(args.add_runs, 1)):
            bares.append(bare_loop(files))
            runs.append(run_add(folder, Path(tmp), run))
    while len(bares) < args.bare_runs:
        bares.append(bare_loop(files))
    for r in runs:
        if r["added"] != len(files) or r["refused"]:
            raise SystemExit(f"add_photos added {r['added']} of {len(files)}; refused: {r['refused'][:3]}")
    bare = statistics.median(bares)
    add = statistics.median(r["seconds"] for r in runs)
    peak = max(r["peak_mb"] for r in runs)
    ratios = [r["seconds"] / b for r, b in zip(runs, bares, strict=False)]
    ratio = statistics.median(ratios)
    n = len(files)

    def ms(seconds: float) -> str:
        return f"{seconds / n * 1000:7.1f} ms/photo"

    spent = {k: statistics.median(r["spent"].get(k, 0.0) for r in runs) for k in ("read", "prepare", "store", "commit")}
    waiting = add - spent["store"] - spent["commit"]
    rows = [
        ("bare Pillow loop (open, draft, thumbnail)", f"{bare:7.2f} s", ms(bare),
         f"median of {len(bares)}: " + ", ".join(f"{b:.1f}" for b in bares) + " s"),
        ("  read + sha256 only", f"{hashing:7.2f} s", ms(hashing), f"median of {args.bare_runs}"),
        ("  imaging.prepare only (read included)", f"{prep:7.2f} s", ms(prep), f"median of {args.bare_runs}"),
        ("add_photos (fresh SQLite, one site)", f"{add:7.2f} s", ms(add),
         f"median of {len(runs)}: " + ", ".join(f"{r['seconds']:.1f}" for r in runs) + " s"),
        ("  read_file (loader threads)", f"{spent['read']:7.2f} s", ms(spent["read"]), "overlaps the DB writes"),
        ("  prepare: sha256, decode, thumb (loader threads)", f"{spent['prepare']:7.2f} s", ms(spent["prepare"]),
         "overlaps the DB writes"),
        ("  DB inserts (caller's thread)", f"{spent['store']:7.2f} s", ms(spent["store"]), ""),
        ("  commit (WAL checkpoint of the blobs)", f"{spent['commit']:7.2f} s", ms(spent["commit"]), ""),
        ("  caller waiting for the loader, and the rest", f"{waiting:7.2f} s", ms(waiting), ""),
    ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    print()
    for label, total, per, note in rows:
        print(f"{label:<{width}}  {total}  {per}  {note}")
    print()
    verdict_ratio = "met" if ratio <= RATIO_TARGET else "NOT met"
    verdict_peak = "met" if peak < PEAK_TARGET_MB else "NOT met"
    summary = [
        ("photos/s (add_photos)", f"{n / add:.1f}", ""),
        ("ratio add_photos / bare loop", f"{ratio:.2f}×",
         f"goal ≤ {RATIO_TARGET}× — {verdict_ratio}; runs: " + ", ".join(f"{x:.2f}" for x in ratios)),
        ("peak RSS during add (VmHWM)", f"{peak:.0f} MB",
         f"target < {PEAK_TARGET_MB} MB — {verdict_peak}; {runs[0]['rss_before_mb']:.0f} MB before the add"),
        ("database file after add", f"{runs[0]['db_mb']:.0f} MB", f"photos total {total_mb:.0f} MB"),
    ]  # fmt: skip
    width = max(len(r[0]) for r in summary)
    for label, value, note in summary:
        print(f"{label:<{width}}  {value:>8}  {note}")
    report.record("photos", f"add {n} phone photos", [r["seconds"] for r in runs], "s", f"≤ {RATIO_TARGET}× bare",
                  ratio <= RATIO_TARGET, f"bare Pillow loop {bare:.1f} s", ratio)  # fmt: skip
    report.record("photos", "peak RSS during the add", [r["peak_mb"] for r in runs], "MB",
                  f"< {PEAK_TARGET_MB} MB", peak < PEAK_TARGET_MB)  # fmt: skip
    return 0 if ratio <= RATIO_TARGET and peak < PEAK_TARGET_MB else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
