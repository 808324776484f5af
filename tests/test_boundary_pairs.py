"""The pair filter of scorer.match.lexicon.Boundaries (issue 17): an edge whose two characters
either side are together in no dictionary word of at most five characters is settled without
a look-up. It may only skip work: every boundary decision is the one the look-ups make."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXT = (
    "坚持创文明办公室工作不松劲政党建设，党建不是一个词。全面推进精神文明建设，"
    "创建全国文明城市𠀀𠀁，深化志愿服务。学习型机关建设取得实效，群众满意度持续提升。"
)


def _decisions(text, tokenizer, prepared: bool):
    from scorer.match.lexicon import Boundaries

    b = Boundaries(text, tokenizer)
    spans = [(s, s + n) for n in range(1, 7) for s in range(len(text) - n + 1)]
    if prepared:
        b.prepare([x for s, e in spans for x in (s, e)])
    return b, [b._may_cross(s, e) for s, e in spans]


def test_the_pair_filter_changes_no_decision_and_knows_the_added_words(tmp_path, monkeypatch):
    monkeypatch.setenv("CIVSCORE_CACHE", str(tmp_path / "cache"))
    from scorer.match.lexicon import rubric_tokenizer

    tk = rubric_tokenizer(["创文明办公室", "精神文明建设", "学习型"])
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    for text in (TEXT, seeds[0].read_text(encoding="utf-8")[:3000]):
        plain, want = _decisions(text, tk, prepared=False)
        fast, got = _decisions(text, tk, prepared=True)
        assert got == want
        assert fast._pair.count(False) > len(text) // 5  # the filter does settle edges
    # a word added later (a new overlay version), whose pair 劲政 is in no dictionary word,
    # is seen by the filter too: 劲|政 may now be straddled
    from scorer.match import wordfreq

    assert (ord("劲") << 16 | ord("政")) not in set(wordfreq.bigram_codes(tk.FREQ, 5).tolist())
    edge = TEXT.index("劲政") + 1
    before = _decisions(TEXT, tk, prepared=True)[0]
    assert before._pair[edge - 1] is False and not before._crosses(edge - 4, edge)
    tk.add_word("松劲政", 50_000)
    plain, want = _decisions(TEXT, tk, prepared=False)
    fast, got = _decisions(TEXT, tk, prepared=True)
    assert got == want
    assert fast._pair[edge - 1] is True and fast._crosses(edge - 4, edge)


def test_the_pairs_come_from_the_cache_and_match_the_dictionary(tmp_path, monkeypatch):
    import numpy as np

    from scorer.match import wordfreq
    from scorer.match.lexicon import rubric_tokenizer

    monkeypatch.setenv("CIVSCORE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(wordfreq, "_BIGRAMS", {})
    tk = rubric_tokenizer([])
    codes = wordfreq.bigram_codes(tk.FREQ, 5)
    assert codes is not None and np.all(codes[1:] > codes[:-1])
    assert list((tmp_path / "cache").glob("jieba-bigrams-*.bin"))
    # every pair inside a word of 2-5 characters of positive frequency is there (a sample)
    words = [w for w, (f,) in tk.FREQ._trie.items("文明") if f > 0 and 2 <= len(w) <= 5]
    assert words
    want = {ord(w[a]) << 16 | ord(w[a + 1]) for w in words for a in range(len(w) - 1)}
    assert want <= set(codes.tolist())
    monkeypatch.setattr(wordfreq, "_BIGRAMS", {})
    assert np.array_equal(wordfreq.bigram_codes(tk.FREQ, 5), codes)  # read back from the cache
    monkeypatch.setenv("CIVSCORE_CACHE", "off")
    monkeypatch.setattr(wordfreq, "_BIGRAMS", {})
    assert wordfreq.bigram_codes(tk.FREQ, 5) is None  # no cache: no filter, the look-ups decide


def test_look_ups_kept_between_reports_are_bounded_and_forgetting_them_changes_nothing(tmp_path, monkeypatch):
    """A long-lived process scans report after report: the tokenizer's kept look-ups (TrieFreq)
    and log P table are forgotten past KEPT_LOOKUPS, keeping the added words, and every hit is
    the one an unbounded scan finds."""
    monkeypatch.setenv("CIVSCORE_CACHE", str(tmp_path / "cache"))
    from scorer.match import lexicon
    from scorer.segment import segment

    def hits(lex, text):
        found, _ = lex.scan(segment(text))
        return [(h.surface, h.start, h.end, h.negated) for sent in found for h in sent]

    terms = ["创文明办公室", "精神文明建设", "学习型", "志愿服务", "党建", "文明"]
    texts = [p.read_text(encoding="utf-8")[:2500] for p in sorted((ROOT / "seeds").glob("*.txt"))]
    unbounded = lexicon.Lexicon(terms=terms, blocks=[], cues=["没有", "未"], breakers=[])
    want = [hits(unbounded, t) for t in texts]
    monkeypatch.setattr(lexicon, "KEPT_LOOKUPS", 300)
    bounded = lexicon.Lexicon(terms=terms, blocks=[], cues=["没有", "未"], breakers=[])
    freq = bounded.tokenizer.FREQ
    sizes = []
    got = []
    for t in texts:
        got.append(hits(bounded, t))
        sizes.append(len(freq.seen()))
    assert got == want
    assert any(s > 300 for s in sizes)  # a report's own look-ups may pass the bound …
    assert any(b < a for a, b in zip(sizes, sizes[1:]))  # … and a later report starts afresh
    assert all(freq.get(w) == f for w, f in freq._added.items())  # the added words stay
    assert len(bounded.tokenizer._civscore_logp[1]) <= 300 + max(sizes)
