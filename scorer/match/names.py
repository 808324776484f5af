"""People named in a sentence (the rubric's `person_names`: 张某, 李某某), for the matchers that
link a role to what befell someone (`near` and `cooccur` with `names_break`).

A name right after a role's term is the role's own (干警张某; after 的 where the role is said held:
时任科长的何某, not 殴打法官的王某), as is a list of names joined to it by one character (干警张某、李某); any other name is a stranger, and a stranger in the
clause of what befell someone, between the role and it, is who it befell (法官依法审理王某受贿案，
王某被判处: 王某, not the 法官). So is a person named by their part in a case (the rubric's
`party_names`: 在我院法警的协助下，潜逃多年的被执行人被抓获: the 被执行人, not the 法警) when what befell follows
it directly (its subject; not 干警王某因收受被执行人财物被判处, where it is the deed's object) and the role's own name
does not (被告人王某, where 王某 is the role's).
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

    def __init__(self, pattern: str, parties: tuple[str, ...] = ()):
        from .types.pattern import compile_pattern

        self.pattern = compile_pattern(pattern)
        # The rubric's `party_names` (被执行人, 被告人): a person named by their part in a case, longest first.
        self.parties = tuple(sorted(set(parties), key=len, reverse=True))

    @classmethod
    def for_rule(cls, spec, rubric) -> "PersonNames | None":
        """The names a rule with this spec uses under this rubric, or None (`names_break` off)."""
        if getattr(spec, "names_break", False) and rubric.person_names:
            return cls(rubric.person_names, tuple(getattr(rubric, "party_names", ()) or ()))
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
            parties: set[int] = set()
            text, taken = sent.text, [(n[0], n[1]) for n in found]
            for word in self.parties:  # longest first: 被申请执行人 before 被申请人
                at = text.find(word)
                while at >= 0:
                    start, end = sent.start + at, sent.start + at + len(word)
                    if not any(s < end and start < e for s, e in taken):
                        found.append((start, end, word, sent.clause_at(start).start))
                        taken.append((start, end))
                        parties.add(start)
                    at = text.find(word, at + 1)
            found.sort()
            got = cache[key] = Names(found, sent.text, sent.start, parties)
        return got


# Words that say a role was held, before it in its clause (时任我馆业务科科长的何某): then the name after the role's
# 的 is its own; how far back they are read.
_POST_WORDS = ("时任", "身为", "担任", "曾任", "原任", "现任", "作为")
_POST_REACH = 24

# The end of a modifier a clause's subject may stand after: 的, or a count (3名, 两个).
_MODIFIER_END = re.compile(r"(?:的|[0-9０-９一二两三四五六七八九十百多数]+[名位个人])$")

# How many characters may stand between a case's party and what befell, for the party to be its subject.
PARTY_GAP = 1

# Between a role's term and its own name: a remark in brackets (原副院长（已退休）张某) or more
# titles after 、 (副院长、二级高级法官张某某), each ending as a title does.
_TITLES = re.compile(r"(?:（[^（）]{0,12}）|\([^()]{0,12}\)|、[\u4e00-\u9fff]{0,9}[长官员任记委席表理事])+")


class Names(list):
    """The names of one sentence, `(start, end, name, clause start)` each, with the sentence's
    text to read what stands between a term and a name."""

    def __init__(self, found: list[Name], text: str, offset: int, parties: set[int] = frozenset()):
        super().__init__(found)
        self.text, self.offset = text, offset
        self.parties = parties  # starts of the entries that are a case's party (被执行人), not a name

    def between(self, start: int, end: int) -> str:
        return self.text[start - self.offset : end - self.offset]

    def own(self, term_end: int) -> list[Name]:
        """The names a role's term ending at `term_end` carries: the first name after it, right
        after it, after 的 where a word saying the role was held opens it (时任业务科科长的何某; not 殴打我院
        法官的王某) or after a bracketed remark or more titles, then each joined to the last by 、 (干警张某、李某).
        Any other name is a stranger to it."""
        out: list[Name] = []
        reach = term_end
        for n in self:
            start, stop = n[0], n[1]
            if start < reach:
                continue
            if start in self.parties:
                break  # a case's party is never the role's own name (干警王某 is; 干警被执行人 is not)
            gap = self.between(reach, start)
            if (not out and (gap == "" or _TITLES.fullmatch(gap) or (gap == "的" and self._held_post(n[3], term_end)))) \
                    or (out and gap == "、"):
                out.append(n)
                reach = stop
            else:
                break
        return out

    def _subject(self, n: Name) -> bool:
        """Is this entry its clause's subject: the clause opens with it, or with a modifier ending in 的 or a
        count (潜逃多年的被执行人; 3名被执行人)?"""
        before = self.between(n[3], n[0])
        return before == "" or _MODIFIER_END.search(before) is not None

    def _held_post(self, clause: int, term_end: int) -> bool:
        """Does a word saying the role was held (时任, 身为, 担任 …) open the phrase the role ends, in its clause?
        Then a name after the role's 的 is the one who held it (时任业务科科长的何某); otherwise it is who the
        role was acted on by (殴打我院法官的王某)."""
        lead = self.between(max(clause, term_end - _POST_REACH), term_end)
        return any(w in lead for w in _POST_WORDS)

    def owned(self, term_end: int) -> set[str]:
        return {n[2] for n in self.own(term_end)}

    def stranger_between(self, mine: set[str], start: int, end: int, clause: int, others=()) -> bool:
        """A name not in `mine` (the names the chain so far carries) starts in [start, end), in the
        clause starting at `clause` (the next term's), or before another hit of the next term's
        group (`others`: their starts), which is then the stranger's own (王某被判处…，其同伙亦被判处)."""
        for k, n in enumerate(self):
            if start <= n[0] < end and n[2] not in mine:
                if n[0] in self.parties and (end - n[1] > PARTY_GAP or not self._subject(n) or (
                        k + 1 < len(self) and self[k + 1][0] == n[1] and self[k + 1][2] in mine)):
                    # a party is who it befell only as its subject: what befell right after it, and nothing but a
                    # modifier before it in its clause (潜逃多年的被执行人被抓获; 3名被执行人被拘留), not as the
                    # object of the role's deed (因收受被执行人财物被判处, 因殴打当事人被刑事拘留), nor right before
                    # the role's own name (被告人王某)
                    continue
                if n[3] == clause or any(n[0] < g < end for g in others):
                    return True
        return False
