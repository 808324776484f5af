"""Formatting helpers shared by the template and the chart: numbers and quoted evidence.

Submission text is untrusted: every piece of it goes through `markupsafe.escape`
before it is joined with the highlighting tags, and the template never uses `|safe`.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from scorer.result import Evidence, ScoreResult

# A quoted sentence longer than this is cut to a window around its matched terms.
QUOTE_LIMIT = 100
# A sentence already quoted for an earlier criterion is shown again only this long.
REPEAT_LIMIT = 40
_QUOTE_LEAD = 20


def fmt_score(x: float) -> str:
    """A score as the scorecard prints it: the JSON value, without a trailing `.0`.

    `80.0 → "80"`, `12.5 → "12.5"`, `7.25 → "7.25"`. Values are rounded to two
    decimals (the engine's precision), so `float(fmt_score(v)) == v` for them."""
    r = round(float(x), 2)
    if r == int(r):
        return str(int(r))
    return f"{r:.2f}".rstrip("0")


# The appendix's list of matching methods as another process computed it (remember_methods).
_REMEMBERED: dict[tuple[str, ...], str] = {}


def matching_methods(result: ScoreResult) -> str:
    """The matching methods of the rubric's matcher types, as the scorecard's appendix lists them."""
    key = tuple(result.rubric.matchers or ())
    if key in _REMEMBERED:
        return _REMEMBERED[key]
    from scorer.match.registry import matcher_types

    types = matcher_types()
    names = key or list(types)
    return "、".join(types[n].spec.scorecard for n in names if n in types and types[n].spec.scorecard)


def remember_methods(result: ScoreResult, methods: str) -> None:
    """`matching_methods(result)` as the parent computed it: a forked renderer (scorer.report.prewarm)
    need not import every matcher type for one line of text."""
    _REMEMBERED[tuple(result.rubric.matchers or ())] = methods


def fmt_percent(score: float, maximum: float) -> str:
    if not maximum:
        return "—"
    return f"{round(100 * score / maximum):d}%"


def fmt_bytes(n: int) -> str:
    return f"{n:,} 字节"


@dataclass(frozen=True)
class Quote:
    html: Markup
    paragraph: int
    cut: bool
    repeat: bool = False


def highlight(ev: Evidence, limit: int = QUOTE_LIMIT, *, repeat: bool = False) -> Quote:
    """The evidence sentence, escaped, with its matched terms in `<mark>`.

    Term spans are offsets into `result.text`; inside the sentence they sit at
    `span.start - ev.start`. Spans that fall outside the sentence are ignored;
    overlapping or touching spans are highlighted as one. A sentence longer than `limit` is cut to a
    window that starts a little before its first matched term, with ellipses."""
    text = ev.text
    spans: list[tuple[int, int]] = []
    for s in sorted(ev.terms, key=lambda s: (s.start, -s.end)):
        a, b = s.start - ev.start, s.end - ev.start
        if a < 0 or a >= b or b > len(text):
            continue
        if spans and a <= spans[-1][1]:
            # Overlapping or adjacent terms become one highlight (fewer inline boxes to lay out).
            spans[-1] = (spans[-1][0], max(spans[-1][1], b))
        else:
            spans.append((a, b))
    lo, hi = 0, len(text)
    if len(text) > limit:
        first = spans[0][0] if spans else 0
        lo = max(0, min(first - min(_QUOTE_LEAD, limit // 4), len(text) - limit))
        hi = lo + limit
        spans = [(max(a, lo), min(b, hi)) for a, b in spans if a < hi and b > lo]
    parts: list[str] = []
    if lo > 0:
        parts.append("…")
    pos = lo
    for a, b in spans:
        parts.append(escape(text[pos:a]))
        parts.append(Markup("<mark>") + escape(text[a:b]) + Markup("</mark>"))
        pos = b
    parts.append(escape(text[pos:hi]))
    if hi < len(text):
        parts.append("…")
    return Quote(html=Markup("").join(parts), paragraph=ev.paragraph, cut=(lo > 0 or hi < len(text)),
                 repeat=repeat)


# Level colours (scorecard.css, web.css) go by a level's rank in the rubric's own level table,
# never by its name: the best level, the second, the rest, the worst (no credit).
_RANK_CLASSES = ("level-a", "level-b", "level-c", "level-d")


def level_class(level: str, levels: list[str]) -> str:
    """The CSS class of a level: `level-a` for the rubric's best level, `level-d` for its last,
    `level-b` for the second, `level-c` for any other. A level outside the table (a result of
    another rubric version) has no colour class; without a table (a result written before results
    recorded it) the class is the level's own name, as it was then."""
    if not levels:
        return f"level-{level.lower()}"
    if level not in levels:
        return "level-other"
    i, n = levels.index(level), len(levels)
    if i == 0:
        return _RANK_CLASSES[0]
    if i == n - 1:
        return _RANK_CLASSES[3]
    return _RANK_CLASSES[1] if i == 1 else _RANK_CLASSES[2]
# -- times -----------------------------------------------------------------------------------
# Times are stored in UTC (ISO 8601) and shown in the reviewer's time zone: China Standard
# Time unless CIVSCORE_TZ (or `civscore serve --tz`) names another IANA zone.

DEFAULT_TZ = "Asia/Shanghai"
TZ_ENV = "CIVSCORE_TZ"


def display_zone(name: str | None = None):
    """The zone times are shown in: `name`, else $CIVSCORE_TZ, else China Standard Time.
    Raises ValueError for a zone zoneinfo does not know."""
    import datetime as dt
    import os
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = (name or os.environ.get(TZ_ENV) or DEFAULT_TZ).strip()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        if name == DEFAULT_TZ:
            # A system without a time zone database (no tzdata): China has kept UTC+8, without
            # daylight saving, since 1991, so a fixed offset is exact for every stored time.
            return dt.timezone(dt.timedelta(hours=8), "CST")
        raise ValueError(f"unknown time zone '{name}' (an IANA name such as Asia/Shanghai or UTC)") from e


def _offset(local) -> str:
    offset = local.strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC+00:00"


def today(zone=None):
    """A scorecard's date (生成日期): today in `zone`, the reviewer's zone by default."""
    import datetime as dt

    return dt.datetime.now(zone or display_zone()).date()


def zone_label(zone=None) -> str:
    """The zone's offset now, as a column head says it: `UTC+08:00`."""
    import datetime as dt

    return _offset(dt.datetime.now(zone or display_zone()))


def fmt_time(iso: str | None, zone=None, *, seconds: bool = False, offset: bool = True) -> str:
    """A stored UTC time as the reader's local time with its offset: `2026-12-06 18:07 UTC+08:00`
    (without the offset when a column head names it)."""
    import datetime as dt

    if not iso:
        return ""
    try:
        t = dt.datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except ValueError:
        return str(iso)
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    local = t.astimezone(zone or display_zone())
    shown = local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return f"{shown} {_offset(local)}" if offset else shown
