"""The `civscore` application: the root group, assembled from one Typer app per
command group. The wiring goes one way: this module imports the command modules,
they import only `common`."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from .batch_cmds import app as batch_app
from .common import NORMAL, QUIET, VERBOSE, CivscoreGroup, console, new_app, set_verbosity
from .rubric_cmds import app as rubric_app
from .score_cmds import app as score_app
from .serve_cmds import app as serve_app
from .train_cmds import app as train_app
from .tuning_cmds import app as tuning_app

class Language(str, Enum):
    zh = "zh"
    en = "en"


class ErrorFormat(str, Enum):
    text = "text"
    json = "json"


app = new_app(
    name="civscore",
    cls=CivscoreGroup,
    help=(
        "Grade civilized-unit application reports against a YAML rubric.\n\n"
        "Each report gets a total, five dimension scores and, for every criterion, the quoted "
        "sentences that earned the points — on screen, as JSON, or as a PDF scorecard."
    ),
    no_args_is_help=True,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            v = version("civscore")
        except PackageNotFoundError:  # running from a source tree that is not installed
            v = "unknown"
        console.print(f"civscore {v}")
        raise typer.Exit(0)


@app.callback()
def root(
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors and results.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print more detail.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    lang: Annotated[
        Optional[Language], typer.Option("--lang", help="Language of error messages: zh or en. "
                                         "Default: the locale (LC_ALL, LC_MESSAGES, LANG; zh… is Chinese).")
    ] = None,
    error_format: Annotated[
        ErrorFormat, typer.Option("--error-format", help="Errors as text lines, or as JSON objects (one a line, "
                                  "with the error's code and fields) for scripts.")
    ] = ErrorFormat.text,
) -> None:
    # The one error handler has read --lang and --error-format already (an error on the
    # command line is said as asked too); here they are only validated.
    set_verbosity(QUIET if quiet else VERBOSE if verbose else NORMAL)


app.add_typer(score_app)  # score
app.add_typer(rubric_app, name="rubric")  # rubric check, rubric show
app.add_typer(tuning_app)  # diff, suggest, calibrate
app.add_typer(batch_app)  # batch, history
app.add_typer(train_app)  # train
app.add_typer(serve_app, name="serve")  # serve, serve adduser, serve assign

