"""The scorecard's bar chart: each dimension's score against its maximum, as inline SVG.

Generated here, by hand, so the PDF needs no plotting library and no image: the
bars are vector shapes and the labels real text (searchable, crisp in print).
Every piece of text is escaped; the result is `Markup` safe to place in the template.
"""

from __future__ import annotations

import math
from typing import Iterable

from markupsafe import Markup, escape

from scorer.result import DimensionResult

from .format import fmt_score

# The scorecard's one font face (see templates/scorecard.css).
FONT = "'Noto Sans CJK SC', sans-serif"

# Geometry in SVG user units; the chart is scaled to the column width by CSS.
WIDTH = 520.0
LABEL_RIGHT = 150.0
BAR_LEFT = 158.0
BAR_RIGHT = 430.0
ROW = 20.0
BAR_H = 10.0
TOP = 4.0
AXIS_H = 18.0

TRACK = "#e4e7ec"
FILL = "#2b4a74"
FILL_LOW = "#9b2c2c"
GRID = "#c9ced6"
INK = "#1f2328"
MUTED = "#5b6470"


def _tick_step(top: float) -> float:
    """A round step giving 4–8 gridlines up to `top`."""
    if top <= 0:
        return 1.0
    raw = top / 5
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def dimension_chart_svg(dimensions: Iterable[DimensionResult], *, low_share: float = 0.6) -> Markup:
    """Horizontal bars, one per dimension. Each bar's track is as long as the
    dimension's maximum (so weights are visible), the filled part is the score;
    scores under `low_share` of their maximum are drawn in a muted red."""
    dims = list(dimensions)
    top = max((d.max for d in dims), default=1.0) or 1.0
    step = _tick_step(top)
    ticks = [i * step for i in range(int(top / step + 1e-9) + 1)]
    if ticks[-1] < top - 1e-9:
        ticks.append(ticks[-1] + step)
    scale_max = ticks[-1]
    span = BAR_RIGHT - BAR_LEFT

    def x(v: float) -> float:
        return BAR_LEFT + span * max(0.0, min(v, scale_max)) / scale_max

    height = TOP + ROW * len(dims) + AXIS_H
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {_num(WIDTH)} {_num(height)}" '
        f'width="{_num(WIDTH)}" height="{_num(height)}" role="img" aria-label="各维度得分">'
    ]
    axis_y = TOP + ROW * len(dims)
    for t in ticks:
        tx = _num(x(t))
        out.append(f'<line x1="{tx}" y1="{_num(TOP - 2)}" x2="{tx}" y2="{_num(axis_y)}" '
                   f'stroke="{GRID}" stroke-width="0.6" stroke-dasharray="2 2"/>')
        out.append(f'<text x="{tx}" y="{_num(axis_y + 13)}" font-family="{FONT}" font-size="9" '
                   f'fill="{MUTED}" text-anchor="middle">{escape(_num(t))}</text>')
    out.append(f'<line x1="{_num(BAR_LEFT)}" y1="{_num(axis_y)}" x2="{_num(x(scale_max))}" y2="{_num(axis_y)}" '
               f'stroke="{MUTED}" stroke-width="0.8"/>')
    for i, d in enumerate(dims):
        cy = TOP + ROW * i + ROW / 2
        y = cy - BAR_H / 2
        share = d.score / d.max if d.max else 0.0
        fill = FILL_LOW if share < low_share else FILL
        out.append(f'<text x="{_num(LABEL_RIGHT)}" y="{_num(cy + 4)}" font-family="{FONT}" font-size="11" '
                   f'fill="{INK}" text-anchor="end">{escape(d.name)}</text>')
        out.append(f'<rect x="{_num(BAR_LEFT)}" y="{_num(y)}" width="{_num(x(d.max) - BAR_LEFT)}" '
                   f'height="{_num(BAR_H)}" fill="{TRACK}"/>')
        if d.score > 0:
            out.append(f'<rect x="{_num(BAR_LEFT)}" y="{_num(y)}" width="{_num(x(d.score) - BAR_LEFT)}" '
                       f'height="{_num(BAR_H)}" fill="{fill}"/>')
        label = f"{fmt_score(d.score)} / {fmt_score(d.max)}"
        out.append(f'<text x="{_num(x(d.max) + 6)}" y="{_num(cy + 4)}" font-family="{FONT}" '
                   f'font-size="10.5" fill="{INK}">{escape(label)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
