"""Read evidence, missing items and criteria off a `ScoreResult`.

Every page and the reviewed scorecard read the result model through these helpers
only, so a change of the model (structured evidence matches, structured missing
items, grade tiers) is adapted here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from scorer.result import CriterionResult, ScoreResult


@dataclass(frozen=True)
class Term:
    start: int
    end: int
    term: str


@dataclass(frozen=True)
class Quote:
    """One evidence sentence: offsets into `result.text`."""

    start: int
    end: int
    text: str
    paragraph: int
    rule: str
    weight: float
    terms: tuple[Term, ...] = field(default_factory=tuple)

    @property
    def key(self) -> str:
        return f"{self.start}-{self.end}"


@dataclass(frozen=True)
class Missing:
    label: str
    kind: str  # "absent" | "insufficient"

    @property
    def kind_cn(self) -> str:
        return "不足" if self.kind == "insufficient" else "未体现"


@dataclass(frozen=True)
class CriterionRef:
    """A criterion with where it sits: a dimension or the bonus section."""

    section_id: str
    section_name: str
    is_bonus: bool
    item: CriterionResult


def quotes(c: CriterionResult) -> list[Quote]:
    """The criterion's evidence sentences in reading order."""
    out = []
    for e in sorted(c.evidence, key=lambda e: (e.start, e.end)):
        terms = getattr(e, "terms", None) or []
        # The coming model carries `matches`, each with its own terms.
        for m in getattr(e, "matches", None) or []:
            terms = [*terms, *(getattr(m, "terms", None) or [])]
        rule = getattr(e, "rule", "") or ", ".join(
            str(getattr(m, "rule", "") or getattr(m, "label", "")) for m in getattr(e, "matches", None) or []
        )
        out.append(
            Quote(
                start=e.start, end=e.end, text=e.text, paragraph=getattr(e, "paragraph", 0) or 0, rule=rule,
                weight=float(getattr(e, "weight", 1.0)),
                terms=tuple(Term(t.start, t.end, getattr(t, "term", t.text)) for t in terms),
            )
        )
    return out


def missing_items(c: CriterionResult) -> list[Missing]:
    """What the criterion lacks. Plain strings today (all 'absent'); {label, kind} tomorrow."""
    out = []
    for m in c.missing:
        if isinstance(m, str):
            out.append(Missing(m, "absent"))
        elif isinstance(m, dict):
            out.append(Missing(str(m.get("label", "")), str(m.get("kind", "absent"))))
        else:
            out.append(Missing(str(getattr(m, "label", m)), str(getattr(m, "kind", "absent"))))
    return out


def criteria(result: ScoreResult) -> Iterator[CriterionRef]:
    """Every criterion, dimensions in order, then the bonus items."""
    for d in result.dimensions:
        for c in d.criteria:
            yield CriterionRef(d.id, d.name, False, c)
    for c in result.bonus.items:
        yield CriterionRef("bonus", result.bonus.name, True, c)


def find_criterion(result: ScoreResult, crit_id: str) -> CriterionRef | None:
    for ref in criteria(result):
        if ref.item.id == crit_id:
            return ref
    return None


def veto_key(v) -> str:
    """A stable key for one veto hit (the same item can be hit in several sentences)."""
    return f"{v.id}@{v.start}-{v.end}"


def tier(result: ScoreResult) -> str:
    """excellent/good/pass/fail/veto: the model's own once grades carry it; inferred until then."""
    t = getattr(result, "tier", None) or getattr(getattr(result, "grade", None), "tier", None)
    if t:
        return str(t)
    return grade_tier(result.grade, result.vetoed)


def grade_tier(grade: str, vetoed: bool) -> str:
    if vetoed:
        return "veto"
    if "优秀" in grade:
        return "excellent"
    if "良好" in grade:
        return "good"
    if "不合格" in grade or "不达标" in grade:
        return "fail"
    return "pass"


def grade_name(result: ScoreResult) -> str:
    g = result.grade
    return g if isinstance(g, str) else str(getattr(g, "name", g))
