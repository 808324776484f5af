"""Word (.docx): paragraphs and tables in body order, via python-docx.

A .docx is a zip archive, so before parsing we check the sizes the archive
declares for its members: a few kilobytes can otherwise unpack to gigabytes
(a zip bomb). zipfile never inflates a member past its declared size, so the
declared total bounds the work.
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from . import RawText, ReadProblem

_MAX_TABLE_DEPTH = 8  # tables nested in table cells, as deep as we follow them


def read_docx(data: bytes, max_unpacked: int) -> RawText:
    check_archive(data, max_unpacked)
    try:
        document = docx.Document(io.BytesIO(data))
        lines = list(_block_lines(document.iter_inner_content(), 0))
    except Exception as err:  # python-docx/lxml raise many types on damaged input
        raise ReadProblem(f"the .docx file is corrupt ({_first_line(err)})") from None
    return RawText("\n".join(lines))


def check_archive(data: bytes, max_unpacked: int) -> None:
    """ReadProblem unless `data` is a zip holding word/document.xml of sane unpacked size."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ReadProblem("the .docx file is corrupt (not a readable zip archive)") from None
    if not any(m.filename == "word/document.xml" for m in members):
        raise ReadProblem("the .docx file is corrupt (word/document.xml is missing)")
    unpacked = sum(m.file_size for m in members)
    if unpacked > max_unpacked:
        raise ReadProblem(
            f"the .docx would unpack to {unpacked:,} bytes, over the {max_unpacked:,}-byte limit "
            "(a zip bomb or a document full of media)"
        )


def _block_lines(blocks, depth: int):
    for block in blocks:
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, Table) and depth < _MAX_TABLE_DEPTH:
            yield from _table_lines(block, depth + 1)


def _table_lines(table: Table, depth: int):
    """One line per cell; a merged cell (repeated by python-docx) once.

    `seen` holds the cell elements themselves: lxml proxies are identity-hashed, and
    keeping them alive keeps that identity stable (an id() could be reused).
    """
    seen = set()
    for row in table.rows:
        for cell in row.cells:
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            yield from _block_lines(cell.iter_inner_content(), depth)


def _first_line(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0]}" if text else type(err).__name__
