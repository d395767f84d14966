"""Records of a site-list import (导入点位清单), for the CLI and the window (no SQLAlchemy here).

Kept beside zhdesk/dto.py rather than in it so this branch merges cleanly; it may move there later."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class SiteImportRow:
    """One site the file would add: where it is in the file, and what."""

    sheet: str
    row: int  # spreadsheet row number (1-based)
    address: str
    community: str
    kind: str  # code (zhdesk.domain.vocab.SITE_KINDS)
    kind_label: str


@dataclass(frozen=True)
class SkippedSite:
    """A row not added because the address exists already (in the database or earlier in the file)."""

    row: int
    address: str
    community: str
    existing: str  # where it exists: "江西路社区（编号 12）" or "本文件第 4 行"


@dataclass(frozen=True)
class SiteImportReport:
    file: str
    sheet: str
    added: tuple[SiteImportRow, ...]
    new_communities: tuple[str, ...]
    skipped: tuple[SkippedSite, ...]
    imported: bool  # False: a preview (--check), nothing written

    def summary(self) -> str:
        """One line of Chinese saying what was (or would be) done."""
        verb = "已新增" if self.imported else "将新增"
        parts = [f"{self.file}：{verb} {len(self.added)} 处点位"]
        if self.new_communities:
            parts.append(f"{'新建' if self.imported else '将新建'} {len(self.new_communities)} 个社区"
                         f"（{'、'.join(self.new_communities)}）")  # fmt: skip
        if self.skipped:
            parts.append(f"跳过已存在的 {len(self.skipped)} 处")
        line = "，".join(parts)
        return line if self.imported else line + "（检查，未写入）"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
