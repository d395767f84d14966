"""Reference data every database starts with: problem categories and the metric catalogue.

Codes and figures come from docs/domain.md. Seeding is idempotent (get-or-create by key).
"""

from __future__ import annotations

from sqlalchemy import select

from db.models import Metric, ProblemCategory
from db.uow import UnitOfWork

# Edition of the national digital city-management event classification the codes follow;
# stored beside each code because codes were renumbered between editions.
STD_VERSION = "国标事件分类(新版编码)"

# (name, standard code or None for a local category)
CATEGORIES: tuple[tuple[str, str | None], ...] = (
    ("私搭乱建", "06001"),
    ("暴露垃圾", "06010"),
    ("积存垃圾渣土", "06011"),
    ("乱堆杂物", "06036"),
    ("非法占绿毁绿", "06045"),
    ("无照经营游商", "09001"),
    ("店外经营(跨门经营)", "09005"),
    ("占道经营", "09006"),
    ("无证建设", "08016"),
    ("大件垃圾", None),
    ("卫生死角", None),
    ("烟头纸屑", None),
    ("树叶杂草", None),
    ("噪音扰民", None),
    ("垃圾分类", None),
)

# (code, name as in the source, unit)
METRICS: tuple[tuple[str, str, str], ...] = (
    ("city_cases", "处置数字化城管件", "件"),
    ("mobilized", "组织发动人次", "人次"),
    ("compounds_cleaned", "清理整治楼院", "个"),
    ("illegal_buildings", "拆除违法建设", "处"),
    ("illegal_buildings_area", "拆除违法建设面积", "平方米"),
    ("unauthorized_structures", "乱搭乱建", "处"),
    ("unauthorized_structures_area", "乱搭乱建面积", "平方米"),
    ("street_vendors", "占路游商", "起"),
    ("cross_door_business", "跨门经营", "处"),
    ("noise_checks", "检查噪音扰民", "次"),
    ("shop_sorting_checks", "检查沿街商铺垃圾分类", "次"),
    ("notices", "下达告知书、责改文书", "份"),
    ("vehicle_trips", "出动清运车辆", "台次"),
    ("garbage_tons", "清理垃圾", "吨"),
    ("green_damage", "清理毁绿种菜", "处"),
    ("media_reports", "主流媒体刊(播)发新闻", "条"),
)


def seed_reference(uow: UnitOfWork) -> int:
    """Add missing categories and metrics; returns how many rows were added. Does not commit."""
    s = uow.session
    added = 0
    have_cats = set(s.scalars(select(ProblemCategory.name)))
    for name, code in CATEGORIES:
        if name not in have_cats:
            s.add(ProblemCategory(name=name, std_code=code, std_version=STD_VERSION if code else None))
            added += 1
    have_metrics = set(s.scalars(select(Metric.code)))
    for order, (code, name, unit) in enumerate(METRICS):
        if code not in have_metrics:
            s.add(Metric(code=code, name=name, unit=unit, sort_order=order))
            added += 1
    s.flush()
    return added
