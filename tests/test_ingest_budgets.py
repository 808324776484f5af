"""Budgets before work: hostile inputs are refused while being read, with the limit named.

Every bomb here is built at test time (tests/hostile.py). How fast and how small the
refusals are is measured by bench/bench_bombs.py, not asserted here.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import hostile
from scorer.errors import InputError
from scorer.ingest import load_document
from scorer.ingest.limits import Limits

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
STRONG = SEEDS[0].read_text("utf-8")


def problem_of(path, **limits) -> str:
    with pytest.raises(InputError) as caught:
        load_document(path, **limits)
    err = caught.value
    assert str(err) == f"{path}: {err.problem}"
    assert "\n" not in err.problem and err.problem[0].islower()
    return err.problem


# --- the settings ---------------------------------------------------------------------


def test_limits_are_one_frozen_dataclass_with_defaults():
    limits = Limits()
    assert limits.max_bytes == 20 * 2**20
    assert limits.max_unpacked_bytes == 50 * 2**20
    assert {f.name for f in dataclasses.fields(Limits)} == {
        "max_bytes", "max_unpacked_bytes", "max_depth", "max_elements", "max_pages", "max_chars",
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        limits.max_pages = 1  # type: ignore[misc]


def test_a_small_file_limit_lowers_the_unpack_limit_unless_given():
    assert Limits.from_keywords(max_bytes=100_000).max_unpacked_bytes == 1_000_000
    assert Limits.from_keywords(max_bytes=100_000, max_unpacked_bytes=5_000).max_unpacked_bytes == 5_000


def test_unknown_limit_is_a_programming_error(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text(STRONG, encoding="utf-8")
    with pytest.raises(TypeError, match="max_pagez"):
        load_document(path, max_pagez=3)


def test_a_limits_object_and_keywords_combine(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text(STRONG, encoding="utf-8")
    assert "(limit max_chars)" in problem_of(path, limits=Limits(max_pages=3), max_chars=1000)


# --- .docx --------------------------------------------------------------------------------


def test_docx_of_190_mb_empty_paragraphs_is_refused_by_its_declared_size(tmp_path):
    path = hostile.docx_empty_paragraphs(tmp_path / "empty.docx", 190_000_000)
    assert path.stat().st_size < 1_000_000
    problem = problem_of(path)
    assert "52,428,800-byte limit" in problem and "(limit max_unpacked_bytes" in problem


def test_docx_whose_zip_lies_about_its_size_stops_at_the_declared_size(tmp_path):
    """zipfile inflates a member no further than its declared size, then fails the CRC."""
    source = hostile.docx_of_text(tmp_path / "text.docx", 3_000_000)
    path = hostile.lying_docx(source, tmp_path / "lying.docx")
    assert "the .docx file is corrupt" in problem_of(path)


def test_docx_text_over_the_character_budget_is_refused_while_streaming(tmp_path):
    # 9 MB of XML, under the unpack limit, holding more than 1,000,000 characters.
    path = hostile.docx_of_text(tmp_path / "long.docx", 9_000_000)
    assert "holds more than 1,000,000 characters of text (limit max_chars)" in problem_of(path)


def test_docx_of_empty_paragraphs_under_the_unpack_limit_is_stopped_by_the_element_budget(tmp_path):
    path = hostile.docx_empty_paragraphs(tmp_path / "empty.docx", 7_000_000)  # 1,166,600 elements
    assert "more than 1,000,000 XML elements (limit max_elements)" in problem_of(path)


def test_docx_nested_too_deep_is_refused(tmp_path):
    path = hostile.docx_deep(tmp_path / "deep.docx", 5_000)
    assert "nests XML elements more than 256 deep (limit max_depth)" in problem_of(path)


def test_docx_with_a_dtd_is_refused(tmp_path):
    path = hostile.write_docx(tmp_path / "dtd.docx", [])
    import zipfile

    laughs = (
        '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "法院法院法院法院">]>'
        f'<w:document xmlns:w="{hostile.W_NS}"><w:body><w:p><w:r><w:t>&a;</w:t></w:r></w:p></w:body></w:document>'
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", laughs)
    assert "declares a DTD" in problem_of(path)


def test_a_normal_docx_is_read_within_the_budgets(tmp_path):
    path = hostile.docx_of_report(STRONG, tmp_path / "ok.docx")
    assert "格尔木市人民法院" in load_document(path).text


# --- HTML -----------------------------------------------------------------------------------


def test_html_nested_100000_deep_is_refused_before_parsing(tmp_path):
    path = tmp_path / "deep.html"
    path.write_bytes(hostile.deep_html(100_000))
    assert path.stat().st_size > 1_000_000
    assert "nests elements more than 256 deep (limit max_depth)" in problem_of(path)


def test_html_nested_200_deep_is_read(tmp_path):
    path = tmp_path / "deep.html"
    path.write_bytes(hostile.deep_html(200, STRONG))
    assert "格尔木市人民法院" in load_document(path).text


def test_unclosed_inline_tags_closed_by_their_block_do_not_count_as_depth(tmp_path):
    """<div><span>… </div>: the parser closes the span; so does the depth scan."""
    body = "".join(f"<div><span><b>{line}</div>" for line in STRONG.splitlines() * 20 if line.strip())
    path = tmp_path / "sloppy.html"
    path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    assert "格尔木市人民法院" in load_document(path).text


def test_html_with_too_many_elements_is_refused(tmp_path):
    path = tmp_path / "many.html"
    path.write_text("<html><body><p>" + "<i>法</i>" * 1_000_001 + "</body></html>", encoding="utf-8")
    assert "more than 1,000,000 elements (limit max_elements)" in problem_of(path)


def test_html_depth_limit_is_a_setting(tmp_path):
    path = tmp_path / "deep.html"
    path.write_bytes(hostile.deep_html(40, STRONG))
    assert "more than 30 deep (limit max_depth)" in problem_of(path, max_depth=30)


# --- PDF ------------------------------------------------------------------------------------


def test_pdf_of_10000_pages_is_refused_before_any_page_is_read(tmp_path):
    path = hostile.many_pages_pdf(tmp_path / "pages.pdf", 10_000)
    assert problem_of(path) == "the PDF has 10,000 pages, over the 500-page limit (limit max_pages)"


def test_pdf_page_limit_is_a_setting(tmp_path):
    path = hostile.many_pages_pdf(tmp_path / "pages.pdf", 30)
    assert "over the 20-page limit (limit max_pages)" in problem_of(path, max_pages=20)
    # Under the limit, the empty pages are read and found to be a scan.
    assert "no text layer" in problem_of(path, max_pages=30)


def test_pdf_text_over_the_character_budget_is_refused(tmp_path):
    import ingest_builders as build

    path = build.make_pdf(STRONG, tmp_path / "r.pdf")
    assert "the PDF holds more than 1,000 characters of text (limit max_chars)" in problem_of(path, max_chars=1000)


# --- text -------------------------------------------------------------------------------------


def test_text_over_the_character_budget_is_refused(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(STRONG * 700, encoding="utf-8")  # 2.7 million characters, 8 MB
    assert "holds more than 1,000,000 characters of text (limit max_chars)" in problem_of(path)


@pytest.mark.parametrize("opener", ["<!-->", "<!--->", "<!-- x --!>"])
def test_deep_nesting_behind_an_empty_comment_is_still_seen(opener, tmp_path):
    """<!--> is a whole comment: the divs after it are real, and the scan must count them."""
    path = tmp_path / "sneaky.html"
    path.write_bytes(hostile.deep_html(2_000).replace(b"<body>", f"<body>{opener}".encode()) + b"-->")
    assert "(limit max_depth)" in problem_of(path)


@pytest.mark.parametrize("raw_text", ["script", "STYLE"])
def test_tags_inside_script_and_style_are_not_counted(raw_text, tmp_path):
    path = tmp_path / "page.html"
    fake = "<div>" * 5_000
    path.write_text(f"<html><body><{raw_text}>{fake}</{raw_text}><p>{STRONG}</p></body></html>", encoding="utf-8")
    assert "格尔木市人民法院" in load_document(path).text
