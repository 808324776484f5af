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
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from jinja2 import BytecodeCache, Environment, FileSystemLoader, StrictUndefined

from scorer.resources import templates_dir
from scorer.result import REVIEW_MATCH, TIER_CLASS, CriterionResult, ScoreResult

from .chart import dimension_chart_svg
from .environment import check_pdf_environment
from .fetcher import TemplateAssetFetcher
from .format import (
    REPEAT_LIMIT, display_zone, fmt_bytes, fmt_percent, fmt_score, fmt_time, highlight, level_class, matching_methods,
    today, zone_label,
)

TEMPLATE = "scorecard.html.j2"
STYLESHEET = "scorecard.css"
MAX_QUOTES = 2  # a printable scorecard; the JSON keeps every sentence
_CN_NUMERALS = "一二三四五六七八九十"
# Indentation between tags that the template's own line breaks introduce. Text from a
# submission is escaped (no raw `<` or `>`), so this never touches quoted text.
_TEMPLATE_WHITESPACE = re.compile(r">\s*\n\s*<")


def _cn_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三; other numbers as digits."""
    if 1 <= n <= 10:
        return _CN_NUMERALS[n - 1]
    if 10 < n < 100:
        tens, ones = divmod(n, 10)
        head = "十" if tens == 1 else _CN_NUMERALS[tens - 1] + "十"
        return head + (_CN_NUMERALS[ones - 1] if ones else "")
    return str(n)


def _grade_class(result: ScoreResult) -> str:
    """The grade's CSS class, from its tier (the rubric's data), never from its name."""
    return TIER_CLASS[result.shown_tier]


@dataclass(frozen=True)
class CriterionView:
    item: CriterionResult
    quotes: list
    more: int
    notes: list  # per quote: what its marks say (the rubric's reasons; "" when it has none)
    weak: int  # sentences that touch the item but earned nothing (shown as a count, not as evidence)
    probs: list = None  # per quote: the judge's probability (None without a judge)
    added: list = None  # per quote: True for a sentence a reviewer added (评审补充)
    review: object = None  # scorer.review.CriterionReview, on a reviewed scorecard: machine level, struck quotes
    # Where an item earned points with no quote: the paragraphs of the sentences that earned them
    # (CriterionResult.weaker), so a reader can find them; never the sentences themselves.
    weak_at: list = None


def _criterion_view(c: CriterionResult, seen: set[tuple[int, int]], why: dict[str, str], review=None) -> CriterionView:
    """The MAX_QUOTES strongest sentences of a criterion, in reading order. A sentence already quoted for an
    earlier criterion (one sentence often evidences several) is shown again as a
    short excerpt around this criterion's terms, marked as quoted before."""
    shown = c.shown(MAX_QUOTES)
    quotes, notes = [], []
    for e in shown:
        key = (e.start, e.end)
        quotes.append(highlight(e, REPEAT_LIMIT, repeat=True) if key in seen else highlight(e))
        notes.append(next((m.note for m in e.matches if m.type == REVIEW_MATCH), "") if e.added else e.why(why))
        seen.add(key)
    if c.quote_min:  # a judged item: its evidence is what the judge accepted; `considered`, what it did not
        # No quote likely enough: the count of sentences that touch the item, never a weak quote.
        weak = (len(c.evidence) + c.considered) if not shown else 0
        more = len(c.evidence) - len(shown) if shown else 0
    else:
        weak = len(c.evidence) if not shown else 0
        more = len(c.evidence) - len(shown) - weak
    weak_at = sorted({e.paragraph for e in c.weaker()}) if c.quote_min and not shown and c.score > 0 else []
    return CriterionView(item=c, quotes=quotes, more=more, notes=notes, weak=weak, added=[e.added for e in shown],
                         probs=[None if e.added else e.probability for e in shown], review=review, weak_at=weak_at)


class _CachedBytecode(BytecodeCache):
    """The compiled templates in civscore's cache (scorer.cache): compiling the scorecard
    template is ~0.1 s of every run that writes a PDF. Jinja rejects an entry whose template
    source or Jinja/Python version changed; the key names these environment settings too."""

    _KIND = "jinja2"

    def _key(self, bucket) -> str:
        import hashlib

        return hashlib.sha256(f"{bucket.key}|autoescape,strict,trim,lstrip".encode()).hexdigest()

    def load_bytecode(self, bucket) -> None:
        from scorer import cache

        data = cache.get(self._KIND, self._key(bucket))
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket) -> None:
        from scorer import cache

        cache.put(self._KIND, self._key(bucket), bucket.bytecode_to_string())


def make_environment(templates: Path) -> Environment:
    """Autoescaping everywhere: submission text is untrusted."""
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_CachedBytecode(),
    )
    env.filters["score"] = fmt_score
    env.filters["level_class"] = level_class
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

    def html(self, result: ScoreResult, *, generated: _dt.date | None = None, review=None, log=(), zone=None,
             part: tuple[str, int] | None = None) -> str:
        """`review`: the reviewers' decision (scorer.review.Reviewed) on `result`: the scorecard then
        leads with it (评审认定, the machine's proposal beside it) and its detail pages show the
        reviewed levels and quotes; None for the machine's scorecard alone. `log`: the changes made
        (the workbench's change log), each with who, when and what. Times are shown in `zone`
        (scorer.report.format.display_zone). `part`: None for the whole scorecard, or ("front", k),
        the cover and the first k dimensions, or ("back", k), the rest (scorer.report.split): each
        dimension starts a page, so the two halves lay out as the whole does."""
        if generated is None:  # a signed scorecard is dated in the reviewer's zone
            generated = today(zone)  # the reviewer's day, signed or not
        machine = result
        shown = review.result if review is not None else result
        by_id = {c.machine.id: c for c in review.criteria} if review is not None else {}
        seen: set[tuple[int, int]] = set()
        why = result.rubric.discounts
        dims = [
            {"d": d, "criteria": [_criterion_view(c, seen, why, by_id.get(c.id)) for c in d.criteria]}
            for d in shown.dimensions
        ]
        bonus_items = [_criterion_view(c, seen, why, by_id.get(c.id)) for c in shown.bonus.items]
        html = self.template.render(
            r=shown,
            machine=machine,
            unit=result.submission.unit or "（申报单位未注明）",
            dims=dims,
            bonus_items=bonus_items,
            chart=dimension_chart_svg(shown.dimensions),
            grade_class=_grade_class(shown),
            machine_grade_class=_grade_class(machine),
            methods=matching_methods(result),
            sha12=result.rubric.sha256[:12],
            generated=generated.isoformat(),
            max_quotes=MAX_QUOTES,
            input_name=Path(result.submission.path).name or result.submission.path,
            review=review,
            log=list(log),
            when=lambda iso, offset=True: fmt_time(iso, zone or display_zone(), offset=offset),
            zone_label=lambda: zone_label(zone),
            part=part[0] if part else "whole",
            dim_first=part[1] if part and part[0] == "back" else 0,
            dim_last=part[1] if part and part[0] == "front" else len(dims),
        )
        return _TEMPLATE_WHITESPACE.sub("><", html)

    def document(self, result: ScoreResult, *, generated: _dt.date | None = None, review=None, log=(), zone=None):
        from weasyprint import HTML

        html = HTML(string=self.html(result, generated=generated, review=review, log=log, zone=zone),
                    base_url=self.base_url,
                    url_fetcher=self.fetcher)
        return html.render(stylesheets=[self.css], font_config=self.font_config)

    def write_pdf(self, result: ScoreResult, target, *, generated: _dt.date | None = None, review=None) -> None:
        """Render to `target` (a path or a binary file object)."""
        with self._lock:
            mark(self.document(result, generated=generated, review=review)).write_pdf(target)

    def pdf_bytes(self, result: ScoreResult, *, generated: _dt.date | None = None, review=None, log=(),
                  zone=None) -> bytes:
        with self._lock:
            return mark(self.document(result, generated=generated, review=review, log=log, zone=zone)).write_pdf()


def mark(document, what: str = "scorecard"):
    """Set the PDF's Creator to civscore's mark ("civscore scorecard", "civscore overview"): a
    later run replaces only files that carry it, and no run takes one as a submission."""
    from scorer.outputs import CREATOR

    document.metadata.generator = f"{CREATOR} {what}"
    return document


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
    from scorer.outputs import atomic_write

    check_pdf_environment()
    out_path = Path(out_path)
    r = renderer()
    with atomic_write(out_path) as fh:  # an OSError becomes an OutputError naming out_path
        r.write_pdf(result, fh, generated=generated)
    return out_path


__all__ = ["ScorecardRenderer", "render_scorecard_html", "renderer", "write_scorecard"]
