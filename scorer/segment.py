"""Segment normalized text into paragraphs, sentences and clauses, keeping offsets.

Sentences are the unit of evidence (a reviewer quotes sentences); clauses are the
scope of negation and of clause-level co-occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .ingest.han import HAN_RE
from .text import CLAUSE_SPLIT, FINAL, SENTENCE_SPLIT, KeyIndex

_CJK = HAN_RE  # one definition of a Chinese character: scorer/ingest/han.py


@dataclass(slots=True)
class Clause:
    start: int
    end: int


@dataclass(slots=True)
class Sentence:
    index: int
    start: int
    end: int
    paragraph: int  # 1-based
    text: str
    key: str  # text without punctuation or spaces: equal keys are the same sentence
    is_heading: bool
    clauses: list[Clause] = field(default_factory=list)
    duplicate_of: int | None = None
    lead: int | None = None  # the list heading (荣誉榜单：) this line sits under, if any

    def clause_at(self, pos: int) -> Clause:
        for c in self.clauses:
            if c.start <= pos < c.end:
                return c
        return self.clauses[-1]


@dataclass(slots=True)
class Segmented:
    text: str
    sentences: list[Sentence]
    keys: KeyIndex | None = None  # sentence_key of any span of the text (the sentences' keys came from it)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _clauses(text: str, start: int, end: int) -> list[Clause]:
    out, pos = [], start
    for m in CLAUSE_SPLIT.finditer(text, start, end):
        stop = m.end()
        if stop > pos:
            out.append(Clause(pos, stop))
        pos = stop
    if pos < end:
        out.append(Clause(pos, end))
    return out or [Clause(start, end)]


_LIST_COLON = "：:"


def segment(text: str) -> Segmented:
    """Split `text` into sentences; each knows its paragraph and clauses."""
    sentences: list[Sentence] = []
    keys = KeyIndex(text)
    seen: dict[str, int] = {}
    paragraph = 0
    para_start = 0
    lead: int | None = None  # a heading ending in a colon leads the paragraph after it
    for para in text.split("\n"):
        p_start, p_end = _trim(text, para_start, para_start + len(para))
        para_start += len(para) + 1
        if p_start == p_end:
            continue
        paragraph += 1
        # A heading: a short paragraph with no sentence-final punctuation.
        heading = (p_end - p_start) <= 40 and text[p_end - 1] not in FINAL
        under, lead = lead, None
        pos = p_start
        bounds = [m.end() for m in SENTENCE_SPLIT.finditer(text, p_start, p_end)]
        if not bounds or bounds[-1] < p_end:
            bounds.append(p_end)
        for b in bounds:
            s, e = _trim(text, pos, b)
            pos = b
            if s == e or not _CJK.search(text, s, e) and not any(ch.isalnum() for ch in text[s:e]):
                continue
            sent_text = text[s:e]
            key = keys.key(s, e)
            idx = len(sentences)
            sentences.append(
                Sentence(
                    index=idx,
                    start=s,
                    end=e,
                    paragraph=paragraph,
                    text=sent_text,
                    key=key,
                    is_heading=heading,
                    clauses=_clauses(text, s, e),
                    duplicate_of=seen.get(key),
                    lead=under,
                )
            )
            if heading and sent_text.rstrip()[-1:] in _LIST_COLON:
                lead = idx
            seen.setdefault(key, idx)
    return Segmented(text=text, sentences=sentences, keys=keys)
