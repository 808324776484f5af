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


def mark_lines(r: Rubric) -> list[str]:
    """One line per kind of sentence the rubric marks on a quote (scoring.discounts, the
    mention and fit rules): its id, what it weighs in the points and its reason."""
    sc = r.scoring
    out = []
    for d in sc.discounts:
        scope = ", to the paragraph's end" if d.scope == "paragraph" else ""
        extra = f"; not for {', '.join(d.spares)}" if d.spares else ""
        extra += "; not when something done is reported too" if d.unless_practice else ""
        out.append(f"{d.id}: weight {d.weight:g}{scope}{extra} — {d.why}")
    if sc.practice_pattern:
        out.append(f"mention: weight {sc.mention_weight:g} — {sc.mention_why or 'one term, nothing reported done'}")
    if sc.fit_top:
        out.append(f"fit: weight {sc.fit_weight:g} when {sc.fit_top} or more items fit the sentence better — "
                   f"{sc.fit_why or 'fits other items better'}")
    return out
