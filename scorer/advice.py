"""Advice for an applicant: for each criterion, what the draft already evidences, what it
lacks, and what kind of sentence would evidence it — criteria with the most points still
to gain first. Read from a `ScoreResult` and the rubric that scored it; nothing here
names a dimension, a criterion or a matcher type.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .result import CriterionResult, ScoreResult
from .rubric.walk import owners

# A concrete figure makes a sentence report a practice rather than name it.
_COUNT = 12
_PEOPLE = 86


@dataclass
class Advice:
    id: str
    name: str
    dimension: str
    score: float
    max: float
    level: str
    have: list[str] = field(default_factory=list)  # the draft's best quotes for it
    # Where points were earned but nothing is quotable: the sentences that earned them, too weak to
    # quote (CriterionResult.weaker), most likely first: what to make concrete.
    weak: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # what it asks for and the draft lacks
    hint: str = ""  # the rubric's own advice: what to write
    terms: list[str] = field(default_factory=list)  # words of the item the draft does not use yet
    example: str = ""  # a sentence of the kind that would evidence it
    verified: bool = False  # the example, added to the draft, raises this criterion (re-scored)

    @property
    def gain(self) -> float:
        return round(self.max - self.score, 1)


def advise(result: ScoreResult, scorer, *, verify: int = 8) -> list[Advice]:
    """One `Advice` per criterion, those with the most points to gain first (then the
    criteria worth the most). `scorer` is the `Scorer` that scored `result`; for the first
    `verify` criteria with points to gain, each example sentence is checked by scoring the
    draft with it added, and only one that raises the criterion is offered."""
    text = result.text
    matchers = {o.id: o.matchers for o in owners(scorer.rubric, ("criterion",))}
    out = []
    for d in result.dimensions:
        for c in d.criteria:
            specs = list(matchers.get(c.id, ()))
            wanted = _missing_matchers(c, specs) or specs
            out.append(Advice(
                id=c.id, name=c.name, dimension=d.name, score=c.score, max=c.max, level=c.level,
                have=[e.text for e in c.shown()], missing=[m.describe() for m in c.missing],
                weak=[] if c.shown() or c.score <= 0 else [e.text for e in sorted(c.weaker(2), key=lambda e: -e.probability)],
                hint=c.hint, terms=_unused_terms(wanted, text),
            ))
            out[-1]._wanted = wanted  # type: ignore[attr-defined]
    out.sort(key=lambda a: (-a.gain, -a.max, a.id))
    checked = 0
    for a in out:
        wanted = a.__dict__.pop("_wanted")
        if a.gain <= 0 or checked >= verify:
            continue
        checked += 1
        for example in _examples(wanted, text):
            after = scorer.score_text(text + "\n" + example, normalize=False)
            if _criterion(after, a.id).score > a.score:
                a.example, a.verified = example, True
                break
    return out


def _criterion(result: ScoreResult, cid: str) -> CriterionResult:
    return next(c for d in result.dimensions for c in d.criteria if c.id == cid)


def _missing_matchers(c: CriterionResult, specs: list) -> list:
    """The matchers behind the criterion's missing lines (rule ids are `<item>#<n>`, 1-based)."""
    picked = []
    for m in c.missing:
        _, _, n = m.rule.partition("#")
        if n.isdigit() and 0 < int(n) <= len(specs) and specs[int(n) - 1] not in picked:
            picked.append(specs[int(n) - 1])
    return picked


def _fresh(terms, text: str) -> list[str]:
    return [t.term for t in terms if not any(s in text for s in t.surfaces)]


def _unused_terms(specs: list, text: str) -> list[str]:
    """Words of these matchers the draft does not use yet (at most 8)."""
    unused: list[str] = []
    for m in specs:
        for _loc, terms in m.term_lists():
            unused += [t for t in _fresh(terms, text) if t not in unused]
    return unused[:8]


def _templates() -> tuple[list[str], list[str]]:
    """(templates for counts, templates for rates), from advice_examples.txt."""
    from importlib import resources

    text = resources.files(__package__).joinpath("advice_examples.txt").read_text(encoding="utf-8")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return [ln for ln in lines if not ln.startswith("rate:")], [ln[5:] for ln in lines if ln.startswith("rate:")]


def _examples(specs: list, text: str):
    """Candidate sentences for the first matchers: one word of each of a matcher's term lists
    (words the draft does not use first), a figure, and a reported practice around them."""
    counts, rates = _templates()
    for m in specs[:2]:
        lists = [terms for _loc, terms in m.term_lists()]
        if not lists:
            continue
        choices = [(_fresh(terms, text) or [terms[0].term]) for terms in lists]
        units = getattr(m, "units", None)
        share = bool(units) and units[0] in ("%", "％")
        if share:  # a rate: stated as reached, not as a count of activities
            figure = f"{max(float(getattr(m, 'min', 0) or 0), 95):g}{units[0]}"
        else:
            figure = f"{max(float(getattr(m, 'min', 0) or 0), _COUNT):g}{units[0]}" if units else f"{_COUNT}次"
        for pick in range(2):
            what = "、".join(dict.fromkeys(c[min(pick, len(c) - 1)] for c in choices))
            for template in (rates if share else counts):
                yield template.format(what=what, figure=figure, people=_PEOPLE, count=_COUNT)


__all__ = ["Advice", "advise"]
