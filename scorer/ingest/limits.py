"""Budgets for one submission, checked while it is read, never after.

A hostile file is small on disk and huge once read: a .docx that unpacks to
hundreds of megabytes, HTML nested 100,000 elements deep, a PDF of 10,000 empty
pages. Each reader checks these budgets as it goes (streaming), so it stops at
the limit instead of first doing all the work. Every refusal names the limit
that was hit, e.g. "x.docx: unpacks to more than 52,428,800 bytes (limit
max_unpacked_bytes)".

load_document(path, **limits) takes any of these fields as keywords.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .readers import ReadProblem

MIB = 1024 * 1024

# A .docx may unpack to this many times the file-size limit (and never more than
# max_unpacked_bytes): XML compresses about tenfold, photos not at all.
UNPACK_FACTOR = 10
DEFAULT_MAX_UNPACKED_BYTES = 50 * MIB


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int = 20 * MIB
    """Size of the file on disk."""
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES
    """What a .docx may unpack to: the sum its zip declares, and what is actually inflated."""
    max_depth: int = 256
    """How deeply elements may nest (HTML tags, the XML of a .docx)."""
    max_elements: int = 1_000_000
    """Elements (HTML tags, XML elements of a .docx), counted before a tree is built."""
    max_pages: int = 500
    """Pages of a PDF, checked before any page is read."""
    max_chars: int = 1_000_000
    """Characters extracted from one file (line breaks included), counted while extracting."""

    @classmethod
    def from_keywords(cls, **limits: int | None) -> "Limits":
        """Limits from load_document's keywords; None means the default.

        Without an explicit max_unpacked_bytes a small max_bytes lowers it too
        (UNPACK_FACTOR times the file limit).
        """
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(limits) - names)
        if unknown:
            raise TypeError(f"unknown limit(s): {', '.join(unknown)}")
        given = {k: v for k, v in limits.items() if v is not None}
        for name, value in given.items():
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"limit {name} must be a positive integer, not {value!r}")
        if "max_unpacked_bytes" not in given and "max_bytes" in given:
            given["max_unpacked_bytes"] = min(UNPACK_FACTOR * given["max_bytes"], DEFAULT_MAX_UNPACKED_BYTES)
        return cls(**given)


class OverLimit(ReadProblem):
    """A budget was exceeded; the message names the limit (codes `input.limit-…`)."""


class CharBudget:
    """Counts extracted characters and stops the reader at max_chars."""

    __slots__ = ("limit", "used", "what")

    def __init__(self, limit: int, what: str = "the file"):
        self.limit = limit
        self.used = 0
        self.what = what

    def take(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise OverLimit("input.limit-chars", what=self.what, limit=self.limit)


__all__ = ["CharBudget", "Limits", "OverLimit", "UNPACK_FACTOR"]
