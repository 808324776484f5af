"""`civscore batch` and `civscore history`: score a whole intake, and look back at a unit."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table
from rich.text import Text

from ..errors import printable
from ..messages import language
from .common import (
    ChoosingRubricOpt, MaxSizeOpt, console, console_err, error_format, error_text, info, max_bytes, new_app, verbosity,
    warn,
)

app = new_app()


def _rate_column():
    """Reports per second. (rich.progress takes ~50 ms to import: only a batch loads it, not
    every civscore command.)"""
    from rich.progress import ProgressColumn

    class _RateColumn(ProgressColumn):
        def render(self, task) -> Text:
            speed = task.finished_speed or task.speed
            return Text("  –  /s" if speed is None else f"{speed:5.1f}/s", style="progress.data.speed")

    return _RateColumn()


class _RichProgress:
    """The batch's progress bar (on stderr) and one line per failure as it happens."""

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn,
        )

        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            _rate_column(),
            TextColumn("elapsed"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=console_err,
            transient=False,
        )
        self.task = None

    def start(self, to_do: int, skipped: int, workers: int) -> None:
        if verbosity() == 0:  # -q: no progress bar
            return
        if skipped:
            console_err.print(Text(f"{skipped} already scored with this rubric: skipped (--force to redo)", style="dim"))
        if to_do:
            where = f"{workers} worker{'s' if workers != 1 else ''}"
            self.task = self.progress.add_task(f"scoring ({where})", total=to_do)
            self.progress.start()

    def advance(self, sub, outcome) -> None:
        if outcome.error:
            e = outcome.failure  # a report that could not be scored: said in the chosen language
            if e is not None and error_format() == "json":
                self.progress.console.print(Text(json.dumps({"error": e.to_json(language())}, ensure_ascii=False)),
                                            highlight=False, soft_wrap=True)
            else:
                line = e.text(language()) if e is not None else outcome.error
                self.progress.console.print(error_text(line), highlight=False, soft_wrap=True)
        if self.task is not None:
            self.progress.advance(self.task)

    def stage(self, text: str) -> None:
        if verbosity():
            console_err.print(Text(text + " …", style="dim"))

    def stop(self) -> None:
        self.progress.stop()


def _sigterm_to_interrupt(signum, frame):
    raise KeyboardInterrupt


@app.command()
def batch(
    folder: Annotated[Path, typer.Argument(help="Intake folder: every supported report under it (recursive).",
                                           show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", "--out-dir",
                                      help="Output folder: scorecards, ranking, overview, store.")]
    = Path("reports"),
    rubric: ChoosingRubricOpt = None,
    workers: Annotated[Optional[int], typer.Option("--workers", "-j", min=1,
                                                   help="Worker processes. Default: all cores.")] = None,
    no_pdf: Annotated[bool, typer.Option("--no-pdf", help="Score and rank only: no scorecards, no overview.")]
    = False,
    force: Annotated[bool, typer.Option("--force", help="Score again what the store already has.")] = False,
    scheduler: Annotated[Optional[str], typer.Option(
        "--scheduler", help="Run on a Dask cluster (tcp://host:8786). Workers must see FOLDER and --out "
                            "at the same paths. Needs the dask extra.")] = None,
    max_size_mb: MaxSizeOpt = 20.0,
) -> None:
    """Score every report in a folder: a scorecard per report, ranking.csv/.xlsx, overview.pdf.

    Without --rubric (or with --rubric auto) each report gets the shipped rubric for its
    kind of unit: court for a people's court, general for other units.
    Results go to OUT/results.sqlite as they arrive; a second run skips what is already
    scored with the same rubric, so an interrupted batch resumes where it stopped.
    Ranking: total, highest first, ties by file path; units with a veto (一票否决) come
    after all others. Exit code 2 if any file failed (the others are still scored)."""
    from ..batch import BatchOptions, run_batch

    opts = BatchOptions(source=folder, out=out, rubric=rubric, workers=workers, pdf=not no_pdf, force=force,
                        scheduler=scheduler, max_bytes=max_bytes(max_size_mb))
    progress = _RichProgress()
    previous = signal.signal(signal.SIGTERM, _sigterm_to_interrupt)
    t0 = time.perf_counter()
    try:
        report = run_batch(opts, progress)  # a CivscoreError goes to the one error handler
    except KeyboardInterrupt:
        console_err.print(Text.assemble(
            ("interrupted", "yellow"),
            f" after {time.perf_counter() - t0:.1f} s: every result received is in "
            f"{printable(str(out / 'results.sqlite'))}; "
            "run the same command again to finish",
        ), soft_wrap=True)
        raise typer.Exit(130)
    finally:
        signal.signal(signal.SIGTERM, previous)
    _print_summary(report)
    if not report.ok:
        raise typer.Exit(2)


TOP_ROWS = 5  # the ranking rows shown on screen; the caption says how many are left out


def _print_summary(report) -> None:
    rate = f" ({report.scored / report.work_seconds:.1f} reports/s)" if report.scored and report.work_seconds else ""
    line = Text.assemble(
        ("scored ", ""), (str(report.scored), "bold"),
        (", skipped as already scored ", ""), (str(report.skipped), "bold"),
        (", failed ", ""), (str(len(report.failures)), "bold red" if report.failures else "bold"),
        (", vetoed ", ""), (str(report.vetoed), "bold red" if report.vetoed else "bold"),
        (f" — {report.files} files in {report.elapsed:.1f} s{rate}", "dim"),
    )
    console.print(line, soft_wrap=True)
    for rel, reason in report.skipped_files:
        warn("skipped", f"{rel}: {reason}")
    if report.failures:
        console.print(Text(f"failed ({len(report.failures)}):", style="red"))
        for rel, reason in report.failures:
            e = report.failure_errors.get(rel)
            said = e.problem_in(language()) if e is not None else reason
            console.print(Text(f"  {printable(rel)}: {printable(said)}"), soft_wrap=True)
    top = report.ranking[:TOP_ROWS]
    if top:
        left_out = len(report.ranking) - len(top)
        csv_path = report.outputs.get("csv")
        caption = (f"前 {len(top)} 名；另有 {left_out} 行未列出，全部 {len(report.ranking)} 行见 "
                   f"{printable(str(csv_path))}" if left_out else None)
        table = Table(title=None, show_lines=False, caption=caption, caption_justify="left")
        for col, just in (("名次", "right"), ("申报单位", "left"), ("总分", "right"), ("等级", "left"),
                          ("评分标准", "left"), ("文件", "left")):
            table.add_column(col, justify=just)
        for row in top:
            s = row.summary
            table.add_row(str(row.rank), Text(printable(s.unit or "—")), f"{s.total:g}",
                          Text(s.grade, style="red" if s.vetoed else ""), Text(printable(s.rubric_id or "—")),
                          Text(printable(row.file)))
        console.print(table)
    outs = report.outputs
    info(
        "ranking: " + ", ".join(str(outs[k]) for k in ("csv", "xlsx") if k in outs)
        + (f"; overview: {outs['overview']}" if "overview" in outs else "")
        + (f"; scorecards written: {report.scorecards}" if "overview" in outs else "")
        + f"; store: {outs.get('store')}"
    )


@app.command()
def history(
    unit: Annotated[str, typer.Argument(help="The unit's name (exact, or a part of it).", show_default=False)],
    db: Annotated[Path, typer.Option("--db", help="Results database written by `civscore batch`.")]
    = Path("reports/results.sqlite"),
) -> None:
    """A unit's results over rounds: when, which rubric, total, grade and file."""
    from ..batch.store import ResultStore

    with ResultStore(db, create=False) as store:  # a CivscoreError goes to the one error handler
        rows, exact = store.history(unit)
    if not rows:
        console_err.print(Text(printable(f"no results for {unit} in {db}")), soft_wrap=True)
        raise typer.Exit(1)
    table = Table(show_lines=False)
    table.add_column("scored (UTC)", no_wrap=True)
    table.add_column("rubric", no_wrap=True)
    table.add_column("total", justify="right", no_wrap=True)
    table.add_column("grade")
    table.add_column("file", overflow="fold")
    if not exact:
        table.add_column("unit", overflow="fold")
    for r in rows:
        when = r.scored_at[:16].replace("T", " ")
        cells = [when, f"{r.rubric_id} {r.rubric_version}", f"{r.total:g}",
                 Text(r.grade, style="red" if r.vetoed else ""), Text(printable(r.path))]
        if not exact:
            cells.append(Text(printable(r.unit or "")))
        table.add_row(*cells)
    console.print(Text(printable(unit if exact else f"units whose name contains “{unit}”"), style="bold"))
    console.print(table)
