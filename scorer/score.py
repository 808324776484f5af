"""Score: turn rule hits into criterion levels, dimension subtotals, bonus, vetoes and a grade.

Evidence counts by distinct sentences (a sentence pasted twice counts once);
the k-th best sentence of a matcher weighs `decay**k`, so repetition earns little;
sentences that are mostly rubric terms (keyword lists) weigh almost nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import regex

from .errors import RubricError
from .match.rules import PATTERN_TIMEOUT_S, Analysis, Rule, RuleHit, UnsafePattern, build_rule
from .match.lexicon import Lexicon
from .rubric import LoadedRubric
from .rubric.schema import Level, Rubric
from .result import (
    BonusResult,
    CriterionResult,
    DimensionResult,
    Evidence,
    Span,
    VetoHit,
)
from .segment import segment

_CONTENT = re.compile(r"[\u3400-\u9fff0-9]")  # Chinese characters and digits: what prose is made of
_PUNCT_OR_SPACE = re.compile(r"[\s\W_]+")
HEADING_WEIGHT = 0.5


def _merged(hits) -> list[tuple[int, int]]:
    """The union of the hits' spans, as disjoint sorted intervals."""
    out: list[tuple[int, int]] = []
    for h in sorted(hits, key=lambda h: h.start):
        if out and h.start <= out[-1][1]:
            if h.end > out[-1][1]:
                out[-1] = (out[-1][0], h.end)
        else:
            out.append((h.start, h.end))
    return out


@dataclass
class Judged:
    score: float
    level: str
    satisfaction: float
    evidence: list[Evidence]
    missing: list[str]


class CompiledRubric:
    """A rubric's rules and lexicon, built once and applied to many reports."""

    def __init__(self, loaded: LoadedRubric):
        self.loaded = loaded
        r: Rubric = loaded.rubric
        self.rubric = r
        slogans = r.slogans

        def rules(owner_id: str, matchers, loc: tuple) -> list[Rule]:
            built = []
            for i, m in enumerate(matchers):
                try:
                    built.append(build_rule(m, f"{owner_id}#{i + 1}", slogans))
                except UnsafePattern as e:
                    line = loaded.line_of(loc + ("matchers", i, "pattern"))
                    raise RubricError(loaded.path, [f"{loaded.path}:{line}: {owner_id}: {e}"]) from None
            return built

        self.criterion_rules = {
            c.id: rules(c.id, c.matchers, ("dimensions", di, "criteria", ci))
            for di, d in enumerate(r.dimensions)
            for ci, c in enumerate(d.criteria)
        }
        self.bonus_rules = {b.id: rules(b.id, b.matchers, ("bonus", "items", bi)) for bi, b in enumerate(r.bonus.items)}
        self.veto_rules = {v.id: rules(v.id, v.matchers, ("vetoes", vi)) for vi, v in enumerate(r.vetoes)}
        every = [
            rule
            for group in (self.criterion_rules, self.bonus_rules, self.veto_rules)
            for rs in group.values()
            for rule in rs
        ]
        self.lexicon = Lexicon(
            terms=set().union(*(rule.surfaces() for rule in every)),
            blocks=set().union(*(rule.blocks() for rule in every)),
            cues=r.negation.cues,
            breakers=r.negation.breakers,
        )
        self.levels: list[Level] = list(r.levels)
        # Per keywords/cooccur rule, the terms that name a practice (breadth counts these):
        # a keywords matcher's terms, a cooccur's last group (the others name actor or context).
        self.practices = {
            rule.id: {t.term for t in (rule.spec.groups[-1] if rule.spec.type == "cooccur" else rule.spec.terms)}
            for rule in every
            if rule.spec.type in ("keywords", "cooccur")
        }
        sc = r.scoring
        self.directive = regex.compile(sc.directive_pattern) if sc.directive_pattern else None

    def analyze(self, text: str) -> Analysis:
        seg = segment(text)
        hits, blocks = self.lexicon.scan(seg)
        return Analysis(seg, hits, blocks)

    # -- scoring ---------------------------------------------------------------

    def sentence_factors(self, a: Analysis) -> list[float]:
        """How much each sentence may count, 0–1.

        0 for a sentence seen before, for a keyword list (terms cover most of it)
        and for a template seen before (the same words around different terms:
        加强党建。加强志愿服务。…); short sentences count in proportion to their
        prose; headings count half.
        """
        sc = self.rubric.scoring
        text = a.text
        factors = []
        templates: set[str] = set()
        directed = None  # the paragraph in which a directive to others was found
        for sent, hits in zip(a.seg.sentences, a.hits):
            if sent.duplicate_of is not None:
                factors.append(0.0)
                continue
            content = len(_CONTENT.findall(sent.text))
            merged = _merged(hits)
            covered = sum(e - s for s, e in merged)  # rubric terms are Chinese: content characters
            if content == 0 or covered / content > sc.max_term_density:
                factors.append(0.0)
                continue
            if merged:
                pieces, pos = [], sent.start
                for s, e in merged:
                    pieces.append(text[pos:s])
                    pos = e
                pieces.append(text[pos : sent.end])
                template = _PUNCT_OR_SPACE.sub("", "□".join(pieces))
                if template in templates:
                    factors.append(0.0)
                    continue
                templates.add(template)
            f = min(1.0, (content - covered) / sc.min_prose_chars) if sc.min_prose_chars else 1.0
            # A sentence that directs or exhorts others weighs `directive_weight`.
            if self.directive is not None and (
                sent.paragraph == directed or self.directive.search(sent.text, timeout=PATTERN_TIMEOUT_S)
            ):
                # A directive runs to the end of its paragraph (一是要…。…。二是要…。).
                directed = sent.paragraph
                f *= sc.directive_weight
            factors.append(f * (HEADING_WEIGHT if sent.is_heading else 1.0))
        return factors

    def level_for(self, satisfaction: float) -> Level:
        for lv in self.levels:
            if satisfaction >= lv.min - 1e-9:
                return lv
        return self.levels[-1]

    def judge(self, rules: list[Rule], points: float, a: Analysis, factors: list[float]) -> Judged:
        decay = self.rubric.scoring.decay
        sentences = a.seg.sentences
        evidence: dict[int, tuple[list[str], list, list[float]]] = {}
        weighted_sat = 0.0
        total_weight = 0.0
        missing = []
        sc = self.rubric.scoring
        for rule in rules:
            hits: list[RuleHit] = [h for h in rule.evaluate(a) if factors[h.sentence] > 0]
            practices = self.practices.get(rule.id)
            if sc.breadth_bonus and practices:
                # One sentence that names several distinct practices of a matcher (开展了A、B、C)
                # is stronger evidence than one naming a single practice.
                for h in hits:
                    extra = len({s.term for s in h.spans if s.term in practices}) - 1
                    if extra > 0:
                        h.weight *= min(sc.breadth_cap, 1 + sc.breadth_bonus * extra)
            weights = sorted((h.weight * factors[h.sentence] for h in hits), reverse=True)
            strength = sum(w * decay**k for k, w in enumerate(weights))
            sat = min(1.0, strength / rule.spec.need)
            weighted_sat += sat * rule.spec.weight
            total_weight += rule.spec.weight
            if sat < 1.0:
                missing.append(rule.label if sat == 0 else f"{rule.label}（证据不足）")
            for h in hits:
                notes, spans, weights_here = evidence.setdefault(h.sentence, ([], [], []))
                notes.append(f"{rule.spec.type}「{rule.label}」: {h.note}")
                spans.extend(h.spans)
                weights_here.append(h.weight * factors[h.sentence])
        satisfaction = weighted_sat / total_weight if total_weight else 0.0
        level = self.level_for(satisfaction)
        items = []
        for si in sorted(evidence):
            sent = sentences[si]
            notes, spans, weights_here = evidence[si]
            uniq = sorted({(s.start, s.end, s.term) for s in spans})
            # model_construct: these values come from the engine itself, not from input.
            items.append(
                Evidence.model_construct(
                    text=sent.text,
                    start=sent.start,
                    end=sent.end,
                    rule="；".join(dict.fromkeys(notes)),
                    paragraph=sent.paragraph,
                    weight=round(max(weights_here), 3),
                    terms=[Span.model_construct(text=a.text[s:e], start=s, end=e, term=t) for s, e, t in uniq],
                )
            )
        return Judged(round(points * level.share, 1), level.id, round(satisfaction, 3), items, missing)

    def score(self, a: Analysis):
        r = self.rubric
        factors = self.sentence_factors(a)
        dimensions = []
        for d in r.dimensions:
            crits = []
            for c in d.criteria:
                j = self.judge(self.criterion_rules[c.id], c.points, a, factors)
                crits.append(
                    CriterionResult(
                        id=c.id, name=c.name, score=j.score, max=c.points, level=j.level,
                        satisfaction=j.satisfaction, evidence=j.evidence, missing=j.missing, hint=c.hint,
                    )
                )
            dimensions.append(
                DimensionResult(
                    id=d.id, name=d.name, score=round(sum(c.score for c in crits), 1), max=d.points, criteria=crits
                )
            )
        bonus_items = []
        for b in r.bonus.items:
            j = self.judge(self.bonus_rules[b.id], b.points, a, factors)
            bonus_items.append(
                CriterionResult(
                    id=b.id, name=b.name, score=j.score, max=b.points, level=j.level,
                    satisfaction=j.satisfaction, evidence=j.evidence, missing=j.missing, hint=b.hint,
                )
            )
        bonus = BonusResult(
            name=r.bonus.name,
            score=round(min(r.bonus.max, sum(i.score for i in bonus_items)), 1),
            max=r.bonus.max,
            items=bonus_items,
        )
        vetoes = []
        for v in r.vetoes:
            seen = set()
            for rule in self.veto_rules[v.id]:
                for h in sorted(rule.evaluate(a), key=lambda h: h.sentence):
                    sent = a.seg.sentences[h.sentence]
                    if h.sentence in seen or sent.duplicate_of is not None:
                        continue
                    seen.add(h.sentence)
                    vetoes.append(
                        VetoHit(id=v.id, name=v.name, text=sent.text, start=sent.start, end=sent.end,
                                rule=f"{rule.spec.type}「{rule.label}」: {h.note}")
                    )
        base = round(sum(d.score for d in dimensions), 1)
        total = round(base + bonus.score, 1)
        if vetoes:
            grade = r.veto_grade
        else:
            grade = next(g.name for g in r.grades if total >= g.min - 1e-9)
        return dimensions, bonus, vetoes, base, total, grade
