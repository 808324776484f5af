"""The sentence judge's learned numbers: one small file beside the rubric, loaded once.

File format (`<rubric>.judge`): gzip (mtime 0, so the same numbers give the same bytes)
of one JSON header line — meta (version, training-data and rubric hashes, figures), the
item ids, the gram vocabulary and the feature names — followed by the arrays the header
lists, little-endian, in order: float32, except the per-gram weight matrices, which are
float16 (format /3; `HALF`): they are nearly all of the file, and a weight's rounding
(a relative 5e-4) moves a sentence's probability by far less than the judge's own error.
From /4 the file may also carry the material judgement (scorer.judge.material): its per-gram
weights (float16) and bias, after the veto judgement's arrays.
Nothing here needs scikit-learn: scoring is a sparse product and a logistic function.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import RubricError
from ..rubric.problems import Problem
from ..fit import GramSpace
from .material import MaterialHead
from .veto import VetoHead

FORMAT = "civscore-judge/4"
# /1: no veto judgement; /1 and /2: all float32; /4 may carry the material judgement.
FORMATS = ("civscore-judge/1", "civscore-judge/2", "civscore-judge/3", FORMAT)
HALF_FORMATS = ("civscore-judge/3", FORMAT)
HALF = frozenset({"item_grams", "shared_grams", "kind_grams", "veto_grams", "material_grams"})  # float16 from /3
ARRAYS = ("idf", "item_grams", "shared_grams", "pair", "item_bias",
          "kind_grams", "kind_sentence", "kind_bias", "kind_item", "kind_shared")
# The veto judgement's numbers (scorer.judge.veto), after the others, when the header has "veto".
VETO_ARRAYS = ("veto_idf", "veto_grams", "veto_features", "veto_bias")
# The material judgement's numbers (scorer.judge.material), last, when the header has "material".
MATERIAL_ARRAYS = ("material_grams", "material_bias")


def _dtype(name: str) -> str:
    """How an array is stored (format /3)."""
    return "<f2" if name in HALF else "<f4"


@dataclass
class JudgeModel:
    meta: dict
    items: list[str]
    grams: list[str]
    features: list[str]  # the pair features' names, in the order of `pair`
    idf: np.ndarray  # (V,)
    item_grams: np.ndarray  # (V, n_items): each item's own weight of a gram
    shared_grams: np.ndarray  # (V,): a gram's weight for every item (is it evidence at all)
    pair: np.ndarray  # (n_features,)
    item_bias: np.ndarray  # (n_items,), the intercept included
    # What kind of sentence it is (practice, plan, claim, honour, other_body, heading), learned
    # from the annotators' kinds: a softmax over grams and the sentence features ...
    kind_grams: np.ndarray  # (V, n_kinds)
    kind_sentence: np.ndarray  # (n_sentence_features, n_kinds)
    kind_bias: np.ndarray  # (n_kinds,)
    # ... whose probabilities weigh per item (an honour is evidence for the honours item only).
    kind_item: np.ndarray  # (n_kinds, n_items)
    kind_shared: np.ndarray  # (n_kinds,)
    sha256: str = ""
    path: str = ""
    space: GramSpace | None = field(default=None, repr=False)
    veto: VetoHead | None = None  # does a sentence report a veto event of this unit (None: the rules only)
    material: MaterialHead | None = None  # is the text a unit's own material at all (None: not judged)

    def __post_init__(self):
        self.index = {i: k for k, i in enumerate(self.items)}
        self.kinds = list(self.meta.get("kinds", []))
        self.sentence_features = list(self.meta.get("sentence_features", []))
        if self.space is None:
            self.space = GramSpace(self.grams, self.idf)
        self._cuts: dict[tuple[str, ...], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    # -- file ------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        arrays = {name: np.ascontiguousarray(getattr(self, name), dtype=_dtype(name)) for name in ARRAYS}
        header = {"format": FORMAT, "meta": self.meta, "items": self.items, "grams": self.grams,
                  "features": self.features}
        v = self.veto
        if v is not None:
            header["veto"] = {"grams": v.grams, "features": v.features, "threshold": v.threshold, "meta": v.meta}
            arrays.update({
                "veto_idf": np.ascontiguousarray(v.idf, dtype="<f4"),
                "veto_grams": np.ascontiguousarray(v.weights, dtype=_dtype("veto_grams")),
                "veto_features": np.ascontiguousarray(v.feature_weights, dtype="<f4"),
                "veto_bias": np.array([v.bias], dtype="<f4"),
            })
        m = self.material
        if m is not None:
            header["material"] = {"threshold": m.threshold, "meta": m.meta}
            arrays.update({
                "material_grams": np.ascontiguousarray(m.weights, dtype=_dtype("material_grams")),
                "material_bias": np.array([m.bias], dtype="<f4"),
            })
        header["arrays"] = {k: list(a.shape) for k, a in arrays.items()}
        raw = io.BytesIO()
        raw.write(json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n")
        for name in ARRAYS + (VETO_ARRAYS if v is not None else ()) + (MATERIAL_ARRAYS if m is not None else ()):
            raw.write(arrays[name].tobytes())
        out = io.BytesIO()
        with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="") as z:
            z.write(raw.getvalue())
        return out.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes, path: str = "<judge>", *, raw: bytes | None = None,
                   sha256: str = "") -> "JudgeModel":
        """`raw`: `data` decompressed, when the caller has it (`load` keeps it in civscore's cache)."""
        try:
            if raw is None:
                raw = gzip.decompress(data)
            line, _, rest = raw.partition(b"\n")
            header = json.loads(line)
            if header.get("format") not in FORMATS:
                raise ValueError(f"not a {FORMAT} file")
            veto = header.get("veto")
            material = header.get("material")
            arrays, pos = {}, 0
            half = header["format"] in HALF_FORMATS
            for name in ARRAYS + (VETO_ARRAYS if veto is not None else ()) + (MATERIAL_ARRAYS if material else ()):
                shape = tuple(header["arrays"][name])
                dtype = np.dtype(_dtype(name) if half else "<f4")
                n = int(np.prod(shape)) * dtype.itemsize
                if pos + n > len(rest):
                    raise ValueError("the file is cut short")
                arrays[name] = np.frombuffer(rest[pos : pos + n], dtype=dtype).reshape(shape).astype(np.float64)
                pos += n
            head = None
            if veto is not None:
                head = VetoHead(grams=list(veto["grams"]), idf=arrays.pop("veto_idf"),
                                weights=arrays.pop("veto_grams"), features=list(veto["features"]),
                                feature_weights=arrays.pop("veto_features"), bias=float(arrays.pop("veto_bias")[0]),
                                threshold=float(veto["threshold"]), meta=dict(veto.get("meta") or {}))
                if head.weights.shape != head.idf.shape or head.feature_weights.shape != (len(head.features),):
                    raise ValueError("the veto judgement's arrays do not fit its header")
            mat = None
            if material:
                mat = MaterialHead(weights=arrays.pop("material_grams"), bias=float(arrays.pop("material_bias")[0]),
                                   threshold=float(material["threshold"]), meta=dict(material.get("meta") or {}))
                if mat.weights.shape != (len(header["grams"]),) or not 0 < mat.threshold < 1:
                    raise ValueError("the material judgement's arrays do not fit its header")
            model = cls(meta=header["meta"], items=header["items"], grams=header["grams"],
                        features=header["features"], sha256=sha256 or hashlib.sha256(data).hexdigest(), path=path,
                        veto=head, material=mat, **arrays)
        except (OSError, EOFError, ValueError, KeyError, TypeError) as e:
            raise RubricError(Path(path), [Problem(path, None, None, "judge-unusable", error=str(e))]) from None
        v, n = len(model.grams), len(model.items)
        if model.kind_grams.shape != (v, len(model.kinds)) or model.kind_item.shape != (len(model.kinds), n):
            raise RubricError(Path(path), [Problem(path, None, None, "judge-shapes")])
        if model.item_grams.shape != (v, n) or model.idf.shape != (v,) or model.pair.shape != (len(model.features),):
            raise RubricError(Path(path), [Problem(path, None, None, "judge-shapes")])
        return model

    @classmethod
    def load(cls, path: str | Path) -> "JudgeModel":
        p = Path(path)
        try:
            data = p.read_bytes()
        except OSError as e:
            raise RubricError(p, [Problem(p, None, None, "judge-unreadable", reason=e.strerror or str(e))]) from None
        # Inflating the file is ~28 ms of a one-report run; its inflated bytes are kept in
        # civscore's cache under the file's sha256 (read and checked in ~5 ms). The file itself
        # is read and hashed every time: it is what the result names.
        from scorer import cache

        digest = hashlib.sha256(data).hexdigest()
        raw = cache.get(_CACHE_KIND, digest)
        if raw is None:
            try:
                raw = gzip.decompress(data)
            except (OSError, EOFError, ValueError):
                raw = None  # from_bytes says what is wrong
            else:
                cache.put(_CACHE_KIND, digest, raw)
        return cls.from_bytes(data, str(p), raw=raw, sha256=digest)

    # -- judging ---------------------------------------------------------------

    def logits(self, sentences: list[str], pair: np.ndarray, items: list[str]) -> np.ndarray:
        """logit[s, i] for each sentence and each of `items` (ids this judge knows);
        `pair` is (sentences, items, features) in `self.features` order."""
        stacked, kind_item, item_bias = self._columns(tuple(items))
        n, k = len(items), len(self.kinds)
        x = self.space.rows(sentences)
        # The sentences' grams times the items' weights, the kinds' and the shared weights in one
        # product: each column of a sparse-dense product is summed on its own, so each is what its
        # own product gives, and the rows are walked once instead of three times.
        xw = np.asarray(x @ stacked)
        kinds = self._kinds_of(xw[:, n : n + k], pair)
        z = xw[:, :n].copy()
        z += kinds @ kind_item
        z += (kinds @ self.kind_shared)[:, None]
        z += xw[:, n + k][:, None]
        z += pair @ self.pair
        z += item_bias[None, :]
        return z

    def _columns(self, items: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The gram weights `logits` multiplies by, cut to `items` and stacked (the items' columns,
        then the kinds', then the shared column), with the kinds' weights and the bias for them:
        once per list of items (a scorer asks for the same items every report, and cutting
        (V, n_items) costs more than the product that reads it)."""
        cut = self._cuts.get(items)
        if cut is None:
            cols = [self.index[i] for i in items]
            stacked = np.ascontiguousarray(np.hstack(
                [self.item_grams[:, cols], self.kind_grams.reshape(len(self.grams), -1), self.shared_grams[:, None]]))
            cut = self._cuts[items] = (stacked, self.kind_item[:, cols], self.item_bias[cols])
        return cut

    def _kinds_of(self, x_grams: np.ndarray, pair: np.ndarray) -> np.ndarray:
        """(sentences, kinds): how likely each sentence is a practice, a plan, a claim …, from the
        sentences' product with `kind_grams` (x_grams) and their own features."""
        if not self.kinds:
            return np.zeros((x_grams.shape[0], 0))
        return kind_softmax_of(x_grams, sentence_part(pair, self.features, self.sentence_features),
                               self.kind_sentence, self.kind_bias)

    @property
    def top(self) -> int:
        return int(self.meta.get("params", {}).get("candidates", 8))

    def probabilities(self, sentences: list[str], pair: np.ndarray, items: list[str]) -> np.ndarray:
        """P[s, i]; 0 for a pair that is no candidate (features.candidates)."""
        from .features import candidates

        p = 1.0 / (1.0 + np.exp(-self.logits(sentences, pair, items)))
        p[~candidates(pair, self.features, self.top)] = 0.0
        return p


def sentence_part(pair: np.ndarray, names: list[str], wanted: list[str]) -> np.ndarray:
    """The per-sentence features (the same for every item) out of a (sentences, items, features) array."""
    col = {n: k for k, n in enumerate(names)}
    out = np.zeros((pair.shape[0], len(wanted)))
    if pair.shape[1] == 0:
        return out
    for k, n in enumerate(wanted):
        if n in col:
            out[:, k] = pair[:, 0, col[n]]
    return out


def kind_softmax(x, sent: np.ndarray, grams: np.ndarray, sentence: np.ndarray, bias: np.ndarray) -> np.ndarray:
    return kind_softmax_of(np.asarray(x @ grams), sent, sentence, bias)


def kind_softmax_of(x_grams: np.ndarray, sent: np.ndarray, sentence: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """The kinds' softmax from the sentences' gram product (x @ grams) and their own features."""
    z = x_grams + sent @ sentence + bias[None, :]
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


_LOADED: dict[tuple[str, float, int], JudgeModel] = {}
_CACHE_KIND = "judge-inflated"


def load_judge(path: Path) -> JudgeModel:
    """A judge file, loaded once per process while it is unchanged."""
    st = path.stat()
    key = (str(path.resolve()), st.st_mtime, st.st_size)
    if key not in _LOADED:
        _LOADED[key] = JudgeModel.load(path)
    return _LOADED[key]
