"""The work-summary paragraph in the form of the source (docs/domain.md): supervision figures, then the
tally figures. Every number comes from the caller; zero clauses are left out; qualifiers printed back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from zhdesk.dto import MetricTotal

# How the source words each metric; {v} is the figure with its qualifier. Metrics added later in 设置 are
# worded "{name}{v}{unit}".
CLAUSES: dict[str, str] = {
    "mobilized": "共组织发动街道工作人员、执法人员、环卫职工、退役士兵公益岗、党员志愿者、楼组长{v}人次",
    "compounds_cleaned": "完成了{v}个楼院的清理整治",
    "street_vendors": "占路游商{v}起",
    "cross_door_business": "跨门经营{v}处",
    "noise_checks": "检查噪音扰民{v}次",
    "shop_sorting_checks": "检查沿街商铺垃圾分类{v}次",
    "notices": "下达告知书、责改文书{v}份",
    "vehicle_trips": "出动清运车辆{v}台次",
    "garbage_tons": "清理垃圾{v}吨",
    "green_damage": "清理毁绿种菜{v}处",
    "media_reports": "主流媒体刊(播)发新闻{v}条",
}
# A count and its area in one clause: 拆除违法建设5处、共29平方米.
PAIRS: dict[str, tuple[str, str]] = {
    "illegal_buildings": ("illegal_buildings_area", "拆除违法建设"),
    "unauthorized_structures": ("unauthorized_structures_area", "乱搭乱建"),
}
_PAIRED = {area for area, _ in PAIRS.values()}


def _cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def summary_paragraph(
    supervision: Sequence[tuple[str, int, int]],
    total: tuple[int, int, int],
    metrics: Sequence[MetricTotal],
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    community: str | None = None,
) -> str:
    """`supervision`: (kind label, 期, 处) per kind in the source's order; `total`: (期, 处, 办结处)."""
    by_code = {m.code: m for m in metrics}
    if date_from and date_to:
        lead = f"{_cn_date(date_from)}至{_cn_date(date_to)}，"
    elif date_from:
        lead = f"{_cn_date(date_from)}以来，"
    elif date_to:
        lead = f"截至{_cn_date(date_to)}，"
    else:
        lead = "目前，"
    if community:
        lead += f"{community}"
    first: list[str] = []
    city = by_code.get("city_cases")
    if city is not None and city.value:
        first.append(f"已处置数字化城管件{city.text}件")
    named = [(label, issues, items) for label, issues, items in supervision if items or issues]
    parts = [f"{label}{issues}期{items}处" for label, issues, items in named if label != "其他"]
    other = [(i, n) for label, i, n in named if label == "其他"]
    issues, items, closed = total
    if items:
        tail = f"共计{issues}期、{items}处" + ("全部办结" if closed == items else f"，办结{closed}处")
        if other:
            sup = "，".join(parts) + ("及" if parts else "") + f"其他各类督办件{other[0][0]}期{other[0][1]}处，" + tail
        else:
            sup = "，".join(parts) + ("，" if parts else "") + tail
        first.append(sup)
    second: list[str] = []
    for m in metrics:
        if m.code in ("city_cases", *_PAIRED) or not m.value:
            if m.code in PAIRS and not m.value:
                area = by_code.get(PAIRS[m.code][0])
                if area is not None and area.value:
                    second.append(f"{PAIRS[m.code][1]}共{area.text}{area.unit}")
            continue
        if m.code in PAIRS:
            area = by_code.get(PAIRS[m.code][0])
            clause = f"{PAIRS[m.code][1]}{m.text}{m.unit}"
            if area is not None and area.value:
                clause += f"、共{area.text}{area.unit}"
            second.append(clause)
        elif m.code in CLAUSES:
            second.append(CLAUSES[m.code].format(v=m.text))
        else:
            second.append(f"{m.name}{m.text}{m.unit}")
    sentences = []
    if first:
        sentences.append(lead + "，".join(first) + "。")
    if second:
        prefix = "同时，" if first else lead
        who = "社区" if community else "街道"
        sentences.append(prefix + f"{who}开展集中清理、长效维护工作，" + "，".join(second) + "。")
    if not sentences:
        return lead + "所选时段内没有督办件和台账数字。"
    return "".join(sentences)
