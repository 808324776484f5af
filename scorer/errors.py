"""Errors a user can act on. Each renders as one line naming the file and the problem.

An error is a code from the catalogue (`scorer.messages`) and its fields, so it can be
said in English (`str(err)`, `err.message`) or in Chinese (`err.text("zh")`), and
carried as data (`err.to_json()`): nothing is translated by matching its words.
"""

from __future__ import annotations

from pathlib import Path

from .messages import check_fields, render


class CivscoreError(Exception):
    """Base class: `str(err)` is the one-line English message; `text(lang)` the same line
    in `lang`; `code` and `fields` what it is, for JSON and the workbench."""

    exit_code = 2

    def __init__(self, path: str | Path | None, code: str, /, **fields):
        check_fields(code, fields)
        self.path = str(path) if path is not None else None
        self.code = code
        self.fields = fields
        super().__init__(self.message)

    def problem_in(self, lang: str = "en") -> str:
        """The problem without the path, in `lang`."""
        return render(self.code, self.fields, lang)

    @property
    def problem(self) -> str:
        return self.problem_in("en")

    def text(self, lang: str = "en") -> str:
        """The one line in `lang`: `path: problem` (a colon in Chinese too: paths stay as they are)."""
        problem = self.problem_in(lang)
        return f"{self.path}: {problem}" if self.path else problem

    @property
    def message(self) -> str:
        return self.text("en")

    def to_json(self, lang: str = "en") -> dict:
        """What JSON output says of this error: the code, the path, the fields and the line."""
        return {"code": self.code, "path": self.path, "fields": _jsonable(self.fields),
                "message": self.text(lang)}

    def __reduce__(self):  # an error crosses process boundaries (batch workers) by pickling
        return (_rebuild, (type(self), self.path, self.code, self.fields))


def _rebuild(cls, path, code, fields):
    return cls(path, code, **fields)


def _jsonable(fields: dict) -> dict:
    return {k: v if isinstance(v, (str, int, float, bool)) or v is None else str(v) for k, v in fields.items()}


class InputError(CivscoreError):
    """A submission that cannot be read or is not a report."""


class RubricError(CivscoreError):
    """A rubric file that does not load or validate. `problems` holds every finding
    (`scorer.rubric.problems.Problem`: its own code and fields); the error's code is
    the first problem's."""

    def __init__(self, path: str | Path | None, problems: list, /):
        self.problems = list(problems)
        if not self.problems:
            raise ValueError("a RubricError needs at least one problem")
        first = self.problems[0]
        super().__init__(path, first.key, **first.fields)

    def problem_in(self, lang: str = "en") -> str:
        first = self.problems[0].text(lang)
        if len(self.problems) == 1:
            return first
        return render("rubric.problems", {"first": first, "more": len(self.problems) - 1}, lang)

    def text(self, lang: str = "en") -> str:
        """The one line: a problem that names its own file (and line) is not prefixed again."""
        if self.problems[0].path is not None:
            return self.problem_in(lang)
        return super().text(lang)

    def to_json(self, lang: str = "en") -> dict:
        out = super().to_json(lang)
        out["problems"] = [p.to_json(lang) for p in self.problems]
        return out

    def __reduce__(self):
        return (_rebuild_rubric, (self.path, self.problems))


def _rebuild_rubric(path, problems):
    return RubricError(path, problems)


class InvalidValue(ValueError):
    """A value a rubric cannot hold, raised inside validation: a ValueError (pydantic
    reports it at its field, with its line) that carries the catalogue code
    `rubric.<code>` and its fields, so the loader says it in either language."""

    def __init__(self, code: str, /, *, at: tuple = (), **fields):
        check_fields(f"rubric.{code}", fields)
        self.code = code
        self.fields = fields
        # Where, below the model that raises it, the value at fault sits: a check that needs the
        # whole rubric (a name used in a matcher, defined at the top) still names that value's line.
        self.at = tuple(at)
        super().__init__(render(f"rubric.{code}", fields))


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
