"""How well could totals rank at best? The engine scored with the annotation as its judge.

    python bench/eval_ceiling.py             # every annotated text (001–262), and per collected set

The sentence judge decides which sentences evidence which item; the rubric's levels and
points turn that into totals. This script replaces the judge by the annotation itself
(a sentence the two annotators, or the third reading, found to evidence an item gets
probability 1, every other 0) and scores each annotated text by the engine's own rules.
Its Spearman against the readers' totals is the ceiling of any judge that learns the
annotation: what the rubric's structure (items, points, levels) allows. It prints the
shipped judge and the distinct-terms baseline beside it, and `items`: how many of the
chosen rubric's items the annotation finds evidenced, each counting one whatever its
points — what the same evidence ranks like without the rubric's weights. Texts annotated
under the other rubric (the chooser has changed its mind since) are counted and kept:
their annotation names no item of the chosen rubric. Nothing is tuned here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_corpus as E  # noqa: E402


def score_with_annotation(chooser, doc, gold_sentences: dict[int, set[str]]):
    """`doc` scored by the engine's own rules with the annotation as its judge: probability 1 for
    each (sentence, item) in `gold_sentences` (sentence index -> items), 0 elsewhere."""
    scorer, _ = chooser.choose(doc)
    cr = scorer.compiled

    def annotated(a, factors, marks, hits, spec=None):  # CompiledRubric.judgements' signature
        p = np.zeros((len(a.seg.sentences), len(cr.judged_ids)))
        for si, items in gold_sentences.items():
            for it in items:
                if it in cr.judged_ids and si < len(p):
                    p[si, cr.judged_ids.index(it)] = 1.0
        return p * np.asarray(factors)[:, None]  # repeats and keyword lists still count for nothing

    cr.judgements = annotated
    try:
        return chooser.score_document(doc)
    finally:
        del cr.judgements


def main() -> int:
    from scorer.engine import RubricChooser
    from scorer.ingest import load_document

    gold = E.sentence_gold(E.ANNOTATIONS)
    chooser = RubricChooser()
    readings = E.read_readings(E.EVAL / "readings")
    dim_map = E.read_dimension_map()
    rows = [s for s in E.read_tsv(E.EVAL / "sources.tsv")
            if s["file"] in gold and len(readings.get(s["file"], [])) >= 2]
    table = []
    for s in rows:
        doc = load_document(E.EVAL / "corpus" / s["file"])
        scorer, _ = chooser.choose(doc)
        shipped = chooser.score_document(doc)
        oracle = score_with_annotation(chooser, doc, gold[s["file"]])
        r1, r2 = readings[s["file"]][:2]
        terms = E.rubric_terms(scorer.rubric, dim_map)
        own = set(scorer.compiled.judged_ids)
        annotated = {it for items in gold[s["file"]].values() for it in items}
        rec = {"kind": s["kind"], "split": s["split"], "mean": (r1["total"] + r2["total"]) / 2, "tool": shipped.total,
               "oracle": oracle.total, "terms": E.baseline_counts(shipped.text, terms["*"])[0],
               "items": len(annotated & own), "other_rubric": bool(annotated - own)}
        for d in E.DIMENSIONS:
            rec[f"mean_{d}"] = (r1[d] + r2[d]) / 2
            for name, res in (("tool", shipped), ("oracle", oracle)):
                rec[f"{name}_{d}"] = next(x.score for x in res.dimensions if dim_map[(res.rubric.id, x.id)] == d)
            rec[f"terms_{d}"] = E.baseline_counts(shipped.text, terms.get(d, set()))[0]
        table.append(rec)

    def rho(part, col, target="mean"):
        return E.spearman([r[col] for r in part], [r[target] for r in part])

    print(f"{len(table)} annotated texts ({sum(r['other_rubric'] for r in table)} annotated under the other rubric); "
          "Spearman against the mean reading")
    print(f"{'':26}{'annotation':>12}{'shipped judge':>15}{'terms':>8}{'items':>8}")
    for label, part in (("total", table), ("total, court texts", [r for r in table if r["kind"] == "court"]),
                        ("total, other texts", [r for r in table if r["kind"] == "other"])):
        print(f"{label + f' ({len(part)})':<26}{rho(part, 'oracle'):>12.3f}{rho(part, 'tool'):>15.3f}"
              f"{rho(part, 'terms'):>8.3f}{rho(part, 'items'):>8.3f}")
    for d in E.DIMENSIONS:
        print(f"{d:<26}{rho(table, f'oracle_{d}', f'mean_{d}'):>12.3f}{rho(table, f'tool_{d}', f'mean_{d}'):>15.3f}"
              f"{rho(table, f'terms_{d}', f'mean_{d}'):>8.3f}")
    print("per collected set (total; court texts where there are more than three):")
    for split in sorted({r["split"] for r in table}):
        part = [r for r in table if r["split"] == split]
        court = [r for r in part if r["kind"] == "court"]
        line = f"  {split + f' ({len(part)})':<24}{rho(part, 'oracle'):>12.3f}{rho(part, 'tool'):>15.3f}{rho(part, 'terms'):>8.3f}"
        if len(court) > 3:
            line += f"   court ({len(court)}) {rho(court, 'oracle'):.3f} / {rho(court, 'tool'):.3f} / {rho(court, 'terms'):.3f}"
        print(line)
    print("(the shipped judge's column is in-sample on every round its judge file names as training data (civscore\n"
          " rubric show); `items` counts each annotated item once, whatever its points)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
