"""会议简报 PDF: 50 listed sites × 4 phone photos (12 MP) — first and cached build, size, photo share.

    .venv/bin/python -m bench brief [--sites 50] [--runs 3] [--demo-runs 5] [--quick]

Builds its own SQLite database in a temp folder: the demo data plus listed sites up to `--sites`, each
given 4 phone photos (4000×3000 JPEGs of 3–6 MB, every 4th held sideways: EXIF orientation 6; made once
by bench.photos and cached) through the real photo service. Then, per run:
  1. a first build with an empty cache folder (`services.brief.build_pdf`): time, PDF size, and the
     time PhotoCache spent preparing photos (reading the original + decode, resize, JPEG encode; wall
     time: PhotoCache.warm prepares them on up to 4 threads, the bare loop below runs on one);
  2. just before it, the bare Pillow loop over the same originals at the same sizes (open, draft,
     exif_transpose, thumbnail, save JPEG q85 to BytesIO): photo preparation / bare loop;
  3. a second build with the now warm cache folder: first / second.
Last, the demo brief without photos (on a demo-only database), median of `--demo-runs`.
Targets (issue 11): first build ≤ 10 s and ≤ 20 MB; preparation ≤ 1.3 × the bare loop; second build
≥ 3× faster; the brief without photos ≤ 1 s. The machine is shared: medians, and ratios of pairs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from bench import report
from bench.photos import generate
from db.engine import sqlite_url
from zhdesk.brief.images import PhotoCache
from zhdesk.demo import load_demo
from zhdesk.desk import Desk
from zhdesk.dto import BriefSpec, ContactInput, ListingInput, SiteFilter
from zhdesk.services import brief as brief_svc
from zhdesk.services import photos as photos_svc
from zhdesk.services import sites as sites_svc

TODAY = dt.date(2026, 11, 29)
PHOTOS_PER_SITE = 4
BUILD_TARGET_S = 10.0
SIZE_TARGET_MB = 20.0
PREP_RATIO_TARGET = 1.3
CACHE_SPEEDUP_TARGET = 3.0
DEMO_TARGET_S = 1.0
QUALITY = 85  # zhdesk.imaging._jpeg_bytes


# ------------------------------------------------------------------ the database


def _listed_ids(desk: Desk) -> list[int]:
    with desk.uow() as uow:
        rows = sites_svc.list_sites(uow, SiteFilter(listed_only=True), TODAY)
        return [r.id for r in rows if r.listing_id is not None]


def make_db(path: Path, sites: int, files: Sequence[Path]) -> Desk:
    """The demo, listed sites up to `sites`, and 4 phone photos on each listed site."""
    desk = Desk.open(sqlite_url(path))
    with desk.uow() as uow:
        load_demo(uow, TODAY)
    listed = _listed_ids(desk)
    for n in range(len(listed), sites):
        with desk.uow() as uow:
            detail = sites_svc.add_site(uow, f"基准路{n + 1}号", "基准社区", new_community=True)
            listed_on = TODAY - dt.timedelta(days=20 + n)
            data = ListingInput(
                listed_on=listed_on, deadline=listed_on + dt.timedelta(days=10 + 3 * (n % 7)),
                problem=f"占道经营、乱堆乱放（基准第{n + 1}处）", category=None,
                contacts=(ContactInput(role="lead", person=f"包案领导{n % 9}", unit=f"责任单位{n % 6}"),),
            )  # fmt: skip
            sites_svc.list_site_for_supervision(uow, detail.row.id, data)
            uow.commit()
    listed = _listed_ids(desk)
    for k, site_id in enumerate(listed):
        group = list(files[PHOTOS_PER_SITE * k : PHOTOS_PER_SITE * (k + 1)])
        # The brief shows the first 整改前 and the first of the last two 整改后 photos (date-taken order);
        # the 4th of a group is the sideways one, so every other site shows it as its 整改后 photo.
        split = 3 if k % 2 else 2
        with desk.uow() as uow:
            for phase, part in (("before", group[:split]), ("after", group[split:])):
                r = photos_svc.add_photos(uow, site_id, part, phase=phase)
                if r.refused:
                    raise SystemExit(f"photo refused: {r.refused[0].reason}")
    return desk


# ------------------------------------------------------------------ measuring


@dataclass
class Build:
    seconds: float
    pdf: bytes
    cache: PhotoCache


def build(desk: Desk, spec: BriefSpec, cache_dir: Path) -> Build:
    """One brief through the service (the window's and the CLI's path), with the PhotoCache it used."""
    made: list[PhotoCache] = []
    real = brief_svc.photo_cache

    def capture(folder: Path | None = None) -> PhotoCache:
        c = real(folder)
        made.append(c)
        return c

    brief_svc.photo_cache = capture  # type: ignore[assignment]
    try:
        with desk.uow() as uow:
            started = time.perf_counter()
            pdf = brief_svc.build_pdf(uow, spec, TODAY, cache_dir)
            seconds = time.perf_counter() - started
    finally:
        brief_svc.photo_cache = real  # type: ignore[assignment]
    return Build(seconds, pdf, made[0])


def bare_loop(jobs: Sequence[tuple[Path, int]]) -> float:
    """The same photos at the same sizes, with nothing but Pillow."""
    started = time.perf_counter()
    for path, edge in jobs:
        with Image.open(path) as im:
            im.draft("RGB", (edge, edge))
            small = ImageOps.exif_transpose(im)
            small.thumbnail((edge, edge), Image.Resampling.LANCZOS)
            small.save(io.BytesIO(), format="JPEG", quality=QUALITY)
    return time.perf_counter() - started


def originals(
    desk: Desk, keys: Sequence[tuple[str, int]], by_sha: dict[str, Path], folder: Path
) -> list[tuple[Path, int]]:
    """(file, edge) for each prepared (sha256, edge); photos not from the bench set (the demo's own) are
    written out once so that the bare loop opens files too."""
    out = []
    for sha, edge in keys:
        path = by_sha.get(sha)
        if path is None:
            path = folder / f"{sha}.jpg"
            if not path.exists():
                with desk.uow() as uow:
                    ids = [p.id for s in _listed_ids(desk) for p in photos_svc.list_photos(uow, s) if p.sha256 == sha]
                    path.write_bytes(photos_svc.original_bytes(uow, ids[0]))
            by_sha[sha] = path
        out.append((path, edge))
    return out


def _median(xs: Sequence[float]) -> float:
    return statistics.median(xs)


def _runs(xs: Sequence[float], fmt: str = "{:.2f}") -> str:
    return ", ".join(fmt.format(x) for x in xs)


def demo_no_photos(runs: int, work: Path) -> list[float]:
    desk = Desk.open(sqlite_url(work / "demo.sqlite3"))
    with desk.uow() as uow:
        load_demo(uow, TODAY)
    times = []
    build(desk, BriefSpec(photos=False), work / "demo-cache")  # imports, fonts: once per process
    for _ in range(runs):
        times.append(build(desk, BriefSpec(photos=False), work / "demo-cache").seconds)
    desk.close()
    return times


# ------------------------------------------------------------------ report


def main(argv: Sequence[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench brief", description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--sites", type=int, default=50, help="listed sites in the brief (demo's included)")
    ap.add_argument("--runs", type=int, default=3, help="first (cold cache) + second (warm) build pairs")
    ap.add_argument("--demo-runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="10 sites, 2 runs, 3 demo runs")
    args = ap.parse_args(list(argv))
    if args.quick:
        args.sites, args.runs, args.demo_runs = 10, 2, 3

    files = generate(200 if args.sites <= 50 else PHOTOS_PER_SITE * args.sites)
    files = files[: PHOTOS_PER_SITE * args.sites]
    by_sha = {hashlib.sha256(f.read_bytes()).hexdigest(): f for f in files}
    total_mb = sum(f.stat().st_size for f in files) / 1e6
    spec = BriefSpec()  # every listed site, photos on
    with tempfile.TemporaryDirectory(prefix="zhdesk-bench-brief-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        desk = make_db(work / "brief.sqlite3", args.sites, files)
        listed = len(_listed_ids(desk))
        print(f"database: demo + {listed} listed sites, {len(files)} phone photos ({total_mb:.0f} MB) added "
              f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
        build(desk, BriefSpec(photos=False), work / "warm")  # imports, fonts: once per process
        firsts: list[Build] = []
        seconds2: list[float] = []
        bares: list[float] = []
        for run in range(max(args.runs, 1)):
            cache_dir = work / f"cache-{run}"
            if run == 0:  # the prepared set is known after the first build; its originals warm the page cache
                first = build(desk, spec, cache_dir)
                jobs = originals(desk, first.cache.prepared, by_sha, work)
                bares.append(bare_loop(jobs))
            else:
                bares.append(bare_loop(jobs))
                first = build(desk, spec, cache_dir)
            firsts.append(first)
            seconds2.append(build(desk, spec, cache_dir).seconds)
        desk.close()
        demo = demo_no_photos(args.demo_runs, work)

    n = len(jobs)
    first_s = [b.seconds for b in firsts]
    prep_s = [b.cache.prepare_seconds for b in firsts]
    read_s = [b.cache.read_seconds for b in firsts]
    size_mb = max(len(b.pdf) for b in firsts) / 1e6
    prep_ratios = [p / b for p, b in zip(prep_s, bares, strict=True)]
    speedups = [a / b for a, b in zip(first_s, seconds2, strict=True)]
    f1, f2, prep, bare = _median(first_s), _median(seconds2), _median(prep_s), _median(bares)
    prep_ratio, speedup, demo_s = _median(prep_ratios), _median(speedups), _median(demo)
    decodes = firsts[0].cache.decodes
    big = sum(1 for p, _e in jobs if p in files)

    rows = [
        ("first build (empty cache)", f"{f1:6.2f} s", f"runs: {_runs(first_s)} s"),
        ("  photo preparation (read + decode, resize, encode)", f"{prep:6.2f} s",
         f"{prep / f1:.0%} of the build; {n} photos ({big} of 12 MP), {decodes} decodes on "
         f"{firsts[0].cache.threads} thread(s); of which reading originals {_median(read_s):.2f} s"),
        ("  bare Pillow loop over the same originals", f"{bare:6.2f} s", f"runs: {_runs(bares)} s"),
        ("  the rest (data, layout, charts, fonts, PDF)", f"{f1 - prep:6.2f} s", ""),
        ("second build (warm cache)", f"{f2:6.2f} s", f"runs: {_runs(seconds2)} s"),
        ("demo brief without photos", f"{demo_s:6.2f} s", f"runs: {_runs(demo)} s"),
    ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    print(f"\nmedians of {len(firsts)} runs (brief with {listed} listed sites)")
    for label, value, note in rows:
        print(f"{label:<{width}}  {value}  {note}")

    checks = [
        ("first build", f"{f1:.2f} s", f"≤ {BUILD_TARGET_S:.0f} s", f1 <= BUILD_TARGET_S),
        ("PDF size", f"{size_mb:.1f} MB", f"≤ {SIZE_TARGET_MB:.0f} MB", size_mb <= SIZE_TARGET_MB),
        ("photo preparation / bare loop", f"{prep_ratio:.2f}×", f"≤ {PREP_RATIO_TARGET}×",
         prep_ratio <= PREP_RATIO_TARGET),
        ("first / second build", f"{speedup:.1f}×", f"≥ {CACHE_SPEEDUP_TARGET:.0f}×", speedup >= CACHE_SPEEDUP_TARGET),
        ("demo brief without photos", f"{demo_s:.2f} s", f"≤ {DEMO_TARGET_S:.0f} s", demo_s <= DEMO_TARGET_S),
    ]  # fmt: skip
    print()
    width = max(len(c[0]) for c in checks)
    for label, value, target, ok in checks:
        print(f"{label:<{width}}  {value:>9}  target {target:<7}  {'PASS' if ok else 'FAIL'}")
    sizes = [len(b.pdf) / 1e6 for b in firsts]
    samples = {"first build": first_s, "demo brief without photos": demo, "PDF size": sizes,
               "photo preparation / bare loop": prep_ratios, "first / second build": speedups}  # fmt: skip
    units = {"first build": "s", "demo brief without photos": "s", "PDF size": "MB"}
    for label, _value, target, ok in checks:
        report.record("brief", label, samples[label], units.get(label, "×"), target, ok)
    return 0 if all(c[3] for c in checks) else 1
