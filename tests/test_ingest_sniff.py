"""Format and encoding are read from the content, where the format puts its signature."""

from __future__ import annotations

from pathlib import Path

import pytest

import hostile
import ingest_builders as build
from scorer.ingest import load_document
from scorer.ingest.sniff import detect_format

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
REPORT = SEEDS[0].read_text("utf-8")


@pytest.mark.parametrize("suffix", [".txt", ".md", ""])
def test_text_mentioning_pdf_header_in_its_first_kilobyte_is_text(suffix, tmp_path):
    text = "关于提交材料格式的说明：扫描件以 %PDF-1.4 格式提交。\n" + REPORT
    path = tmp_path / f"note{suffix}"
    path.write_text(text, encoding="utf-8")
    doc = load_document(path)
    assert doc.format == "txt" and "%PDF-1.4" in doc.text


def test_pdf_with_leading_junk_is_still_a_pdf(tmp_path):
    pdf = build.make_pdf(REPORT, tmp_path / "r.pdf").read_bytes()
    path = tmp_path / "junk.pdf"
    path.write_bytes(b"Content-Type: application/pdf\r\n\r\n" + pdf)
    doc = load_document(path)
    assert doc.format == "pdf" and "格尔木" in doc.text


def test_header_past_the_first_kilobyte_is_not_a_pdf():
    data = b"x" * 2000 + b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\n"
    assert detect_format(data, ".txt") == "txt"


def test_zip_magic_only_at_offset_zero(tmp_path):
    path = tmp_path / "r.txt"
    path.write_bytes(("压缩包签名 PK\x03\x04 出现在正文中。\n" + REPORT).encode("utf-8"))
    assert load_document(path).format == "txt"


@pytest.mark.parametrize("declared", ["iso-8859-1", "windows-1252", "gb2312"])
def test_utf8_page_with_a_wrong_declared_charset_is_read_as_utf8(declared, tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(hostile.html_page(REPORT, charset=declared).encode("utf-8"))
    doc = load_document(path)
    assert doc.encoding == "utf-8"
    assert "格尔木市人民法院" in doc.text


def test_gbk_page_declared_as_latin1_is_detected(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(hostile.html_page(REPORT, charset="iso-8859-1").encode("gb18030"))
    doc = load_document(path)
    assert "格尔木市人民法院" in doc.text


def test_a_correct_declaration_is_kept(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(hostile.html_page(REPORT, charset="gbk").encode("gbk"))
    doc = load_document(path)
    assert doc.encoding == "gb18030" and "格尔木市人民法院" in doc.text


def test_latin1_page_that_is_latin1_stays_latin1():
    from scorer.ingest.readers.web import _decode

    page = '<html><head><meta charset="iso-8859-1"></head><body>Café crème — déjà vu</body></html>'
    text, encoding = _decode(page.replace("—", "-").encode("latin-1"))
    assert encoding == "iso-8859-1" and "Café crème" in text
