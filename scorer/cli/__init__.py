"""The `civscore` command line: subcommands that read like sentences.

    civscore score REPORT...            score reports and print a table
    civscore score REPORT --json        the result model, dumped
    civscore score REPORT... -o reports/
    civscore rubric check RUBRIC        validate a rubric

Layout: `process` (the process's own settings and its exit), `common` (consoles,
options, the one error handler), one module per command group, each with its own Typer
app (`score_cmds`, `rubric_cmds`, `tuning_cmds` for diff/suggest/calibrate, `batch_cmds`
for batch/history, `serve_cmds` for the reviewer's workbench), and `root`, which
assembles them. Every failure a user can cause ends in one line naming the file and the
problem, exit code 2, and no traceback (set CIVSCORE_DEBUG=1 to see one for an internal
error).
"""

from __future__ import annotations

import sys

from .process import finish, prepare

__all__ = ["app", "main", "writes_scorecards"]

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
    """Console-script entry point: set up the process (scorer.cli.process); for a command
    that will write scorecards, start the renderer child (scorer.report.prewarm), so that
    WeasyPrint loads while the CLI and the engine import and score; run the command line
    (its root group prints any error as one line and sets the exit code); end without the
    interpreter's teardown."""
    prepare()
    prewarm = None
    if writes_scorecards(sys.argv[1:]):
        from ..report import prewarm

        prewarm.start()
    try:
        from .root import app

        app()
        code = 0
    except SystemExit as e:
        code = e.code
    except KeyboardInterrupt:  # before the root group's handler is in place (while importing)
        print("interrupted", file=sys.stderr)
        code = 130
    finally:
        if prewarm is not None:
            prewarm.stop()
    finish(code)


def __getattr__(name: str):
    """`app` is assembled on first use, so the console script can set up its process first."""
    if name == "app":
        from .root import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
