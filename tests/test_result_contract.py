"""One result contract: evidence carries structured matches, `missing` is data, grades carry a tier."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scorer.batch.overview import grade_class
from scorer.batch.summary import Summary
from scorer.cli import app
from scorer.engine import Scorer
from scorer.report.pdf import render_scorecard_html
from scorer.result import ScoreResult
from scorer.rubric import load_rubric
from scorer.rubric.walk import owners

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
MINI = ROOT / "tests" / "fixtures" / "rubrics" / "mini.yaml"


@pytest.fixture(scope="module")
def court() -> Scorer:
    return Scorer.load("court")


def test_json_output_loads_back_and_every_match_and_missing_item_reads_as_data():
    result = CliRunner().invoke(app, ["score", *map(str, SEEDS), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    types, valued, statuses = set(), set(), set()
    for raw in payload:
        r = ScoreResult.model_validate(raw)  # the pydantic model, not a dict of strings
        items = [c for d in r.dimensions for c in d.criteria] + list(r.bonus.items)
        for c in items:
            for ev in c.evidence:
                assert ev.matches
                # The sentence judge's verdict is a match of its own: `<item>#judge`, its probability
                # as the value; the matchers' hits beside it name the terms.
                judged = [m for m in ev.matches if m.type == "judge"]
                assert len(judged) == 1 and judged[0].rule == f"{c.id}#judge"
                assert judged[0].value == ev.probability and 0 < ev.probability <= 1
                for m in ev.matches:
                    if m.type == "judge":
                        continue
                    owner, _, number = m.rule.partition("#")
                    assert owner == c.id and int(number) >= 1
                    assert m.label and m.terms
                    types.add(m.type)
                    for t in m.terms:
                        assert r.text[t.start:t.end] == t.text
                        assert ev.start <= t.start < t.end <= ev.end
                    if m.value is not None:  # a quantity's counted value
                        assert m.value > 0
                        valued.add(m.type)
            for miss in c.missing:
                assert miss.status in ("absent", "insufficient") and miss.label
                assert miss.rule.startswith(c.id + "#")
                assert "证据不足" not in miss.label  # the status is data, not a prose suffix
                statuses.add(miss.status)
        assert r.tier in ("excellent", "good", "pass", "fail", "veto")
    # Vetoes hold no evidence items: the types court.yaml's criteria and bonus items use.
    used = {m.type for o in owners(Scorer.load("court").rubric) if o.kind != "veto" for m in o.matchers}
    assert types <= used and len(types) >= 2
    # With a judge, a rule is listed only when no evidence sentence answers it: 未体现.
    assert statuses == {"absent"}


def test_model_dump_json_round_trips(court):
    r = court.score_path(SEEDS[0])
    back = ScoreResult.model_validate_json(r.model_dump_json())
    assert back == ScoreResult.model_validate(r.model_dump())
    first = next(m for d in back.dimensions for c in d.criteria for ev in c.evidence for m in ev.matches if m.terms)
    assert first.terms[0].text == back.text[first.terms[0].start:first.terms[0].end]
    assert [m.describe() for c in back.dimensions[0].criteria for m in c.missing] == \
        [m.describe() for c in r.dimensions[0].criteria for m in c.missing]


def test_missing_status_follows_satisfaction(tmp_path):
    # The matchers' own verdict (a rubric without a judge): absent, or present but not enough.
    from lexical_rubric import without_judge

    court = Scorer(load_rubric(without_judge("court", tmp_path)))
    r = court.score_path(SEEDS[4])
    for d in r.dimensions:
        for c in d.criteria:
            if c.satisfaction == 0:
                assert all(m.status == "absent" for m in c.missing)
            if c.satisfaction == 1:
                assert c.missing == []
    insufficient = [m for d in r.dimensions for c in d.criteria for m in c.missing if m.status == "insufficient"]
    assert insufficient and all(m.describe() == f"{m.label}（证据不足）" for m in insufficient)


# Grades judge the material (issue 11): the weaker seeds, real units' own summaries, are
# graded 材料覆盖不全 in the pass tier, not branded failures.
@pytest.mark.parametrize("seed, tiers", [(0, {"excellent", "good"}), (1, {"pass"}), (2, {"pass"}), (3, {"pass"}),
                                         (4, {"pass"})])
def test_seed_grades_carry_the_rubric_tier(court, seed, tiers):
    r = court.score_path(SEEDS[seed])
    grades = {g.name: g.tier for g in court.rubric.grades}
    assert r.tier == grades[r.grade] and r.tier in tiers, (r.total, r.grade)


def test_renderers_colour_by_tier_not_by_name(tmp_path):
    # Grade names that none of the old string tests would recognise.
    text = MINI.read_text(encoding="utf-8").replace(
        "  - {name: 优秀, min: 9}\n  - {name: 合格, min: 6}\n  - {name: 不合格, min: 0}\n",
        "  - {name: 一等, min: 9, tier: excellent}\n  - {name: 二等, min: 6, tier: good}\n"
        "  - {name: 三等, min: 0, tier: fail}\n",
    )
    p = tmp_path / "tiers.yaml"
    p.write_text(text, encoding="utf-8")
    s = Scorer(load_rubric(p))
    low = s.score_text("今天天气很好，我们一起去公园散步，看到了很多花。")
    assert (low.grade, low.tier) == ("三等", "fail")
    assert 'class="grade grade-fail"' in render_scorecard_html(low)
    assert grade_class(Summary.of(low)) == "grade-fail"
    assert low.grade_style == "bold red"  # on screen: a failing grade is not green
    high = low.model_copy(update={"grade": "一等", "tier": "excellent", "total": 10})
    assert 'class="grade grade-top"' in render_scorecard_html(high)
    assert grade_class(Summary.of(high)) == "grade-top" and high.grade_style == "bold green"


def test_default_tiers_when_the_rubric_gives_none():
    r = load_rubric(MINI).rubric  # 优秀 / 合格 / 不合格 without tiers
    assert [g.tier for g in r.grades] == ["excellent", "pass", "fail"]
    assert r.grade_for(5, vetoed=True)[1] == "veto"


def test_summary_from_an_older_store_row_still_loads():
    s = Summary.of(Scorer.load("court").score_path(SEEDS[2]))
    d = json.loads(s.to_json())
    del d["tier"]
    old = Summary.from_json(json.dumps(d, ensure_ascii=False))
    assert old.tier == "pass" and old.grade == s.grade


def test_the_engines_fast_constructor_builds_what_model_construct_builds():
    from scorer.result import Evidence, Match, Missing, Span
    from scorer.score import _made

    span = {"text": "党建", "start": 3, "end": 5, "term": "党建"}
    match = {"rule": "a#1", "type": "t", "label": "l", "terms": [Span(**span)], "value": None, "note": "n"}
    missing = {"label": "l", "status": "absent", "rule": "a#1"}
    evidence = {"text": "x党建", "start": 2, "end": 5, "matches": [Match(**match)], "paragraph": 1, "weight": 1.0,
                "terms": [Span(**span)], "specificity": 0.0, "probability": 0.9, "discounts": ["plan"]}
    for cls, values in ((Span, span), (Match, match), (Missing, missing), (Evidence, evidence)):
        assert set(values) == set(cls.model_fields)  # every field given
        made = _made(cls, dict(values))
        assert made.model_dump_json() == cls.model_construct(**values).model_dump_json() == cls(**values).model_dump_json()
        assert made == cls(**values) and made.model_fields_set == set(values)


@pytest.mark.parametrize("seed", range(len(SEEDS)))
def test_weaker_evidence_is_the_most_likely_of_what_is_never_quoted(court, seed):
    """CriterionResult.weaker: judged evidence under the quote threshold (it counts, it is never a
    quote), the most likely first choice, listed in reading order; disjoint from the quotes."""
    from scorer.result import WEAKER_LISTED

    listed_any = False
    for c in court.score_path(SEEDS[seed]).criteria():
        weak = c.weaker()
        under = [e for e in c.evidence if e.probability is not None and e.probability < c.quote_min]
        assert len(weak) == min(WEAKER_LISTED, len(under))
        assert all(e in under for e in weak) and not {(e.start, e.end) for e in weak} & {
            (e.start, e.end) for e in c.quotable()}
        assert [e.start for e in weak] == sorted(e.start for e in weak)
        if weak:
            listed_any = True
            floor = min(e.probability for e in weak)
            assert all(e.probability <= floor for e in under if e not in weak)
    assert listed_any


def test_scorecard_points_to_the_paragraphs_of_points_earned_without_a_quote(court):
    """A judged item that earned points with nothing likely enough to quote names where its sentences
    stand (paragraphs of CriterionResult.weaker), never the sentences; other items name none."""
    import re

    r = court.score_path(SEEDS[3])  # 6 items scored from weak sentences only (stop 31's judge)
    html = render_scorecard_html(r)
    named = 0
    for c in r.criteria():
        block = html[html.index(f'<p class="crit-name">{c.name}</p>'):]
        block = block[:block.index("</tr>")]
        where = re.search(r"本项得分主要来自第&nbsp;([\d、]+)&nbsp;段", block)
        if c.score > 0 and not c.shown() and c.weaker():
            named += 1
            assert where and where.group(1) == "、".join(str(p) for p in sorted({e.paragraph for e in c.weaker()}))
            assert not any(e.text in block for e in c.weaker())  # a weak sentence is never quoted
        else:
            assert where is None
    assert named >= 3
