#!/usr/bin/env python3
"""Turn the shown quotes nobody judged yet into a blind judging folder.

    .venv/bin/python bench/eval_corpus.py --split fresh14 --export-unjudged unjudged.tsv
    .venv/bin/python eval/collect/export_quotes.py unjudged.tsv JUDGING_DIR

Writes quotes.tsv (qid, item, requirement, quote: all a judge sees, in a shuffled order) and
quote_map.tsv (qid, key, file left blank, rubric, criterion, name, quote). The requirement is
the item's in the rubric (`make_batches.items_of`, what annotators read); the judge's brief is
../shared/judging-protocol.md (eval/judging_fresh*/BRIEF.md).
"""
import csv
import random
import sys
from pathlib import Path

MAIN = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(MAIN))
sys.path.insert(0, str(MAIN / "eval" / "annotation"))
from tsvio import fail  # noqa: E402  (beside this script)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        fail("usage: export_quotes.py UNJUDGED.tsv JUDGING_DIR")
    src, out = Path(argv[0]), Path(argv[1])
    from make_batches import items_of
    from scorer.engine import Scorer

    try:
        with src.open(encoding="utf-8", newline="") as f:  # csv.writer's quoting, as eval_corpus wrote it
            rows = list(csv.DictReader(f, delimiter="\t"))
    except (UnicodeDecodeError, OSError) as e:
        fail(f"{src}: cannot be read ({e.__class__.__name__})")
    req = {}
    for rid in sorted({r["rubric"] for r in rows}):
        req.update({(rid, i): full for i, _name, full in items_of(Scorer.load(rid).rubric)})
    for r in rows:
        if (r["rubric"], r["criterion"]) not in req:
            fail(f"{src}: no item {r['criterion']} in rubric {r['rubric']}")
    random.Random(1713).shuffle(rows)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "quotes.tsv").open("w", encoding="utf-8") as q, (out / "quote_map.tsv").open("w", encoding="utf-8") as m:
        q.write("qid\titem\trequirement\tquote\n")
        m.write("qid\tkey\tfile\trubric\tcriterion\tname\tquote\n")
        for i, r in enumerate(rows, 1):
            qid = f"q{i:03d}"
            q.write(f"{qid}\t{r['name']}\t{req[(r['rubric'], r['criterion'])]}\t{r['quote']}\n")
            m.write(f"{qid}\t{r['key']}\t\t{r['rubric']}\t{r['criterion']}\t{r['name']}\t{r['quote']}\n")
    print(f"{len(rows)} quotes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
