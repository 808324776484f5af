"""Load a rubric YAML file and report every problem with its line number and field.

PyYAML's node graph keeps the line of every value; we build the plain data from
it ourselves so that a pydantic error location (`dimensions.2.criteria.0.points`)
maps back to `court.yaml:57`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from ..errors import RubricError
from .schema import Rubric

Loc = tuple


@dataclass(frozen=True)
class LoadedRubric:
    """A validated rubric with where it came from."""

    rubric: Rubric
    path: Path
    sha256: str
    lines: dict[Loc, int]

    def line_of(self, loc: Loc) -> int:
        return _line_for(self.lines, loc)


def _to_data(node: yaml.Node, loc: Loc, lines: dict[Loc, int], problems: list[str], path: Path):
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in out:
                problems.append(f"{path}:{key_node.start_mark.line + 1}: {_dotted(loc + (key,))}: duplicate key")
            out[key] = _to_data(value_node, loc + (key,), lines, problems, path)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_data(n, loc + (i,), lines, problems, path) for i, n in enumerate(node.value)]
    # Scalars: let PyYAML's resolver type them (int, float, bool, str).
    return _CONSTRUCTOR.construct_object(node)


_CONSTRUCTOR = yaml.SafeLoader("")


def _dotted(loc: Loc) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def _line_for(lines: dict[Loc, int], loc: Loc) -> int:
    loc = tuple(loc)
    while loc and loc not in lines:
        loc = loc[:-1]
    return lines.get(loc, 1)


def _duplicate_ids(data, lines: dict[Loc, int], path: Path) -> list[str]:
    """Ids must be unique across dimensions, criteria, bonus items and vetoes."""
    found: dict[str, Loc] = {}
    problems = []

    def visit(obj, loc: Loc):
        if isinstance(obj, dict):
            ident = obj.get("id")
            if isinstance(ident, str) and loc and loc[0] in ("dimensions", "bonus", "vetoes"):
                if ident in found:
                    first = _line_for(lines, found[ident] + ("id",))
                    problems.append(
                        f"{path}:{_line_for(lines, loc + ('id',))}: {_dotted(loc + ('id',))}: "
                        f"duplicate id {ident!r} (first at line {first})"
                    )
                else:
                    found[ident] = loc
            for k, v in obj.items():
                visit(v, loc + (k,))
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                visit(v, loc + (i,))

    visit(data, ())
    return problems


def _format_validation(err: ValidationError, lines: dict[Loc, int], path: Path) -> list[str]:
    out = []
    for e in err.errors(include_url=False):
        loc = _yaml_loc(e["loc"], lines)
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = f"unknown key {loc[-1]!r}"
        elif e["type"] == "missing":
            msg = f"required field {loc[-1]!r} is missing"
        out.append(f"{path}:{_line_for(lines, loc)}: {_dotted(loc)}: {msg}")
    return out


_TAGS = {"keywords", "cooccur", "quantity", "pattern", "function-after", "function-before"}


def _yaml_loc(loc: Loc, lines: dict[Loc, int]) -> Loc:
    """Drop the discriminator tags pydantic inserts into a location (…matchers.0.quantity.min)."""
    out: Loc = ()
    for p in loc:
        if isinstance(p, str) and p in _TAGS and out + (p,) not in lines:
            continue
        out += (p,)
    return out


def parse_rubric(text: str, path: Path) -> LoadedRubric:
    problems: list[str] = []
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        reason = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise RubricError(path, [f"{path}{where}: YAML does not parse: {reason}"]) from None
    if node is None:
        raise RubricError(path, [f"{path}:1: the rubric file is empty"])
    lines: dict[Loc, int] = {}
    data = _to_data(node, (), lines, problems, path)
    if not isinstance(data, dict):
        raise RubricError(path, [f"{path}:1: a rubric is a mapping (id, version, dimensions …), not a {type(data).__name__}"])
    duplicates = _duplicate_ids(data, lines, path)
    problems += duplicates
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as e:
        found = _format_validation(e, lines, path)
        # The model repeats the id check without a line; ours has the line.
        problems += [p for p in found if not (duplicates and "duplicate id" in p)]
    if problems:
        raise RubricError(path, problems)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return LoadedRubric(rubric=rubric, path=path, sha256=sha, lines=lines)


def load_rubric(path: str | Path) -> LoadedRubric:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RubricError(path, [f"{path}: rubric file not found"]) from None
    except OSError as e:
        raise RubricError(path, [f"{path}: cannot read rubric: {e.strerror}"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RubricError(path, [f"{path}: rubric is not UTF-8 text"]) from None
    loaded = parse_rubric(text, path)
    # Hash the bytes as stored, so the id in a scorecard names exactly this file.
    return LoadedRubric(loaded.rubric, path, hashlib.sha256(raw).hexdigest(), loaded.lines)
