"""How much a sentence repeats what is already there: the rubric's own wording, or an
earlier sentence of the same report with other numbers, places or synonyms.

Both work on character trigrams, the usual unit for Chinese near-duplicate detection
(no word segmentation needed, robust to a changed word or two):

- `Restatement`: the share of a sentence's trigrams found in the rubric's `full`,
  `partial` and `hint` texts. A generic claim copied or lightly reworded from the
  criteria is not evidence of them.
- `NearCopies`: the Jaccard overlap of a sentence's trigrams with earlier sentences,
  after numbers and matched terms have been abstracted (the caller passes the
  sentence's template, terms already replaced). A bottom-k sketch finds the
  candidates, so it stays near linear in the number of sentences.
"""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np

from .text import CN_NUMERALS, sentence_key


# Arabic and Chinese numerals (a count, an amount, a date): abstracted before comparing.
_NUMBER = re.compile(rf"[0-9][0-9.,%％]*|[{CN_NUMERALS}]{{2,}}")
MIN_TRIGRAMS = 6  # shorter sentences are left alone: too little to compare


def trigrams(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(len(text) - 2)}


def _trigram_key(gram: str) -> int:
    """A trigram as one integer: its three code points, 21 bits each (ordered as the strings are)."""
    return (ord(gram[0]) << 42) | (ord(gram[1]) << 21) | ord(gram[2])


class Restatement:
    """Weight of a sentence by how much of it restates the rubric's own wording."""

    def __init__(self, rubric_texts: list[str], low: float, high: float, weight: float):
        # Keyed like a sentence's key (segment): punctuation and spaces removed.
        self.grams = set().union(*(trigrams(sentence_key(t)) for t in rubric_texts)) if rubric_texts else set()
        self.low, self.high, self.weight = low, high, weight
        self.active = bool(self.grams) and low < 1.0 and weight < 1.0
        self._gram_keys: np.ndarray | None = None  # the grams as `_trigram_key`s, sorted (shares_of_keys)

    def share(self, sentence: str) -> float:
        return self.share_of_key(sentence_key(sentence))

    def share_of_key(self, key: str) -> float:
        """`share` of a sentence whose key (`sentence_key`) is `key`."""
        grams = trigrams(key)
        if len(grams) < MIN_TRIGRAMS:
            return 0.0
        return len(grams & self.grams) / len(grams)

    def factor(self, sentence: str) -> float:
        return self.factor_of_share(self.share(sentence)) if self.active else 1.0

    def shares_of_keys(self, keys: list[str]) -> list[float]:
        """`share_of_key` of each key, all at once: the distinct trigrams of every key found by one
        sort (`_distinct_trigrams`) and looked up in the rubric's."""
        if self._gram_keys is None:
            self._gram_keys = np.sort(np.array([_trigram_key(g) for g in self.grams], dtype=np.int64))
        found = _distinct_trigrams(keys)
        if found is None:  # a character beyond the BMP, or a lone surrogate: key by key
            return [self.share_of_key(k) for k in keys]
        row, grams = found
        at = np.searchsorted(self._gram_keys, grams)
        known = at < len(self._gram_keys)
        known[known] = self._gram_keys[at[known]] == grams[known]
        n = len(keys)
        totals = np.bincount(row, minlength=n).tolist()
        inside = np.bincount(row[known], minlength=n).tolist()
        return [0.0 if t < MIN_TRIGRAMS else k / t for k, t in zip(inside, totals)]

    def factor_of_share(self, s: float) -> float:
        """`factor` of a sentence whose `share` is `s`."""
        if not self.active:
            return 1.0
        if s <= self.low:
            return 1.0
        if s >= self.high:
            return self.weight
        return 1.0 - (1.0 - self.weight) * (s - self.low) / (self.high - self.low)


def abstracted_key(template: str) -> str:
    """A sentence's template, already a sentence key (`sentence_key`: no punctuation, symbols or
    spaces), with its numbers dropped: what `NearCopies` compares."""
    return _NUMBER.sub("", template)


class NearCopies:
    """Remembers sentences; says whether a new one nearly copies one seen before.

    Candidates are found through a bottom-k sketch: each sentence is indexed under its
    `ANCHORS` lexicographically smallest trigrams (a fixed order, so a near copy shares
    most of them), then its exact trigram Jaccard with each candidate is checked."""

    ANCHORS = 6

    def __init__(self, threshold: float):
        self.threshold = threshold
        self.active = threshold < 1.0
        # Trigrams as `_trigram_key` integers: their order is the strings' (so the same anchors),
        # and one integer per trigram is found for many texts at once (`prepare`).
        self.grams: list[set[int]] = []
        self.index: dict[int, list[int]] = defaultdict(list)
        self._prepared: dict[str, list[int]] = {}

    def prepare(self, texts: list[str]) -> None:
        """Find, all at once, the trigrams of texts `seen` will be asked about (one numpy pass
        over a report's templates, not a set of strings and a sort per text)."""
        if self.active:
            texts = [t for t in texts if len(t) >= MIN_TRIGRAMS + 2 and t not in self._prepared]
            self._prepared.update(zip(texts, sorted_trigram_keys(texts)))

    def seen(self, text: str) -> bool:
        """True when `text` (already abstracted) nearly copies an earlier one; else remember it."""
        if not self.active or len(text) < MIN_TRIGRAMS + 2:
            return False
        ordered = self._prepared.get(text)
        if ordered is None:
            ordered = sorted(_trigram_key(g) for g in trigrams(text))
        grams = set(ordered)
        anchors = ordered[: self.ANCHORS]  # the smallest: `ordered` is ascending
        checked: set[int] = set()
        for g in anchors:
            for j in self.index.get(g, ()):
                if j in checked:
                    continue
                checked.add(j)
                other = self.grams[j]
                k = len(grams & other)
                if k / (len(grams) + len(other) - k) >= self.threshold:
                    return True
        me = len(self.grams)
        self.grams.append(grams)
        for g in anchors:
            self.index[g].append(me)
        return False


def _distinct_trigrams(texts: list[str]):
    """(row, gram): each text's distinct trigrams as `_trigram_key`s, sorted by text and then by
    trigram, found in one numpy sort of int64s (the text's number in 15 bits, the trigram's three
    code points in 16 bits each); None when that packing cannot hold them (a character beyond the
    BMP, a lone surrogate, 2^15 texts or more)."""
    n = len(texts)
    try:
        codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    except UnicodeEncodeError:  # a lone surrogate (text scored without normalizing)
        return None
    if n >= 1 << 15 or (len(codes) and int(codes.max()) >= 1 << 16):
        return None
    if len(codes) < 3:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    row = np.repeat(np.arange(n, dtype=np.int64), lengths)
    # A trigram starts at every position with two more characters of the same text after it.
    valid = (np.arange(len(codes)) - starts + 3 <= np.repeat(lengths, lengths))[:-2]
    pairs = np.sort((row[:-2][valid] << 48) | ((codes[:-2] << 32) | (codes[1:-1] << 16) | codes[2:])[valid])
    first = np.ones(len(pairs), dtype=bool)
    first[1:] = pairs[1:] != pairs[:-1]
    pairs = pairs[first]
    # Back to _trigram_key's 21 bits a code point.
    return pairs >> 48, (((pairs >> 32) & 0xFFFF) << 42) | (((pairs >> 16) & 0xFFFF) << 21) | (pairs & 0xFFFF)


def sorted_trigram_keys(texts: list[str]) -> list[list[int]]:
    """Each text's distinct trigrams as `_trigram_key`s, ascending: all texts at once where
    `_distinct_trigrams` can, else text by text."""
    found = _distinct_trigrams(texts)
    if found is None:
        return [sorted({_trigram_key(g) for g in trigrams(t)}) for t in texts]
    row, grams = found
    bounds = np.searchsorted(row, np.arange(len(texts) + 1)).tolist()
    grams = grams.tolist()
    return [grams[bounds[i] : bounds[i + 1]] for i in range(len(texts))]


# A named document (《文化建设规划》), or a named activity or brand in quotes (“法官书苑”).
_DOCUMENT = re.compile(r"《[^》]{2,30}》")
_QUOTED = re.compile(r"“[^”]{2,20}”|\"[^\"]{2,20}\"")
_COUNT = re.compile(r"[0-9]|[一二三四五六七八九十百千万两]+(?:次|个|名|人|件|项|元|场|期|支|批|户|所|篇|条)")


def specificity(sentence: str) -> float:
    """0–1: how concrete a sentence is: a count, amount or date (0.7), a named document
    (0.2), a named activity or brand in quotes (0.1). A slogan in quotes alone is not much."""
    score = 0.7 if _COUNT.search(sentence) else 0.0
    if _DOCUMENT.search(sentence):
        score += 0.2
    if _QUOTED.search(sentence):
        score += 0.1
    return round(score, 2)
