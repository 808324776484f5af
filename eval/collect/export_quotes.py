#!/usr/bin/env python3
"""Turn the shown quotes nobody judged yet into a blind judging folder.

    python bench/eval_corpus.py --split fresh14 --export-unjudged unjudged.tsv
    python eval/collect/export_quotes.py unjudged.tsv JUDGING_DIR eval/annotation_fresh14

Writes quotes.tsv (qid, item, requirement, quote: all a judge sees, in a shuffled order) and
quote_map.tsv (qid, key, file left blank, rubric, criterion, name, quote). The requirement is
the item's text in the annotation folder's items_<rubric>.md; the judge's brief is
../shared/judging-protocol.md (eval/judging_fresh*/BRIEF.md)."""
import csv, random, re, sys
from pathlib import Path
src, out, ann = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
req = {}
for md in ann.glob('items_*.md'):
    rub = md.stem.split('_', 1)[1]
    for line in md.read_text(encoding='utf-8').splitlines():
        m = re.match(r"- `([^`]+)` ([^:]+): (.*)", line)
        if m:
            req[(rub, m.group(1))] = m.group(3).strip()
rows = list(csv.DictReader(src.open(encoding='utf-8'), delimiter='\t', quoting=csv.QUOTE_NONE))
random.Random(1713).shuffle(rows)
out.mkdir(parents=True, exist_ok=True)
with (out / 'quotes.tsv').open('w', encoding='utf-8') as q, (out / 'quote_map.tsv').open('w', encoding='utf-8') as m:
    q.write('qid\titem\trequirement\tquote\n'); m.write('qid\tkey\tfile\trubric\tcriterion\tname\tquote\n')
    for i, r in enumerate(rows, 1):
        qid = f"q{i:03d}"
        rq = req.get((r['rubric'], r['criterion']))
        if rq is None:
            sys.exit(f"no requirement for {r['rubric']} {r['criterion']}")
        q.write(f"{qid}\t{r['name']}\t{rq}\t{r['quote']}\n")
        m.write(f"{qid}\t{r['key']}\t\t{r['rubric']}\t{r['criterion']}\t{r['name']}\t{r['quote']}\n")
print(len(rows), 'quotes')
