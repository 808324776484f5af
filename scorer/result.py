"""The result schema. `--json` output, the PDF scorecard and the results store all
read these models; nothing is assembled by hand.

Every `start`/`end` indexes `ScoreResult.text`, the normalized text of the
submission: `result.text[e.start:e.end] == e.text` for every span.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Span(_Model):
    """A matched term inside an evidence sentence."""

    text: str
    start: int
    end: int
    term: str = Field(description="The rubric term credited (the canonical term when a synonym matched).")


class Evidence(_Model):
    """A sentence that earned points, and the rule that matched it."""

    text: str
    start: int
    end: int
    rule: str
    paragraph: int = Field(description="1-based paragraph number in the normalized text.")
    weight: float = Field(
        default=1.0, description="What this sentence contributed: its best term weight after the repeat and prose factors."
    )
    terms: list[Span] = Field(default_factory=list)


class CriterionResult(_Model):
    id: str
    name: str
    score: float
    max: float
    level: str
    satisfaction: float = Field(description="0–1: how much of what the criterion asks for was found.")
    evidence: list[Evidence] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    hint: str = ""


class DimensionResult(_Model):
    id: str
    name: str
    score: float
    max: float
    criteria: list[CriterionResult]


class BonusResult(_Model):
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
    rule: str = ""


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


class RubricInfo(_Model):
    id: str
    version: str
    sha256: str
    title: str = ""
    path: str = ""


class ScoreResult(_Model):
    submission: SubmissionInfo
    rubric: RubricInfo
    tool_version: str
    total: float
    base: float = Field(description="Sum of the dimension scores, before the bonus.")
    max_total: float
    max_base: float
    grade: str
    vetoed: bool
    dimensions: list[DimensionResult]
    bonus: BonusResult
    vetoes: list[VetoHit] = Field(default_factory=list)
    text: str

    def dimension(self, dim_id: str) -> DimensionResult:
        for d in self.dimensions:
            if d.id == dim_id:
                return d
        raise KeyError(dim_id)
