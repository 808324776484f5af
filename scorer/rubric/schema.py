"""The rubric schema: pydantic v2 models are the one source of truth for the YAML.

A rubric is data. Dimensions hold criteria; a criterion holds matchers, each of
which names what it evidences (`label`) and how much evidence saturates it
(`need`). Levels (状态描述法 A/B/C/D), grade bands, the bonus section and veto
items are data too; nothing in the code names a dimension or a keyword.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Term(_Strict):
    """A keyword with its synonyms. A match on a synonym credits the term."""

    term: str = Field(min_length=1)
    synonyms: list[str] = Field(default_factory=list)
    weight: float = Field(default=1.0, gt=0, le=3)

    @property
    def surfaces(self) -> list[str]:
        return [self.term, *self.synonyms]

    @field_validator("term", "synonyms")
    @classmethod
    def _no_blank(cls, v):
        items = [v] if isinstance(v, str) else v
        for s in items:
            if not s.strip():
                raise ValueError("empty term")
            if s != s.strip():
                raise ValueError(f"term {s!r} has leading or trailing spaces")
        return v


def _coerce_terms(v):
    """`[党建, {term: 志愿服务, synonyms: [...]}]`: a bare string is a term of weight 1."""
    if isinstance(v, list):
        return [{"term": t} if isinstance(t, str) else t for t in v]
    return v


TermList = Annotated[list[Term], Field(min_length=1)]


class _MatcherBase(_Strict):
    label: str = Field(min_length=1, description="What this evidences; listed as missing when absent.")
    need: float = Field(default=1.0, gt=0, description="Evidence strength that fully satisfies this matcher.")
    weight: float = Field(default=1.0, gt=0, description="Share of the criterion this matcher carries.")
    unless: list[str] = Field(
        default_factory=list, description="A hit inside one of these longer phrases is ignored (处分 in 处分条例)."
    )


class KeywordsMatcher(_MatcherBase):
    """Any of the terms in a sentence (word boundaries respected, negation honoured)."""

    type: Literal["keywords"]
    terms: TermList

    _coerce = field_validator("terms", mode="before")(_coerce_terms)


class CooccurMatcher(_MatcherBase):
    """One term from every group inside the same clause or sentence."""

    type: Literal["cooccur"]
    scope: Literal["clause", "sentence"] = "sentence"
    groups: list[TermList] = Field(min_length=2)

    @field_validator("groups", mode="before")
    @classmethod
    def _coerce_groups(cls, v):
        return [_coerce_terms(g) for g in v] if isinstance(v, list) else v


class QuantityMatcher(_MatcherBase):
    """A number with one of the units, near a context term, at or above a threshold.

    `per: year` converts 每月/每季度/每半年/每周 rates to a yearly figure.
    """

    type: Literal["quantity"]
    context: TermList
    units: list[str] = Field(min_length=1)
    min: float = Field(default=1, ge=0)
    per: Literal["total", "year"] = "total"
    scope: Literal["clause", "sentence"] = "clause"

    _coerce = field_validator("context", mode="before")(_coerce_terms)


class PatternMatcher(_MatcherBase):
    """A regular expression (the `regex` engine, run with a timeout)."""

    type: Literal["pattern"]
    pattern: str = Field(min_length=1)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v: str) -> str:
        import regex

        try:
            compiled = regex.compile(v)
        except regex.error as e:
            raise ValueError(f"pattern does not compile: {e}") from None
        if compiled.search("") is not None:
            raise ValueError("pattern matches the empty string")
        return v


Matcher = Annotated[
    Union[KeywordsMatcher, CooccurMatcher, QuantityMatcher, PatternMatcher],
    Field(discriminator="type"),
]


class Criterion(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_.]*$")
    name: str
    points: float = Field(gt=0)
    full: str = Field(description="What earns full credit.")
    partial: str = Field(default="", description="What earns partial credit.")
    hint: str = Field(default="", description="What the report should show to earn the points.")
    matchers: list[Matcher] = Field(min_length=1)


class Dimension(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    points: float = Field(gt=0)
    criteria: list[Criterion] = Field(min_length=1)

    @model_validator(mode="after")
    def _points_add_up(self):
        total = round(sum(c.points for c in self.criteria), 6)
        if abs(total - self.points) > 1e-6:
            raise ValueError(f"criteria points add up to {total:g}, not the dimension's {self.points:g}")
        return self


class BonusItem(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_.]*$")
    name: str
    points: float = Field(gt=0)
    hint: str = ""
    matchers: list[Matcher] = Field(min_length=1)


class Bonus(_Strict):
    name: str = "特色工作"
    max: float = Field(ge=0)
    items: list[BonusItem] = Field(default_factory=list)


class Veto(_Strict):
    """一票否决: a statement of this kind, not negated, flags the report."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_.]*$")
    name: str
    why: str = ""
    matchers: list[Matcher] = Field(min_length=1)


class Level(_Strict):
    """A state description (状态描述法): reached at `min` satisfaction, worth `share` of the points."""

    id: str
    share: float = Field(ge=0, le=1)
    min: float = Field(ge=0, le=1)
    label: str = ""


class Grade(_Strict):
    name: str
    min: float = Field(ge=0)


class Negation(_Strict):
    """Cues that, before a term in the same clause, turn it around (没有一名干警受到处分)."""

    cues: list[str] = Field(min_length=1)
    breakers: list[str] = Field(default_factory=list, description="Words that end a cue's scope (但, 却).")


class Scoring(_Strict):
    decay: float = Field(default=0.7, gt=0, le=1, description="Weight of the k-th best sentence is decay**k.")
    min_prose_chars: int = Field(
        default=8, ge=0, description="A sentence needs this many Chinese characters outside matched terms to count fully."
    )
    max_term_density: float = Field(
        default=0.75, gt=0, le=1, description="Sentences whose matched terms cover more than this share are keyword lists."
    )
    breadth_bonus: float = Field(
        default=0.0, ge=0, le=1,
        description="A sentence naming several distinct terms of one matcher weighs this much more per extra term.",
    )
    breadth_cap: float = Field(default=1.5, ge=1, le=3, description="The most a sentence's weight can grow by breadth.")
    directive_pattern: str = Field(
        default="", description="A regular expression for a directive or exhortation addressed to others; '' turns this off."
    )
    directive_weight: float = Field(
        default=1.0, gt=0, le=1, description="Weight of a sentence in which `directive_pattern` matches."
    )

    @field_validator("directive_pattern")
    @classmethod
    def _directive_pattern_compiles(cls, v: str) -> str:
        if not v:
            return v
        import regex

        try:
            compiled = regex.compile(v)
        except regex.error as e:
            raise ValueError(f"pattern does not compile: {e}") from None
        if compiled.search("") is not None:
            raise ValueError("pattern matches the empty string")
        return v


class Rubric(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    version: str
    title: str
    description: str = ""
    total: float = Field(gt=0, description="Base points; the dimensions must add up to it.")
    levels: list[Level] = Field(min_length=2)
    grades: list[Grade] = Field(min_length=1)
    veto_grade: str = "不合格（一票否决）"
    negation: Negation
    slogans: list[str] = Field(default_factory=list, description="Numbered slogans that are not quantities, e.g. a campaign named by counts.")
    scoring: Scoring = Scoring()
    dimensions: list[Dimension] = Field(min_length=1)
    bonus: Bonus = Bonus(max=0)
    vetoes: list[Veto] = Field(default_factory=list)

    @field_validator("levels")
    @classmethod
    def _levels_ordered(cls, v: list[Level]):
        mins = [lv.min for lv in v]
        if mins != sorted(mins, reverse=True):
            raise ValueError("levels must go from the best (highest min) to the worst")
        if v[-1].min != 0:
            raise ValueError("the last level must have min 0 so that every criterion gets one")
        return v

    @field_validator("grades")
    @classmethod
    def _grades_ordered(cls, v: list[Grade]):
        mins = [g.min for g in v]
        if mins != sorted(mins, reverse=True):
            raise ValueError("grades must go from the best (highest min) to the worst")
        if v[-1].min != 0:
            raise ValueError("the last grade must have min 0")
        return v

    @model_validator(mode="after")
    def _consistent(self):
        total = round(sum(d.points for d in self.dimensions), 6)
        if abs(total - self.total) > 1e-6:
            raise ValueError(f"dimension points add up to {total:g}, not the rubric total {self.total:g}")
        seen: set[str] = set()
        ids = [d.id for d in self.dimensions]
        ids += [c.id for d in self.dimensions for c in d.criteria]
        ids += [b.id for b in self.bonus.items] + [v.id for v in self.vetoes]
        for i in ids:
            if i in seen:
                raise ValueError(f"duplicate id {i!r}")
            seen.add(i)
        return self

    @property
    def max_total(self) -> float:
        return self.total + self.bonus.max

    def criteria(self):
        for d in self.dimensions:
            yield from d.criteria
