"""Which items a sentence fits best: a sentence is credited in full to the few criteria
whose own description it resembles most, and less to the others its terms touch.

A term list is loose by nature: 志愿者 is a term of 志愿服务组织 as well as of
学雷锋活动, and a sentence about a 复查组's visit touches 文化阵地, 诉讼服务 and
创建台账 at once. Each item's profile is its own wording in the rubric (name,
full, partial, hint and its matchers' labels); a sentence is compared with every
profile (TF-IDF over character 1-3-grams of its Chinese characters, cosine) and an
item it fits worse than `fit_top` others weighs `fit_weight` for it.

The weighting is scikit-learn's TfidfVectorizer(analyzer="char", ngram_range=(1, 3),
sublinear_tf=True) exactly (smoothed idf, 1 + log tf, l2 norm; tests/test_fit.py
checks it against scikit-learn), written out here over numpy (scipy.sparse only for training) because
importing scikit-learn costs ~1.5 s per process, more than scoring a folder of reports;
a report's grams are found all at once: every 1-3-character window of its sentences as an
integer key, looked up in a numpy hash table of the vocabulary's keys (`_KeyTable`), not by a
Python loop over every n-gram. (np.searchsorted on sorted keys was ~1 ms slower per gram
length; pandas' Index.get_indexer does the same lookup, but pandas is not a dependency and
would be a large import for one lookup.)
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter

import numpy as np

from .ingest.han import HAN

_NOT_HAN = re.compile(f"[^{HAN}]+")
NGRAMS = (1, 3)
MAX_GRAM = NGRAMS[1]
# A gram's key: its code points, 21 bits each (a code point fits in 21), the first highest; a
# gram of up to three characters is one int64.
_BITS = 21


def _keys_of_rows(codes: np.ndarray) -> np.ndarray:
    """The key of each row of `codes` (n x k code points, int64): the gram the row spells."""
    out = codes[:, 0].copy()
    for d in range(1, codes.shape[1]):
        out <<= _BITS
        out |= codes[:, d]
    return out


def _keys(codes: np.ndarray, k: int) -> np.ndarray:
    """The key of every k-character window of `codes` (code points, int64)."""
    n = len(codes) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    out = codes[:n].copy()
    for d in range(1, k):
        out <<= _BITS
        out |= codes[d : d + n]
    return out


def han_only(text: str) -> str:
    """Chinese characters only, other runs as one space: punctuation, digits and Latin say nothing of topic."""
    return _NOT_HAN.sub(" ", text)


def char_ngrams(text: str) -> Counter:
    """Character n-grams of `han_only(text)`, as scikit-learn's char analyzer makes them."""
    doc = han_only(text)
    out: Counter = Counter()
    lo, hi = NGRAMS
    n = len(doc)
    for k in range(lo, hi + 1):
        out.update(doc[i : i + k] for i in range(n - k + 1))
    return out


def _tf(counts: Counter) -> dict[str, float]:
    return {g: 1.0 + math.log(c) for g, c in counts.items()}  # sublinear tf


_DIRECT_MAX = 1 << 17  # _KeyTable's direct table: at most 1 MiB


class _KeyTable:
    """Non-negative int64 keys to values, looked up many at once: a hash table with linear
    probing held in numpy arrays, each probe one vectorized step (a binary search of every
    window of a report in sorted keys cost ~1 ms a gram length)."""

    _MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits of key * 2^64/phi

    def __init__(self, keys: np.ndarray, values: np.ndarray):
        bits = max(4, (4 * len(keys)).bit_length())  # at most a quarter full
        self._shift = np.uint64(64 - bits)
        self._mask = (1 << bits) - 1
        self._keys = np.full(1 << bits, -1, dtype=np.int64)
        self._values = np.zeros(1 << bits, dtype=np.int64)
        home = self._home(keys)
        pending = np.arange(len(keys))
        self._probes = 0
        while pending.size:  # probe p: each free slot goes to the first key that asks for it
            at = (home[pending] + self._probes) & self._mask
            free = self._keys[at] == -1
            claim, at = pending[free], at[free]
            _, first = np.unique(at, return_index=True)
            self._keys[at[first]] = keys[claim[first]]
            self._values[at[first]] = values[claim[first]]
            placed = np.zeros(len(keys), dtype=bool)
            placed[claim[first]] = True
            pending = pending[~placed[pending]]
            self._probes += 1
        # Small keys (single characters of the Basic Multilingual Plane, or near it): a direct table
        # as well, key -> value with -1 for no key and one more -1 past the largest key, read by
        # one clipped np.take instead of the probes.
        self._direct = None
        if len(keys) and int(keys.min()) >= 0 and int(keys.max()) < _DIRECT_MAX:
            direct = np.full(int(keys.max()) + 2, -1, dtype=np.int64)
            direct[keys] = values
            self._direct = direct

    def _home(self, keys: np.ndarray) -> np.ndarray:
        return ((keys.astype(np.uint64) * self._MIX) >> self._shift).astype(np.int64)

    def get(self, queries: np.ndarray) -> np.ndarray:
        """The value of each query, -1 where it is no key."""
        if self._direct is not None and (not len(queries) or int(queries.min()) >= 0):
            return np.take(self._direct, queries, mode="clip")  # past the largest key: the final -1
        out = np.full(len(queries), -1, dtype=np.int64)
        home = self._home(queries)
        active = np.arange(len(queries))
        for p in range(self._probes):  # a key sits at most _probes - 1 slots past its home
            at = (home[active] + p) & self._mask
            held = self._keys[at]
            hit = held == queries[active]
            out[active[hit]] = self._values[at[hit]]
            active = active[~hit & (held != -1)]
            if not active.size:
                break
        return out


def _han_ranges(spec: str) -> tuple[tuple[int, int], ...] | None:
    """HAN's ranges as code points ("a-bc-d…"), or None when it is written otherwise."""
    if len(spec) % 3 or any(spec[i + 1] != "-" for i in range(0, len(spec), 3)):
        return None
    return tuple((ord(spec[i]), ord(spec[i + 2])) for i in range(0, len(spec), 3))


_HAN_RANGES = _han_ranges(HAN)


def _han_codes(sentences: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The code points of `han_only` of each sentence, joined by NUL (int64), and the sentence of
    each: from the sentences joined by NUL at once (every run of other characters inside a
    sentence kept as one space, as han_only makes it), not one regex pass a sentence."""
    n = len(sentences)
    codes = np.frombuffer("\0".join(sentences).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
    sep = codes == 0
    if _HAN_RANGES is None or int(np.count_nonzero(sep)) != max(n - 1, 0):  # a sentence holding a NUL
        return _han_codes_each(sentences)
    han = np.zeros(len(codes), dtype=bool)
    for lo, hi in _HAN_RANGES:
        han |= (codes >= lo) & (codes <= hi)
    other = ~(han | sep)
    first = other.copy()  # the first character of each run of others: it becomes the run's space
    first[1:] &= ~other[:-1]
    keep = ~other | first
    row = np.cumsum(sep) - sep  # a NUL belongs to the sentence before it
    return np.where(first, 32, codes)[keep], row[keep]


def _han_codes_each(sentences: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """_han_codes sentence by sentence."""
    hans = [han_only(s) for s in sentences]
    codes = np.frombuffer("\0".join(hans).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    row_of = np.repeat(np.arange(len(hans), dtype=np.int64), [len(h) + 1 for h in hans])
    return codes, row_of


class _Lookup:
    """Grams (1-3 characters) as integer keys in one `_KeyTable` per length, so that a report's
    grams are found all at once. The keys are made by numpy from the grams' code points (a
    Python loop per gram was ~75 ms of a one-report run for the judge's and the profiles'
    31,000 grams)."""

    __slots__ = ("_tables", "_last", "_counted", "size")

    def __init__(self, grams: list[str]):
        lengths = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
        self._tables = []
        for k in range(1, MAX_GRAM + 1):
            at = np.flatnonzero(lengths == k)
            if not at.size:
                continue
            text = "".join([grams[j] for j in at.tolist()])
            codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            keys = _keys_of_rows(codes.astype(np.int64).reshape(-1, k))
            self._tables.append((k, _KeyTable(keys, at.astype(np.int64))))
        self._last: tuple = ((), None, None)  # the last sentences and what was found in them
        self._counted: tuple = ((), None, None, None)  # the last sentences' distinct (row, gram) and counts
        self.size = len(grams)

    def found(self, sentences: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(sentence, gram's position in `grams`) of every occurrence of a gram in `han_only` of
        each sentence, overlapping ones included, by length then place. The sentences are joined
        by NUL, which no gram holds, so no gram is found across two. The last sentences' answer
        is kept (read only): spaces sharing this look-up read a report's sentences in turn."""
        key = tuple(sentences)
        last, rows, at = self._last
        if last == key:
            return rows, at
        codes, row_of = _han_codes(sentences)
        rows, at = [], []
        for k, table in self._tables:
            found = table.get(_keys(codes, k))
            where = np.flatnonzero(found >= 0)
            rows.append(row_of[where])
            at.append(found[where])
        rows, at = np.concatenate(rows), np.concatenate(at)
        rows.flags.writeable = False
        at.flags.writeable = False
        self._last = (key, rows, at)
        return rows, at

    def counted(self, sentences: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, gram's position, count) of each distinct (sentence, gram) pair `found` finds,
        sorted by row, then by position: one sort a report for every space sharing this look-up
        (each space keeps its own columns, in the same order where `monotonic`). The key
        row * size + position is sorted as uint32 where it fits (half the bytes of int64)."""
        key = tuple(sentences)
        last, rows, at, counts = self._counted
        if last == key:
            return rows, at, counts
        rows, at = self.found(sentences)
        size = max(self.size, 1)
        keys = rows * size + at
        if len(sentences) * size < 1 << 32:
            keys = keys.astype(np.uint32)
        keys.sort()
        if len(keys):
            first = np.empty(len(keys), dtype=bool)
            first[0] = True
            np.not_equal(keys[1:], keys[:-1], out=first[1:])
            starts = np.flatnonzero(first)
            counts = np.diff(np.append(starts, len(keys)))
            keys = keys[starts].astype(np.int64)
        else:
            counts = np.zeros(0, dtype=np.int64)
            keys = keys.astype(np.int64)
        rows, at = np.divmod(keys, size)
        for x in (rows, at, counts):
            x.flags.writeable = False
        self._counted = (key, rows, at, counts)
        return rows, at, counts


def share_lookup(*spaces: "GramSpace") -> None:
    """Let these spaces find their grams in one `_Lookup` of all their grams: spaces that read a
    report's sentences in turn (a rubric's item profiles and its judge) then look each window of
    it up once, not once per space (~0.5 ms a report), and each keeps the grams it knows."""
    grams = list(dict.fromkeys(g for space in spaces for g in space.grams))
    # Spaces whose grams are in sorted order (fitted_space's) share them sorted: each space's
    # columns then rise with the positions, and one sort of (row, position) serves them all.
    ordered = all(space.grams == sorted(space.grams) for space in spaces)
    if ordered:
        grams.sort()
    lookup = _Lookup(grams)
    position = {g: j for j, g in enumerate(grams)}
    for space in spaces:
        columns = np.full(len(grams), -1, dtype=np.int64)  # position in `grams` -> the space's column
        columns[[position[g] for g in space.grams]] = np.arange(len(space.grams))
        space._lookup = (lookup, columns)
        space._monotonic = ordered


class GramSpace:
    """A fixed vocabulary of character 1-3-grams with their idf: sentences in, the l2-normed
    sublinear TF-IDF rows out (scikit-learn's `transform`: grams outside the vocabulary are
    dropped before normalising). Built once; the item profiles and the sentence judge use it."""

    def __init__(self, grams: list[str], idf: np.ndarray):
        self.grams = list(grams)
        self._vocab: dict[str, int] | None = None
        self.idf = np.asarray(idf, dtype=np.float64)
        lengths = np.fromiter(map(len, self.grams), dtype=np.int64, count=len(self.grams))
        bad = np.flatnonzero((lengths < 1) | (lengths > MAX_GRAM))
        if bad.size:
            g = self.grams[int(bad[0])]
            raise ValueError(f"a gram of {len(g)} characters: {g!r}")
        if len(set(self.grams)) != len(self.grams):
            raise ValueError("a gram twice in the vocabulary")
        # Where a report's grams are found, and each found gram's column (None: the space's own
        # look-up, whose positions are the columns). Built on first use unless `share_lookup`
        # gives the space one it shares.
        self._lookup: tuple[_Lookup, np.ndarray | None] | None = None
        # Do the space's columns rise with its look-up's positions (its own look-up, or a shared
        # one of sorted grams): `rows` then reads the look-up's sorted counts.
        self._monotonic = True

    @property
    def vocab(self) -> dict[str, int]:
        """gram -> column (built on first use: scoring looks grams up in the key tables)."""
        if self._vocab is None:
            self._vocab = {g: j for j, g in enumerate(self.grams)}
        return self._vocab

    def __len__(self) -> int:
        return len(self.grams)

    def transform(self, sentences: list[str]):
        """A csr matrix (sentences x grams), each row l2-normed (a row with no gram stays zero).
        For training and tests; scoring uses `rows`, the same numbers without scipy."""
        from scipy.sparse import csr_matrix

        x = self.rows(sentences)
        return csr_matrix((x.data, x.indices, x.indptr), shape=x.shape)

    def _found(self, sentences: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every occurrence of a vocabulary gram in `han_only` of each sentence,
        overlapping ones included: the sentences' in-vocabulary 1-3-grams, all found at once."""
        if not sentences or not self.grams:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        if self._lookup is None:
            self._lookup = (_Lookup(self.grams), None)
        lookup, columns = self._lookup
        rows, at = lookup.found(sentences)
        if columns is None:
            return rows, at
        cols = columns[at]
        keep = cols >= 0
        return rows[keep], cols[keep]

    def text_row(self, sentences: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """A whole text as one row: (columns, values) of its l2-normed sublinear TF-IDF over the
        space, every in-vocabulary gram of each sentence counted (none across two sentences).
        Counted from the grams' positions at once (~0.2 ms for 10,000 characters; `rows` of the
        text joined into one row is ~10 ms: its product walks the row term by term)."""
        _rows, cols = self._found(sentences)
        if not len(cols):
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        counts = np.bincount(cols, minlength=len(self.grams))
        at = np.flatnonzero(counts)
        values = (1.0 + np.log(counts[at])) * self.idf[at]
        return at, values / np.sqrt(values @ values)

    def rows(self, sentences: list[str]) -> "GramRows":
        """The l2-normed TF-IDF rows of `transform`, bit for bit, as plain numpy arrays (scipy.sparse
        costs ~0.15 s to import, a tenth of a one-report run, and scoring needs only a product)."""
        n, v = len(sentences), len(self.grams)
        # scipy's sum_duplicates: each row's columns sorted, a repeated column summed (a count).
        if sentences and self.grams and self._monotonic:
            if self._lookup is None:
                self._lookup = (_Lookup(self.grams), None)
            lookup, columns = self._lookup
            rows, at, counts = lookup.counted(sentences)  # sorted by (row, position): by (row, column) too
            if columns is None:
                indices = at.copy()
            else:
                indices = columns[at]
                keep = indices >= 0
                rows, indices, counts = rows[keep], indices[keep], counts[keep]
        else:
            rows, cols = self._found(sentences)
            keys, counts = np.unique(rows * max(v, 1) + cols, return_counts=True)
            rows, indices = np.divmod(keys, max(v, 1))
        indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=n)))).astype(np.int64)
        data = counts.astype(np.float64)
        data = (1.0 + np.log(data)) * self.idf[indices]  # sublinear tf, idf
        norms = np.sqrt(np.bincount(rows, weights=data**2, minlength=n))
        data /= np.where(norms == 0, 1.0, norms)[rows]
        return GramRows(data, indices, indptr, (n, v))


class GramRows:
    """Sparse rows in csr form (data, indices, indptr) with what scoring asks of them: a product
    with a dense matrix or vector whose numbers are the csr_matrix product's, bit for bit (each
    row's terms added one after another, in column order, from zero, as scipy's csr loop does)."""

    __slots__ = ("data", "indices", "indptr", "shape", "_plan")

    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, shape: tuple[int, int]):
        self.data, self.indices, self.indptr, self.shape = data, indices, indptr, shape
        self._plan = None

    def _order(self):
        """The terms position by position (every row's 1st term, then every 2nd …), the rows
        longest first, so that the rows still adding at position p are a prefix of that order."""
        if self._plan is None:
            n = self.shape[0]
            lengths = np.diff(self.indptr)
            order = np.argsort(-lengths, kind="stable")
            rank = np.empty(n, dtype=np.int64)
            rank[order] = np.arange(n)
            rows = np.repeat(np.arange(n), lengths)
            pos = np.arange(len(self.indices)) - np.repeat(self.indptr[:-1], lengths)
            terms = np.lexsort((rank[rows], pos))
            self._plan = order, terms, np.bincount(pos).tolist()
        return self._plan

    def __matmul__(self, other) -> np.ndarray:
        if "scipy.sparse" in sys.modules:  # already paid for (training, a warmed-up worker): its C loop
            from scipy.sparse import csr_matrix

            return np.asarray(csr_matrix((self.data, self.indices, self.indptr), shape=self.shape) @ other)
        b = np.asarray(other)
        vector = b.ndim == 1
        if vector:
            b = b[:, None]
        order, terms, active = self._order()
        t = self.data[terms, None] * b[self.indices[terms]]
        acc = np.zeros((self.shape[0], b.shape[1]), dtype=t.dtype)
        s = 0
        for c in active:  # position p: add the p-th term of each row that has one
            acc[:c] += t[s : s + c]
            s += c
        out = np.empty_like(acc)
        out[order] = acc
        return out[:, 0] if vector else out

    def toarray(self) -> np.ndarray:
        out = np.zeros(self.shape)
        rows = np.repeat(np.arange(self.shape[0]), np.diff(self.indptr))
        out[rows, self.indices] = self.data
        return out


def fitted_space(texts: list[str], min_df: int = 1) -> GramSpace:
    """The gram space scikit-learn's TfidfVectorizer(analyzer="char", ngram_range=(1, 3),
    sublinear_tf=True, min_df=min_df) would fit on `texts` (smoothed idf)."""
    df: Counter = Counter()
    for t in texts:
        df.update(char_ngrams(t).keys())
    grams = sorted(g for g, c in df.items() if c >= min_df)
    n = len(texts)
    idf = np.array([math.log((1 + n) / (1 + df[g])) + 1.0 for g in grams])
    return GramSpace(grams, idf)


class ItemProfiles:
    """The rubric's items as TF-IDF profiles, built once per rubric."""

    def __init__(self, items: list[tuple[str, str]]):
        self.ids = [i for i, _ in items]
        self.index = {i: k for k, i in enumerate(self.ids)}
        self.space = fitted_space([text for _, text in items])
        self.idf = self.space.idf
        self.matrix = self.space.rows([text for _, text in items]).toarray()
        # The product's right side, (grams, items) in C order: scipy's product reads its right
        # side through ravel(), which copied the transposed view (~1.4 MB) on every call.
        self._by_gram = np.ascontiguousarray(self.matrix.T)

    @property
    def vocab(self) -> dict[str, int]:
        return self.space.vocab

    def similarities_of(self, sentences: list[str]) -> np.ndarray:
        """sims[s, i]: cosine of sentence s with item i's profile. Grams found in no profile
        are dropped before a sentence's vector is normalised, as scikit-learn's transform does."""
        return self.space.rows(sentences) @ self._by_gram

    def similarities(self, sentence: str) -> np.ndarray:
        """Cosine of one sentence with every item's profile."""
        return self.similarities_of([sentence])[0]

    def ranks_of(self, sentences: list[str]) -> np.ndarray:
        """ranks[s, i]: how many items sentence s resembles more than item i (0 = its best fit)."""
        sims = self.similarities_of(sentences)
        return (sims[:, None, :] > sims[:, :, None]).sum(axis=2)

    def ranks(self, sentence: str) -> np.ndarray:
        return self.ranks_of([sentence])[0]

    def best(self, sentence: str) -> str:
        """The id of the item a sentence fits best."""
        return self.ids[int(np.argmax(self.similarities(sentence)))]


class SentenceFits:
    """Fit ranks of a report's sentences: those that can earn are ranked together, in one
    product, the first time an item asks; any other sentence when it is asked for."""

    __slots__ = ("profiles", "sentences", "candidates", "_ranks")

    def __init__(self, profiles: ItemProfiles, sentences: list[str], candidates: list[int]):
        self.profiles = profiles
        self.sentences = sentences
        self.candidates = candidates
        self._ranks: dict[int, np.ndarray] | None = None

    def rank(self, sentence: int, item: str) -> int:
        if self._ranks is None:
            ranks = self.profiles.ranks_of([self.sentences[i] for i in self.candidates])
            self._ranks = dict(zip(self.candidates, ranks))
        row = self._ranks.get(sentence)
        if row is None:
            row = self._ranks[sentence] = self.profiles.ranks(self.sentences[sentence])
        return int(row[self.profiles.index[item]])
