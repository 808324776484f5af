"""The matcher types, registered once.

A matcher type is one module under scorer/match/types/: its pydantic spec (a
`MatcherSpec` subclass with a `type: Literal[...]` field), its `Rule` class and
how it describes itself. The module calls `register(Spec, Rule)`; the schema's
discriminated union, the loader, lint, `rubric show` and the scorecard read the
registry. Adding a type is adding a module.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Annotated, Union

from pydantic import Field

from .base import Rule
from .spec import MatcherSpec


@dataclass(frozen=True)
class MatcherType:
    name: str
    spec: type[MatcherSpec]
    rule: type[Rule]


_TYPES: dict[str, MatcherType] = {}
_LOADED = False


def register(spec: type[MatcherSpec], rule: type[Rule]) -> MatcherType:
    (name,) = spec.model_fields["type"].annotation.__args__  # the Literal's one value
    if name in _TYPES and _TYPES[name].spec is not spec:
        raise ValueError(f"matcher type {name!r} registered twice")
    _TYPES[name] = MatcherType(name, spec, rule)
    return _TYPES[name]


def matcher_types() -> dict[str, MatcherType]:
    """Every registered type, by name, in module order (keywords, cooccur, … as discovered)."""
    global _LOADED
    if not _LOADED:
        from . import types as package

        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            importlib.import_module(f"{package.__name__}.{info.name}")
        _LOADED = True
    return dict(sorted(_TYPES.items(), key=lambda kv: (getattr(kv[1].spec, "order", 100), kv[0])))


def matcher_union():
    """The schema's `Matcher`: a union of every registered spec, discriminated by `type`."""
    specs = tuple(t.spec for t in matcher_types().values())
    return Annotated[Union[specs], Field(discriminator="type")]


def build_rule(spec: MatcherSpec, rule_id: str, slogans: list[str]) -> Rule:
    return matcher_types()[spec.type].rule(spec, rule_id, slogans)  # type: ignore[attr-defined]
