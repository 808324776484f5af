"""Readers turn the bytes of one format into raw text.

They know nothing about paths: a problem is raised as ReadProblem with a one-line,
catalogue code and its fields, and the loader raises InputError(path, code, **fields).
"""

from __future__ import annotations

from dataclasses import dataclass


class ReadProblem(Exception):
    """Why these bytes cannot be read: a catalogue code (`input.…`, scorer.messages) and
    its fields; `str()` is the English line. The loader raises it again as an InputError."""

    def __init__(self, code: str, /, **fields):
        from ...messages import check_fields, render

        check_fields(code, fields)
        self.code = code
        self.fields = fields
        super().__init__(render(code, fields))


@dataclass(frozen=True, slots=True)
class RawText:
    text: str
    encoding: str | None = None  # only for text formats
    hidden_chars: int = 0  # non-space characters a reader would not see, left out of `text`


__all__ = ["RawText", "ReadProblem"]
