"""Scorecards of the real seed reports, scored by the engine: the PDF shows the numbers
of the JSON output, a quote for every dimension that has evidence, and embeds its font."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from scorecard_sample import pdf_text, pdffonts, squash
from scorer.report.format import fmt_score, highlight
from scorer.report.pdf import render_scorecard_html, write_scorecard

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
RENDERED = [s for s in SEEDS if s.name[:3] in {"000", "002"}]  # two PDFs keep the module fast


@pytest.fixture(scope="module")
def scorer():
    from scorer.engine import Scorer

    return Scorer.load()


@pytest.fixture(scope="module")
def results(scorer):
    return {seed.name: scorer.score_path(seed) for seed in SEEDS}


@pytest.fixture(scope="module")
def pdfs(results, tmp_path_factory):
    out = tmp_path_factory.mktemp("seeds")
    return {seed.name: write_scorecard(results[seed.name], out / f"{seed.stem}.pdf") for seed in RENDERED}


def _shown(ev) -> str:
    return squash(re.sub(r"<[^>]+>", "", str(highlight(ev).html)).replace("&#34;", '"').replace("&#39;", "'"))


def test_there_are_seeds():
    assert len(SEEDS) >= 2 and len(RENDERED) == 2


@pytest.mark.parametrize("seed", [s.name for s in SEEDS])
def test_html_carries_every_number_of_the_json(results, seed):
    result = results[seed]
    data = json.loads(result.model_dump_json())
    html = squash(re.sub(r"<[^>]+>", "", render_scorecard_html(result)))
    assert f"{fmt_score(data['total'])}/{fmt_score(data['max_total'])}" in html
    assert squash(data["grade"]) in html
    for d in data["dimensions"]:
        assert f"得分{fmt_score(d['score'])}/{fmt_score(d['max'])}" in html
        for c in d["criteria"]:
            assert f"{fmt_score(c['score'])}/{fmt_score(c['max'])}" in html
    for v in data["vetoes"]:
        assert squash(v["text"]) in html


@pytest.mark.parametrize("seed", [s.name for s in RENDERED])
def test_pdf_shows_unit_total_and_dimension_scores(results, pdfs, seed):
    result = results[seed]
    data = json.loads(result.model_dump_json())
    text = squash(pdf_text(pdfs[seed]))
    if result.submission.unit:
        assert squash(result.submission.unit) in text
    shown = fmt_score(data["total"])
    assert float(shown) == data["total"]
    assert f"{shown}/{fmt_score(data['max_total'])}" in text
    for d in data["dimensions"]:
        assert f"{squash(d['name'])}得分{fmt_score(d['score'])}/{fmt_score(d['max'])}" in text


@pytest.mark.parametrize("seed", [s.name for s in RENDERED])
def test_pdf_quotes_evidence_for_every_dimension_with_evidence(results, pdfs, seed):
    result = results[seed]
    text = squash(pdf_text(pdfs[seed]))
    for d in result.dimensions:
        quoted = [ev for c in d.criteria for ev in c.shown()]  # what every front end quotes
        if not quoted:
            continue
        assert any(_shown(ev) in text for ev in quoted), f"{seed}: no quote of {d.name}"


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="pdffonts (poppler-utils) not installed")
@pytest.mark.parametrize("seed", [s.name for s in RENDERED])
def test_pdf_fonts(pdfs, seed):
    fonts = pdffonts(pdfs[seed])
    assert any("CJK" in f["name"] and f["emb"] == "yes" for f in fonts), fonts
    assert not any("Type 3" in f["type"] for f in fonts), fonts
