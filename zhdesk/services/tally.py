"""Community tallies: import files into tally entries (one transaction per file), list and undo batches,
the metric catalogue, totals for `stats`, the metric × community × period table, drill-down, the summary.

Every figure is a sum over tally entries; each entry comes from an import batch (file, sheet, row, column)
or a hand entry (who, when).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, delete, func, select
from sqlalchemy.orm import Session

from db import rollups
from db.models import Community, ImportBatch, Metric, MetricSynonym, Site, TallyEntry, User
from db.uow import UnitOfWork
from zhdesk.domain import periods
from zhdesk.dto import (
    MetricDTO,
    MetricTotal,
    TallyBatchDTO,
    TallyCell,
    TallyEntryDTO,
    TallyFileReport,
    TallyImportOptions,
    TallyPreviewEntry,
    TallyProblem,
)
from zhdesk.errors import InputRefused, NotFound, UsageError
from zhdesk.services.audit import audit
from zhdesk.services.authz import require_community, requires, unguarded
from zhdesk.services.common import current_user
from zhdesk.services.conflicts import conflict
from zhdesk.tally.parse import Cancelled, Catalogue, MetricInfo, ParseResult, parse_workbook
from zhdesk.tally.reader import read_workbook
from zhdesk.tally.text import header_key

WHOLE = "全街道"
_PREVIEW_MAX = 5000  # entries a preview carries back to the page (the import itself has no limit)


def catalogue(s: Session) -> Catalogue:
    metrics = [MetricInfo(c, n, u) for c, n, u in s.execute(select(Metric.code, Metric.name, Metric.unit))]
    synonyms = [(t, c) for t, c in s.execute(select(MetricSynonym.text, MetricSynonym.metric_code))]
    communities = list(s.scalars(select(Community.name).order_by(Community.sort_order, Community.id)))
    return Catalogue.build(metrics, synonyms, communities)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with Path(path).open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except FileNotFoundError:
        raise UsageError(f"找不到文件：{path}") from None
    except IsADirectoryError:
        raise UsageError(f"这是文件夹，不是台账文件：{path}") from None
    except OSError as exc:
        raise UsageError(f"无法读取文件 {Path(path).name}：{exc.strerror or type(exc).__name__}") from None
    return h.hexdigest()


def _active_batch(s: Session, sha: str) -> ImportBatch | None:
    return s.scalar(
        select(ImportBatch).where(ImportBatch.file_sha256 == sha, ImportBatch.undone_at.is_(None)).limit(1)
    )


@requires("tallies.import")
def import_file(
    uow: UnitOfWork,
    path: Path,
    opts: TallyImportOptions | None = None,
    *,
    dry_run: bool = False,
    progress: Callable[[int], bool] | None = None,
    as_user: bool = True,
) -> TallyFileReport:
    """Read, map, check and (unless dry_run or refused) store one file in one transaction.

    A file whose every problem is a warning is stored; any error refuses the whole file (nothing written).
    An unreadable file raises UsageError; `progress(rows)` returning False cancels (InputRefused, nothing written).
    `as_user=False` records no importing user (the demo).
    """
    started = time.perf_counter()
    path = Path(path)
    opts = opts or TallyImportOptions()
    s = uow.session
    sha = file_sha256(path)
    earlier = _active_batch(s, sha)
    if earlier is not None:
        return TallyFileReport(
            path.name, "duplicate", earlier.row_count, 0, batch_id=earlier.id, sha256=sha,
            warnings=(TallyProblem(None, None, None, None,
                                   f"该文件已于 {earlier.imported_at:%Y-%m-%d %H:%M} 导入（批次 {earlier.id}），"
                                   "本次未重复添加"),),
        )  # fmt: skip
    wb = read_workbook(path)
    cat = catalogue(s)
    _check_mapping(cat, opts)
    try:
        result = parse_workbook(wb, cat, opts, progress)
    except Cancelled:
        raise InputRefused(f"已取消导入 {path.name}，未写入任何内容") from None
    if progress is not None and not progress(result.rows):
        raise InputRefused(f"已取消导入 {path.name}，未写入任何内容")
    warnings = list(result.warnings) + _overlap_warnings(s, result)
    preview = tuple(_preview(cat, result))
    errors = tuple(result.errors)
    if not result.errors and not result.entries:
        errors = (TallyProblem(None, None, None, None, "文件中没有任何统计数字"),)

    def report(status: str, entries: int = 0, batch_id: int | None = None) -> TallyFileReport:
        return TallyFileReport(
            path.name, status, rows=result.rows, entries=entries, errors=errors, warnings=tuple(warnings),
            unmapped=tuple(result.unmapped), batch_id=batch_id, sha256=sha, preview=preview,
            seconds=time.perf_counter() - started,
        )

    if errors:
        return report("rejected")
    if dry_run:
        return report("preview", len(result.entries))
    names = {e.community for e in result.entries}
    found: list[Community | None] = list(s.scalars(select(Community).where(Community.name.in_(sorted(names)))))
    require_community(uow, found + [None] * (len(names) - len(found)), "tallies.import", "import_file")
    return report("imported", len(result.entries), _store(uow, path, sha, result, opts, progress, as_user))


def _check_mapping(cat: Catalogue, opts: TallyImportOptions) -> None:
    for header, code in opts.mapping.items():
        if code is not None and code not in cat.metrics:
            known = "、".join(cat.metrics)
            raise UsageError(f"--map “{header}={code}”：未知的指标代码，可用：{known}，或用 - 表示忽略该列")


def _preview(cat: Catalogue, result: ParseResult) -> list[TallyPreviewEntry]:
    out = []
    for e in result.entries[:_PREVIEW_MAX]:
        m = cat.metrics[e.metric]
        out.append(TallyPreviewEntry(e.metric, m.name, m.unit, e.community, e.site, e.start, e.end, e.value,
                                     e.qualifier, e.sheet, e.row, e.column))  # fmt: skip
    return out


def _overlap_warnings(s: Session, result: ParseResult) -> list[TallyProblem]:
    """A period covered by a hand figure and by this file would be counted twice: say so."""
    if not result.entries:
        return []
    spans: dict[tuple[str, str], tuple[dt.date, dt.date]] = {}
    for e in result.entries:
        k = (e.metric, e.community)
        lo, hi = spans.get(k, (e.start, e.end))
        spans[k] = (min(lo, e.start), max(hi, e.end))
    ids = {k: v for k, v in s.execute(select(Community.name, Community.id))}
    metrics = {k[0] for k in spans}
    hand = s.execute(
        select(TallyEntry.metric_code, TallyEntry.community_id, TallyEntry.period_start, TallyEntry.period_end)
        .where(TallyEntry.import_batch_id.is_(None), TallyEntry.metric_code.in_(metrics))
    ).all()
    names = {k: v for k, v in s.execute(select(Metric.code, Metric.name))}
    out: list[TallyProblem] = []
    seen: set[tuple[str, str]] = set()
    for (metric, comm), (lo, hi) in spans.items():
        cid = ids.get(comm)
        for code, hcid, p0, p1 in hand:
            overlaps = p0 <= hi and p1 >= lo
            if code == metric and (hcid is None or hcid == cid) and overlaps and (metric, comm) not in seen:
                seen.add((metric, comm))
                out.append(TallyProblem(None, None, None, None,
                                        f"{comm}的“{names.get(metric, metric)}”在 {p0.isoformat()} 至 {p1.isoformat()} "
                                        "已有手工录入的数字，与本文件时段重叠，统计时会重复计算"))  # fmt: skip
    return out


def _store(
    uow: UnitOfWork, path: Path, sha: str, result: ParseResult, opts: TallyImportOptions,
    progress: Callable[[int], bool] | None, as_user: bool = True,
) -> int:  # fmt: skip
    s = uow.session
    # The demo imports as nobody: the first real user of a database must still become its administrator.
    user_id = current_user(uow).id if as_user else None
    sheets = "、".join(sh.name for sh in result.sheets)
    batch = ImportBatch(file_name=path.name[:255], file_sha256=sha, sheet=sheets[:128] or None, user_id=user_id,
                        row_count=result.rows, entry_count=len(result.entries))  # fmt: skip
    s.add(batch)
    s.flush()
    comm_ids = {k: v for k, v in s.execute(select(Community.name, Community.id))}
    sites: dict[tuple[int, str], int] = {
        (cid, header_key(addr)): sid for sid, cid, addr in s.execute(select(Site.id, Site.community_id, Site.address))
    }
    rows: list[dict[str, Any]] = []
    # Core executemany: one statement for every chunk (the ORM's bulk path splits on each NULL pattern).
    table = cast(Table, TallyEntry.__table__)
    chunk = 20000
    site_memo: dict[tuple[int, str], int | None] = {}
    for n, e in enumerate(result.entries, start=1):
        cid = comm_ids[e.community]
        site_id = None
        if e.site:
            k = (cid, e.site)
            if k not in site_memo:
                site_memo[k] = sites.get((cid, header_key(e.site)))
            site_id = site_memo[k]
        rows.append({
            "metric_code": e.metric, "community_id": cid, "site_id": site_id, "period_start": e.start,
            "period_end": e.end, "value": e.value, "qualifier": e.qualifier, "import_batch_id": batch.id,
            "source_sheet": e.sheet[:128], "source_row": e.row, "source_column": e.column,
            "site_text": e.site[:255] if e.site else None, "note": e.note,
        })  # fmt: skip
        if len(rows) >= chunk:
            s.execute(table.insert(), rows)
            rows = []
            if progress is not None and not progress(n):
                raise InputRefused(f"已取消导入 {path.name}，未写入任何内容")
    if rows:
        s.execute(table.insert(), rows)
    rollups.add_tally(s.connection(), TallyEntry.import_batch_id == batch.id, 1)  # the dashboard's sums
    for header, code in opts.mapping.items():  # remembered for the next file with the same headers
        key = header_key(header)
        if not key:
            continue
        syn = s.get(MetricSynonym, key)
        if syn is None:
            s.add(MetricSynonym(key=key, text=header[:128], metric_code=code))
        else:
            syn.metric_code = code
    audit(uow, "tally.import", "import_batch", batch.id, file=path.name, sha256=sha, rows=result.rows,
          entries=len(result.entries), mapping=opts.mapping or None)  # fmt: skip
    uow.commit()
    return batch.id


# ------------------------------------------------------------------ batches


def _batch_dto(b: ImportBatch, login: str | None) -> TallyBatchDTO:
    return TallyBatchDTO(b.id, b.file_name, b.file_sha256, b.sheet, b.imported_at, login, b.row_count,
                         b.entry_count, b.undone_at, b.undone_by)  # fmt: skip


def check_file(
    uow: UnitOfWork,
    path: Path,
    opts: TallyImportOptions | None = None,
    *,
    progress: Callable[[int], bool] | None = None,
) -> TallyFileReport:
    """The import's preview: every check of `import_file`, nothing written."""
    return unguarded(import_file)(uow, path, opts, dry_run=True, progress=progress)


def list_batches(uow: UnitOfWork) -> list[TallyBatchDTO]:
    s = uow.session
    q = select(ImportBatch, User.login).outerjoin(User, User.id == ImportBatch.user_id).order_by(ImportBatch.id)
    return [_batch_dto(b, login) for b, login in s.execute(q)]


@requires("tallies.import")
def undo_batch(uow: UnitOfWork, batch_id: int) -> TallyBatchDTO:
    """Remove every entry of a batch; the batch stays, marked undone (who, when), and the undo is audited."""
    s = uow.session
    b = s.get(ImportBatch, batch_id)
    if b is None:
        raise NotFound(f"找不到编号为 {batch_id} 的导入批次")
    if b.undone_at is not None:
        raise InputRefused(f"导入批次 {batch_id}（{b.file_name}）已于 {b.undone_at:%Y-%m-%d %H:%M} 撤销")
    ids = select(TallyEntry.community_id).where(TallyEntry.import_batch_id == batch_id).distinct()
    of_batch = s.scalars(select(Community).where(Community.id.in_(ids))).all()
    require_community(uow, of_batch, "tallies.import", "undo_batch")
    removed = s.scalar(select(func.count()).where(TallyEntry.import_batch_id == batch_id)) or 0
    rollups.add_tally(s.connection(), TallyEntry.import_batch_id == batch_id, -1)
    s.execute(delete(TallyEntry).where(TallyEntry.import_batch_id == batch_id))
    b.undone_at = dt.datetime.now().replace(microsecond=0)
    b.undone_by = uow.user_login
    s.flush()
    audit(uow, "tally.undo", "import_batch", b.id, file=b.file_name, entries=removed)
    uow.commit()
    login = s.scalar(select(User.login).where(User.id == b.user_id)) if b.user_id else None
    return _batch_dto(b, login)


# ------------------------------------------------------------------ the catalogue


def list_metrics(uow: UnitOfWork) -> list[MetricDTO]:
    s = uow.session
    syn: dict[str, list[str]] = defaultdict(list)
    for text, code in s.execute(select(MetricSynonym.text, MetricSynonym.metric_code).order_by(MetricSynonym.text)):
        if code:
            syn[code].append(text)
    return [MetricDTO(m.code, m.name, m.unit, tuple(syn[m.code]))
            for m in s.scalars(select(Metric).order_by(Metric.sort_order, Metric.code))]  # fmt: skip


@requires("catalogue.edit")
def save_metric(
    uow: UnitOfWork, code: str, name: str, unit: str, expected: Mapping[str, object] | None = None
) -> MetricDTO:
    """Add a metric, or rename one / change its unit (the code stays: JSON and the database speak it).
    `expected`: the name and unit the user saw; another person's change since is a Conflict."""
    s = uow.session
    code, name, unit = code.strip(), name.strip(), unit.strip()
    if not code or not code.replace("_", "").isascii() or not code.replace("_", "").isalnum():
        raise InputRefused(f"指标代码“{code}”无效：只能用英文字母、数字和下划线")
    if not name or not unit:
        raise InputRefused("指标名称和单位都不能为空")
    if len(name) > 128 or len(unit) > 16 or len(code) > 48:
        raise InputRefused("指标代码、名称或单位过长（代码≤48、名称≤128、单位≤16 个字符）")
    clash = s.scalar(select(Metric.code).where(Metric.name == name, Metric.code != code))
    if clash:
        raise InputRefused(f"指标名称“{name}”已被 {clash} 使用")
    m = s.get(Metric, code)
    changed: dict[str, object] = {}
    if m is None:
        top = s.scalar(select(func.max(Metric.sort_order))) or 0
        m = Metric(code=code, name=name, unit=unit, sort_order=top + 1)
        s.add(m)
        action = "metric.add"
    else:
        now = {"name": m.name, "unit": m.unit}
        if expected is not None and any(now.get(k) != v for k, v in expected.items()):
            raise conflict(uow, f"统计指标“{m.name}”", "metric", None, ("code", code))
        action = "metric.edit"
        changed = {"before": now, "after": {"name": name, "unit": unit}}
        m.name, m.unit = name, unit
    s.flush()
    audit(uow, action, "metric", None, code=code, name=name, unit=unit, **changed)
    uow.commit()
    return MetricDTO(m.code, m.name, m.unit)


@requires("catalogue.edit")
def add_synonym(uow: UnitOfWork, text: str, code: str | None) -> None:
    """A header that means `code` (None: a column to ignore)."""
    s = uow.session
    key = header_key(text)
    if not key:
        raise InputRefused("表头文字不能为空")
    if code is not None and s.get(Metric, code) is None:
        raise NotFound(f"未知的统计指标“{code}”")
    syn = s.get(MetricSynonym, key)
    if syn is None:
        s.add(MetricSynonym(key=key, text=text.strip()[:128], metric_code=code))
    else:
        syn.metric_code = code
    audit(uow, "metric.synonym", "metric", None, text=text, code=code)
    uow.commit()


# ------------------------------------------------------------------ figures


def _scope(
    s: Session, date_from: dt.date | None, date_to: dt.date | None, community: str | None
) -> list[ColumnElement[bool]]:
    """An entry counts when its date or whole period lies in the range."""
    conds: list[ColumnElement[bool]] = []
    if date_from is not None:
        conds.append(TallyEntry.period_start >= date_from)
    if date_to is not None:
        conds.append(TallyEntry.period_end <= date_to)
    if community:
        from zhdesk.services.sites import _community_by_name

        conds.append(TallyEntry.community_id == _community_by_name(s, community).id)
    return conds


def combine_qualifiers(qualifiers: set[str | None]) -> str | None:
    """One approximate part makes the total approximate: its own word if all agree, else 约."""
    q = {x for x in qualifiers if x}
    if not q:
        return None
    return q.pop() if len(q) == 1 else "约"


def metric_totals(
    uow: UnitOfWork, date_from: dt.date | None = None, date_to: dt.date | None = None, community: str | None = None
) -> list[MetricTotal]:
    """Every metric of the catalogue (zero when it has no entries), in catalogue order."""
    s = uow.session
    sums: dict[str, Decimal] = defaultdict(Decimal)
    quals: dict[str, set[str | None]] = defaultdict(set)
    q = (
        select(TallyEntry.metric_code, TallyEntry.qualifier, func.sum(TallyEntry.value))
        .where(*_scope(s, date_from, date_to, community))
        .group_by(TallyEntry.metric_code, TallyEntry.qualifier)
    )
    for code, qual, total in s.execute(q):
        sums[code] += Decimal(total or 0)
        quals[code].add(qual)
    return [MetricTotal(m.code, m.name, m.unit, sums.get(m.code, Decimal(0)),
                        combine_qualifiers(quals.get(m.code, set())))
            for m in s.scalars(select(Metric).order_by(Metric.sort_order, Metric.code))]  # fmt: skip


def metrics_json(totals: Sequence[MetricTotal]) -> dict[str, Any]:
    return {t.code: {"value": _json_number(t.value), "unit": t.unit, "qualifier": t.qualifier} for t in totals}


def _json_number(d: Decimal) -> int | float:
    return int(d) if d == d.to_integral() else float(d)


def table(
    uow: UnitOfWork, date_from: dt.date | None = None, date_to: dt.date | None = None, community: str | None = None,
    granularity: str = "month",
) -> list[TallyCell]:  # fmt: skip
    """metric × community × period (by each entry's start date), for the 社区台账 page."""
    s = uow.session
    if granularity not in ("week", "month", "year"):
        raise UsageError(f"未知的时段粒度“{granularity}”，可用：week、month、year")
    gran = cast(periods.Granularity, granularity)
    q = (
        select(TallyEntry.metric_code, Community.name, TallyEntry.period_start, TallyEntry.qualifier,
               func.sum(TallyEntry.value))
        .outerjoin(Community, Community.id == TallyEntry.community_id)
        .where(*_scope(s, date_from, date_to, community))
        .group_by(TallyEntry.metric_code, Community.name, TallyEntry.period_start, TallyEntry.qualifier)
    )  # fmt: skip
    sums: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    quals: dict[tuple[str, str, str], set[str | None]] = defaultdict(set)
    for code, comm, start, qual, total in s.execute(q):
        k = (code, comm or WHOLE, periods.period_key(start, gran))
        sums[k] += Decimal(total or 0)
        quals[k].add(qual)
    return [TallyCell(k[0], k[1], k[2], v, combine_qualifiers(quals[k])) for k, v in sorted(sums.items())]


def entries(
    uow: UnitOfWork, metric: str | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None,
    community: str | None = None, period: str | None = None, batch_id: int | None = None, limit: int = 5000,
    site_id: int | None = None,
) -> list[TallyEntryDTO]:  # fmt: skip
    """The entries behind a figure, with their source (file and row, or who entered them by hand)."""
    s = uow.session
    q = (
        select(TallyEntry, Metric.name, Metric.unit, Community.name, ImportBatch.file_name, Site.address)
        .join(Metric, Metric.code == TallyEntry.metric_code)
        .outerjoin(Community, Community.id == TallyEntry.community_id)
        .outerjoin(ImportBatch, ImportBatch.id == TallyEntry.import_batch_id)
        .outerjoin(Site, Site.id == TallyEntry.site_id)
        .where(*_scope(s, date_from, date_to, None if community == WHOLE else community))
    )
    if community == WHOLE:
        q = q.where(TallyEntry.community_id.is_(None))
    if metric:
        q = q.where(TallyEntry.metric_code == metric)
    if batch_id is not None:
        q = q.where(TallyEntry.import_batch_id == batch_id)
    if site_id is not None:
        q = q.where(TallyEntry.site_id == site_id)
    if period:
        lo, hi = periods.period_start(period), periods.period_end(period)
        q = q.where(TallyEntry.period_start >= lo, TallyEntry.period_start <= hi)
    q = q.order_by(TallyEntry.period_start, TallyEntry.id).limit(limit)
    out = []
    for e, mname, unit, comm, fname, addr in s.execute(q):
        out.append(TallyEntryDTO(
            e.id, e.metric_code, mname, unit, comm, addr or e.site_text, e.period_start, e.period_end,
            Decimal(e.value), e.qualifier, e.import_batch_id, fname, e.source_sheet, e.source_row, e.source_column,
            e.entered_by, e.entered_at,
        ))  # fmt: skip
    return out


def summary(
    uow: UnitOfWork, date_from: dt.date | None = None, date_to: dt.date | None = None, community: str | None = None
) -> str:
    """The work-summary paragraph for a range (docs/domain.md), from the supervision items and the tallies."""
    from zhdesk.domain.stats import KIND_LABELS, Kind
    from zhdesk.dto import StatsFilter
    from zhdesk.services.stats import supervision_figures
    from zhdesk.tally.summary import summary_paragraph

    f = StatsFilter(date_from=date_from, date_to=date_to, community=community)
    fig = supervision_figures(uow, f)
    rows = []
    for k in Kind:
        c = fig.by_kind.get(k.value)
        if c is not None:
            rows.append((KIND_LABELS[k], c.issues, c.items))
    totals = metric_totals(uow, date_from, date_to, community)
    name = None
    if community:
        from zhdesk.services.sites import _community_by_name

        name = _community_by_name(uow.session, community).name
    return summary_paragraph(rows, (fig.total.issues, fig.total.items, fig.total.closed), totals, date_from, date_to,
                             name)  # fmt: skip


def write_template(uow: UnitOfWork, out: Path, overwrite: bool = False) -> Path:
    """The community tally template with headers and lists from this database's catalogue, written through
    the export guard (never over the open database; an existing file only with `overwrite`)."""
    from db.models import ProblemCategory
    from zhdesk.files import database_files, write_export
    from zhdesk.tally.template import write_template as write

    s = uow.session
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"模板文件名应以 .xlsx 结尾：{out}")
    if out.is_dir():
        raise UsageError(f"输出路径是文件夹：{out}，请给出文件名")
    q = select(Metric.code, Metric.name, Metric.unit).order_by(Metric.sort_order, Metric.code)
    metrics = [MetricInfo(c, n, u) for c, n, u in s.execute(q)]
    communities = list(s.scalars(select(Community.name).order_by(Community.sort_order, Community.id)))
    cats = select(ProblemCategory.name).where(ProblemCategory.active).order_by(ProblemCategory.id)
    categories = list(s.scalars(cats))

    def save(tmp: str) -> None:
        write(Path(tmp), metrics, communities, categories)

    return write_export(out, save, overwrite=overwrite, protected=database_files(uow.engine.url))


def imported_overlaps(
    uow: UnitOfWork, metric: str, start: dt.date, end: dt.date, community: str | None = None
) -> list[str]:
    """A hand figure over a period that imported tallies also cover would be counted twice: name the files."""
    s = uow.session
    m = s.get(Metric, metric)
    if m is None:
        return []
    q = (
        select(ImportBatch.file_name, func.min(TallyEntry.period_start), func.max(TallyEntry.period_end))
        .join(ImportBatch, ImportBatch.id == TallyEntry.import_batch_id)
        .where(TallyEntry.metric_code == metric, TallyEntry.period_start <= end, TallyEntry.period_end >= start)
        .group_by(ImportBatch.file_name)
        .order_by(ImportBatch.file_name)
    )
    if community:
        from zhdesk.services.sites import _community_by_name

        q = q.where(TallyEntry.community_id == _community_by_name(s, community).id)
    return [f"“{m.name}”在 {lo.isoformat()} 至 {hi.isoformat()} 已有导入的台账数字（{name}），与手工录入的时段重叠，"
            "统计时会重复计算" for name, lo, hi in s.execute(q)]  # fmt: skip
