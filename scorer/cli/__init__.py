"""The `civscore` command line: subcommands that read like sentences.

    civscore score REPORT...            score reports and print a table
    civscore score REPORT --json        the result model, dumped
    civscore score REPORT... -o reports/
    civscore rubric check RUBRIC        validate a rubric

Layout: `common` (consoles, options, the one error handler), one module per
command group, each with its own Typer app (`score_cmds`, `rubric_cmds`,
`tuning_cmds` for diff/suggest/calibrate, `batch_cmds` for batch/history,
`serve_cmds` for the reviewer's workbench), and
`main`, which assembles them. Every failure a user can cause ends in one line
naming the file and the problem, exit code 2, and no traceback (set
CIVSCORE_DEBUG=1 to see one for an internal error).
"""

from __future__ import annotations

import sys

# What `score` takes to write scorecards, and the root options that take a value.
_PDF_OPTIONS = ("-o", "--out", "--pdf", "--pdf-dir")
_ROOT_VALUED = ("--lang", "--error-format")


def writes_scorecards(args: list[str]) -> bool:
    """A cheap look at the command line, before Typer is imported: `score … -o/--out/--pdf/
    --pdf-dir …` without --watch or --help. A wrong guess costs only time: a child started
    for nothing is stopped, and without one the scorecards are rendered in-process."""
    args = args[: args.index("--")] if "--" in args else list(args)
    command, skip = None, False
    for a in args:
        if skip:
            skip = False
        elif a in _ROOT_VALUED:
            skip = True
        elif not a.startswith("-"):
            command = a
            break
    if command != "score" or any(a in ("--watch", "--help", "-h") for a in args):
        return False
    return any(a in _PDF_OPTIONS or a.startswith(("--out=", "--pdf=", "--pdf-dir=")) or
               (a.startswith("-o") and not a.startswith("--")) for a in args)


def main() -> None:
    """Console-script entry point. A command that will write scorecards starts the renderer
    child first (scorer.report.prewarm), so that WeasyPrint loads while the CLI and the
    engine import and score."""
    prewarm = None
    if writes_scorecards(sys.argv[1:]):
        from ..report import prewarm

        prewarm.start()
    try:
        _assembled()[1]()
    finally:
        if prewarm is not None:
            prewarm.stop()


_entry = main


def _assembled():
    """(app, its entry function) from scorer.cli.main, imported on first use. The package's
    `main` stays the entry function above (importing the submodule bound its name here)."""
    from .main import app, main as run

    globals()["main"] = _entry
    return app, run


def __getattr__(name: str):
    if name == "app":
        return _assembled()[0]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["app", "main", "writes_scorecards"]
