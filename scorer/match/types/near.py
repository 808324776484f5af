"""`near`: a term from every group, each within `within` characters of the last, inside one clause
(or one sentence, with `scope: sentence`).

Words may stand between the terms, which `cooccur` cannot say without matching
the whole clause, nor `keywords` without listing every variant:

    - type: near
      label: 受到刑事处罚
      groups: [[被], [判处, 立案审查]]
      within: 6        # 被依法判处, 被市纪委监委立案审查
      ordered: true    # the groups in this order (the default)
      breaks: [被告人]  # a chain with one of these between two of its terms does not count

`breaks` keeps the subject with its verb: in 法官审结的案件中被告人被依法判处, the one
sentenced is 被告人, not the 法官 before it.

Hits are found by the shared term pass (word boundaries, negation, `unless`):
没有被立案审查 is negated and does not count.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import permutations
from typing import ClassVar, Literal

from pydantic import Field, field_validator

from ..base import Rule, RuleHit, SpanHit, best_per_sentence, term_index
from ..registry import register
from ..spec import MatcherSpec, TermList, coerce_groups, show_terms

MAX_WITHIN = 50  # characters: beyond this, "near" is no longer near; use cooccur


class NearMatcher(MatcherSpec):
    """A term of every group inside one clause, each at most `within` characters after the previous one."""

    scorecard: ClassVar[str] = "同一分句内相邻词语匹配（允许中间插入词语）"
    order: ClassVar[int] = 25

    type: Literal["near"]
    groups: list[TermList] = Field(min_length=2)
    within: int = Field(default=6, ge=0, le=MAX_WITHIN, description="Most characters between two consecutive terms.")
    ordered: bool = Field(default=True, description="The groups must appear in the order given.")
    breaks: list[str] = Field(
        default_factory=list, description="Words that, standing between two terms of a chain, break it."
    )
    scope: Literal["clause", "sentence"] = Field(
        default="clause",
        description="Where the chain must lie: one clause (the default), or one sentence, so that a subject "
        "and what befell it may stand in two clauses of one sentence.",
    )

    _coerce = field_validator("groups", mode="before")(coerce_groups)

    def term_lists(self):
        return [(("groups", gi), g) for gi, g in enumerate(self.groups)]

    def summary(self) -> str:
        joint = " … " if self.ordered else " ~ "
        groups = joint.join(f"({show_terms(g, 2)})" for g in self.groups)
        return f"{self.type} ≤{self.within}: {groups}"


class NearRule(Rule):
    spec: NearMatcher

    def __init__(self, spec: NearMatcher, rule_id: str, slogans: list[str]):
        super().__init__(spec, rule_id, slogans)
        self.indexes = [term_index(g) for g in spec.groups]
        n = len(self.indexes)
        self.orders = [tuple(range(n))] if spec.ordered else list(permutations(range(n)))
        self.breaks = frozenset(spec.breaks)

    def blocks(self) -> set[str]:
        return super().blocks() | set(self.breaks)

    def evaluate(self, a):
        if self._lacks_a_group(a, self.indexes):
            return []  # a chain takes a hit of every group
        sentences = a.seg.sentences
        # (sentence, clause start) → group → hits in text order
        found: dict[tuple[int, int], list[list]] = defaultdict(lambda: [[] for _ in self.indexes])
        for gi, index in enumerate(self.indexes):
            for si, hits in self._collect(a, index).items():
                for h, term, w in hits:
                    where = sentences[si].clause_at(h.start).start if self.spec.scope == "clause" else -1
                    found[(si, where)][gi].append((h, term, w))
        out = []
        for (si, _clause), groups in found.items():
            if not all(groups):
                continue
            for g in groups:
                g.sort(key=lambda x: (x[0].start, -x[0].end))
            best = None
            walls = [b.start for b in a.blocks[si] if b.surface in self.breaks]
            for order in self.orders:
                chain = self._best_chain([groups[gi] for gi in order], walls)
                if chain and (best is None or _weight(chain) > _weight(best)):
                    best = chain
            if best:
                spans = [SpanHit(h.start, h.end, t) for h, t, _ in best]
                out.append(RuleHit(si, _weight(best), spans, "…".join(t for _, t, _ in best)))
        return best_per_sentence(out)

    def _best_chain(self, groups: list[list], walls: list[int] = ()) -> list | None:
        """The heaviest (then earliest) chain with one hit per group, in this order, each hit
        starting at most `within` characters after the previous one ends, with no wall
        (a `breaks` word) starting between them."""
        within = self.spec.within
        best = None

        def extend(chain: list, k: int):
            nonlocal best
            if k == len(groups):
                if best is None or _weight(chain) > _weight(best):
                    best = list(chain)
                return
            end = chain[-1][0].end
            for cand in groups[k]:
                gap = cand[0].start - end
                if gap < 0:
                    continue
                if gap > within:
                    break  # sorted by start: the rest are further away
                if any(end <= w < cand[0].start for w in walls):
                    continue
                chain.append(cand)
                extend(chain, k + 1)
                chain.pop()

        for first in groups[0]:
            extend([first], 1)
        return best


def _weight(chain: list) -> float:
    return min(w for _, _, w in chain)


register(NearMatcher, NearRule)
