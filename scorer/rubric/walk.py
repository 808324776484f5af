"""One walk over a rubric's scored owners: criteria, bonus items and vetoes, with their YAML locations.

Scoring compiles their matchers, lint and `rubric show` read them, calibrate
rewrites the criteria's points: all through `owners()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from .schema import BonusItem, Criterion, Dimension, Rubric, Veto

KINDS = ("criterion", "bonus", "veto")
_LABELS = {"criterion": "criterion", "bonus": "bonus item", "veto": "veto"}


@dataclass(frozen=True)
class Owner:
    """Something that holds matchers: a criterion, a bonus item or a veto."""

    kind: str  # criterion | bonus | veto
    id: str
    loc: tuple  # in the YAML: ("dimensions", 2, "criteria", 0)
    matchers: tuple
    item: Criterion | BonusItem | Veto
    dimension: Dimension | None = None  # a criterion's dimension
    first_in_section: bool = False  # first criterion of its dimension, first bonus item

    @property
    def label(self) -> str:
        """`criterion party.building`, `bonus item bonus.brand`, `veto staff_crime`."""
        return f"{_LABELS[self.kind]} {self.id}"

    @property
    def points(self) -> float | None:
        return getattr(self.item, "points", None)

    @property
    def dimension_loc(self) -> tuple | None:
        return self.loc[:2] if self.kind == "criterion" else None

    def matcher_locs(self) -> Iterator[tuple[int, tuple, object]]:
        """(index, YAML location, spec) of each matcher."""
        for mi, m in enumerate(self.matchers):
            yield mi, self.loc + ("matchers", mi), m

    def spec_locs(self) -> Iterator[tuple[tuple, object]]:
        """(YAML location, spec) of each matcher, then of each of a veto's `candidates`: every
        spec a rule of the rubric is built from."""
        for _mi, loc, m in self.matcher_locs():
            yield loc, m
        for ci, m in enumerate(getattr(self.item, "candidates", ())):
            yield self.loc + ("candidates", ci), m


def owners(r: Rubric, kinds: tuple[str, ...] = KINDS) -> Iterator[Owner]:
    if "criterion" in kinds:
        for di, d in enumerate(r.dimensions):
            for ci, c in enumerate(d.criteria):
                yield Owner("criterion", c.id, ("dimensions", di, "criteria", ci), tuple(c.matchers), c, d, ci == 0)
    if "bonus" in kinds:
        for bi, b in enumerate(r.bonus.items):
            yield Owner("bonus", b.id, ("bonus", "items", bi), tuple(b.matchers), b, None, bi == 0)
    if "veto" in kinds:
        for vi, v in enumerate(r.vetoes):
            yield Owner("veto", v.id, ("vetoes", vi), tuple(v.matchers), v, None, vi == 0)



def phrase_set_users(loaded) -> dict[str, list[str]]:
    """name → the matchers (`owner#n`) that use each of the rubric's phrase sets, by
    `unless_sentence_sets` or by `{set: name}` in a list (LoadedRubric.set_uses, read before
    validation expanded the names away)."""
    return {name: list(loaded.set_uses.get(name, [])) for name in loaded.rubric.phrase_sets}
