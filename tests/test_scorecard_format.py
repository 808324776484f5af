"""The scorecard's building blocks, without rendering a PDF: number formatting,
highlighted quotes, the SVG chart, the HTML."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from scorecard_sample import build_sample
from scorer.report.chart import dimension_chart_svg
from scorer.report.format import QUOTE_LIMIT, fmt_percent, fmt_score, highlight
from scorer.report.pdf import render_scorecard_html, renderer
from scorer.result import DimensionResult, Evidence, Match, Span

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("value, shown", [
    (80.0, "80"), (80.5, "80.5"), (7.25, "7.25"), (0.0, "0"), (105, "105"), (12.30, "12.3"), (3.999, "4"),
])
def test_fmt_score(value, shown):
    assert fmt_score(value) == shown


def test_fmt_percent():
    assert fmt_percent(21.8, 25) == "87%"
    assert fmt_percent(0, 0) == "—"


def _ev(text: str, start: int, terms: list[tuple[int, int]]) -> Evidence:
    spans = [Span(text=text[a - start:b - start], start=a, end=b, term=text[a - start:b - start]) for a, b in terms]
    match = Match(rule="x#1", type="keywords", label="x", terms=spans)
    return Evidence(text=text, start=start, end=start + len(text), matches=[match], paragraph=3, terms=spans)


def test_highlight_marks_terms_by_offset_into_the_result_text():
    ev = _ev("全院开展道德讲堂活动12次。", 100, [(104, 108)])
    q = highlight(ev)
    assert isinstance(q.html, Markup)
    assert str(q.html) == "全院开展<mark>道德讲堂</mark>活动12次。"
    assert q.paragraph == 3 and not q.cut


def test_highlight_escapes_every_piece():
    text = "<b>党建</b>&<script>x</script>"
    ev = _ev(text, 0, [(3, 5)])
    html = str(highlight(ev).html)
    assert html == "&lt;b&gt;<mark>党建</mark>&lt;/b&gt;&amp;&lt;script&gt;x&lt;/script&gt;"


def test_highlight_merges_touching_and_overlapping_terms_and_ignores_strays():
    ev = _ev("文明单位创建工作扎实有效。", 0, [(0, 4), (4, 8), (2, 6), (10, 12)])
    ev.terms.append(Span(text="x", start=500, end=501, term="x"))  # outside the sentence
    assert str(highlight(ev).html) == "<mark>文明单位创建工作</mark>扎实<mark>有效</mark>。"


def test_long_sentence_is_cut_around_its_first_term():
    text = "甲" * 300 + "志愿服务" + "乙" * 300 + "。"
    ev = _ev(text, 0, [(300, 304)])
    q = highlight(ev)
    html = str(q.html)
    assert q.cut and html.startswith("…") and html.endswith("…")
    assert "<mark>志愿服务</mark>" in html
    assert len(html.replace("<mark>", "").replace("</mark>", "")) <= QUOTE_LIMIT + 2


def test_chart_is_valid_svg_with_a_bar_per_dimension():
    result = build_sample()
    svg = dimension_chart_svg(result.dimensions)
    root = ET.fromstring(str(svg))
    assert root.tag == SVG + "svg"
    texts = ["".join(t.itertext()) for t in root.iter(SVG + "text")]
    for d in result.dimensions:
        assert d.name in texts
        assert f"{fmt_score(d.score)} / {fmt_score(d.max)}" in texts
    rects = list(root.iter(SVG + "rect"))
    assert len(rects) == 2 * len(result.dimensions)  # track + fill (every sample dimension scored > 0)


def test_chart_bars_are_proportional():
    dims = [
        DimensionResult(id="a", name="甲", score=10, max=20, criteria=[]),
        DimensionResult(id="b", name="乙", score=0, max=10, criteria=[]),
    ]
    root = ET.fromstring(str(dimension_chart_svg(dims)))
    widths = [float(r.get("width")) for r in root.iter(SVG + "rect")]
    track_a, fill_a, track_b = widths  # no fill bar for a zero score
    assert fill_a == pytest.approx(track_a / 2)
    assert track_b == pytest.approx(track_a / 2)


def test_chart_escapes_names():
    dims = [DimensionResult(id="a", name='<script>"x"</script>', score=1, max=2, criteria=[])]
    svg = str(dimension_chart_svg(dims))
    assert "<script>" not in svg
    ET.fromstring(svg)


def test_html_has_the_footer_data_and_no_veto_box_without_vetoes():
    result = build_sample(vetoed=False)
    html = render_scorecard_html(result, generated=dt.date(2024, 1, 2))
    assert f"sha256 {result.rubric.sha256[:12]}" in html
    assert "生成日期 2024-01-02" in html
    assert 'class="veto"' not in html
    assert "一票否决" not in html.split('class="details"')[0]


def test_html_veto_box_when_vetoed():
    result = build_sample(vetoed=True)
    html = render_scorecard_html(result)
    assert 'class="veto"' in html and "一票否决" in html
    assert "grade-fail" in html


def test_renderer_is_built_once_per_process():
    first = renderer()
    assert renderer() is first
    assert first.font_config is renderer().font_config
    assert first.css is renderer().css


def test_sentence_quoted_again_is_short_and_marked():
    result = build_sample(vetoed=False)
    first = result.dimensions[0].criteria[0]
    again = result.dimensions[0].criteria[2]
    repeated = first.evidence[0]
    again.evidence.insert(0, repeated)  # one sentence evidencing two criteria
    html = render_scorecard_html(result)
    assert html.count("段，前文已引）") == 1
    # the first time in full, the second time as an excerpt
    full = str(highlight(repeated).html)
    assert full in html and html.count(full) == 1


def test_chinese_section_numerals():
    from scorer.report.pdf import _cn_numeral

    assert [_cn_numeral(n) for n in (1, 5, 10, 11, 20, 23)] == ["一", "五", "十", "十一", "二十", "二十三"]
