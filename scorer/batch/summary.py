"""What the batch keeps of a result besides its JSON: enough for the ranking and the overview.

Workers send back the full result as JSON text (the store keeps it) plus this small
summary, so the main process never parses or unpickles whole results.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class DimScore:
    id: str
    name: str
    score: float
    max: float


@dataclass(frozen=True)
class Summary:
    sha256: str
    path: str
    unit: str | None
    title: str | None
    total: float
    max_total: float
    grade: str
    vetoed: bool
    dimensions: tuple[DimScore, ...]
    vetoes: tuple[str, ...]  # names of the veto items hit, in rubric order, distinct
    tier: str = "pass"  # the grade's tier (excellent/good/pass/fail/veto): what the overview colours by
    rubric_id: str = ""  # the rubric that scored it (a round chosen by unit kind holds several)

    @classmethod
    def of(cls, result) -> "Summary":
        names: list[str] = []
        for v in result.vetoes:
            if v.name not in names:
                names.append(v.name)
        sub = result.submission
        return cls(
            sha256=sub.sha256,
            path=sub.path,
            unit=sub.unit,
            title=sub.title,
            total=result.total,
            max_total=result.max_total,
            grade=result.grade,
            vetoed=result.vetoed,
            dimensions=tuple(DimScore(d.id, d.name, d.score, d.max) for d in result.dimensions),
            vetoes=tuple(names),
            tier=result.tier,
            rubric_id=result.rubric.id,
        )

    def to_json(self) -> str:
        # The fields in order, as dataclasses.asdict gives them, without its deep copy of every value.
        d = {f: getattr(self, f) for f in _FIELDS}
        d["dimensions"] = [{"id": x.id, "name": x.name, "score": x.score, "max": x.max} for x in self.dimensions]
        return json.dumps(d, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "Summary":
        d = json.loads(text)
        d["dimensions"] = tuple(DimScore(**x) for x in d["dimensions"])
        d["vetoes"] = tuple(d["vetoes"])
        return cls(**d)


_FIELDS = tuple(f.name for f in fields(Summary))
