"""Compare two rubrics over the same reports: what each edit does to each score.

Each report is read once and scored by both rubrics. A criterion counts as
changed when its score or its evidence (the set of sentences) changed, so a
synonym that only ever added evidence to a saturated criterion still shows.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from ..result import CriterionResult, ScoreResult
from .corpus import Corpus, display_name

EPS = 1e-9
BONUS_KEY = "+bonus"  # pseudo-dimension of the bonus items in a diff


@dataclass
class CriterionChange:
    id: str
    name: str
    group: str  # dimension id, or BONUS_KEY
    before: float
    after: float
    level_before: str
    level_after: str
    gained: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)

    @property
    def delta(self) -> float:
        return round(self.after - self.before, 1)


@dataclass
class DimensionChange:
    id: str
    name: str
    before: float
    after: float

    @property
    def delta(self) -> float:
        return round(self.after - self.before, 1)


@dataclass
class ReportDiff:
    name: str
    total_before: float
    total_after: float
    grade_before: str
    grade_after: str
    dimensions: list[DimensionChange]
    criteria: list[CriterionChange]  # changed ones only, biggest change first

    @property
    def delta(self) -> float:
        return round(self.total_after - self.total_before, 1)

    @property
    def changed(self) -> bool:
        return bool(self.criteria) or abs(self.delta) > EPS or self.grade_before != self.grade_after

    @property
    def weight(self) -> tuple:
        """Sort key: size of the change."""
        return (
            abs(self.delta),
            sum(abs(c.delta) for c in self.criteria),
            sum(len(c.gained) + len(c.lost) for c in self.criteria),
        )


def _criteria(result: ScoreResult) -> dict[str, tuple[str, CriterionResult]]:
    out = {c.id: (d.id, c) for d in result.dimensions for c in d.criteria}
    out.update({b.id: (BONUS_KEY, b) for b in result.bonus.items})
    return out


def _sentences(c: CriterionResult | None) -> dict[tuple[int, int], str]:
    return {(e.start, e.end): e.text for e in c.evidence} if c else {}


def diff_results(name: str, before: ScoreResult, after: ScoreResult) -> ReportDiff:
    old, new = _criteria(before), _criteria(after)
    changes = []
    for cid in list(new) + [k for k in old if k not in new]:
        group, c_new = new.get(cid, (None, None))
        g_old, c_old = old.get(cid, (None, None))
        s_old, s_new = _sentences(c_old), _sentences(c_new)
        gained = [s_new[k] for k in sorted(s_new.keys() - s_old.keys())]
        lost = [s_old[k] for k in sorted(s_old.keys() - s_new.keys())]
        b = c_old.score if c_old else 0.0
        a = c_new.score if c_new else 0.0
        if abs(a - b) > EPS or gained or lost:
            ref = c_new or c_old
            changes.append(
                CriterionChange(
                    cid, ref.name, group or g_old, b, a,
                    c_old.level if c_old else "–", c_new.level if c_new else "–", gained, lost,
                )
            )
    changes.sort(key=lambda c: (-abs(c.delta), -(len(c.gained) + len(c.lost)), c.id))
    dims_old = {d.id: d for d in before.dimensions}
    dims_new = {d.id: d for d in after.dimensions}
    dims = []
    for did in list(dims_new) + [k for k in dims_old if k not in dims_new]:
        d = dims_new.get(did) or dims_old[did]
        dims.append(
            DimensionChange(
                did, d.name,
                dims_old[did].score if did in dims_old else 0.0,
                dims_new[did].score if did in dims_new else 0.0,
            )
        )
    dims.append(DimensionChange(BONUS_KEY, after.bonus.name, before.bonus.score, after.bonus.score))
    return ReportDiff(name, before.total, after.total, before.grade, after.grade, dims, changes)


def diff_corpus(base, new, corpus: Corpus, root: Path) -> list[ReportDiff]:
    """Score every report once with each scorer; the diffs, biggest change first."""
    out = []
    for path, doc in corpus:
        out.append(diff_results(display_name(path, root), base.score_document(doc), new.score_document(doc)))
    return sort_diffs(out)


def sort_diffs(diffs: list[ReportDiff]) -> list[ReportDiff]:
    return sorted(diffs, key=lambda d: tuple(-x for x in d.weight) + (d.name,))


# -- output ---------------------------------------------------------------------

CSV_FIELDS = ["file", "kind", "id", "name", "before", "after", "delta", "level_before", "level_after", "gained", "lost"]
SENTENCE_SEP = " | "


def _num(x: float) -> str:
    return f"{x:g}"


def _signed(x: float) -> str:
    return "±0" if abs(x) < EPS else f"{x:+g}"


def to_csv(diffs: list[ReportDiff]) -> str:
    """One row per report total, per dimension, and per changed criterion. Text cells
    are spreadsheet-safe (a leading ' before = + - @ tab CR); numbers stay numbers."""
    from ..outputs import safe_cell as t

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for d in diffs:
        w.writerow([t(d.name), "total", "", "", _num(d.total_before), _num(d.total_after), _num(d.delta),
                    t(d.grade_before), t(d.grade_after), "", ""])
        for dim in d.dimensions:
            w.writerow([t(d.name), "dimension", t(dim.id), t(dim.name), _num(dim.before), _num(dim.after),
                        _num(dim.delta), "", "", "", ""])
        for c in d.criteria:
            w.writerow([t(d.name), "criterion", t(c.id), t(c.name), _num(c.before), _num(c.after), _num(c.delta),
                        t(c.level_before), t(c.level_after), t(SENTENCE_SEP.join(c.gained)),
                        t(SENTENCE_SEP.join(c.lost))])
    return buf.getvalue()


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(diffs: list[ReportDiff], base_name: str, new_name: str) -> str:
    lines = [f"# Rubric diff: `{base_name}` → `{new_name}`", ""]
    changed = [d for d in diffs if d.changed]
    lines.append(f"{len(diffs)} report{'s' if len(diffs) != 1 else ''}, {len(changed)} changed.")
    lines.append("")
    if diffs:
        dim_names = [(dim.id, dim.name) for dim in diffs[0].dimensions]
        lines.append("| report | total | Δ | " + " | ".join(_md_cell(n) for _, n in dim_names) + " |")
        lines.append("|---|---:|---:|" + "---:|" * len(dim_names))
        for d in diffs:
            by_id = {dim.id: dim for dim in d.dimensions}
            cells = []
            for did, _ in dim_names:
                dim = by_id.get(did)
                cells.append("" if dim is None else (_num(dim.after) if abs(dim.delta) < EPS
                                                     else f"{_num(dim.before)} → {_num(dim.after)}"))
            lines.append(
                f"| {_md_cell(d.name)} | {_num(d.total_before)} → {_num(d.total_after)} | {_signed(d.delta)} | "
                + " | ".join(cells) + " |"
            )
        lines.append("")
    for d in changed:
        lines.append(f"## {d.name}: {_num(d.total_before)} → {_num(d.total_after)} ({_signed(d.delta)})")
        if d.grade_before != d.grade_after:
            lines.append(f"Grade: {d.grade_before} → {d.grade_after}")
        lines.append("")
        for c in d.criteria:
            lines.append(
                f"- **{c.id}** {c.name}: {_num(c.before)} → {_num(c.after)} ({_signed(c.delta)}), "
                f"level {c.level_before} → {c.level_after}"
            )
            for s in c.gained:
                lines.append(f"  - \\+ {s}")
            for s in c.lost:
                lines.append(f"  - − {s}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
