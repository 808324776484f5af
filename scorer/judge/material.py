"""The learned material judgement: does a text read as one unit's own civilization-unit material?

A city's 创城 plan, a 文明单位 name list, a commentary, a court's report to the 人大, a judgment or
a county-wide 党员活动日 item shares a unit's vocabulary, and the sentence judge, which reads one
sentence at a time, accepts some of their sentences as a unit's practice (what a region or a
city office did reads like what a unit did). Whether the whole text is a unit's own material is
a question about the text, not a sentence, and the evaluation corpus answers it for every text
it holds: each was collected as a court's or another unit's own material, or as a hard negative
that shares the words (`eval/sources.tsv`, column `kind`).

The judgement is a logistic regression over the text's character 1-3-grams (`GramSpace.text_row`), in
the sentence judge's own gram space (its vocabulary and idf), trained on those kinds. It ships in the judge
file with a threshold chosen by cross-validation (grouped by text) so that no unit's text of
the corpus was flagged. A text at or over it earns nothing from the judged items, and its result
says why (`ScoreResult.material`); a reviewer who disagrees adds the quotes in the workbench.
Nothing here needs scikit-learn at scoring time.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..fit import GramSpace

# The corpus' kinds (eval/sources.tsv): a unit's own material, or a hard negative.
UNIT_KINDS = ("court", "other")
NEGATIVE_KIND = "negative"
# Thresholds tried, lowest first: the judgement ships with the first one at which cross-validation
# flags no unit's text, one step higher for a margin.
GRID = tuple(round(0.5 + 0.05 * k, 2) for k in range(10))  # 0.50 … 0.95
MIN_NEGATIVES = 20  # fewer hard negatives than this: no material judgement


@dataclass
class MaterialHead:
    weights: np.ndarray  # (V,): over the judge's gram space
    bias: float
    threshold: float
    meta: dict = field(default_factory=dict)

    def probability(self, space: GramSpace, sentences: list[str]) -> float:
        """How likely the text is not a unit's own material (a hard negative)."""
        if not sentences:
            return 0.0
        at, values = space.text_row(sentences)
        z = float(values @ self.weights[at]) + self.bias
        return float(1.0 / (1.0 + np.exp(-z)))


def material_scale(probability: float, threshold: float, start: float | None) -> float:
    """What a text's judged probabilities are multiplied by, given the judgement's probability that it is not a
    unit's own material: 0 at or over the threshold (flagged); from `start` (the rubric's
    `judge.material_from`) up to the threshold, falling in proportion from 1 to 0; 1 below `start`, and
    always 1 under the threshold when the rubric names no start (or one not under the threshold)."""
    if probability >= threshold:
        return 0.0
    if start is None or start >= threshold or probability <= start:
        return 1.0
    return (threshold - probability) / (threshold - start)


def corpus_kinds(root: Path) -> dict[str, str]:
    """source (as the annotation names it) → kind, from `eval/sources.tsv` under `root`; the seeds
    (`seed/…`) are units' own reports. Empty when there is no such file."""
    path = root / "eval" / "sources.tsv"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as f:
        return {r["file"]: r["kind"] for r in csv.DictReader(f, delimiter="\t") if r.get("file") and r.get("kind")}


def material_rows(texts, kinds: dict[str, str]) -> tuple[list[list[str]], np.ndarray, list[str]]:
    """(sentences, 1 for a hard negative, source) of every training text whose kind is known."""
    out_t, out_y, out_s = [], [], []
    for t in texts:
        if not t.sentences or t.mask is not None:  # a reviewed workbench item: a few sentences only
            continue
        kind = "court" if t.seed else kinds.get(t.source)
        if kind in UNIT_KINDS or kind == NEGATIVE_KIND:
            out_t.append(list(t.sentences))
            out_y.append(1.0 if kind == NEGATIVE_KIND else 0.0)
            out_s.append(t.source)
    return out_t, np.array(out_y), out_s


def design(space: GramSpace, texts: list[list[str]]):
    """The texts' rows (`GramSpace.text_row`, what scoring reads) as a csr matrix, for training."""
    from scipy.sparse import csr_matrix

    cols, vals, indptr = [], [], [0]
    for sentences in texts:
        at, values = space.text_row(sentences)
        cols.append(at)
        vals.append(values)
        indptr.append(indptr[-1] + len(at))
    return csr_matrix((np.concatenate(vals) if vals else np.zeros(0), np.concatenate(cols) if cols else np.zeros(0, int),
                       np.array(indptr)), shape=(len(texts), len(space)))


def _fit(space: GramSpace, texts: list[list[str]], y: np.ndarray, C: float) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    x = design(space, texts)
    m = LogisticRegression(C=C, max_iter=5000, class_weight="balanced", solver="liblinear").fit(x, y)
    return m.coef_.reshape(-1).astype(np.float64), float(m.intercept_[0])


def fold_of(source: str, k: int = 5) -> int:
    """A text's cross-validation fold, fixed by a hash of its name (the sentence judge's too)."""
    return int(hashlib.sha1(source.encode()).hexdigest(), 16) % k


def cross_validated(space: GramSpace, texts: list[list[str]], y: np.ndarray, sources: list[str], C: float,
                    k: int = 5) -> np.ndarray:
    """Each text's probability from a judgement trained without its fold (grouped by text)."""
    folds = np.array([fold_of(s, k) for s in sources])
    p = np.zeros(len(texts))
    for f in range(k):
        held = folds == f
        if not held.any() or held.all():
            continue
        w, b = _fit(space, [t for t, h in zip(texts, held) if not h], y[~held], C)
        x = design(space, [t for t, h in zip(texts, held) if h])
        p[held] = 1.0 / (1.0 + np.exp(-(np.asarray(x @ w).reshape(-1) + b)))
    return p


def choose_threshold(p: np.ndarray, y: np.ndarray) -> float | None:
    """The first threshold of GRID at which no unit's text is flagged, one step higher; None if
    even the highest flags one."""
    units = p[y < 0.5]
    for k, t in enumerate(GRID):
        if not (units >= t).any():
            return GRID[min(k + 1, len(GRID) - 1)]
    return None


def rows_digest(rows: tuple[list[list[str]], np.ndarray, list[str]]) -> str:
    """sha256 of what the judgement learns from (each source and whether it is a hard negative)."""
    _docs, y, sources = rows
    return hashlib.sha256("".join(f"{s}\t{int(v)}\n" for s, v in sorted(zip(sources, y))).encode()).hexdigest()


def train_material(space: GramSpace, rows: tuple[list[list[str]], np.ndarray, list[str]],
                   C: float) -> tuple[MaterialHead | None, dict, str]:
    """The material judgement from `material_rows`, its cross-validated figures, and why it is
    left out ('' when it ships): too few hard negatives or units, or no threshold that spares
    every unit's text."""
    docs, y, sources = rows
    n_neg = int(y.sum())
    if n_neg < MIN_NEGATIVES:
        return None, {}, f"{n_neg} hard negatives with a known kind (at least {MIN_NEGATIVES} are needed)"
    if n_neg == len(y):
        return None, {}, "no unit's own text with a known kind to learn from"
    p = cross_validated(space, docs, y, sources, C)
    from sklearn.metrics import roc_auc_score

    t = choose_threshold(p, y)
    figures = {"material_cv_auc": round(float(roc_auc_score(y, p)), 4), "material_texts": len(y),
               "material_negatives": n_neg}
    if t is None:
        return None, figures, "cross-validated, every threshold flags a unit's own text"
    figures.update({"material_threshold": t,
                    "material_cv_negatives_flagged": int(((p >= t) & (y > 0.5)).sum()),
                    "material_cv_units_flagged": int(((p >= t) & (y < 0.5)).sum())})
    w, b = _fit(space, docs, y, C)
    return MaterialHead(weights=w, bias=b, threshold=t, meta=dict(figures)), figures, ""
