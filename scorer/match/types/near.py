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
sentenced is 被告人, not the 法官 before it. `names_break` does the same for a person
named between them (the rubric's `person_names`, 王某): in 法官依法审理王某受贿案，王某被判处,
the one sentenced is 王某, not the 法官. Only a name in the clause of the next term breaks
the chain (the passive's own subject: 法官王某审理陈某案时收受贿赂，被判处 is still about
王某), and a name the first term carries (干警张某), or a list of names right after it
(干警张某、李某), is its own and never does. The name a role carries stands for the role in
the rest of its paragraph, as the first name of a clause: 副院长张某涉嫌受贿。2021年5月，
张某被市监委采取留置措施 links 张某 (the 副院长) to the detention.

Hits are found by the shared term pass (word boundaries, negation, `unless`):
没有被立案审查 is negated and does not count.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import permutations
from typing import ClassVar, Literal

from pydantic import Field, field_validator

from ..base import Rule, RuleHit, SpanHit, best_per_sentence, term_index
from ..names import NamesBreakSpec, PersonNames
from ..registry import register
from ..spec import TermList, coerce_groups, phrases_field, show_terms

MAX_WITHIN = 50  # characters: beyond this, "near" is no longer near; use cooccur


class NearMatcher(NamesBreakSpec):
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
    _breaks = field_validator("breaks", mode="before")(phrases_field)

    def term_lists(self):
        return [(("groups", gi), g) for gi, g in enumerate(self.groups)]

    def summary(self) -> str:
        joint = " … " if self.ordered else " ~ "
        groups = joint.join(f"({show_terms(g, 2)})" for g in self.groups)
        return f"{self.type} ≤{self.within}: {groups}" + self.names_note()


class NearRule(Rule):
    spec: NearMatcher
    RELAXED = {"within": MAX_WITHIN, "scope": "sentence"}

    def __init__(self, spec: NearMatcher, rule_id: str, slogans: list[str]):
        super().__init__(spec, rule_id, slogans)
        self.indexes = [term_index(g) for g in spec.groups]
        n = len(self.indexes)
        self.orders = [tuple(range(n))] if spec.ordered else list(permutations(range(n)))
        self.breaks = frozenset(spec.breaks)
        self.names: PersonNames | None = None  # the rubric's person_names, with names_break (bind)

    def bind(self, rubric) -> None:
        super().bind(rubric)
        self.names = PersonNames.for_rule(self.spec, rubric)

    def blocks(self) -> set[str]:
        return super().blocks() | set(self.breaks)

    def evaluate(self, a):
        if self._lacks_a_group(a, self.indexes):
            return []  # a chain takes a hit of every group
        sentences = a.seg.sentences
        # (sentence, clause start) → group → hits in text order
        found: dict[tuple[int, int], list[list]] = defaultdict(lambda: [[] for _ in self.indexes])
        collected = [self._collect(a, index) for index in self.indexes]
        if self.names is not None and collected[0]:
            self._carry_names(a, collected[0], collected[1:])
        for gi, per_sentence in enumerate(collected):
            for si, hits in per_sentence.items():
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
            names = self.names.in_sentence(a, si) if self.names is not None else ()
            clause_of = sentences[si].clause_at
            for order in self.orders:
                chain = self._best_chain([groups[gi] for gi in order], walls, names, clause_of)
                if chain and (best is None or _weight(chain) > _weight(best)):
                    best = chain
            if best:
                spans = [SpanHit(h.start, h.end, t) for h, t, _ in best]
                out.append(RuleHit(si, _weight(best), spans, "…".join(t for _, t, _ in best)))
        return best_per_sentence(self._own_cases(a, out))

    def _carry_names(self, a, first: dict[int, list], rest: list[dict[int, list]]) -> None:
        """Add to `first` (the first group's hits per sentence) each later mention, in the same
        paragraph, of a name a first-group hit carries (副院长张某 … 张某被留置), where it is the
        first name of its clause (its subject: 2021年5月，张某被…; 现年51岁的张某被…) and every other
        group has a hit in its sentence. A name
        already mentioned earlier in that sentence is not carried (刑庭审理李某、王某等人诈骗案，
        王某被判处: its nearer mention is a case's party). The added hit is the name, crediting the
        role's term."""
        wanted = set.intersection(*(set(r) for r in rest)) if rest else set()
        if not wanted:
            return
        sentences = a.seg.sentences
        carried: dict[int, dict[str, tuple[int, str, float]]] = {}  # paragraph → name → (from sentence, term, weight)
        for si in sorted(first):
            names = self.names.in_sentence(a, si)
            for h, term, w in first[si]:
                for _start, _stop, name, _clause in names.own(h.end):
                    carried.setdefault(sentences[si].paragraph, {}).setdefault(name, (si, term, w))
        added = False
        for sj in sorted(wanted):
            by_name = carried.get(sentences[sj].paragraph)
            if not by_name:
                continue
            seen: set[str] = set()  # names mentioned earlier in the sentence, not as a role's own
            clauses: set[int] = set()  # clauses with a name already: only a clause's first name is its subject
            names = self.names.in_sentence(a, sj)
            introduced = {n[0] for h, _, _ in first.get(sj, ()) for n in names.own(h.end)}
            # a name right after a `breaks` word is a case's party (被执行人王某), never the role's
            parties = {b.end for b in a.blocks[sj] if b.surface in self.breaks}
            for start, stop, name, clause in names:
                clauses_before = clause in clauses
                clauses.add(clause)
                if start in introduced:
                    continue  # the role's own name where the role is named (副局长文某某…文某某受到…)
                got = by_name.get(name)
                if start in parties:
                    got = None
                if got is not None and name not in seen and not clauses_before and got[0] <= sj \
                        and not any(h.start <= start < h.end for h, _, _ in first.get(sj, ())):
                    first.setdefault(sj, []).append((SpanHit(start, stop, name), got[1], got[2]))
                    added = True
                seen.add(name)
        if added:
            for hits in first.values():
                hits.sort(key=lambda x: (x[0].start, -x[0].end))

    def _best_chain(self, groups: list[list], walls: list[int] = (), names=(), clause_of=None) -> list | None:
        """The heaviest (then earliest) chain with one hit per group, in this order, each hit
        starting at most `within` characters after the previous one ends, with no wall (a
        `breaks` word) starting between them, and no person's name (`names`: start, end, name,
        clause start) between them, in the next hit's clause, that no hit of the chain so far
        carries (干警张某…张某被: 张某 is the 干警's own; a carried name is its role's)."""
        within = self.spec.within
        best = None

        def extend(chain: list, k: int, mine: set[str]):
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
                if names and names.stranger_between(mine, end, cand[0].start, clause_of(cand[0].start).start,
                                                    [g[0].start for g in groups[k]]):
                    continue
                chain.append(cand)
                extend(chain, k + 1, mine | names.owned(cand[0].end) if names else mine)
                chain.pop()

        for first in groups[0]:
            mine = names.owned(first[0].end) if names else set()
            if isinstance(first[0], SpanHit):
                mine.add(first[0].term)  # a carried name (张某 for the 副院长) is the role's own
            extend([first], 1, mine)
        return best


def _weight(chain: list) -> float:
    return min(w for _, _, w in chain)


register(NearMatcher, NearRule)
