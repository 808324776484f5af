"""What rules share: the analysed text they read, the hits they return, the base class.

Each rule reads an `Analysis` (the segmented text with its term hits) and
returns `RuleHit`s: a sentence, a weight and the spans that justify it.
Negated hits never count.
"""

from __future__ import annotations

import re

import bisect
from abc import ABC, abstractmethod
from collections import defaultdict
from dataclasses import dataclass, field
from typing import ClassVar

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
        self.unless_list = frozenset(spec.unless_list)
        # (possessives, roles) of `own_case`, from the rubric's sets (bind)
        self.own_case: tuple[frozenset[str], frozenset[str]] | None = None
        # every surface of this rule's own terms, taken the first time a silencer needs them (_held)
        self._own_surfaces: frozenset[str] | None = None

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
        out = set(self.unless) | set(self.unless_sentence) | set(self.unless_list)
        if self.own_case:
            out |= self.own_case[0] | self.own_case[1]
        return out

    def bind(self, rubric) -> None:
        """Take what the rule needs from the rubric beyond its own spec (a rubric-wide pattern or
        set), once, when the rubric is compiled. A rule type that binds more calls this first."""
        if self.spec.own_case:
            mine, roles = self.spec.own_case
            self.own_case = (frozenset(rubric.phrase_sets[mine]), frozenset(rubric.phrase_sets[roles]))

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

    # What a rule gives up when the learned veto judgement reads what it proposes: a limit of
    # distance or of clause (a field name → its loosest value). Each type says which it has.
    RELAXED: ClassVar[dict[str, object]] = {}

    def relaxed_spec(self) -> MatcherSpec | None:
        """This rule's spec without its distance and clause limits (`RELAXED`), everything else
        kept: order, `breaks`, `unless`, `unless_sentence`, names. None for a type that relaxes
        nothing (a `cooccur` rule: in a whole sentence its names condition no longer knows whose
        penalty a later hit is). The learned veto judgement decides over what the relaxed rule
        raises and the rule itself does not (a press account names the penalty far from the role)."""
        fields = {k: v for k, v in self.RELAXED.items() if hasattr(self.spec, k)}
        if not fields:
            return None
        return self.spec.model_copy(update=fields)

    @staticmethod
    def _lacks_a_group(a: Analysis, indexes: list[dict[str, tuple[str, float]]]) -> bool:
        """No surface of one of these indexes has a hit in the text (negated hits aside): a rule
        that needs a hit of every group finds nothing, whatever it would ask next."""
        by_surface = a.by_surface
        return any(by_surface.keys().isdisjoint(index) for index in indexes)

    def _silenced(self, a: Analysis) -> frozenset[int]:
        """Sentences that hold one of `unless_sentence`: no evidence for this rule at all, unless
        the sentence may tell the unit's own case (`own_case`: 通报我院原副院长张某…); such a
        sentence is left to `_own_cases`, which keeps only the hits naming that role."""
        out = self._held(a)
        if self.unless_list:
            out = out | self._list_held(a)
        if out and self.own_case is not None:
            out = frozenset(si for si in out if not self._own_roles(a, si))
        return out

    def _list_held(self, a: Analysis) -> frozenset[int]:
        """The sentences `unless_list` silences: each that holds one of its phrases, and the numbered list
        it opens: the sentences right after it, in its paragraph or the next, that each begin with an
        item's number or follow one ending in ； (存在下列情形的，不得申报：1.…被查处；2.…；4.发生重大安全生产责任
        事故；). The first sentence that does neither ends the list (…实行一票否决。今年3月，我局办公楼发生火灾… is still read).
        A sentence the unit's possessive names its own role in stays the rule's (`own_case`, as for
        `unless_sentence`: …纳入一票否决事项，通报我院原副院长张某严重违纪违法问题)."""
        held = self._holding(a, self.unless_list)
        if not held:
            return _NONE
        sentences = a.seg.sentences
        out: set[int] = set()
        for si in sorted(held):
            out.add(si)
            j = si + 1
            while j < len(sentences) and (_ITEM_NUMBER.match(sentences[j].text)
                                          or sentences[j - 1].text.rstrip().endswith(("；", ";"))):
                out.add(j)
                j += 1
        return frozenset(out)

    # Characters a possessive may stand before its role: 我院原副院长, 我院执行局原局长.
    OWN_CASE_GAP = 4

    def _own_roles(self, a: Analysis, si: int) -> list[tuple[int, int]]:
        """(start, end) of each role in sentence `si` that the unit's possessive stands right before."""
        mine, roles = self.own_case
        blocks = a.blocks[si]
        ends = [b.end for b in blocks if b.surface in mine]
        if not ends:
            return []
        return [(b.start, b.end) for b in blocks
                if b.surface in roles and any(0 <= b.start - e <= self.OWN_CASE_GAP for e in ends)]

    def _own_cases(self, a: Analysis, hits: list[RuleHit]) -> list[RuleHit]:
        """Of the hits in sentences `unless_sentence` would silence, keep those that name a role
        the unit's possessive stands before; in 组织我院干警观看警示教育片，片中某法院副院长… the hit
        names another court's 副院长, and the sentence stays silenced."""
        if self.own_case is None or not hits:
            return hits
        held = self._held(a)
        if not held:
            return hits
        roles = self.own_case[1]
        out = []
        for h in hits:
            if h.sentence not in held:
                out.append(h)
                continue
            own = self._own_roles(a, h.sentence)
            sentence = a.seg.sentences[h.sentence]
            last = sentence.clause_at(h.spans[-1].start).start
            # the role the possessive names, in the clause of what befell (通报我院原副院长张某严重违纪违法问题)
            if any(sp.term in roles and sentence.clause_at(sp.start).start == last
                   and any(s <= sp.start and sp.end <= e for s, e in own) for sp in h.spans):
                out.append(h)
        return out

    def _held(self, a: Analysis) -> frozenset[int]:
        """The sentences that hold one of `unless_sentence` outside this rule's own terms. An occurrence
        inside a longer hit of a term this rule itself seeks belongs to that term, not to the silencer:
        抓获 (the unit catching someone) silences a crime candidate, but not from inside 被抓获
        (someone caught), which is one of the candidate's own terms."""
        held = self._holding(a, self.unless_sentence)
        if not held:
            return held
        mine = self._own_surfaces
        if mine is None:
            mine = self._own_surfaces = frozenset(self.surfaces())
        silencers = self.unless_sentence
        out = []
        for si in held:
            spans = [(h.start, h.end) for h in a.hits[si] if h.surface in mine]
            if any(b.surface in silencers
                   and not any(s <= b.start and b.end <= e and e - s > b.end - b.start for s, e in spans)
                   for b in a.blocks[si]):
                out.append(si)
        return frozenset(out)

    @staticmethod
    def _holding(a: Analysis, phrases: frozenset[str]) -> frozenset[int]:
        """The sentences that hold one of these block phrases."""
        if not phrases:
            return _NONE
        return frozenset().union(*(a.block_sentences.get(s, ()) for s in phrases))


_NONE: frozenset[int] = frozenset()
# A list item's number at the start of a sentence: 1. 2、 3） （一） (1) ① 一、
_ITEM_NUMBER = re.compile(r"\s*(?:\d{1,2}\s*[.．、)）]|[（(](?:\d{1,2}|[一二三四五六七八九十]{1,3})[)）]|[①-⑳]|[一二三四五六七八九十]{1,3}、)")


def best_per_sentence(hits: list[RuleHit]) -> list[RuleHit]:
    best: dict[int, RuleHit] = {}
    for h in hits:
        cur = best.get(h.sentence)
        if cur is None or h.weight > cur.weight:
            best[h.sentence] = h
        elif h.weight == cur.weight:
            cur.spans.extend(s for s in h.spans if s not in cur.spans)
    return list(best.values())
