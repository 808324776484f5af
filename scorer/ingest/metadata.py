"""Title, unit, date and author of a report, read from its text.

Give it normalize(raw, keep_boilerplate=True).text (normalize_document's second text): paragraphs one per line, with
the website bylines (作者/来源/时间 …) still present, since that is where a web
page keeps its author and date. Clean text works too, with less to find.

Heuristics, in the order the reports in seeds/ taught us:
  title   the first title-like line before the body, with its "——" subtitle;
          a line with a subtitle (below it or on the same line) beats an
          earlier column label (纪实·服务)
  unit    the court (…人民法院 with its administrative prefix) mentioned most,
          in its fullest form, preferring the form used near the top; other
          units (…局/委/厅/学校/医院/中心/公司/办公室) when no court is named
  date    a labelled byline date (时间:2014-11-03), else a closing date line,
          in Arabic or Chinese numerals (一四年十一月三日) → ISO 2014-11-03
  author  a byline (作者:/来源:/文/), a bare 2–3 character name line under the
          title (李美德), or a closing "(李娇)"
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from re import _constants as _re_constants
from re import _parser as _re_parser

from ..text import FULL_STOP, chinese_day, chinese_digits, starts_heading
from .boilerplate import is_boilerplate, is_breadcrumb, is_page_noise
from .document import Metadata
from .han import HAN
from .vocabulary import VOCABULARY

_UNIT = VOCABULARY["unit"]

_TITLE_ZONE = 15  # paragraphs searched for the title and bylines
_TOP_ZONE = 5  # paragraphs whose unit form is preferred (title, subtitle, lead)
_TITLE_CHARS = (4, 60)

# --- units ---------------------------------------------------------------------

_ADMIN_SUFFIX = (
    "特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|自治县|自治旗|地区|林区|新区|矿区|"
    "省|市|州|盟|县|区|旗"
)
_PLACE = rf"[{HAN}]{{2,8}}?(?:{_ADMIN_SUFFIX})"
_COURT = re.compile(rf"(?:{_PLACE}){{1,4}}{_UNIT['court_suffix']}")
_OTHER_UNIT = re.compile(rf"(?:{_PLACE}){{1,4}}[{HAN}]{{0,10}}?(?:{'|'.join(_UNIT['other_suffixes'])})")


def _literal_end(pattern: str) -> str:
    """The text every match of `pattern` ends with, as its last characters spell it out:
    "(?:高级|中级)?人民法院" → 人民法院 ("" when it ends otherwise)."""
    end = ""
    for op, arg in reversed(_re_parser.parse(pattern).data):
        if op is not _re_constants.LITERAL:
            break
        end = chr(arg) + end
    return end


# What every match of each of those contains: a unit is only looked for near one (_mentions).
# For a court the word its suffix ends with (人民法院): re finds a literal ~20x faster than
# a pattern with an optional start.
_COURT_WORD = _literal_end(_UNIT["court_suffix"])
_COURT_ANCHOR = re.compile(re.escape(_COURT_WORD) if _COURT_WORD else _UNIT["court_suffix"])
_OTHER_ANCHOR = re.compile("|".join(_UNIT["other_suffixes"]))

_PROVINCE = re.compile(
    "(?:北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|"
    "广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门)"
    "(?=省|市|自治区|壮族|回族|维吾尔|特别行政区)"
)
# Words that run into a unit name in prose ("欢迎光临黄冈市…", "以下简称格尔木市…").
_LEAD_IN = re.compile("|".join(sorted(_UNIT["lead_in"], key=len, reverse=True)))
_FUNCTION_CHARS = frozenset("在与和及被由向对从将把给是为经据于至到的了等并或同跟我本该")
_PROSE_CHARS = frozenset("被的了是把")  # in no place or unit name: a mention holding one is prose

# --- dates -------------------------------------------------------------------------

_LABELLED_DATE = re.compile(
    r"(?:时间|日期)\s*[:：]\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
)
_ARABIC_DATE = re.compile(r"(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})")
_CHINESE_DATE = re.compile(
    "([〇○零一二三四五六七八九]{2,4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
)
_DATE_LINE_CHARS = 40  # a closing date line, maybe with the unit's name before it

# --- authors --------------------------------------------------------------------

_BYLINE_LABELS = "作者|撰稿|撰文|记者|通讯员|来源|稿源|编辑|责任编辑|责编|时间|日期|阅读|点击|浏览|发布|审核|摄影"
_AUTHOR_LABEL = re.compile(r"(?:作者|撰稿|撰文|记者|通讯员)\s*[:：]|文\s*/")
_SOURCE_LABEL = re.compile(r"(?:来源|稿源)\s*[:：]")
_BYLINE_END = re.compile(rf"\s|[|｜,，;；]|(?:{_BYLINE_LABELS})")
_NAME_LINE = re.compile(rf"[{HAN}]{{2,3}}")
_NOT_NAMES = frozenset("前言 引言 概述 总结 摘要 目录 附件 简介 正文 结语 按语 编者按 综述".split())
_CLOSING_NAME = re.compile(
    rf"[（(](?:作者[:：]?|文\s*/|通讯员|记者)?\s*([{HAN}]{{2,4}}(?:[、，, ][{HAN}]{{2,4}}){{0,3}})[)）]"
)


def extract_metadata(text: str) -> Metadata:
    paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
    title, title_end = _title(paragraphs)
    return Metadata(
        title=title,
        unit=_unit(paragraphs),
        date=_date(paragraphs),
        author=_author(paragraphs, title_end),
    )


# --- title ------------------------------------------------------------------------


def _is_chrome(p: str) -> bool:
    return is_boilerplate(p) or is_breadcrumb(p) or is_page_noise(p)


def _is_body(p: str) -> bool:
    return len(p) > _TITLE_CHARS[1] or (len(p) > 30 and p[-1] in FULL_STOP)


def _title_like(p: str) -> bool:
    low, high = _TITLE_CHARS
    return (
        low <= len(p) <= high
        and not _is_chrome(p)
        and not p.startswith("——")
        and p[-1] not in "。！？；，、：:"
        and not starts_heading(p, title_check=True)
        and not _CHINESE_DATE.search(p)
        and not _ARABIC_DATE.fullmatch(p)
    )


def _title(paragraphs: list[str]) -> tuple[str | None, int]:
    """(title with subtitle, index of its last line), or (None, -1)."""
    candidates = []
    for i, p in enumerate(paragraphs[:_TITLE_ZONE]):
        if _is_body(p) and not _is_chrome(p):
            break
        if _title_like(p):
            candidates.append(i)
    for i in candidates:
        subtitle = paragraphs[i + 1] if i + 1 < len(paragraphs) else ""
        if subtitle.startswith("——") and len(subtitle) <= _TITLE_CHARS[1] + 2:
            return paragraphs[i] + subtitle, i + 1
    for i in candidates:  # title and subtitle typeset on one line
        if "——" in paragraphs[i][1:]:
            return paragraphs[i], i
    if candidates:
        return paragraphs[candidates[0]], candidates[0]
    return None, -1


# --- unit -------------------------------------------------------------------------


def _trim_unit(name: str, pattern: re.Pattern) -> str:
    """Cut prose that ran into a unit name: lead-in words, text before a province, one-char function words."""
    leads = list(_LEAD_IN.finditer(name))
    if leads and pattern.fullmatch(name[leads[-1].end() :]):
        name = name[leads[-1].end() :]
    province = _PROVINCE.search(name)
    if province and province.start() > 0 and pattern.fullmatch(name[province.start() :]):
        return name[province.start() :]
    # Prose before the name ends at a function word (…所作的|蓬溪县人民法院, …是|延吉市人民法院):
    # cut after the last one that leaves a whole name.
    for i in range(len(name) - 1, 0, -1):
        if name[i - 1] in _FUNCTION_CHARS and pattern.fullmatch(name[i:]):
            return name[i:]
    return name


def _units(paragraphs: list[str], pattern: re.Pattern, anchor: re.Pattern) -> list[tuple[str, int]]:
    """(unit name, paragraph index) for every mention, in order; a mention that is still prose
    after trimming (5月被市中级人民法院…: no cut leaves a whole name) is none."""
    found = []
    for i, p in enumerate(paragraphs):
        for m in _mentions(pattern, anchor, p):
            name = _trim_unit(m.group(), pattern)
            if not _PROSE_CHARS.intersection(name):
                found.append((name, i))
    return found


def _max_width(pattern: re.Pattern) -> int:
    """The longest text `pattern` can match (a huge number if unbounded)."""
    return _re_parser.parse(pattern.pattern, pattern.flags).getwidth()[1]


_MAX_WIDTH = {_COURT: _max_width(_COURT), _OTHER_UNIT: _max_width(_OTHER_UNIT)}


def _mentions(pattern: re.Pattern, anchor: re.Pattern, text: str) -> list[re.Match]:
    """pattern.finditer(text), for a pattern every match of which contains a match of
    `anchor`, without trying it at every character (the place names backtrack: ~1 ms a report).

    A match starting at or after `pos` contains an anchor found from `pos`, so it starts
    less than _MAX_WIDTH[pattern] before it, and so before the first anchor found from
    `pos`: searching from there finds the same next match as searching from `pos`.
    """
    found = []
    pos = 0
    width = _MAX_WIDTH[pattern]
    while (near := anchor.search(text, pos)) is not None:
        m = pattern.search(text, max(pos, near.start() - width))
        if m is None:
            break
        found.append(m)
        pos = m.end()
    return found


def _best_unit(mentions: list[tuple[str, int]]) -> str | None:
    """The fullest form of the most-mentioned unit ("格尔木市人民法院" ⊂ "青海省海西州格尔木市人民法院")."""
    if not mentions:
        return None
    counts = Counter(name for name, _ in mentions)
    first_seen = {}
    for order, (name, _) in enumerate(mentions):
        first_seen.setdefault(name, order)

    def related(a: str, b: str) -> bool:
        return a.endswith(b) or b.endswith(a)

    support = {name: sum(c for other, c in counts.items() if related(name, other)) for name in counts}
    core = max(counts, key=lambda name: (support[name], -first_seen[name]))
    family = [(name, i) for name, i in mentions if related(name, core)]
    near_top = [name for name, i in family if i < _TOP_ZONE]
    return max(near_top or [name for name, _ in family], key=len)


def _unit(paragraphs: list[str]) -> str | None:
    court = _best_unit(_units(paragraphs, _COURT, _COURT_ANCHOR))
    if court:
        return court
    top = paragraphs[:_TOP_ZONE]
    return _best_unit(_units(top, _OTHER_UNIT, _OTHER_ANCHOR)) or _best_unit(
        _units(paragraphs, _OTHER_UNIT, _OTHER_ANCHOR)
    )


# --- date -------------------------------------------------------------------------


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


def _chinese_year(digits: str) -> int:
    year = chinese_digits(digits)
    if len(digits) == 2:  # 一四年 → 2014
        this_year = datetime.date.today().year % 100
        year += 2000 if year <= this_year + 1 else 1900
    return year


def _date_in(p: str) -> str | None:
    m = _ARABIC_DATE.search(p)
    if m:
        return _iso(int(m[1]), int(m[2]), int(m[3]))
    m = _CHINESE_DATE.search(p)
    if m:
        return _iso(_chinese_year(m[1]), chinese_day(m[2]), chinese_day(m[3]))
    return None


def _date(paragraphs: list[str]) -> str | None:
    for p in paragraphs[:_TITLE_ZONE]:
        m = _LABELLED_DATE.search(p)
        if m and (iso := _iso(int(m[1]), int(m[2]), int(m[3]))):
            return iso
    for p in reversed(paragraphs[-3:]):
        if len(p) <= _DATE_LINE_CHARS and (iso := _date_in(p)):
            return iso
    return None


# --- author -----------------------------------------------------------------------


def _byline_value(p: str, label: re.Pattern) -> str | None:
    m = label.search(p)
    if not m:
        return None
    rest = p[m.end() :].lstrip()
    end = _BYLINE_END.search(rest)
    value = (rest[: end.start()] if end else rest).strip(" :：/（）()")
    return value if 1 <= len(value) <= 20 else None


def _author(paragraphs: list[str], title_end: int) -> str | None:
    top = paragraphs[:_TITLE_ZONE]
    for label in (_AUTHOR_LABEL, _SOURCE_LABEL):
        for p in top:
            if len(p) <= 100 and (name := _byline_value(p, label)):
                return name
    if 0 <= title_end < len(paragraphs) - 1:
        line = paragraphs[title_end + 1]
        if _NAME_LINE.fullmatch(line) and line not in _NOT_NAMES:
            return line
    for p in reversed(paragraphs[-3:]):
        m = _CLOSING_NAME.fullmatch(p)
        if m:
            return m[1]
    return None
