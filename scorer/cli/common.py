"""What every command shares: the consoles, the -q/-v level, common options, and
the ONE error handler (`CivscoreGroup`) that turns a `CivscoreError` — or a bad
command line — into one escaped `error: …` line and its exit code.

Errors are said in the language of `--lang zh|en`, else of the locale (LC_ALL,
LC_MESSAGES, LANG: zh… is Chinese), from the catalogue (scorer.messages); with
`--error-format json` each is one JSON object on stderr carrying its code and fields.

Imported by the command modules; imports none of them."""

from __future__ import annotations

import json
import math
import os
import sys
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup
from typer.exceptions import TyperException

from ..errors import BIDI_CONTROLS, CivscoreError, UsageProblem, printable
from ..messages import LANGUAGES, language, render, set_language
from .process import command_started, startup_over

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


ERROR_FORMATS = ("text", "json")
_error_format = "text"


def set_error_format(fmt: str) -> None:
    global _error_format
    _error_format = fmt if fmt in ERROR_FORMATS else "text"


def error_format() -> str:
    return _error_format


def error_message(e: CivscoreError) -> str:
    """The error's one line in the language chosen (--lang, else the locale)."""
    return e.text(language())


_UNSAFE_IN_JSON = BIDI_CONTROLS | {"\u2028", "\u2029"}


def _json_line(obj: dict) -> None:
    """`{"error": obj}` on one line of stderr; Chinese as is, bidi controls escaped (\\u202e)."""
    text = json.dumps({"error": obj}, ensure_ascii=False)
    for ch in _UNSAFE_IN_JSON & set(text):
        text = text.replace(ch, f"\\u{ord(ch):04x}")
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def say_error(code: str, **fields) -> None:
    """An error that is not a CivscoreError (a bad command line, a bug): by its catalogue code."""
    if _error_format == "json":
        _json_line({"code": code, "path": None, "fields": fields, "message": render(code, fields, language())})
    else:
        error_line(render(code, fields, language()))


def report_error(e: CivscoreError) -> int:
    """Print a project error (every problem of a rubric, one line each) in the chosen
    language, or as one JSON object (--error-format json); return its exit code."""
    lang = language()
    if _error_format == "json":
        _json_line(e.to_json(lang))
    elif getattr(e, "problems", None):
        for p in e.problems:
            error_line(p.text(lang))
    else:
        error_line(e.text(lang))
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


def fail(code: str, path=None, **fields) -> None:
    """Stop the command with a usage problem (catalogue `code` and its fields; one line, exit 2)."""
    raise UsageProblem(path, code, **fields)


# -- options -------------------------------------------------------------------------


MAX_MB = 1024 * 1024  # --max-size ceiling, 1 TiB: 1e308 MB would overflow to an infinite number of bytes


def _positive_mb(value: float) -> float:
    if value is None:
        return value
    if not math.isfinite(value) or value <= 0:
        raise UsageProblem(None, "usage.max-size-invalid", value=value)
    if value > MAX_MB:
        raise UsageProblem(None, "usage.max-size-too-large", value=value, limit=MAX_MB)
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
GLOBAL_VALUED = frozenset({"--lang", "--error-format"})  # root options that take a value


def _global_valued(arg: str) -> str | None:
    name = arg.split("=", 1)[0]
    return name if name in GLOBAL_VALUED else None


def hoist_global_options(args: list[str]) -> list[str]:
    """`civscore score -q x.txt` means `civscore -q score x.txt`: the root's flags (-q, -v)
    and `--lang X`, `--error-format X` are accepted after the command too, up to a `--`
    that ends the options."""
    end = args.index("--") if "--" in args else len(args)
    hoisted, rest, i = [], [], 0
    while i < end:
        a = args[i]
        if a in GLOBAL_FLAGS:
            hoisted.append(a)
        elif _global_valued(a):
            hoisted.append(a)
            if "=" not in a and i + 1 < end:
                hoisted.append(args[i + 1])
                i += 1
        else:
            rest.append(a)
        i += 1
    return hoisted + rest + args[end:]


def global_choices(args: list[str]) -> dict[str, str]:
    """The values of --lang and --error-format in (hoisted) `args`, read before the
    command runs so that even an error on the command line is said as asked."""
    end = args.index("--") if "--" in args else len(args)
    found: dict[str, str] = {}
    for i, a in enumerate(args[:end]):
        name = _global_valued(a)
        if name:
            value = a.split("=", 1)[1] if "=" in a else (args[i + 1] if i + 1 < end else "")
            found[name] = value
    return found


def _reset_choices() -> None:
    """After a command: the language and error format chosen for it end with it (the
    library's default is English, whatever a previous command in this process asked)."""
    set_language(None)
    set_error_format("text")


class CivscoreGroup(TyperGroup):
    """The root command group. Every error a user can cause ends here as one line.

    - `CivscoreError` (and subclasses): its message (a rubric: one line per problem),
      exit code `e.exit_code` (2);
    - a bad command line (unknown option, a value of the wrong type): one line, exit 2;
    - Ctrl-C: `interrupted`, exit 130;
    - anything else is a bug: one `internal error` line, exit 1 (CIVSCORE_DEBUG=1 raises it)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        args = hoist_global_options(list(sys.argv[1:] if args is None else args))
        chosen = global_choices(args)
        set_language(chosen.get("--lang") if chosen.get("--lang") in LANGUAGES else None)
        set_error_format(chosen.get("--error-format", "text"))
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
                # click's own words (an unknown option, a value of the wrong type) are its detail
                say_error("usage.command-line", command=where, detail=e.format_message())
            code = e.exit_code
        except (typer.Abort, KeyboardInterrupt):
            console_err.print("interrupted")
            code = 130
        except Exception as e:
            if os.environ.get("CIVSCORE_DEBUG"):
                raise
            first = str(e).splitlines()[0] if str(e) else ""
            say_error("internal", type=type(e).__name__, detail=first)
            code = 1
        _reset_choices()
        if standalone_mode:
            sys.exit(code)
        return code

    def resolve_command(self, ctx, args):
        name, cmd, rest = super().resolve_command(ctx, args)
        command_started(name)  # a command that runs long gets its garbage collector back now
        return name, cmd, rest


__all__ = [
    "CONTEXT", "ChoosingRubricOpt", "CivscoreGroup", "GLOBAL_FLAGS", "MB", "MaxSizeOpt", "RubricOpt", "console", "console_err", "detail", "error_line",
    "error_text",
    "error_format", "error_message", "fail", "info", "max_bytes", "new_app", "report_error", "say_error", "set_error_format",
    "set_verbosity", "startup_over", "verbosity", "warn",
]
