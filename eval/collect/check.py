#!/usr/bin/env python3
"""Check candidate texts for a fresh civscore evaluation set (or a training round).

    python eval/collect/check.py COLLECT/fresh14/A            # one collector's folder
    TRAIN=1 python eval/collect/check.py COLLECT/train10/T1   # a training round: units may recur

A folder holds meta.tsv (tab-separated, header: id kind subkind unit url title) and one
<id>.txt per row. Checks each candidate: the address is not in eval/sources.tsv, the veto
sets or ../shared/reserved-sources.txt; the text has >= 150 Chinese characters; it shares
< 6 % of its character 8-grams with any earlier text, seed, veto sentence or another
candidate of this round (this folder's and every folder beside it); its unit is not already used
(not asked with TRAIN=1).
Prints OK or the problems, one line per candidate.
"""
import csv, os, re, sys
from pathlib import Path

MAIN = Path(__file__).resolve().parents[2]  # the repository
# The addresses kept for independent checks (never used, nor copies of them); beside the checkout.
RESERVED = Path(os.environ.get("CIVSCORE_RESERVED", MAIN.parent / "shared" / "reserved-sources.txt"))
HAN = re.compile(r"[\u3400-\u9fff]")


def norm_url(u):
    u = u.strip().lower()
    u = re.sub(r"^https?://", "", u)
    u = re.sub(r"^www\.", "", u)
    return u.rstrip("/")


def grams(t, n=8):
    s = "".join(HAN.findall(t))
    return {s[i:i + n] for i in range(len(s) - n + 1)}


def used_urls():
    urls = set()
    with (MAIN / "eval/sources.tsv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            urls.add(norm_url(r["url"]))
    for p in (MAIN / "eval").glob("vetoes*/*"):
        if p.is_file():
            for u in re.findall(r"https?://[^\s|)\"'<>]+", p.read_text(encoding="utf-8", errors="replace")):
                urls.add(norm_url(u))
    reserved = set()
    if not RESERVED.exists():
        sys.exit(f"{RESERVED}: the reserved addresses are missing (set CIVSCORE_RESERVED)")
    for line in RESERVED.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            reserved.add(norm_url(line))
    return urls, reserved


def used_units():
    with (MAIN / "eval/sources.tsv").open(encoding="utf-8") as f:
        return {r["unit"] for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if r["unit"] not in ("-", "")}


def earlier_texts():
    out = {}
    for p in sorted((MAIN / "eval/corpus").glob("*.txt")):
        out["corpus/" + p.name] = grams(p.read_text(encoding="utf-8", errors="replace"))
    for p in sorted((MAIN / "seeds").glob("*.txt")):
        out["seed/" + p.name] = grams(p.read_text(encoding="utf-8", errors="replace"))
    for p in (MAIN / "eval").glob("vetoes*/sentences.tsv"):
        with p.open(encoding="utf-8") as f:
            for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                g = grams(r.get("sentence", ""))
                if g:
                    out[f"{p.parent.name}/{r['id']}"] = g
    return out


def read_meta(folder):
    p = folder / "meta.tsv"
    if not p.exists():
        return []
    with p.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def main():
    folder = Path(sys.argv[1]).resolve()
    rows = read_meta(folder)
    if not rows:
        sys.exit(f"{folder}/meta.tsv: missing or empty (header: id kind subkind unit url title)")
    urls, reserved = used_urls()
    units = used_units()
    earlier = earlier_texts()
    others = {}  # every candidate of this round: this folder's and the other collectors'
    for sib in folder.parent.iterdir():
        if sib.is_dir():
            for r in read_meta(sib):
                t = sib / f"{r['id']}.txt"
                if t.exists():
                    others[f"{sib.name}/{r['id']}"] = grams(t.read_text(encoding="utf-8"))
    seen_units = {}
    bad = 0
    for r in rows:
        probs = []
        for col in ("id", "kind", "subkind", "unit", "url", "title"):
            if not (r.get(col) or "").strip():
                probs.append(f"empty column {col}")
        if r.get("kind") not in ("court", "other", "negative"):
            probs.append(f"kind {r.get('kind')!r} is not court/other/negative")
        u = norm_url(r.get("url") or "")
        if u in reserved or any(u == x or u.startswith(x) for x in reserved):
            probs.append("RESERVED source: remove it and forget it")
        elif u in urls:
            probs.append("address already used")
        unit = (r.get("unit") or "").strip()
        if unit not in ("", "-"):
            if unit in units and not os.environ.get("TRAIN"):
                probs.append(f"unit {unit} already in the corpus")
            if unit in seen_units:
                probs.append(f"unit {unit} twice in this folder ({seen_units[unit]})")
            seen_units[unit] = r["id"]
        t = folder / f"{r['id']}.txt"
        if not t.exists():
            probs.append(f"{t.name} missing")
        else:
            text = t.read_text(encoding="utf-8")
            n = len(HAN.findall(text))
            if n < 150:
                probs.append(f"only {n} Chinese characters (need >= 150)")
            g = grams(text)
            if g:
                me = f"{folder.name}/{r['id']}"
                worst = max(((len(g & h) / len(g), k) for k, h in list(earlier.items()) + list(others.items())
                             if k != me), default=(0, ""))
                if worst[0] >= 0.06:
                    probs.append(f"shares {worst[0]:.0%} of its 8-grams with {worst[1]}")
        bad += bool(probs)
        print(f"{r.get('id')}: " + ("OK" if not probs else "; ".join(probs)))
    print(f"{len(rows)} candidates, {len(rows) - bad} OK")


if __name__ == "__main__":
    main()
