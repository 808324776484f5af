"""`cooccur`: one term from every group inside the same clause or sentence.

With `names_break` (scorer/match/names.py), the first group names a person and the last what
befell them: a first-group hit is dropped when a stranger's name stands between it and every
later last-group hit, in that hit's clause (院长审理的王某被判处: 王某 was sentenced).
"""

from __future__ import annotations

from itertools import chain
from typing import ClassVar, Literal

from pydantic import Field, field_validator

from ..base import Rule, RuleHit, SpanHit, best_per_sentence, term_index
from ..names import NamesBreakSpec, PersonNames
from ..registry import register
from ..spec import TermList, coerce_groups, show_terms


class CooccurMatcher(NamesBreakSpec):
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
        return f"{self.type}/{self.scope}: {groups}" + self.names_note()


class CooccurRule(Rule):
    spec: CooccurMatcher

    def __init__(self, spec: CooccurMatcher, rule_id: str, slogans: list[str]):
        super().__init__(spec, rule_id, slogans)
        self.indexes = [term_index(g) for g in spec.groups]
        self.names: PersonNames | None = None  # the rubric's person_names, with names_break (bind)

    def bind(self, rubric) -> None:
        super().bind(rubric)
        self.names = PersonNames.for_rule(self.spec, rubric)

    def evaluate(self, a):
        if self._lacks_a_group(a, self.indexes):
            return []  # a hit of every group is needed (a heading's among them)
        per_group = [self._collect(a, index) for index in self.indexes]
        if self.names is not None:
            self._drop_named_away(a, per_group)
        # Only a sentence with a hit of every group can yield one, or (scope: sentence) a line
        # under a list heading, which takes the groups it lacks from the heading.
        whole = set(per_group[0]).intersection(*per_group[1:])
        if self.spec.scope == "clause":
            return self._in_clauses(a, per_group, whole)
        lines = a.led_sentences
        if lines:
            whole.update(*(lines.intersection(found) for found in per_group))
        if not whole:
            return []
        sentences = a.seg.sentences
        n = len(per_group)
        out = []
        for si in dict.fromkeys(chain(*per_group)):  # in the order the groups found them
            if si not in whole:
                continue
            groups = {gi: found[si] for gi, found in enumerate(per_group) if si in found}
            led = {}
            if len(groups) < n:
                # A line of a list under a heading (荣誉榜单：) takes what the heading says.
                lead = sentences[si].lead
                if lead is not None:
                    led = {gi: found[lead] for gi, found in enumerate(per_group) if lead in found and gi not in groups}
                if len(groups) + len(led) < n:
                    continue
            out.append(self._hit(si, groups, led))
        return best_per_sentence(self._own_cases(a, out))

    def _drop_named_away(self, a, per_group: list[dict[int, list]]) -> None:
        """Drop each first-group hit that a stranger's name keeps from every later last-group hit."""
        first, last = per_group[0], per_group[-1]
        for si in set(first).intersection(last):
            names = self.names.in_sentence(a, si)
            if not names:
                continue
            sentence = a.seg.sentences[si]
            kept = []
            for hit in first[si]:
                h = hit[0]
                mine = names.owned(h.end)
                clause = sentence.clause_at(h.start).start
                # the penalties this role could pair with: after it, and in its clause when the rule reads clauses
                later = [e for e, _, _ in last[si] if e.start >= h.end
                         and (self.spec.scope != "clause" or sentence.clause_at(e.start).start == clause)]
                if not later or any(
                    not names.stranger_between(mine, h.end, e.start, sentence.clause_at(e.start).start) for e in later
                ):
                    kept.append(hit)
            if kept:
                first[si] = kept
            else:
                del first[si]

    def _in_clauses(self, a, per_group, whole: set[int]) -> list[RuleHit]:
        """Scope clause: a hit of every group in one clause (of a sentence in `whole`)."""
        sentences = a.seg.sentences
        # (sentence, clause start) → group number → hits
        found: dict[tuple[int, int], dict[int, list]] = {}
        for gi, hits_of in enumerate(per_group):
            for si, hits in hits_of.items():
                if si not in whole:
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
        n = len(per_group)
        return best_per_sentence(self._own_cases(a, [self._hit(si, groups, {}) for (si, _), groups in found.items()
                                                     if len(groups) == n]))

    def _hit(self, si: int, groups: dict[int, list], led: dict[int, list]) -> RuleHit:
        """The hit of a sentence (or clause) with these hits per group, and those it takes from its heading."""
        weight = min(max(w for _, _, w in g) for g in (*groups.values(), *led.values()))
        spans = [SpanHit(h.start, h.end, t) for g in groups.values() for h, t, _ in g]
        every = {**groups, **led}
        note = " + ".join("/".join(sorted({t for _, t, _ in every[i]})) for i in range(len(self.indexes)))
        return RuleHit(si, weight, spans, note)


register(CooccurMatcher, CooccurRule)
