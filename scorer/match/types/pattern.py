"""`pattern`: a regular expression, compiled with RE2.

RE2 runs in time linear in the text whatever the pattern, so no pattern can hang
scoring and none needs a timeout or a backtracking probe. What RE2 lacks
(look-around, back-references) is refused when the rubric loads, with the line.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import ClassVar, Literal

import re2
from pydantic import Field, field_validator

from ...errors import InvalidValue
from ..base import Rule, RuleHit, SpanHit, best_per_sentence
from ..registry import register
from ..spec import MatcherSpec


def _options() -> "re2.Options":
    opts = re2.Options()
    opts.log_errors = False  # RE2 would print its parse error to stderr; ours is the one line
    return opts


_UNSUPPORTED = (
    ("invalid perl operator: (?=", "a look-ahead (?=…)"),
    ("invalid perl operator: (?!", "a negative look-ahead (?!…)"),
    ("invalid perl operator: (?<=", "a look-behind (?<=…)"),
    ("invalid perl operator: (?<!", "a negative look-behind (?<!…)"),
    ("invalid escape sequence: \\1", "a back-reference (\\1)"),
    ("invalid escape sequence: \\2", "a back-reference (\\2)"),
    ("invalid escape sequence: \\3", "a back-reference (\\3)"),
    ("invalid escape sequence: \\k", "a named back-reference (\\k<…>)"),
    ("invalid perl operator: (?P", "a named back-reference (?P=…) or a recursion"),
    ("invalid perl operator: (?>", "an atomic group (?>…)"),
    ("bad repetition operator: ++", "a possessive quantifier (++)"),
    ("bad repetition operator: *+", "a possessive quantifier (*+)"),
    ("invalid escape sequence: \\", "an escape"),
)


# \u4e00 and \U0002a700 (Python's spelling) become RE2's \x{4e00}; an escaped backslash stays.
_PY_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))")


def to_re2(pattern: str) -> str:
    return _PY_ESCAPE.sub(lambda m: f"{m.group(1)}\\x{{{m.group(2) or m.group(3)}}}", pattern)


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str):
    """The RE2 program for a rubric pattern; ValueError with a one-line reason when RE2 refuses it."""
    try:
        return re2.compile(to_re2(pattern), options=_options())
    except re2.error as e:
        reason = e.args[0].decode("utf-8", "replace") if e.args and isinstance(e.args[0], bytes) else str(e)
        for prefix, what in _UNSUPPORTED:
            if reason.startswith(prefix):
                raise InvalidValue("pattern-unsupported", what=what, reason=reason) from None
        raise InvalidValue("pattern-compile", reason=reason) from None


class PatternMatcher(MatcherSpec):
    """A regular expression (RE2 syntax: linear time, no look-around or back-references)."""

    scorecard: ClassVar[str] = "正则表达式匹配"
    order: ClassVar[int] = 40

    type: Literal["pattern"]
    pattern: str = Field(min_length=1)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v: str) -> str:
        if compile_pattern(v).search("") is not None:
            raise InvalidValue("pattern-empty-match")
        return v

    def summary(self) -> str:
        return f"{self.type}: {self.pattern}"


class PatternRule(Rule):
    spec: PatternMatcher

    def __init__(self, spec: PatternMatcher, rule_id: str, slogans: list[str]):
        super().__init__(spec, rule_id, slogans)
        self.pattern = compile_pattern(spec.pattern)

    def evaluate(self, a):
        out = []
        sentences = a.seg.sentences
        for m in self.pattern.finditer(a.text):
            si = a.sentence_at(m.start())
            if si is None or m.end() > sentences[si].end:
                continue
            out.append(RuleHit(si, 1.0, [SpanHit(m.start(), m.end(), m.group())], m.group()))
        return best_per_sentence(out)


register(PatternMatcher, PatternRule)
