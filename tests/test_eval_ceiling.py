"""bench/eval_ceiling.py: the engine scored with the sentence annotation as its judge. Its
stand-in judge must keep the engine's signature (it once fell behind and the script broke)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from eval_ceiling import score_with_annotation  # noqa: E402
from eval_corpus import ANNOTATIONS, EVAL, sentence_gold  # noqa: E402


@pytest.fixture(scope="module")
def gold():
    return sentence_gold(ANNOTATIONS)


@pytest.mark.parametrize("file", ["181.txt", "242.txt", "251.txt"])
def test_every_quote_of_the_annotation_judge_is_annotated_for_its_item(gold, file):
    from scorer.engine import RubricChooser
    from scorer.ingest import load_document
    from scorer.segment import segment

    chooser = RubricChooser()
    doc = load_document(EVAL / "corpus" / file)
    g = gold[file]
    result = score_with_annotation(chooser, doc, g)
    index_of = {s.start: s.index for s in segment(result.text).sentences}
    crits = [c for d in result.dimensions for c in d.criteria] + list(result.bonus.items)
    shown = [(c.id, e) for c in crits for e in c.shown()]
    assert shown, "the annotation finds evidence in this text: some item must quote it"
    for item, e in shown:
        assert item in g.get(index_of[e.start], set()), (item, e.text)
    # Without annotated evidence the same text earns nothing from judged items.
    empty = score_with_annotation(chooser, doc, {})
    assert not [e for c in [c for d in empty.dimensions for c in d.criteria] for e in c.shown()]
    assert empty.total < result.total
