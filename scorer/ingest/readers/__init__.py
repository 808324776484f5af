"""Readers turn the bytes of one format into raw text.

They know nothing about paths: a problem is raised as ReadProblem with a one-line,
lowercase-start message, and the loader wraps it in InputError(path, message).
"""

from __future__ import annotations

from dataclasses import dataclass


class ReadProblem(Exception):
    """Why these bytes cannot be read, in words the user can act on."""


@dataclass(frozen=True, slots=True)
class RawText:
    text: str
    encoding: str | None = None  # only for text formats
    hidden_chars: int = 0  # non-space characters a reader would not see, left out of `text`


__all__ = ["RawText", "ReadProblem"]
