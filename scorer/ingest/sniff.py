"""Decide a file's format from its bytes first and its extension second.

Files arrive renamed, saved from browsers or exported by office tools, so the
extension lies often enough: a PDF is a PDF when it says %PDF-, a Word file when
its zip holds word/document.xml. Known non-report formats (images, spreadsheets,
old binary Office files) are named in the error so the user knows what to do.
"""

from __future__ import annotations

import io
import re
import zipfile

from .readers import ReadProblem

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")

_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
_HTML_MARKERS = (b"<html", b"<!doctype html", b"<body", b"<head")

# PDF readers look for the header in the first kilobyte, after whatever junk a mail
# gateway or a download left in front of it. Only there, and only when the bytes
# after it are a PDF's (an indirect object), is a file a PDF: a text file that
# mentions "%PDF-" in its first lines is still text.
_PDF_HEADER = re.compile(rb"%PDF-\d\.\d")
_PDF_HEADER_WINDOW = 1024
_PDF_OBJECT = re.compile(rb"\d+\s+\d+\s+obj\b")

# (magic bytes at offset 0, what it is, the catalogue code that says so and what to do)
_BINARY_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image", "input.unsupported-scan"),
    (b"\xff\xd8\xff", "a JPEG image", "input.unsupported-scan"),
    (b"GIF87a", "a GIF image", "input.unsupported-scan"),
    (b"GIF89a", "a GIF image", "input.unsupported-scan"),
    (b"II*\x00", "a TIFF image", "input.unsupported-scan"),
    (b"MM\x00*", "a TIFF image", "input.unsupported-scan"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old binary Office file (.doc/.xls)", "input.unsupported-save-docx"),
    (b"{\\rtf", "an RTF document", "input.unsupported-save-docx"),
    (b"\x1f\x8b", "a gzip archive", "input.unsupported"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "input.unsupported"),
    (b"Rar!\x1a\x07", "a RAR archive", "input.unsupported"),
)
_ZIP_KINDS = (  # member name prefix → what the zip is
    ("xl/", "an Excel workbook (.xlsx)"),
    ("ppt/", "a PowerPoint file (.pptx)"),
    ("content.xml", "an OpenDocument file (.odt/.ods)"),
)


def detect_format(data: bytes, suffix: str) -> str:
    """'pdf', 'docx', 'html' or 'txt'; ReadProblem for formats we cannot read."""
    suffix = suffix.lower()
    if is_pdf(data):
        return "pdf"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_format(data, suffix)
    for magic, what, code in _BINARY_SIGNATURES:
        if data.startswith(magic):
            raise ReadProblem(code, what=what)
    if suffix == ".docx":
        raise ReadProblem("input.docx-not-zip")
    if suffix == ".pdf":
        raise ReadProblem("input.pdf-no-header")
    if _looks_like_html(data, suffix):
        return "html"
    return "txt"


def is_pdf(data: bytes) -> bool:
    """%PDF- at offset 0; or %PDF-n.n within the first kilobyte with a PDF object after it."""
    if data.startswith(b"%PDF-"):
        return True
    header = _PDF_HEADER.search(data, 0, _PDF_HEADER_WINDOW + 8)
    if header is None or header.start() > _PDF_HEADER_WINDOW:
        return False
    return _PDF_OBJECT.search(data, header.end(), header.end() + 64 * 1024) is not None


def _zip_format(data: bytes, suffix: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        if suffix == ".docx":
            raise ReadProblem("input.docx-bad-zip") from None
        raise ReadProblem("input.damaged-zip") from None
    if "word/document.xml" in names:
        return "docx"
    for prefix, what in _ZIP_KINDS:
        if any(name.startswith(prefix) for name in names):
            raise ReadProblem("input.unsupported-office", what=what)
    if suffix == ".docx":
        raise ReadProblem("input.docx-no-document")
    raise ReadProblem("input.zip")


def _looks_like_html(data: bytes, suffix: str) -> bool:
    head = data[:2048].lower()
    if any(marker in head for marker in _HTML_MARKERS):
        return True
    return suffix in _HTML_SUFFIXES and b"<" in head
