"""One home per concept: each matcher type names itself only in its own module, no two
modules of scorer/ import each other, and no longer chain of imports comes back to its start."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

from scorer.match.registry import matcher_types

ROOT = Path(__file__).resolve().parent.parent
SCORER = ROOT / "scorer"


def test_each_type_name_is_written_only_in_its_own_module():
    names = list(matcher_types())
    assert {"keywords", "cooccur", "quantity", "pattern", "near"} <= set(names)
    for name in names:
        own = f"scorer/match/types/{name}.py"
        out = subprocess.run(
            ["git", "grep", "-n", "-I", f'"{name}"', "--", "scorer", "templates"],
            cwd=ROOT, capture_output=True, text=True,
        )
        assert out.returncode in (0, 1), out.stderr
        where = {line.split(":", 1)[0] for line in out.stdout.splitlines()}
        # git grep sees committed and staged files; check the working tree too.
        templates = [p for p in (ROOT / "templates").rglob("*") if p.is_file()]  # templates/web/ too
        for path in list(SCORER.rglob("*.py")) + templates:
            if re.search(f"[\"']{re.escape(name)}[\"']", path.read_text(encoding="utf-8")):
                where.add(str(path.relative_to(ROOT)))
        assert where <= {own}, f"type {name!r} is written outside {own}: {sorted(where - {own})}"


def _module_name(path: Path, root: Path = ROOT) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, module: str, top: str = "scorer") -> set[str]:
    """Modules of scorer/ (of package `top`) this file imports (at any level: a cycle through a function-level import is a cycle too)."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.add(target)
            for a in node.names:  # `from . import types` imports a module
                out.add(f"{target}.{a.name}")
    return {m for m in out if m == top or m.startswith(top + ".")}


def test_no_two_modules_import_each_other():
    files = {_module_name(p): p for p in SCORER.rglob("*.py")}
    graph = {m: {i for i in _imports(p, m) if i in files and i != m} for m, p in files.items()}
    mutual = sorted(
        (a, b) for a, targets in graph.items() for b in targets
        if a < b and a in graph.get(b, set())
        # a package's __init__ re-exporting its own submodule is not a cycle between two modules
        and not (b.startswith(a + ".") or a.startswith(b + "."))
    )
    assert mutual == [], "\n".join(f"{a} <-> {b}" for a, b in mutual)


def test_the_import_walker_sees_relative_and_function_level_imports():
    near = SCORER / "match" / "types" / "near.py"
    assert {"scorer.match.registry", "scorer.match.base"} <= _imports(near, _module_name(near))
    registry = SCORER / "match" / "registry.py"  # `from . import types as package`, inside a function
    assert "scorer.match.types" in _imports(registry, _module_name(registry))


def _nested(a: str, b: str) -> bool:
    """Is one module the other's package? (A package's __init__ re-exporting its own
    submodule, or a submodule importing its package, is no cycle between two modules.)"""
    return b.startswith(a + ".") or a.startswith(b + ".")


def _graph(package: Path) -> dict[str, set[str]]:
    """Module → the modules of the same package it imports, at any level of the file."""
    root = package.parent
    files = {_module_name(p, root): p for p in package.rglob("*.py")}
    return {
        m: {i for i in _imports(p, m, package.name) if i in files and i != m and not _nested(m, i)}
        for m, p in files.items()
    }


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles of any length, each as a path a → … → a, one per set of modules."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []
    found: dict[frozenset, list[str]] = {}

    for start in sorted(graph):
        if start in state:
            continue
        state[start] = 1
        path.append(start)
        stack = [iter(sorted(graph[start]))]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt]
                found.setdefault(frozenset(cycle), cycle)
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph[nxt])))
    return list(found.values())


def test_no_import_cycle_of_any_length():
    cycles = _cycles(_graph(SCORER))
    assert cycles == [], "\n".join(" -> ".join(c) for c in cycles)


def test_the_cycle_walker_finds_a_three_cycle_in_a_synthetic_package(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "from .a import thing\nfrom . import sub\n",  # re-exports: no cycle
        "a.py": "from . import b\nthing = 1\n",
        "b.py": "def late():\n    from .sub.c import other  # function level: a cycle all the same\n",
        "sub/__init__.py": "",
        "sub/c.py": "import pkg.a\nother = 2\n",
        "d.py": "from .a import thing\nfrom .sub import c\n",  # imports into the cycle, not part of it
    }
    for name, text in files.items():
        (pkg / name).write_text(text, encoding="utf-8")
    cycles = _cycles(_graph(pkg))
    assert len(cycles) == 1
    assert set(cycles[0]) == {"pkg.a", "pkg.b", "pkg.sub.c"} and cycles[0][0] == cycles[0][-1]
    assert len(cycles[0]) == 4

    (pkg / "sub" / "c.py").write_text("other = 2\n", encoding="utf-8")
    assert _cycles(_graph(pkg)) == []


def test_scorers_are_made_only_by_the_one_factory():
    """Outside scorer/engine.py a scorer comes from engine.load_scorer: nothing else calls
    Scorer(...), Scorer.load(...) or RubricChooser(...)."""
    makers = {"Scorer", "RubricChooser", "Scorer.load"}
    calls = []
    for path in SCORER.rglob("*.py"):
        if path == SCORER / "engine.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.id if isinstance(f, ast.Name) else (
                    f"{f.value.id}.{f.attr}" if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) else "")
                if name in makers:
                    calls.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}(...)")
    assert calls == [], "\n".join(calls)
