"""The rubric schema: pydantic v2 models are the one source of truth for the YAML.

A rubric is data. Dimensions hold criteria; a criterion holds matchers, each of
which names what it evidences (`label`) and how much evidence saturates it
(`need`). Levels (状态描述法 A/B/C/D), grade bands, the bonus section and veto
items are data too; nothing in the code names a dimension or a keyword.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, field_validator, model_validator

from ..errors import InvalidValue

from ..match.registry import matcher_union
from ..match.spec import Strict as _Strict
from ..match.spec import Term, check_set_name, phrases_field

__all__ = ["Matcher", "Rubric", "Term", "TIERS"]

# Built from the registry: one member per matcher type module (scorer/match/types/).
Matcher = matcher_union()

# How a grade is shown (colour, CSS class): renderers read the tier, never the grade's name.
Tier = Literal["excellent", "good", "pass", "fail", "veto"]
TIERS: tuple[str, ...] = Tier.__args__


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
            raise InvalidValue("criteria-sum", total=total, points=self.points)
        return self


class BonusItem(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_.]*$")
    name: str
    points: float = Field(gt=0)
    hint: str = ""
    matchers: list[Matcher] = Field(min_length=1)


class Bonus(_Strict):
    id: str = Field(default="bonus", pattern=r"^[a-z][a-z0-9_]*$",
                    description="The section's id beside the dimensions' (reviews and exports key it by this).")
    name: str = "特色工作"
    max: float = Field(ge=0)
    items: list[BonusItem] = Field(default_factory=list)


class Veto(_Strict):
    """一票否决: a statement of this kind, not negated, flags the report."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_.]*$")
    name: str
    why: str = ""
    matchers: list[Matcher] = Field(min_length=1)
    candidates: list[Matcher] = Field(
        default_factory=list,
        description="What the learned veto judgement reads besides what the relaxed `matchers` propose: "
        "sentences these raise are never a veto by themselves; the judge file's veto judgement decides "
        "(a unit's own accident told by its cost, a staff member named by a role the rules lack).",
    )


class Level(_Strict):
    """A state description (状态描述法): reached at `min` satisfaction, worth `share` of the points."""

    id: str = Field(min_length=1, description="What the scorecard shows (A, B, C, D; 优, 良 …): data, never code.")
    share: float = Field(ge=0, le=1)
    min: float = Field(ge=0, le=1)
    label: str = ""


class Grade(_Strict):
    name: str
    min: float = Field(ge=0)
    tier: Tier | None = Field(
        default=None,
        description="How renderers colour it. Default: the best grade is excellent, the last fail, others pass.",
    )


class Negation(_Strict):
    """Cues that, before a term in the same clause, turn it around (没有一名干警受到处分)."""

    cues: list[str] = Field(min_length=1)
    breakers: list[str] = Field(default_factory=list, description="Words that end a cue's scope (但, 却).")
    cause_markers: list[str] = Field(
        default_factory=list,
        description="Words that open a stated cause (因, 由于). A cue right after one negates only inside the "
        "cause, not what followed from it (the event after a cause end).",
    )
    cause_ends: list[str] = Field(
        default_factory=list, description="Words that close a stated cause and begin what followed from it (被 and the like)."
    )


def _checked_pattern(v: str) -> str:
    """A rubric pattern that compiles under RE2 and cannot match the empty string ('' = off)."""
    if not v:
        return v
    from ..match.types.pattern import compile_pattern  # RE2, as every rubric pattern

    compiled = compile_pattern(v)  # ValueError with a one-line reason
    if compiled.search("") is not None:
        raise InvalidValue("pattern-empty-match")
    return v


class Mark(_Strict):
    """A kind of sentence that is not the unit's own practice, or only names an item: marked on
    the quote with its reason (`why`), and shown after the item's unmarked quotes. With a
    `weight` below 1 it also discounts the sentence in the points (a directive, a plan); at 1
    (the default) it is a mark only (an award, a general claim).

    Quotes keep the ids of the marks they carry, so a reviewer sees why."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    why: str = Field(min_length=1, description="Shown beside a marked quote.")
    pattern: str = Field(min_length=1)
    weight: float = Field(default=1.0, gt=0, le=1, description="What a marked sentence weighs; 1: a mark only.")
    scope: Literal["sentence", "paragraph"] = Field(
        default="sentence", description="paragraph: the mark runs from the match to the paragraph's end (一是要…。二是要…。)."
    )
    spares: list[str] = Field(
        default_factory=list, description="Criteria or bonus items this mark does not apply to (an award is evidence for 荣誉表彰)."
    )
    unless_practice: bool = Field(
        default=False,
        description="Not for a sentence that also reports something done (scoring.practice_pattern): "
        "a claim of attention that goes on to set something up is a practice, not only a claim.",
    )

    @model_validator(mode="after")
    def _compiles(self):
        _checked_pattern(self.pattern)
        return self

    @field_validator("id")
    @classmethod
    def _not_reserved(cls, v: str) -> str:
        if v in ("mention", "fit"):
            raise InvalidValue("reserved-id", id=v)
        return v


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
    marks: list[Mark] = Field(
        default_factory=list,
        validation_alias=AliasChoices("marks", "discounts"),  # `discounts`: its former name, still read
        description="Kinds of sentence that are not the unit's own practice (a directive to others, a plan for "
        "next year, an award announcement, a definition): each is marked on the quote where its pattern "
        "matches, and one with a weight below 1 weighs that much less.",
    )
    practice_pattern: str = Field(
        default="",
        description="A regular expression for a sentence that reports something done (a verb of doing or a "
        "count). A sentence that names a single term of a matcher and does not match it is a mere mention and "
        "weighs `mention_weight`. '' turns this off.",
    )
    mention_weight: float = Field(default=1.0, gt=0, le=1, description="1 (the default): a mark only.")
    mention_why: str = Field(default="", description="Shown beside a quote that is a bare mention.")
    mention_spares: list[str] = Field(
        default_factory=list,
        description="Items a bare mention is full evidence for (an honour is named, not done: 荣誉表彰).",
    )
    fit_top: int = Field(
        default=0, ge=0,
        description="A sentence counts in full for the items whose own wording it resembles most (this many, "
        "ties included); for an item it fits worse it weighs `fit_weight` (scorer/fit.py). 0 turns this off.",
    )
    fit_weight: float = Field(default=1.0, gt=0, le=1, description="1 (the default): a mark only.")
    fit_why: str = Field(default="", description="Shown beside a quote that fits other items better.")

    restatement: tuple[float, float] = Field(
        default=(1.0, 1.0),
        description="A sentence whose character trigrams lie in the rubric's own full/partial/hint wording "
        "(share from the first value up to the second) weighs less, down to `restatement_weight`: "
        "a claim that restates a criterion is not evidence of it. (1, 1) turns this off.",
    )
    restatement_weight: float = Field(default=1.0, ge=0, le=1)
    near_copy: float = Field(
        default=1.0, gt=0, le=1,
        description="A sentence whose trigrams, with numbers and matched terms abstracted, overlap an earlier "
        "sentence's this much (Jaccard) counts 0: the same claim with other numbers, places or synonyms. "
        "1 turns this off.",
    )

    @field_validator("practice_pattern")
    @classmethod
    def _practice_pattern_compiles(cls, v: str) -> str:
        return _checked_pattern(v)

    @property
    def discounts(self) -> list[Mark]:
        """The former name of `marks`, for code written before the rename."""
        return self.marks


class JudgeSettings(_Strict):
    """The learned sentence judge (scorer/judge/) and the rules that turn its judgements into levels.

    The judge gives, for a sentence and an item, how likely a reviewer is to accept the
    sentence as this unit's own evidence for the item. A sentence at `accept` or above is
    evidence; an item's strength is the decayed sum of its evidence sentences' weights (the
    k-th best weighs `decay**k`), each sentence weighing its probability times how concrete
    it is (`plain` for a sentence with no count, amount or named document, 1 for a fully
    concrete one); `need` fills the item, and the rubric's levels cut the rest."""

    file: str = Field(min_length=1, description="The judge's file, relative to the rubric (civscore train writes it).")
    accept: float = Field(default=0.5, gt=0, lt=1, description="Probability at which a sentence is evidence for an item.")
    show: float = Field(default=0.5, gt=0, lt=1, description="Probability at which a sentence is shown as a quote.")
    need: float = Field(default=2.0, gt=0, description="The strength that fills an item (A).")
    decay: float = Field(default=0.7, gt=0, le=1, description="Weight of the k-th best evidence sentence is decay**k.")
    plain: float = Field(default=0.6, gt=0, le=1, description="What a sentence with no count or named document weighs.")
    material_from: float | None = Field(
        default=None, ge=0, lt=1,
        description="Where the judge file's material judgement (is the text a unit's own material at all) starts "
        "to count: a text whose probability lies between this and the judgement's threshold has every judged "
        "probability scaled down in proportion, from 1 here to 0 at the threshold (where a text is flagged and earns "
        "nothing). Unset: only a flagged text is affected.")
    veto_unless: list[str] = Field(
        default_factory=list,
        description="Phrases that keep the learned veto judgement from raising a sentence (or the window it reads) "
        "that holds one; the veto rules may still raise it. For what the judge cannot tell "
        "from its examples: an allegation found untrue, the unit sitting in judgement. `{set: name}` names a "
        "phrase set.")

    _phrases = field_validator("veto_unless", mode="before")(phrases_field)


class AppliesTo(_Strict):
    """Which units a bundled rubric serves: how one is chosen when the user names none."""

    kind: str = Field(min_length=1, description="The kind of unit, as shown to the user.")
    unit_names: list[str] = Field(
        default_factory=list, description="The unit's detected name contains one of these."
    )
    mentions: list[str] = Field(
        default_factory=list, description="Without such a name: words that, named often enough, mark the kind."
    )
    min_mentions: int = Field(default=3, ge=1)
    lead_chars: int = Field(
        default=0, ge=0,
        description="With too few mentions: one of `unit_names` in the text's first `lead_chars` characters "
        "(its title and lead, where a news item names who acted), before any detected unit of another "
        "kind, marks the kind. 0 turns this off.")
    fallback: bool = Field(default=False, description="Serves every unit that no other rubric claims.")


class Rubric(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    version: str
    title: str
    description: str = ""
    total: float = Field(gt=0, description="Base points; the dimensions must add up to it.")
    levels: list[Level] = Field(min_length=2)
    grades: list[Grade] = Field(min_length=1)
    veto_grade: str = "不合格（一票否决）"  # tier: veto
    grade_note: str = Field(default="", description="What a grade judges, shown beside it on the scorecard.")
    negation: Negation
    phrase_sets: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Named lists of phrases that many matchers share (the signs of warning education that "
        "silence every veto rule): a matcher names a set in `unless_sentence_sets`, so an edit is made once.",
    )
    person_names: str = Field(
        default="",
        description="A regular expression for a person's name as reports write it (张某, 李某某): a `near` "
        "matcher with `names_break` does not link a role to what befell someone else named between them "
        "(a case the unit tried, its party named). '' turns it off.",
    )
    party_names: list[str] = Field(
        default_factory=list,
        description="Words that name a person by their part in a case (a defendant, a party to enforcement): with "
        "`names_break`, one standing as the subject of what befell someone, between the role and it, is who it "
        "befell, as a stranger's name is; one right before the role's own name is that name.",
    )
    slogans: list[str] = Field(default_factory=list, description="Numbered slogans that are not quantities, e.g. a campaign named by counts.")
    scoring: Scoring = Scoring()
    dimensions: list[Dimension] = Field(min_length=1)
    bonus: Bonus = Bonus(max=0)
    vetoes: list[Veto] = Field(default_factory=list)
    applies_to: AppliesTo | None = None
    judge: JudgeSettings | None = Field(default=None, description="The learned sentence judge; without it, the matchers decide.")

    @field_validator("phrase_sets")
    @classmethod
    def _phrase_sets(cls, v: dict[str, list[str]]):
        for name, phrases in v.items():
            try:
                check_set_name(name)
            except InvalidValue as e:
                raise InvalidValue(e.code, at=(name,), **e.fields) from None
            if not phrases:
                raise InvalidValue("phrase-set-empty", at=(name,), name=name)
            seen: set[str] = set()
            for i, phrase in enumerate(phrases):
                if not phrase.strip():
                    raise InvalidValue("term-empty", at=(name, i))
                if phrase != phrase.strip():
                    raise InvalidValue("term-spaces", at=(name, i), term=phrase)
                if phrase in seen:
                    raise InvalidValue("phrase-set-twice", at=(name, i), name=name, phrase=phrase)
                seen.add(phrase)
        return v

    @field_validator("person_names")
    @classmethod
    def _person_names_compile(cls, v: str) -> str:
        return _checked_pattern(v)

    @field_validator("levels")
    @classmethod
    def _levels_ordered(cls, v: list[Level]):
        mins = [lv.min for lv in v]
        if mins != sorted(mins, reverse=True):
            raise InvalidValue("levels-order")
        if v[-1].min != 0:
            raise InvalidValue("levels-last")
        return v

    @field_validator("grades")
    @classmethod
    def _grades_ordered(cls, v: list[Grade]):
        mins = [g.min for g in v]
        if mins != sorted(mins, reverse=True):
            raise InvalidValue("grades-order")
        if v[-1].min != 0:
            raise InvalidValue("grades-last")
        return [
            g if g.tier else g.model_copy(update={"tier": _default_tier(i, len(v))}) for i, g in enumerate(v)
        ]

    @model_validator(mode="after")
    def _consistent(self):
        total = round(sum(d.points for d in self.dimensions), 6)
        if abs(total - self.total) > 1e-6:
            raise InvalidValue("dimensions-sum", total=total, points=self.total)
        if any(d.id == self.bonus.id for d in self.dimensions):
            raise InvalidValue("bonus-id-clash", id=self.bonus.id)
        level_ids = [lv.id for lv in self.levels]
        if len(set(level_ids)) != len(level_ids):
            raise InvalidValue("levels-ids")
        items = {c.id for c in self.criteria()} | {i.id for i in self.bonus.items}
        seen: set[str] = set()
        for i, d in enumerate(self.scoring.marks):
            if d.id in seen:
                raise InvalidValue("discount-twice", at=("scoring", "marks", i, "id"), id=d.id)
            seen.add(d.id)
            for j, x in enumerate(d.spares):
                if x not in items:
                    raise InvalidValue("discount-unknown-spare", at=("scoring", "marks", i, "spares", j), id=d.id, item=x)
        for j, x in enumerate(self.scoring.mention_spares):
            if x not in items:
                raise InvalidValue("mention-unknown-spare", at=("scoring", "mention_spares", j), item=x)
        for loc, m in self._matchers():
            if getattr(m, "names_break", False) and not self.person_names:
                raise InvalidValue("names-break-without-names", at=loc + ("names_break",))
            for field in ("unless_sentence_sets", "unless_list_sets", "own_case"):
                for si, name in enumerate(getattr(m, field)):
                    if name not in self.phrase_sets:
                        known = ", ".join(self.phrase_sets) or "none"
                        raise InvalidValue("phrase-set-unknown", at=loc + (field, si), name=name, known=known)
        # Unique ids are checked once, by the loader (scorer.rubric.loader.duplicate_ids), with lines.
        return self

    def _matchers(self):
        """(location, spec) of every matcher, for the checks above. scorer.rubric.walk.owners is the
        walk everyone else uses; it imports this module, and no import cycle is allowed
        (test_structure), so this one loop stays here."""
        for di, d in enumerate(self.dimensions):
            for ci, c in enumerate(d.criteria):
                for mi, m in enumerate(c.matchers):
                    yield ("dimensions", di, "criteria", ci, "matchers", mi), m
        for bi, b in enumerate(self.bonus.items):
            for mi, m in enumerate(b.matchers):
                yield ("bonus", "items", bi, "matchers", mi), m
        for vi, v in enumerate(self.vetoes):
            for mi, m in enumerate(v.matchers):
                yield ("vetoes", vi, "matchers", mi), m
            for mi, m in enumerate(v.candidates):
                yield ("vetoes", vi, "candidates", mi), m

    @property
    def max_total(self) -> float:
        """The total's scale: the base points. The bonus (特色加分) is shown apart and the
        total never goes past the base points (a 100-point scale stays one)."""
        return self.total

    def criteria(self):
        for d in self.dimensions:
            yield from d.criteria

    def total_for(self, base: float, bonus: float) -> float:
        """The total of a base and a bonus score (scorer.result.total_for: the engine's and a
        review's one arithmetic)."""
        from scorer.result import total_for

        return total_for(self.max_total, base, bonus)

    def grade_for(self, total: float, vetoed: bool) -> tuple[str, str]:
        """(grade name, tier) for a total (scorer.result.grade_for)."""
        from scorer.result import grade_for

        return grade_for(self.grades, self.veto_grade, total, vetoed)


def _default_tier(i: int, n: int) -> str:
    if i == n - 1:
        return "fail"
    return "excellent" if i == 0 else "pass"
