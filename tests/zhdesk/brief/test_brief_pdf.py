"""The brief PDF, built through the Desk on real SQLite files and read back with poppler's tools."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from tests.imagefiles import picture
from tests.support import TODAY, dump
from tests.zhdesk.brief.conftest import assert_fonts_embedded, pdf_images, pdf_info, pdf_pages, pdf_text
from zhdesk.brief.pdf import NOTHING
from zhdesk.brief.text import NO_LINE_END, NO_LINE_START
from zhdesk.desk import Desk
from zhdesk.dto import BriefSpec, ContactInput, ListingInput
from zhdesk.errors import InputRefused, NotFound, UsageError

FIVE = ("江西路153号", "澄海路22号", "善化路18号院", "善化路19号院", "汕头路7号")
H1 = dt.date(2021, 1, 1), dt.date(2021, 6, 30)


def _build(desk: Desk, tmp_path: Path, name: str = "b.pdf", **spec: object) -> Path:
    out = tmp_path / name
    out.write_bytes(desk.brief_pdf(BriefSpec(**spec), TODAY, cache_dir=tmp_path / "cache"))  # type: ignore[arg-type]
    return out


def test_demo_brief_has_the_figures_sites_fonts_and_metadata(demo_desk: Desk, tmp_path: Path) -> None:
    pdf = _build(demo_desk, tmp_path, date_from=H1[0], date_to=H1[1], issue_no=7, issuer="珠海路街道城管办")
    text = pdf_text(pdf)
    flat = text.replace("\n", "")  # the summary paragraph wraps anywhere
    for fig in ("1758", "巡查26期54处", "中层步巡21期39处", "第7期", "珠海路街道城管办", *FIVE):
        assert fig in flat, fig
    assert "市容环境卫生综合整治工作简报" in pdf_text(pdf, 1)
    assert "第 1 页 共" in text or "第1页共" in text
    n = pdf_pages(pdf)
    assert f"第{n}页共{n}页" in pdf_text(pdf, n).replace(" ", "")
    assert_fonts_embedded(pdf)
    info = pdf_info(pdf)
    assert info["Title"] == "市容环境卫生综合整治工作简报 第7期"
    assert info["Author"] == "珠海路街道城管办"
    assert "2021年1月1日" in info["Subject"]


def test_overdue_listing_comes_first_with_a_grayscale_mark(demo_desk: Desk, tmp_path: Path) -> None:
    text = pdf_text(_build(demo_desk, tmp_path, sites="chosen", photos=False))
    table = text[text.index("四、挂牌督办点位"):]
    assert table.index("●超期") < table.index("▲临期") < table.index("○正常")
    assert table.index("江西路153号") < table.index("澄海路22号")


def test_no_photos_embeds_no_image(demo_desk: Desk, tmp_path: Path) -> None:
    with_photos = _build(demo_desk, tmp_path, "p.pdf")
    without = _build(demo_desk, tmp_path, "n.pdf", photos=False)
    assert pdf_images(with_photos)
    assert pdf_images(without) == []
    assert without.stat().st_size < with_photos.stat().st_size


def test_empty_range_says_so(demo_desk: Desk, tmp_path: Path) -> None:
    pdf = _build(demo_desk, tmp_path, date_from=dt.date(2030, 1, 1), date_to=dt.date(2030, 2, 1))
    text = pdf_text(pdf)
    assert NOTHING in text
    assert "主要指标" not in text and "图表" not in text
    # the sections printed are numbered in order, none skipped
    heads = [h for h in ("一、工作概况", "二、挂牌督办点位", "三、重点点位情况") if h in text]
    assert heads == ["一、工作概况", "二、挂牌督办点位", "三、重点点位情况"], text
    assert "四、" not in text
    assert_fonts_embedded(pdf)


def test_user_markup_prints_literally(desk: Desk, tmp_path: Path) -> None:
    note = '整改<b>未完成</b> & 再查 <font color=red>红</font>'
    site = desk.add_site("测试路1号<b>", "测试社区", note=note, new_community=True)
    pdf = _build(desk, tmp_path, sites="chosen", site_ids=(site.row.id,))
    text = pdf_text(pdf)
    assert "<b>未完成</b> & 再查 <font color=red>红</font>" in text
    assert "测试路1号<b>" in text


def test_kinsoku_on_a_long_note_in_the_pdf(desk: Desk, tmp_path: Path) -> None:
    note = ("街道坚持问题导向，（一）逐一建立台账，“一点一策”；（二）实行销号管理。截至6月底，"
            "共清理垃圾130吨、拆除违建5处！是否还有遗漏？请各社区《自查表》于本周内报送：逾期通报。") * 8
    site = desk.add_site("长备注路2号", "测试社区", note=note, new_community=True)
    text = pdf_text(_build(desk, tmp_path, sites="chosen", site_ids=(site.row.id,)))
    lines = [ln for ln in text.splitlines() if ln.strip()]
    start = next(i for i, ln in enumerate(lines) if ln.startswith("备注："))
    body = lines[start:start + 20]
    assert len(body) > 5 and "".join(body).startswith("备注：" + note[:30])
    for i, ln in enumerate(body):
        if i:
            assert ln[0] not in NO_LINE_START, ln
        assert ln[-1] not in NO_LINE_END, ln


def test_a_note_longer_than_a_page_splits_over_pages_whole(desk: Desk, tmp_path: Path) -> None:
    # 4,830 characters (a note holds at most 5,000): about two pages of small print
    note = "".join(f"第{i}条：街道逐一建立台账，实行销号管理，请各社区于本周内报送《自查表》。" for i in range(130))
    site = desk.add_site("长备注路3号", "测试社区", note=note, new_community=True)
    pdf = _build(desk, tmp_path, sites="chosen", site_ids=(site.row.id,), sections=("sites",))
    n = pdf_pages(pdf)
    assert n >= 2
    pages = [pdf_text(pdf, page) for page in range(1, n + 1)]
    for page, text in enumerate(pages, start=1):
        assert f"第{page}页共{n}页" in text.replace(" ", ""), page
    lines = [ln.replace(" ", "") for text in pages for ln in text.splitlines()]
    body = "".join(ln for ln in lines if not re.fullmatch(r"第\d+页共\d+页|生成时间：.*", ln))  # not the footers
    assert "备注：" + note in body


def test_a_site_with_30_photos_embeds_prepared_copies(desk: Desk, tmp_path: Path) -> None:
    site = desk.add_site("照片路3号", "测试社区", new_community=True)
    folder = tmp_path / "shots"
    folder.mkdir()
    for i in range(30):
        picture(i, (2400, 1800)).save(folder / f"{i:02d}.jpg", quality=95)
    desk.add_photos(site.row.id, sorted(folder.iterdir())[:15], "before")
    desk.add_photos(site.row.id, sorted(folder.iterdir())[15:], "after")
    pdf = _build(desk, tmp_path, sites="chosen", site_ids=(site.row.id,))
    images = pdf_images(pdf)
    assert len(images) == 2  # before and after side by side, not 30 pages of photos
    for w, h in images:
        assert max(w, h) < 1000  # about 200 dpi at the printed size, never the 2400 px original
    assert "共30张照片" in pdf_text(pdf)
    cached = list((tmp_path / "cache").glob("*.jpg"))
    assert len(cached) == 2


def test_500_listed_sites_table_repeats_its_header(desk: Desk, tmp_path: Path) -> None:
    with desk.uow() as uow:
        from zhdesk.services import sites as sites_svc

        for i in range(500):
            s = sites_svc.add_site(uow, f"长表路{i + 1}号", "测试社区", new_community=True)
            sites_svc.list_site_for_supervision(uow, s.row.id, ListingInput(
                TODAY - dt.timedelta(days=30), TODAY + dt.timedelta(days=i % 60 - 20), problem=f"问题{i}",
                contacts=(ContactInput("lead", person="孙书记"),)))
    pdf = _build(desk, tmp_path, sections=("listings",))
    n = pdf_pages(pdf)
    assert n >= 10
    for page in range(2, n + 1):
        assert "整改期限" in pdf_text(pdf, page), page
    for page in range(1, n + 1):  # laid out once: every footer gets the count of the finished document
        assert f"第{page}页共{n}页" in pdf_text(pdf, page).replace(" ", ""), page
    text = pdf_text(pdf)
    assert "长表路500号" in text and "长表路1号" in text


def test_bad_specs_are_refused_in_one_line(demo_desk: Desk, tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        demo_desk.brief_pdf(BriefSpec(sites="some"))
    with pytest.raises(NotFound):
        demo_desk.brief_pdf(BriefSpec(sites="chosen", site_ids=(99999,), photos=False))
    with pytest.raises(InputRefused):
        demo_desk.brief_pdf(BriefSpec(communities=("没有这个社区",)))


def test_write_brief_writes_the_file_and_record_brief_the_issue(demo_desk: Desk, tmp_path: Path) -> None:
    url = str(demo_desk.engine.url)
    assert demo_desk.next_brief_issue() == 1
    before = dump(url)
    r = demo_desk.write_brief(BriefSpec(photos=False), tmp_path / "w.pdf", cache_dir=tmp_path / "c")
    assert r.issue_no == 1 and r.pages == pdf_pages(tmp_path / "w.pdf")
    assert r.bytes == (tmp_path / "w.pdf").stat().st_size
    assert dump(url) == before  # building writes no row
    demo_desk.record_brief(r.issue_no)
    assert demo_desk.next_brief_issue() == 2
    demo_desk.record_brief(1)  # an older issue never moves the number back
    assert demo_desk.next_brief_issue() == 2


def test_save_brief_records_its_spec_for_recent_briefs(demo_desk: Desk, tmp_path: Path) -> None:
    spec = BriefSpec(date_from=H1[0], date_to=H1[1], communities=("江西路社区（示例）",), sites="chosen",
                     site_ids=(3, 5), photos=False, issue_no=12, issuer="珠海路街道", issued_on=dt.date(2021, 7, 2),
                     internal=True)  # fmt: skip
    r = demo_desk.save_brief(spec, tmp_path / "s.pdf")
    assert r.issue_no == 12 and (tmp_path / "s.pdf").read_bytes()[:5] == b"%PDF-"
    [rec] = demo_desk.recent_briefs()
    assert rec.spec == spec and rec.path == str(tmp_path / "s.pdf") and rec.pages == r.pages
    assert demo_desk.next_brief_issue() == 13
    # an automatic issue number is stored as the number it got, so 按原样重新生成 gives the same 期
    demo_desk.save_brief(BriefSpec(photos=False), tmp_path / "t.pdf")
    assert [x.spec.issue_no for x in demo_desk.recent_briefs()] == [13, 12]
    # a refused save records nothing
    before = dump(str(demo_desk.engine.url))
    with pytest.raises(UsageError):
        demo_desk.save_brief(BriefSpec(photos=False), tmp_path / "t.txt")
    assert dump(str(demo_desk.engine.url)) == before


def test_a_damaged_record_reads_with_defaults() -> None:
    from zhdesk.services.brief import spec_from_json, spec_to_json

    spec = BriefSpec(date_from=H1[0], site_ids=(1, 2), sections=("kpi",), title="<b>标题</b>")
    assert spec_from_json(spec_to_json(spec)) == spec
    assert spec_from_json("not json") == BriefSpec()
    damaged = ('{"issue_no": true, "sites": "x", "date_to": "2021-13-40", "sections": ["kpi", "zz"],'
               ' "site_ids": [1, "2", false], "photos": 0}')  # fmt: skip
    assert spec_from_json(damaged) == BriefSpec(sections=("kpi",), site_ids=(1,))


def test_time_charts_start_at_the_range_and_break_between_phases(demo_desk: Desk, tmp_path: Path) -> None:
    h1 = pdf_text(_build(demo_desk, tmp_path, "h1.pdf", date_from=H1[0], date_to=H1[1], photos=False))
    charts = h1[h1.index("三、图表"):h1.index("问题类别")]
    assert "2020年12月" not in charts  # the week of 2021-01-01 begins on 2020-12-28: it counts in January
    assert charts.index("2021年1月") < charts.index("6月")  # the axis spans the range asked for
    everything = pdf_text(_build(demo_desk, tmp_path, "all.pdf", photos=False))
    charts = everything[everything.index("三、图表"):everything.index("问题类别")]
    # the years between the two phases: one break, its dates on both sides, not 60 empty months
    assert charts.count("……") == 2 and "2021年" in charts and "2026年" in charts
    assert "2023年" not in charts


def test_a_saved_brief_is_on_the_audit_trail(demo_desk: Desk, tmp_path: Path) -> None:
    demo_desk.save_brief(BriefSpec(photos=False, issue_no=4), tmp_path / "a.pdf")
    [entry] = demo_desk.list_audit(action="brief.save")
    assert entry.action_label == "保存会议简报" and entry.detail["issue_no"] == 4


def test_the_section_count_is_the_number_of_site_sections_gathered(demo_desk: Desk) -> None:
    """The preview asks before building hundreds of site sections: the count it reads cheaply equals what
    `gather` lays out, for every way of choosing sites, communities and ranges."""
    import dataclasses

    from zhdesk.brief import data as brief_data

    base = BriefSpec(photos=False)
    specs = [
        base,
        dataclasses.replace(base, sites="all"),
        dataclasses.replace(base, communities=("汕头路社区（示例）",)),
        dataclasses.replace(base, sites="all", communities=("汕头路社区（示例）", "善化路社区（示例）")),
        dataclasses.replace(base, date_from=dt.date(2026, 1, 1)),
        dataclasses.replace(base, sites="chosen", site_ids=(1, 2, 2, 3)),
        dataclasses.replace(base, sections=("summary",)),
    ]
    counts = []
    for spec in specs:
        gathered = demo_desk.run(lambda uow, s=spec: len(brief_data.gather(uow, s).sites))
        counts.append(demo_desk.brief_section_count(spec))
        assert counts[-1] == gathered, spec
    assert counts[1] > counts[0] > counts[2] > 0 and counts[5] == 3 and counts[6] == 0
