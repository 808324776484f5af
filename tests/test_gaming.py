"""Gaming held off by the mechanisms that credit specificity (issue 11): a "report" made of
the rubric's own wording, one template filled with different keywords and numbers, near-copies
of a paragraph with other numbers, places and synonyms, and a report repeated three times."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from scorer.engine import Scorer
from scorer.rubric.walk import owners
from scorer.similarity import NearCopies, Restatement, abstracted_key
from scorer.text import sentence_key

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


@pytest.fixture(scope="module")
def court():
    return Scorer.load("court")


@pytest.fixture(scope="module")
def seed_totals(court):
    return {p.name: court.score_path(p).total for p in SEEDS}


def rubric_wording(rubric) -> list[str]:
    return [t for o in owners(rubric) for t in (getattr(o.item, k, "") for k in ("full", "partial", "hint")) if t]


def test_a_report_made_of_the_rubrics_own_sentences_scores_below_every_seed(court, seed_totals):
    text = "\n".join(rubric_wording(court.rubric))
    assert len(text) > 2000
    assert court.score_text(text).total < min(seed_totals.values())


def test_one_template_filled_with_keywords_and_numbers_scores_below_every_seed(court, seed_totals):
    terms = [t.term for o in owners(court.rubric) if o.kind != "veto" for m in o.matchers
             for _, tl in m.term_lists() for t in tl]
    rng = random.Random(7)
    text = "\n".join(
        f"我院扎实开展{t}工作，全年共组织{rng.randint(2, 40)}次，参与干警{rng.randint(20, 300)}人次，取得良好成效。"
        for t in terms[:150]
    )
    assert court.score_text(text).total < min(seed_totals.values())


def test_a_paragraph_appended_thirty_times_with_trivial_edits_moves_the_total_by_at_most_one(court, seed_totals):
    seed = SEEDS[-1].read_text(encoding="utf-8")
    para = max(seed.split("\n"), key=len)
    swaps = [("开展", "组织"), ("干警", "法官"), ("活动", "工作")]
    places = ["东城", "西城", "南山", "北湖", "青山", "长河"]
    copies = [
        re.sub(r"\d+", lambda m, i=i: str(int(m.group()) + i + 1), para).replace(*swaps[i % 3]) + f"（{places[i % 6]}）"
        for i in range(30)
    ]
    padded = court.score_text(seed + "\n" + "\n".join(copies)).total
    assert abs(padded - seed_totals[SEEDS[-1].name]) <= 1.0


@pytest.mark.parametrize("seed", SEEDS[:2], ids=lambda p: p.name[:3])
def test_a_report_repeated_three_times_moves_the_total_by_at_most_one(court, seed_totals, seed):
    text = seed.read_text(encoding="utf-8")
    assert abs(court.score_text("\n".join([text] * 3)).total - seed_totals[seed.name]) <= 1.0


def test_restatement_weighs_rubric_wording_down_and_leaves_specific_facts_alone(court):
    wording = rubric_wording(court.rubric)
    r = Restatement(wording, 0.5, 0.85, 0.1)
    assert r.factor(wording[0]) == pytest.approx(0.1)
    assert r.factor("2019年院党组集中学习62次，召开民主生活会6次，投入资金12万元改造诉讼服务中心。") == 1.0
    assert Restatement(wording, 1.0, 1.0, 1.0).factor(wording[0]) == 1.0  # (1, 1) turns it off


def abstracted(sentence: str) -> str:
    """What scoring hands NearCopies: the sentence's key with its numbers dropped."""
    return abstracted_key(sentence_key(sentence))


def test_every_sentences_share_of_the_rubric_wording_at_once_is_each_ones_own(court):
    """shares_of_keys (what scoring reads: one numpy pass over a report) gives, for every sentence
    of the seeds and of rubric-wording padding, exactly what share_of_key gives sentence by sentence."""
    from scorer.segment import segment

    wording = rubric_wording(court.rubric)
    r = Restatement(wording, 0.5, 0.85, 0.1)
    text = "\n".join(p.read_text(encoding="utf-8") for p in SEEDS) + "\n" + "。".join(wording[:20])
    keys = [s.key for s in segment(text).sentences] + ["", "短句", "院党组"]
    shares = r.shares_of_keys(keys)
    assert shares == [r.share_of_key(k) for k in keys]
    assert max(shares) > 0.5 and min(shares) == 0.0  # both ends are exercised


def test_trigrams_found_all_at_once_are_each_texts_own_beyond_the_bmp_too(court):
    """The one-sort trigram pass (shares_of_keys, sorted_trigram_keys) agrees with the text-by-text
    one on random keys of BMP characters, and falls back to it when a key holds a character beyond
    the BMP (𠮷, emoji) or a lone surrogate."""
    from scorer.similarity import _trigram_key, sorted_trigram_keys, trigrams

    wording = rubric_wording(court.rubric)
    r = Restatement(wording, 0.5, 0.85, 0.1)
    rng = random.Random(7)
    alphabet = "".join(sorted(set("".join(wording))))[:60]
    for extra in ("", "𠮷😀", "\ud800"):
        keys = ["".join(rng.choice(alphabet + extra) for _ in range(rng.randint(0, 30))) for _ in range(200)]
        keys += [w for w in wording[:30]]
        assert r.shares_of_keys(keys) == [r.share_of_key(k) for k in keys]
        assert sorted_trigram_keys(keys) == [sorted({_trigram_key(g) for g in trigrams(k)}) for k in keys]


def test_near_copies_are_caught_once_numbers_are_abstracted_and_different_sentences_are_not():
    seen = NearCopies(0.6)
    first = "今年以来，我院组织青年干警到汉兴街常二社区开展法律咨询活动12次，服务群众560人次。"
    assert not seen.seen(abstracted(first))
    assert seen.seen(abstracted(first.replace("12", "15").replace("560", "610").replace("汉兴街", "汉兴路")))
    assert not seen.seen(abstracted("院党组制定《文化建设规划》，建成院史馆和法官书苑，藏书3000余册。"))


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_one_paragraph_appended_thirty_times_with_trivial_edits_gains_at_most_three_points(court, seed):
    """Issue 16.6: the paragraph once against the paragraph and thirty copies of it with other
    numbers, places and synonyms (the copies say nothing new)."""
    para = max(seed.read_text(encoding="utf-8").split("\n"), key=len)
    swaps = [("开展", "组织"), ("干警", "法官"), ("活动", "工作"), ("积极", "主动")]
    places = ["东城", "西城", "南山", "北湖", "青山", "长河", "石桥", "白沙"]
    copies = [
        re.sub(r"\d+", lambda m, i=i: str(int(m.group()) + i + 1), para).replace(*swaps[i % 4])
        + f"（{places[i % 8]}）"
        for i in range(30)
    ]
    once = court.score_text(para).total
    padded = court.score_text(para + "\n" + "\n".join(copies)).total
    assert padded - once <= 3.0, (once, padded)
