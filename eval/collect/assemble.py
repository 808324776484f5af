#!/usr/bin/env python3
"""Number a round's checked candidates into eval/corpus and eval/sources.tsv, in a shuffled order.

    SHUFFLE=<seed> python eval/collect/assemble.py SPLIT FOLDER...   (prints id -> file)

Each FOLDER is a collector's, checked by check.py (meta.tsv and <id>.txt). The texts are numbered
after the corpus' last file, in an order shuffled by SHUFFLE, so a number says nothing about
who collected a text or what kind it is."""
import csv, os, random, sys
from pathlib import Path
MAIN = Path(__file__).resolve().parents[2]
split, folders = sys.argv[1], [Path(p) for p in sys.argv[2:]]
rows = []
for f in folders:
    with (f / 'meta.tsv').open(encoding='utf-8') as fh:
        for r in csv.DictReader(fh, delimiter='\t', quoting=csv.QUOTE_NONE):
            r['_path'] = f / f"{r['id']}.txt"
            rows.append(r)
rng = random.Random(int(os.environ.get('SHUFFLE', '13')))
rng.shuffle(rows)
corpus = MAIN / 'eval/corpus'
start = max(int(p.stem) for p in corpus.glob('*.txt')) + 1
with (MAIN / 'eval/sources.tsv').open('a', encoding='utf-8') as out:
    for i, r in enumerate(rows):
        name = f"{start + i:03d}.txt"
        text = r['_path'].read_text(encoding='utf-8')
        (corpus / name).write_text(text if text.endswith('\n') else text + '\n', encoding='utf-8')
        clean = lambda s: (s or '').replace('\t', ' ').replace('\n', ' ').strip()
        out.write('\t'.join([name, clean(r['kind']), clean(r['subkind']), clean(r['unit']), clean(r['url']), clean(r['title']), split]) + '\n')
        print(r['id'], name, r['kind'])
