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


class Missing(_Model):
    """Something a criterion asks for that the report does not show (enough)."""

    label: str
    status: Literal["absent", "insufficient"]
    rule: str = ""

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
    def rank(self) -> float:
        """What orders quotes: the weight it earned, raised by how concrete it is (a count
        beats a slogan that happens to hold more keywords), halved when it carries a mark
        (a directive, award news, a mere mention …): a quote should show the item's practice."""
        if self.probability is not None:
            return self.probability * (0.8 + 0.2 * self.specificity)
        return self.weight * (0.3 + self.specificity) * (0.5 if self.discounts else 1.0)


SHOWN_QUOTES = 2


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
        likely = [e for e in self.evidence if e.probability is None or e.probability >= self.quote_min]
        best = sorted(likely, key=lambda e: (-e.rank, e.start))[:n]
        return sorted(best, key=lambda e: e.start)

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


class JudgeInfo(_Model):
    """The sentence judge a result was scored with: shown on every result and scorecard."""

    version: str
    sha256: str = Field(description="The judge file's sha256.")
    rubric_sha256: str = Field(description="The sha256 of the rubric it was trained for.")
    training_sha256: str = Field(description="The sha256 of the annotations it was trained on.")
    stale: bool = Field(default=False, description="The rubric changed since the judge was trained (civscore train).")
    figures: dict[str, float] = Field(default_factory=dict, description="Its cross-validated figures at training.")


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
    levels: list[str] = Field(
        default_factory=list, description="The rubric's level ids, best first (its levels table): what a "
        "criterion's level is one of, and how renderers rank it.",
    )
    judge: JudgeInfo | None = Field(default=None, description="The learned sentence judge, when the rubric has one.")


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

    @property
    def shown_tier(self) -> str:
        """The tier renderers colour the grade by (a vetoed result is always `veto`)."""
        return "veto" if self.vetoed else self.tier

    @property
    def grade_style(self) -> str:
        """The grade's style on screen (rich), from its tier."""
        return TIER_STYLE[self.shown_tier]

    def dimension(self, dim_id: str) -> DimensionResult:
        for d in self.dimensions:
            if d.id == dim_id:
                return d
        raise KeyError(dim_id)
