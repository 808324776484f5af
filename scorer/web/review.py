"""The reviewer's decisions on one submission, and the reviewed score they give.

The machine's proposal (the `ScoreResult`) is never changed: a `ReviewState` holds
only what the reviewers decided, and `reviewed()` lays the two side by side.

Decisions:
  * a criterion's level set to another of the rubric's levels (A/B/C/D), with a
    required reason; its points become `points × share(level)`, as the engine does;
  * a quote struck from, or added to, a criterion's evidence (recorded and printed;
    the points follow the level, which is the reviewer's to set);
  * a veto hit dismissed as a misreading, with a reason;
  * the overall opinion (评审意见), and who signs as 评审人 and 复核人, with when. In
    login mode both are accounts: the 评审人 is whoever saved the opinion, the 复核人 a
    different account that confirmed it in their own session (a later change undoes the
    confirmation); on loopback without login they are typed names;
  * the submission withdrawn from the round (not a submission, uploaded by mistake), with
    a required reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from scorer.result import ScoreResult
from scorer.rubric.schema import Rubric

from . import evidence as ev

MAX_REASON = 500
MAX_OPINION = 4000
MAX_QUOTE = 600


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LevelDecision(_M):
    level: str
    reason: str


class QuoteMark(_M):
    start: int
    end: int
    text: str
    reason: str = ""


class ReviewState(_M):
    levels: dict[str, LevelDecision] = Field(default_factory=dict)
    struck: dict[str, list[QuoteMark]] = Field(default_factory=dict)
    added: dict[str, list[QuoteMark]] = Field(default_factory=dict)
    vetoes_dismissed: dict[str, str] = Field(default_factory=dict)
    opinion: str = ""
    reviewer: str = ""
    checker: str = ""
    reviewer_at: str = ""  # UTC, ISO: when the 评审人 signed (saved the opinion)
    checker_at: str = ""  # when the 复核人 confirmed
    # Why the submission was withdrawn from its round ("" while it is in): a withdrawn
    # item keeps its review and change log but leaves the ranking and the exports.
    withdrawn: str = ""

    def adjusted(self) -> bool:
        """Did a reviewer decide anything that the scorecard must show?"""
        return bool(
            self.levels or any(self.struck.values()) or any(self.added.values()) or self.vetoes_dismissed
            or self.opinion.strip() or self.reviewer.strip() or self.checker.strip()
        )

    def is_struck(self, crit_id: str, start: int, end: int) -> bool:
        return any(q.start == start and q.end == end for q in self.struck.get(crit_id, []))


@dataclass(frozen=True)
class RubricRules:
    """What the reviewed score needs from the rubric: level shares, grade bands (with the
    tier each is coloured by), veto grade."""

    shares: dict[str, float]
    grades: tuple[tuple[str, float, str], ...]  # (name, min, tier), highest first
    veto_grade: str
    rubric: Rubric  # its total_for and grade_for: the engine's own arithmetic, not a copy

    @classmethod
    def of(cls, rubric: Rubric) -> "RubricRules":
        return cls(
            shares={lv.id: lv.share for lv in rubric.levels},
            grades=tuple(sorted(((g.name, g.min, g.tier or "pass") for g in rubric.grades), key=lambda g: -g[1])),
            veto_grade=rubric.veto_grade,
            rubric=rubric,
        )

    def total_for(self, base: float, bonus: float) -> float:
        return self.rubric.total_for(base, bonus)

    def grade_for(self, total: float, vetoed: bool) -> tuple[str, str]:
        """(grade name, tier) for a reviewed total, as the rubric bands it."""
        return self.rubric.grade_for(total, vetoed)


@dataclass
class CriterionReview:
    ref: ev.CriterionRef
    machine_level: str
    machine_score: float
    level: str
    score: float
    reason: str
    quotes: list[ev.Quote]
    struck: list[QuoteMark]
    added: list[QuoteMark]
    missing: list[ev.Missing]

    @property
    def changed(self) -> bool:
        return self.level != self.machine_level

    @property
    def item(self):
        return self.ref.item


@dataclass
class SectionReview:
    id: str
    name: str
    max: float
    machine_score: float
    score: float
    criteria: list[CriterionReview] = field(default_factory=list)
    is_bonus: bool = False  # the rubric's bonus section (capped at its max), not a dimension


@dataclass
class VetoReview:
    key: str
    id: str
    name: str
    text: str
    start: int
    end: int
    dismissed: str | None  # the reason, when dismissed


@dataclass(frozen=True)
class QuoteCorrection:
    criterion: str
    kind: str  # 删除 | 补充
    text: str
    reason: str


@dataclass
class Reviewed:
    """The machine's proposal and the reviewers' decision, side by side."""

    result: ScoreResult
    state: ReviewState
    sections: list[SectionReview]  # dimensions, then the bonus section
    vetoes: list[VetoReview]
    base: float
    bonus: float
    total: float
    vetoed: bool
    grade: str
    tier: str  # excellent/good/pass/fail/veto: what the reviewed grade is coloured by

    @property
    def changes(self) -> list[CriterionReview]:
        return [c for s in self.sections for c in s.criteria if c.changed]

    @property
    def total_changed(self) -> bool:
        return abs(self.total - self.result.total) > 1e-9 or self.grade != ev.grade_name(self.result)

    @property
    def machine_grade(self) -> str:
        return ev.grade_name(self.result)

    @property
    def dismissed_vetoes(self) -> list[VetoReview]:
        return [v for v in self.vetoes if v.dismissed is not None]

    @property
    def quote_corrections(self) -> list[QuoteCorrection]:
        out = []
        for s in self.sections:
            for c in s.criteria:
                out += [QuoteCorrection(c.item.name, "删除", q.text, q.reason) for q in c.struck]
                out += [QuoteCorrection(c.item.name, "补充", q.text, q.reason) for q in c.added]
        return out

    @property
    def machine_tier(self) -> str:
        return ev.tier(self.result)


def reviewed(result: ScoreResult, state: ReviewState, rules: RubricRules) -> Reviewed:
    sections: dict[str, SectionReview] = {}
    for d in result.dimensions:
        sections[d.id] = SectionReview(d.id, d.name, d.max, d.score, d.score)
    bonus_id = result.bonus.id
    sections[bonus_id] = SectionReview(bonus_id, result.bonus.name, result.bonus.max, result.bonus.score,
                                       result.bonus.score, is_bonus=True)
    for ref in ev.criteria(result):
        c = ref.item
        decision = state.levels.get(c.id)
        level, score, reason = c.level, c.score, ""
        if decision is not None and decision.level != c.level:
            share = rules.shares.get(decision.level, 0.0)  # the rubric's level table (set_level checks the id)
            level, score, reason = decision.level, round(c.max * share, 1), decision.reason
        sections[ref.section_id].criteria.append(
            CriterionReview(
                ref=ref, machine_level=c.level, machine_score=c.score, level=level, score=score, reason=reason,
                quotes=ev.quotes(c, result.rubric.discounts), struck=list(state.struck.get(c.id, [])), added=list(state.added.get(c.id, [])),
                missing=ev.missing_items(c),
            )
        )
    for s in sections.values():
        if any(c.changed for c in s.criteria):
            total = sum(c.score for c in s.criteria)
            s.score = round(min(s.max, total) if s.is_bonus else total, 1)
    vetoes = [
        VetoReview(ev.veto_key(v), v.id, v.name, v.text, v.start, v.end, state.vetoes_dismissed.get(ev.veto_key(v)))
        for v in result.vetoes
    ]
    bonus = sections[bonus_id].score
    base = round(sum(s.score for s in sections.values() if not s.is_bonus), 1)
    total = rules.total_for(base, bonus)
    vetoed = any(v.dismissed is None for v in vetoes)
    if not state.levels and not state.vetoes_dismissed:
        base, total, vetoed, grade, tier = result.base, result.total, result.vetoed, ev.grade_name(result), ev.tier(result)
    else:
        grade, tier = rules.grade_for(total, vetoed)
    return Reviewed(result, state, list(sections.values()), vetoes, base, bonus, total, vetoed, grade, tier)

