"""A rubric as rows a maintainer can read: what each criterion is worth and what earns it."""

from __future__ import annotations

from ..rubric.schema import Rubric
from ..rubric.walk import owners


def describe_matcher(m) -> str:
    """One line: the matcher's type, what it looks for and how much of it saturates it.

    Each matcher type describes itself (scorer/match/types/)."""
    return m.describe()


def rubric_rows(r: Rubric):
    """(section, dimension, criterion, points, full, matchers) for every criterion, bonus item and veto."""
    for o in owners(r):
        item = o.item
        matchers = "\n".join(f"• {describe_matcher(m)}" for m in o.matchers)
        if o.kind == "criterion":
            d = o.dimension
            head = f"{d.name}\n{d.id} · {d.points:g}" if o.first_in_section else ""
            yield ("criterion", head, f"{item.name}\n{item.id}", f"{item.points:g}", item.full, matchers)
        elif o.kind == "bonus":
            head = f"{r.bonus.name}\nmax {r.bonus.max:g}" if o.first_in_section else ""
            yield ("bonus", head, f"{item.name}\n{item.id}", f"+{item.points:g}", item.hint, matchers)
        else:
            yield ("veto", "", f"{item.name}\n{item.id}", "veto", item.why, matchers)
