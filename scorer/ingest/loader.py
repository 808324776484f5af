"""load_document: one file on disk → a normalized `Document`, or an InputError.

Every way a submission can be unusable ends in InputError(path, problem) with a
one-line problem the CLI prints; no other exception escapes for bad input.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import regex

from ..errors import InputError
from ..outputs import own_output_kind
from .document import Document
from .han import chinese_share, count_han
from .limits import Limits
from .metadata import extract_metadata
from .normalize import normalize_document
from .readers import RawText, ReadProblem
from .readers.plain import read_text
from .sniff import detect_format

DEFAULT_MAX_BYTES = Limits().max_bytes

# Below these a file is not a Chinese report (an English letter, a number table).
_VISIBLE = regex.compile(r"[^\s\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]")

MIN_HAN_CHARS = 20
MIN_HAN_SHARE = 0.10


def load_document(path: str | Path, *, limits: Limits | None = None, **overrides: int | None) -> Document:
    """Read, normalize and describe one submission.

    Budgets are the fields of `Limits` (max_bytes, max_unpacked_bytes, max_depth,
    max_elements, max_pages, max_chars), given as a `Limits` or as keywords.
    """
    if limits is None:
        limits = Limits.from_keywords(**overrides)
    elif overrides:
        limits = Limits.from_keywords(**{**_fields(limits), **overrides})
    data = _read_bytes(path, limits.max_bytes)
    own = own_output_kind(data)
    if own is not None:
        raise InputError(path, "input.own-output", kind=own)
    try:
        fmt = detect_format(data, Path(path).suffix)
        raw = _read(fmt, data, limits)
    except ReadProblem as problem:
        raise InputError(path, problem.code, **problem.fields) from None
    except Exception as err:  # a parser bug on hostile input must still be one line
        raise InputError(path, "input.unreadable", kind=_describe(path), error=type(err).__name__) from None
    # One normalization: the body, and the text that keeps the bylines (作者/来源/时间)
    # normalize drops from it, which metadata needs.
    normalized, with_bylines = normalize_document(raw.text)
    text = normalized.text
    if not text:
        if raw.hidden_chars and not _has_visible_text(raw.text):
            raise InputError(path, "input.hidden-text", hidden=raw.hidden_chars)
        if not _has_visible_text(raw.text):
            raise InputError(path, "input.no-text")
        raise InputError(path, "input.no-report-text")
    if not _clearly_chinese(text):
        han, share = chinese_share(text)
        if han < MIN_HAN_CHARS or share < MIN_HAN_SHARE:
            raise InputError(path, "input.not-chinese", han=han, share=share)
    meta = extract_metadata(with_bylines.text)
    return Document(
        path=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        format=fmt,
        encoding=raw.encoding,
        text=text,
        meta=meta,
        hidden_chars=raw.hidden_chars,
    )


def _fields(limits: Limits) -> dict[str, int]:
    return {name: getattr(limits, name) for name in Limits.__dataclass_fields__}


def _read_bytes(path: str | Path, max_bytes: int) -> bytes:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError(path, "input.not-found") from None
    except OSError as err:
        raise InputError(path, "input.access", reason=err.strerror or str(err)) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(path, "input.directory")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(path, "input.not-regular")
    if info.st_size > max_bytes:
        raise InputError(path, "input.too-large", size=info.st_size, limit=max_bytes)
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)  # the file may have grown since stat
    except OSError as err:
        raise InputError(path, "input.read", reason=err.strerror or str(err)) from None
    if len(data) > max_bytes:
        raise InputError(path, "input.too-large-read", limit=max_bytes)
    if not data:
        raise InputError(path, "input.empty")
    return data


def _read(fmt: str, data: bytes, limits: Limits) -> RawText:
    # Each reader is imported by the format that needs it (pypdfium2, the HTML and .docx
    # parsers cost ~50 ms of a one-report run that reads plain text).
    if fmt == "pdf":
        from .readers.pdf import read_pdf

        return read_pdf(data, limits)
    if fmt == "docx":
        from .readers.word import read_docx

        return read_docx(data, limits)
    if fmt == "html":
        from .readers.web import read_html

        return read_html(data, limits)
    return read_text(data, limits)


def _clearly_chinese(text: str) -> bool:
    """Does `text` pass the chinese_share test without counting its letters (str.isalpha a
    character at a time: ~0.3 ms a report)? It does when its Han characters are enough by
    themselves and make the share of all its characters: the letters are at most all of
    them, and at least one (the first letter found)."""
    han = count_han(text)
    return (
        han >= MIN_HAN_CHARS
        and han / len(text) >= MIN_HAN_SHARE
        and any(map(str.isalpha, text))
    )


def _has_visible_text(text: str) -> bool:
    """Anything besides whitespace, controls and invisible (default-ignorable) characters?"""
    return _VISIBLE.search(text) is not None


def _describe(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    return suffix if suffix else "input"
