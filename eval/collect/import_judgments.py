#!/usr/bin/env python3
"""Append a judging folder's verdicts to eval/evidence_judgments_fresh.tsv and copy the folder to
eval/judging_<split>.

    python eval/collect/import_judgments.py JUDGING_DIR fresh14 J19 J20

Every judge must have judged every quote, 1 or 0; nothing is written otherwise."""
import csv, shutil, sys
from pathlib import Path
d, split, judges = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
MAIN = Path(__file__).resolve().parents[2]
qmap = {r['qid']: r for r in csv.DictReader((d / 'quote_map.tsv').open(encoding='utf-8'), delimiter='\t', quoting=csv.QUOTE_NONE)}
out = []
for j in judges:
    rows = {r['qid']: r for r in csv.DictReader((d / f'judge_{j.lower()}.tsv').open(encoding='utf-8'), delimiter='\t', quoting=csv.QUOTE_NONE)}
    missing = set(qmap) - set(rows)
    if missing:
        sys.exit(f"{j}: {len(missing)} quotes unjudged: {sorted(missing)[:5]}")
    for qid, m in qmap.items():
        v = rows[qid]['supports'].strip()
        if v not in ('0', '1'):
            sys.exit(f"{j} {qid}: supports {v!r}")
        out.append([m['key'], m['rubric'], m['criterion'], m['name'], v, j, m['quote']])
with (MAIN / 'eval/evidence_judgments_fresh.tsv').open('a', encoding='utf-8') as f:
    for r in out:
        f.write('\t'.join(r) + '\n')
dest = MAIN / 'eval' / f'judging_{split}'
dest.mkdir(exist_ok=True)
for name in ['BRIEF.md', 'quotes.tsv', 'quote_map.tsv'] + [f'judge_{j.lower()}.tsv' for j in judges]:
    shutil.copy(d / name, dest / name)
print(len(out), 'verdicts appended;', dest)
