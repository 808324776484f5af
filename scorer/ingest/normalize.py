"""Turn extracted report text into clean paragraphs, with a map back to the raw text.

Readers hand over text with print-layout damage (lines broken mid-sentence,
letter-spaced titles, captions doubled by PDF overprint, page numbers) and web
chrome (breadcrumbs, bylines, footers). Matching wants one paragraph per line;
evidence offsets need a way back to the raw text, so every output character
records the raw index it came from. All edits are deletions, one-for-one
substitutions or NFKC expansions, which keeps that map monotone.

Pipeline, per physical line then across lines:
  characters   NFKC (full-width digits/Latin → ASCII) but Chinese punctuation kept;
               control characters and every default-ignorable code point dropped
               (format characters, variation selectors, tag characters, U+034F …)
  script       traditional Chinese converted to simplified (OpenCC t2s), which the
               rubric's terms are written in
  captions     "市法院市法院““道德讲堂道德讲堂””" → "市法院“道德讲堂”"
  spaces       removed next to Chinese ("青 海 省" → "青海省"), kept between Latin words
  furniture    page numbers, running headers, website boilerplate, repeated titles
  paragraphs   lines joined unless the break is real (sentence end, heading, title)
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import opencc

from ..text import ends_sentence, starts_heading
from .boilerplate import boilerplate_indices, is_breadcrumb, is_page_noise
from .han import CJKISH, CJKISH_RE, HAN_RE


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalized text plus, for each of its characters, the raw index it came from."""

    text: str
    offsets: list[int]
    raw_length: int

    def to_raw(self, i: int) -> int:
        """Raw index of text[i]; len(text) maps to the raw length (end of text)."""
        if not 0 <= i <= len(self.text):
            raise IndexError(f"offset {i} outside 0..{len(self.text)}")
        return self.offsets[i] if i < len(self.text) else self.raw_length

    def span_to_raw(self, start: int, end: int) -> tuple[int, int]:
        """The raw span [a, b) covering text[start:end]."""
        if start >= end:
            pos = self.to_raw(start)
            return pos, pos
        return self.to_raw(start), self.to_raw(end - 1) + 1


# A line of work in progress: its text and the raw index of every character
# (a range while untouched, a list after edits).
Offsets = Sequence[int]

TITLE_MAX_CHARS = 30  # a line this short without a full stop can be a title
HEADING_MAX_CHARS = 60  # same for lines that start with 一、 / （二） / ——
REPEATED_LINE_MAX_CHARS = 40
RUNNING_HEADER_MAX_SHARE = 0.25  # of all lines

_LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # what str.splitlines() splits on
_SPACE_RUN = re.compile(" +")  # after character cleanup every space is " "
# A run of spaces that _squeeze_spaces keeps (as one space): inside the line, between two
# characters that are not Chinese. Every other run is dropped.
_SPACE_KEEP = re.compile(f"(?<=[^ {CJKISH}]) +(?=[^ {CJKISH}])")
_CHUNK = re.compile("[^ ]+")

# Chinese punctuation that NFKC would turn into ASCII; kept full-width.
_KEEP = frozenset("，：；！？（）…")
# Each of _KEEP as an NFKC-stable stand-in, "、", with one str.replace each: str.translate
# costs a dict look-up per character of Chinese text (~1 ms a report), a regex ~4x these.
_KEEP_STAND_IN = "、"


def _keep_stood_in(text: str) -> str:
    for ch in _KEEP:
        text = text.replace(ch, _KEEP_STAND_IN)
    return text


# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt): invisible by
# definition. Zero-width and bidi format characters, soft hyphen, U+034F, Hangul
# fillers, variation selectors FE00–FE0F and E0100–E01EF, tag characters E0000–E007F
# and the unassigned rest of that plane. Spelled out so the hot path can use `re`
# (five times faster here than `regex`'s \p{Default_Ignorable_Code_Point});
# tests/test_normalize_unicode.py checks it against `regex` over every code point.
_IGNORABLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
# Characters NFKC leaves alone that cleanup still changes: droppable controls and
# ignorables, tab and ogham space (line breaks excluded: they split lines).
_UNCLEAN = re.compile(
    f"[\x00-\x09\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u1680\ufff9-\ufffb\ufffd\ud800-\udfff{_IGNORABLE}]"
)
# Control, default-ignorable and surrogate characters, and U+FFFD left by bad decoding.
_DROP = re.compile(f"[\x00-\x1f\x7f-\x9f\ufff9-\ufffb\ufffd\ud800-\udfff{_IGNORABLE}]")

_BRACKETED = re.compile(r"^(?:（[^（）]{3,}）|\([^()]{3,}\))$")  # "（…机关党委供稿）", "(李娇)"
# A title with its subtitle: "——" and no sentence punctuation ("擎起文明司法一面旗——青海省…纪实").
_DASHED_TITLE = re.compile(r"[^，。、；：！？,;:!?（）()]*——[^，。、；：！？,;:!?（）()]+")
_OPEN_END = frozenset("，、,（(“‘《〈【[「『—-/")
_CLOSING_START = frozenset("，。、；：！？”’）)》」』】〕,.;:!?…")
_LATIN_EDGE = re.compile(r"[A-Za-z0-9]")

_MAX_DOUBLED_CHARS = 160  # longest line checked for doubling (the check is quadratic)
_MAX_ROUNDS = 4


def normalize(raw: str, *, keep_boilerplate: bool = False) -> Normalized:
    """Clean `raw` into paragraphs separated by single newlines.

    keep_boilerplate=True keeps website chrome lines (as their own paragraphs) so
    metadata living in bylines (作者/来源/时间) can still be read.

    One pass can expose more work (two joined lines may form a doubled caption or
    a breadcrumb), so passes repeat until the text stops changing. A pass only
    deletes characters or merges lines, so this converges; usually the second pass
    just confirms. The fixpoint is what makes normalize idempotent.
    """
    text, offsets = _assemble(_pass(raw, keep_boilerplate, simplify=True))
    return _settle(raw, text, offsets, keep_boilerplate)


def normalize_document(raw: str) -> tuple[Normalized, Normalized]:
    """(normalize(raw), normalize(raw, keep_boilerplate=True)) from one reading of `raw`.

    A document needs both: the body to score, and the text with its website bylines for
    metadata. The first pass (characters, script, captions, spaces, furniture) is shared:
    the body is the kept text's lines without the boilerplate ones, joined alike. Only
    the confirming passes run on each text, and on one text for both while it has no
    boilerplate (a report that is not a web page).
    """
    lines, column = _read_lines(raw, simplify=True)
    kept = _drop_furniture(lines, column, keep_boilerplate=True)
    body = [ln for ln in kept if not ln.hard]  # what _drop_furniture keeps without keep_boilerplate
    if len(body) == len(kept):
        return _settle_both(raw, *_assemble(_join_lines(kept, column)))
    return (
        _settle(raw, *_assemble(_join_lines(body, column)), keep_boilerplate=False),
        _settle(raw, *_assemble(_join_lines(kept, column)), keep_boilerplate=True),
    )


def _settle(
    raw: str, text: str, offsets: list[int], keep_boilerplate: bool, rounds: int = _MAX_ROUNDS
) -> Normalized:
    """Repeat passes over a first pass's result until the text stops changing.

    A pass's offsets are only assembled when its text differs (usually it just confirms)."""
    for _ in range(rounds):
        paragraphs = _pass(text, keep_boilerplate)
        again = _joined(paragraphs)
        if again == text:
            break
        text, offsets = again, [offsets[i] for i in _assemble(paragraphs)[1]]
    return Normalized(text, offsets, len(raw))


def _settle_both(raw: str, text: str, offsets: list[int]) -> tuple[Normalized, Normalized]:
    """(_settle(raw, text, offsets, False), _settle(raw, text, offsets, True)), one pass a round
    while a pass finds no boilerplate line: keep_boilerplate only decides what becomes of
    those lines, so until then both settle alike."""
    for done in range(_MAX_ROUNDS):
        lines, column = _read_lines(text, simplify=False)
        lines = _drop_furniture(lines, column, keep_boilerplate=True)
        if any(ln.hard for ln in lines):  # the two part here: each goes on alone
            rounds = _MAX_ROUNDS - done
            return _settle(raw, text, offsets, False, rounds), _settle(raw, text, offsets, True, rounds)
        paragraphs = _join_lines(lines, column)
        again = _joined(paragraphs)
        if again == text:
            break
        text, offsets = again, [offsets[i] for i in _assemble(paragraphs)[1]]
    return Normalized(text, offsets, len(raw)), Normalized(text, list(offsets), len(raw))


def _pass(raw: str, keep_boilerplate: bool, simplify: bool = False) -> list[tuple[str, Offsets]]:
    """The paragraphs of one pass over `raw` (_assemble makes them a text and its offsets)."""
    lines, column = _read_lines(raw, simplify)
    lines = _drop_furniture(lines, column, keep_boilerplate)
    return _join_lines(lines, column)


def _read_lines(raw: str, simplify: bool) -> tuple[list[_Line], int | None]:
    """The lines of `raw`, characters cleaned, captions undoubled, spaces squeezed; and the column width."""
    text, offs = _clean_chars(raw)
    text, offs = _drop_ruby(text, offs)
    if simplify:
        text, offs = to_simplified(text, offs)
    lines: list[_Line] = []
    pos = 0  # where `line` starts in text
    for line in text.splitlines(keepends=True):  # splits where _LINE_BREAKS are
        line_start, pos = pos, pos + len(line)
        stripped = line.strip()
        if not stripped:
            continue
        start = line_start + (len(line) - len(line.lstrip()))
        line_offs = offs[start : start + len(stripped)]
        if " " not in stripped and (len(stripped) < 8 or len(stripped) % 2):
            # The common case: no inner spaces and too short or odd for a doubled caption.
            lines.append(_Line(stripped, line_offs, _width(stripped)))
            continue
        for piece, piece_offs, caption in _undouble_captions(stripped, line_offs):
            width = _width(piece)
            piece, piece_offs = _squeeze_spaces(piece, piece_offs)
            if piece:
                lines.append(_Line(piece, piece_offs, width, caption))
    return lines, _column_width(lines)


@dataclass(slots=True)
class _Line:
    text: str
    offs: Offsets
    width: int  # display width before spaces were squeezed (CJK counts 2)
    caption: bool = False  # was printed doubled: a caption, so a line of its own
    hard: bool = False  # boilerplate kept for metadata: never joined


@lru_cache(maxsize=16384)
def _map_char(ch: str) -> str:
    """What one character becomes: itself, '' (dropped), ' ' (any space) or its NFKC form."""
    if ch in _KEEP or ch in _LINE_BREAKS or "\u2460" <= ch <= "\u24ff" or "\u2776" <= ch <= "\u2793":
        return ch
    if _DROP.match(ch) and ch != "\t":
        return ""
    if ch.isspace():
        return " "  # tab, no-break, ideographic and other spaces: later steps see only " "
    return "".join(c for c in unicodedata.normalize("NFKC", ch) if not _DROP.match(c))


def _clean_chars(raw: str) -> tuple[str, Offsets]:
    """NFKC character by character, except the Chinese punctuation in _KEEP.

    One-for-one replacements (full-width digits, odd spaces) go through str.translate,
    which leaves offsets alone; only deletions and expansions are edited one by one.
    """
    if not _UNCLEAN.search(raw) and unicodedata.is_normalized("NFKC", _keep_stood_in(raw)):
        return raw, range(len(raw))
    table = {}
    for ch in set(raw):
        mapped = _map_char(ch)
        if mapped != ch:
            table[ord(ch)] = mapped
    if not table:
        return raw, range(len(raw))
    same_length = {k: v for k, v in table.items() if len(v) == 1}
    text = raw.translate(same_length) if same_length else raw
    resized = [chr(k) for k, v in table.items() if len(v) != 1]
    if not resized:
        return text, range(len(raw))
    pattern = re.compile("[" + "".join(re.escape(ch) for ch in resized) + "]")
    edits = [(m.start(), m.end(), table[ord(m.group())]) for m in pattern.finditer(text)]
    return _rewrite(text, range(len(raw)), edits)


_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# A reading in pinyin after a character, where a page's ruby annotation was flattened into
# the text (報(bào)訊, 落實(shí)): a tone-marked syllable in brackets right after a Han character.
_RUBY = re.compile(rf"(?<=[\u4e00-\u9fff])[(（][a-zü]*[{_TONED}][a-zü{_TONED}]*[)）]")
_ANY_TONED = re.compile(f"[{_TONED}]")


def _drop_ruby(text: str, offs: Offsets) -> tuple[str, Offsets]:
    """Remove flattened ruby readings, which split words (報(bào)道) and so every phrase
    spanning them; a bracket without a tone-marked syllable stays."""
    if not _ANY_TONED.search(text):  # one pass; most reports hold no toned letter
        return text, offs
    edits = [(m.start(), m.end(), "") for m in _RUBY.finditer(text)]
    return _rewrite(text, offs, edits) if edits else (text, offs)


_CLAUSE = re.compile(f"[^{_LINE_BREAKS}，。；！？、：]+|[{_LINE_BREAKS}，。；！？、：]")


@cache
def _t2s() -> opencc.OpenCC:
    """OpenCC's traditional→simplified converter, loaded once per process (its
    dictionaries ship in the wheel)."""
    return opencc.OpenCC("t2s")


def to_simplified(text: str, offs: Offsets) -> tuple[str, Offsets]:
    """Traditional Chinese → simplified, keeping each character's raw index.

    Text without traditional characters comes back as it is. Otherwise each clause
    (text between line breaks and Chinese punctuation, which no phrase spans) is
    converted on its own: t2s is almost always character for character, and then
    the offsets stand; where a phrase changes a clause's length, the clause is
    aligned with its conversion (difflib): unchanged characters keep their index,
    a replaced stretch maps onto its source stretch, in order.
    """
    converter = _t2s()
    converted = converter.convert(text)
    if converted == text:
        return text, offs
    parts: list[str] = []
    new_offs: list[int] = []
    for m in _CLAUSE.finditer(text):
        s, e = m.span()
        clause = m.group()
        out = converter.convert(clause)
        parts.append(out)
        if len(out) == len(clause):
            new_offs.extend(offs[s:e])
            continue
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, clause, out, autojunk=False).get_opcodes():
            if tag == "equal":
                new_offs.extend(offs[s + i1 : s + i2])
            elif j2 > j1:  # replace/insert: spread over the source stretch, monotone
                last = i2 - 1 if i2 > i1 else max(i1 - 1, 0)
                for k in range(j2 - j1):
                    new_offs.append(offs[s + min(i1 + k, last)])
    return "".join(parts), new_offs


def _width(text: str) -> int:
    """Display width: ASCII counts 1, everything else 2 (enough for Chinese layout)."""
    return 2 * len(text) - len(text.encode("ascii", "ignore"))


def _squeeze_spaces(text: str, offs: Offsets) -> tuple[str, Offsets]:
    """Drop whitespace next to Chinese; elsewhere keep a single space."""
    if " " not in text:
        return text, offs
    if text[:1] != " " and text[-1:] != " " and "  " not in text and not CJKISH_RE.search(text):
        return text, offs  # Latin words with single spaces: nothing to do
    if not _SPACE_KEEP.search(text):
        # Every run of spaces goes (letter-spaced Chinese: "青 海 省"): no per-run edits.
        return text.replace(" ", ""), [o for o, ch in zip(offs, text) if ch != " "]
    edits = []
    for m in _SPACE_RUN.finditer(text):
        s, e = m.span()
        if s == 0 or e == len(text):
            edits.append((s, e, ""))
        elif CJKISH_RE.match(text, s - 1) or CJKISH_RE.match(text, e):
            edits.append((s, e, ""))
        elif m.group() != " ":
            edits.append((s, e, " "))
    return _rewrite(text, offs, edits) if edits else (text, offs)


def _rewrite(text: str, offs: Offsets, edits) -> tuple[str, list[int]]:
    """Apply sorted (start, end, replacement) edits; replacements map to offs[start]."""
    parts: list[str] = []
    new_offs: list[int] = []
    pos = 0
    for s, e, repl in edits:
        parts.append(text[pos:s])
        new_offs.extend(offs[pos:s])
        if repl:
            parts.append(repl)
            new_offs.extend([offs[s]] * len(repl))
        pos = e
    parts.append(text[pos:])
    new_offs.extend(offs[pos:])
    return "".join(parts), new_offs


# --- doubled captions ---------------------------------------------------------


def _doubled_units(s: str) -> list[int] | None:
    """If s is a sequence of units each printed twice, the indices of the first copies.

    "市法院市法院““道德讲堂道德讲堂””" = 市法院² “² 道德讲堂² ”². Only whole strings
    qualify, so "常学常新" or "人人参与" are left alone.
    """
    n = len(s)
    if n < 8 or n % 2 or n > _MAX_DOUBLED_CHARS:
        return None
    # Cheap rejections: s must start with a doubled unit, and end with one (its reverse starts so).
    if not _starts_doubled(s) or not _starts_doubled(s[::-1]):
        return None
    if not HAN_RE.search(s):
        return None
    unit = [0] * (n + 1)  # unit[p]: length of the doubled unit starting at p (0 = none)
    solvable = [n]  # positions the rest of s splits into doubled units from, ascending
    for p in range(n - 2, -1, -2):
        for q in solvable:  # the shortest unit first
            size = (q - p) // 2
            if s[p : p + size] == s[p + size : q]:
                unit[p] = size
                solvable.insert(0, p)
                break
    if solvable[0] != 0:
        return None
    keep: list[int] = []
    p = 0
    while p < n:
        keep.extend(range(p, p + unit[p]))
        p += 2 * unit[p]
    return keep


def _starts_doubled(s: str) -> bool:
    """Does s start with some unit printed twice (s[:k] == s[k:2k], k <= len(s) / 2)?"""
    half = len(s) // 2
    k = s.find(s[0], 1, half + 1)  # a unit's copy starts with s[0]
    while k > 0:
        if s.startswith(s[:k], k):
            return True
        k = s.find(s[0], k + 1, half + 1)
    return False


def _undouble(text: str, offs: Offsets) -> tuple[str, Offsets, bool]:
    changed = False
    while (keep := _doubled_units(text)) is not None:
        text = "".join(text[i] for i in keep)
        offs = [offs[i] for i in keep]
        changed = True
    return text, offs, changed


def _undouble_captions(text: str, offs: Offsets) -> list[tuple[str, Offsets, bool]]:
    """Collapse doubled whitespace-separated chunks; a line of several becomes one line each.

    Returns (text, offsets, was_doubled) per resulting line.
    """
    if " " not in text:  # one chunk
        return [_undouble(text, offs)]
    chunks = [m.span() for m in _CHUNK.finditer(text)]
    if len(chunks) == 1:
        return [_undouble(text, offs)]
    undoubled = {
        (st, e): result
        for st, e in chunks
        if _may_double(e - st) and (result := _undouble(text[st:e], offs[st:e]))[2]
    }
    if not undoubled:
        return [(text, offs, False)]
    return [undoubled.get((st, e)) or (text[st:e], offs[st:e], False) for st, e in chunks]


def _may_double(n: int) -> bool:
    """Can a chunk of this length be a doubled caption at all? (_doubled_units' first test)"""
    return 8 <= n <= _MAX_DOUBLED_CHARS and not n % 2


def _undouble_paragraph(text: str, offs: Offsets) -> tuple[str, Offsets]:
    """Same collapse on a joined paragraph, chunk by chunk, keeping it one paragraph."""
    if " " not in text:
        new_text, new_offs, _ = _undouble(text, offs)
        return new_text, new_offs
    chunks = [
        (st, e, result)
        for m in _CHUNK.finditer(text)
        if _may_double((e := m.end()) - (st := m.start())) and (result := _undouble(text[st:e], offs[st:e]))[2]
    ]
    if not chunks:
        return text, offs
    parts: list[str] = []
    new_offs: list[int] = []
    pos = 0
    for s, e, (chunk, chunk_offs, _) in chunks:
        parts.append(text[pos:s])
        new_offs.extend(offs[pos:s])
        parts.append(chunk)
        new_offs.extend(chunk_offs)
        pos = e
    parts.append(text[pos:])
    new_offs.extend(offs[pos:])
    return "".join(parts), new_offs


# --- page furniture -------------------------------------------------------------


def _drop_furniture(lines: list[_Line], column: int | None, keep_boilerplate: bool) -> list[_Line]:
    """Remove page numbers, running headers, web chrome and repeated title lines.

    Repeats only count for lines that stand alone: in wrapped text a line about the
    column's width is a piece of a paragraph, and two paragraphs may share one. A
    running header recurs once a page, so repeats making up much of the text are
    content (a list, or a report pasted twice), not headers.

    In wrapped text a chrome line that fills the column without ending a sentence
    carries on into the next line (a footer wrapped over two lines): that goes too.
    """

    def stands_alone(ln: _Line) -> bool:
        return column is None or not 0.7 * column <= ln.width <= 1.15 * column

    short_counts = Counter(
        ln.text for ln in lines if len(ln.text) <= TITLE_MAX_CHARS and stands_alone(ln)
    )
    running = {t for t, c in short_counts.items() if c >= 3}
    if running:
        # A running header heads different pages: what follows it differs each time. A
        # line followed by the same line at every occurrence is repeated content (a
        # report pasted three times), not a header.
        after: dict[str, set[str]] = {t: set() for t in running}
        for i, ln in enumerate(lines[:-1]):
            if ln.text in after:
                after[ln.text].add(lines[i + 1].text)
        running = {t for t in running if len(after[t]) > 1}
    if sum(short_counts[t] for t in running) > RUNNING_HEADER_MAX_SHARE * len(lines):
        running = set()

    first_crumb = next(
        (i for i, ln in enumerate(lines[:8]) if is_breadcrumb(ln.text)), None
    )
    chrome = boilerplate_indices([ln.text for ln in lines])
    kept: list[_Line] = []
    seen_short: set[str] = set()
    continues_chrome = False
    for i, ln in enumerate(lines):
        text = ln.text
        if is_page_noise(text) or text in running:
            continue
        before_crumb = first_crumb is not None and i < first_crumb
        if (
            i in chrome
            or continues_chrome
            or (before_crumb and len(text) <= TITLE_MAX_CHARS and not ends_sentence(text))
        ):
            continues_chrome = (
                column is not None and ln.width >= 0.85 * column and not ends_sentence(text)
            )
            if keep_boilerplate:
                ln.hard = True
                kept.append(ln)
            continue
        continues_chrome = False
        if len(text) <= REPEATED_LINE_MAX_CHARS and not ends_sentence(text) and stands_alone(ln):
            if text in seen_short:
                continue
            seen_short.add(text)
        kept.append(ln)
    return kept


# --- paragraphs -------------------------------------------------------------------


def _column_width(lines: list[_Line]) -> int | None:
    """The line width of hard-wrapped (print-layout) text, or None if lines are paragraphs.

    Wrapped text has most lines near one width, and most of those end mid-sentence.
    """
    widths = sorted(ln.width for ln in lines if ln.width >= 12)
    if len(widths) < 6:
        return None
    best_width, best_count = 0, 0
    for w in set(widths):
        count = bisect_right(widths, w) - bisect_left(widths, 0.85 * w)
        if count > best_count or (count == best_count and w > best_width):
            best_width, best_count = w, count
    if best_count < 0.5 * len(lines):
        return None
    band = [ln for ln in lines if 0.85 * best_width <= ln.width <= best_width]
    open_ended = sum(1 for ln in band if not ends_sentence(ln.text))
    return best_width if open_ended >= 0.6 * len(band) else None


@dataclass(slots=True)
class _Paragraph:
    """A paragraph being built: what the join decision needs, without re-joining strings."""

    parts: list[str]
    offs: Offsets  # the first line's own until a second is added (most paragraphs are one line)
    head: str  # its first line (headings are recognised by how they start)
    tail: str  # its last few characters (sentence ends, closing quotes)
    length: int
    last: _Line

    @classmethod
    def start(cls, ln: _Line) -> _Paragraph:
        return cls([ln.text], ln.offs, ln.text, ln.text[-8:], len(ln.text), ln)

    def add(self, ln: _Line) -> None:
        if len(self.parts) == 1:
            self.offs = list(self.offs)  # a copy of the first line's, to extend
        if _LATIN_EDGE.match(self.tail[-1]) and _LATIN_EDGE.match(ln.text[0]):
            self.parts.append(" ")
            self.offs.append(self.offs[-1] + 1)
            self.length += 1
        self.parts.append(ln.text)
        self.offs.extend(ln.offs)
        self.tail = (self.tail + ln.text)[-8:]
        self.length += len(ln.text)
        self.last = ln


def _breaks(para: _Paragraph, nxt: _Line, column: int | None) -> bool:
    """Is the line break between the paragraph so far and line `nxt` a real one?"""
    if para.last.hard or nxt.hard:
        return True
    if nxt.text[0] in _CLOSING_START:
        return False
    if ends_sentence(para.tail) or starts_heading(nxt.text) or _BRACKETED.match(para.head):
        return True
    if para.tail[-1] in _OPEN_END:
        return False
    if para.length > HEADING_MAX_CHARS:
        return False
    text = "".join(para.parts)
    if _DASHED_TITLE.fullmatch(text):
        return True
    heading = starts_heading(para.head)
    if para.length > (HEADING_MAX_CHARS if heading else TITLE_MAX_CHARS):
        return False
    if para.last.caption:
        return True
    if not heading and ("，" in text or "," in text):
        return False  # titles have no commas: this is a sentence broken off
    if column is None:
        return True
    # In wrapped text a title is a line clearly shorter (or longer) than the column.
    return para.last.width < 0.7 * column or para.last.width > 1.15 * column


def _join_lines(lines: list[_Line], column: int | None) -> list[tuple[str, Offsets]]:
    paragraphs: list[_Paragraph] = []
    for ln in lines:
        if paragraphs and not _breaks(paragraphs[-1], ln, column):
            paragraphs[-1].add(ln)
        else:
            paragraphs.append(_Paragraph.start(ln))
    return [_undouble_paragraph("".join(p.parts), p.offs) for p in paragraphs]


def _joined(paragraphs) -> str:
    """_assemble's text alone."""
    return "\n".join(text for text, _ in paragraphs)


def _assemble(paragraphs) -> tuple[str, list[int]]:
    texts: list[str] = []
    offsets: list[int] = []
    for text, offs in paragraphs:
        if texts:
            offsets.append(offsets[-1] + 1)  # the newline sits right after the last char
        texts.append(text)
        offsets.extend(offs)
    return "\n".join(texts), offsets
