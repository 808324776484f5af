"""`quantity`: a number with one of the units, near a context term, at or above a threshold."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, field_validator

from ..base import Rule, RuleHit, SpanHit, term_index
from ..quantity import compile_units, find_quantities, yearly_factor
from ..registry import register
from ..spec import MatcherSpec, TermList, show_terms, terms_field


class QuantityMatcher(MatcherSpec):
    """A number with one of the units, near a context term, at or above a threshold.

    `per: year` converts 每月/每季度/每半年/每周 rates to a yearly figure.
    """

    scorecard: ClassVar[str] = "数量匹配（数字、单位与语境词同现，按年折算后与门槛比较）"
    order: ClassVar[int] = 30

    type: Literal["quantity"]
    context: TermList
    units: list[str] = Field(min_length=1)
    min: float = Field(default=1, ge=0)
    per: Literal["total", "year"] = "total"
    scope: Literal["clause", "sentence"] = "clause"

    _coerce = field_validator("context", mode="before")(terms_field)

    def term_lists(self):
        return [(("context",), self.context)]

    def summary(self) -> str:
        per = "/year" if self.per == "year" else ""
        return f"{self.type} ≥ {self.min:g} {'/'.join(self.units)}{per} near {show_terms(self.context, 3)}"


class QuantityRule(Rule):
    spec: QuantityMatcher

    def __init__(self, spec: QuantityMatcher, rule_id: str, slogans: list[str]):
        super().__init__(spec, rule_id, slogans)
        self.index = term_index(spec.context)
        self.units = compile_units(spec.units)
        self.slogans = frozenset(slogans)

    def blocks(self):
        return set(self.unless) | set(self.slogans)

    def evaluate(self, a):
        text = a.text
        sentences = a.seg.sentences
        out = []
        for si, hits in self._collect(a, self.index).items():
            sent = sentences[si]
            if self.spec.scope == "sentence":
                scopes = [sent]
            else:  # the clauses of the hits, in the order of the first hit in each
                scopes = list({c.start: c for c in (sent.clause_at(h.start) for h, _, _ in hits)}.values())
            # Every quantity of the sentence weighs what its best context term weighs: the first
            # that counts is the sentence's hit, and none after it can weigh more.
            w = max(w for _, _, w in hits)
            for scope in scopes:
                hit = self._first(a, si, scope, [(h, t) for h, t, _ in hits if scope.start <= h.start < scope.end], w)
                if hit is not None:
                    out.append(hit)
                    break
        return out

    def _first(self, a, si: int, scope, ctx: list, w: float) -> RuleHit | None:
        """The first quantity in the scope that counts (not in a slogan nor inside a context term,
        and at or above the threshold), as the sentence's hit."""
        text = a.text
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
            spans = [span] + [SpanHit(h.start, h.end, t) for h, t in ctx]
            label = "、".join(sorted({t for _, t in ctx}))
            return RuleHit(si, w, spans, f"{label}: {note} ≥ {self.spec.min:g}", value)
        return None


register(QuantityMatcher, QuantityRule)
