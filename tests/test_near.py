"""The `near` matcher (scorer/match/types/near.py): term groups close together in one clause,
words allowed in between (被依法判处, 被市纪委监委立案审查)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from scorer.cli import app
from scorer.engine import Scorer
from scorer.errors import RubricError
from scorer.match.registry import matcher_types
from scorer.report.pdf import render_scorecard_html
from scorer.rubric import load_rubric, parse_rubric
from scorer.tuning import lint
from scorer.tuning.show import describe_matcher, rubric_rows

RUBRIC = """\
id: near-test
version: "1"
title: near 匹配测试
total: 10
levels:
  - {id: A, share: 1.0, min: 0.85}
  - {id: D, share: 0.0, min: 0.0}
grades:
  - {name: 甲, min: 9}
  - {name: 乙, min: 0}
negation:
  cues: [没有, 未, 从未]
  breakers: [但]
dimensions:
  - id: conduct
    name: 队伍
    points: 10
    criteria:
      - id: conduct.discipline
        name: 纪律教育
        points: 10
        full: 以案示警
        matchers:
          - type: near
            label: 以案示警
            within: 4
            groups:
              - [警示教育, 以案促改]
              - [大会, 活动]
vetoes:
  - id: staff_crime
    name: 干警违法犯罪
    matchers:
      - type: near
        label: 干警被判处或被立案审查
        within: 6
        groups:
          - [被]
          - [判处, 立案审查]
"""


@pytest.fixture(scope="module")
def scorer(tmp_path_factory) -> Scorer:
    p = tmp_path_factory.mktemp("near") / "near.yaml"
    p.write_text(RUBRIC, encoding="utf-8")
    return Scorer(load_rubric(p))


def vetoes(scorer: Scorer, text: str):
    return scorer.score_text(text, normalize=False).vetoes


@pytest.mark.parametrize("text, inserted", [
    ("去年一名干警因受贿被依法判处有期徒刑三年。", "依法"),
    ("该院原副院长被市纪委监委立案审查，教训深刻。", "市纪委监委"),
    ("一名书记员被判处缓刑，院党组深刻反思。", ""),
])
def test_words_may_stand_between_the_groups(scorer, text, inserted):
    [v] = vetoes(scorer, text)
    m = v.match
    assert m.type == "near" and m.rule == "staff_crime#1" and m.label == "干警被判处或被立案审查"
    assert [t.text for t in m.terms][0] == "被"
    first, last = m.terms[0], m.terms[-1]
    assert text[first.end:last.start] == inserted  # offsets index the text
    assert all(text[t.start:t.end] == t.text for t in m.terms)


def test_too_far_apart_is_not_near(scorer):
    # 被 … 判处 with 8 characters between them: more than within: 6.
    assert vetoes(scorer, "他被上级法院评为先进后来又判处一批案件，成绩突出。") == []


def test_the_groups_must_share_a_clause(scorer):
    assert vetoes(scorer, "他被评为先进，判处案件三百件。") == []


def test_order_matters_unless_unordered(tmp_path):
    text = "这些案件依法判处后被告服判息诉。"  # 判处 … 被: the wrong order
    p = tmp_path / "r.yaml"
    p.write_text(RUBRIC, encoding="utf-8")
    assert Scorer(load_rubric(p)).score_text(text, normalize=False).vetoes == []
    p.write_text(RUBRIC.replace("        within: 6\n", "        within: 6\n        ordered: false\n"), encoding="utf-8")
    [v] = Scorer(load_rubric(p)).score_text(text, normalize=False).vetoes
    assert [t.term for t in v.match.terms] == ["判处", "被"]


def test_negated_terms_do_not_count(scorer):
    assert vetoes(scorer, "全院干警没有被判处刑罚的情况。") == []


def test_near_earns_criterion_points(scorer):
    text = "院党组召开警示教育专题大会，组织全体干警观看警示片并逐一撰写心得体会。"
    r = scorer.score_text(text, normalize=False)
    c = r.dimensions[0].criteria[0]
    assert c.score == 10 and c.missing == []
    [m] = c.evidence[0].matches
    assert m.type == "near" and [t.term for t in m.terms] == ["警示教育", "大会"]
    # …and with nothing near, the criterion is missing, as data.
    r = scorer.score_text("院党组组织全体干警观看了反腐倡廉专题片，撰写心得体会。", normalize=False)
    [missing] = r.dimensions[0].criteria[0].missing
    assert (missing.label, missing.status, missing.rule) == ("以案示警", "absent", "conduct.discipline#1")


def test_schema_refuses_a_bad_near_with_its_line(tmp_path):
    text = RUBRIC.replace("        within: 6\n", "        within: 500\n")
    p = tmp_path / "bad.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(RubricError) as e:
        load_rubric(p)
    [problem] = e.value.problems
    line = text[: text.index("within: 500")].count("\n") + 1
    assert problem.line == line and problem.loc == ("vetoes", 0, "matchers", 0, "within")
    assert str(problem).startswith(f"{p}:{line}: vetoes.0.matchers.0.within: ")
    one_group = RUBRIC.replace("          - [被]\n", "")
    with pytest.raises(RubricError) as e:
        parse_rubric(one_group, Path("one.yaml"))
    assert e.value.problems[0].field == "vetoes.0.matchers.0.groups"


def test_show_lint_and_scorecard_know_near_from_the_registry(scorer, tmp_path):
    assert "near" in matcher_types()
    r = scorer.rubric
    assert describe_matcher(r.vetoes[0].matchers[0]) == "near ≤6: (被) … (判处、立案审查)"
    assert any("near ≤4" in row[5] for row in rubric_rows(r))
    # lint sees its terms (here: an unless phrase that holds none of them is idle)
    ctx = lint.LintContext(scorer.loaded, "near.yaml")
    places = {p.term.term for p in lint.term_places(r)}
    assert {"被", "判处", "立案审查", "警示教育", "大会"} <= places
    idle = RUBRIC.replace("        within: 6\n", "        within: 6\n        unless: [被告, 文明城市]\n")
    ctx = lint.LintContext(parse_rubric(idle, Path("idle.yaml")), "idle.yaml")
    assert ["文明城市" in f.message for f in lint.idle_unless(ctx)] == [True]
    # the scorecard's method paragraph names the types the rubric uses
    result = scorer.score_text("院党组召开警示教育大会。", normalize=False)
    assert result.rubric.matchers == ["near"]
    html = render_scorecard_html(result)
    assert matcher_types()["near"].spec.scorecard in html
    assert matcher_types()["keywords"].spec.scorecard not in html


def test_rubric_check_and_show_on_a_near_rubric(tmp_path):
    p = tmp_path / "near.yaml"
    p.write_text(RUBRIC, encoding="utf-8")
    checked = CliRunner().invoke(app, ["rubric", "check", str(p), "--no-corpus"])
    assert checked.exit_code == 0, checked.output
    shown = CliRunner().invoke(app, ["rubric", "show", str(p)], env={"COLUMNS": "300"})
    assert shown.exit_code == 0 and "near ≤6" in shown.stdout
