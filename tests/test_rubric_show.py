"""`civscore rubric show`: the rubric as a readable table."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from scorer.cli import app
from scorer.rubric import load_rubric
from scorer.tuning.show import describe_matcher, rubric_rows

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", ["court", "general"])
def test_show_lists_every_criterion_with_points_and_what_earns_them(name):
    result = CliRunner().invoke(app, ["rubric", "show", name], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    r = load_rubric(ROOT / "rubric" / f"{name}.yaml").rubric
    out = result.stdout
    assert r.title in out
    for d in r.dimensions:
        assert d.name in out
        for c in d.criteria:
            assert c.id in out and c.name in out
            assert c.full[:20] in out
    for b in r.bonus.items:
        assert b.id in out
    for v in r.vetoes:
        assert v.id in out
    # what only the learned veto judgement may make a veto of is marked apart from the rules
    assert out.count("◦ 待判定") == sum(len(v.candidates) for v in r.vetoes) > 0
    # general's judge file carries no veto judgement: its candidates' lines say they act on nothing
    assert out.count("待判定（未启用") == (out.count("◦ 待判定") if name == "general" else 0)
    # what the rubric marks on a quote, with its weight and reason
    for d in r.scoring.discounts:
        assert f"{d.id}: weight {d.weight:g}" in out and d.why in out
    assert f"mention: weight {r.scoring.mention_weight:g}" in out and r.scoring.mention_why in out
    assert f"fit: weight {r.scoring.fit_weight:g} when {r.scoring.fit_top} or more items" in out


def test_matcher_summaries():
    r = load_rubric(ROOT / "tests" / "fixtures" / "rubrics" / "mini.yaml").rubric
    rows = list(rubric_rows(r))
    assert [row[0] for row in rows] == ["criterion"] * 3 + ["bonus", "veto"]
    assert [row[3] for row in rows[:3]] == ["4", "3", "3"]
    kinds = [describe_matcher(m) for c in r.criteria() for m in c.matchers]
    assert kinds[0].startswith("keywords: 党建、支部 [+1 syn.]") and "need 1.7" in kinds[0]
    assert kinds[1].startswith("cooccur/sentence: (")
    assert kinds[2].startswith("quantity ≥ 4 次/期/场/year")
    assert describe_matcher(r.bonus.items[0].matchers[0]) == "pattern: 党建品牌"


def test_show_a_broken_rubric(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["rubric", "show", str(bad)])
    assert result.exit_code == 2 and "bad.yaml:" in result.stderr


@pytest.mark.parametrize("name", ["court", "general"])
def test_show_names_the_sentence_judge_its_figures_and_its_veto_judgement(name):
    from scorer.engine import load_scorer

    s = load_scorer(name, choose=False)
    info = s.rubric_info.judge
    result = CliRunner().invoke(app, ["rubric", "show", name], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert f"{info.version}: rubric {info.rubric_sha256[:12]}, training data {info.training_sha256[:12]}" in text
    assert f"quote precision {info.figures['cv_quote_precision']:.1%}" in text
    if s.compiled.veto_head is not None:
        assert f"veto judgement: cross-validated recall {info.figures['cv_veto_recall']:.1%}" in text
    else:
        assert "veto judgement left out, the rules decide alone: " + s.compiled.judge_model.meta["veto_left_out"] in text



@pytest.mark.parametrize("name", ["court", "general"])
def test_a_vetos_candidates_say_when_no_veto_judgement_reads_them(name):
    # general's judge file was written without a veto judgement (cross-validated it raised more false
    # vetoes than the rules): its candidates propose to nobody, and `rubric show` says so on their lines.
    from scorer.engine import load_scorer

    scorer = load_scorer(ROOT / "rubric" / f"{name}.yaml", choose=False)
    judged = scorer.compiled.veto_head is not None
    assert judged == (name == "court")
    lines = [ln for row in rubric_rows(scorer.rubric, judged) if row[0] == "veto"
             for ln in row[5].splitlines() if ln.startswith("◦")]
    assert len(lines) == sum(len(v.candidates) for v in scorer.rubric.vetoes) > 0
    assert all(("未启用" in ln) != judged for ln in lines)
