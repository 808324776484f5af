"""The material judgement (scorer/judge/material.py): a text that is not one unit's own
civilization-unit material — a city's plan, a name list, a commentary, a 道德模范 selection, a
court's research report — earns nothing from the judged items and shows no quote, and says so;
no unit's own text of the corpus or the seeds is flagged."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from scorer.engine import RubricChooser, Scorer
from scorer.judge.material import GRID, MaterialHead, choose_threshold, design
from scorer.judge.model import JudgeModel
from scorer.report.pdf import render_scorecard_html

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "eval" / "corpus"


def _kinds() -> dict[str, str]:
    with (ROOT / "eval" / "sources.tsv").open(encoding="utf-8", newline="") as f:
        return {r["file"]: r["kind"] for r in csv.DictReader(f, delimiter="\t")}


@pytest.fixture(scope="module")
def chooser():
    return RubricChooser()


@pytest.mark.parametrize("rubric", ["court", "general"])
def test_each_shipped_judge_carries_a_material_judgement_with_its_figures(rubric):
    scorer = Scorer.load(rubric)
    head = scorer.compiled.judge_model.material
    assert head is not None
    assert head.threshold in GRID
    f = scorer.compiled.judge_model.meta["figures"]
    assert f["material_cv_units_flagged"] == 0
    assert f["material_cv_negatives_flagged"] >= 20
    assert f["material_cv_auc"] > 0.9


# Hard negatives of the corpus (eval/sources.tsv kind `negative`): a 道德模范 selection, a
# procuratorate's report to the 人大, a township's safety notice, a province's 创城 plan.
FLAGGED = ["551.txt", "547.txt", "546.txt", "542.txt"]


@pytest.mark.parametrize("name", FLAGGED)
def test_a_hard_negative_is_flagged_earns_nothing_and_shows_no_quote(chooser, name):
    from scorer.ingest import load_document

    assert _kinds()[name] == "negative"
    result = chooser.score_document(load_document(CORPUS / name))
    m = result.material
    assert m is not None and m.flagged and m.probability >= m.threshold
    assert result.total == 0 and result.base == 0 and result.bonus.score == 0
    assert not [e for c in result.criteria() for e in c.shown()]
    assert all(c.level == result.rubric.levels[-1].id for c in result.criteria())
    data = json.loads(result.model_dump_json())
    assert data["material"]["flagged"] is True
    html = render_scorecard_html(result)
    assert "不像某一单位自身的文明创建材料" in html
    assert "经句子判定均不是本单位本项工作" not in html


def test_no_unit_text_of_the_corpus_nor_a_seed_is_flagged(chooser):
    from scorer.ingest import load_document

    kinds = _kinds()
    paths = [CORPUS / f for f, k in sorted(kinds.items()) if k in ("court", "other")]
    paths += sorted((ROOT / "seeds").glob("*.txt"))
    flagged = []
    for p in paths:
        scorer, _ = chooser.choose(doc := load_document(p))
        a = scorer.compiled.analyze(doc.text)
        jm = scorer.compiled.judge_model
        prob = jm.material.probability(jm.space, [s.text for s in a.seg.sentences])
        if prob >= jm.material.threshold:
            flagged.append((p.name, round(prob, 3)))
    assert len(paths) > 400
    assert flagged == []


def test_a_thin_court_news_item_is_scored_as_before(chooser):
    """Snow clearing by a county court (fresh8): a unit's own thin news, not flagged, its quotes kept."""
    from scorer.ingest import load_document

    result = chooser.score_document(load_document(CORPUS / "527.txt"))
    assert result.material is not None and not result.material.flagged
    assert result.material.probability < 0.3


def test_the_material_judgement_survives_the_file_round_trip():
    jm = Scorer.load("court").compiled.judge_model
    again = JudgeModel.from_bytes(jm.to_bytes())
    assert again.material is not None
    assert again.material.threshold == jm.material.threshold
    assert np.array_equal(again.material.weights, jm.material.weights)
    assert again.material.bias == pytest.approx(jm.material.bias, rel=1e-6)
    sents = ["本院组织干警到社区开展志愿服务活动，清扫积雪2000平方米。"]
    assert again.material.probability(again.space, sents) == jm.material.probability(jm.space, sents)


def test_a_judge_file_without_one_still_loads_and_judges_nothing():
    jm = Scorer.load("court").compiled.judge_model
    raw = jm.to_bytes()
    import gzip

    body = gzip.decompress(raw)
    line, _, rest = body.partition(b"\n")
    header = json.loads(line)
    shapes = header.pop("material")
    arrays = header["arrays"]
    n_tail = (int(np.prod(arrays.pop("material_grams"))) * 2 + int(np.prod(arrays.pop("material_bias"))) * 4)
    assert shapes["threshold"] == jm.material.threshold
    body = json.dumps(header, ensure_ascii=False, sort_keys=True).encode() + b"\n" + rest[: len(rest) - n_tail]
    plain = JudgeModel.from_bytes(gzip.compress(body))
    assert plain.material is None
    assert plain.items == jm.items


def test_the_threshold_spares_every_unit_and_keeps_a_margin():
    y = np.array([0, 0, 0, 1, 1, 1], dtype=float)
    p = np.array([0.1, 0.52, 0.3, 0.9, 0.7, 0.4])
    # 0.50 flags the unit at 0.52; 0.55 flags none: one step more for a margin.
    assert choose_threshold(p, y) == 0.6
    assert choose_threshold(np.array([0.99, 0.9, 0.1]), np.array([0, 1, 1], dtype=float)) is None


def test_what_it_reads_is_each_sentences_grams_counted_in_the_judges_space():
    """The text's row is the judge's TF-IDF of its grams, none across two sentences: the same as
    scikit-learn's transform of the gram counts (training builds it by `design`, scoring by
    `GramSpace.text_row`, one function)."""
    space = Scorer.load("court").compiled.judge_model.space
    sents = ["本院组织干警开展志愿服务。", "志愿服务队走进社区。"]
    at, values = space.text_row(sents)
    assert np.isclose(values @ values, 1.0)
    x = design(space, [sents]).toarray()[0]
    assert np.allclose(x[at], values) and np.count_nonzero(x) == len(at)
    # "务志" spans the two sentences: not counted, though it is a gram of their joined text.
    joined, _ = space.text_row(["".join(sents)])
    assert set(at) <= set(joined)
    head = MaterialHead(weights=np.zeros(len(space)), bias=0.0, threshold=0.6)
    assert head.probability(space, []) == 0.0
    assert head.probability(space, sents) == 0.5


# -- between `judge.material_from` and the threshold: the text counts less, in proportion ------------


def test_the_scale_falls_in_proportion_from_the_rubrics_start_to_the_threshold():
    from scorer.judge.material import material_scale

    assert material_scale(0.1, 0.6, 0.3) == 1.0
    assert material_scale(0.3, 0.6, 0.3) == 1.0
    assert material_scale(0.45, 0.6, 0.3) == pytest.approx(0.5)
    assert material_scale(0.6, 0.6, 0.3) == 0.0 and material_scale(0.9, 0.6, 0.3) == 0.0
    assert material_scale(0.59, 0.6, None) == 1.0  # no start: only a flagged text is touched
    assert material_scale(0.59, 0.6, 0.7) == 1.0  # a start over the threshold: the same


@pytest.mark.parametrize("rubric", ["court", "general"])
def test_each_shipped_rubric_states_where_the_scaling_starts(rubric):
    js = Scorer.load(rubric).rubric.judge
    head = Scorer.load(rubric).compiled.judge_model.material
    assert js.material_from is not None and 0 < js.material_from < head.threshold


def test_a_material_start_outside_zero_to_one_is_refused_naming_the_field():
    from pydantic import ValidationError

    from scorer.rubric.schema import JudgeSettings

    with pytest.raises(ValidationError) as e:
        JudgeSettings(file="x.judge", material_from=1.2)
    assert "material_from" in str(e.value)


def _mixed() -> str:
    """A railway unit's own volunteer news (105) with the title and lead of a city's 學雷鋒 launch ceremony
    (598, a hard negative) after it, as a page that carries a neighbouring article's opening would."""
    lead = [p for p in (CORPUS / "598.txt").read_text(encoding="utf-8").split("\n") if p.strip()][:2]
    return (CORPUS / "105.txt").read_text(encoding="utf-8").strip() + "\n" + "\n".join(lead)


def test_a_text_half_a_units_and_half_a_citys_counts_less_and_says_why(monkeypatch):
    kinds = _kinds()
    assert kinds["105.txt"] == "other" and kinds["598.txt"] == "negative"
    scorer = Scorer.load("general")
    text = _mixed()
    result = scorer.score_text(text)
    m = result.material
    assert m is not None and not m.flagged
    assert m.start < m.probability < m.threshold
    assert m.scale == pytest.approx((m.threshold - m.probability) / (m.threshold - m.start), abs=2e-3)
    assert 0 < m.scale < 1
    # Every quote's probability was multiplied by the scale: none reaches over it.
    quotes = [e for c in result.criteria() for e in c.evidence]
    assert quotes and all(e.probability <= m.scale + 1e-3 for e in quotes)
    # The same text with the rubric naming no start: only the threshold applies, and it earns more.
    c = scorer.compiled
    monkeypatch.setattr(c, "rubric", c.rubric.model_copy(
        update={"judge": c.rubric.judge.model_copy(update={"material_from": None})}))
    plain = scorer.score_text(text)
    assert plain.material.scale == 1.0
    # Every judged probability was scaled down: each criterion's satisfaction falls, its points never rise.
    assert sum(c.satisfaction for c in result.criteria()) < sum(c.satisfaction for c in plain.criteria())
    assert result.base <= plain.base
    assert sum(len(c.shown()) for c in result.criteria()) <= sum(len(c.shown()) for c in plain.criteria())
    monkeypatch.undo()
    html = render_scorecard_html(result)
    assert "不完全像某一单位自身的文明创建材料" in html and f"×{m.scale:.2f}" in html
    assert json.loads(result.model_dump_json())["material"]["scale"] == m.scale


def test_a_units_own_text_under_the_start_is_not_scaled(chooser):
    from scorer.ingest import load_document

    result = chooser.score_document(load_document(CORPUS / "105.txt"))
    m = result.material
    assert m is not None and m.probability < m.start and m.scale == 1.0
    assert "不完全像" not in render_scorecard_html(result)
