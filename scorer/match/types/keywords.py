"""`keywords`: any of the terms in a sentence (word boundaries respected, negation honoured)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import field_validator

from ..base import Rule, RuleHit, SpanHit, term_index
from ..registry import register
from ..spec import MatcherSpec, TermList, show_terms, terms_field


class KeywordsMatcher(MatcherSpec):
    """Any of the terms in a sentence (word boundaries respected, negation honoured)."""

    scorecard: ClassVar[str] = "关键词匹配（含同义词）"
    credits_single_terms: ClassVar[bool] = True
    order: ClassVar[int] = 10

    type: Literal["keywords"]
    terms: TermList

    _coerce = field_validator("terms", mode="before")(terms_field)

    def term_lists(self):
        return [(("terms",), self.terms)]

    def practice_terms(self) -> set[str]:
        return {t.term for t in self.terms}

    def summary(self) -> str:
        return f"{self.type}: {show_terms(self.terms)}"


class KeywordRule(Rule):
    spec: KeywordsMatcher

    def __init__(self, spec: KeywordsMatcher, rule_id: str, slogans: list[str]):
        super().__init__(spec, rule_id, slogans)
        self.index = term_index(spec.terms)

    def evaluate(self, a):
        out = []
        for si, found in self._collect(a, self.index).items():
            if len(found) == 1:  # the common case, with what the general one makes of it
                (h, term, weight), = found
                out.append(RuleHit(si, weight, [SpanHit(h.start, h.end, term)], term))
                continue
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


register(KeywordsMatcher, KeywordRule)
