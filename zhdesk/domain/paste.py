"""Supervision items as typed or pasted from a spreadsheet: trimmed, checked, one reason per bad row.
Pure (no storage), so the window checks a paste before anything is sent to the database."""

from __future__ import annotations

import re

from zhdesk.domain import fields
from zhdesk.domain.dates import parse_date
from zhdesk.dto import ItemInput, PastedRow
from zhdesk.errors import InputRefused, ZhdeskError

_DATE_LIKE = re.compile(r"\d{4}\s*[-./年]\s*\d{1,2}")


def clean_item(item: ItemInput, where: str) -> ItemInput:
    """The item with its texts trimmed and checked (`where` is e.g. 第3处：)."""
    if not item.address.strip():
        raise InputRefused(f"{where}缺少地址")
    return ItemInput(
        address=fields.required(item.address, fields.ADDRESS, label="地址", where=where),
        community=fields.clean(item.community, fields.COMMUNITY, where=where),
        problem=fields.clean(item.problem, fields.PROBLEM, where=where),
        category=fields.clean(item.category, fields.CATEGORY, where=where),
        deadline=item.deadline,
        unit=fields.clean(item.unit, fields.UNIT, label="责任单位", where=where),
        deferred=item.deferred,
    )



def parse_paste(text: str, default_community: str | None = None) -> list[PastedRow]:
    """Rows pasted from a spreadsheet: 地址 [TAB 问题] [TAB 整改时限] [TAB 责任单位] [TAB 社区].

    Rows that do not parse are returned with their error, for the user to see and consent to skip.
    """
    out: list[PastedRow] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        cells = [c.strip() for c in raw.split("\t")]
        cells += [""] * (5 - len(cells))
        address, problem, deadline_text, unit, community = cells[:5]
        if not address:
            out.append(PastedRow(n, raw, None, f"第{n}行：缺少地址"))
            continue
        deadline = None
        if deadline_text:
            try:
                deadline = parse_date(deadline_text, f"第{n}行整改时限")
            except ZhdeskError as exc:
                out.append(PastedRow(n, raw, None, exc.message))
                continue
        elif _DATE_LIKE.search(problem):
            hint = "请按 地址、问题、整改时限、责任单位、社区 的顺序粘贴"
            out.append(PastedRow(n, raw, None, f"第{n}行：第2列像是日期，{hint}"))
            continue
        item = ItemInput(address=address, community=community or default_community, problem=problem or None,
                         deadline=deadline, unit=unit or None)  # fmt: skip
        try:
            item = clean_item(item, f"第{n}行：")
        except InputRefused as exc:
            out.append(PastedRow(n, raw, None, exc.message))
            continue
        out.append(PastedRow(n, raw, item, None))
    return out

