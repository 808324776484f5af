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

import jieba

_KIND = "jieba-freq"
_FMT = "<q"
_LOCK = threading.Lock()
DICT_KEY: str | None = None  # the sha256 key of the dictionary install() gave jieba (None: not installed here)


class TrieFreq:
    """The mapping jieba's tokenizer reads (`get`, `in`, `[]`) and `add_word` writes."""

    __slots__ = ("_trie", "_seen")

    def __init__(self, trie):
        self._trie = trie
        self._seen: dict[str, int | None] = {}  # look-ups so far, and words added (overlay)

    def get(self, key, default=None):
        try:
            v = self._seen[key]
        except KeyError:
            found = self._trie.get(key)
            v = self._seen[key] = found[0][0] if found else None
        return default if v is None else v

    def __contains__(self, key) -> bool:
        return self.get(key) is not None

    def __getitem__(self, key):
        v = self.get(key)
        if v is None:
            raise KeyError(key)
        return v

    def __setitem__(self, key, value) -> None:
        self._seen[key] = int(value)


def _build(data: bytes):
    import io

    import marisa_trie

    f = io.BytesIO(data)
    f.name = "jieba dict.txt"
    freq, total = jieba.dt.gen_pfdict(f)
    return marisa_trie.RecordTrie(_FMT, [(w, (int(n),)) for w, n in freq.items()]), int(total)


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
        key = hashlib.sha256(data + b"|marisa-trie RecordTrie <q").hexdigest()
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


def overlay():
    """(FREQ, total) for a tokenizer of its own over jieba's dictionary: words it adds stay in it."""
    import collections

    install()
    dt = jieba.dt
    if isinstance(dt.FREQ, TrieFreq):
        return TrieFreq(dt.FREQ._trie), dt.total
    return collections.ChainMap({}, dt.FREQ), dt.total  # jieba was initialized the usual way first


__all__ = ["TrieFreq", "install", "overlay"]
