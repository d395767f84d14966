from __future__ import annotations

import datetime as dt

import pytest

from zhdesk.domain.dates import fmt_cn, parse_date
from zhdesk.errors import UsageError


@pytest.mark.parametrize(
    "text", ["2021-03-05", "2021-3-5", "2021年3月5日", "2021.3.5", "2021/03/05", "２０２１－３－５"]
)
def test_accepted_forms(text: str) -> None:
    assert parse_date(text) == dt.date(2021, 3, 5)


@pytest.mark.parametrize("text", ["abc", "2021-13-45", "2021-02-30", "3月5日", ""])
def test_refused_with_field_name(text: str) -> None:
    with pytest.raises(UsageError, match="整改时限"):
        parse_date(text, "整改时限")


def test_chinese_format() -> None:
    assert fmt_cn(dt.date(2021, 3, 5)) == "2021年3月5日"
