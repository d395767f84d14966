"""When two typed addresses name the same place: the key a new or edited site's address is compared by.

Offices type the same gate differently (善化路18号院 / 善化路18号, full-width digits from a Chinese
input method, stray spaces, a trailing 。). The key folds those; the address itself is stored as typed.
"""

from __future__ import annotations

import re
import unicodedata

# Punctuation a copied address often ends with; meaningless for identity.
_TRAILING = "。.，,、；;：:！!？? "
_SPACE = re.compile(r"\s+")
# 18号院 ≡ 18号 (the compound at number 18); 院 only after 号, so 大院 / 学院 keep their meaning.
_HAO_YUAN = re.compile(r"号院")


def address_key(text: str) -> str:
    """A comparison key: NFKC (full-width digits and letters to ASCII), no spaces of any kind,
    号院 read as 号, trailing punctuation dropped, ASCII letters lower-cased."""
    t = unicodedata.normalize("NFKC", text)
    t = "".join(ch for ch in t if not ch.isspace() and unicodedata.category(ch) != "Cf")
    t = _SPACE.sub("", t)
    t = _HAO_YUAN.sub("号", t)
    t = t.rstrip(_TRAILING)
    return t.lower()
