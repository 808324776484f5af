"""Evidence that supports its item (issue 11): discounts for sentences that are not the
unit's own practice, bare mentions, crediting a sentence to the items it fits best, and
no quotes for an item that earned nothing. Mechanisms on a small rubric, then the shipped
rubrics on real text, then the judged quotes of the evaluation pool."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scorer.cli import app
from scorer.engine import Scorer
from scorer.errors import RubricError
from scorer.report.pdf import render_scorecard_html
from scorer.rubric import parse_rubric

ROOT = Path(__file__).resolve().parent.parent

RUBRIC = """\
id: support-test
version: "1"
title: 依据测试
total: 20
levels:
  - {id: A, share: 1.0, min: 0.85}
  - {id: C, share: 0.33, min: 0.2}
  - {id: D, share: 0.0, min: 0.0}
grades:
  - {name: 甲, min: 10}
  - {name: 乙, min: 0}
negation:
  cues: [没有, 未]
scoring:
  min_prose_chars: 0
  discounts:
    - id: plan
      why: 今后的打算
      pattern: '下一步|将继续'
      weight: 0.3
    - id: award
      why: 获奖消息
      pattern: '被评为|荣获'
      weight: 0.5
      spares: [bonus.honors]
    - id: claim
      why: 泛泛表态
      pattern: '高度重视'
      weight: 0.5
      unless_practice: true
  practice_pattern: '开展|组建|\\d+次'
  mention_weight: 0.6
  fit_top: FIT_TOP
  fit_weight: 0.5
dimensions:
  - id: work
    name: 工作
    points: 20
    criteria:
      - id: work.volunteer
        name: 志愿服务队伍与活动
        points: 10
        full: 组建志愿服务队伍，开展学雷锋志愿服务活动，走进社区服务群众。
        matchers:
          - {type: keywords, label: 志愿服务, need: 1, terms: [志愿服务队, 活动]}
      - id: work.venues
        name: 文化阵地与设施
        points: 10
        full: 建有图书室、文化长廊、职工活动室等文化阵地并常态化使用。
        matchers:
          - {type: keywords, label: 文化阵地, need: 1, terms: [图书室, 活动]}
bonus:
  name: 特色
  max: 5
  items:
    - id: bonus.honors
      name: 荣誉表彰
      points: 5
      matchers:
        - {type: keywords, label: 获得表彰, need: 1, terms: [称号, 先进集体]}
"""


def _scorer(fit_top: int = 0, text: str = RUBRIC) -> Scorer:
    return Scorer(parse_rubric(text.replace("FIT_TOP", str(fit_top)), Path("support.yaml")))


def _evidence(result, item_id):
    items = [c for d in result.dimensions for c in d.criteria] + list(result.bonus.items)
    return next(c for c in items if c.id == item_id)


def test_a_plan_weighs_less_and_says_why():
    s = _scorer()
    done = _evidence(s.score_text("本院组建志愿服务队，开展志愿服务12次。"), "work.volunteer")
    plan = _evidence(s.score_text("下一步，本院将继续组建志愿服务队，开展志愿服务。"), "work.volunteer")
    assert done.evidence[0].discounts == []
    assert plan.evidence[0].discounts == ["plan"]
    assert plan.evidence[0].weight == pytest.approx(done.evidence[0].weight * 0.3, abs=0.01)
    res = s.score_text("下一步，本院将继续组建志愿服务队。")
    assert res.rubric.discounts["plan"] == "今后的打算"


def test_an_award_is_full_evidence_for_honours_only():
    s = _scorer()
    res = s.score_text("本院志愿服务队被评为全省最佳志愿服务组织，荣获先进集体称号。")
    vol = _evidence(res, "work.volunteer").evidence[0]
    honours = _evidence(res, "bonus.honors").evidence[0]
    assert "award" in vol.discounts
    assert honours.discounts == []  # spared: an award is what 荣誉表彰 asks for
    assert honours.weight > vol.weight


def test_a_claim_is_marked_only_when_nothing_is_reported_done():
    s = _scorer()
    claim = _evidence(s.score_text("院党组高度重视志愿服务队建设工作。"), "work.volunteer").evidence[0]
    done = _evidence(s.score_text("院党组高度重视，组建志愿服务队，开展志愿服务12次。"), "work.volunteer").evidence[0]
    assert "claim" in claim.discounts
    assert done.discounts == []


def test_a_bare_mention_weighs_less_than_a_practice():
    s = _scorer()
    mention = _evidence(s.score_text("志愿服务队是本院的一张名片，深受群众好评。"), "work.volunteer").evidence[0]
    practice = _evidence(s.score_text("本院组建志愿服务队，深受群众好评和赞扬。"), "work.volunteer").evidence[0]
    assert mention.discounts == ["mention"]
    assert practice.discounts == []
    assert mention.weight == pytest.approx(practice.weight * 0.6, abs=0.01)


def test_a_sentence_is_credited_to_the_item_it_fits_best():
    # "活动" is a term of both items; the sentence is about volunteers in a community.
    text = "本院志愿服务队走进社区开展学雷锋志愿服务活动，为群众服务。"
    off = _scorer(fit_top=0).score_text(text)
    on = _scorer(fit_top=1).score_text(text)
    assert _evidence(off, "work.venues").evidence[0].discounts == []
    assert _evidence(on, "work.venues").evidence[0].discounts == ["fit"]
    assert "fit" not in _evidence(on, "work.volunteer").evidence[0].discounts
    assert _evidence(on, "work.venues").satisfaction < _evidence(off, "work.venues").satisfaction
    assert _evidence(on, "work.volunteer").satisfaction == _evidence(off, "work.volunteer").satisfaction
    # and the other way round for a sentence about a reading room
    room = _scorer(fit_top=1).score_text("本院建有图书室和职工活动室，常态化开展读书活动。")
    assert "fit" in _evidence(room, "work.volunteer").evidence[0].discounts
    assert "fit" not in _evidence(room, "work.venues").evidence[0].discounts


def test_an_item_that_earned_nothing_shows_no_quote():
    s = _scorer()
    # a plan (0.3) that only mentions the term (0.6): 0.18 of what the item needs, below C (0.2)
    res = s.score_text("下一步，本院将继续在社区活动。")
    venues = _evidence(res, "work.venues")
    assert venues.evidence and venues.score == 0
    assert venues.shown() == []
    html = render_scorecard_html(res)
    assert "句涉及本项，但证据不足以计分" in html


@pytest.mark.parametrize(
    "edit, message",
    [
        (("      pattern: '下一步|将继续'", "      pattern: '(?=下一步)'"), "scoring.discounts"),
        (("      spares: [bonus.honors]", "      spares: [bonus.nothing]"), "spares unknown item 'bonus.nothing'"),
        (("    - id: plan", "    - id: mention"), "reserved"),
        (("    - id: award", "    - id: plan"), "'plan' is named twice"),
    ],
)
def test_bad_discounts_are_refused_with_their_place(edit, message):
    old, new = edit
    text = RUBRIC.replace("FIT_TOP", "0")
    assert old in text
    with pytest.raises(RubricError) as e:
        parse_rubric(text.replace(old, new), Path("bad.yaml"))
    assert message in str(e.value) and "bad.yaml" in str(e.value)


def test_json_names_every_discount_it_uses(tmp_path):
    report = tmp_path / "r.txt"
    report.write_text(
        "某某区人民法院2023年创建工作总结\n"
        "下一步，我院将继续深化志愿服务，持续开展道德讲堂活动。\n"
        "我院志愿服务队被评为全市最佳志愿服务组织。\n"
        "院党组高度重视精神文明建设工作。\n",
        encoding="utf-8",
    )
    # The matchers' own marks (a rubric without a judge weighs them) ...
    from lexical_rubric import without_judge

    out = CliRunner().invoke(app, ["score", str(report), "--rubric", str(without_judge("court", tmp_path)), "--json"])
    assert out.exit_code == 0, out.output
    res = json.loads(out.stdout)
    used = {d for dim in res["dimensions"] for c in dim["criteria"] for e in c["evidence"] for d in e["discounts"]}
    assert {"plan", "award"} <= used
    assert used <= set(res["rubric"]["discounts"])
    # ... and with the judge: whatever marks its evidence carries, the JSON names them.
    out = CliRunner().invoke(app, ["score", str(report), "--rubric", "court", "--json"])
    res = json.loads(out.stdout)
    used = {d for dim in res["dimensions"] for c in dim["criteria"] for e in c["evidence"] for d in e["discounts"]}
    assert used <= set(res["rubric"]["discounts"])


# --- the judged quotes of the evaluation pool ------------------------------------------


def _pool_precision() -> tuple[int, int]:
    sys.path.insert(0, str(ROOT / "bench"))
    from eval_corpus import EVAL, SPLITS, pair_key, read_tsv

    from scorer.engine import RubricChooser
    from scorer.ingest import load_document

    judged = {r["key"]: int(r["supports"]) for r in read_tsv(EVAL / "evidence_judgments.tsv")}
    chooser = RubricChooser()
    good = n = 0
    for s in read_tsv(EVAL / "sources.tsv"):
        if s["split"] not in SPLITS["pool72"]:
            continue
        res = chooser.score_document(load_document(EVAL / "corpus" / s["file"]))
        for d in res.dimensions:
            for c in d.criteria:
                for e in c.shown():
                    k = pair_key(res.rubric.id, c.id, e.text)
                    if k in judged:
                        n += 1
                        good += judged[k]
    return good, n


def test_shown_quotes_on_the_pool_support_their_item_more_often_than_before():
    """Before the lexical mechanisms, 184 of the pool's 363 shown quotes (50.7 %) were judged to
    support their item, and 53 % after them. The sentence judge shows fewer quotes, only those
    likely enough; of the ones two judges had already judged, 91 of 94 support their item.
    The judge was trained on these texts' annotations, so this guards against regressions on
    training material: it is not a reported figure (those are on eval's held-out sets)."""
    good, n = _pool_precision()
    assert n >= 60
    assert good / n >= 0.85, f"{good}/{n}"


def test_evidence_judgments_file_is_well_formed():
    rows = list(csv.DictReader((ROOT / "eval" / "evidence_judgments.tsv").open(encoding="utf-8"), delimiter="\t"))
    assert len(rows) >= 150
    assert all(r["supports"] in {"0", "1"} for r in rows)
    assert len({r["key"] for r in rows}) == len(rows)


# --- one pass per pattern, the same answer as a search per sentence --------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from scorer.match.types.pattern import compile_pattern  # noqa: E402
from scorer.score import _sentences_matching  # noqa: E402

_PATTERNS = [compile_pattern(p) for p in [
    "要求.{0,12}(?:要|进一步)", r"\d+\s*次", "[^，]{0,5}志愿", "(?:强调|指出)[，,:：]", "^下一步", "。$", "[^a]+次",
]]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="要求进一步次志愿，,12 强调指出：下步。\n", max_size=12), min_size=1, max_size=6))
def test_sentences_matching_equals_a_search_per_sentence(texts):
    for p in _PATTERNS:
        assert _sentences_matching(p, texts) == {i for i, t in enumerate(texts) if p.search(t)}, p.pattern


def test_the_scorecard_prints_a_quotes_marks():
    s = _scorer()
    res = s.score_text("本院组建志愿服务队，开展志愿服务12次。下一步，本院将继续组建志愿服务队。")
    html = render_scorecard_html(res)
    assert "提示：今后的打算" in html  # the plan is shown with its reason …
    vol = _evidence(res, "work.volunteer")
    assert [e.discounts for e in vol.shown()] == [[], ["plan"]]  # … after the unmarked quote
    assert vol.shown()[0].rank > vol.shown()[1].rank
