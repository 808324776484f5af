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

    # Matcher hits of each item in each sentence.
    hit_any = np.zeros((n_s, n_i))
    for i, item in enumerate(items):
        rules = hits.get(item, [])
        if not rules:
            continue
        strength = np.zeros(n_s)
        terms: list[set] = [set() for _ in range(n_s)]
        share = np.zeros(n_s)
        for _rule, rule_hits in rules:
            seen = set()
            for h in rule_hits:
                s = h.sentence
                strength[s] = max(strength[s], min(2.0, h.weight))
                terms[s].update(sp.term for sp in h.spans)
                seen.add(s)
            for s in seen:
                share[s] += 1.0 / len(rules)
        any_ = strength > 0
        hit_any[:, i] = any_
        F[:, i, col["rule_any"]] = any_
        F[:, i, col["rule_strength"]] = strength
        F[:, i, col["rule_terms"]] = [math.log1p(len(t)) for t in terms]
        F[:, i, col["rule_share"]] = share

    # Fit to the item's own wording, for the sentence and for its heading.
    best = sims.argmax(axis=1) if n_i else np.zeros(n_s, dtype=int)
    rank = (sims[:, None, :] > sims[:, :, None]).sum(axis=2)
    F[:, :, col["fit_sim"]] = sims
    F[np.arange(n_s), best, col["fit_best"]] = 1.0
    F[:, :, col["fit_near"]] = (rank >= 1) & (rank <= 2)
    heads = governing_headings(sentences)
    for s, h in enumerate(heads):
        if h is not None:
            F[s, :, col["head_sim"]] = sims[h]
            F[s, best[h], col["head_best"]] = 1.0
    n_hit = hit_any.sum(axis=1, keepdims=True)
    F[:, :, col["other_items"]] = np.log1p(n_hit - hit_any)

    spec = np.asarray(specificity, dtype=float)
    practiced = np.array([1.0 if m.practiced else 0.0 for m in marks])
    F[:, :, col["rule_x_specific"]] = hit_any * spec[:, None]
    F[:, :, col["rule_x_practiced"]] = hit_any * practiced[:, None]
    F[:, :, col["fit_x_practiced"]] = sims * practiced[:, None]

    # The sentence itself.
    for s, sent in enumerate(sentences):
        row = F[s, :, :]
        row[:, col["specificity"]] = spec[s]
        row[:, col["practiced"]] = practiced[s]
        row[:, col["heading"]] = 1.0 if sent.is_heading else 0.0
        row[:, col["factor"]] = factors[s]
        row[:, col["length"]] = min(1.0, math.log1p(len(sent.text)) / 6.0)
        row[:, col["first"]] = 1.0 if s == 0 else 0.0
        row[:, col["under_list"]] = 1.0 if sent.lead is not None else 0.0
        for k in marks[s].discounts:
            row[:, col[f"mark:{mark_ids[k]}"]] = 1.0
    if names is None:
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
    sims = pair[:, :, col["fit_sim"]]
    rank = (sims[:, None, :] > sims[:, :, None]).sum(axis=2)
    return (pair[:, :, col["rule_any"]] > 0) | (rank < top) | (pair[:, :, col["head_best"]] > 0)
