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

from .process import finish, prepare

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point: set up the process (scorer.cli.process), run the command
    line (its root group prints any error as one line and sets the exit code), then end
    without the interpreter's teardown."""
    prepare()
    try:
        from .main import app

        app()
        code = 0
    except SystemExit as e:
        code = e.code
    except KeyboardInterrupt:  # before the root group's handler is in place (while importing)
        print("interrupted", file=sys.stderr)
        code = 130
    finish(code)


def __getattr__(name: str):
    """`app` is assembled on first use, so the console script can set up its process first."""
    if name == "app":
        from .main import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
