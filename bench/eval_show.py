"""Shown-quote precision and item coverage at several `judge.show` thresholds, cross-validated.

    CIVSCORE_CV_CACHE=/tmp/cv python bench/eval_show.py --cv-train eval/annotation … [--show 0.6 --show 0.7 …]

Each annotated text with two readings is scored with the fold judge that never saw it (as
`bench/eval_corpus.py --cv`), and its quotes are re-chosen at each threshold by
`CriterionResult.shown()` with the threshold as its `quote_min`. Printed per threshold: the
quotes, their precision against the sentence annotation, those of them the blind judges judged
(eval/evidence_judgments_fresh.tsv, the share who found each supporting), the quotes on hard
negatives, and the share of annotated items with a quote.
Points come from `judge.accept`, so no total depends on `show`.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import eval_corpus as E  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cv-train", type=Path, action="append", help="an annotation folder the fold judges learn from")
    ap.add_argument("--show", type=float, action="append", help="a threshold to try (repeatable)")
    args = ap.parse_args(argv)
    from scorer.engine import RubricChooser
    from scorer.ingest import load_document
    from scorer.segment import segment

    thresholds = sorted(args.show or [0.6, 0.7, 0.75, 0.8, 0.85])
    chooser = RubricChooser()
    folds = E.cv_judges(chooser, args.cv_train or E.TRAINED_ON)
    gold = E.sentence_gold(E.ANNOTATIONS)
    readings = E.read_readings(E.EVAL / "readings")
    judged: dict[str, list[int]] = defaultdict(list)
    for r in E.read_tsv(E.EVAL / "evidence_judgments_fresh.tsv"):
        judged[r["key"]].append(int(r["supports"]))
    stats = {t: defaultdict(float) for t in thresholds}
    for s in E.read_tsv(E.EVAL / "sources.tsv"):
        if s["file"] not in gold or len(readings.get(s["file"], [])) < 2:
            continue
        doc = load_document(E.EVAL / "corpus" / s["file"])
        scorer, _ = chooser.choose(doc)
        model = folds.get(scorer.rubric.id, {}).get(s["file"])
        if model is None:  # a text the fold judges did not learn from (nor were they cut around it)
            continue
        E.with_judge(scorer, model)
        res = chooser.score_document(doc)
        starts = {x.start: x.index for x in segment(res.text).sentences}
        g = gold[s["file"]]
        for c in [c for d in res.dimensions for c in d.criteria] + list(res.bonus.items):
            evidenced = any(c.id in items for items in g.values())
            for t in thresholds:
                shown = c.model_copy(update={"quote_min": t}).shown()  # as every front end would at `show` t
                x = stats[t]
                x["shown"] += len(shown)
                x["good"] += sum(c.id in g.get(starts.get(e.start, -1), set()) for e in shown)
                x["negatives"] += len(shown) * (s["kind"] == "negative")
                for e in shown:
                    verdicts = judged.get(E.pair_key(res.rubric.id, c.id, e.text))
                    if verdicts:
                        x["judged"] += 1
                        x["supporting"] += sum(verdicts) / len(verdicts)
                if evidenced:
                    x["evidenced"] += 1
                    x["covered"] += bool(shown)
    print("show    quotes   vs annotation   judged (share supporting)   on negatives   items with a quote")
    for t in thresholds:
        x = stats[t]
        print(f"{t:<7.2f} {x['shown']:<8.0f} {x['good'] / max(x['shown'], 1):>12.1%}   "
              f"{x['judged']:>4.0f} at {x['supporting'] / max(x['judged'], 1):.1%}{'':14}"
              f"{x['negatives']:>4.0f}   {x['covered'] / max(x['evidenced'], 1):>14.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
