"""Matchers: small classes, one per rubric matcher type, compiled once per rubric.

Each rule reads an `Analysis` (the segmented text with its term hits) and
returns `RuleHit`s: a sentence, a weight and the spans that justify it.
Negated hits never count.
"""

from __future__ import annotations

import bisect
from abc import ABC, abstractmethod
from collections import defaultdict
from dataclasses import dataclass, field

import regex

from ..errors import RubricError
from ..rubric.schema import CooccurMatcher, KeywordsMatcher, PatternMatcher, QuantityMatcher, Term
from ..segment import Segmented
from .lexicon import Block, TermHit
from .quantity import compile_units, find_quantities, yearly_factor

PATTERN_TIMEOUT_S = 0.25


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
    note: str


@dataclass
class Analysis:
    """A segmented text with every rubric term located once, shared by all rules."""

    seg: Segmented
    hits: list[list[TermHit]]
    blocks: list[list[Block]]
    by_surface: dict[str, list[TermHit]] = field(default_factory=dict)

    def __post_init__(self):
        groups: dict[str, list[TermHit]] = defaultdict(list)
        for sentence_hits in self.hits:
            for h in sentence_hits:
                if not h.negated:
                    groups[h.surface].append(h)
        self.by_surface = dict(groups)
        self._starts = [s.start for s in self.seg.sentences]

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


def _term_index(terms: list[Term]) -> dict[str, tuple[str, float]]:
    """surface → (canonical term, weight)"""
    out: dict[str, tuple[str, float]] = {}
    for t in terms:
        for s in t.surfaces:
            out.setdefault(s, (t.term, t.weight))
    return out


class Rule(ABC):
    def __init__(self, spec, rule_id: str, slogans: list[str]):
        self.spec = spec
        self.id = rule_id
        self.unless = frozenset(spec.unless)

    @property
    def label(self) -> str:
        return self.spec.label

    def surfaces(self) -> set[str]:
        return set()

    def blocks(self) -> set[str]:
        return set(self.unless)

    @abstractmethod
    def evaluate(self, a: Analysis) -> list[RuleHit]: ...

    def _collect(self, a: Analysis, index: dict[str, tuple[str, float]]):
        """Non-negated, unblocked hits of the indexed surfaces, per sentence."""
        unless = self.unless
        per_sentence: dict[int, list[tuple[TermHit, str, float]]] = defaultdict(list)
        for surface, (term, weight) in index.items():
            for h in a.by_surface.get(surface, ()):
                if not a.blocked(h, h.sentence, unless):
                    per_sentence[h.sentence].append((h, term, weight))
        return per_sentence


class KeywordRule(Rule):
    spec: KeywordsMatcher

    def __init__(self, spec: KeywordsMatcher, rule_id: str, slogans: list[str]):
        super().__init__(spec, rule_id, slogans)
        self.index = _term_index(spec.terms)

    def surfaces(self):
        return set(self.index)

    def evaluate(self, a):
        out = []
        for si, found in self._collect(a, self.index).items():
            terms = sorted({t for _, t, _ in found})
            out.append(
                RuleHit(
                    si,
                    max(w for _, _, w in found),
                    [SpanHit(h.start, h.end, t) for h, t, _ in found],
                    "、".join(terms),
                )
            )
        return out


class CooccurRule(Rule):
    spec: CooccurMatcher

    def __init__(self, spec: CooccurMatcher, rule_id: str, slogans: list[str]):
        super().__init__(spec, rule_id, slogans)
        self.indexes = [_term_index(g) for g in spec.groups]

    def surfaces(self):
        return set().union(*self.indexes)

    def evaluate(self, a):
        sentences = a.seg.sentences
        # scope key → group number → hits
        found: dict[tuple, dict[int, list]] = defaultdict(lambda: defaultdict(list))
        for gi, index in enumerate(self.indexes):
            for si, hits in self._collect(a, index).items():
                for h, term, w in hits:
                    if self.spec.scope == "clause":
                        c = sentences[si].clause_at(h.start)
                        key = (si, c.start)
                    else:
                        key = (si,)
                    found[key][gi].append((h, term, w))
        out = []
        for key, groups in found.items():
            if len(groups) < len(self.indexes):
                continue
            weight = min(max(w for _, _, w in g) for g in groups.values())
            spans = [SpanHit(h.start, h.end, t) for g in groups.values() for h, t, _ in g]
            note = " + ".join("/".join(sorted({t for _, t, _ in groups[i]})) for i in range(len(self.indexes)))
            out.append(RuleHit(key[0], weight, spans, note))
        return _best_per_sentence(out)


class QuantityRule(Rule):
    spec: QuantityMatcher

    def __init__(self, spec: QuantityMatcher, rule_id: str, slogans: list[str]):
        super().__init__(spec, rule_id, slogans)
        self.index = _term_index(spec.context)
        self.units = compile_units(spec.units)
        self.slogans = frozenset(slogans)

    def surfaces(self):
        return set(self.index)

    def blocks(self):
        return set(self.unless) | set(self.slogans)

    def evaluate(self, a):
        text = a.text
        sentences = a.seg.sentences
        out = []
        for si, hits in self._collect(a, self.index).items():
            sent = sentences[si]
            scopes = {sent.clause_at(h.start).start: sent.clause_at(h.start) for h, _, _ in hits}
            if self.spec.scope == "sentence":
                scopes = {sent.start: sent}
            best: RuleHit | None = None
            for scope in scopes.values():
                ctx = [(h, t) for h, t, _ in hits if scope.start <= h.start < scope.end]
                for q in find_quantities(self.units, text, scope.start, scope.end):
                    span = SpanHit(q.start, q.end, q.unit)
                    if a.blocked(span, si, self.slogans) or any(h.start <= q.start < h.end for h, _ in ctx):
                        continue
                    value = q.value
                    note = f"{text[q.start:q.end]}"
                    if self.spec.per == "year":
                        factor = yearly_factor(text, scope.start, q.start)
                        if factor and factor > 1:
                            value *= factor
                            note += f"（折合每年{value:g}）"
                    if value < self.spec.min:
                        continue
                    w = max(w for _, _, w in hits)
                    spans = [span] + [SpanHit(h.start, h.end, t) for h, t in ctx]
                    label = "、".join(sorted({t for _, t in ctx}))
                    hit = RuleHit(si, w, spans, f"{label}: {note} ≥ {self.spec.min:g}")
                    if best is None or hit.weight > best.weight:
                        best = hit
            if best:
                out.append(best)
        return out


class UnsafePattern(ValueError):
    """A rubric pattern that backtracks catastrophically on some input."""


class PatternRule(Rule):
    spec: PatternMatcher

    def __init__(self, spec: PatternMatcher, rule_id: str, slogans: list[str]):
        super().__init__(spec, rule_id, slogans)
        from .patterns import probe

        # Refuse a pattern that can hang before any report is read, not when one
        # report happens to trigger it; the timeout below stays as the last guard.
        found = probe(spec.pattern)
        if found.timed_out:
            raise UnsafePattern(
                f"pattern {spec.pattern!r} backtracks catastrophically "
                f"(ran out of time on {found.sample[:12]!r}…); rewrite it"
            )
        self.pattern = regex.compile(spec.pattern)

    def evaluate(self, a):
        out = []
        try:
            for m in self.pattern.finditer(a.text, timeout=PATTERN_TIMEOUT_S):
                si = a.sentence_at(m.start())
                if si is None or m.end() > a.seg.sentences[si].end:
                    continue
                out.append(RuleHit(si, 1.0, [SpanHit(m.start(), m.end(), m.group())], m.group()))
        except TimeoutError:
            raise RubricError(
                None,
                [f"rubric pattern {self.spec.pattern!r} ({self.id}) took longer than {PATTERN_TIMEOUT_S}s: "
                 "it backtracks catastrophically; rewrite it"],
            ) from None
        return _best_per_sentence(out)


def _best_per_sentence(hits: list[RuleHit]) -> list[RuleHit]:
    best: dict[int, RuleHit] = {}
    for h in hits:
        cur = best.get(h.sentence)
        if cur is None or h.weight > cur.weight:
            best[h.sentence] = h
        elif h.weight == cur.weight:
            cur.spans.extend(s for s in h.spans if s not in cur.spans)
    return list(best.values())


RULE_TYPES: dict[str, type[Rule]] = {
    "keywords": KeywordRule,
    "cooccur": CooccurRule,
    "quantity": QuantityRule,
    "pattern": PatternRule,
}


def build_rule(spec, rule_id: str, slogans: list[str]) -> Rule:
    return RULE_TYPES[spec.type](spec, rule_id, slogans)
