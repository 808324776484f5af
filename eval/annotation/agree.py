"""Agreement between the two blind annotators, and the disagreements for the third reading.

    python eval/annotation/agree.py                  # kappa per item, evidence-at-all and kind
    python eval/annotation/agree.py --disagreements  # also writes disagreements/dNN.md for the third reader

Cohen's kappa per item is over the sentences of texts scored with that item's rubric
(present or not); an item no annotator named is left out.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
HERE = Path(__file__).resolve().parent


def kappa(a: list, b: list) -> float:
    from sklearn.metrics import cohen_kappa_score

    if len(set(a) | set(b)) < 2:
        return float("nan")
    return float(cohen_kappa_score(a, b))


def main() -> None:
    from scorer.judge.train import read_annotations

    ap = argparse.ArgumentParser()
    ap.add_argument("--disagreements", action="store_true")
    ap.add_argument("--dir", type=Path, default=HERE, help="the annotation folder (default: the training one)")
    args = ap.parse_args()
    here = args.dir.resolve()
    by_sid, _ = read_annotations(here)
    sents = {}
    with (here / "sentences.tsv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            sents[row["sid"]] = row
    pairs = {sid: labs[:2] for sid, labs in by_sid.items() if len(labs) >= 2}
    print(f"sentences with two readings: {len(pairs)} of {len(sents)}")
    by_rubric = defaultdict(list)
    for sid, labs in pairs.items():
        by_rubric[sents[sid]["rubric"]].append((sid, labs))
    for rubric, rows in sorted(by_rubric.items()):
        items = sorted(set().union(*(lab.items for _, labs in rows for _, lab in labs)))
        ev_a = [bool(labs[0][1].items) for _, labs in rows]
        ev_b = [bool(labs[1][1].items) for _, labs in rows]
        print(f"\n{rubric}: {len(rows)} sentences")
        print(f"  evidence at all   kappa {kappa(ev_a, ev_b):.3f}  agree {sum(x == y for x, y in zip(ev_a, ev_b)) / len(rows):.3f}")
        ka = [labs[0][1].kind for _, labs in rows]
        kb = [labs[1][1].kind for _, labs in rows]
        print(f"  kind              kappa {kappa(ka, kb):.3f}  agree {sum(x == y for x, y in zip(ka, kb)) / len(rows):.3f}")
        print(f"  {'item':28s} {'n_a':>4s} {'n_b':>4s} {'both':>5s} kappa")
        for it in items:
            a = [it in labs[0][1].items for _, labs in rows]
            b = [it in labs[1][1].items for _, labs in rows]
            print(f"  {it:28s} {sum(a):4d} {sum(b):4d} {sum(x and y for x, y in zip(a, b)):5d} {kappa(a, b):.3f}")
    if args.disagreements:
        out = here / "disagreements"
        out.mkdir(exist_ok=True)
        for old in out.glob("*.md"):
            old.unlink()
        rows = []
        for sid in sents:
            if sid not in pairs:
                continue
            (_, a), (_, b) = pairs[sid]
            fields = []
            for it in sorted(a.items ^ b.items):
                fields.append(f"item:{it}")
            if a.kind != b.kind:
                fields.append(f"kind ({a.kind} / {b.kind})")
            if a.veto != b.veto:
                fields.append(f"veto ({a.veto} / {b.veto})")
            if fields:
                rows.append((sid, fields))
        chunk = 150
        for n, k in enumerate(range(0, len(rows), chunk), 1):
            lines = ["# Third reading: decide each field in dispute", ""]
            part = rows[k : k + chunk]
            for sid, fields in part:
                s = sents[sid]
                i = int(s["index"])
                prev = sents.get(f"{s['source']}#{i - 1}", {}).get("text", "")
                lines += [f"## {sid} (rubric {s['rubric']}; text: {s['title'] or s['source']})",
                          f"- before: {prev[:160]}", f"- sentence: {s['text']}", f"- in dispute: {'; '.join(fields)}", ""]
            (out / f"d{n:02d}.md").write_text("\n".join(lines), encoding="utf-8")
        print(f"\n{len(rows)} sentences in dispute, written to {out}/")


if __name__ == "__main__":
    main()
