"""The same report read from every format normalizes to (nearly) the same text."""

from __future__ import annotations

import difflib
import hashlib
import re
from pathlib import Path

import pytest

import ingest_builders as build
from scorer.ingest import SUPPORTED_SUFFIXES, Document, load_document

SEEDS = {p.name[:3]: p for p in sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))}
BUILDERS = {
    "gb18030": (build.make_txt_gb18030, ".txt", "txt"),
    "docx": (build.make_docx, ".docx", "docx"),
    "pdf": (build.make_pdf, ".pdf", "pdf"),
    "html": (build.make_html, ".html", "html"),
}


def flat(text: str) -> str:
    return re.sub(r"\s", "", text)


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, flat(a), flat(b), autojunk=False).ratio()


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> dict[str, Document]:
    """Each seed read as the UTF-8 text it is."""
    folder = tmp_path_factory.mktemp("utf8")
    return {
        key: load_document(build.make_txt_utf8(path.read_text("utf-8"), folder / path.name))
        for key, path in SEEDS.items()
    }


@pytest.mark.parametrize("kind", BUILDERS)
def test_seed_000_reads_the_same_in_every_format(kind, baseline, tmp_path):
    make, suffix, fmt = BUILDERS[kind]
    document = load_document(make(SEEDS["000"].read_text("utf-8"), tmp_path / f"report{suffix}"))
    assert document.format == fmt
    assert similarity(document.text, baseline["000"].text) >= 0.97
    assert "市法院市法院" not in document.text
    assert document.meta.unit == "青海省海西州格尔木市人民法院"
    assert document.meta.title == "擎起文明司法一面旗——青海省海西州格尔木市人民法院文明单位创建纪实"


@pytest.mark.parametrize("key", ["001", "002", "003", "004"])
@pytest.mark.parametrize("kind", ["pdf", "html"])
def test_other_seeds_survive_pdf_and_html(kind, key, baseline, tmp_path):
    make, suffix, _ = BUILDERS[kind]
    document = load_document(make(SEEDS[key].read_text("utf-8"), tmp_path / f"report{suffix}"))
    assert similarity(document.text, baseline[key].text) >= 0.97
    assert document.meta.unit == baseline[key].meta.unit


def test_html_site_chrome_is_gone(tmp_path):
    text = load_document(build.make_html(SEEDS["000"].read_text("utf-8"), tmp_path / "page.html")).text
    for chrome in build.HTML_CHROME + ("统计代码", "工作动态", "通知公告", "机构设置"):
        assert chrome not in text
    assert text.startswith("纪实·服务\n擎起文明司法一面旗")


def test_seed_footer_inside_html_is_gone(tmp_path):
    """003 carries its own site footer, which the HTML builder puts in one <p>."""
    text = load_document(build.make_html(SEEDS["003"].read_text("utf-8"), tmp_path / "page.html")).text
    for chrome in ("网群", "Copyright", "版权所有", "备案号", "地址:"):
        assert chrome not in text


def test_pdf_lines_rewrapped_by_weasyprint_are_joined(tmp_path):
    text = load_document(build.make_pdf(SEEDS["000"].read_text("utf-8"), tmp_path / "r.pdf")).text
    unfinished = [p for p in text.split("\n") if len(p) > 30 and p.rstrip("”’）)")[-1] not in "。！？；…"]
    assert unfinished == ["擎起文明司法一面旗——青海省海西州格尔木市人民法院文明单位创建纪实"]  # the title
    assert "近年来，青海省海西州格尔木市人民法院（以下简称格尔木市人民法院）以习近平新时代中国特色社会主义思想为指导" in text


def test_document_fields(tmp_path):
    raw = SEEDS["000"].read_text("utf-8")
    path = build.make_txt_gb18030(raw, tmp_path / "report.txt")
    document = load_document(str(path))
    data = path.read_bytes()
    assert document.path == str(path)
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.size == len(data)
    assert (document.format, document.encoding) == ("txt", "gb18030")
    assert document.text.startswith("纪实·服务\n")


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("utf-16", "utf-16")],
)
def test_text_encodings(encoding, expected, tmp_path):
    raw = SEEDS["001"].read_text("utf-8")
    path = tmp_path / "report.md"
    path.write_bytes(raw.encode(encoding))
    document = load_document(path)
    assert document.encoding == expected
    assert document.meta.unit == "青海省高级人民法院"


def test_format_is_chosen_by_content_not_extension(tmp_path):
    raw = SEEDS["002"].read_text("utf-8")
    pdf_named_txt = build.make_pdf(raw, tmp_path / "report.txt")
    html_named_txt = build.make_html(raw, tmp_path / "page.txt")
    docx_named_bin = build.make_docx(raw, tmp_path / "report.bin")
    assert load_document(pdf_named_txt).format == "pdf"
    assert load_document(html_named_txt).format == "html"
    assert load_document(docx_named_bin).format == "docx"


def test_docx_tables_are_read_in_body_order(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("薛城区人民法院文明单位创建工作总结")
    document.add_paragraph("近年来，我院深入开展文明单位创建活动，取得明显成效。获得荣誉如下。")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "全省政法系统先进基层党组织"
    table.cell(0, 1).text = "2016年"
    table.cell(1, 0).merge(table.cell(1, 1)).text = "全市党建创新先进单位（合并单元格）"
    document.add_paragraph("今后，我院将继续巩固创建成果，推动文明创建工作再上新台阶。")
    path = tmp_path / "tables.docx"
    document.save(str(path))
    paragraphs = load_document(path).text.split("\n")
    assert paragraphs.index("全省政法系统先进基层党组织") > paragraphs.index(
        "近年来，我院深入开展文明单位创建活动，取得明显成效。获得荣誉如下。"
    )
    assert paragraphs.count("全市党建创新先进单位（合并单元格）") == 1
    assert paragraphs[-1].startswith("今后，我院将继续巩固创建成果")


def test_supported_suffixes():
    assert set(SUPPORTED_SUFFIXES) == {".txt", ".md", ".docx", ".pdf", ".html", ".htm"}
