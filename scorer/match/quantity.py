"""Read quantities (number + unit) out of Chinese prose: 62次, 三次, 十余场, 1.2万余元, 98.5%.

Ordinals (第三届) and numbered slogans (两学一做, 四个意识) are not quantities; the
first is excluded here, the second by the rubric's `slogans` list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import CN_BIG_UNITS, CN_DIGITS, CN_SMALL_UNITS, chinese_number

NUMBER = (
    rf"(?P<num>\d+(?:,\d{{3}})*(?:\.\d+)?|[{''.join(CN_DIGITS)}{''.join(CN_SMALL_UNITS)}]+)"
    rf"(?P<big>[{''.join(CN_BIG_UNITS)}])?(?P<approx>余|多|来)?"
)

_RATES = (
    (re.compile(r"每周|每星期"), 52),
    (re.compile(r"每月|每个月|月均"), 12),
    (re.compile(r"每季度?|每个季度|季均"), 4),
    (re.compile(r"每半年"), 2),
    (re.compile(r"每年度?|年均|全年|一年来|每一年"), 1),
)


def parse_number(num: str, big: str | None) -> float | None:
    if num[0].isdigit():
        value = float(num.replace(",", ""))
    else:
        value = chinese_number(num)
        if value is None:
            return None
    if big:
        value *= CN_BIG_UNITS[big]
    return value


@dataclass(slots=True)
class Quantity:
    value: float  # as written, with 万/亿 applied
    unit: str
    start: int
    end: int
    approx: bool


@dataclass(frozen=True, slots=True)
class Units:
    """A quantity matcher's pattern (a number, then one of the units) and the units alone: a clause
    holding none of the units holds no quantity, and one search for a unit is cheaper than trying
    a number at every position (most clauses the matcher is asked about hold none)."""

    quantity: re.Pattern
    unit: re.Pattern


def compile_units(units: list[str]) -> Units:
    alts = [re.escape(u) for u in sorted(set(units), key=len, reverse=True)]
    if "人次" in units:
        alts.insert(0, r"人[（(]次[)）]")  # 人（次） is written for 人次
    unit = "|".join(alts)
    return Units(re.compile(NUMBER + r"\s*(?P<unit>" + unit + ")"), re.compile(unit))


def find_quantities(units: Units, text: str, start: int, end: int) -> list[Quantity]:
    if units.unit.search(text, start, end) is None:
        return []
    out = []
    for m in units.quantity.finditer(text, start, end):
        s = m.start()
        prev = text[s - 1] if s > 0 else ""
        if prev == "第" or prev.isdigit() or prev == "." or (prev in CN_DIGITS or prev in CN_SMALL_UNITS) and not m["num"][0].isdigit():
            continue  # an ordinal, or the tail of a longer number
        value = parse_number(m["num"], m["big"])
        if value is None:
            continue
        unit = "人次" if m["unit"].startswith("人") and m["unit"].endswith(("次)", "次）")) else m["unit"]
        out.append(Quantity(value, unit, s, m.end(), bool(m["approx"])))
    return out


def yearly_factor(text: str, start: int, end: int) -> int | None:
    """How many times a year the clause's rate recurs (每季度 → 4), None when it states no rate."""
    piece = text[start:end]
    for rx, factor in _RATES:
        if rx.search(piece):
            return factor
    return None
