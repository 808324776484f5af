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

from .text import CN_NUMERALS, sentence_key


# Arabic and Chinese numerals (a count, an amount, a date): abstracted before comparing.
_NUMBER = re.compile(rf"[0-9][0-9.,%％]*|[{CN_NUMERALS}]{{2,}}")
MIN_TRIGRAMS = 6  # shorter sentences are left alone: too little to compare


def trigrams(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(len(text) - 2)}


class Restatement:
    """Weight of a sentence by how much of it restates the rubric's own wording."""

    def __init__(self, rubric_texts: list[str], low: float, high: float, weight: float):
        # Keyed like a sentence's key (segment): punctuation and spaces removed.
        self.grams = set().union(*(trigrams(sentence_key(t)) for t in rubric_texts)) if rubric_texts else set()
        self.low, self.high, self.weight = low, high, weight
        self.active = bool(self.grams) and low < 1.0 and weight < 1.0

    def share(self, sentence: str) -> float:
        return self.share_of_key(sentence_key(sentence))

    def share_of_key(self, key: str) -> float:
        """`share` of a sentence whose key (`sentence_key`) is `key`."""
        grams = trigrams(key)
        if len(grams) < MIN_TRIGRAMS:
            return 0.0
        return len(grams & self.grams) / len(grams)

    def factor(self, sentence: str) -> float:
        if not self.active:
            return 1.0
        return self.factor_of_key(sentence_key(sentence))

    def factor_of_key(self, key: str) -> float:
        """`factor` of a sentence whose key (`sentence_key`) is `key` (segment's `Sentence.key`)."""
        if not self.active:
            return 1.0
        s = self.share_of_key(key)
        if s <= self.low:
            return 1.0
        if s >= self.high:
            return self.weight
        return 1.0 - (1.0 - self.weight) * (s - self.low) / (self.high - self.low)


def abstracted(template: str) -> str:
    """A sentence's template with its numbers abstracted and punctuation dropped."""
    return sentence_key(_NUMBER.sub("#", template))


def abstracted_key(template: str) -> str:
    """`abstracted` of a template that is a sentence key already (no punctuation, symbols or
    spaces): the "#" a number becomes is a symbol that `sentence_key` drops, so the numbers go."""
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
        self.grams: list[set[str]] = []
        self.index: dict[str, list[int]] = defaultdict(list)

    def seen(self, text: str) -> bool:
        """True when `text` (already abstracted) nearly copies an earlier one; else remember it."""
        if not self.active or len(text) < MIN_TRIGRAMS + 2:
            return False
        grams = trigrams(text)
        anchors = sorted(grams)[: self.ANCHORS]  # as heapq.nsmallest, faster on ~50 grams
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
