"""Suggest terms the rubric does not cover yet, from the reports themselves.

Keywords come from jieba.analyse, TF-IDF (jieba's general-language IDF: words
frequent here and rare elsewhere) and TextRank (words central in the
co-occurrence graph). A candidate is dropped when it is a stop word, a number,
not Chinese, or already covered by the rubric: equal to a term, synonym,
`unless` phrase or slogan, a part of one, or containing one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..ingest.han import HAN
from ..rubric.schema import Rubric
from ..segment import segment
from ..text import CN_NUMERALS

# Nouns, verbal nouns, proper nouns (organisations, other), idioms, set phrases, abbreviations.
ALLOW_POS = ("n", "vn", "nz", "nt", "l", "i", "j", "an", "nw")
_HAN_ONLY = re.compile(f"^[{HAN}]+$")
_DIGITS = re.compile(r"[0-9０-９]")
_NUMERAL = re.compile(rf"^第?[{CN_NUMERALS}几余多半]+$")  # an ordinal, a count or an estimate
MIN_LEN = 2
LENGTH_BONUS = 0.2
EXAMPLE_CHARS = 90


@dataclass
class Candidate:
    term: str
    score: float
    count: int
    reports: int
    methods: list[str]
    examples: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    text = resources.files(__package__).joinpath("stopwords.txt").read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


def rubric_vocabulary(r: Rubric) -> set[str]:
    """Every string the rubric matches on or blocks with."""
    from .lint import owners, term_places_of

    vocab: set[str] = set(r.slogans)
    for owner in owners(r):
        for m in owner.matchers:
            vocab.update(m.unless)
            for t in term_places_of(m):
                vocab.update(t.surfaces)
    return vocab


def covered(word: str, vocab: set[str]) -> bool:
    return word in vocab or any(word in v or v in word for v in vocab)


def plausible(word: str) -> bool:
    return (
        len(word) >= MIN_LEN
        and bool(_HAN_ONLY.match(word))
        and not _DIGITS.search(word)
        and not _NUMERAL.match(word)
        and word not in stop_words()
    )


@dataclass
class Scope:
    """The text suggestions are drawn from: per report, the sentences in scope."""

    sentences: list[tuple[str, str]]  # (report name, sentence)

    @property
    def text(self) -> str:
        return "\n".join(s for _, s in self.sentences)


def whole_reports(named_texts: list[tuple[str, str]]) -> Scope:
    out = []
    for name, text in named_texts:
        out.extend((name, s.text) for s in segment(text).sentences if s.duplicate_of is None)
    return Scope(out)


def evidence_sentences(named_results, dimension: str) -> Scope:
    """Sentences that already carry evidence for one dimension's criteria."""
    out = []
    for name, result in named_results:
        seen: set[tuple[int, int]] = set()
        for c in result.dimension(dimension).criteria:
            for e in c.evidence:
                if (e.start, e.end) not in seen:
                    seen.add((e.start, e.end))
                    out.append((name, e.text))
    return Scope(out)


def _extractors():
    import jieba
    import jieba.analyse

    jieba.setLogLevel(60)
    jieba.initialize()
    return jieba.analyse.TFIDF(), jieba.analyse.TextRank()


def suggest(scope: Scope, vocab: set[str], *, top: int = 20, min_count: int = 2, pool: int | None = None) -> list[Candidate]:
    """The `top` best candidates not yet in the rubric, with counts and two example sentences."""
    text = scope.text
    if not text.strip():
        return []
    tfidf, textrank = _extractors()
    pool = pool or max(200, top * 10)
    ranked: dict[str, dict[str, float]] = {}
    for method, extractor, extract in (
        ("tfidf", tfidf, tfidf.extract_tags),
        ("textrank", textrank, textrank.textrank),
    ):
        results = extract(text, topK=pool, withWeight=True, allowPOS=ALLOW_POS)
        kept = [(w, s) for w, s in results if plausible(w) and not covered(w, vocab)]
        best = max((s for _, s in kept), default=0.0) or 1.0
        for w, s in kept:
            ranked.setdefault(w, {})[method] = s / best
    counts: Counter[str] = Counter()
    in_reports: dict[str, set[str]] = {}
    examples: dict[str, list[tuple[str, str]]] = {}
    for w in ranked:
        for name, sentence in scope.sentences:
            n = sentence.count(w)
            if n:
                counts[w] += n
                in_reports.setdefault(w, set()).add(name)
                examples.setdefault(w, []).append((name, sentence))
    out = []
    for w, by_method in ranked.items():
        if counts[w] < min_count:
            continue
        # Both methods agreeing counts; longer words are more specific, as rubric terms are.
        score = sum(by_method.values()) / 2 * (1 + LENGTH_BONUS * (len(w) - MIN_LEN))
        out.append(
            Candidate(w, round(score, 3), counts[w], len(in_reports.get(w, ())), sorted(by_method),
                      pick_examples(w, examples.get(w, [])))
        )
    out.sort(key=lambda c: (-c.score, -c.count, c.term))
    return out[:top]


def pick_examples(word: str, found: list[tuple[str, str]], n: int = 2) -> list[str]:
    """Up to n sentences, from different reports when possible, trimmed around the word."""
    chosen: list[tuple[str, str]] = []
    names: set[str] = set()
    for name, s in found:
        if name not in names:
            chosen.append((name, s))
            names.add(name)
        if len(chosen) == n:
            break
    for pair in found:
        if len(chosen) == n:
            break
        if pair not in chosen:
            chosen.append(pair)
    return [trim_around(s, word) for _, s in chosen]


def trim_around(sentence: str, word: str, width: int = EXAMPLE_CHARS) -> str:
    sentence = sentence.replace("\n", " ").strip()
    if len(sentence) <= width:
        return sentence
    i = max(0, sentence.find(word))
    start = max(0, min(i - width // 3, len(sentence) - width))
    piece = sentence[start : start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(sentence) else "")


def named(paths: list[Path], root: Path) -> list[str]:
    from .corpus import display_name

    return [display_name(p, root) for p in paths]
