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

from .main import app, main

__all__ = ["app", "main"]
