"""The brief's site sections read a batch of sites at a time (brief/data.sections_of: sites.rows_and_notes,
timeline.timelines, photos.photos_of_sites) and equal the per-site reads they replaced (the dossier's row
and note, list_timeline, list_photos), on random databases, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import select

from db.models import EventActor, Photo, PhotoBlob, Site, TimelineEvent, User
from tests.zhdesk.services.test_site_page import TODAY, random_sites
from zhdesk.brief import data as brief_data
from zhdesk.brief.data import PHOTOS_PER_PHASE, SiteSection
from zhdesk.desk import Desk
from zhdesk.dto import BriefSpec
from zhdesk.errors import NotFound
from zhdesk.services import dossier as dossier_svc
from zhdesk.services import photos as photos_svc
from zhdesk.services import timeline as timeline_svc

KINDS = ("inspection", "interview", "action", "unknown_kind")  # an unknown kind shows its code


def random_sections(desk: Desk, rnd: random.Random, n: int) -> list[int]:
    """random_sites, plus notes, timeline events (some deleted, some with actors or a time, same-day ties)
    and photos (some deleted, some undated, shared blobs): the site ids."""
    random_sites(desk, rnd, n)
    with desk.uow() as uow:
        s = uow.session
        users = list(s.scalars(select(User.id)))
        blobs = [PhotoBlob(sha256=f"{k:064x}", size=100 + k, mime="image/jpeg", data=b"x") for k in range(5)]
        s.add_all(blobs)
        sites = list(s.scalars(select(Site).order_by(Site.id)))
        for site in sites:
            site.note = rnd.choice([None, "", "备注：夜间复查", f"第{site.id}处"])
            events = []
            for _ in range(rnd.choice([0, 0, 1, 3, 14])):
                on = TODAY - dt.timedelta(days=rnd.randint(0, 5))
                ev = TimelineEvent(
                    site_id=site.id, kind=rnd.choice(KINDS), occurred_on=on,
                    occurred_at=rnd.choice([None, dt.time(9, 30), dt.time(14, 0)]), text=rnd.choice([None, "巡查"]),
                    author_id=rnd.choice([None, *users]), deleted=rnd.random() < 0.15,
                )  # fmt: skip
                s.add(ev)
                events.append(ev)
            s.flush()
            for ev in events:
                for name in rnd.sample(["张三", "城管中队", "李四"], rnd.randint(0, 2)):
                    s.add(EventActor(event_id=ev.id, name=name))
            for _ in range(rnd.choice([0, 1, 2, 5])):
                taken = TODAY - dt.timedelta(days=rnd.randint(0, 3), hours=rnd.randint(0, 9))
                s.add(Photo(
                    site_id=site.id, sha256=rnd.choice(blobs).sha256, phase=rnd.choice(["before", "during", "after"]),
                    taken_at=rnd.choice([None, taken]), file_name="p.jpg", width=rnd.choice([None, 4000, 3000]),
                    height=3000, deleted=rnd.random() < 0.1,
                    event_id=rnd.choice([None, *(e.id for e in events)]),
                ))  # fmt: skip
        uow.commit()
        return [site.id for site in sites]


def per_site(desk: Desk, site_id: int, photos: bool) -> SiteSection:
    """A section as the brief read it before the batch: the site's dossier, timeline and photos."""
    with desk.uow() as uow:
        d = dossier_svc.site_dossier(uow, site_id, TODAY)
        events = tuple(timeline_svc.list_timeline(uow, site_id))
        every = photos_svc.list_photos(uow, site_id) if photos else []
    before = tuple(p for p in every if p.phase == "before")[:PHOTOS_PER_PHASE]
    after = tuple(p for p in every if p.phase == "after")[-PHOTOS_PER_PHASE:]
    return SiteSection(d.row, d.detail.note, events, before, after, len(every))


@pytest.mark.parametrize("seed", [3, 4])
def test_batched_sections_equal_the_per_site_reads(desk: Desk, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rnd = random.Random(seed)
    ids = random_sections(desk, rnd, 40)
    monkeypatch.setattr(brief_data, "SECTION_CHUNK", 7)  # several batches, the last one short
    chosen = rnd.sample(ids, 30)  # any order, as 点位 chosen by hand
    for photos in (True, False):
        with desk.uow() as uow:
            got = brief_data.sections_of(uow, chosen, photos, TODAY)
        assert got == tuple(per_site(desk, i, photos) for i in chosen)
    assert any(sec.events for sec in got) and any(sec.note for sec in got)
    with desk.uow() as uow:
        shown = brief_data.sections_of(uow, chosen, True, TODAY)
    assert any(sec.photo_count > len(sec.before) + len(sec.after) for sec in shown)


def test_the_brief_gathers_the_same_sections(desk: Desk) -> None:
    ids = random_sections(desk, random.Random(5), 25)
    with desk.uow() as uow:
        data = brief_data.gather(uow, BriefSpec(sites="all"), TODAY)
    assert len(data.sites) == len(ids)
    assert data.sites == tuple(per_site(desk, sec.row.id, True) for sec in data.sites)


def test_an_unknown_site_is_named(desk: Desk) -> None:
    ids = random_sections(desk, random.Random(6), 5)
    with desk.uow() as uow, pytest.raises(NotFound, match="找不到编号为 9999 的点位"):
        brief_data.sections_of(uow, [ids[0], 9999, ids[1], 9998], True, TODAY)
    with desk.uow() as uow:
        assert brief_data.sections_of(uow, [], True, TODAY) == ()
        assert timeline_svc.timelines(uow, []) == {} and photos_svc.photos_of_sites(uow, []) == {}
