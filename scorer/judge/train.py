"""Fit a rubric's sentence judge from annotated sentences and reviewed workbench rounds.

Training reads the same features scoring reads (`CompiledRubric.judge_inputs`), fits one
logistic regression over (sentence, item) pairs with scikit-learn, and writes the learned
numbers (`JudgeModel`): per item a weight for each character gram, a weight every item
shares (is the sentence evidence of anything), weights for the pair features and a bias
per item. Deterministic: the same annotations and rubric give a byte-identical file.

Cross-validation is grouped by text (never by sentence); the seeds, full-length reports,
are left out one at a time.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import __version__
from ..errors import UsageProblem
from ..fit import fitted_space
from . import features as F
from .material import corpus_kinds, fold_of, material_rows, rows_digest, train_material
from .model import JudgeModel

KINDS = ("practice", "plan", "claim", "honour", "other_body", "heading")
MIN_TEXTS = 20  # fewer annotated texts than this: refuse to write a judge
MIN_POSITIVES = 60  # nor with fewer evidence pairs than this
MIN_VETO_POSITIVES = 30  # fewer veto sentences than this: the judge file carries no veto judgement


# -- annotations -----------------------------------------------------------------


@dataclass
class Label:
    items: frozenset[str]
    kind: str
    veto: str


def _read_label_file(path: Path) -> dict[str, Label]:
    out = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            sid = (row.get("sid") or "").strip()
            if not sid:
                continue
            items = frozenset(i.strip() for i in (row.get("items") or "-").split(",") if i.strip() not in ("", "-"))
            out[sid] = Label(items, (row.get("kind") or "").strip(), (row.get("veto") or "-").strip() or "-")
    return out


def read_annotations(folder: Path) -> tuple[dict[str, list[tuple[str, Label]]], dict[str, dict]]:
    """sid → [(annotator, label)] from labels/<annotator>/*.tsv, and sid → the third reading's
    decisions (adjudication.tsv: sid, field, value)."""
    by_sid: dict[str, list[tuple[str, Label]]] = defaultdict(list)
    labels = folder / "labels"
    for ann in sorted(p for p in labels.iterdir() if p.is_dir()) if labels.is_dir() else []:
        for f in sorted(ann.glob("*.tsv")):
            for sid, lab in _read_label_file(f).items():
                by_sid[sid].append((ann.name, lab))
    third: dict[str, dict] = defaultdict(dict)
    adj = folder / "adjudication.tsv"
    if adj.exists():
        with adj.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                third[row["sid"].strip()][row["field"].strip()] = (row.get("value") or "").strip()
    return by_sid, third


def gold_labels(folder: Path) -> dict[str, tuple[dict[str, float], str, str]]:
    """sid → (item → gold value, kind, veto): where two annotators agree, their label; where
    they disagree, the third reading's (for an item: `item:<id>` = 1/0), else the share of the
    two who named it (0.5, a soft label until the third reading is in)."""
    by_sid, third = read_annotations(folder)
    out = {}
    for sid, labs in by_sid.items():
        labs = labs[:2]
        names = set().union(*(lab.items for _, lab in labs))
        items = {}
        for it in names:
            share = sum(it in lab.items for _, lab in labs) / len(labs)
            decided = third.get(sid, {}).get(f"item:{it}")
            if share not in (0.0, 1.0) and decided in ("0", "1"):
                share = float(decided)
            items[it] = share
        kinds = [lab.kind for _, lab in labs]
        kind = kinds[0] if len(set(kinds)) == 1 else third.get(sid, {}).get("kind", kinds[0])
        vetoes = [lab.veto for _, lab in labs]
        veto = vetoes[0] if len(set(vetoes)) == 1 else third.get(sid, {}).get("veto", "-")
        out[sid] = ({k: v for k, v in items.items() if v > 0}, kind, veto)
    return out


# -- the training set ------------------------------------------------------------


@dataclass
class Text:
    source: str
    group: str  # the CV group: the text itself
    seed: bool
    sentences: list[str]
    pair: np.ndarray  # (sentences, items, features)
    y: np.ndarray  # (sentences, items): gold value 0..1
    specificity: list[float] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # the pair features' names
    kinds: list[str] = field(default_factory=list)  # each sentence's gold kind ('' when unknown)
    kind_only: bool = False  # a text of another rubric: it teaches the kind model only
    mask: np.ndarray | None = None  # (sentences, items): 1 where a label is known (reviewed items), None for all
    # The veto judgement's view of every annotated sentence: its text, whether the annotation
    # finds a veto event of this unit in it, whether a veto rule raises it, whether a veto
    # rule without its distance and clause limits raises it (a candidate, `veto_candidates`).
    veto_texts: list[str] = field(default_factory=list)
    veto_y: list[float] = field(default_factory=list)
    veto_rule: list[float] = field(default_factory=list)
    veto_loose: list[float] = field(default_factory=list)


@dataclass
class TrainingSet:
    rubric_id: str
    rubric_sha256: str
    items: list[str]
    features: list[str]
    texts: list[Text]
    digest: str  # sha256 of the labels the set was built from

    @property
    def positives(self) -> int:
        return int(sum((t.y >= 0.5).sum() for t in self.texts))


def _analysis_inputs(compiled, text: str):
    a = compiled.analyze(text)
    factors = compiled.sentence_factors(a)
    marks = compiled.sentence_marks(a)
    hits = compiled.rule_hits(a)
    return a, factors, marks, hits


def _folders(annotations: Path | Sequence[Path]) -> list[Path]:
    return [Path(annotations)] if isinstance(annotations, (str, Path)) else [Path(a) for a in annotations]


def build_set(scorer, annotations: Path | Sequence[Path], root: Path, reviews: list | None = None) -> TrainingSet:
    """The pairs of every annotated text scored with this rubric (and of every reviewed item).

    `annotations` is one annotation folder or several (each annotated round of texts keeps its
    own folder). Its `sentences.tsv` names each sentence's text, rubric and key; a text whose
    sentences no longer line up with the segmenter's (the key differs) is refused."""
    from ..ingest import load_document
    from ..similarity import specificity

    compiled = scorer.compiled
    rubric_id = compiled.rubric.id
    items = [o.id for o in compiled.owners if o.kind != "veto"]
    mark_ids = compiled.mark_ids
    names = F.feature_names(mark_ids)
    gold: dict = {}
    rows = defaultdict(list)
    others = set()  # texts of other rubrics: what kind a sentence is does not depend on the rubric
    for folder in _folders(annotations):
        labels = gold_labels(folder)
        with (folder / "sentences.tsv").open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                if row["sid"] in labels:
                    if row["sid"] in gold:
                        raise UsageProblem(folder, "usage.annotated-twice", sid=row["sid"])
                    gold[row["sid"]] = labels[row["sid"]]
                    rows[row["source"]].append(row)
                    if row["rubric"] != rubric_id:
                        others.add(row["source"])
    digest = hashlib.sha256()
    texts = []
    for source in sorted(rows):
        path = root / ("seeds/" + source[5:] if source.startswith("seed/") else "eval/corpus/" + source)
        doc = load_document(path)
        a, factors, marks, hits = _analysis_inputs(compiled, doc.text)
        sents = a.seg.sentences
        y = np.zeros((len(sents), len(items)))
        known = np.zeros(len(sents), dtype=bool)
        kind_of = [""] * len(sents)
        for row in rows[source]:
            i = int(row["index"])
            key = hashlib.sha1(sents[i].key.encode()).hexdigest()[:12] if i < len(sents) else ""
            if key != row["key"]:
                raise UsageProblem(path, "usage.annotation-stale", index=i)
            g_items, kind, veto = gold[row["sid"]]
            known[i] = True
            kind_of[i] = kind if kind in KINDS else ""
            for it, v in g_items.items():
                if it in items and source not in others:
                    y[i, items.index(it)] = v
            digest.update(f"{row['sid']}\t{row['key']}\t{sorted(g_items.items())}\t{kind}\t{veto}\n".encode())
        texts_, pair = compiled.judge_inputs(a, factors, marks, hits, items, names)
        keep = np.flatnonzero(known)
        # The veto judgement's rows: each sentence, or the window of a candidate (from the
        # sentence its carried name comes from), as the engine reads it; a veto anywhere counts.
        v_rule, cands = compiled.veto_candidates(a)
        vetoes = {int(row["index"]): gold[row["sid"]][2] not in ("-", "") for row in rows[source]}
        v_texts, v_y, v_r, v_l = [], [], [], []
        for k in keep.tolist():
            first = cands[k][3] if k in cands else k
            v_texts.append(compiled.veto_window(a, k, first)[2])
            v_y.append(float(any(vetoes.get(j, False) for j in range(first, k + 1))))
            v_r.append(float(v_rule[first:k + 1].any()))
            v_l.append(1.0 if k in cands else 0.0)
        texts.append(Text(source, source, source.startswith("seed/"), [texts_[k] for k in keep], pair[keep], y[keep],
                          [specificity(texts_[k]) for k in keep], names, [kind_of[k] for k in keep],
                          kind_only=source in others, veto_texts=v_texts, veto_y=v_y, veto_rule=v_r, veto_loose=v_l))
    for rv in reviews or []:
        texts.append(review_text(compiled, rv, items, names))
        digest.update(rv["digest"].encode())
    return TrainingSet(rubric_id, scorer.loaded.sha256, items, names, texts, digest.hexdigest())


def review_text(compiled, rv: dict, items: list[str], names: list[str]) -> Text:
    """A reviewed workbench item as training pairs: a struck quote is a negative for its
    criterion, an added quote a positive. Only those pairs carry a label (`mask`): nobody
    judged the sentence's other items, nor the other sentences, which are left out."""
    a, factors, marks, hits = _analysis_inputs(compiled, rv["text"])
    sents = a.seg.sentences
    y = np.zeros((len(sents), len(items)))
    mask = np.zeros_like(y)
    for crit, spans, value in rv["marks"]:
        if crit not in items:
            continue
        for start, end in spans:
            for s in sents:
                if s.start < end and start < s.end:
                    y[s.index, items.index(crit)] = value
                    mask[s.index, items.index(crit)] = 1.0
    texts_, pair = compiled.judge_inputs(a, factors, marks, hits, items, names)
    keep = np.flatnonzero(mask.any(axis=1))
    return Text(rv["source"], rv["source"], False, [texts_[k] for k in keep], pair[keep], y[keep], names=names,
                kinds=[""] * len(keep), mask=mask[keep])


def reviews_from(data_dir: Path) -> list[dict]:
    """Every reviewed workbench item's struck (0) and added (1) quotes, per criterion."""
    from ..web.store import WebStore

    out = []
    for item, state, result_json in WebStore(data_dir).all_reviews():
        result = json.loads(result_json)
        marks = []
        for crit, quotes in state.struck.items():
            marks.append((crit, [(q.start, q.end) for q in quotes], 0.0))
        for crit, quotes in state.added.items():
            marks.append((crit, [(q.start, q.end) for q in quotes], 1.0))
        if not marks:
            continue
        out.append({
            "source": f"review/{item.id}", "text": result["text"], "rubric": result["rubric"]["id"], "marks": marks,
            "digest": hashlib.sha256(json.dumps([result["text"], marks], ensure_ascii=False).encode()).hexdigest(),
        })
    return out


# -- fitting ---------------------------------------------------------------------


@dataclass(frozen=True)
class Params:
    C: float = 3.0
    item_scale: float = 1.0  # how freely each item learns its own grams
    shared_scale: float = 1.0
    min_df: int = 2
    candidates: int = 8  # the pairs judged: matcher hits, the top fits, the heading's best fit
    kind_C: float = 1.0  # the kind model's regularisation
    veto_C: float = 10.0  # the veto judgement's regularisation (its classes weigh equally)
    veto_threshold: float = 0.7  # the probability at which a candidate is a veto
    veto_min_df: int = 2
    material_C: float = 10.0  # the material judgement's regularisation (scorer.judge.material)


def design(texts: list[Text], space, n_items: int, p: Params, kind_probs: list[np.ndarray] | None = None):
    """The sparse design matrix over (sentence, item) pairs, with labels and weights.

    Columns: item bias (n_items) | item x gram (n_items * V) | shared gram (V) | pair features."""
    from scipy.sparse import csr_matrix, hstack

    V = len(space)
    blocks, ys, ws = [], [], []
    for ti, t in enumerate(texts):
        if not t.sentences or t.kind_only:
            continue
        x = space.transform(t.sentences)  # (S, V)
        S = x.shape[0]
        cand = F.candidates(t.pair, t.names, p.candidates).reshape(-1)
        sent_of, item_of = np.divmod(np.flatnonzero(cand), n_items)
        n_pairs = len(sent_of)
        if n_pairs == 0:
            continue
        rows = np.arange(n_pairs)
        bias = csr_matrix((np.ones(n_pairs), (rows, item_of)), shape=(n_pairs, n_items))
        xr = x[sent_of]  # each sentence's grams, once per item
        xr = xr.tocoo()
        item_grams = csr_matrix((xr.data * p.item_scale, (xr.row, item_of[xr.row] * V + xr.col)),
                                shape=(n_pairs, n_items * V))
        shared = csr_matrix((xr.data * p.shared_scale, (xr.row, xr.col)), shape=(n_pairs, V))
        pair = csr_matrix(t.pair[sent_of, item_of])
        parts = [bias, item_grams, shared, pair]
        if kind_probs is not None:
            K = kind_probs[ti][sent_of]  # (pairs, kinds)
            n_k = K.shape[1]
            kr = np.repeat(rows, n_k)
            kc = (np.arange(n_k)[None, :] * n_items + item_of[:, None]).reshape(-1)
            parts.append(csr_matrix((K.reshape(-1), (kr, kc)), shape=(n_pairs, n_k * n_items)))
            parts.append(csr_matrix(K))
        blocks.append(hstack(parts, format="csr"))
        y = t.y[sent_of, item_of]
        w = np.ones(n_pairs) if t.mask is None else t.mask[sent_of, item_of]
        ys.append(y)
        ws.append(w)
    from scipy.sparse import vstack

    return vstack(blocks, format="csr"), np.concatenate(ys), np.concatenate(ws)


def _sentence_features(t: Text, wanted: list[str]) -> np.ndarray:
    from .model import sentence_part

    return sentence_part(t.pair, t.names, wanted)


def fit_kinds(texts: list[Text], space, wanted: list[str], C: float):
    """The kind model: a softmax over KINDS from grams and the sentence features."""
    from scipy.sparse import csr_matrix, hstack, vstack
    from sklearn.linear_model import LogisticRegression

    X, y = [], []
    for t in texts:
        idx = [k for k, kind in enumerate(t.kinds) if kind]
        if not idx:
            continue
        x = space.transform([t.sentences[k] for k in idx])
        X.append(hstack([x, csr_matrix(_sentence_features(t, wanted)[idx])], format="csr"))
        y += [KINDS.index(t.kinds[k]) for k in idx]
    X = vstack(X, format="csr")
    y = np.asarray(y)
    clf = LogisticRegression(C=C, solver="lbfgs", max_iter=2000, tol=1e-4)
    clf.fit(X, y)
    V = len(space)
    coef = np.zeros((len(KINDS), X.shape[1]))
    bias = np.full(len(KINDS), -30.0)  # a kind no training sentence had is never predicted
    for row, c in enumerate(clf.classes_):
        coef[c] = clf.coef_[row] if len(clf.classes_) > 2 else (clf.coef_[0] if row else -clf.coef_[0])
        bias[c] = clf.intercept_[row] if len(clf.classes_) > 2 else (clf.intercept_[0] if row else -clf.intercept_[0])
    return coef[:, :V].T.copy(), coef[:, V:].T.copy(), bias


def kind_probs_of(t: Text, space, kinds_model, wanted: list[str]) -> np.ndarray:
    from .model import kind_softmax

    grams, sentence, bias = kinds_model
    return kind_softmax(space.transform(t.sentences), _sentence_features(t, wanted), grams, sentence, bias)


def fit(ts: TrainingSet, texts: list[Text] | None = None, p: Params = Params(), meta: dict | None = None) -> JudgeModel:
    """One judge from the given texts (all of the set's by default).

    The kind model is fitted first; the pair model reads its probabilities, which for the
    training texts themselves come from kind models fitted without them (3 folds by text),
    so that the pair model learns how far to trust a kind it has not seen the answer of."""
    from sklearn.linear_model import LogisticRegression

    texts = ts.texts if texts is None else texts
    texts = [t for t in texts if t.sentences]
    space = fitted_space([s for t in texts for s in t.sentences], min_df=p.min_df)
    n_items, V = len(ts.items), len(space)
    wanted = [n for n in ts.features if n in F.SENTENCE or n.startswith("mark:")]
    kinds_model = fit_kinds(texts, space, wanted, p.kind_C)
    inner = [int(hashlib.sha1(t.group.encode()).hexdigest(), 16) % 3 for t in texts]
    kind_probs: list[np.ndarray] = [None] * len(texts)  # type: ignore[list-item]
    for f in range(3):
        train_part = [t for t, g in zip(texts, inner) if g != f]
        km = fit_kinds(train_part, space, wanted, p.kind_C)
        for k, (t, g) in enumerate(zip(texts, inner)):
            if g == f:
                kind_probs[k] = kind_probs_of(t, space, km, wanted)
    X, y, w = design(texts, space, n_items, p, kind_probs)
    # Soft labels (a disagreement not yet settled) enter as a positive and a negative row,
    # each with its share of the weight.
    soft = (y > 0) & (y < 1)
    if soft.any():
        from scipy.sparse import vstack

        X = vstack([X, X[soft]], format="csr")
        w = np.concatenate([w * np.where(soft, y, 1.0), w[soft] * (1 - y[soft])])
        y = np.concatenate([np.where(y >= 0.5, 1.0, 0.0), np.zeros(int(soft.sum()))])
        y[: len(soft)][soft] = 1.0
    keep = w > 0
    clf = LogisticRegression(C=p.C, solver="lbfgs", max_iter=2000, tol=1e-4)
    clf.fit(X[keep], y[keep].astype(int), sample_weight=w[keep])
    coef = clf.coef_[0]
    k = 0
    bias = coef[k : k + n_items] + clf.intercept_[0]
    k += n_items
    item_grams = coef[k : k + n_items * V].reshape(n_items, V).T * p.item_scale
    k += n_items * V
    shared = coef[k : k + V] * p.shared_scale
    k += V
    n_f = len(ts.features)
    pair = coef[k : k + n_f]
    k += n_f
    n_k = len(KINDS)
    kind_item = coef[k : k + n_k * n_items].reshape(n_k, n_items)
    k += n_k * n_items
    kind_shared = coef[k : k + n_k]
    meta = dict(meta or {})
    meta.setdefault("params", {"candidates": p.candidates})
    meta["kinds"] = list(KINDS)
    meta["sentence_features"] = wanted
    kg, ks, kb = kinds_model
    return JudgeModel(meta=meta, items=list(ts.items), grams=space.grams, features=list(ts.features),
                      idf=space.idf, item_grams=item_grams, shared_grams=shared, pair=pair, item_bias=bias,
                      kind_grams=kg, kind_sentence=ks, kind_bias=kb, kind_item=kind_item, kind_shared=kind_shared)


# -- cross-validation ------------------------------------------------------------


def folds(ts: TrainingSet, k: int = 5) -> list[list[int]]:
    """Text indexes per fold: the seeds one fold each (leave one seed out), the other texts in
    k folds by a hash of their name (fixed before training, never by sentence)."""
    out: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(ts.texts):
        if t.kind_only:
            continue
        key = t.source if t.seed else f"fold{fold_of(t.group, k)}"
        out[key].append(i)
    return [out[key] for key in sorted(out)]


def cross_validated(ts: TrainingSet, p: Params = Params(), k: int = 5) -> list[tuple[Text, np.ndarray]]:
    """(text, P[s, i]) for every text, each predicted by a judge trained without its fold."""
    out = []
    for fold in folds(ts, k):
        held = set(fold)
        model = fit(ts, [t for i, t in enumerate(ts.texts) if i not in held], p)
        for i in fold:
            t = ts.texts[i]
            if t.sentences:
                out.append((t, model.probabilities(t.sentences, t.pair, ts.items)))
    return out


def quote_figures(preds: list[tuple[Text, np.ndarray]], show: float, accept: float, n: int = 2,
                  seeds: bool | None = None) -> dict[str, float]:
    """Precision of the quotes a scorecard would show (the n most likely sentences at `show`
    or above, per item), against the gold labels; recall of the items the annotation finds
    evidenced in a text (share with at least one shown quote)."""
    shown = good = 0.0
    evidenced = covered = 0
    for t, P in preds:
        if seeds is not None and t.seed != seeds:
            continue
        if t.mask is not None:
            continue
        for i in range(P.shape[1]):
            col = P[:, i]
            order = [s for s in np.argsort(-col, kind="stable")[:n] if col[s] >= max(show, accept)]
            shown += len(order)
            good += sum(t.y[s, i] for s in order)
            if (t.y[:, i] >= 0.5).any():
                evidenced += 1
                covered += bool(order)
    return {"quotes": shown, "precision": good / shown if shown else float("nan"),
            "recall": covered / evidenced if evidenced else float("nan"), "evidenced_items": evidenced}


def pair_auc(preds) -> float:
    from sklearn.metrics import roc_auc_score

    y = np.concatenate([t.y.reshape(-1) >= 0.5 for t, _ in preds])
    s = np.concatenate([P.reshape(-1) for _, P in preds])
    return float(roc_auc_score(y, s)) if y.any() and not y.all() else float("nan")


# -- the veto judgement ------------------------------------------------------------


@dataclass
class VetoRow:
    text: str
    y: float  # 1: a veto event of this unit
    rule: float  # a veto rule raises it
    loose: float  # a relaxed veto rule raises it (a candidate)
    group: str  # the CV group: "set:<veto set>" or "text:<annotated text>"
    own: bool = True  # a unit of the kind this rubric scores (the figures count these only)


def veto_rows(compiled, ts: "TrainingSet", veto_sets: Sequence[Path], claimed: Sequence = ()) -> tuple[list[VetoRow], str]:
    """Every annotated sentence (the annotation's veto column) and every row of the veto sets
    (real sentences with two blind labels and a third reading, eval/vetoes*/), with the digest
    of their labels. A veto set's row is one unit even where it holds two sentences. `claimed`:
    the `applies_to` of the rubrics that claim a kind of unit (the chooser's), which tell whose
    unit a row is about."""
    from ..ingest.normalize import normalize_document
    from .veto import claimant, read_veto_set

    # Which kind of unit a row is about, as `bench/eval_vetoes.py` reads it (`claimant`).
    mine = compiled.rubric.applies_to

    def own(sentence: str, note: str) -> bool:
        kind = claimant(sentence, note, list(claimed))
        if mine is None or mine.fallback:
            return kind is None
        return kind is not None and kind.kind == mine.kind

    rows: list[VetoRow] = []
    for t in ts.texts:
        for text, y, r, lo in zip(t.veto_texts, t.veto_y, t.veto_rule, t.veto_loose):
            rows.append(VetoRow(text, y, r, lo, f"text:{t.source}"))
    digest = hashlib.sha256()
    for folder in veto_sets:
        for rid, sentence, veto, _family, note in read_veto_set(Path(folder)):
            text = normalize_document(sentence)[0].text
            rule, cands = compiled.veto_candidates(compiled.analyze(text))
            rows.append(VetoRow(text, 0.0 if veto in ("-", "") else 1.0, float(rule.any()), float(bool(cands)),
                                f"set:{Path(folder).name}", own(sentence, note)))
            digest.update(f"{Path(folder).name}\t{rid}\t{veto}\t{sentence}\n".encode())
    return rows, digest.hexdigest()


def fit_veto(rows: list[VetoRow], sets: dict[str, list[str]], p: Params, meta: dict | None = None):
    """The veto judgement fitted on these rows (scikit-learn at training time only)."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression

    from .veto import VetoHead, feature_names, sentence_features

    texts = [r.text for r in rows]
    space = fitted_space(texts, p.veto_min_df)
    names = feature_names(sorted(sets))
    feats = sentence_features(texts, names, sets, np.array([r.rule for r in rows]), np.array([r.loose for r in rows]))
    x = hstack([space.transform(texts), csr_matrix(feats)]).tocsr()
    y = np.array([r.y >= 0.5 for r in rows])
    lr = LogisticRegression(C=p.veto_C, class_weight="balanced", max_iter=5000).fit(x, y)
    w = lr.coef_[0]
    v = len(space.grams)
    return VetoHead(grams=list(space.grams), idf=space.idf, weights=w[:v], features=names,
                    feature_weights=w[v:], bias=float(lr.intercept_[0]), threshold=p.veto_threshold,
                    meta=meta or {})


def veto_raised(head, rows: list[VetoRow], sets: dict[str, list[str]]) -> np.ndarray:
    """What the engine does with these rows: a rule's veto, or a candidate the judge finds
    likely enough."""
    from .veto import sentence_features

    texts = [r.text for r in rows]
    rule = np.array([r.rule for r in rows])
    loose = np.array([r.loose for r in rows])
    prob = head.probabilities(texts, sentence_features(texts, head.features, sets, np.zeros(len(rows)), loose))
    return (rule > 0) | ((loose > 0) & (prob >= head.threshold))


def veto_cross_validated(rows: list[VetoRow], sets: dict[str, list[str]], p: Params) -> dict:
    """Each veto set held out in turn (its register differs: notices, press accounts of large
    cases …), with a share of the annotated texts (by a hash of their name): recall and false
    vetoes on the held set beside the rules' own, and the judge's vetoes on real report
    sentences the annotation finds none in."""
    names = sorted({r.group for r in rows if r.group.startswith("set:")})
    if len(names) < 2:
        return {}
    k = len(names)

    def fold(r: VetoRow) -> int:
        if r.group.startswith("set:"):
            return names.index(r.group)
        return int(hashlib.sha1(r.group.encode()).hexdigest(), 16) % k

    folds = [fold(r) for r in rows]
    pos = neg = tp = fp = rtp = rfp = corpus = corpus_rule = n_corpus = 0
    for i in range(k):
        train_rows = [r for r, f in zip(rows, folds) if f != i]
        test = [r for r, f in zip(rows, folds) if f == i]
        head = fit_veto(train_rows, sets, p)
        up = veto_raised(head, test, sets)
        for r, u in zip(test, up.tolist()):
            if r.group.startswith("set:") and not r.own:
                continue
            if r.group.startswith("set:"):
                if r.y >= 0.5:
                    pos, tp, rtp = pos + 1, tp + u, rtp + (r.rule > 0)
                else:
                    neg, fp, rfp = neg + 1, fp + u, rfp + (r.rule > 0)
            elif r.y < 0.5:
                n_corpus += 1
                corpus += u and not r.rule
                corpus_rule += r.rule > 0
    return {
        "cv_veto_recall": round(tp / pos, 4) if pos else float("nan"),
        "cv_veto_rules_recall": round(rtp / pos, 4) if pos else float("nan"),
        "cv_veto_false": int(fp), "cv_veto_rules_false": int(rfp), "veto_set_negatives": neg,
        "cv_veto_report_sentences_raised": int(corpus), "veto_report_sentences": n_corpus,
    }


def veto_left_out(figures: dict) -> str:
    """Why a veto judgement with these cross-validated figures must not ship ('' when it may):
    it may not raise more false vetoes than the rules alone, nor any sentence of a report the
    annotation finds no veto in. A learned judgement that is worse than the floor it stands on
    is left out, and the rules decide alone."""
    false, rules_false = figures.get("cv_veto_false"), figures.get("cv_veto_rules_false")
    if false is None or rules_false is None:
        return "no cross-validated figures (fewer than two veto sets)"
    if false > rules_false:
        return f"cross-validated it raised {false:g} false vetoes where the rules alone raise {rules_false:g}"
    raised = figures.get("cv_veto_report_sentences_raised", 0)
    if raised:
        return f"cross-validated it raised {raised:g} annotated report sentences that report no veto"
    return ""


def train(scorer, annotations: Path | Sequence[Path], root: Path, *, reviews: list | None = None, p: Params = Params(),
          show: float | None = None, accept: float | None = None,
          veto_sets: Sequence[Path] = (), claimed: Sequence = ()) -> tuple[JudgeModel, dict]:
    """Cross-validate, then fit on everything; refuse a judge trained on too little. With
    `veto_sets` (eval/vetoes*/) the file also carries the veto judgement, when the veto
    sentences are enough (MIN_VETO_POSITIVES) and it is no worse than the rules
    (`veto_left_out`; the meta then says why it is missing)."""
    ts = build_set(scorer, annotations, root, reviews)
    n_texts = sum(1 for t in ts.texts if t.sentences and not t.kind_only)
    if n_texts < MIN_TEXTS or ts.positives < MIN_POSITIVES:
        raise UsageProblem(_folders(annotations)[0], "usage.too-little-training", rubric=ts.rubric_id, texts=n_texts,
                           positives=ts.positives, min_texts=MIN_TEXTS, min_positives=MIN_POSITIVES)
    js = scorer.rubric.judge
    show = show if show is not None else (js.show if js else 0.5)
    accept = accept if accept is not None else (js.accept if js else 0.5)
    preds = cross_validated(ts, p)
    overall = quote_figures(preds, show, accept)
    seeds = quote_figures(preds, show, accept, seeds=True)
    figures = {
        "cv_pair_auc": round(pair_auc(preds), 4),
        "cv_quote_precision": round(overall["precision"], 4),
        "cv_item_recall": round(overall["recall"], 4),
        "cv_seed_quote_precision": round(seeds["precision"], 4) if seeds["quotes"] else float("nan"),
        "texts": n_texts,
        "evidence_pairs": ts.positives,
    }
    figures = {k: v for k, v in figures.items() if v == v}  # no NaN in the file
    meta = {
        "version": f"{ts.rubric_id}-judge-{ts.digest[:8]}",
        "rubric_id": ts.rubric_id,
        "rubric_sha256": ts.rubric_sha256,
        "training_sha256": ts.digest,
        "trained_by": f"civscore {__version__}",
        "params": {"C": p.C, "item_scale": p.item_scale, "shared_scale": p.shared_scale, "min_df": p.min_df,
                   "candidates": p.candidates, "kind_C": p.kind_C},
        "figures": figures,
        "training_data": ", ".join(f.name for f in _folders(annotations))
        + " (two blind annotators per sentence, a third on disagreements)"
        + (f" + {len(reviews)} reviewed workbench items" if reviews else ""),
    }
    sets = dict(scorer.rubric.phrase_sets)
    vrows, vdigest = veto_rows(scorer.compiled, ts, veto_sets, claimed) if veto_sets else ([], "")
    v_pos = sum(r.y >= 0.5 for r in vrows)
    if vrows and v_pos >= MIN_VETO_POSITIVES:
        vfig = {k: v for k, v in veto_cross_validated(vrows, sets, p).items() if v == v}
        figures.update(vfig)
        figures["veto_positives"] = int(v_pos)
        meta["figures"] = figures
        meta["params"].update({"veto_C": p.veto_C, "veto_threshold": p.veto_threshold, "veto_min_df": p.veto_min_df})
        # One digest for everything the file learned from: the annotation and the veto sets.
        both = hashlib.sha256(f"{ts.digest}\n{vdigest}".encode()).hexdigest()
        meta.update({"training_sha256": both, "version": f"{ts.rubric_id}-judge-{both[:8]}"})
        meta["training_data"] += "; vetoes: " + ", ".join(Path(f).name for f in veto_sets) + \
            " (real sentences, two blind labels and a third reading)"
    ships = bool(vrows) and v_pos >= MIN_VETO_POSITIVES
    if ships and (why := veto_left_out(figures)):
        meta["veto_left_out"] = why
        ships = False
    model = fit(ts, None, p, meta)
    if ships:
        model.veto = fit_veto(vrows, sets, p, {"positives": int(v_pos), "rows": len(vrows)})
    # Is the text a unit's own material at all: learned from the corpus' kinds (eval/sources.tsv).
    rows = material_rows(ts.texts, corpus_kinds(root))
    head, mfig, why = train_material(model.space, rows, p.material_C)
    figures.update(mfig)
    m = model.meta
    m["figures"] = figures
    if head is None:
        m["material_left_out"] = why
    else:
        model.material = head
        both = hashlib.sha256(f"{m['training_sha256']}\n{rows_digest(rows)}".encode()).hexdigest()
        m.update({"training_sha256": both, "version": f"{ts.rubric_id}-judge-{both[:8]}"})
        m["training_data"] += "; material: the corpus' kinds of text (eval/sources.tsv: a unit's own or a hard negative)"
        m["params"]["material_C"] = p.material_C
    return model, figures
