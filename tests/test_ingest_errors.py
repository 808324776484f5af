"""Every unusable submission ends in one InputError line, never another exception."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from weasyprint import HTML

import ingest_builders as build
from scorer.errors import InputError
from scorer.ingest import load_document

SEED_000 = next((Path(__file__).resolve().parent.parent / "seeds").glob("000_*.txt")).read_text("utf-8")


def problem_of(path, **kwargs) -> str:
    """The problem load_document reports, after checking the shape of the error."""
    with pytest.raises(InputError) as caught:
        load_document(path, **kwargs)
    err = caught.value
    assert str(err) == f"{path}: {err.problem}"
    assert "\n" not in err.problem and err.problem[0].islower()
    return err.problem


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_missing_file(tmp_path):
    assert problem_of(tmp_path / "nope.txt") == "file not found"


def test_directory(tmp_path):
    assert "is a directory" in problem_of(tmp_path)


def test_empty_file(tmp_path):
    assert problem_of(write(tmp_path / "empty.txt", b"")) == "the file is empty"


@pytest.mark.parametrize("data", [b"  \n\t\r\n   ", "\ufeff \u3000\n".encode("utf-16")])
def test_whitespace_only(data, tmp_path):
    assert "only whitespace" in problem_of(write(tmp_path / "blank.txt", data))


def test_binary_junk_with_nul_bytes(tmp_path):
    data = bytes(range(256)) * 8
    assert "binary data" in problem_of(write(tmp_path / "junk.txt", data))


def test_undecodable_text(tmp_path):
    data = bytes(range(0x80, 0x100)) * 20  # no NUL, not UTF-8, not GB18030
    assert "cannot be decoded" in problem_of(write(tmp_path / "junk.txt", data))


def test_png_image(tmp_path):
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
    assert "unsupported file format: a PNG image" in problem_of(write(tmp_path / "scan.png", data))


def test_excel_workbook(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    problem = problem_of(write(tmp_path / "scores.xlsx", buffer.getvalue()))
    assert "unsupported file format" in problem and "Excel" in problem


def test_over_the_size_limit(tmp_path):
    path = build.make_txt_utf8(SEED_000, tmp_path / "big.txt")
    size = path.stat().st_size
    problem = problem_of(path, max_bytes=1000)
    assert f"{size:,} bytes" in problem and "1,000 bytes" in problem and "limit" in problem


def test_default_size_limit_is_20_mib(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as handle:
        handle.truncate(20 * 1024 * 1024 + 1)  # sparse: no 20 MB written
    assert "(20.0 MiB) limit" in problem_of(path)


@pytest.mark.parametrize(
    "text",
    [
        "This report is written in English only. " * 30,
        "This report is written in English only. " * 60 + "人民法院文明单位创建工作总结报告全文如下所示",
    ],
)
def test_almost_no_chinese(text, tmp_path):
    assert "almost no Chinese text" in problem_of(write(tmp_path / "english.txt", text.encode()))


def test_pdf_without_text_layer(tmp_path):
    path = tmp_path / "scan.pdf"
    HTML(string='<div style="width:15cm;height:20cm;background:#555"></div>').write_pdf(str(path))
    assert problem_of(path) == "the PDF has no text layer — a scanned PDF needs OCR first"


def test_encrypted_pdf(tmp_path):
    plain = build.make_pdf(SEED_000, tmp_path / "plain.pdf")
    writer = pypdf.PdfWriter(clone_from=str(plain))
    writer.encrypt(user_password="secret", owner_password="owner")
    path = tmp_path / "locked.pdf"
    with open(path, "wb") as handle:
        writer.write(handle)
    assert "encrypted" in problem_of(path)


def test_damaged_pdf(tmp_path):
    data = build.make_pdf(SEED_000, tmp_path / "ok.pdf").read_bytes()
    assert "PDF is damaged" in problem_of(write(tmp_path / "cut.pdf", data[: len(data) // 3]))


@pytest.mark.parametrize("cut", [0.5, 0.02])
def test_corrupt_docx(cut, tmp_path):
    data = build.make_docx(SEED_000, tmp_path / "ok.docx").read_bytes()
    assert "the .docx file is corrupt" in problem_of(write(tmp_path / "cut.docx", data[: int(len(data) * cut)]))


def test_docx_with_broken_xml(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("word/document.xml", "<w:document><unclosed>")
    assert "the .docx file is corrupt" in problem_of(write(tmp_path / "broken.docx", buffer.getvalue()))


def test_docx_zip_bomb(tmp_path):
    source = build.make_docx(SEED_000, tmp_path / "ok.docx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in original.infolist():
            bomb.writestr(item, original.read(item))
        bomb.writestr("word/media/padding.bin", b"\0" * 2_000_000)  # deflates to ~2 kB
    path = write(tmp_path / "bomb.docx", buffer.getvalue())
    assert path.stat().st_size < 100_000
    problem = problem_of(path, max_bytes=100_000)
    assert "zip bomb" in problem and "1,000,000-byte limit" in problem


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    head=st.sampled_from([b"", b"%PDF-1.7\n", b"PK\x03\x04", b"<html><body>", b"\xef\xbb\xbf", b"\xff\xfe"]),
    body=st.binary(max_size=3000),
    suffix=st.sampled_from([".txt", ".md", ".docx", ".pdf", ".html", ".bin", ""]),
)
def test_arbitrary_bytes_give_input_error_or_document(head, body, suffix, tmp_path):
    path = write(tmp_path / f"fuzz{suffix}", head + body)
    try:
        load_document(path)
    except InputError as err:
        assert err.problem and "\n" not in err.problem
