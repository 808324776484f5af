"""A review: the reviewers' decisions on one result, and the reviewed result they give.

The machine's proposal (a `ScoreResult`) is never changed. A `Review` is an overlay on it:
levels set with reasons, quotes struck from or added to a criterion's evidence, vetoes
dismissed, the opinion, who signed as 评审人 and 复核人 and when, and whether the
submission was withdrawn from its round. `reviewed_result(result, review)` lays the overlay
on the result and recomputes, by the engine's own rule and arithmetic (scorer.result), the
reviewed `ScoreResult`; `Reviewed` holds both, side by side, for every front end (the
workbench, the signed scorecard, calibrate --from-reviews).

How a criterion is re-levelled (a judged criterion: its evidence carries the judge's
probabilities, and `RubricInfo.judge_rule` says how they become a level):
  * a struck sentence is no longer evidence (the reviewer's verdict: probability 0);
  * when every quote of a criterion is struck and nothing is added, it has no evidence
    left: the weaker sentences that were never shown do not carry it either;
  * an added sentence is evidence the reviewer accepted (probability 1), weighed like any
    other evidence sentence: by how concrete it is, by its rank among the criterion's
    evidence (the k-th best weighs decay**k), against what fills the item, cut by the
    rubric's levels. It takes the place of any evidence sentence it overlaps;
  * a level the reviewer sets stands over all of this.
A criterion scored by its matchers alone (a rubric without a judge) cannot be re-weighed
from the result: striking every quote leaves it no evidence (its lowest level); otherwise
its level is the machine's until the reviewer sets one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from .result import (
    REVIEW_MATCH,
    CriterionResult,
    Evidence,
    Match,
    ScoreResult,
    judged_satisfaction,
    judged_weight,
    level_for,
    tallied,
)

MAX_REASON = 500
MAX_OPINION = 4000
MAX_QUOTE = 600
REVIEWED_PROBABILITY = 1.0  # an added sentence: the reviewer accepted it


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


class Review(_M):
    """The reviewers' decisions on one result: the one model of a review (stored as JSON by the
    workbench, as it always was)."""

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

    def rescores(self) -> bool:
        """Does it change any points (a level, a quote, a veto)?"""
        return bool(self.levels or any(self.struck.values()) or any(self.added.values()) or self.vetoes_dismissed)

    def is_struck(self, crit_id: str, start: int, end: int) -> bool:
        return any(q.start == start and q.end == end for q in self.struck.get(crit_id, []))


def veto_key(v) -> str:
    """A stable key for one veto hit (the same item can be hit in several sentences)."""
    return f"{v.id}@{v.start}-{v.end}"


def _paragraph(text: str, start: int) -> int:
    """The 1-based paragraph of offset `start`, counted as the segmenter counts (blank lines are none)."""
    return sum(1 for p in text[:start].split("\n")[:-1] if p.strip()) + 1


def added_evidence(result: ScoreResult, crit_id: str, q: QuoteMark) -> Evidence:
    """A sentence a reviewer added to a criterion's evidence, as the engine shows evidence."""
    from .similarity import specificity

    text = result.text[q.start:q.end]
    note = q.reason or "评审人补充的依据"
    return Evidence(
        text=text, start=q.start, end=q.end, paragraph=_paragraph(result.text, q.start), weight=REVIEWED_PROBABILITY,
        matches=[Match(rule=f"{crit_id}#review", type=REVIEW_MATCH, label="评审补充", note=note)],
        specificity=specificity(text), probability=REVIEWED_PROBABILITY,
    )


def _overlaps(e: Evidence, spans: list[tuple[int, int]]) -> bool:
    return any(e.start < b and a < e.end for a, b in spans)


def relevelled(result: ScoreResult, c: CriterionResult, review: Review) -> CriterionResult:
    """One criterion under the review's decisions (see the module's docstring)."""
    struck = {(q.start, q.end) for q in review.struck.get(c.id, [])}
    added = review.added.get(c.id, [])
    decision = review.levels.get(c.id)
    if not struck and not added and decision is None:
        return c
    info = result.rubric
    levels = info.levels
    update: dict = {}
    if struck or added:
        kept = [e for e in c.evidence if (e.start, e.end) not in struck]
        spans = [(q.start, q.end) for q in added]
        kept = [e for e in kept if not _overlaps(e, spans)]
        quoted_left = [e for e in kept if e.probability is None or e.probability >= c.quote_min]
        if not quoted_left and not added:
            kept = []  # every quote struck: nothing the reviewer saw is left to carry it
        evidence = sorted(kept + [added_evidence(result, c.id, q) for q in added], key=lambda e: (e.start, e.end))
        update["evidence"] = evidence
        rule = info.judge_rule
        judged = rule is not None and c.quote_min > 0
        if judged:
            satisfaction = judged_satisfaction(
                [judged_weight(float(e.probability), e.specificity, rule) for e in evidence if e.probability is not None],
                rule)
        elif not evidence:
            satisfaction = 0.0
        else:
            satisfaction = c.satisfaction  # the matchers' strength is not in the result: the machine's stands
        level = level_for(levels, satisfaction)
        update |= {"satisfaction": round(satisfaction, 3), "level": level.id, "score": round(c.max * level.share, 1)}
    if decision is not None:
        chosen = next((lv for lv in levels if lv.id == decision.level), None)
        if chosen is not None:
            update |= {"level": chosen.id, "score": round(c.max * chosen.share, 1)}
    return c.model_copy(update=update)


def reviewed_result(result: ScoreResult, review: Review) -> ScoreResult:
    """The result under the review: criteria re-levelled, then dimensions, bonus, total and grade
    by the engine's own arithmetic (scorer.result.tallied). The machine's result when the review
    changes no points. `result.rubric` must carry its tables (`has_tables`)."""
    if not review.rescores():
        return result
    if not result.rubric.has_tables:
        raise ValueError("the result does not carry the rubric's levels and grades (scorer.engine.with_tables)")
    vetoes = [v for v in result.vetoes if veto_key(v) not in review.vetoes_dismissed]
    return tallied(
        submission=result.submission, rubric=result.rubric, tool_version=result.tool_version, text=result.text,
        dimensions=[(d.id, d.name, d.max, [relevelled(result, c, review) for c in d.criteria]) for d in result.dimensions],
        bonus_id=result.bonus.id, bonus_name=result.bonus.name, bonus_max=result.bonus.max,
        bonus_items=[relevelled(result, c, review) for c in result.bonus.items],
        vetoes=vetoes, vetoed=bool(vetoes), max_total=result.max_total, max_base=result.max_base,
        material=result.material,
    )


# -- the view: machine and review side by side ---------------------------------------------


@dataclass
class CriterionReview:
    section_id: str
    section_name: str
    is_bonus: bool
    machine: CriterionResult
    reviewed: CriterionResult
    reason: str  # the reviewer's reason, when they set the level
    struck: list[QuoteMark]
    added: list[QuoteMark]

    @property
    def item(self) -> CriterionResult:
        """The criterion as the machine proposed it (its id, name, hint and evidence)."""
        return self.machine

    @property
    def level(self) -> str:
        return self.reviewed.level

    @property
    def score(self) -> float:
        return self.reviewed.score

    @property
    def machine_level(self) -> str:
        return self.machine.level

    @property
    def machine_score(self) -> float:
        return self.machine.score

    @property
    def changed(self) -> bool:
        return self.level != self.machine_level or abs(self.score - self.machine_score) > 1e-9

    @property
    def set_by_reviewer(self) -> bool:
        return bool(self.reason)

    @property
    def quotes(self) -> list[Evidence]:
        """The machine's quotes the reviewer judged (struck ones too), in reading order."""
        return self.machine.quotable()

    @property
    def weaker(self) -> list[Evidence]:
        """The machine's weaker evidence (never quoted) the reviewer has not added yet: listed only
        where the criterion has no quote, so its points are not left without a sentence to check."""
        if self.machine.quotable():
            return []
        added = {(q.start, q.end) for q in self.added}
        return [e for e in self.machine.weaker() if (e.start, e.end) not in added]

    def is_struck(self, e: Evidence) -> bool:
        return any(q.start == e.start and q.end == e.end for q in self.struck)

    def struck_reason(self, e: Evidence) -> str:
        return next((q.reason for q in self.struck if q.start == e.start and q.end == e.end), "")

    @property
    def missing(self):
        return self.reviewed.missing


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
    basis: str = ""  # what raised it (VetoHit.basis)


@dataclass(frozen=True)
class QuoteCorrection:
    criterion: str
    kind: str  # 删除 | 补充
    text: str
    reason: str


@dataclass
class Reviewed:
    """The machine's proposal and the reviewers' decision, side by side. `result` is the reviewed
    result (the machine's when the review changes no points); `machine`, the proposal."""

    machine: ScoreResult
    review: Review
    result: ScoreResult
    sections: list[SectionReview]  # the dimensions, then the bonus section
    vetoes: list[VetoReview]

    @property
    def state(self) -> Review:
        return self.review

    @property
    def total(self) -> float:
        return self.result.total

    @property
    def base(self) -> float:
        return self.result.base

    @property
    def bonus(self) -> float:
        return self.result.bonus.score

    @property
    def vetoed(self) -> bool:
        return self.result.vetoed

    @property
    def grade(self) -> str:
        return self.result.grade

    @property
    def tier(self) -> str:
        return self.result.shown_tier

    @property
    def machine_grade(self) -> str:
        return self.machine.grade

    @property
    def machine_tier(self) -> str:
        return self.machine.shown_tier

    @property
    def criteria(self) -> list[CriterionReview]:
        return [c for s in self.sections for c in s.criteria]

    def criterion(self, crit_id: str) -> CriterionReview | None:
        return next((c for c in self.criteria if c.machine.id == crit_id), None)

    @property
    def changes(self) -> list[CriterionReview]:
        return [c for c in self.criteria if c.changed]

    @property
    def total_changed(self) -> bool:
        return abs(self.total - self.machine.total) > 1e-9 or self.grade != self.machine.grade

    @property
    def dismissed_vetoes(self) -> list[VetoReview]:
        return [v for v in self.vetoes if v.dismissed is not None]

    @property
    def quote_corrections(self) -> list[QuoteCorrection]:
        out = []
        for c in self.criteria:
            out += [QuoteCorrection(c.machine.name, "删除", q.text, q.reason) for q in c.struck]
            out += [QuoteCorrection(c.machine.name, "补充", q.text, q.reason) for q in c.added]
        return out

    @property
    def levels(self) -> dict[str, str]:
        """criterion id → the level the reviewers settled on (the machine's where they let it stand)."""
        return {c.machine.id: c.level for c in self.criteria}

    @property
    def reasons(self) -> dict[str, str]:
        return {c.machine.id: c.reason for c in self.criteria if c.reason}


def reviewed(machine: ScoreResult, review: Review) -> Reviewed:
    """The one view of a reviewed submission, built from the result and the review."""
    result = reviewed_result(machine, review)
    sections: list[SectionReview] = []
    pairs = [(d, result.dimension(d.id)) for d in machine.dimensions]
    for (d, rd) in pairs:
        sections.append(SectionReview(d.id, d.name, d.max, d.score, rd.score))
    bonus = SectionReview(machine.bonus.id, machine.bonus.name, machine.bonus.max, machine.bonus.score, result.bonus.score,
                          is_bonus=True)
    sections.append(bonus)
    rows = [(s, mc, rc) for s, (d, rd) in zip(sections, pairs) for mc, rc in zip(d.criteria, rd.criteria)]
    rows += [(bonus, mc, rc) for mc, rc in zip(machine.bonus.items, result.bonus.items)]
    for s, mc, rc in rows:
        decision = review.levels.get(mc.id)
        s.criteria.append(CriterionReview(
            section_id=s.id, section_name=s.name, is_bonus=s is bonus, machine=mc, reviewed=rc,
            reason=decision.reason if decision is not None else "",
            struck=list(review.struck.get(mc.id, [])), added=list(review.added.get(mc.id, [])),
        ))
    vetoes = [VetoReview(veto_key(v), v.id, v.name, v.text, v.start, v.end, review.vetoes_dismissed.get(veto_key(v)),
                         v.basis())
              for v in machine.vetoes]
    return Reviewed(machine, review, result, sections, vetoes)
