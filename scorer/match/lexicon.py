"""Find every rubric term in a text in one pass, on word boundaries, with negation.

An Aho-Corasick automaton finds candidate occurrences; jieba (a tokenizer of the
rubric's own, its terms added to jieba's dictionary) decides whether a candidate respects word
boundaries. Tokenizing a whole report costs ~20 ms, so jieba only runs on the
clauses where a dictionary word could cross a candidate's edge — most
candidates are settled by a few dictionary look-ups.
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import ahocorasick


def _import_jieba():
    """jieba, without pkg_resources: jieba._compat imports it (~0.2 s, deprecated) only to
    open its own data files, and opens them by path when it is missing."""
    import sys

    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba
        return jieba
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # `import pkg_resources` raises ImportError
    try:
        import jieba
    finally:
        del sys.modules["pkg_resources"]
    return jieba


jieba = _import_jieba()

from ..segment import Clause, Segmented, Sentence

jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict" lines are not for our users

_MAX_WORD = 5  # longest dictionary word considered when probing a boundary
_JIEBA_LOCK = threading.Lock()


def rubric_tokenizer(terms: Iterable[str]) -> "jieba.Tokenizer":
    """A jieba tokenizer of one rubric's own: jieba's dictionary (shared, read-only) with this
    rubric's terms added so they are not split, and no other rubric's.

    Adding the terms to jieba's process-wide tokenizer made a report's word boundaries, and so
    its score, depend on which rubrics the process had compiled before (the workbench and
    batch compile both shipped rubrics; the command line only the one it chooses)."""
    from .wordfreq import overlay

    with _JIEBA_LOCK:
        tk = jieba.Tokenizer()
        tk.FREQ, tk.total = overlay()  # installs jieba's dictionary as a cached trie, once per process
        tk.initialized = True
        _add_words(tk, sorted({t for t in terms if len(t) > 1}))
    return tk


_TERMS_KIND = "jieba-terms"


def _add_words(tk, words: list[str]) -> None:
    """tk.add_word for each word jieba's dictionary does not know, in order. The frequency jieba
    suggests for a word depends on the words added before it; the words and frequencies added
    to a fresh overlay are cached (scorer.cache): replaying add_word(word, freq) leaves the
    tokenizer exactly as computing them does, without the ~50 ms of trial cuts a rubric's
    terms take."""
    import hashlib
    import json

    from .. import cache
    from .wordfreq import DICT_KEY, TrieFreq

    key = None
    if DICT_KEY is not None and isinstance(tk.FREQ, TrieFreq):
        h = hashlib.sha256(f"{DICT_KEY}|{tk.total}|{jieba.__version__}|".encode())
        h.update(Path(__file__).read_bytes())
        h.update("\n".join(words).encode("utf-8"))
        key = h.hexdigest()
        payload = cache.get(_TERMS_KIND, key)
        if payload is not None:
            try:
                added = [(str(w), int(f)) for w, f in json.loads(payload)]
            except (ValueError, TypeError):
                added = None
            if added is not None:
                for w, f in added:
                    tk.add_word(w, f)
                return
    added = []
    for t in words:
        if tk.FREQ.get(t, 0) == 0:
            tk.add_word(t)
            added.append((t, tk.FREQ[t]))
    if key is not None:
        cache.put(_TERMS_KIND, key, json.dumps(added, ensure_ascii=False).encode("utf-8"))


@dataclass(slots=True)
class TermHit:
    surface: str
    start: int
    end: int
    sentence: int
    negated: bool = False


@dataclass(slots=True)
class Block:
    """An occurrence of an `unless` phrase or a slogan: hits inside it are ignored by the rules that ask."""

    surface: str
    start: int
    end: int


_UNSEEN = object()
# What the log P table holds for a key that is no word: log P is at most 0 (a word's frequency is
# part of the total), so a positive value can be told from it by one comparison of floats.
_PREFIX = 1.0  # a key of frequency 0: some word's prefix, no word itself
_NO_KEY = 2.0  # no word's prefix: a walk of jieba's DAG stops there


# How many look-ups a tokenizer's TrieFreq and log P table keep between reports (each ~200
# bytes): a batch worker or the workbench scores thousands of reports, and kept without bound
# they grew ~15 KB a report. Forgetting them changes no answer, only what is looked up again.
KEPT_LOOKUPS = 200_000


def _logp_table(tokenizer) -> dict:
    """key -> log P (log(freq) - log(total)) of the keys Boundaries looked up so far, _PREFIX for a
    prefix of frequency 0, _NO_KEY for no word's prefix: kept with the tokenizer while its
    dictionary and total are unchanged (TrieFreq counts its writes), as TrieFreq keeps its
    look-ups, so a report's walks take one look-up a key and no logarithm. A fresh table for
    other mappings."""
    freq = tokenizer.FREQ
    written = getattr(freq, "_version", None)
    if written is None:
        return {}
    version = (id(freq), written, tokenizer.total)
    held = getattr(tokenizer, "_civscore_logp", None)
    if held is None or held[0] != version:
        held = tokenizer._civscore_logp = (version, {})
    elif len(held[1]) > KEPT_LOOKUPS:
        held[1].clear()
    return held[1]


class Boundaries:
    """Word-boundary decisions for one text. jieba's DAG (the dictionary words starting at a
    position) is found once per position and shared by every candidate and window that reads it."""

    def __init__(self, text: str, tokenizer):
        self.text = text
        self._freq = freq = tokenizer.FREQ
        self._get = freq.get
        # A TrieFreq keeps every look-up so far (and every added word) in a dict: read there
        # first, without a call per look-up; a key not there is asked of get(), which adds it.
        if hasattr(freq, "trim"):
            freq.trim(KEPT_LOOKUPS)
        self._seen = freq.seen() if hasattr(freq, "seen") else {}
        self._logtotal = math.log(tokenizer.total)
        self._logp = _logp_table(tokenizer)
        self._words: dict[int, list[tuple[int, float]]] = {}
        # Per position i: the end of the longest dictionary word of at most _MAX_WORD characters
        # starting there (i when there is none); -1 until asked.
        self._reach = [-1] * len(text)
        self._tokens: dict[tuple[int, int], list[int]] = {}  # a window (w0, w1) -> _route(w0, w1)
        # Per position p: False where no dictionary word of 2 to _MAX_WORD characters holds the
        # pair text[p:p+2], so none straddles the edge p+1 (settled by prepare(); True: ask).
        self._pair = [True] * len(text)

    def prepare(self, edges: list[int]) -> None:
        """Before asking respects() about spans with these edges: find, at once, the edges no
        dictionary word of at most _MAX_WORD characters can straddle (the pair of characters
        either side is in no such word), so that _may_cross needs no look-up there."""
        codes = self._freq.pair_codes(_MAX_WORD) if hasattr(self._freq, "pair_codes") else None
        if codes is None or not edges:
            return
        import numpy as np

        n = len(self.text)
        at = np.array(edges, dtype=np.int64) - 1
        at = at[(at >= 0) & (at < n - 1)]
        cp = np.frombuffer(self.text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)  # one code point each
        first, second = cp[at], cp[at + 1]
        pair = (first << 16) | second
        known = np.zeros(len(pair), dtype=bool)
        if len(codes):
            order = np.argsort(pair)  # searched in order: a binary search's steps stay in the cache
            ranked = pair[order]
            idx = np.searchsorted(codes, ranked)
            idx[idx >= len(codes)] = 0
            known[order] = codes[idx] == ranked
        maybe = known | (first >= 0x10000) | (second >= 0x10000)
        flags = np.ones(n, dtype=bool)
        flags[at[~maybe]] = False
        self._pair = flags.tolist()

    def _words_at(self, i: int) -> list[tuple[int, float]]:
        """(j, log P) for each dictionary word text[i:j] of positive frequency, j ascending: the
        edges of jieba's DAG from i, with the log probability jieba's route gives them
        (log(freq) - log(total)). As jieba's get_DAG, the walk stops where text[i:j] is no
        word's prefix: its dictionary holds every prefix of every word (with frequency 0)."""
        words = self._words.get(i)
        if words is None:
            self._fill(i, i + 1)
            words = self._words[i]
        return words

    def _fill(self, lo: int, hi: int) -> None:
        """`_words_at` of every position in [lo, hi) not known yet, in one call: a window's route
        reads every position of the window (one call a position, with its look-ups of attributes,
        cost more than the walks themselves)."""
        known, logp, text = self._words, self._logp, self.text
        n = len(text)
        for i in range(lo, hi):
            if i in known:
                continue
            words, j = [], i + 1
            while j <= n:
                try:
                    lp = logp[text[i:j]]
                except KeyError:
                    lp = self._logp_of(text[i:j])
                if lp <= 0.0:
                    words.append((j, lp))
                elif lp == _NO_KEY:
                    break
                j += 1
            known[i] = words

    def _logp_of(self, k: str) -> float:
        """The log P table's entry for a key it does not hold yet (asked of the dictionary)."""
        f = self._seen.get(k, _UNSEEN)
        if f is _UNSEEN:
            f = self._get(k)
        lp = self._logp[k] = _NO_KEY if f is None else math.log(f) - self._logtotal if f else _PREFIX
        return lp

    def _reach_at(self, i: int) -> int:
        """The end of the longest dictionary word of at most _MAX_WORD characters starting at i
        (i when there is none), kept in _reach; asked by _crosses only."""
        reach, last = i, i + _MAX_WORD
        for j, _ in self._words_at(i):
            if j > last:
                break
            reach = j
        self._reach[i] = reach
        return reach

    def _may_cross(self, s: int, e: int) -> bool:
        """Could a dictionary word of at most _MAX_WORD characters straddle an edge of [s, e)?
        One that starts before s and ends after it, or starts inside and ends after e. Such a
        word over edge b holds the pair text[b-1:b+1] (prepare() marks the edges whose pair is
        in no such word) and, from i, has text[i:b+1] as a prefix: one look-up rules out most i."""
        pair = self._pair
        return (s > 0 and pair[s - 1] and self._crosses(s - _MAX_WORD + 1 if s >= _MAX_WORD else 0, s)) or (
            pair[e - 1] and self._crosses(max(s + 1, e - _MAX_WORD + 1), e))

    def _crosses(self, lo: int, b: int) -> bool:
        """Does a dictionary word of at most _MAX_WORD characters start at some i in [lo, b) and end after b?"""
        text, reach, logp = self.text, self._reach, self._logp
        b1 = b + 1
        for i in range(max(lo, b1 - _MAX_WORD), b):  # a word from further back ends by b
            r = reach[i]
            if r < 0:
                try:
                    lp = logp[text[i:b1]]
                except KeyError:
                    lp = self._logp_of(text[i:b1])
                if lp <= 0.0:
                    return True  # text[i:b+1] is itself a word (of at most _MAX_WORD characters)
                if lp == _NO_KEY:
                    continue  # no word from i reaches past b
                r = self._reach_at(i)
            if r > b:
                return True
        return False

    def _route(self, w0: int, w1: int) -> list[int]:
        """jieba's maximum-probability segmentation (HMM off) of text[w0:w1], as the end of the
        token that starts at each position (x - w0 -> end; read from w0 on): the route jieba's
        calc takes over get_DAG of that piece, with the same sums in the same order (so the same
        ties), from the shared DAG cut at w1."""
        best_v = [0.0] * (w1 - w0 + 1)
        best_end = [0] * (w1 - w0 + 1)
        alone = 0.0 - self._logtotal  # a character no word starts with: log(1) - log(total)
        self._fill(w0, w1)
        known = self._words
        low = -math.inf
        for idx in range(w1 - 1, w0 - 1, -1):
            end, value = -1, low
            for j, lp in known[idx]:  # j ascending: `>=` keeps the longest of equals, as jieba's max of (value, x)
                if j > w1:
                    break
                v = lp + best_v[j - w0]
                if v >= value:
                    value, end = v, j
            if end < 0:
                value, end = alone + best_v[idx + 1 - w0], idx + 1
            best_v[idx - w0], best_end[idx - w0] = value, end
        return best_end

    def _route_of(self, w0: int, w1: int) -> list[int]:
        """_route(w0, w1), once per window."""
        key = (w0, w1)
        ends = self._tokens.get(key)
        if ends is None:
            ends = self._tokens[key] = self._route(w0, w1)
        return ends

    def respects(self, s: int, e: int, clause: Clause, *, whole: bool = False) -> bool:
        """True when [s, e) is a word or a compound's prefix/suffix (学习 in 学习型), not a fragment
        straddling two words (党建 in 政党建设). `whole=True` demands a token of its own."""
        return not self._may_cross(s, e) or self._settled(s, e, clause, whole)

    def _settled(self, s: int, e: int, clause: Clause, whole: bool) -> bool:
        """respects() where a dictionary word may straddle an edge of [s, e): jieba's tokens for a
        window of one word-length either side of [s, e), inside the clause (its route), are read
        from the window's start up to e; none may straddle an edge, except a compound that
        [s, e) begins or ends (not with `whole`)."""
        w0 = s - _MAX_WORD + 1
        if w0 < clause.start:
            w0 = clause.start
        w1 = e + _MAX_WORD - 1
        if w1 > clause.end:
            w1 = clause.end
        ends = self._route_of(w0, w1)
        a, stop = w0, min(e, w1)  # (a term across a clause's end is read to the clause's end)
        while a < stop:
            b = ends[a - w0]
            if b > s and not (s <= a and b <= e):  # overlaps the match, and is not a token inside it
                if not (a <= s and e <= b and not whole and (a == s or b == e)):
                    return False  # a compound that the match begins or ends is all it may be
            a = b
        return True


class Lexicon:
    """All surfaces a rubric looks for, compiled once into one automaton."""

    def __init__(
        self,
        terms: Iterable[str],
        blocks: Iterable[str],
        cues: Iterable[str],
        breakers: Iterable[str],
        cause_markers: Iterable[str] = (),
        cause_ends: Iterable[str] = (),
    ):
        self.terms = sorted(set(terms))
        self.blocks = sorted(set(blocks))
        self.cues = sorted(set(cues))
        self.breakers = sorted(set(breakers))
        self.cause_markers = tuple(sorted(set(cause_markers), key=len, reverse=True))
        self.cause_ends = sorted(set(cause_ends))
        self.tokenizer = rubric_tokenizer(self.terms)
        auto = ahocorasick.Automaton()
        kinds: dict[str, set[str]] = {}
        for kind, words in (
            ("t", self.terms), ("b", self.blocks), ("c", self.cues), ("k", self.breakers), ("e", self.cause_ends)
        ):
            for w in words:
                kinds.setdefault(w, set()).add(kind)
        for w, ks in kinds.items():
            # (surface, length, term?, block?, cue?, breaker?, cause end?)
            auto.add_word(w, (w, len(w), "t" in ks, "b" in ks, "c" in ks, "k" in ks, "e" in ks))
        auto.make_automaton()
        self._automaton = auto

    def scan(self, seg: Segmented) -> tuple[list[list[TermHit]], list[list[Block]]]:
        """Term hits (boundary-checked, negation marked) and blocks, per sentence."""
        text = seg.text
        sentences = seg.sentences
        hits: list[list[TermHit]] = [[] for _ in sentences]
        blocks: list[list[Block]] = [[] for _ in sentences]
        if not sentences or len(self._automaton) == 0:
            return hits, blocks
        # Per sentence index, where it has any: cues (start, end), breakers' and cause ends' starts.
        cues: dict[int, list[tuple[int, int]]] = {}
        breaks: dict[int, list[int]] = {}
        ends: dict[int, list[int]] = {}
        bounds = Boundaries(text, self.tokenizer)
        candidates = [(last + 1 - n, last + 1, word, t, b, c, k, ce)
                      for last, (word, n, t, b, c, k, ce) in self._automaton.iter(text)]
        candidates.sort()  # by (start, end): a surface is added once, so no two share both
        bounds.prepare([x for s, e, _, t, _, c, _, _ in candidates if t or c for x in (s, e)])
        settled, crosses = bounds._settled, bounds._crosses
        pair = bounds._pair  # as prepare() left it
        starts = [x.start for x in sentences]
        stops = [x.end for x in sentences]
        count = len(sentences)
        si, start, stop = 0, starts[0], stops[0]
        for s, e, word, t, b, c, k, ce in candidates:
            if s >= stop:  # the next sentence that ends after s
                while si < count and stops[si] <= s:
                    si += 1
                if si >= count:
                    break
                start, stop = starts[si], stops[si]
            if s < start or e > stop:
                continue
            if b:
                blocks[si].append(Block(word, s, e))
            if k:
                breaks.setdefault(si, []).append(s)
            if ce:
                ends.setdefault(si, []).append(s)
            if t or c:
                # respects(), with the clause found only where a route must settle it. A cue must
                # be a token of its own, so a word it begins (不断, 不幸, 无偿献血) is asked about too:
                # _may_cross only looks for words straddling an edge.
                # _may_cross(s, e), inlined: most candidates are settled by the pair flags alone.
                crossed = (s > 0 and pair[s - 1] and crosses(s - _MAX_WORD + 1 if s >= _MAX_WORD else 0, s)) or (
                    pair[e - 1] and crosses(max(s + 1, e - _MAX_WORD + 1), e))
                if crossed or (c and crosses(s, e)):
                    clause = sentences[si].clause_at(s)
                    c = c and settled(s, e, clause, True)
                    t = t and (not crossed or settled(s, e, clause, False))
                if c:
                    cues.setdefault(si, []).append((s, e))
                if t:
                    hits[si].append(TermHit(word, s, e, si))
        for i, found in cues.items():
            sent = sentences[i]
            scoped = [self._cause_end(text, x, ends.get(i, ())) for x in found]
            stops_i = breaks.get(i, ())
            for h in hits[i]:
                h.negated = self._negated(sent, h, scoped, stops_i)
        return hits, blocks

    def _cause_end(self, text: str, cue: tuple[int, int], ends: list[int]) -> tuple[int, int, int | None]:
        """The cue with where its scope stops early: a cue right after a cause marker
        (因未…, 由于没有…) negates only up to the first cause end (被, 受到) after it."""
        cs, ce = cue
        if any(text.startswith(m, cs - len(m)) for m in self.cause_markers if cs >= len(m)):
            return cs, ce, next((e for e in ends if e >= ce), None)
        return cs, ce, None

    @staticmethod
    def _negated(
        sent: Sentence, hit: TermHit, cues: list[tuple[int, int, int | None]], breaks: list[int]
    ) -> bool:
        """A cue before the hit in the same clause, with no breaker (但, 却) and no end of a
        stated cause in between."""
        clause = sent.clause_at(hit.start)
        for cs, ce, stop in cues:
            if clause.start <= cs and ce <= hit.start:
                if stop is not None and stop <= hit.start:
                    continue
                if not any(ce <= b < hit.start for b in breaks):
                    return True
        return False
