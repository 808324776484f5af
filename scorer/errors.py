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
