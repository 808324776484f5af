"""Properties of normalize() on arbitrary input: no crash, a valid offset map, idempotence."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.ingest.han import HAN_RE
from scorer.ingest.normalize import _t2s
from scorer.ingest.normalize import normalize

T2S = _t2s()
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]

# Report-like material: Chinese, its punctuation, full-width forms, layout spaces,
# line breaks, headings, captions and chrome fragments, in random order.
REPORT_PIECES = list("法院文明单位创建人民青海省一二三、，。“”：；！？（）() \t　０１２3ab-—…>\n") + [
    "\n\n", "——", "（一）", "一、", "市法院市法院", "““", "””", "Copyright", "版权所有", "第 3 页", "- 2 -",
    "您当前的位置是:首页 > ", "来源:", "时间:2017-07-14",
]
report_like = st.lists(st.sampled_from(REPORT_PIECES), max_size=60).map("".join)


@st.composite
def rewrapped_seed_slices(draw):
    """A slice of a real report, optionally re-wrapped to a random column width."""
    text = draw(st.sampled_from(SEED_TEXTS))
    start = draw(st.integers(0, len(text)))
    piece = text[start : start + draw(st.integers(0, 500))]
    if draw(st.booleans()):
        width = draw(st.integers(3, 40))
        flat = piece.replace("\n", "")
        piece = "\n".join(flat[i : i + width] for i in range(0, len(flat), width))
    return piece


any_input = st.one_of(st.text(), report_like, rewrapped_seed_slices())
PROPERTY = settings(max_examples=200, deadline=None)


@PROPERTY
@given(any_input)
def test_offsets_are_valid_and_monotone(raw):
    result = normalize(raw)
    assert len(result.offsets) == len(result.text)
    previous = 0
    for i in range(len(result.text) + 1):
        position = result.to_raw(i)
        assert 0 <= position <= len(raw)
        assert position >= previous
        previous = position


@PROPERTY
@given(any_input)
def test_chinese_characters_map_to_their_source(raw):
    result = normalize(raw)
    for i, ch in enumerate(result.text):
        if HAN_RE.match(ch):
            # From itself, a compatibility form (U+F900 豈 → U+8C48 豈), or the
            # traditional form it simplifies (後 → 后).
            source = unicodedata.normalize("NFKC", raw[result.to_raw(i)])
            assert ch in source or ch in T2S.convert(source)


@PROPERTY
@given(any_input)
def test_idempotent(raw):
    once = normalize(raw).text
    assert normalize(once).text == once


@PROPERTY
@given(any_input)
def test_output_shape(raw):
    text = normalize(raw).text
    assert text == text.strip()
    assert "\n\n" not in text
    assert all(line == line.strip() for line in text.split("\n"))
