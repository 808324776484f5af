"""Read evidence, missing items and criteria off a `ScoreResult`.

Every page and the reviewed scorecard read the result model through these helpers
only: the structured evidence (`Evidence.matches`, each naming its rule id, matcher
type, label and the terms it matched with offsets), the structured missing items
(`Missing.label`, `.status` absent|insufficient, `.rule`) and the grade's tier.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from scorer.result import CriterionResult, ScoreResult, Span

STATUS_CN = {"absent": "未体现", "insufficient": "不足"}


@dataclass(frozen=True)
class Term:
    start: int
    end: int
    term: str


@dataclass(frozen=True)
class Rule:
    """One rule that matched in a quote: its id, matcher type and label (from the rubric)."""

    id: str
    type: str
    label: str
    note: str = ""

    def describe(self) -> str:
        return f"{self.type}「{self.label}」: {self.note}" if self.note else f"{self.type}「{self.label}」"


@dataclass(frozen=True)
class Quote:
    """One evidence sentence: offsets into `result.text`."""

    start: int
    end: int
    text: str
    paragraph: int
    weight: float
    rules: tuple[Rule, ...] = field(default_factory=tuple)
    terms: tuple[Term, ...] = field(default_factory=tuple)
    why: str = ""  # what its marks say for this item (the rubric's reasons), "" when it has none
    probability: float | None = None  # the sentence judge's, when the rubric has one

    @property
    def key(self) -> str:
        return f"{self.start}-{self.end}"

    @property
    def rule(self) -> str:
        """The matching rules' ids, for a title or a log line."""
        return ", ".join(r.id for r in self.rules)


@dataclass(frozen=True)
class Missing:
    label: str
    status: str  # "absent" | "insufficient"
    rule: str = ""

    @property
    def status_cn(self) -> str:
        return STATUS_CN.get(self.status, "未体现")


@dataclass(frozen=True)
class CriterionRef:
    """A criterion with where it sits: a dimension or the bonus section."""

    section_id: str
    section_name: str
    is_bonus: bool
    item: CriterionResult


def _terms(spans: list[Span]) -> list[Term]:
    return [Term(t.start, t.end, t.term) for t in spans]


def quotes(c: CriterionResult, why: dict[str, str] | None = None) -> list[Quote]:
    """The criterion's evidence sentences in reading order, each with the rules that matched it
    and, from `why` (`ScoreResult.rubric.discounts`), the reasons it weighs less."""
    why = why or {}
    out = []
    # A judged item shows the sentences likely enough to quote (CriterionResult.quote_min), never a weak one.
    likely = [e for e in c.evidence if e.probability is None or e.probability >= c.quote_min]
    for e in sorted(likely, key=lambda e: (e.start, e.end)):
        terms = _terms(e.terms)
        for m in e.matches:
            terms += _terms(m.terms)
        unique = tuple(dict.fromkeys(terms))
        out.append(
            Quote(
                start=e.start, end=e.end, text=e.text, paragraph=e.paragraph, weight=float(e.weight),
                rules=tuple(Rule(m.rule, m.type, m.label, m.note) for m in e.matches),
                terms=tuple(sorted(unique, key=lambda t: (t.start, t.end))),
                why="；".join(why.get(d, d) for d in e.discounts),
                probability=e.probability,
            )
        )
    return out


def missing_items(c: CriterionResult) -> list[Missing]:
    """What the criterion lacks: absent, or present but not enough."""
    return [Missing(m.label, m.status, m.rule) for m in c.missing]


def criteria(result: ScoreResult) -> Iterator[CriterionRef]:
    """Every criterion, dimensions in order, then the bonus items."""
    for d in result.dimensions:
        for c in d.criteria:
            yield CriterionRef(d.id, d.name, False, c)
    for c in result.bonus.items:
        yield CriterionRef(result.bonus.id, result.bonus.name, True, c)


def find_criterion(result: ScoreResult, crit_id: str) -> CriterionRef | None:
    for ref in criteria(result):
        if ref.item.id == crit_id:
            return ref
    return None


def veto_key(v) -> str:
    """A stable key for one veto hit (the same item can be hit in several sentences)."""
    return f"{v.id}@{v.start}-{v.end}"


def tier(result: ScoreResult) -> str:
    """excellent/good/pass/fail/veto: what the machine's grade is coloured by."""
    return result.shown_tier


def grade_name(result: ScoreResult) -> str:
    return result.grade
