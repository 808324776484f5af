"""jieba's word frequencies without loading jieba's dictionary into a dict.

`jieba.initialize()` unpacks ~580,000 words and prefixes into a Python dict: about 1 s
of every process's start-up, for the few thousand look-ups a report needs. Here the
same table lives in a MARISA trie (marisa-trie: a compact static trie in C, loaded from
one file in milliseconds), built once from jieba's own dictionary by jieba's own
`gen_pfdict` and cached by the sha256 of that dictionary (scorer.cache). `install()`
gives jieba's default tokenizer a mapping over it, so jieba's DAG and route (and
`add_word`, which writes into an overlay) work as before and cut the same words.

Nothing is downloaded: the dictionary is the one the jieba package ships.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import jieba

_KIND = "jieba-freq"
_FMT = "<q"
_LOCK = threading.Lock()
DICT_KEY: str | None = None  # the sha256 key of the dictionary install() gave jieba (None: not installed here)


class TrieFreq:
    """The mapping jieba's tokenizer reads (`get`, `in`, `[]`) and `add_word` writes."""

    __slots__ = ("_trie", "_seen", "_added", "_version", "_pairs")

    def __init__(self, trie):
        self._trie = trie
        self._seen: dict[str, int | None] = {}  # look-ups so far, and words added (overlay)
        self._added: dict[str, int] = {}  # the words (and prefixes) add_word wrote
        self._version = 0  # counts the writes
        self._pairs: tuple | None = None  # (version, longest, pair_codes)

    def get(self, key, default=None):
        try:
            v = self._seen[key]
        except KeyError:
            found = self._trie.get(key)
            v = self._seen[key] = found[0][0] if found else None
        return default if v is None else v

    def seen(self) -> dict:
        """Every key looked up so far (None: not in the dictionary) and every word added: what
        get() answers for those keys, read without a call. Ask get() for any other key."""
        return self._seen

    def trim(self, limit: int) -> None:
        """Forget the look-ups kept so far once there are more than `limit` of them, keeping the
        added words: a long-lived process scores report after report, each adding some 50–70
        keys. The same answers are looked up again when asked (the trie does not change)."""
        if len(self._seen) > limit:
            self._seen.clear()  # in place: a Boundaries may hold the dict
            self._seen.update(self._added)

    def __contains__(self, key) -> bool:
        return self.get(key) is not None

    def __getitem__(self, key):
        v = self.get(key)
        if v is None:
            raise KeyError(key)
        return v

    def __setitem__(self, key, value) -> None:
        self._seen[key] = self._added[key] = int(value)
        self._version += 1

    def pair_codes(self, longest: int):
        """bigram_codes(self, longest) with the codes of the pairs inside the words add_word gave
        a positive frequency here, of 2 to `longest` characters, put in their places: one sorted
        numpy uint32 array, or None. Built once per version of this overlay (its writes): the
        added codes are inserted, not sorted in with the dictionary's ~300,000."""
        got = self._pairs
        if got is None or got[0] != self._version or got[1] != longest:
            codes = bigram_codes(self, longest)
            if codes is not None:
                import numpy as np

                mine = {ord(w[a]) << 16 | ord(w[a + 1]) for w, f in self._added.items()
                        if f > 0 and 2 <= len(w) <= longest for a in range(len(w) - 1)
                        if ord(w[a]) < 0x10000 and ord(w[a + 1]) < 0x10000}
                mine = np.array(sorted(mine), dtype=np.uint32)
                if len(codes):
                    at = np.searchsorted(codes, mine)
                    new = (at >= len(codes)) | (codes[np.minimum(at, len(codes) - 1)] != mine)
                    codes = np.insert(codes, at[new], mine[new])
                else:
                    codes = mine
            got = self._pairs = (self._version, longest, codes)
        return got[2]


def _build(data: bytes):
    import io

    import marisa_trie

    f = io.BytesIO(data)
    f.name = "jieba dict.txt"
    freq, total = jieba.dt.gen_pfdict(f)
    return marisa_trie.RecordTrie(_FMT, [(w, (int(n),)) for w, n in freq.items()]), int(total)


def _dict_key(data: bytes) -> str:
    return hashlib.sha256(data + b"|marisa-trie RecordTrie <q").hexdigest()


def install() -> None:
    """Give jieba's default tokenizer its dictionary as a trie, unless it already has one."""
    with _LOCK:
        dt = jieba.dt
        if dt.initialized:
            return
        import marisa_trie

        from .. import cache

        with dt.get_dict_file() as f:
            data = f.read()
        key = _dict_key(data)
        trie = None
        payload = cache.get(_KIND, key)  # the total (8 bytes), then the trie
        if payload is not None and len(payload) > 8:
            try:
                total = int.from_bytes(payload[:8], "little")
                trie = marisa_trie.RecordTrie(_FMT).frombytes(payload[8:])
                trie.get("的")
            except Exception:  # a library that reads it otherwise: rebuild
                trie = None
        if trie is None or total <= 0:
            trie, total = _build(data)
            cache.put(_KIND, key, total.to_bytes(8, "little") + trie.tobytes())
        dt.FREQ = TrieFreq(trie)
        dt.total = total
        dt.initialized = True
        global DICT_KEY
        DICT_KEY = key


_BIGRAM_KIND = "jieba-bigrams"
_BIGRAMS: dict[tuple[str, int], object] = {}


def bigram_codes(freq, longest: int):
    """The pairs of adjacent characters inside the words of 2 to `longest` characters of
    jieba's dictionary (every word of positive frequency among them), as a sorted numpy uint32
    array of (first << 16 | second) for the pairs of two characters below U+10000, for `freq`
    a TrieFreq over install()'s trie (the words it added are not in it: TrieFreq.pair_codes).
    None for any other mapping, or when there is no cache to keep the array in (building it
    takes ~0.5 s; reading it back ~1.5 ms).

    A word of at most `longest` characters that straddles the edge between text[b-1] and
    text[b] holds the pair text[b-1:b+1]: where that pair is in no such word, no such word
    straddles (scorer.match.lexicon.Boundaries asks this before its look-ups)."""
    import numpy as np

    from .. import cache

    key = DICT_KEY
    dt_freq = jieba.dt.FREQ
    if (key is None or not isinstance(freq, TrieFreq) or not isinstance(dt_freq, TrieFreq)
            or freq._trie is not dt_freq._trie):
        return None
    memo = (key, longest)
    if memo in _BIGRAMS:
        return _BIGRAMS[memo]
    if cache.cache_dir() is None:
        return None
    with _LOCK:
        if memo in _BIGRAMS:
            return _BIGRAMS[memo]
        h = hashlib.sha256(f"{key}|{longest}|numpy <u4 sorted unique|".encode())
        h.update(Path(__file__).read_bytes())
        ckey = h.hexdigest()
        payload = cache.get(_BIGRAM_KIND, ckey)
        codes = None
        if payload is not None and len(payload) % 4 == 0:
            codes = np.frombuffer(payload, dtype="<u4").astype(np.uint32, copy=False)
        if codes is None:
            codes = _build_pairs(key, longest)
            if codes is None:
                return None
            cache.put(_BIGRAM_KIND, ckey, codes.astype("<u4").tobytes())
        _BIGRAMS[memo] = codes
        return codes


def _build_pairs(key: str, longest: int):
    """bigram_codes from jieba's dictionary file (the one whose key is `key`, else None): the
    pairs inside every word of 2 to `longest` characters on its lines. That takes in words a
    later line gives frequency 0, if any: more pairs than needed is safe, fewer would not be."""
    import numpy as np

    with jieba.dt.get_dict_file() as f:
        data = f.read()
    if _dict_key(data) != key:
        return None
    words = (raw.strip().decode("utf-8").split(" ")[0] for raw in data.split(b"\n"))  # as gen_pfdict reads them
    joined = "\0".join(w for w in words if 2 <= len(w) <= longest)
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    first, second = cp[:-1], cp[1:]
    keep = (first != 0) & (second != 0) & (first < 0x10000) & (second < 0x10000)
    return np.unique((first[keep] << 16) | second[keep]).astype(np.uint32)


def overlay():
    """(FREQ, total) for a tokenizer of its own over jieba's dictionary: words it adds stay in it."""
    import collections

    install()
    dt = jieba.dt
    if isinstance(dt.FREQ, TrieFreq):
        return TrieFreq(dt.FREQ._trie), dt.total
    return collections.ChainMap({}, dt.FREQ), dt.total  # jieba was initialized the usual way first


__all__ = ["TrieFreq", "bigram_codes", "install", "overlay"]
