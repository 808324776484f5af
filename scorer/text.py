"""Rules of Chinese report text, in one place: what ends a sentence or a clause, when two
sentences are the same (the sentence key), which lines start with a heading's number,
and how Chinese numerals read.

Normalization (scorer/ingest/normalize.py) joins lines by these rules, segmentation
(scorer/segment.py) splits sentences by them, metadata reads titles and dates with them,
scoring and the quantity matcher compare and count with them. Where two readers need a
slightly different rule, the difference is written here, by name or by parameter, not
in a private copy. What a Chinese character is: scorer/ingest/han.py.

This module imports nothing of scorer/, so every part of it can import this.
"""

from __future__ import annotations

import re

# --- sentences and clauses -------------------------------------------------------------

SENTENCE_END = "。！？；…!?;"  # ends a sentence (a Latin full stop only as ends_sentence reads it)
CLAUSE_END = "，,：:" + SENTENCE_END  # ends a clause: the scope of negation and co-occurrence
FULL_STOP = "。！？"  # what a line of body prose ends with (metadata: a body line is no title)
# Closing quotes and brackets that belong to the sentence end before them (segmentation).
CLOSERS = "”’」』）)"
# The same when normalization asks whether a line ends a sentence: book-title marks and
# square brackets and ASCII quotes close a sentence too.
LINE_CLOSERS = CLOSERS + "》】〕\"'"

# A sentence's end: its punctuation and the closers after it, or a line break.
SENTENCE_SPLIT = re.compile(f"[{SENTENCE_END}]+[{CLOSERS}]*|\n")
CLAUSE_SPLIT = re.compile(f"[{CLAUSE_END}]+[{CLOSERS}]*")
# Characters a sentence ends with (its closers included): a paragraph ending in none is a heading.
FINAL = SENTENCE_END + CLOSERS


def ends_sentence(line: str) -> bool:
    """Does the line end a sentence: 。！？；… (or a Latin full stop), possibly inside closing
    quotes or brackets (LINE_CLOSERS)? A full stop after a digit or a dot is no end (3. 1.2.)."""
    core = line.rstrip(LINE_CLOSERS)
    if not core:
        return False
    last = core[-1]
    if last in SENTENCE_END:
        return True
    return last == "." and not (len(core) > 1 and (core[-2].isdigit() or core[-2] == "."))


# --- the sentence key -------------------------------------------------------------------

_NOT_KEY = re.compile(r"[\s\W_]+")  # punctuation, symbols and spaces


def sentence_key(text: str) -> str:
    """The text without punctuation, symbols or spaces: sentences with equal keys are the
    same sentence (segmentation's duplicates, scoring's templates, restatement's grams)."""
    return _NOT_KEY.sub("", text)


class KeyIndex:
    """`sentence_key` of any span of one text, from one pass over the text: the key drops
    characters one by one (a character stays when `str.isalnum`, exactly `_NOT_KEY`'s
    complement), so the key of text[a:b] is the whole text's key between the counts of kept
    characters before a and before b. A report's sentences and their templates (a sentence
    without its terms) are keyed by slicing, not one regex pass each."""

    __slots__ = ("chars", "before")

    def __init__(self, text: str):
        self.chars, self.before = _kept(text)

    def key(self, start: int, end: int) -> str:
        """sentence_key(text[start:end])."""
        before = self.before
        return self.chars[before[start] : before[end]]


_ALNUM: list = []  # [table]: code point -> 1 if str.isalnum, 0 if not, -1 not asked yet (int8)


def _kept(text: str) -> tuple[str, list[int]]:
    """sentence_key(text), and how many characters it keeps before each position of `text`
    (len(text) + 1 counts), from a table of `str.isalnum` per code point filled as characters
    are met (a regex pass over the whole text costs twice as much)."""
    import numpy as np

    if not _ALNUM:
        _ALNUM.append(np.full(0x110000, -1, dtype=np.int8))
    table = _ALNUM[0]
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    keep = table[codes]
    if (keep < 0).any():
        for c in np.unique(codes[keep < 0]).tolist():
            table[c] = 1 if chr(c).isalnum() else 0
        keep = table[codes]
    before = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum(keep, out=before[1:])
    chars = codes[keep.astype(bool)].tobytes().decode("utf-32-le", "surrogatepass")
    return chars, before.tolist()


# --- headings ---------------------------------------------------------------------------

_HEADING_NUMERALS = "一二三四五六七八九十百零〇"
_HEADING_START = re.compile(
    rf"[{_HEADING_NUMERALS}]{{1,3}}[、.．]"
    rf"|[（(][{_HEADING_NUMERALS}\d]{{1,3}}[）)]"
    r"|\d{1,2}[、．]|\d{1,2}\.(?!\d)"
    rf"|第[{_HEADING_NUMERALS}\d]{{1,3}}[章节部分篇条]"
    r"|[\u2460-\u2473\u2776-\u277f]"
    r"|——"
)
# The title check's reading (metadata): a numbered line is one that starts 一、 （一） 1、 1.
# with a number of any length, and without 第X章, circled numbers or the subtitle's dash.
_NUMBERED_START = re.compile(r"[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.]")


def starts_heading(line: str, *, title_check: bool = False) -> bool:
    """Does the line start as a heading does: 一、 （二） 3、 4. 第五章 ① ——?

    Normalization breaks a paragraph before such a line (the default reading).
    title_check=True is how metadata tells a title from a numbered line: 一…十 only, of any
    length, before 、; a bracketed number; digits before 、 or a full stop."""
    return bool((_NUMBERED_START if title_check else _HEADING_START).match(line))


# --- Chinese numerals -------------------------------------------------------------------

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
# Every character of a Chinese numeral: 零〇一二两三四五六七八九十百千万亿.
CN_NUMERALS = "".join(CN_DIGITS) + "".join(CN_SMALL_UNITS) + "".join(CN_BIG_UNITS)
# A year written digit by digit may use a circle for zero (二○一四年); a count never does.
_YEAR_DIGITS = CN_DIGITS | {"○": 0}


def chinese_digits(s: str) -> int:
    """Digits read one by one: 一四 → 14, 二○一四 → 2014 (○ and 〇 are zero)."""
    return int("".join(str(_YEAR_DIGITS[ch]) for ch in s))


def chinese_number(s: str) -> float | None:
    """三 → 3, 十二 → 12, 一百零五 → 105, 三千 → 3000; None if not a numeral.
    A string of two or more digits reads digit by digit (一四 in 一四年 → 14)."""
    if not s:
        return None
    if all(ch in CN_DIGITS for ch in s) and len(s) > 1:
        return float(chinese_digits(s))
    total, current = 0, 0
    for ch in s:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
        elif ch in CN_SMALL_UNITS:
            total += (current or 1) * CN_SMALL_UNITS[ch]
            current = 0
        else:
            return None
    return float(total + current)


def chinese_day(s: str) -> int:
    """A month or a day, 一…十 with at most one 十: 一 → 1, 十 → 10, 十一 → 11, 二十三 → 23.
    Without 十 the last digit counts (一二 → 2)."""
    if "十" not in s:
        return CN_DIGITS[s[-1]]
    tens, _, ones = s.partition("十")
    return (CN_DIGITS[tens] if tens else 1) * 10 + (CN_DIGITS[ones] if ones else 0)
