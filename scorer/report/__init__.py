"""The report stage: a `ScoreResult` becomes a printable PDF scorecard (评分表).

`write_scorecard(result, path)` and `render_scorecard_html(result)` live in
`scorer.report.pdf`; WeasyPrint is imported only when a scorecard is rendered.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from . import fastffi
from .environment import check_pdf_environment

fastffi.install()  # before anything here imports WeasyPrint: its C declarations come from the cache

if TYPE_CHECKING:
    from scorer.result import ScoreResult


def write_scorecard(result: "ScoreResult", out_path: Path, **kwargs) -> Path:
    from .pdf import write_scorecard as _write

    return _write(result, out_path, **kwargs)


def render_scorecard_html(result: "ScoreResult", **kwargs) -> str:
    from .pdf import render_scorecard_html as _render

    return _render(result, **kwargs)


__all__ = ["check_pdf_environment", "render_scorecard_html", "write_scorecard"]
