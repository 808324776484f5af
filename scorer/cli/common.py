"""What every command shares: the consoles, the -q/-v level, common options, and
the ONE error handler (`CivscoreGroup`) that turns a `CivscoreError` — or a bad
command line — into one escaped `error: …` line and its exit code.

Imported by the command modules; imports none of them."""

from __future__ import annotations

import math
import os
import sys
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup
from typer.exceptions import TyperException

from ..errors import CivscoreError, RubricError, UsageProblem, printable

console = Console(highlight=False)
console_err = Console(stderr=True, highlight=False)

MB = 1024 * 1024
CONTEXT = {"help_option_names": ["-h", "--help"]}

QUIET, NORMAL, VERBOSE = 0, 1, 2
_level = NORMAL


def set_verbosity(level: int) -> None:
    global _level
    _level = level


def verbosity() -> int:
    return _level


def new_app(**kwargs) -> typer.Typer:
    """A Typer app with the project's settings (-h, no pretty tracebacks)."""
    kwargs.setdefault("context_settings", CONTEXT)
    kwargs.setdefault("pretty_exceptions_enable", False)
    kwargs.setdefault("add_completion", False)
    return typer.Typer(**kwargs)


# -- printing ------------------------------------------------------------------------


def error_text(message: str) -> Text:
    """`error: …` as plain text (never rich markup: a path may hold [brackets]), controls and bidi escaped."""
    return Text.assemble(("error:", "red"), " ", printable(message))


def error_line(message: str) -> None:
    """Print one `error: …` line on stderr."""
    console_err.print(error_text(message), soft_wrap=True)


def report_error(e: CivscoreError) -> int:
    """Print a project error (every problem of a rubric, one line each); return its exit code."""
    if isinstance(e, RubricError) and e.problems:
        for p in e.problems:
            error_line(str(p))
    else:
        error_line(e.message)
    return e.exit_code


def warn(label: str, message: str) -> None:
    """`skipped: …` and the like, on stderr, one escaped line (shown unless -q)."""
    if _level >= NORMAL:
        console_err.print(Text.assemble((f"{label}:", "yellow"), " ", printable(message)), soft_wrap=True)


def info(message: str, style: str = "dim") -> None:
    """A side note on stdout (where an output went): hidden by -q."""
    if _level >= NORMAL:
        console.print(Text(printable(message), style=style), soft_wrap=True)


def detail(message: str) -> None:
    """Shown with -v only, on stderr."""
    if _level >= VERBOSE:
        console_err.print(Text(printable(message), style="dim"), soft_wrap=True)


def fail(message: str, path=None) -> None:
    """Stop the command with a usage problem (one line, exit 2)."""
    raise UsageProblem(path, message)


# -- options -------------------------------------------------------------------------


MAX_MB = 1024 * 1024  # --max-size ceiling, 1 TiB: 1e308 MB would overflow to an infinite number of bytes


def _positive_mb(value: float) -> float:
    if value is None:
        return value
    if not math.isfinite(value) or value <= 0:
        raise UsageProblem(None, f"--max-size: {value!r} is not a size; give a finite number of MB above 0")
    if value > MAX_MB:
        raise UsageProblem(None, f"--max-size: {value!r} MB is too large; give at most {MAX_MB} MB (1 TiB)")
    return value


RubricOpt = Annotated[
    Optional[str],
    typer.Option(
        "--rubric", "-r", help="Rubric YAML file, or the name of a bundled one (court, general). Default: court."
    ),
]
ChoosingRubricOpt = Annotated[
    Optional[str],
    typer.Option(
        "--rubric", "-r",
        help="Rubric YAML file, the name of a bundled one (court, general), or auto. Default: auto — each "
             "report gets the shipped rubric for its kind of unit (court for a people's court, general for others).",
    ),
]
MaxSizeOpt = Annotated[
    float,
    typer.Option("--max-size", callback=_positive_mb,
                 help=f"Refuse files larger than this many MB (above 0, at most {MAX_MB})."),
]


def max_bytes(mb: float) -> int:
    return int(_positive_mb(mb) * MB)


# -- the one error handler -------------------------------------------------------------


GLOBAL_FLAGS = frozenset({"-q", "--quiet", "-v", "--verbose"})


def hoist_global_options(args: list[str]) -> list[str]:
    """`civscore score -q x.txt` means `civscore -q score x.txt`: the root's flags (-q, -v)
    are accepted after the command too, up to a `--` that ends the options."""
    end = args.index("--") if "--" in args else len(args)
    flags = [a for a in args[:end] if a in GLOBAL_FLAGS]
    return flags + [a for a in args[:end] if a not in GLOBAL_FLAGS] + args[end:]


class CivscoreGroup(TyperGroup):
    """The root command group. Every error a user can cause ends here as one line.

    - `CivscoreError` (and subclasses): its message (a rubric: one line per problem),
      exit code `e.exit_code` (2);
    - a bad command line (unknown option, a value of the wrong type): one line, exit 2;
    - Ctrl-C: `interrupted`, exit 130;
    - anything else is a bug: one `internal error` line, exit 1 (CIVSCORE_DEBUG=1 raises it)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        args = hoist_global_options(list(sys.argv[1:] if args is None else args))
        try:
            rv = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                              standalone_mode=False, **extra)
            code = rv if isinstance(rv, int) else 0
        except CivscoreError as e:
            code = report_error(e)
        except typer.Exit as e:
            code = e.exit_code
        except TyperException as e:  # Typer's (vendored) click errors: a bad command line
            if type(e).__name__ == "NoArgsIsHelpError":  # `civscore rubric` alone: the help, as before
                e.show()
            else:
                ctx = getattr(e, "ctx", None)
                where = f"{ctx.command_path}: " if ctx is not None else ""
                error_line(where + e.format_message() + " (see --help)")
            code = e.exit_code
        except (typer.Abort, KeyboardInterrupt):
            console_err.print("interrupted")
            code = 130
        except Exception as e:
            if os.environ.get("CIVSCORE_DEBUG"):
                raise
            first = str(e).splitlines()[0] if str(e) else ""
            error_line(f"internal error: {type(e).__name__}: {first} (set CIVSCORE_DEBUG=1 for a traceback)")
            code = 1
        if standalone_mode:
            sys.exit(code)
        return code


__all__ = [
    "CONTEXT", "ChoosingRubricOpt", "CivscoreGroup", "GLOBAL_FLAGS", "MB", "MaxSizeOpt", "RubricOpt", "console", "console_err", "detail", "error_line",
    "error_text",
    "fail", "info", "max_bytes", "new_app", "report_error", "set_verbosity", "verbosity", "warn",
]
