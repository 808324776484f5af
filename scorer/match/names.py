"""People named in a sentence (the rubric's `person_names`: 张某, 李某某), for the matchers that
link a role to what befell someone (`near` and `cooccur` with `names_break`).

A name right after a role's term is the role's own (干警张某), as is a list of names joined
to it by one character (干警张某、李某); any other name is a stranger, and a stranger in the
clause of what befell someone, between the role and it, is who it befell (法官依法审理王某受贿案，
王某被判处: 王某, not the 法官).
"""

from __future__ import annotations

from pydantic import Field

from .spec import MatcherSpec

# (start, end, name, start of its clause) of one name in a sentence
Name = tuple[int, int, str, int]


class NamesBreakSpec(MatcherSpec):
    """A matcher spec that can keep a role from what befell someone else named by it."""

    names_break: bool = Field(
        default=False,
        description="A person's name (the rubric's `person_names`), not the role's own, standing in the "
        "clause of what befell someone between the role and it, breaks the link.",
    )

    def names_note(self) -> str:
        return ", names break" if self.names_break else ""


class PersonNames:
    """The rubric's `person_names`, compiled once, for one rule that asked for it."""

    def __init__(self, pattern: str):
        from .types.pattern import compile_pattern

        self.pattern = compile_pattern(pattern)

    @classmethod
    def for_rule(cls, spec, rubric) -> "PersonNames | None":
        """The names a rule with this spec uses under this rubric, or None (`names_break` off)."""
        if getattr(spec, "names_break", False) and rubric.person_names:
            return cls(rubric.person_names)
        return None

    def in_sentence(self, a, si: int) -> list[Name]:
        """Every name in sentence `si`, in text order."""
        sent = a.seg.sentences[si]
        out = []
        for m in self.pattern.finditer(sent.text):
            start = sent.start + m.start()
            out.append((start, sent.start + m.end(), m.group(), sent.clause_at(start).start))
        return out


def own_names(names: list[Name], term_end: int) -> list[Name]:
    """The names a role's term ending at `term_end` carries: the one right after it, then each
    joined to the previous by one character (、, 和)."""
    out: list[Name] = []
    reach = term_end
    for n in names:
        start, stop = n[0], n[1]
        if start < reach:
            continue
        if start == reach or (out and start == reach + 1):
            out.append(n)
            reach = stop
        else:
            break
    return out


def strangers(names: list[Name], term_end: int, own: str = "") -> list[tuple[int, int]]:
    """(start, clause start) of the names after a role's term ending at `term_end` that are not
    its own (`own`: a name that stands for the role itself, when the term is one)."""
    mine = {n[2] for n in own_names(names, term_end)} | ({own} if own else set())
    return [(n[0], n[3]) for n in names if n[0] >= term_end and n[2] not in mine]


def breaks(between: list[tuple[int, int]], start: int, end: int, clause: int) -> bool:
    """A stranger starts in [start, end) inside the clause starting at `clause`."""
    return any(start <= s < end and c == clause for s, c in between)


def owned(names: list[Name], term_end: int) -> set[str]:
    """The names a term ending at `term_end` carries (own_names), as a set of names."""
    return {n[2] for n in own_names(names, term_end)} if names else set()


def stranger_between(names: list[Name], mine: set[str], start: int, end: int, clause: int) -> bool:
    """A name not in `mine` (the names the terms so far carry) starts in [start, end) inside the
    clause starting at `clause`."""
    return any(start <= n[0] < end and n[3] == clause and n[2] not in mine for n in names)
