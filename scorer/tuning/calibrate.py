"""Calibrate a rubric against reviewers' scores, and fit its criterion points to them.

Agreement: Spearman and Kendall rank correlations (scipy.stats) and the mean
absolute error, for the total and every labelled dimension.

Fit: a report's base score is Σ points_c × share_c, where share_c is the level
share its criterion reached (A/B/C/D = 100/66/33/0 %). Given reviewers' totals
(and dimension scores when labelled), non-negative least squares
(scipy.optimize.lsq_linear) finds the points; a light ridge pulls criteria the
labels cannot tell apart toward their current points. The points are then
rescaled to the rubric's total, rounded to 0.5 (each at least 0.5) keeping the
sum exact, and dimension points become the sums of their criteria.

A fit is judged out of sample: leave-one-out over the labelled reports (each
report's total predicted by points fitted without it), beside the in-sample figures,
which only say how well the fit reproduces the labels it saw. A fit with fewer
labels than the points it fits (`label_count` < `criterion_ids`) is refused by the
command unless asked for explicitly.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import CivscoreError, InputError, RubricError
from ..result import ScoreResult
from ..rubric import LoadedRubric, Problem, load_rubric, parse_rubric
from ..rubric.schema import Rubric
from ..rubric.walk import owners

TOTAL = "total"
FILE = "file"
STEP = 0.5  # points are rounded to this
DEFAULT_RIDGE = 0.05


# -- labels ---------------------------------------------------------------------


@dataclass
class Labels:
    path: Path
    columns: list[str]  # "total" and dimension ids present in the file
    rows: dict[str, dict[str, float]]  # file as written → column → value (missing cells absent)


def read_labels(path: Path, dimension_ids: list[str]) -> Labels:
    """`file,total[,<dimension id>…]`; empty cells are missing labels."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(path, "input.labels-not-found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(path, "input.labels-unreadable", reason=getattr(e, "strerror", None) or str(e)) from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in (reader.fieldnames or [])]
    if FILE not in header or TOTAL not in header:
        raise InputError(path, "input.labels-header", file=FILE, total=TOTAL, found=", ".join(header) or "nothing")
    unknown = [h for h in header if h not in (FILE, TOTAL) and h not in dimension_ids]
    if unknown:
        raise InputError(path, "input.labels-unknown-column", column=unknown[0], file=FILE, total=TOTAL,
                         dimensions=", ".join(dimension_ids))
    columns = [TOTAL] + [d for d in dimension_ids if d in header]
    rows: dict[str, dict[str, float]] = {}
    for lineno, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        name = row.get(FILE, "")
        if not name:
            continue
        values = {}
        for col in columns:
            cell = row.get(col, "")
            if cell == "":
                continue
            try:
                values[col] = float(cell)
            except ValueError:
                raise InputError(path, "input.labels-not-number", line=lineno, column=col, cell=cell) from None
            if not math.isfinite(values[col]):
                raise InputError(path, "input.labels-not-finite", line=lineno, column=col)
        if name in rows:
            raise InputError(path, "input.labels-twice", line=lineno, name=name)
        rows[name] = values
    if not rows:
        raise InputError(path, "input.labels-none")
    return Labels(path, columns, rows)


def match_reports(labels: Labels, names: list[str]) -> tuple[dict[str, str], list[str]]:
    """label file name → report name (exact relative path first, then the bare file name)."""
    by_name = {n: n for n in names}
    by_base: dict[str, list[str]] = {}
    for n in names:
        by_base.setdefault(Path(n).name, []).append(n)
    matched, unmatched = {}, []
    for key in labels.rows:
        if key in by_name:
            matched[key] = key
        elif len(by_base.get(Path(key).name, [])) == 1:
            matched[key] = by_base[Path(key).name][0]
        else:
            unmatched.append(key)
    return matched, unmatched


# -- agreement ------------------------------------------------------------------


@dataclass
class Agreement:
    column: str
    n: int
    spearman: float
    kendall: float
    mae: float
    bias: float  # mean of tool − label


def tool_value(result: ScoreResult, column: str) -> float:
    return result.total if column == TOTAL else result.dimension(column).score


def agreement(column: str, tool: list[float], label: list[float]) -> Agreement:
    from scipy import stats

    n = len(tool)
    t, y = np.asarray(tool, float), np.asarray(label, float)
    rho = tau = float("nan")
    if n >= 2 and np.ptp(t) > 0 and np.ptp(y) > 0:
        rho = float(stats.spearmanr(t, y).statistic)
        tau = float(stats.kendalltau(t, y).statistic)
    mae = float(np.mean(np.abs(t - y))) if n else float("nan")
    bias = float(np.mean(t - y)) if n else float("nan")
    return Agreement(column, n, rho, tau, mae, bias)


@dataclass
class Pair:
    name: str
    result: ScoreResult
    labels: dict[str, float]


def agreements(pairs: list[Pair], columns: list[str]) -> list[Agreement]:
    out = []
    for col in columns:
        have = [p for p in pairs if col in p.labels]
        out.append(agreement(col, [tool_value(p.result, col) for p in have], [p.labels[col] for p in have]))
    return out


@dataclass
class Disagreement:
    pair: Pair
    tool: float
    label: float
    rank_tool: int
    rank_label: int

    @property
    def gap(self) -> float:
        return self.tool - self.label


def _ranks(values: list[float]) -> list[int]:
    """1 = highest; equal values share the best place (1, 2, 2, 4), as scipy.stats.rankdata(method="min")."""
    from scipy.stats import rankdata

    if not values:
        return []
    return [int(r) for r in rankdata([-v for v in values], method="min")]


def disagreements(pairs: list[Pair], top: int) -> list[Disagreement]:
    """The reports whose tool total is furthest from the reviewers' (then furthest in rank)."""
    have = [p for p in pairs if TOTAL in p.labels]
    tool = [p.result.total for p in have]
    label = [p.labels[TOTAL] for p in have]
    rt, rl = _ranks(tool), _ranks(label)
    items = [Disagreement(p, t, y, a, b) for p, t, y, a, b in zip(have, tool, label, rt, rl)]
    items.sort(key=lambda d: (-abs(d.gap), -abs(d.rank_tool - d.rank_label), d.pair.name))
    return items[:top]


# -- fitting --------------------------------------------------------------------


def level_shares(r: Rubric) -> dict[str, float]:
    return {lv.id: lv.share for lv in r.levels}


def criterion_ids(r: Rubric) -> list[str]:
    return [o.id for o in owners(r, ("criterion",))]


def shares_matrix(r: Rubric, results: list[ScoreResult]) -> np.ndarray:
    """reports × criteria: the level share each criterion reached."""
    share = level_shares(r)
    ids = criterion_ids(r)
    out = np.zeros((len(results), len(ids)))
    for i, res in enumerate(results):
        got = {c.id: share.get(c.level, 0.0) for d in res.dimensions for c in d.criteria}
        out[i] = [got.get(cid, 0.0) for cid in ids]
    return out


@dataclass
class Fit:
    ids: list[str]
    old: dict[str, float]
    new: dict[str, float]
    raw: dict[str, float]  # before rounding, rescaled to the total
    dimensions: dict[str, float]
    rows: int
    before: Agreement  # in sample: the current points on the labels the fit saw
    after: Agreement  # in sample: the fitted points on the labels the fit saw (optimistic)
    notes: list[str] = field(default_factory=list)
    # leave-one-out: each labelled report's total from points fitted without it
    held_out_before: Agreement | None = None
    held_out_after: Agreement | None = None

    @property
    def max_change(self) -> float:
        return max(abs(self.new[i] - self.old[i]) for i in self.ids)


def round_to_total(values: np.ndarray, total: float, step: float = STEP, minimum: float = STEP) -> np.ndarray:
    """Round to multiples of `step`, each ≥ `minimum`, summing exactly to `total` (largest remainder)."""
    units_total = int(round(total / step))
    units = np.maximum(values / step, minimum / step)
    floor = np.floor(units).astype(int)
    floor = np.maximum(floor, int(round(minimum / step)))
    remainder = units - floor
    short = units_total - int(floor.sum())
    if short > 0:
        for i in np.argsort(-remainder, kind="stable")[:short]:
            floor[i] += 1
    elif short < 0:
        # Too many (every criterion fitted to 0 still gets the minimum): take back one unit at a
        # time from the criterion above the minimum whose rounding gained it most, as often as
        # needed; one pass taking a unit from each fell short when many sat at the minimum.
        least = int(round(minimum / step))
        while short < 0:
            above = np.flatnonzero(floor > least)
            if not len(above):
                break  # the minimums alone pass the total: nothing more can go
            i = above[np.argmin((units - floor)[above])]  # the first of equals (argmin is stable)
            floor[i] -= 1
            short += 1
    return floor * step


def label_count(pairs: list[Pair], r: Rubric) -> int:
    """The labels a fit uses: each report's total and each labelled dimension."""
    dims = {d.id for d in r.dimensions}
    return sum(1 for p in pairs for k in p.labels if k == TOTAL or k in dims)


def leave_one_out(r: Rubric, pairs: list[Pair], ridge: float = DEFAULT_RIDGE) -> tuple[Agreement, Agreement] | None:
    """(current points, fitted points) on totals never seen by the fit that predicts them:
    for each report with a total label, points are fitted on every other report. None with
    fewer than 3 such reports."""
    have = [i for i, p in enumerate(pairs) if TOTAL in p.labels]
    if len(have) < 3:
        return None
    predicted, kept = [], []
    for i in have:
        rest = [p for j, p in enumerate(pairs) if j != i]
        try:
            fold = fit_points(r, rest, ridge, held_out=False)
        except CivscoreError:  # the others alone cannot be fitted: this report has no prediction
            continue
        x = shares_matrix(r, [pairs[i].result])[0]
        predicted.append(float(x @ np.array([fold.new[c] for c in fold.ids])) + pairs[i].result.bonus.score)
        kept.append(i)
    if len(kept) < 3:
        return None
    labels = [pairs[i].labels[TOTAL] for i in kept]
    return (agreement(TOTAL, [pairs[i].result.total for i in kept], labels), agreement(TOTAL, predicted, labels))


def fit_points(r: Rubric, pairs: list[Pair], ridge: float = DEFAULT_RIDGE, *, held_out: bool = True) -> Fit:
    """Criterion points that best reproduce the labels (see the module docstring);
    `held_out`: also judge them leave-one-out."""
    from scipy.optimize import lsq_linear

    ids = criterion_ids(r)
    crits = list(owners(r, ("criterion",)))
    p0 = np.array([o.points for o in crits], float)
    dim_of = {o.id: o.dimension.id for o in crits}
    results = [p.result for p in pairs]
    X = shares_matrix(r, results)
    rows_a, rows_y = [], []
    for i, p in enumerate(pairs):
        if TOTAL in p.labels:
            rows_a.append(X[i])
            rows_y.append(p.labels[TOTAL] - p.result.bonus.score)
        for d in r.dimensions:
            if d.id in p.labels:
                mask = np.array([dim_of[cid] == d.id for cid in ids], float)
                rows_a.append(X[i] * mask)
                rows_y.append(p.labels[d.id])
    if len(rows_a) < 2:
        raise CivscoreError(None, "calibrate.too-few")
    A, y = np.array(rows_a), np.array(rows_y)
    notes = []
    # Labels may use another scale: estimate it from the current points, so the ridge
    # pulls toward the current points on the labels' scale.
    current = A @ p0
    scale = float(current @ y / (current @ current)) if current @ current > 0 else 1.0
    if not math.isfinite(scale) or scale <= 0:
        scale = 1.0
        notes.append("the labels do not rise with the current scores; the fit ignores their scale")
    lam = ridge * max(1e-9, float(np.sqrt((A**2).sum(axis=0)).mean()))
    A_aug = np.vstack([A, lam * np.eye(len(ids))])
    y_aug = np.concatenate([y, lam * scale * p0])
    sol = lsq_linear(A_aug, y_aug, bounds=(0, np.inf), method="bvls")
    p = np.clip(sol.x, 0, None)
    if p.sum() <= 0:
        raise CivscoreError(None, "calibrate.all-zero")
    raw = p * (r.total / p.sum())
    new = round_to_total(raw, r.total)
    new_map = dict(zip(ids, (float(v) for v in new)))
    dims = {d.id: float(sum(new_map[c.id] for c in d.criteria)) for d in r.dimensions}
    have = [i for i, p_ in enumerate(pairs) if TOTAL in p_.labels]
    labels = [pairs[i].labels[TOTAL] for i in have]
    before = agreement(TOTAL, [results[i].total for i in have], labels)
    predicted = [float(X[i] @ new) + results[i].bonus.score for i in have]
    after = agreement(TOTAL, predicted, labels)
    unlabelled = [cid for j, cid in enumerate(ids) if np.ptp(X[:, j]) == 0]
    if unlabelled:
        notes.append(
            f"{len(unlabelled)} criteria reach the same level in every labelled report "
            f"({', '.join(unlabelled[:4])}{' …' if len(unlabelled) > 4 else ''}); the labels say little about them"
        )
    fit = Fit(ids, dict(zip(ids, map(float, p0))), new_map, dict(zip(ids, map(float, raw))), dims,
              len(rows_a), before, after, notes)
    if held_out:
        loo = leave_one_out(r, pairs, ridge)
        if loo is not None:
            fit.held_out_before, fit.held_out_after = loo
    return fit


# -- writing the fitted rubric ----------------------------------------------------

_POINTS = re.compile(r"(?<![\w.-])(points:[ \t]*)([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)")
_VERSION = re.compile(r"^(\s*version:[ \t]*)([\"']?)([^\"'#\s]+)\2")


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def apply_points(loaded: LoadedRubric, text: str, fit: Fit, version_suffix: str = "+fit") -> str:
    """The rubric text with new points on exactly the lines that hold them; comments and layout untouched."""
    lines = text.split("\n")
    r = loaded.rubric
    edits: dict[int, str] = {}

    def edit(loc: tuple, value: float) -> None:
        if loaded.file_of(loc) != loaded.path:  # the points are a base's: not in this text
            raise RubricError(loaded.path, [Problem(loaded.file_of(loc), loaded.line_of(loc), loc, "fit-base-points")])
        lineno = loaded.line_of(loc)
        if lineno in edits:  # two points on one line (flow style): no safe textual edit
            raise RubricError(loaded.path, [Problem(loaded.path, lineno, None, "fit-two-points")])
        edits[lineno] = _fmt(value)

    for owner in owners(r, ("criterion",)):
        if owner.first_in_section:
            edit(owner.dimension_loc + ("points",), fit.dimensions[owner.dimension.id])
        edit(owner.loc + ("points",), fit.new[owner.id])
    for lineno, value in edits.items():
        line = lines[lineno - 1]
        found = _POINTS.findall(line)
        if len(found) != 1:
            raise RubricError(loaded.path, [Problem(loaded.path, lineno, None, "fit-line")])
        lines[lineno - 1] = _POINTS.sub(lambda m: m.group(1) + value, line, count=1)
    vline = loaded.line_of(("version",)) - 1
    if version_suffix and not r.version.endswith(version_suffix):
        lines[vline] = _VERSION.sub(lambda m: m.group(1) + m.group(2) + m.group(3) + version_suffix + m.group(2),
                                    lines[vline], count=1)
    return "\n".join(lines)


def write_fitted(loaded: LoadedRubric, out: Path, fit: Fit, header: str) -> None:
    """Write the fitted rubric atomically; refuse to overwrite the input; the result must load."""
    import os

    src = loaded.path
    if out.resolve() == src.resolve() or (out.exists() and os.path.samefile(out, src)):
        raise InputError(out, "input.fit-overwrite")
    text = src.read_bytes().decode("utf-8-sig")
    new_text = apply_points(loaded, text, fit)
    new_text = "".join(f"# {h}\n" for h in header.splitlines()) + new_text
    check = parse_rubric(new_text, out)  # raises RubricError with the lines if the edit broke anything
    got = {c.id: c.points for c in check.rubric.criteria()}
    if any(abs(got[k] - v) > 1e-9 for k, v in fit.new.items()):
        raise RubricError(out, [Problem(out, None, None, "fit-readback")])
    from ..outputs import atomic_write

    with atomic_write(out, check=load_rubric) as f:  # the temp file must load before it replaces `out`
        f.write(new_text.encode("utf-8"))
