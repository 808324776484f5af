"""Cut the evaluation corpus and the seeds into sentence batches for blind annotation.

    python eval/annotation/make_batches.py            # writes sentences.tsv and batches/*.md

Every sentence civscore's segmenter finds in the normalized text of each text is listed
once, with the rubric civscore chooses for that text (court or general), its offsets and
a key (the sentence without punctuation or spaces) that training uses to find it again.
A batch keeps whole texts together, in reading order, so an annotator knows whose action
a sentence describes. Annotators get only the batch, ANNOTATION.md and the items' names
and requirements: never a score, a level, a matcher or a quote the tool chose.
"""

from __future__ import annotations

import csv
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

HERE = Path(__file__).resolve().parent
TARGET = 170
# The texts the judge is trained on. A held-out set collected after the judge was frozen is
# annotated into a folder of its own (--split fresh3 --out eval/annotation_fresh3), to measure
# recall, never to train.
TRAINING_SPLITS = {"tune", "heldout", "fresh", "fresh2", "seed"}  # sentences a batch, about (whole texts are never split, except a seed)


def texts(splits: set[str]):
    """(source id, path, split) for every text of these splits: the eval corpus, then the seeds."""
    with (ROOT / "eval" / "sources.tsv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["split"] in splits:
                yield row["file"], ROOT / "eval" / "corpus" / row["file"], row["split"]
    if "seed" in splits:
        for p in sorted((ROOT / "seeds").glob("*.txt")):
            yield "seed/" + p.name, p, "seed"


def items_of(rubric) -> list[tuple[str, str, str]]:
    """(id, name, requirement) of every scored item: criteria, then bonus items."""
    out = []
    for d in rubric.dimensions:
        for c in d.criteria:
            out.append((c.id, c.name, c.full or c.hint or ""))
    for b in rubric.bonus.items if rubric.bonus else []:
        out.append((b.id, b.name, getattr(b, "full", "") or b.hint or ""))
    return out


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--split", action="append", help="the splits to cut (default: the training texts)")
    ap.add_argument("--out", type=Path, default=HERE, help="the annotation folder to write")
    args = ap.parse_args()
    splits = set(args.split) if args.split else TRAINING_SPLITS
    here = args.out.resolve()
    here.mkdir(parents=True, exist_ok=True)
    from scorer.engine import RubricChooser
    from scorer.ingest import load_document
    from scorer.segment import segment

    chooser = RubricChooser()
    rows = []
    for sid, path, split in texts(splits):
        doc = load_document(path)
        scorer, _ = chooser.choose(doc)
        seg = segment(doc.text)
        title = doc.meta.title or ""
        for s in seg.sentences:
            rows.append({
                "sid": f"{sid}#{s.index}", "source": sid, "split": split, "rubric": scorer.rubric.id,
                "rubric_sha256": scorer.loaded.sha256[:16], "title": title, "index": s.index,
                "start": s.start, "end": s.end, "paragraph": s.paragraph, "heading": int(s.is_heading),
                "key": hashlib.sha1(s.key.encode()).hexdigest()[:12], "text": s.text.replace("\t", " "),
            })
    fields = list(rows[0])
    with (here / "sentences.tsv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fields, delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)

    # Items per rubric, as annotators see them.
    for s in (*chooser.claimed, chooser.fallback):
        r = s.rubric
        lines = [f"# Items of the `{r.id}` rubric ({r.title})", "",
                 "Label a sentence with an item id only when a reviewer would accept the sentence, on its own, "
                 "as this unit's own evidence for that item.", ""]
        for iid, name, req in items_of(r):
            lines.append(f"- `{iid}` {name}: {req}")
        vetoes = [f"`{v.id}` {v.name}" for v in r.vetoes]
        lines += ["", "Veto events (label the veto column): " + "; ".join(vetoes), ""]
        (here / f"items_{r.id}.md").write_text("\n".join(lines), encoding="utf-8")

    # Batches: texts of one rubric together, whole, in order; a seed is cut in parts.
    out = here / "batches"
    out.mkdir(exist_ok=True)
    for old in out.glob("*.md"):
        old.unlink()
    by_text: dict[str, list[dict]] = {}
    for r in rows:
        by_text.setdefault(r["source"], []).append(r)
    batches: list[tuple[str, list[list[dict]]]] = []
    for rubric_id in ("court", "general"):
        cur: list[list[dict]] = []
        n = 0
        for src, sents in by_text.items():
            if sents[0]["rubric"] != rubric_id:
                continue
            parts = [sents[i:i + TARGET] for i in range(0, len(sents), TARGET)] if len(sents) > TARGET else [sents]
            for part in parts:
                if n and n + len(part) > TARGET * 1.25:
                    batches.append((rubric_id, cur))
                    cur, n = [], 0
                cur.append(part)
                n += len(part)
        if cur:
            batches.append((rubric_id, cur))
    prefix = "b" if here == HERE else "f"
    for i, (rubric_id, parts) in enumerate(batches, 1):
        name = f"{prefix}{i:02d}"
        lines = [f"# Batch {name}: rubric `{rubric_id}` (items in items_{rubric_id}.md)", ""]
        for part in parts:
            first = part[0]
            cont = " (continued)" if first["index"] else ""
            lines += [f"## Text {first['source']}{cont}: {first['title'] or '(no title)'}", ""]
            for r in part:
                h = " [heading]" if r["heading"] == 1 else ""
                lines.append(f"{r['sid']}\t{r['text']}{h}")
            lines.append("")
        (out / f"{name}.md").write_text("\n".join(lines), encoding="utf-8")
        print(name, rubric_id, sum(len(p) for p in parts), "sentences", len(parts), "texts")


if __name__ == "__main__":
    main()
