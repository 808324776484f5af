"""Refactors keep behaviour: every total, level, shown quote, missing line and veto of the
seeds and the evaluation corpus, under both shipped rubrics, equals the golden record."""

from __future__ import annotations

import pytest

from golden_support import load, snapshot_in_fresh_process


@pytest.fixture(scope="module")
def now():
    return snapshot_in_fresh_process()


def test_the_golden_record_covers_seeds_and_corpus_under_both_rubrics():
    gold = load()
    assert sum(k.startswith("court/seeds/") for k in gold) == 5
    assert sum(k.startswith("general/corpus/") for k in gold) >= 200


def test_every_result_equals_the_golden_record(now):
    gold = load()
    assert now.keys() == gold.keys()
    moved = [k for k in gold if now[k] != gold[k]]
    detail = []
    for k in moved[:5]:
        a, b = gold[k], now[k]
        fields = [f for f in a if a[f] != b[f]]
        detail.append(f"{k}: {fields} e.g. total {a['total']} -> {b['total']}")
    assert not moved, f"{len(moved)} results moved (rewrite on purpose: python tests/golden_support.py --write):\n" + "\n".join(detail)
