"""A rubric as rows a maintainer can read: what each criterion is worth and what earns it."""

from __future__ import annotations

from ..rubric.schema import Rubric, Term

MAX_TERMS_SHOWN = 4


def _terms(terms: list[Term], n: int = MAX_TERMS_SHOWN) -> str:
    names = [t.term for t in terms]
    synonyms = sum(len(t.synonyms) for t in terms)
    shown = "、".join(names[:n]) + (f" …(+{len(names) - n})" if len(names) > n else "")
    return shown + (f" [+{synonyms} syn.]" if synonyms else "")


def describe_matcher(m) -> str:
    """One line: the matcher's type, what it looks for and how much of it saturates it."""
    need = f", need {m.need:g}" if m.need != 1 else ""
    weight = f", weight {m.weight:g}" if m.weight != 1 else ""
    unless = f", unless {len(m.unless)}" if m.unless else ""
    tail = need + weight + unless
    if m.type == "keywords":
        return f"keywords: {_terms(m.terms)}{tail}"
    if m.type == "cooccur":
        groups = " × ".join(f"({_terms(g, 2)})" for g in m.groups)
        return f"cooccur/{m.scope}: {groups}{tail}"
    if m.type == "quantity":
        per = "/year" if m.per == "year" else ""
        return f"quantity ≥ {m.min:g} {'/'.join(m.units)}{per} near {_terms(m.context, 3)}{tail}"
    if m.type == "pattern":
        return f"pattern: {m.pattern}{tail}"
    return m.type  # pragma: no cover


def rubric_rows(r: Rubric):
    """(section, dimension, criterion, points, full, matchers) for every criterion, bonus item and veto."""
    for d in r.dimensions:
        for i, c in enumerate(d.criteria):
            yield (
                "criterion",
                f"{d.name}\n{d.id} · {d.points:g}" if i == 0 else "",
                f"{c.name}\n{c.id}",
                f"{c.points:g}",
                c.full,
                "\n".join(f"• {describe_matcher(m)}" for m in c.matchers),
            )
    for i, b in enumerate(r.bonus.items):
        yield (
            "bonus",
            f"{r.bonus.name}\nmax {r.bonus.max:g}" if i == 0 else "",
            f"{b.name}\n{b.id}",
            f"+{b.points:g}",
            b.hint,
            "\n".join(f"• {describe_matcher(m)}" for m in b.matchers),
        )
    for v in r.vetoes:
        yield (
            "veto",
            "",
            f"{v.name}\n{v.id}",
            "veto",
            v.why,
            "\n".join(f"• {describe_matcher(m)}" for m in v.matchers),
        )
