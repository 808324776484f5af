"""The result schema. `--json` output, the PDF scorecard and the results store all
read these models; nothing is assembled by hand.

Every `start`/`end` indexes `ScoreResult.text`, the normalized text of the
submission: `result.text[e.start:e.end] == e.text` for every span.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# How a grade is shown. The rubric gives each grade a tier; renderers colour by tier only.
Tier = Literal["excellent", "good", "pass", "fail", "veto"]
TIER_CLASS = {"excellent": "grade-top", "good": "grade-ok", "pass": "grade-ok", "fail": "grade-fail", "veto": "grade-fail"}
TIER_STYLE = {"excellent": "bold green", "good": "green", "pass": "bold", "fail": "bold red", "veto": "bold red"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class Span(_Model):
    """A matched term inside an evidence sentence."""

    text: str
    start: int
    end: int
    term: str = Field(description="The rubric term credited (the canonical term when a synonym matched).")


class Match(_Model):
    """One rule's match in an evidence sentence: which rule, of which type, on which terms."""

    rule: str = Field(description="The rule id: `<criterion, bonus item or veto id>#<matcher number>`, or "
                      "`<item id>#judge` for the sentence judge's verdict (type `judge`, `value` its probability).")
    type: str = Field(description="The matcher type (keywords, cooccur, …).")
    label: str = Field(description="The matcher's label in the rubric.")
    terms: list[Span] = Field(default_factory=list, description="What it matched, with offsets into the text.")
    value: float | None = Field(default=None, description="A quantity's value as counted (per year when converted).")
    note: str = Field(default="", description="For display only: the match in a few words.")

    def describe(self) -> str:
        """The one-line prose form shown to people: `type「label」: note`."""
        return f"{self.type}「{self.label}」: {self.note}"


STATUS_CN = {"absent": "未体现", "insufficient": "不足"}


class Missing(_Model):
    """Something a criterion asks for that the report does not show (enough)."""

    label: str
    status: Literal["absent", "insufficient"]
    rule: str = ""

    @property
    def status_cn(self) -> str:
        return STATUS_CN.get(self.status, "未体现")

    def describe(self) -> str:
        return self.label if self.status == "absent" else f"{self.label}（证据不足）"


class Evidence(_Model):
    """A sentence that earned points, and the matches that earned them."""

    text: str
    start: int
    end: int
    matches: list[Match] = Field(default_factory=list)
    paragraph: int = Field(description="1-based paragraph number in the normalized text.")
    weight: float = Field(
        default=1.0, description="What this sentence contributed: its best term weight after the repeat and prose factors."
    )
    terms: list[Span] = Field(default_factory=list)
    specificity: float = Field(
        default=0.0,
        description="0–1: how concrete the sentence is (a count or amount, a named document or activity).",
    )

    probability: float | None = Field(
        default=None,
        description="The sentence judge's probability that a reviewer accepts this sentence as this unit's own "
        "evidence for the item (None when the rubric has no judge).",
    )
    discounts: list[str] = Field(
        default_factory=list,
        description="Its marks for this item: ids of the rubric's `scoring.marks` (named `discounts` here, as ever) that matched it (a "
        "directive, a plan, award news …; each weighs what the rubric says, possibly nothing less), `mention` "
        "when it only names the item without reporting anything done, `fit` when it fits other items better. "
        "`RubricInfo.discounts` gives each id's reason. Shown quotes put marked sentences last.",
    )

    @property
    def key(self) -> str:
        """The sentence's offsets as one key ("start-end"): how pages and forms name a quote."""
        return f"{self.start}-{self.end}"

    @property
    def added(self) -> bool:
        """A reviewer added this sentence as evidence (评审补充); the machine did not propose it."""
        return any(m.type == REVIEW_MATCH for m in self.matches)

    def why(self, reasons: dict[str, str]) -> str:
        """What its marks say for this item, from the rubric's reasons (`RubricInfo.discounts`)."""
        return "；".join(reasons.get(d, d) for d in self.discounts)

    def terms_shown(self) -> list[Span]:
        """Every term it matched (its own and its matches'), once each, in reading order."""
        seen = {(t.start, t.end, t.term): t for t in [*self.terms, *(t for m in self.matches for t in m.terms)]}
        return [seen[k] for k in sorted(seen)]

    @property
    def rank(self) -> float:
        """What orders quotes: the weight it earned, raised by how concrete it is (a count
        beats a slogan that happens to hold more keywords), halved when it carries a mark
        (a directive, award news, a mere mention …): a quote should show the item's practice."""
        if self.probability is not None:
            return self.probability * (0.8 + 0.2 * self.specificity)
        return self.weight * (0.3 + self.specificity) * (0.5 if self.discounts else 1.0)


SHOWN_QUOTES = 2
# How many of a criterion's weaker (unquoted) evidence sentences the workbench lists for review.
WEAKER_LISTED = 3
# The match type of a sentence a reviewer added as evidence (评审补充).
REVIEW_MATCH = "review"


class CriterionResult(_Model):
    id: str
    name: str
    score: float
    max: float
    level: str
    satisfaction: float = Field(description="0–1: how much of what the criterion asks for was found.")
    evidence: list[Evidence] = Field(default_factory=list)
    missing: list[Missing] = Field(default_factory=list)
    hint: str = ""
    quote_min: float = Field(
        default=0.0, description="The judge's probability a sentence needs to be shown as a quote (the rubric's judge.show)."
    )
    considered: int = Field(
        default=0,
        description="Sentences the item's matchers proposed that the judge did not accept as evidence (a count, so a "
        "reader knows the material touches the item; never shown as evidence).",
    )

    def shown(self, n: int = SHOWN_QUOTES) -> list[Evidence]:
        """The quotes a reader is shown for this criterion: its n best-ranked, in reading order.
        Every front end (scorecard, screen, workbench, eval) shows these. A criterion that
        earned nothing shows none: a sentence too weak to earn a point is not its evidence;
        nor is a sentence the judge finds less likely than `quote_min`."""
        if self.score <= 0:
            return []
        best = sorted(self.quotable(), key=lambda e: (-e.rank, e.start))[:n]
        return sorted(best, key=lambda e: e.start)

    def quotable(self) -> list[Evidence]:
        """Every sentence likely enough to be shown as a quote, in reading order (a judged item's
        weaker evidence counts but is never quoted). The workbench lists these for review."""
        likely = [e for e in self.evidence if e.probability is None or e.probability >= self.quote_min]
        return sorted(likely, key=lambda e: (e.start, e.end))

    def weaker(self, n: int = WEAKER_LISTED) -> list[Evidence]:
        """The judged evidence too weak to quote (probability under `quote_min`): it counts toward
        the level at its probability but is never a quote. The `n` most likely, in reading order,
        for a reviewer to confirm or leave (the workbench lists them where nothing is quotable)."""
        weak = [e for e in self.evidence if e.probability is not None and e.probability < self.quote_min]
        best = sorted(weak, key=lambda e: (-e.probability, e.start))[:n]
        return sorted(best, key=lambda e: (e.start, e.end))

    @property
    def absent(self) -> list[Missing]:
        """What the material does not show at all (未体现)."""
        return [m for m in self.missing if m.status == "absent"]

    @property
    def insufficient(self) -> list[Missing]:
        """What it shows, but not enough of (证据不足): never listed as 未体现."""
        return [m for m in self.missing if m.status == "insufficient"]


class DimensionResult(_Model):
    id: str
    name: str
    score: float
    max: float
    criteria: list[CriterionResult]


class BonusResult(_Model):
    id: str = Field(default="bonus", description="The rubric's bonus.id: the section's key beside the dimensions'.")
    name: str
    score: float
    max: float
    items: list[CriterionResult] = Field(default_factory=list)


class VetoHit(_Model):
    id: str
    name: str
    text: str
    start: int
    end: int
    match: Match | None = None

    def basis(self) -> str:
        """What raised it, in one line for a reviewer: a rule, or the learned veto judgement with
        its probability and the terms it read (rule `<veto id>#judge`)."""
        m = self.match
        if m is None:
            return ""
        if m.type == "judge":
            terms = "、".join(dict.fromkeys(t.text for t in m.terms))
            return f"句子判定提出，可信度 {m.value or 0:.2f}" + (f"（{terms}）" if terms else "")
        return f"规则「{m.label}」" + (f"：{m.note}" if m.note else "")


class SubmissionInfo(_Model):
    path: str
    sha256: str
    chars: int
    bytes: int = 0
    format: str = "txt"
    title: str | None = None
    unit: str | None = None
    date: str | None = None
    author: str | None = None
    hidden_chars: int = Field(default=0, description="Characters hidden from a reader (CSS, w:vanish, invisible PDF text), not scored.")


class MaterialVerdict(_Model):
    """Whether the text reads as one unit's own civilization-unit material (the judge file's material
    judgement, scorer.judge.material). A flagged text earns nothing from the judged items."""

    probability: float = Field(description="How likely the text is not a unit's own material (a city's plan, a "
                               "name list, a commentary, a report to the 人大 …), as the judgement learned it.")
    threshold: float = Field(description="The probability at which a text is flagged.")
    flagged: bool = Field(description="At or over the threshold: no judged item earns points or shows a quote.")
    scale: float = Field(default=1.0, description="What every judged probability of the text was multiplied by: 0 "
                         "when flagged; under 1 when the probability lies between the rubric's `judge.material_from` "
                         "and the threshold (the less the text reads as a unit's own, the less its sentences count).")
    start: float | None = Field(default=None, description="The rubric's `judge.material_from`, where the scaling "
                                "starts (None: only a flagged text is affected).")


class JudgeInfo(_Model):
    """The sentence judge a result was scored with: shown on every result and scorecard."""

    version: str
    sha256: str = Field(description="The judge file's sha256.")
    rubric_sha256: str = Field(description="The sha256 of the rubric it was trained for.")
    training_sha256: str = Field(description="The sha256 of the annotations it was trained on.")
    stale: bool = Field(default=False, description="The rubric changed since the judge was trained (civscore train).")
    figures: dict[str, float] = Field(default_factory=dict, description="Its cross-validated figures at training.")


class LevelInfo(_Model):
    """One of the rubric's levels (状态描述法): reached at `min` satisfaction, worth `share` of the points."""

    id: str
    share: float
    min: float
    label: str = ""


class GradeInfo(_Model):
    """One of the rubric's grade bands: a total at `min` or above earns it (the best band first)."""

    name: str
    min: float
    tier: Tier = "pass"


class JudgeRule(_Model):
    """How the judge's verdicts become a level (the rubric's judge settings): a sentence at `accept`
    is evidence, weighing its probability times (plain + (1 - plain) × specificity); the k-th best
    weighs decay**k; `need` fills the item. `show`: the probability a quote needs to be shown."""

    accept: float
    show: float
    need: float
    decay: float
    plain: float


class RubricInfo(_Model):
    id: str
    version: str
    sha256: str
    title: str = ""
    path: str = ""
    matchers: list[str] = Field(default_factory=list, description="The matcher types the rubric uses.")
    grade_note: str = Field(default="", description="What a grade judges (the rubric's grade_note).")
    chosen_by: str = Field(
        default="", description="Why this rubric, when civscore chose it by unit kind (empty when the user named it)."
    )
    discounts: dict[str, str] = Field(
        default_factory=dict, description="Each mark id (scoring.marks, mention, fit) an evidence sentence may "
        "carry, with its reason."
    )
    judge: JudgeInfo | None = Field(default=None, description="The learned sentence judge, when the rubric has one.")
    levels: list[LevelInfo] = Field(
        default_factory=list, description="The rubric's levels, best first: what a satisfaction earns."
    )
    grades: list[GradeInfo] = Field(default_factory=list, description="The rubric's grade bands, best first.")
    veto_grade: str = Field(default="", description="The grade of a result with a veto standing.")
    judge_rule: JudgeRule | None = Field(
        default=None, description="How the judge's verdicts become a level (with a judge only)."
    )

    @property
    def level_ids(self) -> list[str]:
        """The level ids, best first: what a criterion's level is one of, and how renderers rank it."""
        return [lv.id for lv in self.levels]

    @property
    def has_tables(self) -> bool:
        """Does it carry what a review's recompute needs (results stored before it did not)?"""
        return bool(self.levels and self.grades and self.veto_grade)


class ScoreResult(_Model):
    submission: SubmissionInfo
    rubric: RubricInfo
    tool_version: str
    total: float
    base: float = Field(description="Sum of the dimension scores, before the bonus.")
    max_total: float
    max_base: float
    grade: str
    tier: Tier = Field(default="pass", description="The grade's tier: what renderers colour by.")
    vetoed: bool
    dimensions: list[DimensionResult]
    bonus: BonusResult
    vetoes: list[VetoHit] = Field(default_factory=list)
    text: str
    material: MaterialVerdict | None = Field(
        default=None, description="Whether the text reads as a unit's own material at all (None: not judged).")

    @property
    def shown_tier(self) -> str:
        """The tier renderers colour the grade by (a vetoed result is always `veto`)."""
        return "veto" if self.vetoed else self.tier

    @property
    def grade_style(self) -> str:
        """The grade's style on screen (rich), from its tier."""
        return TIER_STYLE[self.shown_tier]

    def criteria(self) -> list[CriterionResult]:
        """Every criterion, dimensions in order, then the bonus items."""
        return [c for d in self.dimensions for c in d.criteria] + list(self.bonus.items)

    def criterion(self, crit_id: str) -> CriterionResult | None:
        return next((c for c in self.criteria() if c.id == crit_id), None)

    def dimension(self, dim_id: str) -> DimensionResult:
        for d in self.dimensions:
            if d.id == dim_id:
                return d
        raise KeyError(dim_id)


# -- the arithmetic ---------------------------------------------------------------------------
# Criterion → level → points, dimensions, bonus, total and grade: the engine (scorer.score) and a
# review's recompute (scorer.review) both call these, and nothing else adds points up.


def level_for(levels: list, satisfaction: float):
    """The best of the rubric's levels (best first) that `satisfaction` reaches."""
    for lv in levels:
        if satisfaction >= lv.min - 1e-9:
            return lv
    return levels[-1]


def judged_satisfaction(weights: list[float], rule) -> float:
    """An item's satisfaction from its evidence sentences' weights (any order): the k-th best
    weighs decay**k, and `need` fills the item."""
    ordered = sorted(weights, reverse=True)
    strength = sum(w * rule.decay**k for k, w in enumerate(ordered))
    return min(1.0, strength / rule.need)


def judged_weight(probability: float, specificity: float, rule) -> float:
    """What one evidence sentence weighs: its probability, times how concrete it is."""
    return probability * (rule.plain + (1 - rule.plain) * specificity)


def total_for(max_total: float, base: float, bonus: float) -> float:
    """The total of a base and a bonus score: the bonus adds, the total never passes the base points."""
    return round(min(max_total, base + bonus), 1)


def grade_for(grades: list, veto_grade: str, total: float, vetoed: bool) -> tuple[str, str]:
    """(grade name, tier) for a total, as the bands (best first) say; a standing veto decides alone."""
    if vetoed:
        return veto_grade, "veto"
    g = next((g for g in grades if total >= g.min - 1e-9), grades[-1])
    return g.name, g.tier or "pass"


def tallied(*, submission: SubmissionInfo, rubric: RubricInfo, tool_version: str, text: str,
            dimensions: list[tuple[str, str, float, list[CriterionResult]]], bonus_name: str, bonus_max: float,
            bonus_id: str,
            bonus_items: list[CriterionResult], vetoes: list[VetoHit], vetoed: bool,
            max_total: float, max_base: float, material: MaterialVerdict | None = None) -> ScoreResult:
    """The one place criteria are added up: dimension subtotals, the bonus (capped), the base, the
    total and its grade. `dimensions`: (id, name, max, criteria) each."""
    dims = [DimensionResult.model_construct(id=i, name=n, score=round(sum(c.score for c in cs), 1), max=m, criteria=cs)
            for i, n, m, cs in dimensions]
    bonus = BonusResult.model_construct(id=bonus_id, name=bonus_name, score=round(min(bonus_max, sum(c.score for c in bonus_items)), 1),
                                        max=bonus_max, items=bonus_items)
    base = round(sum(d.score for d in dims), 1)
    total = total_for(max_total, base, bonus.score)
    grade, tier = grade_for(rubric.grades, rubric.veto_grade, total, vetoed)
    return ScoreResult.model_construct(
        submission=submission, rubric=rubric, tool_version=tool_version,
        total=total, base=base, max_total=max_total, max_base=max_base,
        grade=grade, tier=tier, vetoed=vetoed,
        dimensions=dims, bonus=bonus, vetoes=vetoes, text=text, material=material,
    )
