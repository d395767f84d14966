"""What a write changed, so every screen can decide for itself whether to reload (after Anki's OpChanges).

A write through the window declares its `Changes` (`ui.ops.Ops.write`); the window broadcasts it after
the write succeeded and each page marks itself stale when a field it shows is set. Qt-free, so later
pages (the brief, the tallies) and the CLI can use the same description.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Changes:
    """Kinds of data a write touched; `site_id` narrows site-level data (events, photos) to one site."""

    sites: bool = False  # site rows: address, community, kind
    listings: bool = False  # listing status, deadline, light
    items: bool = False  # supervision batches and their items
    events: bool = False  # timeline events
    photos: bool = False
    figures: bool = False  # figures entered by hand (数字化城管件)
    settings: bool = False  # shared settings (warning days: every light may change)
    briefs: bool = False  # a 会议简报 saved: the recent list and the next issue number
    site_id: int | None = None  # None: any site may be concerned

    def __or__(self, other: Changes) -> Changes:
        merged = {f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self) if f.name != "site_id"}
        site = self.site_id if self.site_id == other.site_id else None
        return Changes(**merged, site_id=site)

    def any(self, *kinds: str) -> bool:
        """True if any of the named kinds changed (`changes.any("listings", "items")`)."""
        return any(getattr(self, k) for k in kinds)

    def concerns_site(self, site_id: int | None) -> bool:
        """Whether site-level data of `site_id` may have changed."""
        return self.site_id is None or site_id is None or self.site_id == site_id

    def for_site(self, site_id: int) -> Changes:
        return replace(self, site_id=site_id)


# What each kind of write touches. A workflow step changes the listing, may close its supervision item,
# and records an event on the site's timeline.
STATUS_CHANGED = Changes(listings=True, items=True, events=True)
SITE_CHANGED = Changes(sites=True, listings=True)
EVENTS_CHANGED = Changes(events=True)
PHOTOS_CHANGED = Changes(photos=True)  # the timeline shows each event's photos: it watches photos too
ITEMS_CHANGED = Changes(items=True)
# A new batch (or items added to one) may add sites, list them and record the listing on their timelines.
ITEMS_ADDED = Changes(sites=True, listings=True, items=True, events=True)
FIGURES_CHANGED = Changes(figures=True)
SETTINGS_CHANGED = Changes(settings=True)
