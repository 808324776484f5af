#!/usr/bin/env python3
"""Number a round's checked candidates into eval/corpus and eval/sources.tsv, in a shuffled order.

    SHUFFLE=<seed> .venv/bin/python eval/collect/assemble.py SPLIT FOLDER...   (prints id -> file)

Each FOLDER is a collector's, checked by check.py (meta.tsv and <id>.txt). The texts are numbered
after the corpus' last file, in an order shuffled by SHUFFLE, so a number says nothing about
who collected a text or what kind it is. Everything is read and checked before anything is
written; a split already in sources.tsv is refused (a rerun adds nothing twice).
"""
import csv
import os
import random
import sys
from pathlib import Path

from tsvio import fail, read_rows  # beside this script

MAIN = Path(__file__).resolve().parents[2]
COLUMNS = ("id", "kind", "subkind", "unit", "url", "title")


def clean(s: str | None) -> str:
    return (s or "").replace("\t", " ").replace("\n", " ").strip()


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        fail("usage: assemble.py SPLIT FOLDER...")
    split, folders = argv[0], [Path(p) for p in argv[1:]]
    try:
        seed = int(os.environ.get("SHUFFLE", "13"))
    except ValueError:
        fail(f"SHUFFLE={os.environ['SHUFFLE']!r}: not a whole number")
    sources = MAIN / "eval" / "sources.tsv"
    with sources.open(encoding="utf-8", newline="") as f:
        if any(r["split"] == split for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)):
            fail(f"{sources}: split {split} is there already (assembled before?)")
    rows = []
    for folder in folders:
        for r in read_rows(folder / "meta.tsv", COLUMNS):
            path = folder / f"{r['id']}.txt"
            try:
                r["_text"] = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                fail(f"{path}: missing or not UTF-8 text (run check.py)")
            rows.append(r)
    random.Random(seed).shuffle(rows)
    corpus = MAIN / "eval" / "corpus"
    start = max((int(p.stem) for p in corpus.glob("*.txt")), default=0) + 1
    with sources.open("a", encoding="utf-8") as out:
        for i, r in enumerate(rows):
            name = f"{start + i:03d}.txt"
            text = r["_text"]
            (corpus / name).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
            out.write("\t".join([name] + [clean(r[c]) for c in COLUMNS[1:]] + [split]) + "\n")
            print(r["id"], name, r["kind"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
