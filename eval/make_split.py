#!/usr/bin/env python3
"""Assign the tune/heldout split of the civscore eval corpus, deterministically.

Reads sources.tsv (first 6 columns: file, kind, subkind, unit, url, title),
(re)writes it with a 7th column `split`.

Rule: one rng = random.Random(20261201). For each kind, in the fixed order
court, other, negative: take that kind's files sorted by file name, shuffle
them with the rng, then alternate along the shuffled list: positions 0,2,4,...
-> "tune", positions 1,3,5,... -> "heldout". So each kind is split in half
(an odd count gives tune one more).
Re-running gives the same result; an existing split column is ignored and replaced.
"""
import csv, os, random, sys

HERE = os.path.dirname(os.path.abspath(__file__))
PATH = os.path.join(HERE, "sources.tsv")
SEED = 20261201
KINDS = ["court", "other", "negative"]
COLS = ["file", "kind", "subkind", "unit", "url", "title"]


def main():
    with open(PATH, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    kinds = {r["kind"] for r in rows}
    unknown = kinds - set(KINDS)
    if unknown:
        sys.exit(f"unknown kind(s): {sorted(unknown)}")
    rng = random.Random(SEED)
    split = {}
    for kind in KINDS:
        files = sorted(r["file"] for r in rows if r["kind"] == kind)
        rng.shuffle(files)
        for i, fn in enumerate(files):
            split[fn] = "tune" if i % 2 == 0 else "heldout"
    with open(PATH, "w", encoding="utf-8", newline="") as f:
        f.write("\t".join(COLS + ["split"]) + "\n")
        for r in rows:
            f.write("\t".join([r[c] for c in COLS] + [split[r["file"]]]) + "\n")
    for kind in KINDS:
        t = sum(1 for r in rows if r["kind"] == kind and split[r["file"]] == "tune")
        n = sum(1 for r in rows if r["kind"] == kind)
        print(f"{kind}: {n} files, {t} tune, {n - t} heldout")


if __name__ == "__main__":
    main()
