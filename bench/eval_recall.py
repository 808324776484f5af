"""Why an item the annotation finds evidenced gets no shown quote (cross-validated judges).

    CIVSCORE_CV_CACHE=/tmp/cv python bench/eval_recall.py              # the buckets, with counts
    CIVSCORE_CV_CACHE=/tmp/cv python bench/eval_recall.py --examples 5 # and examples of each
    python bench/eval_recall.py --split fresh18 --shipped               # a spent held-out set, shipped judges

Every annotated text of the tuning pool (texts 001–172) is scored as `bench/eval_corpus.py
--split annotated --cv --sentence-gold` scores it: the rubric chosen by unit kind, the
judge trained without the text's fold. For each (text, item) the annotation finds evidenced
and the scorecard quotes nothing for, the item's gold sentences are followed through the
engine and the miss is put in the first bucket that explains it:

  a  never a candidate: no gold sentence of the item is among the pairs the judge decides
     (the item's matchers do not hit it, it is not among its best-fitting items, and its
     heading does not fit the item best);
  d  neighbour: a gold sentence is shown (P ≥ show) under another item of the same
     dimension, or is judged at show or above for it: the judge puts it one item over;
  b  below show: a gold sentence is a candidate, but its judged probability stays under
     the rubric's `show` (split by its best raw probability: < 0.1, 0.1–0.3, 0.3–show);
  c  P high enough, not shown: a gold sentence's raw probability reaches `show`, but the
     quote is not shown (the sentence factor — a repeat, a keyword list, a heading —
     lowers it, or the item's points stay at zero).

It also prints, over all evidence pairs, how many are candidates and how their
probabilities fall. Nothing here tunes anything.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import eval_corpus as E  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="annotated",
                    help="annotated, tune or pool72 with --cv's fold judges; with --shipped any split of eval_corpus.SPLITS")
    ap.add_argument("--shipped", action="store_true",
                    help="score with the shipped judges instead of fold judges: for a held-out set they did not learn from")
    ap.add_argument("--examples", type=int, default=0, help="print this many examples per bucket")
    args = ap.parse_args(argv)

    from scorer.engine import RubricChooser
    from scorer.ingest import load_document
    from scorer.judge.features import candidates

    chooser = RubricChooser()
    if args.shipped:
        fold_judges = None
        gold = E.sentence_gold(E.ANNOTATIONS)
    else:
        if args.split not in ("annotated", "tune", "pool72"):
            ap.error("--split other than annotated, tune or pool72 needs --shipped")
        fold_judges = E.cv_judges(chooser)
        gold = E.sentence_gold([E.EVAL / "annotation"])
    sources = E.read_tsv(E.EVAL / "sources.tsv")
    readings = E.read_readings(E.EVAL / "readings")
    rows = [s for s in sources if s["split"] in E.SPLITS[args.split] and len(readings.get(s["file"], [])) >= 2]

    buckets: dict[str, list] = defaultdict(list)
    pairs = Counter()
    n_evidenced = n_covered = 0
    for s in rows:
        if s["file"] not in gold:
            continue
        doc = load_document(E.EVAL / "corpus" / s["file"])
        scorer, _ = chooser.choose(doc)
        if fold_judges is not None:
            E.with_judge(scorer, fold_judges[scorer.rubric.id].get(s["file"]))
        comp = scorer.compiled
        res = scorer.score_document(doc)
        a = comp.analyze(doc.text)
        factors = comp.sentence_factors(a)
        marks = comp.sentence_marks(a)
        hits = comp.rule_hits(a)
        jm = comp.judge_model
        ids = comp.judged_ids
        texts, pair = comp.judge_inputs(a, factors, marks, hits, ids, jm.features)
        raw = jm.probabilities(texts, pair, ids)  # 0 off the candidates
        cand = candidates(pair, jm.features, jm.top)
        sents = a.seg.sentences
        show = comp.rubric.judge.show
        crit = {c.id: c for c in res.criteria()}
        dim_of = {o.id: (o.dimension.id if o.dimension is not None else "bonus") for o in comp.owners}
        shown_of: dict[int, set[str]] = defaultdict(set)
        by_start = {x.start: x.index for x in sents}
        for c in res.criteria():
            for e in c.shown():
                shown_of[by_start[e.start]].add(c.id)
        g = gold[s["file"]]
        for si, items in g.items():
            for it in items:
                if it in comp.judge_model.index and it in ids:
                    k = ids.index(it)
                    pairs["evidence pairs"] += 1
                    pairs["candidate"] += bool(cand[si, k])
                    p = raw[si, k]
                    pairs["P<0.1"] += p < 0.1
                    pairs["P≥show"] += p >= show
                    pairs["P≥show after factor"] += p * factors[si] >= show
        for it in sorted({i for items in g.values() for i in items}):
            if it not in crit or it not in ids:
                continue
            n_evidenced += 1
            if crit[it].shown():
                n_covered += 1
                continue
            k = ids.index(it)
            gs = sorted(si for si, items in g.items() if it in items)
            best = max(gs, key=lambda si: raw[si, k])
            ex = {"file": s["file"], "item": it, "score": crit[it].score,
                  "sentences": [(si, float(raw[si, k]), factors[si], bool(cand[si, k]), sents[si].text) for si in gs]}
            neighbours = []
            for si in gs:
                for j, other in enumerate(ids):
                    if other != it and dim_of.get(other) == dim_of.get(it) and (
                            other in shown_of[si] or raw[si, j] * factors[si] >= show):
                        neighbours.append((si, other, float(raw[si, j])))
            ex["neighbours"] = neighbours
            if not any(cand[si, k] for si in gs):
                b = "a never a candidate"
            elif neighbours:
                b = "d neighbour item"
            elif raw[best, k] < show:
                q = raw[best, k]
                b = "b below show: best P < 0.1" if q < 0.1 else ("b below show: best P 0.1–0.3" if q < 0.3
                                                                  else f"b below show: best P 0.3–{show}")
            else:
                b = "c P ≥ show, not shown"
                ex["why"] = ("sentence factor" if all(raw[si, k] * factors[si] < show for si in gs if raw[si, k] >= show)
                             else "points 0" if crit[it].score <= 0 else "other")
            buckets[b].append(ex)

    missed = n_evidenced - n_covered
    print(f"items evidenced (judged items) {n_evidenced}, with a shown quote {n_covered} "
          f"({n_covered / max(1, n_evidenced):.1%}); missed {missed}")
    for b in sorted(buckets):
        extra = ""
        if b.startswith("c"):
            extra = "  (" + ", ".join(f"{k} {v}" for k, v in Counter(x["why"] for x in buckets[b]).items()) + ")"
        print(f"  {b:<34}{len(buckets[b]):>5}{extra}")
    by_item = Counter(x["item"] for xs in buckets.values() for x in xs)
    print("missed by item: " + ", ".join(f"{i} {n}" for i, n in by_item.most_common(12)))
    print("\nevidence pairs: " + ", ".join(f"{k} {v}" for k, v in pairs.items()))
    if args.examples:
        for b in sorted(buckets):
            print(f"\n== {b}")
            for x in buckets[b][: args.examples]:
                print(f"- {x['file']} {x['item']} (score {x['score']}){' ' + x.get('why', '') if 'why' in x else ''}")
                for si, p, f, c, t in x["sentences"][:3]:
                    print(f"    #{si} P={p:.2f} factor={f:.2f} cand={int(c)} {t[:90]}")
                for si, other, p in x["neighbours"][:2]:
                    print(f"    neighbour: #{si} → {other} P={p:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
