"""The `civscore` command line: subcommands that read like sentences.

    civscore score REPORT...            score reports and print a table
    civscore score REPORT --json        the result model, dumped
    civscore score REPORT... --pdf-dir reports/
    civscore rubric check RUBRIC        validate a rubric

Every failure a user can cause ends in one line naming the file and the problem,
exit code 2, and no traceback (set CIVSCORE_DEBUG=1 to see one).
"""

from __future__ import annotations

import os
import sys

import typer

from ..errors import CivscoreError
from .app import app, console_err, error_line


def main() -> None:
    try:
        app()
    except CivscoreError as e:  # raised outside a command's own handling
        error_line(e.message)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        console_err.print("interrupted")
        sys.exit(130)
    except Exception as e:  # pragma: no cover - last resort, keeps the promise of no traceback
        if os.environ.get("CIVSCORE_DEBUG"):
            raise
        error_line(f"internal error: {type(e).__name__}: {e} (set CIVSCORE_DEBUG=1 for a traceback)")
        sys.exit(1)


__all__ = ["app", "main", "typer"]
