"""Is a rubric pattern safe to run on every report? Two checks.

Static: a small parser of the `regex` module's syntax finds nested quantifiers,
`(x+)+` and the like, the classic shape of catastrophic backtracking.

Dynamic: the pattern runs, under the `regex` module's `timeout=`, against strings
built to make a backtracking engine despair: runs of the characters the pattern
itself accepts, ending in a character it does not (and, since the engine first
checks that the pattern's literal text is present at all, followed by that text).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import regex

UNBOUNDED = None
LARGE_REPEAT = 16  # {n,m} with m above this repeats like an unbounded quantifier
RUN_LENGTH = 48  # characters in an adversarial run: 2**48 paths for an exponential pattern
PROBE_TIMEOUT_S = 0.1  # per adversarial string
LONG_TEXT_CHARS = 12_000  # about one report: what the engine scans in one finditer
SAMPLE_FALLBACK = "a"
HAN_SAMPLE = "\u5b57"  # a common Chinese character
TAILS = ("!", "\x00")


@dataclass
class Node:
    """One item of a parsed pattern: an atom, or a group of alternative branches."""

    pos: int
    samples: str = ""
    end: int = 0  # where the atom ends in the pattern, before its quantifier  # characters this atom can match (for adversarial strings)
    branches: list[list["Node"]] = field(default_factory=list)
    is_group: bool = False
    atomic: bool = False  # (?>…) or a lookaround: never backtracked into
    min: int = 1
    max: int | None = 1
    possessive: bool = False
    literal: str = ""

    @property
    def repeats(self) -> bool:
        return self.max is UNBOUNDED or self.max > LARGE_REPEAT

    def children(self):
        for b in self.branches:
            yield from b


class _Parser:
    """Enough of the regex syntax to see structure: groups, classes, escapes, quantifiers."""

    def __init__(self, pattern: str):
        self.p = pattern
        self.i = 0

    def parse(self) -> list[list[Node]]:
        branches = self._alternatives(top=True)
        return branches

    def _alternatives(self, top: bool = False) -> list[list[Node]]:
        branches: list[list[Node]] = [[]]
        p = self.p
        while self.i < len(p):
            c = p[self.i]
            if c == "|":
                self.i += 1
                branches.append([])
            elif c == ")":
                if top:  # unbalanced: the compiler would have refused; treat as a literal
                    self.i += 1
                    continue
                return branches
            else:
                node = self._atom()
                if node is None:
                    continue
                node.end = self.i
                self._quantifier(node)
                branches[-1].append(node)
        return branches

    def _atom(self) -> Node | None:
        p, start = self.p, self.i
        c = p[self.i]
        if c == "(":
            return self._group()
        if c == "[":
            return self._char_class()
        if c == "\\":
            return self._escape()
        if c in "^$":
            self.i += 1
            return Node(start, samples="", min=1, max=1)
        if c == ".":
            self.i += 1
            return Node(start, samples=SAMPLE_FALLBACK + HAN_SAMPLE)
        if c in "*+?{" and c != "{":
            self.i += 1  # a dangling quantifier: nothing to repeat
            return None
        self.i += 1
        return Node(start, samples=c, literal=c)

    def _group(self) -> Node:
        p, start = self.p, self.i
        self.i += 1
        atomic = False
        if p.startswith("?#", self.i):  # comment
            end = p.find(")", self.i)
            self.i = len(p) if end < 0 else end + 1
            return Node(start, samples="", min=1, max=1)
        if p.startswith("?", self.i):
            rest = p[self.i + 1 :]
            if rest.startswith((">", "=", "!", "<=", "<!")):
                atomic = True
                self.i += 1 + (2 if rest.startswith(("<=", "<!")) else 1)
            elif rest.startswith(("P<", "<")):
                close = p.find(">", self.i)
                self.i = close + 1 if close >= 0 else len(p)
            elif rest.startswith("P="):  # named backreference
                close = p.find(")", self.i)
                self.i = close + 1 if close >= 0 else len(p)
                return Node(start, samples="")
            elif rest.startswith("|"):  # branch reset
                self.i += 2
            else:
                # flags: (?i) alone, or (?i:…) scoping a group
                j = self.i + 1
                while j < len(p) and p[j] not in ":)":
                    j += 1
                if j < len(p) and p[j] == ")":
                    self.i = j + 1
                    return Node(start, samples="", min=1, max=1)
                self.i = j + 1
        branches = self._alternatives()
        if self.i < len(self.p) and self.p[self.i] == ")":
            self.i += 1
        samples = "".join(dict.fromkeys(ch for b in branches for n in b for ch in n.samples))
        return Node(start, samples=samples, branches=branches, is_group=True, atomic=atomic)

    def _char_class(self) -> Node:
        p, start = self.p, self.i
        self.i += 1
        negated = p.startswith("^", self.i)
        if negated:
            self.i += 1
        members: list[str] = []
        depth = 1
        first = True
        while self.i < len(p) and depth:
            c = p[self.i]
            if c == "\\" and self.i + 1 < len(p):
                members.append(_escape_sample(p, self.i))
                self.i += _escape_length(p, self.i)
            elif c == "[" and not first:
                depth += 1
                self.i += 1
            elif c == "]" and not first:
                depth -= 1
                self.i += 1
            else:
                if c not in "-&|~" or first:
                    members.append(c)
                self.i += 1
            first = False
        chars = "".join(members)
        if negated:
            for candidate in (SAMPLE_FALLBACK, HAN_SAMPLE, "1", " ", "#"):
                if candidate not in chars:
                    return Node(start, samples=candidate)
            return Node(start, samples="")
        return Node(start, samples=chars[:1] or SAMPLE_FALLBACK)

    def _escape(self) -> Node:
        start = self.i
        sample = _escape_sample(self.p, self.i)
        length = _escape_length(self.p, self.i)
        literal = sample if len(self.p[self.i : self.i + length]) == 2 and not self.p[self.i + 1].isalnum() else ""
        self.i += length
        return Node(start, samples=sample, literal=literal)

    def _quantifier(self, node: Node) -> None:
        p = self.p
        if self.i >= len(p):
            return
        c = p[self.i]
        if c == "*":
            node.min, node.max = 0, UNBOUNDED
            self.i += 1
        elif c == "+":
            node.min, node.max = 1, UNBOUNDED
            self.i += 1
        elif c == "?":
            node.min, node.max = 0, 1
            self.i += 1
        elif c == "{":
            m = regex.match(r"\{(\d*)(,?)(\d*)\}", p[self.i :])
            if not m or (not m.group(1) and not m.group(3)):
                return
            lo = int(m.group(1) or 0)
            hi = (int(m.group(3)) if m.group(3) else UNBOUNDED) if m.group(2) else lo
            node.min, node.max = lo, hi
            self.i += m.end()
        else:
            return
        if self.i < len(p) and p[self.i] == "+":
            node.possessive = True
            self.i += 1
        elif self.i < len(p) and p[self.i] == "?":
            self.i += 1  # lazy: backtracks just the same


_CLASS_SAMPLES = {"d": "1", "w": SAMPLE_FALLBACK, "s": " ", "D": SAMPLE_FALLBACK, "W": "!", "S": SAMPLE_FALLBACK}


def _escape_length(p: str, i: int) -> int:
    if i + 1 >= len(p):
        return 1
    c = p[i + 1]
    if c in "pPN" and i + 2 < len(p) and p[i + 2] == "{":
        end = p.find("}", i)
        return (end - i + 1) if end >= 0 else len(p) - i
    if c == "x":
        return 4
    if c == "u":
        return 6
    if c == "U":
        return 10
    return 2


def _escape_sample(p: str, i: int) -> str:
    if i + 1 >= len(p):
        return "\\"
    c = p[i + 1]
    if c in _CLASS_SAMPLES:
        return _CLASS_SAMPLES[c]
    if c in "pP":
        return HAN_SAMPLE if c == "p" else SAMPLE_FALLBACK
    if c in "xuU":
        try:
            return chr(int(p[i + 2 : i + _escape_length(p, i)], 16))
        except ValueError:
            return SAMPLE_FALLBACK
    if c in "bBAZzGN" or c.isdigit():
        return ""
    return {"n": "\n", "t": "\t", "r": "\r"}.get(c, c)


def parse(pattern: str) -> list[list[Node]]:
    return _Parser(pattern).parse()


def _walk(branches: list[list[Node]]):
    for b in branches:
        for n in b:
            yield n
            yield from _walk(n.branches)


def _separated(pattern: str, group: Node, inner: Node) -> bool:
    """`(\\d+、)+`: the group's one branch needs a literal the inner item cannot match,
    so every repetition has exactly one way to end. Safe."""
    if len(group.branches) != 1:
        return False
    try:
        inner_re = regex.compile(pattern[inner.pos : inner.end])
    except regex.error:
        return False
    for n in group.branches[0]:
        if n is inner or n.is_group or n.min < 1 or not n.literal:
            continue
        if not inner_re.fullmatch(n.literal):
            return True
    return False


def nested_quantifiers(pattern: str) -> list[tuple[int, int]]:
    """(outer position, inner position) of each repeated group that holds a repeated item.

    Atomic groups and possessive quantifiers do not backtrack and are not reported,
    nor is a repeated item followed in its group by a separator it cannot match.
    """
    out = []
    for node in _walk(parse(pattern)):
        if not (node.is_group and node.repeats and not node.possessive and not node.atomic):
            continue
        for child in _walk(node.branches):
            if child.repeats and not child.possessive and not child.atomic and not _separated(pattern, node, child):
                out.append((node.pos, child.pos))
                break
    return out


def adversarial_inputs(pattern: str) -> list[str]:
    """Strings that make a backtracking pattern explode, built from what it accepts."""
    tree = parse(pattern)
    nodes = list(_walk(tree))
    literal = "".join(n.literal for n in nodes if not n.is_group)
    runs: list[str] = []
    for n in nodes:
        if n.is_group and n.repeats and n.samples:
            body = "".join(
                ch for b in n.branches[:1] for child in b for ch in child.samples[:1]
            ) or n.samples[:1]
            runs.append(body)
        for ch in n.samples:
            runs.append(ch)
    runs.append("".join(n.samples[:1] for n in nodes if not n.is_group))
    out: list[str] = []
    for run in dict.fromkeys(r for r in runs if r):
        body = run * max(1, RUN_LENGTH // len(run))
        for tail in TAILS:
            out.append(body + tail)
            if literal:
                out.append(body + tail + literal)
    if runs:
        whole = "".join(dict.fromkeys(runs))
        out.append((whole * (LONG_TEXT_CHARS // max(1, len(whole)) + 1))[:LONG_TEXT_CHARS] + TAILS[0] + literal)
    return list(dict.fromkeys(out))


@dataclass
class ProbeResult:
    timed_out: bool
    sample: str = ""
    seconds: float = 0.0


def probe(pattern: str, *, timeout: float = PROBE_TIMEOUT_S) -> ProbeResult:
    """Run the pattern (as the engine does, with finditer) on each adversarial string under a timeout."""
    from .rules import PATTERN_TIMEOUT_S

    compiled = regex.compile(pattern)
    worst = 0.0
    for s in adversarial_inputs(pattern):
        limit = timeout if len(s) < LONG_TEXT_CHARS else max(timeout, PATTERN_TIMEOUT_S)
        t0 = time.perf_counter()
        try:
            for _ in compiled.finditer(s, timeout=limit):
                pass
        except TimeoutError:
            return ProbeResult(True, s, time.perf_counter() - t0)
        worst = max(worst, time.perf_counter() - t0)
    return ProbeResult(False, "", worst)
