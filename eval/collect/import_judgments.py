#!/usr/bin/env python3
"""Append a judging folder's verdicts to eval/evidence_judgments_fresh.tsv and copy the folder to
eval/judging_<split>.

    .venv/bin/python eval/collect/import_judgments.py JUDGING_DIR fresh14 J19 J20

Every judge must have judged every quote, 1 or 0, and no (quote, judge) may be on record already;
everything is checked before anything is written, so nothing is written otherwise.
"""
import shutil
import sys
from pathlib import Path

from tsvio import fail, read_rows  # beside this script

MAIN = Path(__file__).resolve().parents[2]
RECORD = MAIN / "eval" / "evidence_judgments_fresh.tsv"


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        fail("usage: import_judgments.py JUDGING_DIR SPLIT JUDGE...")
    d, split, judges = Path(argv[0]), argv[1], argv[2:]
    files = ["BRIEF.md", "quotes.tsv", "quote_map.tsv"] + [f"judge_{j.lower()}.tsv" for j in judges]
    for name in files:
        if not (d / name).is_file():
            fail(f"{d / name}: missing")
    qmap = {r["qid"]: r for r in read_rows(d / "quote_map.tsv", ("qid", "key", "rubric", "criterion", "name", "quote"))}
    on_record = {(r["key"], r["judge"]) for r in read_rows(RECORD, ("key", "judge"))}
    out = []
    for j in judges:
        path = d / f"judge_{j.lower()}.tsv"
        rows = {r["qid"]: r for r in read_rows(path, ("qid", "supports"))}
        missing = sorted(set(qmap) - set(rows))
        if missing:
            fail(f"{path}: {len(missing)} quotes unjudged ({', '.join(missing[:5])})")
        for qid, m in qmap.items():
            v = (rows[qid]["supports"] or "").strip()
            if v not in ("0", "1"):
                fail(f"{path}: {qid}: supports {v!r}, not 1 or 0")
            if (m["key"], j) in on_record:
                fail(f"{RECORD}: {j} on {qid} is on record already (imported before?)")
            out.append([m["key"], m["rubric"], m["criterion"], m["name"], v, j, m["quote"]])
    with RECORD.open("a", encoding="utf-8") as f:
        for r in out:
            f.write("\t".join(r) + "\n")
    dest = MAIN / "eval" / f"judging_{split}"
    dest.mkdir(exist_ok=True)
    for name in files:
        shutil.copy(d / name, dest / name)
    print(f"{len(out)} verdicts appended; {dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
