"""Render a `ScoreResult` as a printable PDF scorecard (评分表).

    from scorer.report.pdf import write_scorecard
    write_scorecard(result, Path("reports/x.pdf"))

Every number on the scorecard comes from the `ScoreResult`, formatted by
`fmt_score`, so it matches the JSON output. The Jinja environment, the template,
the print CSS and WeasyPrint's `FontConfiguration` are set up once per process
(`renderer()`), since a run renders many scorecards.
"""

from __future__ import annotations

import datetime as _dt
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from scorer.resources import templates_dir
from scorer.result import CriterionResult, ScoreResult

from .chart import dimension_chart_svg
from .environment import check_pdf_environment
from .fetcher import TemplateAssetFetcher
from .format import fmt_bytes, fmt_percent, fmt_score, highlight

TEMPLATE = "scorecard.html.j2"
STYLESHEET = "scorecard.css"
MAX_QUOTES = 3
_CN_NUMERALS = "一二三四五六七八九十"


def _cn_numeral(n: int) -> str:
    if 1 <= n <= 10:
        return _CN_NUMERALS[n - 1]
    if n < 20:
        return "十" + _CN_NUMERALS[n - 11]
    return str(n)


def _grade_class(result: ScoreResult) -> str:
    if result.vetoed or "不合格" in result.grade:
        return "grade-fail"
    if "优秀" in result.grade:
        return "grade-top"
    return "grade-ok"


@dataclass(frozen=True)
class CriterionView:
    item: CriterionResult
    quotes: list
    more: int


def _criterion_view(c: CriterionResult) -> CriterionView:
    shown = c.evidence[:MAX_QUOTES]
    return CriterionView(item=c, quotes=[highlight(e) for e in shown], more=len(c.evidence) - len(shown))


def make_environment(templates: Path) -> Environment:
    """Autoescaping everywhere: submission text is untrusted."""
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["score"] = fmt_score
    env.filters["cn"] = _cn_numeral
    env.globals["percent"] = fmt_percent
    env.globals["fmt_bytes"] = fmt_bytes
    return env


class ScorecardRenderer:
    """Holds what is expensive to build and the same for every scorecard."""

    def __init__(self, templates: Path | None = None):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.templates = Path(templates or templates_dir()).resolve()
        self.env = make_environment(self.templates)
        self.template = self.env.get_template(TEMPLATE)
        self.fetcher = TemplateAssetFetcher(self.templates)
        self.base_url = self.templates.as_uri() + "/"
        self.font_config = FontConfiguration()
        self.css = CSS(
            filename=str(self.templates / STYLESHEET),
            url_fetcher=self.fetcher,
            font_config=self.font_config,
        )
        # WeasyPrint's font and layout caches are not meant for concurrent use.
        self._lock = threading.Lock()

    def html(self, result: ScoreResult, *, generated: _dt.date | None = None) -> str:
        generated = generated or _dt.date.today()
        dims = [
            {"d": d, "criteria": [_criterion_view(c) for c in d.criteria]} for d in result.dimensions
        ]
        return self.template.render(
            r=result,
            unit=result.submission.unit or "（申报单位未注明）",
            dims=dims,
            bonus_items=[_criterion_view(c) for c in result.bonus.items],
            chart=dimension_chart_svg(result.dimensions),
            grade_class=_grade_class(result),
            sha12=result.rubric.sha256[:12],
            generated=generated.isoformat(),
            input_name=Path(result.submission.path).name or result.submission.path,
        )

    def document(self, result: ScoreResult, *, generated: _dt.date | None = None):
        from weasyprint import HTML

        html = HTML(string=self.html(result, generated=generated), base_url=self.base_url,
                    url_fetcher=self.fetcher)
        return html.render(stylesheets=[self.css], font_config=self.font_config)

    def write_pdf(self, result: ScoreResult, target, *, generated: _dt.date | None = None) -> None:
        """Render to `target` (a path or a binary file object)."""
        with self._lock:
            self.document(result, generated=generated).write_pdf(target)

    def pdf_bytes(self, result: ScoreResult, *, generated: _dt.date | None = None) -> bytes:
        with self._lock:
            return self.document(result, generated=generated).write_pdf()


_renderer: ScorecardRenderer | None = None
_renderer_lock = threading.Lock()


def renderer() -> ScorecardRenderer:
    """The process-wide renderer, built on first use."""
    global _renderer
    if _renderer is None:
        with _renderer_lock:
            if _renderer is None:
                _renderer = ScorecardRenderer()
    return _renderer


def render_scorecard_html(result: ScoreResult, *, generated: _dt.date | None = None) -> str:
    """The scorecard as HTML (what WeasyPrint lays out). Useful to debug the template."""
    return renderer().html(result, generated=generated)


def write_scorecard(result: ScoreResult, out_path: Path, *, generated: _dt.date | None = None) -> Path:
    """Write the PDF scorecard for `result` to `out_path` and return the path.

    The PDF is written to a temporary file beside `out_path` and moved over it with
    `os.replace` only once complete: an interrupted or failed run leaves no partial
    PDF under the final name, and a file already there keeps its bytes.
    Raises `EnvironmentProblem` when the CJK font or HarfBuzz subsetting is missing."""
    check_pdf_environment()
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    r = renderer()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            r.write_pdf(result, fh, generated=generated)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            mode = out_path.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, out_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out_path


__all__ = ["ScorecardRenderer", "render_scorecard_html", "renderer", "write_scorecard"]
