"""fit._han_codes: a report's han_only code points found at once, as sentence by sentence."""

import random

import numpy as np

from scorer.fit import _han_codes, _han_codes_each


def test_han_codes_at_once_equal_sentence_by_sentence():
    rng = random.Random(5)
    alphabet = ["a", " ", "中", "国", "㐀", "\u4dbf", "\u9fff", "\u3400", "\u33ff", "\ufaff", "\uf900",
                "\U00020000", "\U0003134f", "\U00031350", "，", "。", "1", "\ud800", "\u3000", "\0"]
    for _ in range(3000):
        sentences = ["".join(rng.choice(alphabet if rng.random() < 0.2 else alphabet[:-1])
                             for _ in range(rng.randint(0, 10))) for _ in range(rng.randint(0, 6))]
        codes, rows = _han_codes(sentences)
        want_codes, want_rows = _han_codes_each(sentences)
        assert codes.dtype == want_codes.dtype and rows.dtype == want_rows.dtype
        assert np.array_equal(codes, want_codes), sentences
        assert np.array_equal(rows[: len(codes)], want_rows[: len(codes)]), sentences
