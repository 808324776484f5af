"""What every rubric matcher spec shares: terms, and the fields every type has.

A matcher type's module (scorer/match/types/) subclasses `MatcherSpec` for its
pydantic spec; the schema's discriminated union is built from those subclasses.
"""

from __future__ import annotations

import re
from typing import Annotated, ClassVar, Mapping

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..errors import InvalidValue


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)


class Term(Strict):
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
                raise InvalidValue("term-empty")
            if s != s.strip():
                raise InvalidValue("term-spaces", term=s)
        return v


SET_NAME = re.compile(r"[a-z][a-z0-9_]*")


def check_set_name(name: str) -> None:
    """A phrase set's name: what a matcher's `unless_sentence_sets` writes to name it."""
    if not isinstance(name, str) or not SET_NAME.fullmatch(name):
        raise InvalidValue("phrase-set-name", name=name)


def coerce_terms(v, info=None, at: tuple = ()):
    """`[党建, {term: 志愿服务, synonyms: [...]}, {set: leaders}]`: a bare string is a term of
    weight 1; `{set: name}` stands for every phrase of the rubric's phrase set `name`, each a
    term of weight 1 (`_expand_sets`; the sets come in the validation context: the loader's)."""
    return _expand_sets(v, info, at, lambda p: {"term": p})


def phrases_field(v, info):
    """A phrase list field's before-validator (`unless`, `unless_sentence`, `breaks`): `{set: name}`
    stands for every phrase of the rubric's phrase set `name`."""
    return _expand_sets(v, info, (), lambda p: p)


def _expand_sets(v, info, at: tuple, item):
    """A list with each `{set: name}` replaced by the set's phrases, each string made `item(p)`:
    the set's first phrase in its place, the others at the list's end, so that every written
    item keeps its index, and a problem in one is reported on its own line."""
    if not isinstance(v, list):
        return v
    out, tail = [], []
    for i, t in enumerate(v):
        if isinstance(t, dict) and set(t) == {"set"}:
            phrases = [item(p) for p in _phrase_set(t["set"], info, at + (i, "set"))]
            out.append(phrases[0] if phrases else t)
            tail += phrases[1:]
        else:
            out.append(item(t) if isinstance(t, str) else t)
    return out + tail


def terms_field(v, info):
    """A term list field's before-validator (pydantic passes `info`, with the loader's context)."""
    return coerce_terms(v, info)


def coerce_groups(v, info):
    """A `groups` field's before-validator: each group a term list."""
    if not isinstance(v, list):
        return v
    return [coerce_terms(g, info, (gi,)) for gi, g in enumerate(v)]


def _phrase_set(name, info, at: tuple) -> list[str]:
    """The phrases of the rubric's set `name`, for a term list that names it."""
    sets = (getattr(info, "context", None) or {}).get("phrase_sets") or {}
    if not isinstance(name, str) or not isinstance(sets, dict) or not isinstance(sets.get(name), list):
        known = ", ".join(sets) if isinstance(sets, dict) and sets else "none"
        raise InvalidValue("phrase-set-unknown", at=at, name=str(name), known=known)
    return [p for p in sets[name] if isinstance(p, str)]


TermList = Annotated[list[Term], Field(min_length=1)]

TermLists = list[tuple[tuple, list[Term]]]


class MatcherSpec(Strict):
    """Fields every matcher has. Subclasses add `type: Literal[...]` and their own fields."""

    # One phrase for the scorecard's method paragraph ("关键词匹配（含同义词）").
    scorecard: ClassVar[str] = ""
    # Each term is credited on its own, so a term in two criteria double-counts (lint: duplicate-term).
    credits_single_terms: ClassVar[bool] = False
    # Where the type sorts in listings (show, the scorecard); then by name.
    order: ClassVar[int] = 100

    label: str = Field(min_length=1, description="What this evidences; listed as missing when absent.")
    need: float = Field(default=1.0, gt=0, description="Evidence strength that fully satisfies this matcher.")
    weight: float = Field(default=1.0, gt=0, description="Share of the criterion this matcher carries.")
    unless: list[str] = Field(
        default_factory=list, description="A hit inside one of these longer phrases is ignored (处分 in 处分条例)."
    )
    unless_sentence: list[str] = Field(
        default_factory=list,
        description="A sentence holding one of these is no evidence for this matcher "
        "(another unit's case told as warning education); an occurrence inside a longer hit of one of the "
        "matcher's own terms does not count (抓获 inside 被抓获).",
    )
    unless_sentence_sets: list[str] = Field(
        default_factory=list,
        description="Named phrase sets (the rubric's `phrase_sets`) whose phrases silence a sentence as "
        "`unless_sentence` does: one list that many matchers share, kept in one place.",
    )

    unless_list: list[str] = Field(
        default_factory=list,
        description="A sentence holding one of these is no evidence for this matcher, nor is the numbered list it "
        "opens (the sentences right after it that each begin with an item's number or follow one ending in ；: a rule stated and its items).",
    )
    unless_list_sets: list[str] = Field(
        default_factory=list,
        description="Named phrase sets whose phrases silence as `unless_list` does.",
    )

    _phrases = field_validator("unless", "unless_sentence", "unless_list", mode="before")(phrases_field)

    own_case: list[str] = Field(
        default_factory=list,
        description="Two phrase sets, [possessive, role]: where a phrase of the first stands right before one "
        "of the second and the rule's hit names that role, the sentence tells the unit's own case, so "
        "`unless_sentence` and its sets do not silence it (a warning-education meeting about the unit's own "
        "leader's case is still a veto).",
    )

    @field_validator("unless_sentence_sets", "unless_list_sets", "own_case")
    @classmethod
    def _set_names(cls, v: list[str]) -> list[str]:
        for name in v:
            check_set_name(name)
        return v

    @field_validator("own_case")
    @classmethod
    def _two_sets(cls, v: list[str]) -> list[str]:
        if v and len(v) != 2:
            raise InvalidValue("own-case-two", given=len(v))
        return v

    def with_phrase_sets(self, sets: Mapping[str, list[str]]) -> "MatcherSpec":
        """This spec with the phrases of its `unless_sentence_sets` in `unless_sentence` (its own
        phrases first, each phrase once): what the compiled rule applies. The rubric has checked
        that every set it names exists."""
        if not self.unless_sentence_sets and not self.unless_list_sets:
            return self
        update = {}
        for field, named in (("unless_sentence", self.unless_sentence_sets),
                             ("unless_list", self.unless_list_sets)):
            if named:
                phrases = dict.fromkeys(getattr(self, field))
                for name in named:
                    phrases.update(dict.fromkeys(sets[name]))
                update[field] = list(phrases)
        return self.model_copy(update=update)

    def term_lists(self) -> TermLists:
        """(location relative to the matcher, terms) of every term list this matcher holds."""
        return []

    def practice_terms(self) -> set[str]:
        """The canonical terms that name a practice: a sentence naming several distinct ones
        weighs more (scoring.breadth_bonus). None by default."""
        return set()

    def summary(self) -> str:
        """What it looks for, for `rubric show` (the common tail is added by `describe`)."""
        return self.type  # type: ignore[attr-defined]

    def describe(self) -> str:
        need = f", need {self.need:g}" if self.need != 1 else ""
        weight = f", weight {self.weight:g}" if self.weight != 1 else ""
        unless = f", unless {len(self.unless)}" if self.unless else ""
        sets = f", silenced by {', '.join(self.unless_sentence_sets)}" if self.unless_sentence_sets else ""
        if self.unless_list_sets:
            sets += f", silenced with the list it opens by {', '.join(self.unless_list_sets)}"
        return self.summary() + need + weight + unless + sets


MAX_TERMS_SHOWN = 4


def show_terms(terms: list[Term], n: int = MAX_TERMS_SHOWN) -> str:
    names = [t.term for t in terms]
    synonyms = sum(len(t.synonyms) for t in terms)
    shown = "、".join(names[:n]) + (f" …(+{len(names) - n})" if len(names) > n else "")
    return shown + (f" [+{synonyms} syn.]" if synonyms else "")
