"""What the rubric tests share: where a needle stands in a YAML text, and the problems a
broken rubric is refused with."""

from __future__ import annotations

from pathlib import Path

import pytest

from scorer.errors import RubricError
from scorer.rubric import load_rubric


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the nth occurrence of `needle` in `text`."""
    pos = -1
    for _ in range(nth):
        pos = text.index(needle, pos + 1)
    return text.count("\n", 0, pos) + 1


def problems(path: Path) -> list:
    """The problems `load_rubric` refuses this file with (it must refuse it)."""
    with pytest.raises(RubricError) as e:
        load_rubric(path)
    return e.value.problems
