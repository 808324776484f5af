"""A report's score never depends on which rubrics the process compiled before.

Each compiled rubric cuts words with a jieba tokenizer of its own (its terms added to
jieba's shared dictionary, no other rubric's): the workbench and batch compile every
shipped rubric, the command line only the one it chooses, and both must agree."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = sorted((ROOT / "seeds").glob("004_*.txt"))[0]

SCORE = r"""
import json, sys
from scorer.engine import Scorer
for rid in sys.argv[1:-1]:
    Scorer.load(rid).compile_all()
r = Scorer.load("general").score_path(sys.argv[-1])
quotes = [[c.id, c.level, [[e.start, e.end] for e in c.shown()]] for d in r.dimensions for c in d.criteria]
print(json.dumps([r.total, quotes]))
"""


def _score(*compiled_first: str):
    out = subprocess.run([sys.executable, "-c", SCORE, *compiled_first, str(SEED)], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.splitlines()[-1])


def test_the_general_rubric_scores_the_same_whether_or_not_the_court_rubric_was_compiled_first():
    alone = _score()
    after_court = _score("court")
    assert alone == after_court


def test_two_lexicons_do_not_share_their_added_words():
    from scorer.match.lexicon import rubric_tokenizer

    a = rubric_tokenizer(["创文明办公室"])
    b = rubric_tokenizer(["文明"])
    assert a.FREQ.get("创文明办公室", 0) > 0
    assert b.FREQ.get("创文明办公室", 0) == 0  # b never saw a's term
