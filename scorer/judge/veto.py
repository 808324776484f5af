"""The learned veto judgement: does this sentence report a veto event of this unit?

The rubric's veto rules stay the floor: a sentence they raise is a veto, whatever the judge
says. The judge decides only over what a veto rule raises without its distance and clause
limits (`Rule.relaxed_spec`: a near rule's chain may span the sentence, 50 characters a link;
order, `breaks`, `unless`, `unless_sentence` and the names condition still hold), and never
over a window holding one of the rubric's `judge.veto_unless` phrases (a rule stated, warning
education, an allegation found untrue, the unit sitting in judgement). So the judge reads a
role and a penalty two clauses apart (我院原副院长张某在担任执行局长期间多次收受…，今年5月经…审理，
被判处…), and never raises what the rubric excludes.

What it reads of a sentence: its character 1-3-grams (a vocabulary of its own, fitted on
the veto training sentences), whether a veto rule raises it, whether a relaxed rule
proposes it, and which of the rubric's phrase sets it names (the unit's possessive, a leader, a duty
crime, a court handling cases …). A logistic regression; the numbers ship in the judge file.
Nothing here needs scikit-learn at scoring time.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..fit import GramSpace

# Per sentence, besides its grams: the rules' verdict and the relaxed rules' (0/1; "loose").
FLAGS = ("rule", "loose")


def feature_names(set_names: list[str]) -> list[str]:
    return [*FLAGS, *(f"set:{n}" for n in set_names)]


def sentence_features(texts: list[str], names: list[str], sets: dict[str, list[str]],
                      rule: np.ndarray, loose: np.ndarray) -> np.ndarray:
    """(sentences, features) in the order of `names`; a set the rubric lacks reads 0."""
    out = np.zeros((len(texts), len(names)))
    for k, n in enumerate(names):
        if n == "rule":
            out[:, k] = rule
        elif n == "loose":
            out[:, k] = loose
        elif n.startswith("set:"):
            phrases = sets.get(n[4:], ())
            out[:, k] = [1.0 if any(p in t for p in phrases) else 0.0 for t in texts]
    return out


@dataclass
class VetoHead:
    grams: list[str]
    idf: np.ndarray  # (V,)
    weights: np.ndarray  # (V,)
    features: list[str]
    feature_weights: np.ndarray  # (F,)
    bias: float
    threshold: float
    meta: dict = field(default_factory=dict)
    space: GramSpace | None = field(default=None, repr=False)

    def __post_init__(self):
        if self.space is None:
            self.space = GramSpace(self.grams, self.idf)

    def probabilities(self, texts: list[str], feats: np.ndarray) -> np.ndarray:
        if not texts:
            return np.zeros(0)
        x = self.space.rows(texts)
        z = np.asarray(x @ self.weights).reshape(-1) + feats @ self.feature_weights + self.bias
        return 1.0 / (1.0 + np.exp(-z))


# -- the veto sets (eval/vetoes*/): real sentences with blind labels ----------------------------


def claimant(sentence: str, note: str, applies: list):
    """Of these `applies_to` (the rubrics that claim a kind of unit), the one a veto set's row is
    about, or None (the fallback's). An adapted row's note names the unit it was
    ('…人民法院'->'我院'): that decides, not a court the sentence mentions (一审被法院判处 in a
    school's report). Else the sentence."""
    where = note if "->" in note else sentence
    return next((at for at in applies if at is not None and any(n in where for n in at.unit_names)), None)



def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def _kappa(a: list[bool], b: list[bool]) -> float:
    n = len(a)
    po = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return 1.0 if pe == 1 else (po - pe) / (1 - pe)


# The columns each file of a veto set must have (eval/vetoes/COLLECTION.md).
COLUMNS = {"sentences.tsv": ("id", "sentence"), "labels_A.tsv": ("id", "veto", "family"),
           "labels_B.tsv": ("id", "veto", "family"), "labels_C.tsv": ("id", "veto", "family")}


def missing_columns(folder: Path) -> tuple[Path, list[str]] | None:
    """The first file of a veto set that lacks a column it needs, with those columns; None when
    every file present has them (sentences.tsv and labels_A.tsv must be present)."""
    for name, need in COLUMNS.items():
        path = folder / name
        if not path.is_file():
            continue
        with path.open(encoding="utf-8", newline="") as f:
            header = f.readline().rstrip("\r\n").split("\t")
        lacking = [c for c in need if c not in header]
        if lacking:
            return path, lacking
    return None


def veto_gold(folder: Path) -> tuple[dict[str, tuple[str, str]], float | None, int]:
    """id → (veto, family) of a veto set: where labellers A and B agree on the veto, theirs;
    else the third reading's (C). Also κ on veto / no veto and the number of disagreements."""
    a = {r["id"]: r for r in read_tsv(folder / "labels_A.tsv")}
    b_path = folder / "labels_B.tsv"
    if not b_path.exists():
        return {i: (r["veto"].strip(), r["family"].strip()) for i, r in a.items()}, None, 0
    b = {r["id"]: r for r in read_tsv(b_path)}
    c_path = folder / "labels_C.tsv"
    c = {r["id"]: r for r in read_tsv(c_path)} if c_path.exists() else {}
    ids = sorted(set(a) & set(b))
    k = _kappa([a[i]["veto"].strip() != "-" for i in ids], [b[i]["veto"].strip() != "-" for i in ids])
    out, disagree = {}, 0
    for i in ids:
        va, vb = a[i]["veto"].strip(), b[i]["veto"].strip()
        family = a[i]["family"].strip()
        if va == vb:
            out[i] = (va, family)
            continue
        if (va != "-") != (vb != "-"):
            disagree += 1  # veto or not: only a third reading settles it
        if i in c:
            out[i] = (c[i]["veto"].strip(), c[i]["family"].strip() or family)
        elif va != "-" and vb != "-":
            out[i] = (va, family)  # both a veto, of two ids: A's id
    return out, k, disagree


def read_veto_set(folder: Path) -> list[tuple[str, str, str, str, str]]:
    """(id, sentence, gold veto or '-', family, note) of every row with a gold label, in id order;
    the note says how a row was adapted ('…人民法院'->'我院')."""
    rows = {r["id"]: r for r in read_tsv(folder / "sentences.tsv")}
    gold, _k, _n = veto_gold(folder)
    return [(i, rows[i]["sentence"], v, fam, rows[i].get("note") or "") for i, (v, fam) in sorted(gold.items())
            if i in rows]
