"""Lint a rubric: small rules, one function each, run over a validated rubric.

Each rule is a generator of `Finding`s registered with `@rule(code, severity)`;
rules that need reports (`corpus=True`) get the rubric's own scoring of the
corpus in `ctx.corpus`. A finding prints as `file:line: severity: sentence [code]`.

Schema problems (unknown keys, points that do not add up, duplicate ids,
patterns that do not compile) come from the loader and are errors; the rules
run only on a rubric that loads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import yaml

from ..errors import RubricError
from ..rubric import LoadedRubric
from ..rubric.schema import Rubric, Term
from ..match import patterns

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


@dataclass
class LintContext:
    loaded: LoadedRubric
    path: str  # as the user named it, for the findings
    corpus: CorpusStats | None = None

    @property
    def rubric(self) -> Rubric:
        return self.loaded.rubric

    def finding(self, loc: tuple, severity: str, message: str, code: str) -> Finding:
        return Finding(self.path, self.loaded.line_of(loc), severity, message, code)


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
class Owner:
    """Something that holds matchers: a criterion, a bonus item or a veto."""

    kind: str  # criterion | bonus | veto
    id: str
    loc: tuple
    matchers: tuple


def owners(r: Rubric, kinds: tuple[str, ...] = ("criterion", "bonus", "veto")) -> Iterator[Owner]:
    if "criterion" in kinds:
        for di, d in enumerate(r.dimensions):
            for ci, c in enumerate(d.criteria):
                yield Owner("criterion", c.id, ("dimensions", di, "criteria", ci), tuple(c.matchers))
    if "bonus" in kinds:
        for bi, b in enumerate(r.bonus.items):
            yield Owner("bonus", b.id, ("bonus", "items", bi), tuple(b.matchers))
    if "veto" in kinds:
        for vi, v in enumerate(r.vetoes):
            yield Owner("veto", v.id, ("vetoes", vi), tuple(v.matchers))


@dataclass(frozen=True)
class TermPlace:
    owner: Owner
    matcher_index: int
    matcher: object
    term: Term
    loc: tuple  # of the term entry

    def surface_loc(self, surface: str) -> tuple:
        if surface == self.term.term:
            return self.loc + ("term",)
        return self.loc + ("synonyms", self.term.synonyms.index(surface))


def term_places(r: Rubric, kinds: tuple[str, ...] = ("criterion", "bonus", "veto"), types=None) -> Iterator[TermPlace]:
    """Every term entry of every matcher (keywords terms, cooccur groups, quantity contexts)."""
    for owner in owners(r, kinds):
        for mi, m in enumerate(owner.matchers):
            if types and m.type not in types:
                continue
            mloc = owner.loc + ("matchers", mi)
            if m.type == "keywords":
                lists = [(mloc + ("terms",), m.terms)]
            elif m.type == "cooccur":
                lists = [(mloc + ("groups", gi), g) for gi, g in enumerate(m.groups)]
            elif m.type == "quantity":
                lists = [(mloc + ("context",), m.context)]
            else:
                lists = []
            for base, terms in lists:
                for ti, t in enumerate(terms):
                    yield TermPlace(owner, mi, m, t, base + (ti,))


def _label(owner: Owner) -> str:
    return {"criterion": "criterion", "bonus": "bonus item", "veto": "veto"}[owner.kind] + f" {owner.id}"


# -- the rules -----------------------------------------------------------------


@rule("duplicate-term", "warning")
def duplicate_terms(ctx: LintContext) -> Iterator[Finding]:
    """A keyword (term or synonym) listed in two criteria: one sentence earns evidence for both."""
    first: dict[str, tuple[TermPlace, str]] = {}
    for place in term_places(ctx.rubric, ("criterion", "bonus"), types={"keywords"}):
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


def _patterns(r: Rubric) -> Iterator[tuple[Owner, tuple, str]]:
    for owner in owners(r):
        for mi, m in enumerate(owner.matchers):
            if m.type == "pattern":
                yield owner, owner.loc + ("matchers", mi, "pattern"), m.pattern


@rule("nested-quantifier", "error")
def nested_quantifiers(ctx: LintContext) -> Iterator[Finding]:
    """A pattern with a repeated group that holds a repeated item, (x+)+: catastrophic backtracking."""
    for owner, loc, pattern in _patterns(ctx.rubric):
        for outer, inner in patterns.nested_quantifiers(pattern):
            yield ctx.finding(
                loc, "error",
                f"pattern {pattern!r} of {_label(owner)} repeats a group (at {outer}) that holds a repeated item "
                f"(at {inner}), which can backtrack catastrophically; bound the inner item or make it possessive.",
                "nested-quantifier",
            )


@rule("slow-pattern", "error")
def slow_patterns(ctx: LintContext) -> Iterator[Finding]:
    """A pattern that runs past the timeout on adversarial text built from its own characters."""
    for owner, loc, pattern in _patterns(ctx.rubric):
        result = patterns.probe(pattern)
        if result.timed_out:
            sample = result.sample if len(result.sample) <= 24 else result.sample[:20] + f"…({len(result.sample)} chars)"
            yield ctx.finding(
                loc, "error",
                f"pattern {pattern!r} of {_label(owner)} ran out of time on {sample!r}: "
                "it backtracks catastrophically; rewrite it.",
                "slow-pattern",
            )


@rule("idle-unless", "warning")
def idle_unless(ctx: LintContext) -> Iterator[Finding]:
    """An `unless` phrase that contains none of its matcher's terms, so it can never block a hit."""
    for owner in owners(ctx.rubric):
        for mi, m in enumerate(owner.matchers):
            if not m.unless:
                continue
            surfaces: set[str] = set()
            for place in term_places_of(m):
                surfaces.update(place.surfaces)
            for ui, phrase in enumerate(m.unless):
                if m.type == "pattern" or not any(s in phrase for s in surfaces):
                    yield ctx.finding(
                        owner.loc + ("matchers", mi, "unless", ui), "warning",
                        f"unless phrase '{phrase}' of {_label(owner)} contains none of the matcher's terms, "
                        "so it never blocks a hit.",
                        "idle-unless",
                    )


def term_places_of(m) -> list[Term]:
    if m.type == "keywords":
        return list(m.terms)
    if m.type == "cooccur":
        return [t for g in m.groups for t in g]
    if m.type == "quantity":
        return list(m.context)
    return []


# -- running -------------------------------------------------------------------

_PROBLEM = re.compile(r"^(?P<line>\d+): (?P<rest>.*)$", re.S)
_ADD_UP = "add up to"


def _yaml_lines(text: str) -> dict[tuple, int]:
    """Line of every mapping key's value in raw YAML (used when the schema refuses the file)."""
    lines: dict[tuple, int] = {}

    def visit(node, loc):
        lines[loc] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                lines[loc + (str(k.value),)] = k.start_mark.line + 1
                visit(v, loc + (str(k.value),))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                visit(v, loc + (str(i),))

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines
    if node is not None:
        visit(node, ())
    return lines


def schema_findings(err: RubricError, path: Path, shown: str) -> list[Finding]:
    """The loader's problems (`path:line: field: msg`) as error findings.

    A sum that does not add up is moved from the dimension's first line to its `points`.
    """
    prefix = f"{path}:"
    try:
        lines = _yaml_lines(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        lines = {}
    out = []
    for p in err.problems:
        body = p[len(prefix):] if p.startswith(prefix) else p
        m = _PROBLEM.match(body)
        if not m:
            out.append(Finding(shown, 1, "error", body.removeprefix(f"{path}: ").strip(), "schema"))
            continue
        line, rest = int(m.group("line")), m.group("rest")
        field_path, _, msg = rest.partition(": ")
        if _ADD_UP in msg:
            key = tuple(field_path.split(".")) + ("points",) if field_path != "(top level)" else ("total",)
            line = lines.get(key, line)
        out.append(Finding(shown, line, "error", f"{field_path}: {msg}" if msg else rest, "schema"))
    return out


def corpus_stats(loaded: LoadedRubric, corpus_dir: Path) -> tuple[CorpusStats, list[str]]:
    """Score the corpus with the rubric under check: which criteria it reaches, which terms it has."""
    from ..engine import Scorer
    from .corpus import read_corpus

    corpus = read_corpus(corpus_dir)
    scorer = Scorer(loaded)
    stats = CorpusStats(root=corpus_dir, reports=len(corpus))
    for _path, doc in corpus:
        a = scorer.compiled.analyze(doc.text)
        for sentence_hits in a.hits:
            stats.surfaces.update(h.surface for h in sentence_hits)
        dimensions, bonus, *_ = scorer.compiled.score(a)
        for c in [c for d in dimensions for c in d.criteria] + list(bonus.items):
            if c.evidence or c.satisfaction > 0:
                stats.reached[c.id] = stats.reached.get(c.id, 0) + 1
    return stats, corpus.failures


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
