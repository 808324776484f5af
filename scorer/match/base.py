"""What rules share: the analysed text they read, the hits they return, the base class.

Each rule reads an `Analysis` (the segmented text with its term hits) and
returns `RuleHit`s: a sentence, a weight and the spans that justify it.
Negated hits never count.
"""

from __future__ import annotations

import bisect
from abc import ABC, abstractmethod
from collections import defaultdict
from dataclasses import dataclass, field

from ..segment import Segmented, segment
from .lexicon import Block, Lexicon, TermHit
from .spec import MatcherSpec, Term


@dataclass(slots=True)
class SpanHit:
    start: int
    end: int
    term: str


@dataclass(slots=True)
class RuleHit:
    sentence: int
    weight: float
    spans: list[SpanHit]
    note: str  # for display: what matched, in a few words
    value: float | None = None  # a quantity's value, as counted (after a per-year conversion)


@dataclass
class Analysis:
    """A segmented text with every rubric term located once, shared by all rules."""

    seg: Segmented
    hits: list[list[TermHit]]
    blocks: list[list[Block]]
    by_surface: dict[str, list[TermHit]] = field(default_factory=dict)
    # surface of a block -> the sentences that hold it
    block_sentences: dict[str, set[int]] = field(default_factory=dict)
    # the sentences that are lines under a list heading (Sentence.lead)
    led_sentences: frozenset[int] = field(init=False, default=frozenset())

    def __post_init__(self):
        groups: dict[str, list[TermHit]] = defaultdict(list)
        for sentence_hits in self.hits:
            for h in sentence_hits:
                if not h.negated:
                    groups[h.surface].append(h)
        self.by_surface = dict(groups)
        for si, blocks in enumerate(self.blocks):
            for b in blocks:
                self.block_sentences.setdefault(b.surface, set()).add(si)
        self._starts = [s.start for s in self.seg.sentences]
        self.led_sentences = frozenset(s.index for s in self.seg.sentences if s.lead is not None)

    @classmethod
    def of(cls, text: str, lexicon: Lexicon) -> "Analysis":
        seg = segment(text)
        hits, blocks = lexicon.scan(seg)
        return cls(seg, hits, blocks)

    @property
    def text(self) -> str:
        return self.seg.text

    def sentence_at(self, pos: int) -> int | None:
        i = bisect.bisect_right(self._starts, pos) - 1
        if i >= 0 and pos < self.seg.sentences[i].end:
            return i
        return None

    def blocked(self, h: TermHit | SpanHit, sentence: int, unless: frozenset[str]) -> bool:
        return bool(unless) and any(
            b.surface in unless and b.start <= h.start and h.end <= b.end for b in self.blocks[sentence]
        )


def term_index(terms: list[Term]) -> dict[str, tuple[str, float]]:
    """surface → (canonical term, weight)"""
    out: dict[str, tuple[str, float]] = {}
    for t in terms:
        for s in t.surfaces:
            out.setdefault(s, (t.term, t.weight))
    return out


class Rule(ABC):
    """A compiled matcher. `id` is `<owner id>#<1-based matcher number>`."""

    def __init__(self, spec: MatcherSpec, rule_id: str, slogans: list[str]):
        self.spec = spec
        self.id = rule_id
        self.unless = frozenset(spec.unless)
        self.unless_sentence = frozenset(spec.unless_sentence)

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def type(self) -> str:
        return self.spec.type  # type: ignore[attr-defined]

    def surfaces(self) -> set[str]:
        """Every term surface the lexicon must find for this rule."""
        out: set[str] = set()
        for _loc, terms in self.spec.term_lists():
            out.update(term_index(terms))
        return out

    def blocks(self) -> set[str]:
        return set(self.unless) | set(self.unless_sentence)

    def bind(self, rubric) -> None:
        """Take what the rule needs from the rubric beyond its own spec (a rubric-wide pattern),
        once, when the rubric is compiled. Most rules need nothing."""

    @abstractmethod
    def evaluate(self, a: Analysis) -> list[RuleHit]: ...

    def _collect(self, a: Analysis, index: dict[str, tuple[str, float]]):
        """Non-negated, unblocked hits of the indexed surfaces, per sentence (in the index's order
        of surfaces, then in text order)."""
        silenced = self._silenced(a)
        # Only a sentence that holds one of `unless` can block a hit: the others need no look.
        guarded = self._holding(a, self.unless)
        unless, check = self.unless, bool(silenced or guarded)
        per_sentence: dict[int, list[tuple[TermHit, str, float]]] = {}
        by_surface = a.by_surface
        for surface, (term, weight) in index.items():
            hits = by_surface.get(surface)
            if hits is None:
                continue
            for h in hits:
                si = h.sentence
                if check and (si in silenced or si in guarded and a.blocked(h, si, unless)):
                    continue
                found = per_sentence.get(si)
                if found is None:
                    per_sentence[si] = [(h, term, weight)]
                else:
                    found.append((h, term, weight))
        return per_sentence

    @staticmethod
    def _lacks_a_group(a: Analysis, indexes: list[dict[str, tuple[str, float]]]) -> bool:
        """No surface of one of these indexes has a hit in the text (negated hits aside): a rule
        that needs a hit of every group finds nothing, whatever it would ask next."""
        by_surface = a.by_surface
        return any(by_surface.keys().isdisjoint(index) for index in indexes)

    def _silenced(self, a: Analysis) -> frozenset[int]:
        """Sentences that hold one of `unless_sentence`: no evidence for this rule at all."""
        return self._holding(a, self.unless_sentence)

    @staticmethod
    def _holding(a: Analysis, phrases: frozenset[str]) -> frozenset[int]:
        """The sentences that hold one of these block phrases."""
        if not phrases:
            return _NONE
        return frozenset().union(*(a.block_sentences.get(s, ()) for s in phrases))


_NONE: frozenset[int] = frozenset()


def best_per_sentence(hits: list[RuleHit]) -> list[RuleHit]:
    best: dict[int, RuleHit] = {}
    for h in hits:
        cur = best.get(h.sentence)
        if cur is None or h.weight > cur.weight:
            best[h.sentence] = h
        elif h.weight == cur.weight:
            cur.spans.extend(s for s in h.spans if s not in cur.spans)
    return list(best.values())
