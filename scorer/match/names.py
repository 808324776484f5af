"""People named in a sentence (the rubric's `person_names`: 张某, 李某某), for the matchers that
link a role to what befell someone (`near` and `cooccur` with `names_break`).

A name right after a role's term is the role's own (干警张某), as is a list of names joined
to it by one character (干警张某、李某); any other name is a stranger, and a stranger in the
clause of what befell someone, between the role and it, is who it befell (法官依法审理王某受贿案，
王某被判处: 王某, not the 法官).
"""

from __future__ import annotations

import re

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

    def in_sentence(self, a, si: int) -> "Names":
        """Every name in sentence `si`, in text order (found once per text and sentence)."""
        cache = a.__dict__.setdefault("_person_names", {})
        key = (id(self.pattern), si)
        got = cache.get(key)
        if got is None:
            sent = a.seg.sentences[si]
            found = []
            for m in self.pattern.finditer(sent.text):
                start = sent.start + m.start()
                found.append((start, sent.start + m.end(), m.group(), sent.clause_at(start).start))
            got = cache[key] = Names(found, sent.text, sent.start)
        return got


# Between a role's term and its own name: a remark in brackets (原副院长（已退休）张某) or more
# titles after 、 (副院长、二级高级法官张某某), each ending as a title does.
_TITLES = re.compile(r"(?:（[^（）]{0,12}）|\([^()]{0,12}\)|、[\u4e00-\u9fff]{0,9}[长官员任记委席表理事])+")


class Names(list):
    """The names of one sentence, `(start, end, name, clause start)` each, with the sentence's
    text to read what stands between a term and a name."""

    def __init__(self, found: list[Name], text: str, offset: int):
        super().__init__(found)
        self.text, self.offset = text, offset

    def between(self, start: int, end: int) -> str:
        return self.text[start - self.offset : end - self.offset]

    def own(self, term_end: int) -> list[Name]:
        """The names a role's term ending at `term_end` carries: the first name after it, right
        after it or after a bracketed remark or more titles, then each joined to the last by 、
        (干警张某、李某). Any other name is a stranger to it."""
        out: list[Name] = []
        reach = term_end
        for n in self:
            start, stop = n[0], n[1]
            if start < reach:
                continue
            gap = self.between(reach, start)
            if (not out and (gap == "" or _TITLES.fullmatch(gap))) or (out and gap == "、"):
                out.append(n)
                reach = stop
            else:
                break
        return out

    def owned(self, term_end: int) -> set[str]:
        return {n[2] for n in self.own(term_end)}

    def stranger_between(self, mine: set[str], start: int, end: int, clause: int, others=()) -> bool:
        """A name not in `mine` (the names the chain so far carries) starts in [start, end), in the
        clause starting at `clause` (the next term's), or before another hit of the next term's
        group (`others`: their starts), which is then the stranger's own (王某被判处…，其同伙亦被判处)."""
        for n in self:
            if start <= n[0] < end and n[2] not in mine:
                if n[3] == clause or any(n[0] < g < end for g in others):
                    return True
        return False
