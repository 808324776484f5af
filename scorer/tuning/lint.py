"""Lint a rubric: small rules, one function each, run over a validated rubric.

Each rule is a generator of `Finding`s registered with `@rule(code, severity)`;
rules that need reports (`corpus=True`) get the rubric's own scoring of the
corpus in `ctx.corpus`. A finding prints as `file:line: severity: sentence [code]`.

Schema problems (unknown keys, points that do not add up, duplicate ids,
patterns that RE2 refuses) come from the loader as `Problem` objects and are
errors; the rules run only on a rubric that loads. Matcher types describe their
own term lists (`term_lists()`), so no rule here names a type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterator

from ..errors import RubricError
from ..messages import language
from ..rubric import LoadedRubric, Problem
from ..rubric.schema import Rubric, Term
from ..rubric.walk import Owner, owners

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    severity: str
    message: str
    code: str = ""

    def __str__(self) -> str:
        tail = f" [{self.code}]" if self.code else ""
        return f"{self.path}:{self.line}: {self.severity}: {self.message}{tail}"


@dataclass
class CorpusStats:
    """What the rubric found in a folder of reports."""

    root: Path
    reports: int
    reached: dict[str, int] = field(default_factory=dict)  # criterion/bonus id → reports with evidence
    surfaces: set[str] = field(default_factory=set)  # every rubric term or synonym matched somewhere
    other_kind: int = 0  # reports of the folder left out: another rubric's kind of unit
    kind: str = ""  # the rubric's kind of unit (applies_to.kind), when it names one


@dataclass
class LintContext:
    loaded: LoadedRubric
    path: str  # as the user named it, for the findings
    corpus: CorpusStats | None = None

    @property
    def rubric(self) -> Rubric:
        return self.loaded.rubric

    def finding(self, loc: tuple, severity: str, message: str, code: str) -> Finding:
        """A finding on the line of `loc`, in the file it comes from (a base the rubric extends, or its own)."""
        where = self.loaded.file_of(loc)
        path = self.path if where == self.loaded.path else str(where)
        return Finding(path, self.loaded.line_of(loc), severity, message, code)


@dataclass(frozen=True)
class LintRule:
    code: str
    severity: str
    func: Callable[[LintContext], Iterator[Finding]]
    corpus: bool = False


RULES: dict[str, LintRule] = {}


def rule(code: str, severity: str, *, corpus: bool = False):
    """Register a lint rule under `code`."""
    assert severity in SEVERITIES

    def register(func):
        RULES[code] = LintRule(code, severity, func, corpus)
        return func

    return register


# -- walking the rubric --------------------------------------------------------


@dataclass(frozen=True)
class TermPlace:
    owner: Owner
    matcher: object
    term: Term
    loc: tuple  # of the term entry

    @cached_property
    def _synonym_index(self) -> dict[str, int]:
        # A dict, not list.index(): with 200,000 synonyms, index() per synonym made lint quadratic.
        out: dict[str, int] = {}
        for i, syn in enumerate(self.term.synonyms):
            out.setdefault(syn, i)
        return out

    def surface_loc(self, surface: str) -> tuple:
        if surface == self.term.term:
            return self.loc + ("term",)
        return self.loc + ("synonyms", self._synonym_index[surface])


def term_places(r: Rubric, kinds: tuple[str, ...] = ("criterion", "bonus", "veto"), types=None) -> Iterator[TermPlace]:
    """Every term entry of every spec a rule is built from (a matcher, or a veto's candidate), as
    each matcher type lists its terms.

    `types`: a predicate on the matcher spec (e.g. `lambda m: m.credits_single_terms`)."""
    for owner in owners(r, kinds):
        for mloc, m in owner.spec_locs():
            if types is not None and not types(m):
                continue
            for rel, terms in m.term_lists():
                for ti, t in enumerate(terms):
                    yield TermPlace(owner, m, t, mloc + rel + (ti,))


def _label(owner: Owner) -> str:
    return owner.label


# -- the rules -----------------------------------------------------------------


@rule("duplicate-term", "warning")
def duplicate_terms(ctx: LintContext) -> Iterator[Finding]:
    """A keyword (term or synonym) listed in two criteria: one sentence earns evidence for both."""
    first: dict[str, tuple[TermPlace, str]] = {}
    for place in term_places(ctx.rubric, ("criterion", "bonus"), types=lambda m: m.credits_single_terms):
        for surface in place.term.surfaces:
            seen = first.get(surface)
            if seen is None:
                first[surface] = (place, surface)
                continue
            other, other_surface = seen
            if other.owner.id == place.owner.id:
                continue
            where = ctx.loaded.line_of(other.surface_loc(other_surface))
            yield ctx.finding(
                place.surface_loc(surface),
                "warning",
                f"keyword '{surface}' of {_label(place.owner)} is also a keyword of {_label(other.owner)} "
                f"(line {where}), so one sentence earns evidence for both.",
                "duplicate-term",
            )


@rule("unreached-criterion", "warning", corpus=True)
def unreached_criteria(ctx: LintContext) -> Iterator[Finding]:
    """A criterion for which no report of the corpus has any evidence."""
    c = ctx.corpus
    for owner in owners(ctx.rubric, ("criterion",)):
        if c.reached.get(owner.id, 0) == 0:
            yield ctx.finding(
                owner.loc + ("id",),
                "warning",
                f"no report of the corpus ({c.reports} in {c.root}) has any evidence for criterion {owner.id}.",
                "unreached-criterion",
            )


@rule("unused-synonym", "info", corpus=True)
def unused_synonyms(ctx: LintContext) -> Iterator[Finding]:
    """A synonym (or a whole term with its synonyms) that never matches in the corpus."""
    c = ctx.corpus
    for place in term_places(ctx.rubric, ("criterion", "bonus")):
        t = place.term
        missing = [s for s in t.surfaces if s not in c.surfaces]
        if not missing:
            continue
        if len(missing) == len(t.surfaces):
            where = f"of {_label(place.owner)}"
            message = (
                f"neither term '{t.term}' nor any of its {len(t.synonyms)} synonyms ({where}) ever matches"
                if t.synonyms
                else f"term '{t.term}' {where} never matches"
            )
            yield ctx.finding(
                place.surface_loc(t.term), "info", f"{message} in the corpus ({c.reports} reports).", "unused-synonym"
            )
            continue
        for s in missing:
            if s == t.term:
                continue
            yield ctx.finding(
                place.surface_loc(s), "info",
                f"synonym '{s}' of '{t.term}' ({_label(place.owner)}) never matches in the corpus ({c.reports} reports).",
                "unused-synonym",
            )


@rule("idle-unless", "warning")
def idle_unless(ctx: LintContext) -> Iterator[Finding]:
    """An `unless` phrase that contains none of its matcher's terms, so it can never block a hit."""
    for owner in owners(ctx.rubric):
        for loc, m in owner.spec_locs():
            if not m.unless:
                continue
            surfaces: set[str] = set()
            for t in term_places_of(m):
                surfaces.update(t.surfaces)
            for ui, phrase in enumerate(m.unless):
                if not any(s in phrase for s in surfaces):
                    yield ctx.finding(
                        loc + ("unless", ui), "warning",
                        f"unless phrase '{phrase}' of {_label(owner)} contains none of the matcher's terms, "
                        "so it never blocks a hit.",
                        "idle-unless",
                    )


@rule("unused-phrase-set", "warning")
def unused_phrase_set(ctx: LintContext) -> Iterator[Finding]:
    """A phrase set no matcher uses (in `unless_sentence_sets` or as `{set: name}` in a term list):
    an edit to it changes nothing."""
    from ..rubric.walk import phrase_set_users

    for name, users in phrase_set_users(ctx.loaded).items():
        if not users:
            yield ctx.finding(("phrase_sets", name), "warning",
                              f"phrase set '{name}' is used by no matcher (unless_sentence_sets, or {{set: {name}}} in a list).",
                              "unused-phrase-set")


@rule("phrase-in-set", "warning")
def phrase_in_set(ctx: LintContext) -> Iterator[Finding]:
    """An `unless_sentence` phrase that a set the same matcher names already holds: a copy that
    the next edit of the set will miss."""
    sets = ctx.rubric.phrase_sets
    for owner in owners(ctx.rubric):
        for loc, m in owner.spec_locs():
            held = {p: name for name in m.unless_sentence_sets for p in sets.get(name, ())}
            for ui, phrase in enumerate(m.unless_sentence):
                if phrase in held:
                    yield ctx.finding(
                        loc + ("unless_sentence", ui), "warning",
                        f"unless_sentence phrase '{phrase}' of {_label(owner)} is already in its phrase set "
                        f"'{held[phrase]}'.",
                        "phrase-in-set",
                    )


def term_places_of(m) -> list[Term]:
    """Every term of one matcher, whatever its type."""
    return [t for _loc, terms in m.term_lists() for t in terms]


# -- running -------------------------------------------------------------------


def schema_findings(err: RubricError, path: Path, shown: str) -> list[Finding]:
    """The loader's problems as error findings, read from the `Problem` objects.

    A sum that does not add up is shown on its `points` line (the value at fault).
    """
    out = []
    for p in err.problems:
        if not isinstance(p, Problem):
            text = str(p).removeprefix(f"{path}:").lstrip()
            out.append(Finding(shown, 1, "error", text, "schema"))
            continue
        line = p.value_line or p.line or 1
        said = p.message_in(language())  # the CLI's --lang, else the locale
        message = f"{p.field}: {said}" if p.loc is not None else said
        # A problem in a base the rubric extends names the base.
        out.append(Finding(shown if Path(p.path) == Path(path) else p.path, line, "error", message, "schema"))
    return out


_NO_SUBMISSION = None  # corpus statistics read the scores, not the submission


def corpus_stats(loaded: LoadedRubric, corpus_dir: Path) -> tuple[CorpusStats, list[str]]:
    """Score the corpus with the rubric under check: which criteria it reaches, which terms it has.

    Only material of the rubric's own kind counts: a report the shipped rubrics would give to
    another rubric (a court's report, checked against `general`) is left out and counted in
    `other_kind`, so "never matches" speaks of the units the rubric is for."""
    from ..engine import load_scorer
    from .corpus import read_corpus

    corpus = read_corpus(corpus_dir)
    scorer = load_scorer(loaded)
    stats = CorpusStats(root=corpus_dir, reports=0)
    of_kind = _kind_filter(loaded)
    if loaded.rubric.applies_to:
        stats.kind = loaded.rubric.applies_to.kind
    for _path, doc in corpus:
        if not of_kind(doc):
            stats.other_kind += 1
            continue
        stats.reports += 1
        a = scorer.compiled.analyze(doc.text)
        for sentence_hits in a.hits:
            stats.surfaces.update(h.surface for h in sentence_hits)
        result = scorer.compiled.score(a, _NO_SUBMISSION)
        for c in [c for d in result.dimensions for c in d.criteria] + list(result.bonus.items):
            if c.evidence or c.satisfaction > 0:
                stats.reached[c.id] = stats.reached.get(c.id, 0) + 1
    return stats, corpus.failures


def _kind_filter(loaded: LoadedRubric):
    """doc → whether it is material of this rubric's kind: the rubric civscore would choose
    for it among this one and the shipped rubrics of other ids (scorer.engine.choose_rubric).
    A rubric that names no kind (no `applies_to`) takes every report."""
    from ..engine import choose_rubric
    from ..resources import bundled_rubrics
    from ..rubric import load_rubric

    if loaded.rubric.applies_to is None:
        return lambda doc: True
    candidates = [loaded]
    for p in bundled_rubrics():
        other = load_rubric(p)
        if other.rubric.id != loaded.rubric.id and other.rubric.applies_to is not None:
            candidates.append(other)
    claimed = [c for c in candidates if not c.rubric.applies_to.fallback]
    fallback = next((c for c in candidates if c.rubric.applies_to.fallback), None)
    return lambda doc: choose_rubric(claimed, fallback, doc)[0] is loaded


def run_rules(ctx: LintContext, select: set[str] | None = None) -> list[Finding]:
    out: list[Finding] = []
    for code, r in RULES.items():
        if select is not None and code not in select:
            continue
        if r.corpus and (ctx.corpus is None or ctx.corpus.reports == 0):
            continue
        out.extend(r.func(ctx))
    return sort_findings(out)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(findings, key=lambda f: (f.line, rank[f.severity], f.code, f.message))


def counts(findings: list[Finding]) -> dict[str, int]:
    out = {s: 0 for s in SEVERITIES}
    for f in findings:
        out[f.severity] += 1
    return out
