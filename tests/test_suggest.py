"""`civscore suggest`: candidate terms the rubric does not cover yet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scorer.cli import app
from scorer.engine import Scorer
from scorer.tuning import suggest as sg

ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = ROOT / "seeds"
SEEDS = sorted(SEEDS_DIR.glob("*.txt"))
CANDIDATE = re.compile(r"^\s*\d+\. (?P<term>\S+?)\u3000*\s+score (?P<score>[\d.]+) · (?P<count>\d+)× in (?P<reports>\d+) report")


@pytest.fixture(scope="module")
def scorer():
    return Scorer.load()


@pytest.fixture(scope="module")
def results(scorer):
    return [(p.name, scorer.score_path(p)) for p in SEEDS]


@pytest.fixture(scope="module")
def whole(results, scorer):
    vocab = sg.rubric_vocabulary(scorer.rubric)
    return vocab, sg.suggest(sg.whole_reports([(n, r.text) for n, r in results]), vocab, top=30)


def test_candidates_are_new_chinese_words_with_counts_and_examples(whole, results):
    vocab, found = whole
    assert len(found) == 30
    stop = sg.stop_words()
    texts = {n: r.text for n, r in results}
    for c in found:
        assert re.fullmatch(r"[\u3400-\u9fff]{2,}", c.term), c.term
        assert not re.fullmatch(r"第?[〇零一二三四五六七八九十百千万亿两几余多半]+", c.term)
        assert c.term not in stop
        assert not any(c.term in v or v in c.term for v in vocab), c.term
        assert c.count >= 2 and 1 <= c.reports <= len(results)
        # counted once per distinct sentence occurrence: never more than the raw text holds
        assert 2 <= c.count <= sum(t.count(c.term) for t in texts.values())
        assert 1 <= len(c.examples) <= 2
        assert all(c.term in e for e in c.examples)
        if c.reports >= 2:
            assert len(c.examples) == 2
        assert set(c.methods) <= {"tfidf", "textrank"}
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)


def test_rubric_terms_and_stop_words_are_never_suggested(whole, scorer):
    vocab, found = whole
    terms = {c.term for c in found}
    assert not terms & vocab
    assert not terms & {"工作", "开展", "加强", "我们", "进一步"}


def test_dimension_restricts_to_evidence_sentences(results, scorer):
    scope = sg.evidence_sentences(results, "volunteer")
    evidence = {e.text for _, r in results for c in r.dimension("volunteer").criteria for e in c.evidence}
    assert scope.sentences and {s for _, s in scope.sentences} == evidence
    found = sg.suggest(scope, sg.rubric_vocabulary(scorer.rubric), top=10, min_count=1)
    assert found
    for c in found:
        assert any(c.term in s for s in evidence)
        for e in c.examples:
            assert any(e.strip("…") in s for s in evidence)


def test_cli_suggest(tmp_path):
    result = CliRunner().invoke(app, ["suggest", str(SEEDS_DIR), "--top", "8"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    rows = [CANDIDATE.match(ln) for ln in result.stdout.splitlines()]
    rows = [m for m in rows if m]
    assert len(rows) == 8
    examples = [ln for ln in result.stdout.splitlines() if ln.strip().startswith("· ")]
    assert len(examples) >= 8


def test_cli_suggest_for_one_dimension_and_a_wrong_one():
    ok = CliRunner().invoke(app, ["suggest", str(SEEDS_DIR), "--dimension", "volunteer", "--top", "5"])
    assert ok.exit_code == 0, ok.output
    assert "evidence sentences of volunteer" in ok.stdout
    bad = CliRunner().invoke(app, ["suggest", str(SEEDS_DIR), "--dimension", "nope"])
    assert bad.exit_code == 2 and "no dimension 'nope'" in bad.stderr


def test_trim_keeps_the_word():
    s = "甲" * 200 + "雷锋精神" + "乙" * 200
    t = sg.trim_around(s, "雷锋精神")
    assert "雷锋精神" in t and len(t) <= sg.EXAMPLE_CHARS + 2 and t.startswith("…") and t.endswith("…")
