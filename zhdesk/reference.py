"""Reference data every database starts with: problem categories and the metric catalogue.

Codes and figures come from docs/domain.md. Seeding is idempotent (get-or-create by key).
"""

from __future__ import annotations

from sqlalchemy import select

from db.models import Metric, MetricSynonym, ProblemCategory
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

# Headers communities write for the catalogue's metrics (names and codes match on their own).
SYNONYMS: tuple[tuple[str, str], ...] = (
    ("数字化城管件", "city_cases"), ("城管件", "city_cases"), ("处置城管件", "city_cases"),
    ("出动人次", "mobilized"), ("发动人次", "mobilized"), ("参与人次", "mobilized"), ("组织发动", "mobilized"),
    ("整治楼院", "compounds_cleaned"), ("清理楼院", "compounds_cleaned"), ("清理整治楼院数", "compounds_cleaned"),
    ("拆违", "illegal_buildings"), ("拆除违建", "illegal_buildings"), ("拆除违法建设处数", "illegal_buildings"),
    ("拆违面积", "illegal_buildings_area"), ("拆除违建面积", "illegal_buildings_area"),
    ("私搭乱建", "unauthorized_structures"), ("乱搭乱建处数", "unauthorized_structures"),
    ("私搭乱建面积", "unauthorized_structures_area"),
    ("游商", "street_vendors"), ("占道游商", "street_vendors"), ("无照经营游商", "street_vendors"),
    ("店外经营", "cross_door_business"), ("跨门营业", "cross_door_business"),
    ("噪音扰民", "noise_checks"), ("噪音扰民检查", "noise_checks"),
    ("垃圾分类检查", "shop_sorting_checks"), ("商铺垃圾分类", "shop_sorting_checks"),
    ("告知书", "notices"), ("责改文书", "notices"), ("下达告知书", "notices"), ("下达文书", "notices"),
    ("清运车辆", "vehicle_trips"), ("出动车辆", "vehicle_trips"), ("出动清运车辆台次", "vehicle_trips"),
    ("清理垃圾量", "garbage_tons"), ("垃圾清运量", "garbage_tons"), ("清运垃圾", "garbage_tons"),
    ("毁绿种菜", "green_damage"), ("清理毁绿", "green_damage"),
    ("新闻报道", "media_reports"), ("媒体报道", "media_reports"), ("刊发新闻", "media_reports"),
)  # fmt: skip


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
    from zhdesk.tally.text import header_key

    have_keys = set(s.scalars(select(MetricSynonym.key)))
    for text, code in SYNONYMS:
        key = header_key(text)
        if key not in have_keys:
            s.add(MetricSynonym(key=key, text=text, metric_code=code))
            have_keys.add(key)
            added += 1
    s.flush()
    return added
