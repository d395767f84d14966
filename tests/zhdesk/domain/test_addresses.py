"""address_key: the spellings of one address an office types."""

from __future__ import annotations

import pytest

from zhdesk.domain.addresses import address_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("善化路18号院", "善化路18号"),
        ("江西路１５３号", "江西路153号"),
        ("江西路 153 号", "江西路153号"),
        ("江西路\u3000153号。", "江西路153号"),
        ("Ａ座1号", "a座1号"),
    ],
)
def test_same_place(a: str, b: str) -> None:
    assert address_key(a) == address_key(b)


@pytest.mark.parametrize(
    ("a", "b"), [("江西路153号", "江西路15号"), ("善化路18号", "善化路19号院"), ("学院路1号", "学路1号")]
)
def test_different_places(a: str, b: str) -> None:
    assert address_key(a) != address_key(b)
