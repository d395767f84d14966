"""Importing a 100,000-row community detail ledger (.xlsx): rows/s, peak RSS, vs openpyxl and pandas.

    .venv/bin/python -m bench.tally [--rows 100000] [--runs 3] [--no-install] [--small 300]

The ledger is generated once (openpyxl write-only) and cached in the temp folder, keyed by row count.
Each measurement runs in a fresh subprocess on a fresh SQLite file, so its peak RSS (VmHWM) is that of a
process doing only that. Targets, all in the same run:
  - end-to-end import (read, map, parse, validate, commit) faster than openpyxl's bare read-only iteration
    over the same file, and at least 3× faster than `pandas.read_excel` + `DataFrame.to_sql` into SQLite;
  - peak RSS < 1 GB;
  - a typical 300-row community file: file chosen → preview (a dry run) under 0.5 s.
pandas is only needed here: it is installed into the venv on demand (or the comparison is skipped with
a message when that is not possible or `--no-install` is given).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import report

PEAK_TARGET_MB = 1024
PANDAS_FACTOR = 3.0
PREVIEW_TARGET_S = 0.5
COMMUNITIES = ("江西路社区", "澄海路社区", "汕头路社区", "善化路社区")
METRICS = (("清理垃圾", "吨"), ("检查噪音扰民", "次"), ("下达告知书、责改文书", "份"), ("占路游商", "起"),
           ("清理毁绿种菜", "处"), ("出动清运车辆", "台次"), ("组织发动人次", "人次"))  # fmt: skip
HEAD = ("日期", "社区", "点位/地址", "问题类别", "处置措施", "统计指标", "数量", "单位", "备注")


def ledger(rows: int, folder: Path | None = None) -> Path:
    """A detail ledger as communities keep it: a title row, then one row per action."""
    folder = folder or Path(tempfile.gettempdir()) / "zhdesk-bench-tally"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"ledger-{rows}.xlsx"
    if path.exists():
        return path
    from openpyxl import Workbook

    rnd = random.Random(rows)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("明细台账")
    ws.append(["珠海路街道社区工作台账（明细）"])
    ws.append(list(HEAD))
    start = dt.date(2021, 1, 1)
    for i in range(rows):
        name, unit = METRICS[i % len(METRICS)]
        value: object = rnd.randint(1, 9)
        if i % 50 == 0:
            value = f"约{value}"
        ws.append([start + dt.timedelta(days=i % 365), COMMUNITIES[i % 4], f"江西路{i % 300}号", "乱堆杂物", "清理",
                   name, value, unit, None])  # fmt: skip
    tmp = path.with_suffix(".part.xlsx")
    wb.save(tmp)
    tmp.replace(path)
    return path


# ------------------------------------------------------------------ measured in a child process

CHILD = r"""
import json, sys, time
from pathlib import Path
from typing import Any

from bench import report
what, path, db = sys.argv[1], Path(sys.argv[2]), sys.argv[3]

def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

if what == "zhdesk":
    from db.models import Community
    from zhdesk.desk import Desk
    desk = Desk.open(db)
    with desk.uow() as uow:
        for i, name in enumerate(["江西路社区", "澄海路社区", "汕头路社区", "善化路社区"]):
            uow.session.add(Community(name=name, sort_order=i))
        uow.commit()
    dry = len(sys.argv) > 4
    t = time.perf_counter()
    report = desk.tally_import(path, dry_run=dry)
    seconds = time.perf_counter() - t
    assert report.status in ("imported", "preview"), [e.reason for e in report.errors[:3]]
    out = {"seconds": seconds, "rows": report.rows, "entries": report.entries}
elif what == "openpyxl":
    from openpyxl import load_workbook
    t = time.perf_counter()
    wb = load_workbook(path, read_only=True)
    n = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            n += 1
    wb.close()
    out = {"seconds": time.perf_counter() - t, "rows": n}
elif what == "pandas":
    import sqlite3
    import pandas as pd
    t = time.perf_counter()
    df = pd.read_excel(path, header=1)
    con = sqlite3.connect(db.removeprefix("sqlite:///"))
    df.to_sql("ledger", con, index=False)
    con.commit()
    con.close()
    out = {"seconds": time.perf_counter() - t, "rows": len(df)}
out["peak_mb"] = peak_mb()
print(json.dumps(out))
"""


def _child(what: str, path: Path, *extra: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'bench.db'}"
        p = subprocess.run([sys.executable, "-c", CHILD, what, str(path), db, *extra], capture_output=True, text=True,
                           check=False)  # fmt: skip
        if p.returncode != 0:
            raise RuntimeError(f"{what} failed: {p.stderr.strip()[-2000:]}")
        result: dict[str, float] = json.loads(p.stdout.strip().splitlines()[-1])
        return result


def _have_pandas(install: bool) -> bool:
    check = subprocess.run([sys.executable, "-c", "import pandas"], capture_output=True, check=False)
    if check.returncode == 0:
        return True
    if not install:
        return False
    print("installing pandas into this venv for the comparison (bench only)…", flush=True)
    p = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "pandas"], capture_output=True, check=False)
    return p.returncode == 0


def _best(what: str, path: Path, runs: int, *extra: str) -> dict[str, Any]:
    results = [_child(what, path, *extra) for _ in range(runs)]
    best = min(results, key=lambda r: r["seconds"])
    best["median"] = statistics.median(r["seconds"] for r in results)
    best["samples"] = [r["seconds"] for r in results]  # type: ignore[assignment]
    best["peak_mb"] = max(r["peak_mb"] for r in results)
    return best


def main(argv: Sequence[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.tally", description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--small", type=int, default=300, help="rows of the 'typical community file' (preview time)")
    ap.add_argument("--no-install", action="store_true", help="skip the pandas comparison when pandas is missing")
    args = ap.parse_args(list(argv))
    t = time.perf_counter()
    path = ledger(args.rows)
    print(f"ledger: {path} ({args.rows} rows, {path.stat().st_size / 1e6:.1f} MB; ready in "
          f"{time.perf_counter() - t:.1f} s)", flush=True)  # fmt: skip
    ours = _best("zhdesk", path, args.runs)
    print(f"zhdesk tally import : {ours['seconds']:.2f} s (median {ours['median']:.2f}), "
          f"{ours['rows'] / ours['seconds']:,.0f} rows/s, {ours['entries']:.0f} entries, "
          f"peak RSS {ours['peak_mb']:.0f} MB", flush=True)  # fmt: skip
    bare = _best("openpyxl", path, args.runs)
    print(f"openpyxl read-only  : {bare['seconds']:.2f} s (iteration only, nothing parsed or stored)", flush=True)
    ok = True
    if ours["seconds"] >= bare["seconds"]:
        ok = False
        print("FAIL: the import is not faster than openpyxl's bare iteration")
    if ours["peak_mb"] >= PEAK_TARGET_MB:
        ok = False
        print(f"FAIL: peak RSS {ours['peak_mb']:.0f} MB ≥ {PEAK_TARGET_MB} MB")
    pandas_s: float | None = None
    if _have_pandas(not args.no_install):
        pd_ = _best("pandas", path, max(1, args.runs - 1))
        pandas_s = pd_["seconds"]
        factor = pd_["seconds"] / ours["seconds"]
        print(f"pandas read_excel+to_sql: {pd_['seconds']:.2f} s → zhdesk is {factor:.1f}× faster "
              f"(target ≥ {PANDAS_FACTOR}×)", flush=True)  # fmt: skip
        if factor < PANDAS_FACTOR:
            ok = False
            print("FAIL: not 3× faster than pandas")
    else:
        print("pandas: not available (and not installed) — comparison skipped")
    small = ledger(args.small)
    preview = _best("zhdesk", small, args.runs, "dry-run")
    print(f"{args.small}-row file, chosen → preview: {preview['seconds'] * 1000:.0f} ms (target < "
          f"{PREVIEW_TARGET_S * 1000:.0f} ms)", flush=True)  # fmt: skip
    if preview["seconds"] >= PREVIEW_TARGET_S:
        ok = False
        print("FAIL: preview too slow")
    faster = ours["seconds"] < bare["seconds"]
    report.record("tally", f"import {args.rows:,} rows (best of runs vs best)", ours["samples"], "s",
                  "< openpyxl bare read", faster, f"openpyxl read-only {bare['seconds']:.1f} s",
                  ours["seconds"] / bare["seconds"])  # fmt: skip
    report.record("tally", "peak RSS during the import", [ours["peak_mb"]], "MB", f"< {PEAK_TARGET_MB} MB",
                  ours["peak_mb"] < PEAK_TARGET_MB)  # fmt: skip
    if pandas_s is not None:
        report.record("tally", "pandas read_excel+to_sql / import", [pandas_s / ours["seconds"]], "×",
                      f"≥ {PANDAS_FACTOR}×", pandas_s / ours["seconds"] >= PANDAS_FACTOR,
                      f"pandas {pandas_s:.1f} s")  # fmt: skip
    report.record("tally", f"{args.small}-row file: chosen → preview", [s * 1000 for s in preview["samples"]], "ms",
                  f"< {PREVIEW_TARGET_S * 1000:.0f} ms", preview["seconds"] < PREVIEW_TARGET_S)  # fmt: skip
    print("OK" if ok else "NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
