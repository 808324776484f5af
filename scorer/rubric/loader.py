"""Load a rubric YAML file and report every problem with its line number and field.

The file is read once, safely (a regular file, under a size limit, read with a
cap), and parsed once: PyYAML's node graph keeps the line of every value; we
build the plain data from it ourselves so that a pydantic error location
(`dimensions.2.criteria.0.points`) maps back to `court.yaml:57`. Aliases and
non-standard tags are refused, so a rubric cannot expand into a bomb or name
Python objects. Problems are `Problem` objects (scorer.rubric.problems).
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from ..errors import InvalidValue, RubricError
from ..match.registry import matcher_types
from .problems import Problem, dotted
from .schema import Rubric

Loc = tuple

# -- limits (each named, each with a message naming the file and the limit) -----

MAX_RUBRIC_BYTES = 16 * 1024 * 1024  # the shipped rubrics are ~40 KB; 200,000 synonyms are ~3 MB
MAX_YAML_NODES = 2_000_000  # scalars, lists and mappings in one rubric
MAX_YAML_DEPTH = 64  # lists and mappings inside each other; a rubric needs about 10

# The tags YAML's safe schema resolves plain values to; anything else (!!python/name, !custom, !!binary) is refused.
_STANDARD_TAGS = frozenset(
    "tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
)


@dataclass(frozen=True)
class LoadedRubric:
    """A validated rubric with where it came from."""

    rubric: Rubric
    path: Path
    sha256: str
    lines: dict[Loc, int]

    def line_of(self, loc: Loc) -> int:
        return _line_for(self.lines, loc)


class _Refused(Exception):
    """YAML a rubric may not hold: where, and the catalogue code `rubric.<code>` with its fields."""

    def __init__(self, mark, code: str, **fields):
        self.mark = mark
        self.code = code
        self.fields = fields


class _SafeComposer(yaml.SafeLoader):
    """SafeLoader that refuses aliases (no billion laughs) and counts nodes."""

    def __init__(self, stream):
        super().__init__(stream)
        self._nodes = 0
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(event.start_mark, "yaml-alias", anchor=event.anchor)
        self._nodes += 1
        if self._nodes > MAX_YAML_NODES:
            raise _Refused(self.peek_event().start_mark, "yaml-nodes", limit=MAX_YAML_NODES)
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise _Refused(self.peek_event().start_mark, "yaml-depth", limit=MAX_YAML_DEPTH)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_CONSTRUCTOR = yaml.SafeLoader("")


def _to_data(root: yaml.Node, lines: dict[Loc, int], problems: list[Problem], path: Path):
    """Plain data from the node graph, iteratively (deep nesting cannot overflow the stack)."""
    out_root: list = [None]
    stack = [(root, (), out_root, 0)]
    while stack:
        node, loc, parent, key = stack.pop()
        lines[loc] = node.start_mark.line + 1
        if node.tag not in _STANDARD_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise _Refused(node.start_mark, "yaml-tag", field=dotted(loc), tag=tag)
        if isinstance(node, yaml.MappingNode):
            out: dict = {}
            parent[key] = out
            for key_node, value_node in reversed(node.value):
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _STANDARD_TAGS:
                    raise _Refused(key_node.start_mark, "yaml-key", field=dotted(loc))
                k = key_node.value
                stack.append((value_node, loc + (k,), out, k))
            seen: set = set()
            for key_node, _ in node.value:  # in document order: keys keep their order, the last value wins
                k = key_node.value
                if k in seen:
                    problems.append(Problem(path, key_node.start_mark.line + 1, loc + (k,), "duplicate-key"))
                seen.add(k)
                out[k] = None
        elif isinstance(node, yaml.SequenceNode):
            items = [None] * len(node.value)
            parent[key] = items
            for i in range(len(node.value) - 1, -1, -1):
                stack.append((node.value[i], loc + (i,), items, i))
        else:
            # Scalars: PyYAML's resolver types them (int, float, bool, str).
            parent[key] = _CONSTRUCTOR.construct_object(node)
    return out_root[0]


def _line_for(lines: dict[Loc, int], loc: Loc) -> int:
    loc = tuple(loc)
    while loc and loc not in lines:
        loc = loc[:-1]
    return lines.get(loc, 1)


_ID_SECTIONS = (("dimensions",), ("dimensions", "criteria"), ("bonus", "items"), ("vetoes",))


def duplicate_ids(data: dict, lines: dict[Loc, int], path: Path) -> list[Problem]:
    """Ids must be unique across dimensions, criteria, bonus items and vetoes. The one check."""
    found: dict[str, Loc] = {}
    problems = []

    def see(obj, loc: Loc):
        ident = obj.get("id") if isinstance(obj, dict) else None
        if not isinstance(ident, str):
            return
        if ident in found:
            first = _line_for(lines, found[ident] + ("id",))
            problems.append(Problem(path, _line_for(lines, loc + ("id",)), loc + ("id",), "duplicate-id",
                                    id=ident, first=first))
        else:
            found[ident] = loc

    def items(obj, key):
        v = obj.get(key) if isinstance(obj, dict) else None
        return enumerate(v) if isinstance(v, list) else ()

    for di, d in items(data, "dimensions"):
        see(d, ("dimensions", di))
        for ci, c in items(d, "criteria"):
            see(c, ("dimensions", di, "criteria", ci))
    bonus = data.get("bonus")
    for bi, b in items(bonus, "items"):
        see(b, ("bonus", "items", bi))
    for vi, v in items(data, "vetoes"):
        see(v, ("vetoes", vi))
    return problems


def _validation_problems(err: ValidationError, lines: dict[Loc, int], path: Path) -> list[Problem]:
    """Pydantic's findings as problems. Our own checks raise `InvalidValue`, which carries
    its code; three kinds of pydantic's get codes of their own; any other (a wrong type,
    a value out of range) is `rubric.invalid` with pydantic's words as its detail."""
    out = []
    for e in err.errors(include_url=False):
        loc = _yaml_loc(e["loc"], lines)
        line = _line_for(lines, loc)
        cause = (e.get("ctx") or {}).get("error")
        if isinstance(cause, InvalidValue):
            # A sum that does not add up is reported on its owner; the value at fault is `points`.
            value_line = lines.get(loc + ("points",) if loc else ("total",)) if cause.code.endswith("-sum") else None
            out.append(Problem(path, line, loc, cause.code, value_line=value_line, **cause.fields))
        elif e["type"] == "extra_forbidden":
            out.append(Problem(path, line, loc, "extra_forbidden", key=loc[-1]))
        elif e["type"] == "missing":
            out.append(Problem(path, line, loc, "missing", key=loc[-1]))
        elif e["type"] == "finite_number":
            out.append(Problem(path, line, loc, "finite_number"))
        else:
            out.append(Problem(path, line, loc, e["type"], e["msg"].removeprefix("Value error, ")))
    return out


def _yaml_loc(loc: Loc, lines: dict[Loc, int]) -> Loc:
    """Drop the discriminator tags pydantic inserts into a location (…matchers.0.quantity.min)."""
    tags = set(matcher_types()) | {"function-after", "function-before"}
    out: Loc = ()
    for p in loc:
        if isinstance(p, str) and p in tags and out + (p,) not in lines:
            continue
        out += (p,)
    return out


def parse_rubric(text: str, path: Path) -> LoadedRubric:
    path = Path(path)
    problems: list[Problem] = []
    lines: dict[Loc, int] = {}
    try:
        loader = _SafeComposer(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
        data = _to_data(node, lines, problems, path) if node is not None else None
    except _Refused as e:
        raise RubricError(path, [Problem(path, e.mark.line + 1, None, e.code, **e.fields)]) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        reason = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise RubricError(path, [Problem(path, mark.line + 1 if mark else None, None, "yaml", reason=reason)]) from None
    if node is None:
        raise RubricError(path, [Problem(path, 1, None, "empty")])
    if not isinstance(data, dict):
        raise RubricError(path, [Problem(path, 1, None, "not-a-mapping", kind=type(data).__name__)])
    problems += duplicate_ids(data, lines, path)
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as e:
        problems += _validation_problems(e, lines, path)
    if problems:
        raise RubricError(path, problems)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return LoadedRubric(rubric=rubric, path=path, sha256=sha, lines=lines)


def read_rubric_bytes(path: Path, max_bytes: int | None = None) -> bytes:
    """The file's bytes: a regular file only (a FIFO or a device is refused before it is read),
    read with a cap so that a file growing under us cannot exceed the limit either."""
    limit = MAX_RUBRIC_BYTES if max_bytes is None else max_bytes

    def refuse(code: str, **fields):
        return RubricError(path, [Problem(path, None, None, code, **fields)])

    try:
        # O_NONBLOCK: opening a FIFO with no writer must not block; it is refused below.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise refuse("not-found") from None
    except IsADirectoryError:
        raise refuse("folder") from None
    except OSError as e:
        raise refuse("unreadable", reason=e.strerror) from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise refuse("folder")
        if not stat.S_ISREG(st.st_mode):
            raise refuse("not-regular")
        if st.st_size > limit:
            raise refuse("too-large", size=st.st_size, limit=limit)
        try:
            raw = f.read(limit + 1)
        except OSError as e:
            raise refuse("unreadable", reason=e.strerror) from None
    if len(raw) > limit:
        raise refuse("too-large-read", limit=limit)
    return raw


def load_rubric(path: str | Path) -> LoadedRubric:
    path = Path(path)
    raw = read_rubric_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RubricError(path, [Problem(path, None, None, "encoding")]) from None
    sha = hashlib.sha256(raw).hexdigest()
    cached = _cached(sha)
    if cached is not None:
        return LoadedRubric(cached[0], path, sha, cached[1])
    loaded = parse_rubric(text, path)
    _store(sha, loaded)
    # Hash the bytes as stored, so the id in a scorecard names exactly this file.
    return LoadedRubric(loaded.rubric, path, sha, loaded.lines)


# Parsing a rubric (YAML with line numbers, then validation) takes ~0.3 s a file; the result
# is cached by the sha256 of the file's bytes and of the code that parses it (scorer.cache).
_KIND = "rubric"


def _key(sha: str) -> str:
    from .. import __version__
    from ..cache import source_key

    here = Path(__file__).resolve().parent
    return hashlib.sha256(f"{sha}|{__version__}|{source_key(here, here.parent / 'match')}".encode()).hexdigest()


def _cached(sha: str):
    import pickle

    from .. import cache

    payload = cache.get(_KIND, _key(sha))
    if payload is None:
        return None
    try:
        rubric, lines = pickle.loads(payload)
    except Exception:  # written by another version of a library: a miss
        return None
    return (rubric, lines) if isinstance(rubric, Rubric) and isinstance(lines, dict) else None


def _store(sha: str, loaded: LoadedRubric) -> None:
    import pickle

    from .. import cache

    try:
        payload = pickle.dumps((loaded.rubric, loaded.lines), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return
    cache.put(_KIND, _key(sha), payload)
