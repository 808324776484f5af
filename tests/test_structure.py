"""One home per concept: each matcher type names itself only in its own module, and no
two modules of scorer/ import each other."""

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


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, module: str) -> set[str]:
    """Modules of scorer/ this file imports (at any level: a cycle through a function-level import is a cycle too)."""
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
    return {m for m in out if m == "scorer" or m.startswith("scorer.")}


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
