#!/usr/bin/env python3
"""Check candidate texts for a fresh civscore evaluation set (or a training round).

    .venv/bin/python eval/collect/check.py COLLECT/fresh14/A            # one collector's folder
    TRAIN=1 .venv/bin/python eval/collect/check.py COLLECT/train10/T1   # a training round

A folder holds meta.tsv (tab-separated UTF-8, header: id kind subkind unit url title) and one
<id>.txt per row. Each candidate is checked: its address is not in eval/sources.tsv, the veto
sets or the reserved sources (../shared/reserved-sources.txt; CIVSCORE_RESERVED names another
file), nor another candidate's of this round; the text is UTF-8 and has >= 150 Chinese
characters; it shares < 6 % of its character 8-grams with any earlier text, seed, veto sentence
or other candidate of this round (this folder's and every folder beside it), counted on the
normalized text (繁體 converted to simplified, as civscore reads it, so a 繁體 copy of a used page
is caught); its unit is new (a held-out round: not in the corpus nor twice in the round) or, with
TRAIN=1, used at most twice in the corpus and the round together.
Prints OK or the problems, one line per candidate; a folder that cannot be read ends in one line
naming the file and the problem (exit 2).
"""
import os
import re
import sys
from collections import Counter
from pathlib import Path

MAIN = Path(__file__).resolve().parents[2]  # the repository
sys.path.insert(0, str(MAIN))
from tsvio import fail, read_rows  # noqa: E402  (beside this script)

RESERVED = Path(os.environ.get("CIVSCORE_RESERVED", MAIN.parent / "shared" / "reserved-sources.txt"))
COLUMNS = ("id", "kind", "subkind", "unit", "url", "title")
HAN = re.compile(r"[\u3400-\u9fff]")
MIN_HAN, MAX_SHARED = 150, 0.06


def norm_url(u: str) -> str:
    u = re.sub(r"^https?://", "", u.strip().lower())
    return re.sub(r"^www\.", "", u).rstrip("/")


def grams(text: str, n: int = 8) -> set[str]:
    from scorer.ingest.normalize import normalize  # OpenCC t2s and civscore's clean-up, loaded once

    s = "".join(HAN.findall(normalize(text).text))
    return {s[i:i + n] for i in range(len(s) - n + 1)}


def read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None


def read_meta(folder: Path) -> list[dict]:
    return read_rows(folder / "meta.tsv", COLUMNS)


def corpus() -> tuple[set[str], Counter, dict[str, set[str]]]:
    """Used addresses, how often each unit is in the corpus, and every earlier text's 8-grams."""
    urls, units, earlier = set(), Counter(), {}
    for r in read_rows(MAIN / "eval" / "sources.tsv", ("file", "unit", "url")):
        urls.add(norm_url(r["url"]))
        if r["unit"].strip() not in ("", "-"):
            units[r["unit"].strip()] += 1
    for p in (MAIN / "eval").glob("*vetoes*/*"):
        if p.is_file():
            urls.update(norm_url(u) for u in re.findall(r"https?://[^\s|)\"'<>]+", p.read_text(encoding="utf-8")))
    for p in sorted((MAIN / "eval" / "corpus").glob("*.txt")):
        earlier["corpus/" + p.name] = grams(p.read_text(encoding="utf-8"))
    for p in sorted((MAIN / "seeds").glob("*.txt")):
        earlier["seed/" + p.name] = grams(p.read_text(encoding="utf-8"))
    for p in (MAIN / "eval").glob("*vetoes*/sentences.tsv"):
        for r in read_rows(p, ("id", "sentence")):
            g = grams(r.get("sentence") or "")
            if g:
                earlier[f"{p.parent.name}/{r['id']}"] = g
    return urls, units, earlier


def reserved() -> set[str]:
    try:
        lines = RESERVED.read_text(encoding="utf-8").splitlines()
    except (UnicodeDecodeError, OSError):
        fail(f"{RESERVED}: the reserved addresses cannot be read (CIVSCORE_RESERVED names the file)")
    return {norm_url(x) for x in lines if x.strip() and not x.startswith("#")}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        fail("usage: check.py FOLDER  (a collector's folder: meta.tsv and <id>.txt)")
    folder = Path(argv[0]).resolve()
    if not folder.is_dir():
        fail(f"{folder}: no such folder")
    train = bool(os.environ.get("TRAIN"))
    rows = read_meta(folder)
    kept = reserved()
    urls, units, earlier = corpus()
    # Every candidate of the round, this folder's included: its 8-grams, address and unit.
    others, round_urls, round_units = {}, Counter(), Counter()
    for sib in sorted(p for p in folder.parent.iterdir() if p.is_dir() and (p / "meta.tsv").exists()):
        try:
            sib_rows = read_meta(sib) if sib != folder else rows
        except SystemExit:
            print(f"warning: {sib}/meta.tsv cannot be read; its texts are not compared", file=sys.stderr)
            continue
        for r in sib_rows:
            round_urls[norm_url(r["url"] or "")] += 1
            if (r["unit"] or "").strip() not in ("", "-"):
                round_units[r["unit"].strip()] += 1
            text = read_text(sib / f"{r['id']}.txt")
            if text is not None:
                others[f"{sib.name}/{r['id']}"] = grams(text)
    compared = list(earlier.items()) + list(others.items())
    bad = 0
    for r in rows:
        probs = [f"empty column {c}" for c in COLUMNS if not (r.get(c) or "").strip()]
        if r.get("kind") not in ("court", "other", "negative"):
            probs.append(f"kind {r.get('kind')!r} is not court/other/negative")
        u = norm_url(r.get("url") or "")
        if any(u.startswith(x) for x in kept):
            probs.append("RESERVED source: remove it and forget it")
        elif u in urls:
            probs.append("address already used")
        elif round_urls[u] > 1:
            probs.append("address twice in this round")
        unit = (r.get("unit") or "").strip()
        if unit not in ("", "-"):
            if train and units[unit] + round_units[unit] > 2:
                probs.append(f"unit {unit} would be in the corpus {units[unit] + round_units[unit]} times (at most 2)")
            elif not train and units[unit]:
                probs.append(f"unit {unit} already in the corpus")
            elif not train and round_units[unit] > 1:
                probs.append(f"unit {unit} twice in this round")
        path = folder / f"{r['id']}.txt"
        text = read_text(path)
        if text is None:
            probs.append(f"{path.name} missing or not UTF-8 text")
        else:
            n = len(HAN.findall(text))
            if n < MIN_HAN:
                probs.append(f"only {n} Chinese characters (need >= {MIN_HAN})")
            me = f"{folder.name}/{r['id']}"
            g = others.get(me) or set()
            if g:
                share, name = max(((len(g & h) / len(g), k) for k, h in compared if k != me), default=(0.0, ""))
                if share >= MAX_SHARED:
                    probs.append(f"shares {share:.0%} of its 8-grams with {name}")
        bad += bool(probs)
        print(f"{r.get('id')}: " + ("OK" if not probs else "; ".join(probs)))
    print(f"{len(rows)} candidates, {len(rows) - bad} OK")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
