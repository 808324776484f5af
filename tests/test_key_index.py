"""KeyIndex: sentence_key of any span of a text, by slicing one key of the whole text."""

import random

from scorer.text import KeyIndex, sentence_key


def test_key_of_any_span_is_sentence_key():
    rng = random.Random(7)
    alphabet = [chr(c) for c in [*range(0, 0x3000, 7), *range(0x4E00, 0x4F00)]] + [
        "\ud800", "\udfff", "😀", "\U00020000", "\U0010ffff", "□", "_", "０", "Ⅰ", "²", "　", "，", "。"]
    texts = ["", "中华人民共和国。", "学习  党建□工作，_abc_ 123！"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120))) for _ in range(200)]
    for t in texts:
        keys = KeyIndex(t)
        assert keys.chars == sentence_key(t)
        for _ in range(40):
            a = rng.randint(0, len(t))
            b = rng.randint(a, len(t))
            assert keys.key(a, b) == sentence_key(t[a:b])
