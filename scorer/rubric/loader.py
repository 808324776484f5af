"""Load a rubric YAML file and report every problem with its line number and field.

The file is read once, safely (a regular file, under a size limit, read with a
cap), and parsed once: PyYAML's node graph keeps the line of every value; we
build the plain data from it ourselves so that a pydantic error location
(`dimensions.2.criteria.0.points`) maps back to `court.yaml:57`. Aliases and
non-standard tags are refused, so a rubric cannot expand into a bomb or name
Python objects. Problems are `Problem` objects (scorer.rubric.problems).

A rubric may extend another (`extends: _base.yaml`, a path relative to the file): the
base is loaded first, the rubric's own values are merged over it (`merge`, whose doc
states the rules), and every value keeps the file and line it came from, so a problem in
a base names the base file and its line. A rubric's sha256 covers every file it is made
of: the file's own bytes without `extends`, the chain's bytes with it (`chain_sha256`).
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

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
    """A validated rubric with where it came from: `lines` maps a value's place to its line,
    `files` to its file where that is a base (absent: the rubric's own file, `path`);
    `chain` is the rubric's own file, then the bases it extends, nearest first."""

    rubric: Rubric
    path: Path
    sha256: str
    lines: dict[Loc, int]
    files: dict[Loc, Path] = field(default_factory=dict)
    chain: tuple[Path, ...] = ()
    bases: tuple[tuple[str, str], ...] = ()  # each base as its `extends` names it, with its bytes' sha256
    # phrase set → the matchers (`owner#n`) that name it, in unless_sentence_sets or as {set: name}
    set_uses: dict[str, list[str]] = field(default_factory=dict)

    def line_of(self, loc: Loc) -> int:
        return _line_for(self.lines, loc)

    def file_of(self, loc: Loc) -> Path:
        """The file a value comes from: a base's, or the rubric's own."""
        return _file_for(self.files, loc, self.path)


class _Refused(Exception):
    """YAML a rubric may not hold: where, and the catalogue code `rubric.<code>` with its fields."""

    def __init__(self, mark, code: str, **fields):
        self.mark = mark
        self.code = code
        self.fields = fields


_YAML: tuple | None = None  # (yaml, _SafeComposer, constructor), made on first use


def _yaml():
    """PyYAML and the loader built on it, imported only when a rubric is parsed: a run whose
    rubric comes from civscore's cache (scorer.cache) never reads YAML (~25 ms of start-up)."""
    global _YAML
    if _YAML is None:
        import yaml

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

        _YAML = (yaml, _SafeComposer, yaml.SafeLoader(""))
    return _YAML


def _to_data(root, lines: dict[Loc, int], problems: list[Problem], path: Path):
    """Plain data from the node graph, iteratively (deep nesting cannot overflow the stack)."""
    yaml, _, constructor = _yaml()
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
            parent[key] = constructor.construct_object(node)
    return out_root[0]


def _line_for(lines: dict[Loc, int], loc: Loc) -> int:
    loc = tuple(loc)
    while loc and loc not in lines:
        loc = loc[:-1]
    return lines.get(loc, 1)


def _file_for(files: dict[Loc, Path], loc: Loc, own: Path) -> Path:
    loc = tuple(loc)
    while loc and loc not in files:
        loc = loc[:-1]
    return files.get(loc, own)


_ID_SECTIONS = (("dimensions",), ("dimensions", "criteria"), ("bonus", "items"), ("vetoes",))


def set_uses(data: dict) -> dict[str, list[str]]:
    """phrase set → the matchers (`owner#n`) that name it, read from the data before validation
    (validation expands `{set: name}` into the phrases, and the name is gone)."""
    out: dict[str, list[str]] = {}

    def named(x) -> set[str]:
        found: set[str] = set()
        stack = [x]
        while stack:
            y = stack.pop()
            if isinstance(y, dict):
                if set(y) == {"set"} and isinstance(y["set"], str):
                    found.add(y["set"])
                else:
                    stack.extend(y.values())
            elif isinstance(y, list):
                stack.extend(y)
        return found

    def owner(item):
        if not isinstance(item, dict):
            return
        for field, prefix in (("matchers", ""), ("candidates", "c")):
            if not isinstance(item.get(field), list):
                continue
            for mi, m in enumerate(item[field]):
                if not isinstance(m, dict):
                    continue
                names = named(m)
                for key in ("unless_sentence_sets", "unless_list_sets", "own_case"):
                    sets = m.get(key)
                    if isinstance(sets, list):
                        names.update(x for x in sets if isinstance(x, str))
                for name in sorted(names):
                    out.setdefault(name, []).append(f"{item.get('id')}#{prefix}{mi + 1}")

    def items(obj, key):
        v = obj.get(key) if isinstance(obj, dict) else None
        return v if isinstance(v, list) else []

    for d in items(data, "dimensions"):
        for c in items(d, "criteria"):
            owner(c)
    for b in items(data.get("bonus") if isinstance(data, dict) else None, "items"):
        owner(b)
    for v in items(data, "vetoes"):
        owner(v)
    judge = data.get("judge") if isinstance(data, dict) else None
    if isinstance(judge, dict):
        for name in sorted(named(judge.get("veto_unless"))):
            out.setdefault(name, []).append("judge.veto_unless")
    return out


def duplicate_ids(data: dict, lines: dict[Loc, int], path: Path, files: dict[Loc, Path] | None = None) -> list[Problem]:
    """Ids must be unique across dimensions, criteria, bonus items and vetoes. The one check."""
    found: dict[str, Loc] = {}
    problems = []
    files = files or {}

    def see(obj, loc: Loc):
        ident = obj.get("id") if isinstance(obj, dict) else None
        if not isinstance(ident, str):
            return
        if ident in found:
            first = _line_for(lines, found[ident] + ("id",))
            first_file = _file_for(files or {}, found[ident] + ("id",), path)
            here = _file_for(files or {}, loc + ("id",), path)
            at = f"{first}" if first_file == here else f"{first_file}:{first}"
            problems.append(Problem(here, _line_for(lines, loc + ("id",)), loc + ("id",), "duplicate-id",
                                    id=ident, first=at))
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


def _validation_problems(err: ValidationError, lines: dict[Loc, int], path: Path,
                         files: dict[Loc, Path] | None = None) -> list[Problem]:
    """Pydantic's findings as problems, each naming the file (own or a base) its value came
    from. Our own checks raise `InvalidValue`, which carries its code; three kinds of pydantic's
    get codes of their own; any other (a wrong type, a value out of range) is `rubric.invalid`
    with pydantic's words as its detail."""
    out = []

    def where(loc: Loc) -> Path:
        return _file_for(files or {}, loc, path)

    for e in err.errors(include_url=False):
        loc = _yaml_loc(e["loc"], lines)
        line = _line_for(lines, loc)
        cause = (e.get("ctx") or {}).get("error")
        if isinstance(cause, InvalidValue):
            loc += cause.at
            line = _line_for(lines, loc)
            # A sum that does not add up is reported on its owner; the value at fault is `points`.
            value_line = lines.get(loc + ("points",) if loc else ("total",)) if cause.code.endswith("-sum") else None
            out.append(Problem(where(loc), line, loc, cause.code, value_line=value_line, **cause.fields))
        elif e["type"] == "extra_forbidden":
            out.append(Problem(where(loc), line, loc, "extra_forbidden", key=loc[-1]))
        elif e["type"] == "missing":
            out.append(Problem(where(loc), line, loc, "missing", key=loc[-1]))
        elif e["type"] == "finite_number":
            out.append(Problem(where(loc), line, loc, "finite_number"))
        else:
            out.append(Problem(where(loc), line, loc, e["type"], e["msg"].removeprefix("Value error, ")))
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


def _parse_document(text: str, path: Path) -> tuple[dict, dict[Loc, int], list[Problem]]:
    """One YAML file as plain data with the line of every value; a file that is no mapping is refused."""
    problems: list[Problem] = []
    lines: dict[Loc, int] = {}
    yaml, composer, _ = _yaml()
    try:
        loader = composer(text)
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
    return data, lines, problems


# -- extends: a rubric made of a base and its own values ------------------------

MAX_EXTENDS = 8  # bases extending bases; the shipped rubrics use one


@dataclass
class _Doc:
    path: Path
    data: dict
    lines: dict[Loc, int]
    sha256: str  # of the file's bytes
    ref: str = ""  # how the file that extends it named it


def _decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RubricError(path, [Problem(path, None, None, "encoding")]) from None


def _base_path(ref: str, child: Path) -> Path | None:
    """Where `extends: ref` points: beside the file that names it; failing that, a bare name
    among the shipped rubrics (a maintainer's copy of court.yaml elsewhere still extends the
    shipped _base.yaml, as it still uses the shipped judge)."""
    here = child.parent / ref
    if here.exists():
        return here
    if "/" not in ref and "\\" not in ref:
        from ..resources import rubric_dir

        name = ref if ref.endswith(".yaml") else ref + ".yaml"
        shipped = rubric_dir() / name
        if shipped.is_file():
            return shipped
    return None


def _bases(doc: _Doc, problems: list[Problem]) -> list[_Doc]:
    """The files `doc` extends, nearest first. A missing base, a cycle or too long a chain is a
    one-line problem naming the file and the line of its `extends`."""
    out: list[_Doc] = []
    seen = [doc.path.resolve()]
    names = [doc.path.name]
    cur = doc
    while "extends" in cur.data:
        ref = cur.data["extends"]
        line = cur.lines.get(("extends",), 1)

        def refuse(code: str, **fields):
            return RubricError(cur.path, problems + [Problem(cur.path, line, ("extends",), code, **fields)])

        if not isinstance(ref, str) or not ref.strip():
            raise refuse("extends")
        target = _base_path(ref, cur.path)
        if target is None:
            raise refuse("extends-missing", ref=ref, folder=str(cur.path.parent or "."))
        if target.resolve() in seen:
            chain = " → ".join(names + [target.name])
            raise refuse("extends-cycle", chain=chain)
        if len(out) >= MAX_EXTENDS:
            raise refuse("extends-chain", limit=MAX_EXTENDS)
        raw = read_rubric_bytes(target)
        data, lines, found = _parse_document(_decode(raw, target), target)
        problems += found
        base = _Doc(target, data, lines, hashlib.sha256(raw).hexdigest(), ref)
        out.append(base)
        seen.append(target.resolve())
        names.append(target.name)
        cur = base
    return out


def chain_sha256(shas: list[str]) -> str:
    """A rubric's sha256: its own file's without a base; with bases, of every file's sha256 in
    the chain (own first), so an edit to any of them is a new rubric (cache, stores, judge)."""
    if len(shas) == 1:
        return shas[0]
    return hashlib.sha256(("civscore-rubric-chain/1\n" + "\n".join(shas)).encode()).hexdigest()


# Lists whose items carry ids merge by id; every other list is replaced whole.
_KEYED = frozenset({("dimensions",), ("dimensions", "criteria"), ("bonus", "items"), ("vetoes",), ("scoring", "marks"),
                    ("scoring", "discounts")})  # marks' former name


def _keyed(loc: Loc, a, b) -> bool:
    if tuple(p for p in loc if isinstance(p, str)) not in _KEYED:
        return False
    return all(isinstance(x, list) and all(isinstance(i, dict) and isinstance(i.get("id"), str) for i in x) for x in (a, b))


class _Merge:
    """Merges one file's values over the data so far, keeping each value's line and file.

    The rules (README.md, "Rubrics that share"): mappings merge key by key, the file's value
    winning, recursively; a list of items with ids (dimensions, a dimension's criteria,
    bonus.items, vetoes, scoring.marks) merges by id: an item with a base item's id replaces
    it whole, in its place; an item with a new id is added after the base's; any other value
    (a scalar, any other list: levels, grades, slogans, negation cues, matchers) replaces the
    base's whole."""

    def __init__(self, lines: dict[Loc, int], files: dict[Loc, int]):
        self.lines, self.files = lines, files  # files: place -> index of the file in the chain

    def take(self, value, src_lines: dict[Loc, int] | None, src_files: dict[Loc, int] | None, src: Loc, dst: Loc,
             file_index: int = 0):
        """Record the provenance of a whole value (from the data so far, or from the new file)."""
        stack = [(value, src, dst)]
        while stack:
            v, s, d = stack.pop()
            if src_lines is not None and s in src_lines:
                self.lines[d] = src_lines[s]
            self.files[d] = src_files[s] if src_files is not None else file_index
            if isinstance(v, dict):
                stack.extend((x, s + (k,), d + (k,)) for k, x in v.items())
            elif isinstance(v, list):
                stack.extend((x, s + (i,), d + (i,)) for i, x in enumerate(v))

    def merge(self, base, old: tuple[dict, dict], new, doc: _Doc, index: int, src: Loc, dst: Loc):
        old_lines, old_files = old

        def keep(value, loc: Loc):
            self.take(value, old_lines, old_files, loc, loc)

        def put(value, s: Loc, d: Loc):
            self.take(value, doc.lines, None, s, d, index)

        if isinstance(base, dict) and isinstance(new, dict):
            self.lines[dst] = doc.lines.get(src, old_lines.get(dst, 1))
            self.files[dst] = index
            out = {}
            for k, v in base.items():
                if k in new:
                    out[k] = self.merge(v, old, new[k], doc, index, src + (k,), dst + (k,))
                else:
                    out[k] = v
                    keep(v, dst + (k,))
            for k, v in new.items():
                if k not in base:
                    out[k] = v
                    put(v, src + (k,), dst + (k,))
            return out
        if _keyed(dst, base, new):
            self.lines[dst] = doc.lines.get(src, 1)
            self.files[dst] = index
            by_id = {x["id"]: i for i, x in enumerate(new)}
            out = []
            for i, v in enumerate(base):
                j = by_id.get(v["id"])
                if j is None:
                    out.append(v)
                    keep(v, dst + (i,))
                else:
                    out.append(new[j])
                    put(new[j], src + (j,), dst + (i,))
            ids = {v["id"] for v in base}
            for j, v in enumerate(new):
                if v["id"] not in ids:
                    put(v, src + (j,), dst + (len(out),))
                    out.append(v)
            return out
        put(new, src, dst)
        return new


def _merged(docs: list[_Doc]) -> tuple[dict, dict[Loc, int], dict[Loc, int]]:
    """The chain's data merged (docs: own file first, then its bases), with each value's line
    and the index in `docs` of the file it comes from."""
    far = len(docs) - 1
    data = docs[far].data
    lines, files = dict(docs[far].lines), {}
    _Merge(lines, files).take(data, None, None, (), (), far)
    for index in range(far - 1, -1, -1):
        new_lines: dict[Loc, int] = {}
        new_files: dict[Loc, int] = {}
        data = _Merge(new_lines, new_files).merge(data, (lines, files), docs[index].data, docs[index], index, (), ())
        lines, files = new_lines, new_files
    return data, lines, files


def parse_rubric(text: str, path: Path, *, raw_sha256: str | None = None) -> LoadedRubric:
    path = Path(path)
    data, lines, problems = _parse_document(text, path)
    own = _Doc(path, data, lines, raw_sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest())
    docs = [own, *_bases(own, problems)]
    files: dict[Loc, Path] = {}
    if len(docs) > 1:
        for d in docs:
            d.data.pop("extends", None)
        data, lines, index = _merged(docs)
        files = {loc: docs[i].path for loc, i in index.items() if i}
    problems += duplicate_ids(data, lines, path, files)
    try:
        # The phrase sets a term list may name ({set: leaders}) are expanded while validating.
        sets = data.get("phrase_sets") if isinstance(data, dict) else None
        rubric = Rubric.model_validate(data, context={"phrase_sets": sets if isinstance(sets, dict) else {}})
    except ValidationError as e:
        problems += _validation_problems(e, lines, path, files)
    if problems:
        raise RubricError(path, problems)
    sha = chain_sha256([d.sha256 for d in docs])
    return LoadedRubric(rubric=rubric, path=path, sha256=sha, lines=lines, files=files,
                        chain=tuple(d.path for d in docs), bases=tuple((d.ref, d.sha256) for d in docs[1:]),
                        set_uses=set_uses(data))


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
    text = _decode(raw, path)
    own = hashlib.sha256(raw).hexdigest()
    cached = _cached(own, path)
    if cached is not None:
        return cached
    # Hash the bytes as stored, so the id in a scorecard names exactly these files.
    loaded = parse_rubric(text, path, raw_sha256=own)
    _store(own, loaded)
    return loaded


# Parsing a rubric (YAML with line numbers, then validation) takes ~0.3 s a file; the result
# is cached by the sha256 of the file's bytes and of the code that parses it (scorer.cache).
# A rubric that extends others is served from the cache only while every base still has the
# bytes it had (the entry lists each `extends` reference and its file's sha256).
_KIND = "rubric"


def _key(sha: str) -> str:
    from .. import __version__
    from ..cache import source_key

    here = Path(__file__).resolve().parent
    return hashlib.sha256(f"{sha}|{__version__}|{source_key(here, here.parent / 'match')}".encode()).hexdigest()


def _cached(own: str, path: Path) -> LoadedRubric | None:
    import pickle

    from .. import cache

    payload = cache.get(_KIND, _key(own))
    if payload is None:
        return None
    try:
        rubric, lines, files, refs, uses = pickle.loads(payload)
    except Exception:  # written by another version of a library, or of this format: a miss
        return None
    if not (isinstance(rubric, Rubric) and isinstance(lines, dict) and isinstance(files, dict) and isinstance(uses, dict)):
        return None
    chain, shas = [path], [own]
    for ref, sha in refs:
        target = _base_path(ref, chain[-1])
        if target is None:
            return None
        try:
            if hashlib.sha256(read_rubric_bytes(target)).hexdigest() != sha:
                return None
        except RubricError:
            return None
        chain.append(target)
        shas.append(sha)
    return LoadedRubric(rubric, path, chain_sha256(shas), lines, {loc: chain[i] for loc, i in files.items()},
                        tuple(chain), tuple(refs), uses)


def _store(own: str, loaded: LoadedRubric) -> None:
    import pickle

    from .. import cache

    index = {p: i for i, p in enumerate(loaded.chain)}
    try:
        files = {loc: index[p] for loc, p in loaded.files.items()}
        payload = pickle.dumps((loaded.rubric, loaded.lines, files, list(loaded.bases), loaded.set_uses),
                               protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return
    cache.put(_KIND, _key(own), payload)
