"""`civscore rubric …`: check and inspect rubric files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from ..errors import RubricError
from .app import console, console_err, rubric_app


@rubric_app.command("check")
def rubric_check(
    file: Annotated[Path, typer.Argument(help="Rubric YAML file to validate.")],
) -> None:
    """Validate a rubric: schema, unknown keys, points that add up, unique ids, patterns that compile."""
    from ..rubric import load_rubric

    try:
        loaded = load_rubric(file)
    except RubricError as e:
        for p in e.problems:
            console_err.print(f"[red]error:[/] {Text(p)}")
        raise typer.Exit(2)
    r = loaded.rubric
    n = sum(len(d.criteria) for d in r.dimensions)
    console.print(
        f"{file}: ok — {r.id} {r.version}, {len(r.dimensions)} dimensions, {n} criteria, "
        f"{r.total:g} points + {r.bonus.max:g} bonus, {len(r.vetoes)} veto items"
    )
