"""What the sentence judge reads of a (sentence, item) pair, besides the sentence's grams.

One function serves training and scoring, so the two can never drift apart. Every
feature is a number the engine already has: the item's matcher hits in the sentence,
how well the sentence and the heading it stands under fit the item's own wording, how
concrete the sentence is, and the marks the rubric's patterns give it (a plan, a
directive, award news …).
"""

from __future__ import annotations

import math

import numpy as np

# Per (sentence, item).
PAIR = (
    "rule_any", "rule_strength", "rule_terms", "rule_share",
    "fit_sim", "fit_best", "fit_near", "head_sim", "head_best", "other_items",
    "rule_x_specific", "rule_x_practiced", "fit_x_practiced",
)
# Per sentence (the same for every item): is it evidence of anything at all.
SENTENCE = ("specificity", "practiced", "heading", "factor", "length", "first", "under_list")


def feature_names(mark_ids: list[str]) -> list[str]:
    return [*PAIR, *SENTENCE, *(f"mark:{m}" for m in mark_ids)]


def governing_headings(sentences) -> list[int | None]:
    """For each sentence, the heading it stands under: the last heading before it."""
    out, cur = [], None
    for s in sentences:
        out.append(cur)
        if s.is_heading:
            cur = s.index
    return out


def _at_least_kth(sims: np.ndarray, k: int) -> np.ndarray:
    """(sentences, items) mask: fewer than k items of the sentence's row have a higher value,
    i.e. (sims[:, None, :] > sims[:, :, None]).sum(axis=2) < k, without that (s, i, i) cube
    (~0.4 ms a report): a value has fewer than k values above it exactly when it is at least
    the row's k-th largest (equal values counted apart), which np.partition selects. Values
    are compared, never computed, so the mask is the cube's (cosines are never NaN)."""
    n = sims.shape[1]
    if k <= 0:
        return np.zeros(sims.shape, dtype=bool)
    if k > n:
        return np.ones(sims.shape, dtype=bool)
    return sims >= np.partition(sims, n - k, axis=1)[:, n - k, None]


def pair_features(
    sentences,
    items: list[str],
    hits: dict[str, list[tuple[object, list]]],
    sims: np.ndarray,
    factors: list[float],
    marks,
    mark_ids: list[str],
    specificity: list[float],
    names: list[str] | None = None,
) -> np.ndarray:
    """(sentences, items, features) in the order of `names` (default: feature_names(mark_ids)).

    `hits[item]` is a list of (rule, rule hits) for each of the item's rules; `sims[s, i]`
    the cosine of sentence s with item i's profile (columns in `items` order); `marks[s]`
    the sentence's marks (`.discounts` indexes into `mark_ids`, `.practiced`)."""
    n_s, n_i = len(sentences), len(items)
    own = feature_names(mark_ids)
    F = np.zeros((n_s, n_i, len(own)))
    col = {n: k for k, n in enumerate(own)}
    if n_s == 0:
        return F[:, :, [col[n] for n in names]] if names is not None else F

    # Matcher hits of each item in each sentence: plain Python per hit (numpy scalars are slow one
    # by one), then one fancy-index write per feature.
    hit_any = np.zeros((n_s, n_i))
    at_s: list[int] = []  # (sentence, item) of each hit pair, for strength and rule_any
    at_i: list[int] = []
    strengths: list[float] = []
    t_s: list[int] = []
    t_i: list[int] = []
    t_v: list[float] = []
    r_s: list[int] = []
    r_i: list[int] = []
    r_v: list[float] = []
    for i, item in enumerate(items):
        rules = hits.get(item, [])
        if not rules:
            continue
        strength: dict[int, float] = {}
        terms: dict[int, set] = {}
        share: dict[int, float] = {}
        for _rule, rule_hits in rules:
            seen = set()
            for h in rule_hits:
                s = h.sentence
                w = h.weight if h.weight < 2.0 else 2.0
                if w > strength.get(s, 0.0):
                    strength[s] = w
                terms.setdefault(s, set()).update(sp.term for sp in h.spans)
                seen.add(s)
            for s in seen:
                share[s] = share.get(s, 0.0) + 1.0 / len(rules)
        at_s.extend(strength)
        at_i.extend([i] * len(strength))
        strengths.extend(strength.values())
        t_s.extend(terms)
        t_i.extend([i] * len(terms))
        t_v.extend(math.log1p(len(t)) for t in terms.values())
        r_s.extend(share)
        r_i.extend([i] * len(share))
        r_v.extend(share.values())
    if at_s:
        w = np.array(strengths)
        F[at_s, at_i, col["rule_strength"]] = w
        pos = w > 0
        s_pos, i_pos = np.array(at_s)[pos], np.array(at_i)[pos]
        hit_any[s_pos, i_pos] = 1.0
        F[s_pos, i_pos, col["rule_any"]] = 1.0
    if t_s:
        F[t_s, t_i, col["rule_terms"]] = t_v
    if r_s:
        F[r_s, r_i, col["rule_share"]] = r_v

    # Fit to the item's own wording, for the sentence and for its heading.
    best = sims.argmax(axis=1) if n_i else np.zeros(n_s, dtype=int)
    F[:, :, col["fit_sim"]] = sims
    F[np.arange(n_s), best, col["fit_best"]] = 1.0
    # Ranked 1 or 2 (0 = the best fit): some item fits better, fewer than three do.
    F[:, :, col["fit_near"]] = ~_at_least_kth(sims, 1) & _at_least_kth(sims, 3)
    heads = governing_headings(sentences)
    under = [s for s, h in enumerate(heads) if h is not None]
    if under:
        head = [heads[s] for s in under]
        F[under, :, col["head_sim"]] = sims[head]
        F[under, best[head], col["head_best"]] = 1.0
    n_hit = hit_any.sum(axis=1, keepdims=True)
    F[:, :, col["other_items"]] = np.log1p(n_hit - hit_any)

    spec = np.asarray(specificity, dtype=float)
    practiced = np.array([1.0 if m.practiced else 0.0 for m in marks])
    F[:, :, col["rule_x_specific"]] = hit_any * spec[:, None]
    F[:, :, col["rule_x_practiced"]] = hit_any * practiced[:, None]
    F[:, :, col["fit_x_practiced"]] = sims * practiced[:, None]

    # The sentence itself: the same for every item.
    F[:, :, col["specificity"]] = spec[:, None]
    F[:, :, col["practiced"]] = practiced[:, None]
    F[:, :, col["heading"]] = np.array([1.0 if s.is_heading else 0.0 for s in sentences])[:, None]
    F[:, :, col["factor"]] = np.asarray(factors, dtype=float)[:, None]
    F[:, :, col["length"]] = np.minimum(1.0, np.log1p([len(s.text) for s in sentences]) / 6.0)[:, None]
    F[0, :, col["first"]] = 1.0
    F[:, :, col["under_list"]] = np.array([0.0 if s.lead is None else 1.0 for s in sentences])[:, None]
    for s in range(n_s):
        for k in marks[s].discounts:
            F[s, :, col[f"mark:{mark_ids[k]}"]] = 1.0
    if names is None or names == own:
        return F
    out = np.zeros((n_s, n_i, len(names)))
    for k, n in enumerate(names):
        if n in col:
            out[:, :, k] = F[:, :, col[n]]
    return out


def candidates(pair: np.ndarray, names: list[str], top: int) -> np.ndarray:
    """(sentences, items) mask of the pairs the judge decides: the item's matchers hit the
    sentence, the sentence is among the `top` items the sentence fits best, or its heading
    fits the item best. Every other pair is not evidence (a judge trained on candidates only
    says nothing of the rest)."""
    col = {n: k for k, n in enumerate(names)}
    near = _at_least_kth(pair[:, :, col["fit_sim"]], top)  # among the `top` best fits
    return (pair[:, :, col["rule_any"]] > 0) | near | (pair[:, :, col["head_best"]] > 0)
