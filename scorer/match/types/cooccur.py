"""`cooccur`: one term from every group inside the same clause or sentence."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, field_validator

from ..base import Rule, RuleHit, SpanHit, best_per_sentence, term_index
from ..registry import register
from ..spec import MatcherSpec, TermList, coerce_groups, show_terms


class CooccurMatcher(MatcherSpec):
    """One term from every group inside the same clause or sentence."""

    scorecard: ClassVar[str] = "同一句或同一分句内的词语共现匹配"
    order: ClassVar[int] = 20

    type: Literal["cooccur"]
    scope: Literal["clause", "sentence"] = "sentence"
    groups: list[TermList] = Field(min_length=2)

    _coerce = field_validator("groups", mode="before")(coerce_groups)

    def term_lists(self):
        return [(("groups", gi), g) for gi, g in enumerate(self.groups)]

    def practice_terms(self) -> set[str]:
        # The last group names the practice; the others name its actor or context (志愿者 … 服务).
        return {t.term for t in self.groups[-1]}

    def summary(self) -> str:
        groups = " × ".join(f"({show_terms(g, 2)})" for g in self.groups)
        return f"{self.type}/{self.scope}: {groups}"


class CooccurRule(Rule):
    spec: CooccurMatcher

    def __init__(self, spec: CooccurMatcher, rule_id: str, slogans: list[str]):
        super().__init__(spec, rule_id, slogans)
        self.indexes = [term_index(g) for g in spec.groups]

    def evaluate(self, a):
        sentences = a.seg.sentences
        clause = self.spec.scope == "clause"
        # scope key → group number → hits
        found: dict[tuple, dict[int, list]] = {}
        for gi, index in enumerate(self.indexes):
            for si, hits in self._collect(a, index).items():
                if not clause:
                    groups = found.get((si,))
                    if groups is None:
                        groups = found[(si,)] = {}
                    group = groups.get(gi)
                    if group is None:
                        groups[gi] = hits  # _collect made this list for this group and sentence
                    else:
                        group.extend(hits)
                    continue
                for h, term, w in hits:
                    key = (si, sentences[si].clause_at(h.start).start)
                    groups = found.get(key)
                    if groups is None:
                        groups = found[key] = {}
                    group = groups.get(gi)
                    if group is None:
                        group = groups[gi] = []
                    group.append((h, term, w))
        out = []
        for key, groups in list(found.items()):
            led = {}
            if len(groups) < len(self.indexes) and self.spec.scope == "sentence":
                # A line of a list under a heading (荣誉榜单：) takes what the heading says.
                lead = sentences[key[0]].lead
                heading = found.get((lead,), {}) if lead is not None else {}
                led = {gi: g for gi, g in heading.items() if gi not in groups}
            if len(groups) + len(led) < len(self.indexes):
                continue
            weight = min(max(w for _, _, w in g) for g in (*groups.values(), *led.values()))
            spans = [SpanHit(h.start, h.end, t) for g in groups.values() for h, t, _ in g]
            every = {**groups, **led}
            note = " + ".join("/".join(sorted({t for _, t, _ in every[i]})) for i in range(len(self.indexes)))
            out.append(RuleHit(key[0], weight, spans, note))
        return best_per_sentence(out)


register(CooccurMatcher, CooccurRule)
