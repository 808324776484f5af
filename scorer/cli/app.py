"""Typer application and the `score` and `rubric` commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..errors import CivscoreError, RubricError
from ..result import ScoreResult

console = Console(highlight=False)
console_err = Console(stderr=True, highlight=False)

app = typer.Typer(
    name="civscore",
    help=(
        "Grade civilized-unit application reports against a YAML rubric.\n\n"
        "Each report gets a total, five dimension scores and, for every criterion, the quoted "
        "sentences that earned the points — on screen, as JSON, or as a PDF scorecard."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
rubric_app = typer.Typer(help="Check and inspect rubric files.", no_args_is_help=True)
app.add_typer(rubric_app, name="rubric")

RubricOpt = Annotated[
    Optional[str],
    typer.Option(
        "--rubric", "-r", help="Rubric YAML file, or the name of a bundled one (court, general). Default: court."
    ),
]

MB = 1024 * 1024


def error_line(message: str) -> None:
    """Print one `error: …` line; the message is plain text, never rich markup."""
    console_err.print(Text.assemble(("error:", "red"), " ", message), soft_wrap=True)


def fail(message: str, code: int = 2) -> None:
    error_line(message)
    raise typer.Exit(code)


def load_scorer(rubric: str | None):
    from ..engine import Scorer

    try:
        return Scorer.load(rubric)
    except RubricError as e:
        for p in e.problems:
            error_line(p)
        raise typer.Exit(2)


def _short(text: str, n: int = 48) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def print_result(result: ScoreResult) -> None:
    sub = result.submission
    head = Text()
    head.append(sub.unit or Path(sub.path).name, style="bold")
    if sub.title:
        head.append(f"  {sub.title}", style="dim")
    console.print(head)
    grade_style = "bold red" if result.vetoed else "bold green"
    console.print(
        Text.assemble(
            ("总分 ", ""), (f"{result.total:g}", "bold"), (f" / {result.max_total:g}  ", ""),
            (result.grade, grade_style),
            (f"   基础分 {result.base:g}/{result.max_base:g}  特色加分 {result.bonus.score:g}/{result.bonus.max:g}", "dim"),
        )
    )
    table = Table(show_lines=False, expand=False)
    table.add_column("维度")
    table.add_column("得分", justify="right")
    table.add_column("主要依据")
    for d in result.dimensions:
        best = max(d.criteria, key=lambda c: (c.score, len(c.evidence)))
        quote = max(best.evidence, key=lambda e: (e.weight, -e.start)).text if best.evidence else "未见相关材料"
        table.add_row(f"{d.name}", f"{d.score:g}/{d.max:g}", Text(_short(quote)))
    console.print(table)
    for v in result.vetoes:
        console.print(Text.assemble(("一票否决 ", "bold red"), (f"{v.name}: ", "red"), _short(v.text, 80)))
    console.print()


@app.command(
    epilog=(
        "Examples:  civscore score report.docx  ·  civscore score seeds/*.txt --json > results.json  ·  "
        "civscore score report.pdf --pdf card.pdf  ·  civscore score drafts/* --pdf-dir reports/ --rubric general"
    )
)
def score(
    files: Annotated[list[Path], typer.Argument(help="Report files (.txt .md .docx .pdf .html).", show_default=False)],
    rubric: RubricOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result model as JSON (a list for several files).")] = False,
    pdf: Annotated[Optional[Path], typer.Option("--pdf", help="Write the scorecard PDF here (one report).")] = None,
    pdf_dir: Annotated[
        Optional[Path], typer.Option("--pdf-dir", help="Write one scorecard PDF per report into this folder.")
    ] = None,
    max_size_mb: Annotated[float, typer.Option("--max-size", help="Refuse files larger than this many MB.")] = 20.0,
    watch: Annotated[
        bool, typer.Option("--watch", help="Score again whenever the rubric or a report changes (Ctrl-C stops).")
    ] = False,
) -> None:
    """Score reports against the rubric and show the points, with the sentences that earned them."""
    if pdf and len(files) != 1:
        fail("--pdf takes exactly one report; use --pdf-dir for several")
    if watch:
        from ..tuning.watch import rubric_target, watch as watch_loop

        watch_loop(
            rubric_target(rubric) + list(files),
            lambda: score(
                files=files, rubric=rubric, as_json=as_json, pdf=pdf, pdf_dir=pdf_dir, max_size_mb=max_size_mb
            ),
            console=console_err,
        )
        return
    scorer = load_scorer(rubric)
    writer = None
    if pdf or pdf_dir:
        writer = _pdf_writer()
    results: list[ScoreResult] = []
    failures: list[str] = []
    targets = _pdf_targets(files, pdf, pdf_dir)
    for path in files:
        try:
            result = scorer.score_path(path, max_bytes=int(max_size_mb * MB))
            if writer:
                writer(result, targets[path])
        except CivscoreError as e:
            failures.append(e.message)
            error_line(e.message)
            continue
        results.append(result)
        if not as_json:
            print_result(result)
            if writer:
                console.print(Text(f"scorecard: {targets[path]}", style="dim"))
    if as_json:
        payload = [r.model_dump(mode="json") for r in results]
        out = payload[0] if len(files) == 1 and payload else payload
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
    if failures:
        if len(files) > 1:
            console_err.print(Text(f"{len(failures)} of {len(files)} failed:", style="red"))
            for f in failures:
                console_err.print(Text(f"  {f}"), soft_wrap=True)
        raise typer.Exit(2)


def _pdf_targets(files: list[Path], pdf: Path | None, pdf_dir: Path | None) -> dict[Path, Path]:
    if pdf:
        return {files[0]: pdf}
    if not pdf_dir:
        return {}
    out, used = {}, set()
    for f in files:
        name = f"{f.stem}.pdf"
        if name in used:
            name = f"{f.stem}.{f.suffix.lstrip('.')}.pdf"
        used.add(name)
        out[f] = pdf_dir / name
    return out


def _pdf_writer():
    """Check fonts and HarfBuzz once, then return the scorecard writer."""
    from ..report.environment import check_pdf_environment
    from ..report.pdf import write_scorecard

    check_pdf_environment()

    def write(result: ScoreResult, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_scorecard(result, target)

    return write


# Subcommand modules register themselves on `app` / `rubric_app`.
from . import batch_cmds, rubric_cmds, tuning_cmds  # noqa: E402,F401
from ..web.cli import register as _register_serve  # noqa: E402

_register_serve(app)
