"""The brief's Word copy (.docx): read back with python-docx, and converted to PDF by LibreOffice Writer and
read with poppler's tools, on real SQLite files."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from PIL import Image

from tests.support import TODAY, assert_error, assert_ok, dump, zhdesk
from tests.zhdesk.brief.conftest import assert_fonts_embedded, pdf_text
from zhdesk.brief.docx import plain
from zhdesk.brief.images import edge_for
from zhdesk.brief.pdf import NOTHING, PHOTO_H, PHOTO_W
from zhdesk.desk import Desk
from zhdesk.dto import BriefSpec
from zhdesk.errors import UsageError

FIVE = ("江西路153号", "澄海路22号", "善化路18号院", "善化路19号院", "汕头路7号")
H1 = dt.date(2021, 1, 1), dt.date(2021, 6, 30)
FONTS = Path(__file__).resolve().parents[3] / "resources" / "fonts"

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# soffice alone may be Calc only: Writer's library must be there to open a .docx
WRITER = SOFFICE is not None and any(
    (Path(SOFFICE).resolve().parent / lib).exists() for lib in ("libswlo.so", "libswlo.dylib", "swlo.dll")
)
needs_writer = pytest.mark.skipif(
    not WRITER, reason="LibreOffice Writer is not installed: run `sh tools/sysdeps.sh office` (Debian) to convert "
    "the Word brief")  # fmt: skip


def _word(desk: Desk, tmp_path: Path, name: str = "b.docx", **spec: object) -> Path:
    out = tmp_path / name
    r = desk.write_brief(BriefSpec(**spec), out, False, TODAY, tmp_path / "cache")  # type: ignore[arg-type]
    assert r.pages == 0 and r.bytes == out.stat().st_size
    return out


def _text(path: Path) -> str:
    """Every paragraph's text, tables' cells included, in document order."""
    body = Document(str(path)).element.body
    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p")))


def to_pdf(docx: Path, out_dir: Path) -> Path:
    """LibreOffice converts the file (headless, a private profile, a timeout). Fonts: the system's plus the
    bundled one (a private fontconfig file), as on a desktop with a Chinese font; CI machines often have none."""
    assert SOFFICE is not None
    out_dir.mkdir(parents=True, exist_ok=True)
    conf = out_dir / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{FONTS}</dir><cachedir>{out_dir / 'fc-cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    env = {**os.environ, "HOME": str(out_dir), "FONTCONFIG_FILE": str(conf)}
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={(out_dir / 'lo-profile').as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(out_dir), str(docx)],
        check=True, capture_output=True, timeout=180, env=env,
    )  # fmt: skip
    pdf = out_dir / (docx.stem + ".pdf")
    assert pdf.exists(), f"LibreOffice did not write {pdf}"
    return pdf


def test_word_brief_has_tables_figures_sites_images_and_properties(demo_desk: Desk, tmp_path: Path) -> None:
    path = _word(demo_desk, tmp_path, date_from=H1[0], date_to=H1[1], issue_no=7, issuer="珠海路街道城管办",
                 internal=True)  # fmt: skip
    doc = Document(str(path))
    text = _text(path)
    flat = text.replace("\n", "")
    for fig in (
        "市容环境卫生综合整治工作简报",
        "第7期",
        "珠海路街道城管办",
        "内部资料",
        "1758",
        "巡查26期54处",
        "中层步巡21期39处",
        "二、主要指标",
        "三、图表",
        "四、挂牌督办点位",
        "五、重点点位情况",
        *FIVE,
    ):
        assert fig in flat, fig  # fmt: skip
    # KPI ×2, the 挂牌督办 table, photo pairs and timelines
    assert len(doc.tables) >= 5
    listing = next(t for t in doc.tables if t.rows[0].cells[0].text == "标记")
    assert listing.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    marks = [row.cells[0].text for row in listing.rows[1:]]
    assert marks[0] == "●超期" and "▲临期" in marks and "○正常" in marks
    # the charts (PNG) and the prepared photos (JPEG at ~200 dpi, never the original), each well under 1 MB
    images = [r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/image")]
    kinds = [Image.open(io.BytesIO(p.blob)).format for p in images]
    assert kinds.count("PNG") == 4 and kinds.count("JPEG") >= 5, kinds
    for part in images:
        assert len(part.blob) < 1024 * 1024
        img = Image.open(io.BytesIO(part.blob))
        if img.format == "JPEG":
            assert max(img.size) <= edge_for(PHOTO_W, PHOTO_H)
    # Chinese text on the eastAsia slot; A4; footer fields; core properties
    fonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "宋体" and fonts.get(qn("w:asciiTheme")) is None
    assert doc.styles["Heading 1"].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"
    sec = doc.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    footer = "".join(t.text or "" for t in sec.footer._element.iter(qn("w:instrText")))
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert "生成时间" in sec.footer.paragraphs[0].text
    props = doc.core_properties
    assert props.title == "市容环境卫生综合整治工作简报 第7期"
    assert props.author == "珠海路街道城管办"
    assert "2021年1月1日" in props.subject


@needs_writer
def test_libreoffice_opens_the_word_brief(demo_desk: Desk, tmp_path: Path) -> None:
    path = _word(demo_desk, tmp_path, date_from=H1[0], date_to=H1[1])
    pdf = to_pdf(path, tmp_path / "lo")
    flat = pdf_text(pdf).replace("\n", "").replace(" ", "")
    for fig in ("1758", "巡查26期54处", "共计64期", "第1页共", *FIVE):
        assert fig in flat, fig
    assert "市容环境卫生综合整治工作简报" in pdf_text(pdf, 1)
    assert_fonts_embedded(pdf)


def test_user_text_is_plain_in_the_word_brief(desk: Desk, tmp_path: Path) -> None:
    note = "整改<b>未完成</b> & 再查 <font color=red>红</font>"
    site = desk.add_site("测试路1号<b>", "测试社区", note=note, new_community=True)
    text = _text(_word(desk, tmp_path, sites="chosen", site_ids=(site.row.id,)))
    assert "备注：整改<b>未完成</b> & 再查 <font color=red>红</font>" in text
    assert "测试路1号<b>" in text


def test_plain_drops_only_what_xml_refuses() -> None:
    # the stores refuse control characters; text from elsewhere (a setting, a future field) must still not
    # make python-docx fail
    assert plain("a<b>&\x07\x1b\ufffe\tb\n") == "a<b>&\tb\n"


def test_empty_range_says_so_in_the_word_brief(demo_desk: Desk, tmp_path: Path) -> None:
    text = _text(_word(demo_desk, tmp_path, date_from=dt.date(2030, 1, 1), date_to=dt.date(2030, 2, 1)))
    assert NOTHING in text
    assert "主要指标" not in text and "图表" not in text
    assert "一、工作概况" in text and "二、挂牌督办点位" in text  # numbered as printed, as in the PDF


def test_no_photos_no_jpeg(demo_desk: Desk, tmp_path: Path) -> None:
    doc = Document(str(_word(demo_desk, tmp_path, photos=False)))
    images = [r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/image")]
    assert all(Image.open(io.BytesIO(p.blob)).format == "PNG" for p in images)


def test_other_suffixes_are_refused_and_write_nothing(demo_desk: Desk, tmp_path: Path) -> None:
    url = str(demo_desk.engine.url)
    before = dump(url)
    with pytest.raises(UsageError) as e:
        demo_desk.write_brief(BriefSpec(photos=False), tmp_path / "b.doc")
    assert ".docx" in e.value.message and "\n" not in e.value.message
    assert not (tmp_path / "b.doc").exists()
    assert dump(url) == before


def test_cli_writes_the_word_brief(tmp_path: Path) -> None:
    db = f"sqlite:///{(tmp_path / 'd.db').as_posix()}"
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert_ok(zhdesk("demo", db=db, cwd=tmp_path))
    r = zhdesk("brief", "-o", "b.docx", "--from", "2021-01-01", "--to", "2021-06-30", db=db, cwd=tmp_path, env=env)
    assert_ok(r)
    assert "第1期" in r.out and "b.docx" in r.out and "Word" in r.out
    flat = _text(tmp_path / "b.docx").replace("\n", "")
    assert "巡查26期54处" in flat and all(s in flat for s in FIVE)
    bad = zhdesk("brief", "-o", "b.txt", db=db, cwd=tmp_path, env=env)
    assert_error(bad, 2)
    assert ".docx" in bad.err
    assert not (tmp_path / "b.txt").exists()
