"""The batch overview (评审汇总表): every unit by rank, with its dimension profile.

Rendered with the scorecard's own machinery (scorer.report.pdf.renderer()): the same
Jinja environment (autoescaping, the `score` filter), the same TemplateAssetFetcher
(only the templates folder and small data: URLs load) and the same WeasyPrint
FontConfiguration. Each dimension score is drawn as a small inline SVG bar (its
score against that dimension's maximum), made here from numbers only.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from scorer.outputs import atomic_write

from ..result import TIER_CLASS
from .ranking import Dim, RankedRow, rubric_ids, used_dims

TEMPLATE = "overview.html.j2"
STYLESHEET = "overview.css"

BAR_W = 60.0
BAR_H = 7.0
TRACK = "#e4e7ec"
FILL = "#2b4a74"
FILL_LOW = "#9b2c2c"
LOW_SHARE = 0.6


def _n(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def bar_svg(score: float | None, maximum: float) -> Markup:
    """A bar as long as the dimension's maximum, filled to the score (red under 60 %)."""
    share = 0.0 if not maximum or score is None else max(0.0, min(1.0, score / maximum))
    fill = FILL_LOW if share < LOW_SHARE else FILL
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar" viewBox="0 0 {_n(BAR_W)} {_n(BAR_H)}" '
        f'width="{_n(BAR_W)}" height="{_n(BAR_H)}">',
        f'<rect x="0" y="0" width="{_n(BAR_W)}" height="{_n(BAR_H)}" fill="{TRACK}"/>',
    ]
    if share > 0:
        parts.append(f'<rect x="0" y="0" width="{_n(BAR_W * share)}" height="{_n(BAR_H)}" fill="{fill}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Failure:
    file: str
    reason: str


def grade_class(summary) -> str:
    """The grade's CSS class, from its tier (the rubric's data), never from its name."""
    return TIER_CLASS["veto" if summary.vetoed else summary.tier]


def render_html(rows: list[RankedRow], dims: list[Dim], *, title: str, rubrics: list = (),
                grade_order: list[str] = (), failures: list[Failure] = (), generated: _dt.date | None = None,
                renderer=None) -> str:
    """`title`: the round's name (a batch: its output folder). `rubrics`: RubricInfo of every
    rubric of the run; a round scored with several (chosen by unit kind) gets one table per
    rubric, each with that rubric's own dimensions, the ranks those of the whole round."""
    from scorer.report.pdf import renderer as scorecard_renderer

    r = renderer or scorecard_renderer()
    template = r.env.get_template(TEMPLATE)
    grades = Counter(row.summary.grade for row in rows)
    totals = [row.summary.total for row in rows]
    dims = used_dims(rows, dims)
    ids = rubric_ids(dims)
    info = {x.id: x for x in rubrics}

    def view(row: RankedRow, own: list[Dim]) -> dict:
        return {
            "rank": row.rank,
            "unit": row.summary.unit,
            "s": row.summary,
            "file": row.file,
            "grade_class": grade_class(row.summary),
            "dims": [{"score": row.dim_score(d), "max": d.max, "bar": bar_svg(row.dim_score(d), d.max)} for d in own],
        }

    if len(ids) > 1:
        groups = []
        for rid in ids:
            own = [d for d in dims if d.rubric == rid]
            mine = [row for row in rows if row.summary.rubric_id == rid]
            if mine:
                groups.append({"rubric": info.get(rid), "id": rid, "dims": own, "rows": [view(x, own) for x in mine]})
    else:
        groups = [{"rubric": info.get(ids[0]) if ids else None, "id": ids[0] if ids else "", "dims": dims,
                   "rows": [view(x, dims) for x in rows]}]
    used = [x for x in rubrics if x.id in {row.summary.rubric_id for row in rows}] or list(rubrics)
    return template.render(
        title=title,
        groups=groups,
        mixed=len(groups) > 1,
        rubrics=used,
        count=len(rows),
        grades=[(g, grades[g]) for g in grade_order if grades[g]]
        + sorted((g, n) for g, n in grades.items() if g not in grade_order),
        vetoed=sum(1 for row in rows if row.summary.vetoed),
        mean=(sum(totals) / len(totals)) if totals else None,
        failures=list(failures),
        generated=(generated or _dt.date.today()).isoformat(),
    )


def write_overview(path: Path, rows: list[RankedRow], dims: list[Dim], *, title: str, rubrics: list = (),
                   grade_order: list[str] = (), failures: list[Failure] = (),
                   generated: _dt.date | None = None) -> Path:
    """Render the overview PDF and move it into place only once complete."""
    from scorer.report.environment import check_pdf_environment  # (scorer.report first: fastffi)
    from scorer.report.pdf import mark
    from scorer.report.pdf import renderer as scorecard_renderer
    from weasyprint import CSS, HTML

    check_pdf_environment()
    r = scorecard_renderer()
    html = render_html(rows, dims, title=title, rubrics=rubrics, grade_order=grade_order, failures=failures,
                       generated=generated, renderer=r)
    css = CSS(filename=str(r.templates / STYLESHEET), url_fetcher=r.fetcher, font_config=r.font_config)
    doc = HTML(string=html, base_url=r.base_url, url_fetcher=r.fetcher).render(
        stylesheets=[css], font_config=r.font_config
    )
    with atomic_write(Path(path)) as fh:
        mark(doc, "overview").write_pdf(fh)
    return Path(path)
