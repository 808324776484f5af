"""Score: turn rule hits into criterion levels, dimension subtotals, bonus, vetoes and a grade.

Evidence counts by distinct sentences (a sentence pasted twice counts once);
the k-th best sentence of a matcher weighs `decay**k`, so repetition earns little;
sentences that are mostly rubric terms (keyword lists) weigh almost nothing.
"""

from __future__ import annotations

import bisect
import itertools
import re

import numpy as np
from dataclasses import dataclass

from . import __version__
from .errors import InvalidValue, RubricError
from .ingest.han import HAN
from .match.base import Analysis, Rule, RuleHit
from .match.lexicon import Lexicon
from .match.registry import build_rule, matcher_types
from .match.types.pattern import compile_pattern
from .rubric import LoadedRubric
from .rubric.problems import Problem
from .rubric.schema import Level, Rubric
from .rubric.walk import Owner, owners
from .fit import ItemProfiles, SentenceFits, share_lookup
from .judge import features as judge_features
from .judge.material import material_scale
from .judge.model import JudgeModel, load_judge
from .judge.veto import sentence_features
from .similarity import NearCopies, Restatement, abstracted_key, specificity
from .text import sentence_key
from .result import (
    CriterionResult,
    Evidence,
    JudgeInfo,
    Match,
    MaterialVerdict,
    Missing,
    RubricInfo,
    ScoreResult,
    GradeInfo,
    JudgeRule,
    LevelInfo,
    Span,
    SubmissionInfo,
    VetoHit,
    judged_satisfaction,
    judged_weight,
    level_for,
    tallied,
)

_CONTENT = re.compile(f"[{HAN}0-9]+")  # Chinese characters and digits: what prose is made of (runs)
_NOT_HAN = re.compile(f"[^{HAN}]+")
HEADING_WEIGHT = 0.5


def _merged(hits) -> list[tuple[int, int]]:
    """The union of the hits' spans, as disjoint sorted intervals."""
    out: list[tuple[int, int]] = []
    for h in sorted(hits, key=lambda h: h.start):
        if out and h.start <= out[-1][1]:
            if h.end > out[-1][1]:
                out[-1] = (out[-1][0], h.end)
        else:
            out.append((h.start, h.end))
    return out


# A hit in a sentence that fits other items better (scoring.fit_top).
FIT = "fit"


_ANCHOR = re.compile(r"(?<!\\)[\^$]|\\[Azb]")


class _Joined:
    """A report's sentences joined by newlines as UTF-8 bytes (RE2 matches bytes: a str is encoded
    and every match's offsets decoded back, per pattern), with each sentence's byte offset."""

    __slots__ = ("texts", "data", "starts")

    def __init__(self, texts: list[str]):
        self.texts = texts
        encoded = [t.encode("utf-8") for t in texts]
        self.data = b"\n".join(encoded)
        self.starts = list(itertools.accumulate((len(e) + 1 for e in encoded[:-1]), initial=0))


def _sentences_matching(pattern, texts: list[str] | _Joined) -> set[int]:
    """Indexes of the sentences in which `pattern` (RE2) matches, as `pattern.search(text)` per
    sentence would say, in one pass: the sentences are joined by newlines (which `.` does not
    cross); a sentence touched by a match that does cross one is searched on its own. A
    pattern with anchors (^, $, \\A, \\z) is searched sentence by sentence."""
    joined = texts if isinstance(texts, _Joined) else _Joined(texts)
    texts = joined.texts
    if _ANCHOR.search(pattern.pattern):
        return {i for i, t in enumerate(texts) if pattern.search(t) is not None}
    data, starts = joined.data, joined.starts
    hit: set[int] = set()
    recheck: set[int] = set()
    search, count, pos = pattern.search, len(starts), 0
    # A sentence a match lies inside is found: the search goes on from the next sentence's start
    # (a sentence's later matches tell nothing more; each is a match object to make). Every
    # sentence a search from before it could match is still found, or touched by a match that
    # crosses a newline and searched on its own.
    while True:
        m = search(data, pos)  # byte offsets: a match starts and ends on a character's bounds
        if m is None:
            break
        start, end = m.span()
        if start == end:
            # An empty match: on bytes RE2 would step one byte (into a character), on text one
            # character. Rare in a rubric; searched the way a str is.
            return _sentences_matching_text(pattern, texts)
        first = bisect.bisect_right(starts, start) - 1
        last = bisect.bisect_right(starts, end - 1) - 1
        if first == last and b"\n" not in data[start:end]:
            hit.add(first)
            if first + 1 >= count:
                break
            pos = starts[first + 1]
        else:
            recheck.update(range(first, last + 1))
            pos = end
    hit.update(i for i in recheck - hit if pattern.search(texts[i]) is not None)
    return hit


def _sentences_matching_text(pattern, texts: list[str]) -> set[int]:
    """`_sentences_matching` over the joined text as a str (offsets in characters)."""
    joined = "\n".join(texts)
    starts = list(itertools.accumulate((len(t) + 1 for t in texts[:-1]), initial=0))
    hit: set[int] = set()
    recheck: set[int] = set()
    for m in pattern.finditer(joined):
        first = bisect.bisect_right(starts, m.start()) - 1
        last = bisect.bisect_right(starts, max(m.start(), m.end() - 1)) - 1
        if first == last and "\n" not in m.group():
            hit.add(first)
        else:
            recheck.update(range(first, last + 1))
    hit.update(i for i in recheck - hit if pattern.search(texts[i]) is not None)
    return hit


def _wording(owner: Owner) -> str:
    """An item's own wording in the rubric: what its profile is built from."""
    item = owner.item
    parts = [item.name, *(getattr(item, k, "") for k in ("full", "partial", "hint"))]
    parts += [m.label for m in owner.matchers]
    return " ".join(p for p in parts if p)


def _judge_path(loaded: LoadedRubric):
    """The judge file a rubric names, beside it; a copy of a shipped rubric elsewhere (a maintainer's
    edit) uses the shipped rubric's judge of the same id, and shows it as trained for another rubric."""
    from .resources import bundled_rubric

    name = loaded.rubric.judge.file
    declared_in = loaded.file_of(("judge", "file"))  # the rubric's own file, or the base that names it
    here = declared_in.parent / name
    if here.exists():
        return here
    shipped = bundled_rubric(loaded.rubric.id)
    if shipped is not None and (shipped.parent / name).exists():
        return shipped.parent / name
    raise RubricError(loaded.path, [Problem(declared_in, loaded.line_of(("judge", "file")), ("judge", "file"),
                                            "judge-missing", file=str(here))])


def _bigrams(text: str) -> set[str]:
    t = _NOT_HAN.sub("", text)
    return {t[i : i + 2] for i in range(len(t) - 1)}


def _rule_grams(owners_: list[Owner], rules: dict[str, list[Rule]]) -> dict[str, set[str]]:
    """Per rule: the character bigrams of its terms that no more than two items' terms share."""
    per_rule = {rule.id: set().union(*(_bigrams(t) for t in rule.surfaces())) if rule.surfaces() else set()
                for rs in rules.values() for rule in rs}
    items_of: dict[str, set[str]] = {}
    for o in owners_:
        for rule in rules.get(o.id, []):
            for g in per_rule[rule.id]:
                items_of.setdefault(g, set()).add(o.id)
    return {rid: {g for g in grams if len(items_of.get(g, ())) <= 2} for rid, grams in per_rule.items()}


# A hit that names one term in a sentence reporting nothing done (scoring.practice_pattern).
MENTION = "mention"


@dataclass(frozen=True)
class Marks:
    discounts: tuple[int, ...]  # indexes into CompiledRubric.discounts
    practiced: bool  # the sentence reports something done (scoring.practice_pattern)


@dataclass
class Judged:
    score: float
    level: str
    satisfaction: float
    evidence: list[Evidence]
    missing: list[Missing]


def _slot_setters():
    """The setters of the four slots every pydantic model has (`__dict__` and three of pydantic's),
    called directly: object.__setattr__ looks each name up through the class's MRO first
    (~0.3 µs a call, four a model). None if this pydantic lays its models out otherwise."""
    from pydantic import BaseModel

    slots = BaseModel.__dict__
    try:
        return tuple(slots[k].__set__ for k in
                     ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__"))
    except (KeyError, AttributeError):
        return None


_SLOTS = _slot_setters()


def _made(cls, values: dict):
    """`cls.model_construct(**values)` for values the engine made itself, with every field given.

    The same three attributes model_construct sets, without its per-field
    walk: a report builds ~1,000 of these, and this keeps scoring as fast as
    before evidence carried structured matches."""
    m = object.__new__(cls)  # what cls.__new__ is: a pydantic model defines none
    if _SLOTS is not None:
        set_dict, set_fields, set_extra, set_private = _SLOTS
        set_dict(m, values)
        set_fields(m, set(values))
        set_extra(m, None)
        set_private(m, None)
        return m
    _set = object.__setattr__
    _set(m, "__dict__", values)
    _set(m, "__pydantic_fields_set__", set(values))
    _set(m, "__pydantic_extra__", None)
    _set(m, "__pydantic_private__", None)
    return m


class _Spans:
    """One `Span` per (start, end, term) of a report, shared by the matches and evidence that quote it."""

    __slots__ = ("text", "made")

    def __init__(self, text: str):
        self.text = text
        self.made: dict[tuple[int, int, str], Span] = {}

    def __call__(self, start: int, end: int, term: str) -> Span:
        key = (start, end, term)
        span = self.made.get(key)
        if span is None:
            span = self.made[key] = _made(Span, {"text": self.text[start:end], "start": start, "end": end, "term": term})
        return span


def _match(rule: Rule, h: RuleHit, spans: _Spans) -> Match:
    made, text = spans.made, spans.text  # _Spans.__call__ inlined: ~1,000 spans a report
    terms = []
    hs = h.spans
    # One span (most hits of a keyword rule) needs no set and no sort.
    for key in ((hs[0].start, hs[0].end, hs[0].term),) if len(hs) == 1 else sorted({(s.start, s.end, s.term) for s in hs}):
        span = made.get(key)
        if span is None:
            start, end, term = key
            span = made[key] = _made(Span, {"text": text[start:end], "start": start, "end": end, "term": term})
        terms.append(span)
    return _made(Match, {
        "rule": rule.id, "type": rule.type, "label": rule.label,
        "terms": terms, "value": h.value, "note": h.note,
    })


class CompiledRubric:
    """A rubric's rules and lexicon, built once and applied to many reports."""

    def __init__(self, loaded: LoadedRubric, *, with_judge: bool = True):
        self.loaded = loaded
        r: Rubric = loaded.rubric
        self.rubric = r
        self.owners: list[Owner] = list(owners(r))
        self.rules: dict[str, list[Rule]] = {}
        for owner in self.owners:
            self.rules[owner.id] = [self._build(m, loc, f"{owner.id}#{mi + 1}") for mi, loc, m in owner.matcher_locs()]
        # Each veto rule without its distance and clause limits: what the learned veto judgement
        # decides over (`veto_candidates`). A rule with no such limit proposes nothing more.
        self.relaxed: dict[str, list[Rule]] = {}
        for owner in self.owners:
            if owner.kind != "veto":
                continue
            out = []
            for rule in self.rules[owner.id]:
                spec = rule.relaxed_spec()
                if spec is not None and spec != rule.spec:
                    relaxed = build_rule(spec, rule.id, r.slogans)
                    relaxed.bind(r)
                    out.append(relaxed)
            # The veto's `candidates`: sentences only the judgement may make a veto of.
            out += [self._build(m, owner.loc + ("candidates", ci), f"{owner.id}#c{ci + 1}")
                    for ci, m in enumerate(owner.item.candidates)]
            self.relaxed[owner.id] = out
        every = [rule for rs in (*self.rules.values(), *self.relaxed.values()) for rule in rs]
        self.lexicon = Lexicon(
            terms=set().union(*(rule.surfaces() for rule in every)),
            blocks=set().union(*(rule.blocks() for rule in every)),
            cues=r.negation.cues,
            breakers=r.negation.breakers,
            cause_markers=r.negation.cause_markers,
            cause_ends=r.negation.cause_ends,
        )
        self.levels: list[Level] = list(r.levels)
        used = {m.type for o in self.owners for m in o.matchers}
        self.rubric_info = RubricInfo(
            id=r.id, version=r.version, sha256=loaded.sha256, title=r.title, path=str(loaded.path),
            matchers=[name for name in matcher_types() if name in used], grade_note=r.grade_note,
            levels=[LevelInfo(id=lv.id, share=lv.share, min=lv.min, label=lv.label) for lv in r.levels],
            grades=[GradeInfo(name=g.name, min=g.min, tier=g.tier or "pass") for g in r.grades],
            veto_grade=r.veto_grade,
            judge_rule=JudgeRule(**r.judge.model_dump(include={"accept", "show", "need", "decay", "plain"}))
            if r.judge is not None else None,
        )
        # Per rule, the terms that name a practice (breadth counts these; each matcher type says which).
        self.practices = {rule.id: rule.spec.practice_terms() for rule in every}
        sc = r.scoring
        # Kinds of sentence that are not the unit's own practice (directives, plans, award news…).
        self.discounts = [(d, compile_pattern(d.pattern)) for d in sc.marks]
        self.practice = compile_pattern(sc.practice_pattern) if sc.practice_pattern else None
        why = {d.id: d.why for d in sc.marks}
        if self.practice is not None:
            why[MENTION] = sc.mention_why or MENTION
        # Each item's own wording, to tell which items a sentence fits best.
        self.profiles = None
        if sc.fit_top:
            self.profiles = ItemProfiles([(o.id, _wording(o)) for o in self.owners if o.kind != "veto"])
            why[FIT] = sc.fit_why or FIT
        self.judge_model: JudgeModel | None = None
        if (r.judge is not None or not with_judge) and self.profiles is None:
            self.profiles = ItemProfiles([(o.id, _wording(o)) for o in self.owners if o.kind != "veto"])
        if r.judge is not None and with_judge:
            self.judge_model = load_judge(_judge_path(loaded))
            m = self.judge_model.meta
            info = JudgeInfo(
                version=str(m.get("version", "")), sha256=self.judge_model.sha256,
                rubric_sha256=str(m.get("rubric_sha256", "")), training_sha256=str(m.get("training_sha256", "")),
                stale=m.get("rubric_sha256") != loaded.sha256,
                figures={k: float(v) for k, v in (m.get("figures") or {}).items()},
            )
            self.rubric_info = self.rubric_info.model_copy(update={"judge": info})
            # judge_inputs reads the sentences in the profiles' space, then the judge in its own.
            share_lookup(self.profiles.space, self.judge_model.space)
        # The veto judgement, where the judge file has one (the rules stay the floor).
        self.veto_head = self.judge_model.veto if self.judge_model is not None else None
        self.veto_unless = tuple(r.judge.veto_unless) if r.judge is not None else ()
        # The items the judge decides (the others keep their matchers' verdict).
        self.judged_ids = [o.id for o in self.owners if o.kind != "veto" and self.judge_model is not None
                           and o.id in self.judge_model.index]
        self.mark_ids = [d.id for d, _ in self.discounts]
        # Per rule, the character bigrams of its terms that name this item only (a missing line is
        # not listed when an evidence sentence names them: 献血量 answers 无偿献血).
        self.rule_grams = _rule_grams(self.owners, self.rules)
        self.rubric_info = self.rubric_info.model_copy(update={"discounts": why})
        # The rubric's own wording: a sentence that restates it is a claim, not evidence.
        wording = [t for o in self.owners for t in (getattr(o.item, k, "") for k in ("full", "partial", "hint")) if t]
        self.restatement = Restatement(wording, *sc.restatement, sc.restatement_weight)

    def analyze(self, text: str) -> Analysis:
        return Analysis.of(text, self.lexicon)

    # -- scoring ---------------------------------------------------------------

    def sentence_factors(self, a: Analysis) -> list[float]:
        """How much each sentence may count, 0–1.

        0 for a sentence seen before, for a keyword list (terms cover most of it)
        and for a template seen before (the same words around different terms:
        加强党建。加强志愿服务。…); short sentences count in proportion to their
        prose; headings count half. What kind of sentence it is (a directive, a
        plan, award news) is weighed per item by `sentence_marks`.
        """
        sc = self.rubric.scoring
        text = a.text
        sentences = a.seg.sentences
        keys = a.seg.keys
        # First what each sentence is made of, on its own: its content characters, those its terms
        # cover and, if it holds terms, its template; then, in order, what counts of it. (The
        # templates known first, NearCopies finds their trigrams all at once.)
        parts: list[tuple[int, int, str | None] | None] = []  # None: counts nothing
        for sent, hits in zip(sentences, a.hits):
            if sent.duplicate_of is not None:
                parts.append(None)
                continue
            content = sum(map(len, _CONTENT.findall(sent.text)))  # runs: fewer strings than one a character
            merged = _merged(hits)
            covered = sum(e - s for s, e in merged)  # rubric terms are Chinese: content characters
            if content == 0 or covered / content > sc.max_term_density:
                parts.append(None)
                continue
            template = None
            if merged:
                # sentence_key("□".join(the pieces between the terms)): □ is no key character, and
                # a key is the characters kept one by one, so it is the pieces' keys joined.
                if keys is not None:
                    pieces, pos = [], sent.start
                    for s, e in merged:
                        pieces.append(keys.key(pos, s))
                        pos = e
                    pieces.append(keys.key(pos, sent.end))
                    template = "".join(pieces)
                else:
                    pieces, pos = [], sent.start
                    for s, e in merged:
                        pieces.append(text[pos:s])
                        pos = e
                    pieces.append(text[pos : sent.end])
                    template = sentence_key("□".join(pieces))
            parts.append((content, covered, template))
        abstracted = {t: abstracted_key(t) for p in parts if p is not None and (t := p[2]) is not None}
        copies = NearCopies(sc.near_copy)
        copies.prepare(list(dict.fromkeys(abstracted.values())))
        factors = []
        templates: set[str] = set()
        shares: dict[int, float] | None = None
        for sent, part in zip(sentences, parts):
            if part is None:
                factors.append(0.0)
                continue
            content, covered, template = part
            if template is not None:
                if template in templates:
                    factors.append(0.0)
                    continue
                templates.add(template)
                # The same claim again with other numbers, places or synonyms earns nothing
                # more. (Compared among sentences that hold rubric terms: only they earn.)
                if copies.seen(abstracted[template]):
                    factors.append(0.0)
                    continue
            f = min(1.0, (content - covered) / sc.min_prose_chars) if sc.min_prose_chars else 1.0
            if template is not None and self.restatement.active:
                if shares is None:  # the share of the rubric's wording of each sentence that may ask, all at once
                    asking = [si for si, part in enumerate(parts) if part is not None and part[2] is not None]
                    shares = dict(zip(asking, self.restatement.shares_of_keys([sentences[si].key for si in asking])))
                f *= self.restatement.factor_of_share(shares[sent.index])
            factors.append(f * (HEADING_WEIGHT if sent.is_heading else 1.0))
        return factors

    def sentence_marks(self, a: Analysis) -> list[Marks]:
        """Per sentence: the discounts whose pattern matches it (a paragraph-scoped one from its
        match to the paragraph's end) and whether it reports something done."""
        sentences = a.seg.sentences
        texts = [s.text for s in sentences]
        joined = _Joined(texts)
        found = [_sentences_matching(pat, joined) for _, pat in self.discounts]
        practiced = _sentences_matching(self.practice, joined) if self.practice is not None else None
        out: list[Marks] = []
        running: dict[int, int] = {}  # discount index -> paragraph it runs to the end of
        for si, sent in enumerate(sentences):
            marks = []
            done = practiced is None or si in practiced
            for i, (d, _) in enumerate(self.discounts):
                if d.unless_practice and done:
                    continue
                if running.get(i) == sent.paragraph or si in found[i]:
                    marks.append(i)
                    if d.scope == "paragraph":
                        running[i] = sent.paragraph
            out.append(Marks(tuple(marks), done))
        return out

    def sentence_fits(self, a: Analysis, factors: list[float]) -> SentenceFits | None:
        """Each item's fit rank for a sentence (0 = its best fit), computed on first use for
        every sentence that counts and holds a rubric term."""
        if self.profiles is None:
            return None
        candidates = [si for si, hits in enumerate(a.hits) if hits and factors[si] > 0]
        return SentenceFits(self.profiles, [s.text for s in a.seg.sentences], candidates)

    def level_for(self, satisfaction: float) -> Level:
        return level_for(self.levels, satisfaction)

    def judge(self, rules: list[Rule], points: float, a: Analysis, factors: list[float],
              span_of: _Spans | None = None, marks: list[Marks] | None = None, owner_id: str = "",
              fits: SentenceFits | None = None) -> Judged:
        span_of = span_of or _Spans(a.text)
        marks = marks if marks is not None else self.sentence_marks(a)
        sc = self.rubric.scoring
        # This item's weight of each sentence: its factor, times each discount that does not spare the item.
        applied: dict[int, list[str]] = {}
        item_factor = list(factors)
        for si, mk in enumerate(marks):
            for i in mk.discounts:
                d = self.discounts[i][0]
                if owner_id not in d.spares:
                    item_factor[si] *= d.weight
                    applied.setdefault(si, []).append(d.id)
        factors = item_factor
        decay = sc.decay
        mention = owner_id not in sc.mention_spares
        sentences = a.seg.sentences
        evidence: dict[int, tuple[list[Match], list, list[float]]] = {}
        weighted_sat = 0.0
        total_weight = 0.0
        missing = []

        def note(si: int, why: str) -> None:
            noted = applied.setdefault(si, [])
            if why not in noted:
                noted.append(why)
        for rule in rules:
            hits: list[RuleHit] = [h for h in rule.evaluate(a) if factors[h.sentence] > 0]
            practices = self.practices.get(rule.id)
            if sc.breadth_bonus and practices:
                # One sentence that names several distinct practices of a matcher (开展了A、B、C)
                # is stronger evidence than one naming a single practice.
                for h in hits:
                    extra = len({s.term for s in h.spans if s.term in practices}) - 1
                    if extra > 0:
                        h.weight *= min(sc.breadth_cap, 1 + sc.breadth_bonus * extra)
            for h in hits:
                # One term named, nothing reported done: a mention (文化建设是…), not a practice.
                if mention and not marks[h.sentence].practiced and len({s.term for s in h.spans}) == 1:
                    h.weight *= sc.mention_weight
                    note(h.sentence, MENTION)
                # The sentence fits other items better: credited to them in full, to this one less.
                if fits is not None and fits.rank(h.sentence, owner_id) >= sc.fit_top:
                    h.weight *= sc.fit_weight
                    note(h.sentence, FIT)
            weights = sorted((h.weight * factors[h.sentence] for h in hits), reverse=True)
            strength = sum(w * decay**k for k, w in enumerate(weights))
            sat = min(1.0, strength / rule.spec.need)
            weighted_sat += sat * rule.spec.weight
            total_weight += rule.spec.weight
            if sat < 1.0:
                missing.append(_made(Missing, {
                    "label": rule.label, "status": "absent" if sat == 0 else "insufficient", "rule": rule.id}))
            for h in hits:
                matches, spans, weights_here = evidence.setdefault(h.sentence, ([], [], []))
                matches.append(_match(rule, h, span_of))
                spans.extend(h.spans)
                weights_here.append(h.weight * factors[h.sentence])
        satisfaction = weighted_sat / total_weight if total_weight else 0.0
        level = self.level_for(satisfaction)
        items = []
        for si in sorted(evidence):
            sent = sentences[si]
            matches, spans, weights_here = evidence[si]
            uniq = sorted({(s.start, s.end, s.term) for s in spans})
            # model_construct: these values come from the engine itself, not from input.
            items.append(_made(Evidence, {
                "text": sent.text,
                "start": sent.start,
                "end": sent.end,
                "matches": matches,
                "paragraph": sent.paragraph,
                "weight": round(max(weights_here), 3),
                "terms": [span_of(s, e, t) for s, e, t in uniq],
                "specificity": specificity(sent.text),
                "probability": None,
                "discounts": applied.get(si, []),
            }))
        return Judged(round(points * level.share, 1), level.id, round(satisfaction, 3), items, missing)

    def _item(self, owner: Owner, a: Analysis, factors: list[float], span_of: _Spans,
              marks: list[Marks], fits: SentenceFits | None, judged: dict | None = None) -> CriterionResult:
        """A criterion's or a bonus item's result: built here only."""
        if judged and owner.id in judged:
            p, accepted, hits, spec, han_of = judged[owner.id]
            return self._judged_item(owner, p, accepted, hits, a, factors, span_of, marks, spec, han_of)
        item = owner.item
        j = self.judge(self.rules[owner.id], item.points, a, factors, span_of, marks, owner.id, fits)
        return CriterionResult.model_construct(
            id=item.id, name=item.name, score=j.score, max=item.points, level=j.level,
            satisfaction=j.satisfaction, evidence=j.evidence, missing=j.missing, hint=item.hint,
        )

    # -- the sentence judge ----------------------------------------------------

    def rule_hits(self, a: Analysis) -> dict[str, list[tuple[Rule, list[RuleHit]]]]:
        """Every scored item's rules and their hits, evaluated once per report."""
        return {o.id: [(rule, rule.evaluate(a)) for rule in self.rules[o.id]] for o in self.owners if o.kind != "veto"}

    def _build(self, m, loc: tuple, rule_id: str) -> Rule:
        """The compiled rule of the matcher spec at `loc`; a spec the rule refuses ends in its line."""
        r, loaded = self.rubric, self.loaded
        try:
            rule = build_rule(m.with_phrase_sets(r.phrase_sets), rule_id, r.slogans)
            rule.bind(r)
            return rule
        except InvalidValue as e:  # a rule that refuses its spec, with the spec's line
            line = loaded.line_of(loc)
            raise RubricError(loaded.path, [Problem(loaded.file_of(loc), line, loc, e.code, **e.fields)]) from None
        except ValueError as e:
            line = loaded.line_of(loc)
            raise RubricError(loaded.path, [Problem(loaded.file_of(loc), line, loc, "rule", detail=str(e))]) from None

    def veto_candidates(self, a: Analysis) -> tuple[np.ndarray, dict[int, tuple[Owner, Rule, RuleHit, int]]]:
        """What the veto judgement reads besides the text, for training: per sentence, 1/0 does a
        veto rule raise it; and the candidates (`relaxed_candidates`)."""
        rule = np.zeros(len(a.seg.sentences))
        for o in self.owners:
            if o.kind == "veto":
                for r in self.rules[o.id]:
                    for h in r.evaluate(a):
                        rule[h.sentence] = 1.0
        return rule, self.relaxed_candidates(a)

    def relaxed_candidates(self, a: Analysis) -> dict[int, tuple[Owner, Rule, RuleHit, int]]:
        """The sentences a veto rule without its distance and clause limits raises
        (`Rule.relaxed_spec`: order, `breaks`, `unless`, `unless_sentence` and names still hold),
        or one of the veto's `candidates` does,
        each with the first veto (rubric order) and rule that raises it, the hit, and the
        sentence its window starts at (an earlier sentence when the hit's name was carried from
        it). A window holding one of the rubric's `judge.veto_unless` phrases is no candidate."""
        cands: dict[int, tuple[Owner, Rule, RuleHit, int]] = {}
        for o in self.owners:
            for r in self.relaxed.get(o.id, ()):
                for h in r.evaluate(a):
                    if h.sentence not in cands:
                        first = a.sentence_at(min(sp.start for sp in h.spans)) if h.spans else None
                        cands[h.sentence] = (o, r, h, h.sentence if first is None else min(first, h.sentence))
        if self.veto_unless and cands:  # the rubric's word on where the judgement may not raise
            cands = {si: c for si, c in cands.items()
                     if not any(p in self.veto_window(a, si, c[3])[2] for p in self.veto_unless)}
        return cands

    def veto_window(self, a: Analysis, si: int, first: int) -> tuple[int, int, str]:
        """(start, end, text) of a candidate's window: from its first sentence to its own."""
        start, end = a.seg.sentences[first].start, a.seg.sentences[si].end
        return start, end, a.text[start:end]

    def _judged_vetoes(self, a: Analysis, span_of: _Spans, raised: set[int | None]) -> list[VetoHit]:
        """The veto judgement over the sentences a relaxed veto rule raises and no veto rule
        does (those are vetoes already: the rules are the floor). A candidate is a veto
        when the judge finds its window likely enough (the judge file's threshold); it is shown
        under the first veto whose terms hold it, with the window as its quote, those terms
        and the judge's probability."""
        head = self.veto_head
        # The rules' own hits were found by `_veto_hits` (`raised`): only the relaxed rules run here.
        cands = {si: c for si, c in self.relaxed_candidates(a).items()
                 if si not in raised and c[3] not in raised and a.seg.sentences[si].duplicate_of is None}
        if not cands:
            return []
        order = sorted(cands)
        windows = [self.veto_window(a, si, cands[si][3]) for si in order]
        texts = [w[2] for w in windows]
        p = head.probabilities(texts, sentence_features(texts, head.features, self.rubric.phrase_sets,
                                                        np.zeros(len(order)), np.ones(len(order))))
        out = []
        for si, (start, end, text), prob in zip(order, windows, p.tolist()):
            if prob < head.threshold:
                continue
            owner, rule, h, _first = cands[si]
            m = _match(rule, h, span_of)
            m = m.model_copy(update={"rule": f"{owner.id}#judge", "type": "judge", "value": round(prob, 3),
                                     "note": f"句子判定 {prob:.2f}（{h.note}）"})
            out.append(VetoHit.model_construct(id=owner.id, name=owner.item.name, text=text,
                                               start=start, end=end, match=m))
        return out

    def judge_inputs(self, a: Analysis, factors: list[float], marks: list[Marks],
                     hits: dict[str, list[tuple[Rule, list[RuleHit]]]], items: list[str],
                     names: list[str] | None = None, spec: list[float] | None = None) -> tuple[list[str], np.ndarray]:
        """The sentences' texts and the (sentence, item, feature) array the judge reads (training too).
        `spec`: each sentence's `specificity`, if the caller has it already."""
        sentences = a.seg.sentences
        texts = [s.text for s in sentences]
        sims = self.profiles.similarities_of(texts) if texts else np.zeros((0, len(self.profiles.ids)))
        cols = [self.profiles.index[i] for i in items]
        pair = judge_features.pair_features(
            sentences, items, hits, sims[:, cols], factors, marks, self.mark_ids,
            spec if spec is not None else [specificity(t) for t in texts], names,
        )
        return texts, pair

    def judgements(self, a: Analysis, factors: list[float], marks: list[Marks],
                   hits: dict[str, list[tuple[Rule, list[RuleHit]]]], spec: list[float] | None = None) -> np.ndarray:
        """P[s, i]: how likely a reviewer accepts sentence s as this unit's own evidence for the
        i-th judged item, times what the sentence may count for (`sentence_factors`)."""
        jm = self.judge_model
        texts, pair = self.judge_inputs(a, factors, marks, hits, self.judged_ids, jm.features, spec)
        if not texts:
            return np.zeros((0, len(self.judged_ids)))
        p = jm.probabilities(texts, pair, self.judged_ids)
        # What a sentence may count for at all (sentence_factors): a repeat, a keyword list or a near
        # copy nothing, a restatement of the rubric's own wording or a heading less.
        return p * np.asarray(factors)[:, None]

    def _judged_item(self, owner: Owner, p: list[float], accepted: list[int], hits: list[tuple[Rule, list[RuleHit]]],
                     a: Analysis, factors: list[float], span_of: _Spans, marks: list[Marks], spec: list[float],
                     han_of) -> CriterionResult:
        """A criterion's or bonus item's result from the judge's verdicts: its level from the sentences
        judged to evidence it (how many, how concrete), its missing lines from the same verdicts.
        `p`: each sentence's probability for this item; `accepted`: the sentences at or above the
        judge's `accept`, most probable first (ties in sentence order); `han_of(si)`: a sentence's
        Chinese characters (`_NOT_HAN` dropped), once per report."""
        js = self.rubric.judge
        accept, plain = js.accept, js.plain
        item = owner.item
        sentences = a.seg.sentences
        satisfaction = judged_satisfaction([judged_weight(p[si], spec[si], js) for si in accepted], js)
        level = self.level_for(satisfaction)
        hit_by: dict[int, list[Match]] = {}
        for rule, rule_hits in hits:
            for h in rule_hits:
                if p[h.sentence] >= accept:
                    hit_by.setdefault(h.sentence, []).append(_match(rule, h, span_of))
        evidence = []
        judge_rule = f"{owner.id}#judge"
        made = span_of.made  # every term of a match is there already (_match)
        discount_ids = [d.id for d, _ in self.discounts]
        for si in sorted(accepted):
            sent = sentences[si]
            prob = round(p[si], 3)
            judged = _made(Match, {
                "rule": judge_rule, "type": "judge", "label": "句子判定",
                "terms": [], "value": prob, "note": f"可信度 {prob:.2f}"})
            found = hit_by.get(si)
            if found is None:  # the judge's own match alone, which quotes no term
                matches, terms = [judged], []
            else:
                matches = found + [judged]
                terms = [made[key] for key in sorted({(t.start, t.end, t.term) for m in found for t in m.terms})]
            evidence.append(_made(Evidence, {
                "text": sent.text, "start": sent.start, "end": sent.end, "matches": matches,
                "paragraph": sent.paragraph,
                "weight": round(prob * (plain + (1 - plain) * spec[si]), 3),
                "terms": terms, "specificity": spec[si],
                "probability": prob,
                "discounts": [discount_ids[k] for k in marks[si].discounts],
            }))
        # What is missing, from the same verdicts: a rule no evidence sentence answers (by a hit,
        # or by naming what its terms name) is not shown; one that is answered is never listed.
        # A rule's grams are two Chinese characters each (`_rule_grams`): one is among a sentence's
        # `_bigrams` if and only if it occurs in the sentence's Chinese characters. The accepted
        # sentences' are joined by a newline, which no gram holds, and searched for each gram,
        # rather than every sentence's bigrams made into a set. Read only for a rule no hit answers.
        joined = None
        missing = []
        proposed = {h.sentence for _, rule_hits in hits for h in rule_hits if factors[h.sentence] > 0}
        for rule, rule_hits in hits:
            answered = not {h.sentence for h in rule_hits}.isdisjoint(accepted)
            if not answered:
                if joined is None:
                    joined = "\n".join([han_of(si) for si in accepted])
                answered = any(g in joined for g in self.rule_grams[rule.id])
            if not answered:
                missing.append(_made(Missing, {"label": rule.label, "status": "absent", "rule": rule.id}))
        return _made(CriterionResult, {  # every field, in the model's order: what model_construct would make
            "id": item.id, "name": item.name, "score": round(item.points * level.share, 1), "max": item.points,
            "level": level.id, "satisfaction": round(satisfaction, 3), "evidence": evidence, "missing": missing,
            "hint": item.hint, "quote_min": js.show, "considered": len(proposed - set(accepted)),
        })

    def _veto_hits(self, owner: Owner, a: Analysis, span_of: _Spans) -> list[VetoHit]:
        out, seen = [], set()
        for rule in self.rules[owner.id]:
            for h in sorted(rule.evaluate(a), key=lambda h: h.sentence):
                sent = a.seg.sentences[h.sentence]
                if h.sentence in seen or sent.duplicate_of is not None:
                    continue
                seen.add(h.sentence)
                out.append(VetoHit.model_construct(id=owner.id, name=owner.item.name, text=sent.text,
                                                   start=sent.start, end=sent.end, match=_match(rule, h, span_of)))
        return out

    def score(self, a: Analysis, submission: SubmissionInfo) -> ScoreResult:
        """The one place a ScoreResult is built."""
        r = self.rubric
        factors = self.sentence_factors(a)
        marks = self.sentence_marks(a)
        fits = self.sentence_fits(a, factors)
        judged: dict[str, tuple] = {}
        material = None
        if self.judged_ids:
            hits = self.rule_hits(a)
            spec = [specificity(s.text) for s in a.seg.sentences]
            p = self.judgements(a, factors, marks, hits, spec)
            # Is the text a unit's own material at all (a city's plan, a name list, a commentary … is
            # not): when the judge file carries that judgement, a text it flags earns nothing from the
            # judged items and shows no quote; one between the rubric's `material_from` and the
            # threshold has its probabilities scaled down in proportion (`material_scale`). The result
            # says which.
            head = self.judge_model.material
            if head is not None:
                prob = head.probability(self.judge_model.space, [s.text for s in a.seg.sentences])
                start = self.rubric.judge.material_from
                scale = material_scale(prob, head.threshold, start)
                material = MaterialVerdict.model_construct(
                    probability=round(prob, 3), threshold=head.threshold, flagged=prob >= head.threshold,
                    scale=round(scale, 3), start=start)
                if scale < 1.0:
                    p = p * scale
            cache: dict[int, str] = {}

            def han_of(si: int) -> str:  # a sentence's Chinese characters, once per report
                if si not in cache:
                    cache[si] = _NOT_HAN.sub("", a.seg.sentences[si].text)
                return cache[si]

            # Every item's sentences by probability at once (each column sorted on its own, stable):
            # those at or above `accept` are a prefix of its order.
            order = np.argsort(-p, axis=0, kind="stable").T.tolist()
            counts = (p >= self.rubric.judge.accept).sum(axis=0).tolist()
            columns = p.T.tolist()  # Python floats: read one by one
            judged = {i: (columns[k], order[k][: counts[k]], hits[i], spec, han_of)
                      for k, i in enumerate(self.judged_ids)}
        by_dim: dict[str, list[CriterionResult]] = {d.id: [] for d in r.dimensions}
        bonus_items: list[CriterionResult] = []
        vetoes: list[VetoHit] = []
        span_of = _Spans(a.text)
        for owner in self.owners:
            if owner.kind == "criterion":
                by_dim[owner.dimension.id].append(self._item(owner, a, factors, span_of, marks, fits, judged))
            elif owner.kind == "bonus":
                bonus_items.append(self._item(owner, a, factors, span_of, marks, fits, judged))
            else:
                vetoes.extend(self._veto_hits(owner, a, span_of))
        if self.veto_head is not None:
            raised = {a.sentence_at(v.start) for v in vetoes}
            vetoes.extend(self._judged_vetoes(a, span_of, raised))
        return tallied(
            submission=submission, rubric=self.rubric_info, tool_version=__version__, text=a.text,
            dimensions=[(d.id, d.name, d.points, by_dim[d.id]) for d in r.dimensions],
            bonus_id=r.bonus.id, bonus_name=r.bonus.name, bonus_max=r.bonus.max, bonus_items=bonus_items,
            vetoes=vetoes, vetoed=bool(vetoes), max_total=r.max_total, max_base=r.total, material=material,
        )
