"""A shipped rubric without its sentence judge: the matchers decide, as for any rubric a
maintainer writes before training a judge. Tests of the lexical engine's own mechanisms
(marks, insufficient evidence, discounts) use it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def without_judge(name: str, folder: Path) -> Path:
    text = (ROOT / "rubric" / f"{name}.yaml").read_text(encoding="utf-8")
    cut = text.index("\njudge:")
    path = folder / f"{name}-lexical.yaml"
    path.write_text(text[:cut] + "\n", encoding="utf-8")
    return path
