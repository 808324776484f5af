"""Locate the data that ships with civscore: default rubrics and scorecard templates.

In a wheel they live under scorer/_data/; in a source checkout at the top level.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parent.parent


def data_dir(name: str) -> Path:
    packaged = Path(str(resources.files("scorer"))) / "_data" / name
    if packaged.is_dir():
        return packaged
    return _SOURCE_ROOT / name


def rubric_dir() -> Path:
    return data_dir("rubric")


def templates_dir() -> Path:
    return data_dir("templates")


def default_rubric_path() -> Path:
    return rubric_dir() / "court.yaml"


def bundled_rubrics() -> list[Path]:
    """Every shipped rubric file, by name. A file whose name starts with `_` (_base.yaml) is a
    base the rubrics extend, not a rubric by itself."""
    return sorted(p for p in rubric_dir().glob("*.yaml") if not p.name.startswith("_"))


def bundled_rubric(name: str) -> Path | None:
    """`court` or `court.yaml` → the shipped rubric file, if there is one."""
    stem = name[:-5] if name.endswith(".yaml") else name
    candidate = rubric_dir() / f"{stem}.yaml"
    return candidate if candidate.is_file() else None
