"""Errors a user can act on. Each renders as one line naming the file and the problem."""

from __future__ import annotations

from pathlib import Path


class CivscoreError(Exception):
    """Base class: `str(err)` is the one-line message the CLI prints."""

    exit_code = 2

    def __init__(self, path: str | Path | None, problem: str):
        self.path = str(path) if path is not None else None
        self.problem = problem
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"{self.path}: {self.problem}" if self.path else self.problem


class InputError(CivscoreError):
    """A submission that cannot be read or is not a report."""


class RubricError(CivscoreError):
    """A rubric file that does not load or validate. `problems` holds every finding."""

    def __init__(self, path: str | Path | None, problems: list[str]):
        self.problems = problems
        first = problems[0] if problems else "invalid rubric"
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(path, first + more)


class EnvironmentProblem(CivscoreError):
    """A missing system dependency (font, HarfBuzz subsetter)."""


class OutputError(CivscoreError):
    """An output that cannot or must not be written (it would replace an input, the
    disk is full, the file system is read-only, the path names a folder …)."""


class UsageProblem(CivscoreError):
    """A command line that asks for something impossible (an option out of range,
    two options that exclude each other)."""


# Bidirectional-text controls: they reorder what a terminal shows (U+202E makes
# `gpj.exe` read as `exe.jpg`), so they never reach the screen raw.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
BIDI_CONTROLS = _BIDI  # also stripped from what reviewers type in the workbench (issue 20.8)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """`text` on one line, safe for a terminal: control characters and bidi controls
    escaped (newline → \\n, U+202E → \\u202e), so a file name can neither start a
    forged line nor reorder what the terminal shows."""
    import unicodedata

    out = []
    for ch in str(text):
        if ch in _NAMED:
            out.append(_NAMED[ch])
        elif ch in _BIDI or unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in "\ufeff":
            cp = ord(ch)
            out.append(f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}")
        else:
            out.append(ch)
    return "".join(out)
