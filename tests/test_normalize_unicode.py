"""Invisible code points and traditional characters do not change what a report scores."""

from __future__ import annotations

from pathlib import Path

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.engine import Scorer
from scorer.ingest import normalize as normalize_module
from scorer.ingest.normalize import normalize, to_simplified

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
SEED_TEXTS = [p.read_text("utf-8") for p in SEEDS]
IGNORABLE = regex.compile(r"\p{Default_Ignorable_Code_Point}")

# One of each family of default-ignorable code points.
INVISIBLES = {
    "combining grapheme joiner": "\u034f",
    "variation selector 16": "\ufe0f",
    "variation selector 1": "\ufe00",
    "variation selector supplement": "\U000e0100",
    "tag latin a": "\U000e0041",
    "cancel tag": "\U000e007f",
    "hangul filler": "\u3164",
    "halfwidth hangul filler": "\uffa0",
    "hangul choseong filler": "\u115f",
    "mongolian free variation selector": "\u180b",
    "zero width joiner": "\u200d",
    "word joiner": "\u2060",
    "soft hyphen": "\u00ad",
    "unassigned ignorable": "\U000e0fff",
}


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer.load()


def interleave(text: str, invisible: str) -> str:
    """The invisible character after every Chinese character: inside every keyword."""
    return "".join(ch + invisible if "\u4e00" <= ch <= "\u9fff" else ch for ch in text)


@pytest.mark.parametrize("name", sorted(INVISIBLES))
def test_invisible_characters_inside_keywords_are_removed(name, scorer):
    text = SEED_TEXTS[0]
    stuffed = interleave(text, INVISIBLES[name])
    result = normalize(stuffed)
    assert result.text == normalize(text).text
    assert scorer.score_text(stuffed).total == scorer.score_text(text).total


def test_lone_surrogates_in_text_from_memory_are_dropped_not_a_crash(scorer):
    """Text that never was a file (json.loads of "\\ud800" gives one) has characters UTF-8 cannot
    encode: it scores as the text without them, and its sha256 is still of what was given."""
    import json

    text = SEED_TEXTS[1]
    stuffed = json.loads(json.dumps(text).replace("\\u3002", "\\ud800\\u3002", 5))
    assert "\ud800" in stuffed
    result = scorer.score_text(stuffed)
    plain = scorer.score_text(text)
    assert result.total == plain.total and result.text == plain.text
    assert result.submission.sha256 != plain.submission.sha256


def test_a_veto_statement_with_invisible_characters_still_vetoes(scorer):
    sentence = "本年度我院一名副院长因严重违纪违法被立案审查。"
    plain = scorer.score_text(SEED_TEXTS[0] + "\n" + sentence)
    assert plain.vetoed
    for invisible in INVISIBLES.values():
        hidden = scorer.score_text(SEED_TEXTS[0] + "\n" + interleave(sentence, invisible))
        assert hidden.vetoed and hidden.grade == plain.grade


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("法院文明创建，。\n ") + list(INVISIBLES.values())), max_size=80))
def test_no_ignorable_survives_and_offsets_stay_valid(raw):
    result = normalize(raw)
    assert not IGNORABLE.search(result.text)
    assert len(result.offsets) == len(result.text)
    for i, ch in enumerate(result.text):
        assert raw[result.to_raw(i)] == ch or ch.isspace() or not raw[result.to_raw(i)].strip()


# --- 繁體 → 简体 -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def s2t():
    import opencc

    return opencc.OpenCC("s2t")


@pytest.mark.parametrize("index", range(len(SEEDS)))
def test_traditional_seed_scores_like_the_simplified_one(index, scorer, s2t, tmp_path):
    simplified = SEED_TEXTS[index]
    traditional = s2t.convert(simplified)
    assert traditional != simplified
    path = tmp_path / f"trad-{index}.txt"
    path.write_text(traditional, encoding="utf-8")
    trad_total = scorer.score_path(path).total
    assert trad_total == pytest.approx(scorer.score_text(simplified).total, abs=2)
    assert scorer.score_text(traditional).total == trad_total


@pytest.mark.parametrize("index", range(len(SEEDS)))
def test_simplified_text_passes_through_unchanged(index, monkeypatch):
    converted = normalize(SEED_TEXTS[index]).text
    monkeypatch.setattr(normalize_module, "to_simplified", lambda text, offs: (text, offs))
    assert converted == normalize(SEED_TEXTS[index]).text


def test_traditional_offsets_point_at_the_traditional_source(s2t):
    raw = s2t.convert(SEED_TEXTS[0])
    result = normalize(raw)
    conv = normalize_module._t2s()
    for i, ch in enumerate(result.text):
        j = result.to_raw(i)
        if "\u4e00" <= ch <= "\u9fff":
            # The character itself, or its simplified form in its phrase (瞭解 → 了解).
            assert ch == raw[j] or ch in conv.convert(raw[max(j - 3, 0) : j + 4])


class _Stretching:
    """A converter whose phrase changes length, as some OpenCC phrases may."""

    def convert(self, text: str) -> str:
        return text.replace("後臺", "后台端").replace("乾淨", "净")


@pytest.mark.parametrize(
    "raw", ["前端後臺都好了\n後臺", "前端後臺，都乾淨了", "後臺", "乾淨", "說明\n乾淨後臺後臺\n結束", "都乾淨。後臺"]
)
def test_length_changing_conversion_keeps_a_monotone_offset_map(raw, monkeypatch):
    monkeypatch.setattr(normalize_module, "_t2s", lambda: _Stretching())
    text, offs = to_simplified(raw, range(len(raw)))
    assert text == _Stretching().convert(raw)
    assert len(offs) == len(text)
    assert list(offs) == sorted(offs) and all(0 <= o < len(raw) for o in offs)
    for i, ch in enumerate(text):  # untouched characters map to themselves
        if ch not in "后台端净":
            assert raw[offs[i]] == ch


def test_the_dropped_set_is_exactly_unicodes_default_ignorables():
    """normalize spells the property out for speed; `regex` knows it from Unicode."""
    dropped = normalize_module._DROP
    others = regex.compile(r"[\x00-\x1f\x7f-\x9f\ufff9-\ufffb\ufffd\p{Cs}]")
    for cp in range(0x110000):
        ch = chr(cp)
        if others.match(ch):
            continue
        assert bool(dropped.match(ch)) == bool(IGNORABLE.match(ch)), hex(cp)


def test_lines_are_split_where_str_splitlines_splits():
    """_read_lines splits with str.splitlines; _LINE_BREAKS (which _map_char keeps) must be its set."""
    splits = {chr(cp) for cp in range(0x110000) if len(f"a{chr(cp)}b".splitlines()) == 2}
    assert splits == set(normalize_module._LINE_BREAKS)
