"""Agreement with blind readers on the evaluation corpus (eval/), against two baselines.

    python bench/eval_corpus.py                 # the held-out set fresh2 (what the note reports)
    python bench/eval_corpus.py --split pool    # the 124 texts that changes may be tuned on
    python bench/eval_corpus.py --split pool --per-text

Prints, for the chosen half: Spearman of the totals and of every dimension against
the mean of the two readings; the readers' agreement with each other; and the same
figures for two baselines computed from the same rubric the tool chose for the text:
  - `terms`: how many distinct rubric terms the text contains,
  - `occurrences`: how many times rubric terms occur in it.
Veto agreement is printed as a confusion count. With `--evidence`, it also prints
the precision of the quotes each criterion shows (the two strongest, as on the
scorecard) against the blind judgements in eval/evidence_judgments.tsv, and can
export the pairs nobody has judged yet (`--export-unjudged FILE`).

Nothing here tunes anything: it only reads the corpus, scores it and compares.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EVAL = ROOT / "eval"
DIMENSIONS = ("leadership", "culture", "education", "volunteer", "judicial")
# Which rows of sources.tsv each --split names. `fresh2` (texts 125-172, readers I and J) is
# the held-out set no change was tuned on. Earlier held-out sets were each measured once and
# then spent: the first `heldout` half (readers A and B) in the session that built it, and
# `fresh` (073-124, readers C and D) by build 9855502; with `tune` they form the `pool` that
# later changes were tuned on.
SPLITS = {
    "fresh17": {"fresh17"},
    "fresh18": {"fresh18"},
    "fresh19": {"fresh19"},
    "fresh16": {"fresh16"},
    "fresh15": {"fresh15"},
    "fresh14": {"fresh14"},
    "fresh13": {"fresh13"},
    "fresh12": {"fresh12"},
    "fresh11": {"fresh11"},
    "fresh10": {"fresh10"},
    "fresh9": {"fresh9"},
    "fresh8": {"fresh8"},
    "fresh7": {"fresh7"},
    "fresh6": {"fresh6"},
    "fresh5": {"fresh5"},
    "fresh4": {"fresh4"},
    "fresh3": {"fresh3"},
    "fresh2": {"fresh2"},
    "pool": {"tune", "heldout", "fresh", "fresh2"},
    "fresh": {"fresh"},
    "pool72": {"tune", "heldout"},
    "tune": {"tune"},
    "heldout": {"heldout"},
    "annotated": {"tune", "heldout", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7", "fresh8",
                  "fresh9", "fresh10", "fresh11", "fresh12", "fresh13", "fresh14", "fresh15", "fresh16",
                  "fresh17", "fresh18", "fresh19"},
    "all": {"tune", "heldout", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7", "fresh8", "fresh9",
            "fresh10", "fresh11", "fresh12", "fresh13", "fresh14", "fresh15", "fresh16", "fresh17",
            "fresh18", "fresh19"},
    "all262": {"tune", "heldout", "fresh", "fresh2", "fresh3", "fresh4"},
}


def read_tsv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def read_readings(folder: Path) -> dict[str, list[dict]]:
    """file → the readings of it (one per reader file), numbers as floats."""
    out: dict[str, list[dict]] = defaultdict(list)
    for p in sorted(folder.glob("reader_*.csv")):
        with p.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                out[row["file"].strip()].append({k: float(v) for k, v in row.items() if k != "file"})
    return out


def spearman(x, y) -> float:
    from scipy.stats import spearmanr

    if len(x) < 3 or len(set(x)) < 2 or len(set(y)) < 2:
        return float("nan")
    return float(spearmanr(x, y).statistic)


def read_dimension_map() -> dict[tuple[str, str], str]:
    """(rubric id, dimension id) → the reading dimension of the same meaning (eval/dimensions.tsv).

    The readers rate the protocol's five dimensions; the general rubric names and orders
    its own (organization, morality, …), so they are paired by meaning, not by position."""
    return {(r["rubric"], r["dimension"]): r["reading"] for r in read_tsv(EVAL / "dimensions.tsv")}


def rubric_terms(rubric, dim_map) -> dict[str, set[str]]:
    """reading dimension (and '*' for all) → every surface form of the rubric's terms there.

    Criteria and bonus items count; vetoes do not (a baseline counts what earns credit)."""
    from scorer.rubric.walk import owners

    out: dict[str, set[str]] = defaultdict(set)
    for o in owners(rubric):
        if o.kind == "veto":
            continue
        surfaces = {s for m in o.matchers for _, terms in m.term_lists() for t in terms for s in t.surfaces}
        out["*"] |= surfaces
        if o.dimension is not None:
            out[dim_map[(rubric.id, o.dimension.id)]] |= surfaces
    return out


def baseline_counts(text: str, terms: set[str]) -> tuple[int, int]:
    present = [t for t in terms if t in text]
    return len(present), sum(text.count(t) for t in present)


def bootstrap_difference(table: list[dict], n: int = 2000) -> tuple[float, float]:
    """95 % interval of Spearman(civscore) − Spearman(terms) over texts resampled with replacement."""
    import random

    rng = random.Random(20261206)
    diffs = []
    for _ in range(n):
        sample = [table[rng.randrange(len(table))] for _ in table]
        d = spearman([r["tool"] for r in sample], [r["mean"] for r in sample]) - \
            spearman([r["terms"] for r in sample], [r["mean"] for r in sample])
        if d == d:
            diffs.append(d)
    diffs.sort()
    return diffs[int(0.025 * len(diffs))], diffs[int(0.975 * len(diffs)) - 1]


# Every annotated round (eval/ANNOTATION.md): the sentence gold of --sentence-gold. The shipped
# judges were trained on the first (TRAINED_ON); --cv-train names what the fold judges learn from.
ANNOTATIONS = [EVAL / "annotation", EVAL / "annotation_fresh3", EVAL / "annotation_fresh4", EVAL / "annotation_fresh5",
               EVAL / "annotation_fresh6", EVAL / "annotation_train7", EVAL / "annotation_train8",
               EVAL / "annotation_train9", EVAL / "annotation_fresh7", EVAL / "annotation_fresh8",
               EVAL / "annotation_fresh9", EVAL / "annotation_fresh10",
               EVAL / "annotation_fresh11", EVAL / "annotation_fresh12", EVAL / "annotation_fresh13",
               EVAL / "annotation_train10", EVAL / "annotation_fresh14",
               EVAL / "annotation_fresh15", EVAL / "annotation_fresh16",
               EVAL / "annotation_fresh17", EVAL / "annotation_fresh18",
               EVAL / "annotation_fresh19"]
TRAINED_ON = [EVAL / "annotation"]


def cv_judges(chooser, training: list[Path] = TRAINED_ON) -> dict[str, dict[str, object]]:
    """rubric id → text file → the judge trained without that text's fold (scorer.judge.train.folds)."""
    from scorer.judge import train as T
    from scorer.score import CompiledRubric

    out: dict[str, dict[str, object]] = {}
    for scorer in (*chooser.claimed, chooser.fallback):
        class _Trainee:
            pass

        t = _Trainee()
        t.loaded, t.rubric = scorer.loaded, scorer.rubric
        t.compiled = CompiledRubric(scorer.loaded, with_judge=False)
        ts = T.build_set(t, training, ROOT)
        p = T.Params(**{k: v for k, v in scorer.compiled.judge_model.meta.get("params", {}).items()
                        if k in T.Params.__dataclass_fields__})
        per_text: dict[str, object] = {}
        cache = None
        if os.environ.get("CIVSCORE_CV_CACHE"):  # fold judges kept between runs (same data, same params)
            key = hashlib.sha256(f"{ts.digest}{ts.rubric_sha256}{p}".encode()).hexdigest()[:16]
            cache = Path(os.environ["CIVSCORE_CV_CACHE"]) / f"{scorer.rubric.id}-{key}.pkl"
            if cache.exists():
                import pickle

                out[scorer.rubric.id] = pickle.loads(cache.read_bytes())
                continue
        from scorer.judge.material import corpus_kinds, material_rows, train_material

        kinds = corpus_kinds(ROOT)
        for fold in T.folds(ts):
            kept = [x for i, x in enumerate(ts.texts) if i not in set(fold)]
            model = T.fit(ts, kept, p, {"params": {"candidates": p.candidates}})
            # The material judgement too, learned without the fold's texts (its threshold by its own
            # cross-validation inside the rest), as `civscore train` makes it.
            model.material, _figures, _why = train_material(model.space, material_rows(kept, kinds), p.material_C)
            for i in fold:
                per_text[ts.texts[i].source] = model
        out[scorer.rubric.id] = per_text
        if cache is not None:
            import pickle

            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_bytes(pickle.dumps(per_text))
        print(f"cv: {len(T.folds(ts))} fold judges for {scorer.rubric.id}", file=sys.stderr)
    return out


def with_judge(scorer, model) -> None:
    """Score with this judge (a fold's) instead of the shipped one."""
    if model is not None:
        scorer.compiled.judge_model = model


def sentence_gold(folders: list[Path]) -> dict[str, dict[int, set[str]]]:
    """file → sentence index → the items the annotation finds it evidences (gold ≥ 0.5)."""
    from scorer.judge.train import gold_labels

    gold = {}
    for folder in folders:
        gold.update(gold_labels(folder))
    out: dict[str, dict[int, set[str]]] = defaultdict(dict)
    for sid, (items, _kind, _veto) in gold.items():
        src, _, idx = sid.rpartition("#")
        out[src][int(idx)] = {i for i, v in items.items() if v >= 0.5}
    return out


def add_gold_figures(stats: dict, res, file: str, gold) -> None:
    from scorer.segment import segment

    if file not in gold:
        return
    starts = {s.start: s.index for s in segment(res.text).sentences}
    g = gold[file]
    crits = [c for d in res.dimensions for c in d.criteria] + list(res.bonus.items)
    for c in crits:
        shown = c.shown()
        stats["shown"] += len(shown)
        stats["good"] += sum(c.id in g.get(starts.get(e.start, -1), set()) for e in shown)
        if any(c.id in items for items in g.values()):
            stats["evidenced"] += 1
            stats["covered"] += bool(shown)


def reading_record(s: dict, res, two: list[dict], tc: dict[str, set[str]], dim_map, rid: str) -> dict:
    """One text's row of the agreement table: the tool's, the two readers' and the term counts'
    totals and dimensions."""
    r1, r2 = two
    rec = {
        "file": s["file"], "kind": s["kind"], "rubric": rid,
        "tool": res.total, "a": r1["total"], "b": r2["total"], "mean": (r1["total"] + r2["total"]) / 2,
        "veto_tool": int(res.vetoed), "veto_read": int(r1["veto"] + r2["veto"] >= 1),
    }
    rec["terms"], rec["occ"] = baseline_counts(res.text, tc["*"])
    by_reading = {dim_map[(rid, dim.id)]: dim.score for dim in res.dimensions}
    for d in DIMENSIONS:
        rec[f"tool_{d}"] = by_reading[d]
        rec[f"mean_{d}"] = (r1[d] + r2[d]) / 2
        rec[f"a_{d}"], rec[f"b_{d}"] = r1[d], r2[d]
        rec[f"terms_{d}"], rec[f"occ_{d}"] = baseline_counts(res.text, tc.get(d, set()))
    return rec


def pair_key(rubric_id: str, criterion_id: str, quote: str) -> str:
    return hashlib.sha256(f"{rubric_id}\t{criterion_id}\t{quote}".encode()).hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="fresh3", choices=SPLITS)
    ap.add_argument("--per-text", action="store_true", help="print every text's figures")
    ap.add_argument("--evidence", action="store_true", help="also measure the precision of shown quotes")
    ap.add_argument("--export-unjudged", type=Path, help="write the shown (criterion, quote) pairs nobody judged yet")
    ap.add_argument("--cv", action="store_true",
                    help="score each annotated text with a sentence judge trained without its fold (grouped by "
                         "text, each seed left out): the development figure for texts the judge was trained on")
    ap.add_argument("--cv-train", type=Path, action="append",
                    help="with --cv: an annotation folder the fold judges learn from (repeatable; default: "
                         "eval/annotation, what the shipped judges were trained on)")
    ap.add_argument("--sentence-gold", action="store_true",
                    help="also print shown-quote precision and item recall against the sentence annotations")
    args = ap.parse_args(argv)

    from scorer.engine import RubricChooser
    from scorer.ingest import load_document

    chooser = RubricChooser()  # the rubric by unit kind, as `civscore score` does without --rubric
    fold_judges = cv_judges(chooser, args.cv_train or TRAINED_ON) if args.cv else None
    gold = sentence_gold(ANNOTATIONS) if args.sentence_gold else None
    gold_stats = {"shown": 0, "good": 0.0, "evidenced": 0, "covered": 0}
    dim_map = read_dimension_map()

    sources = read_tsv(EVAL / "sources.tsv")
    readings = read_readings(EVAL / "readings")
    rows = [s for s in sources if s["split"] in SPLITS[args.split]]
    # The quotes to judge need no reading (judges see only the item, its requirement and the quote):
    # with --export-unjudged a text without its two readings is scored for its quotes alone.
    rows = [s for s in rows if len(readings.get(s["file"], [])) >= 2 or args.export_unjudged]
    if not rows:
        print("no texts with two readings in this split")
        return 1

    terms_cache: dict[str, dict[str, set[str]]] = {}
    judged: dict[str, float] = {}
    jpath = EVAL / "evidence_judgments.tsv"
    if jpath.exists():
        for r in read_tsv(jpath):
            judged[r["key"]] = int(r["supports"])
    # Fresh pairs: two judges each (one row per pair and judge).
    by_judge: dict[str, dict[str, int]] = defaultdict(dict)
    fpath = EVAL / "evidence_judgments_fresh.tsv"
    if fpath.exists():
        for r in read_tsv(fpath):
            by_judge[r["judge"]][r["key"]] = int(r["supports"])
    for key in set().union(*by_judge.values()) if by_judge else ():
        labels = [j[key] for j in by_judge.values() if key in j]
        judged.setdefault(key, sum(labels) / len(labels))  # the share of its judges who say it supports
    shown_pairs: list[dict] = []

    table = []
    for s in rows:
        doc = load_document(EVAL / "corpus" / s["file"])
        scorer, _why = chooser.choose(doc)
        if fold_judges is not None:
            with_judge(scorer, fold_judges[scorer.rubric.id].get(s["file"]))
        res = chooser.score_document(doc)
        if gold is not None:
            add_gold_figures(gold_stats, res, s["file"], gold)
        rid = res.rubric.id
        if rid not in terms_cache:
            terms_cache[rid] = rubric_terms(scorer.rubric, dim_map)
        tc = terms_cache[rid]
        if len(readings.get(s["file"], [])) >= 2:  # else --export-unjudged only: its quotes, below
            table.append(reading_record(s, res, readings[s["file"]][:2], tc, dim_map, rid))
        if args.evidence or args.export_unjudged:
            # Every quote a scorecard shows: the criteria's and the 特色工作 items'.
            for c in [c for dim in res.dimensions for c in dim.criteria] + list(res.bonus.items):
                for e in c.shown():
                    key = pair_key(rid, c.id, e.text)
                    shown_pairs.append({
                        "key": key, "file": s["file"], "kind": s["kind"], "rubric": rid, "criterion": c.id,
                        "name": c.name, "quote": e.text, "judged": judged.get(key),
                    })

    if not table:  # --export-unjudged of a split not read yet: its quotes only
        write_unjudged(shown_pairs, args.export_unjudged)
        return 0

    def col(name):
        return [r[name] for r in table]

    n = len(table)
    kinds = defaultdict(int)
    for r in table:
        kinds[r["kind"]] += 1
    print(f"evaluation corpus, split={args.split}: {n} texts ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})")
    print()
    print(f"{'Spearman vs mean reading':<26}{'civscore':>10}{'terms':>10}{'occurr.':>10}{'readers':>10}")
    line = f"{'total':<26}{spearman(col('tool'), col('mean')):>10.3f}{spearman(col('terms'), col('mean')):>10.3f}"
    line += f"{spearman(col('occ'), col('mean')):>10.3f}{spearman(col('a'), col('b')):>10.3f}"
    print(line)
    for d in DIMENSIONS:
        line = f"{d:<26}{spearman(col(f'tool_{d}'), col(f'mean_{d}')):>10.3f}"
        line += f"{spearman(col(f'terms_{d}'), col(f'mean_{d}')):>10.3f}{spearman(col(f'occ_{d}'), col(f'mean_{d}')):>10.3f}"
        line += f"{spearman(col(f'a_{d}'), col(f'b_{d}')):>10.3f}"
        print(line)
    for kind in ("court", "other"):
        part = [r for r in table if r["kind"] == kind]
        if len(part) >= 3:
            print(f"{'total, ' + kind + ' texts (' + str(len(part)) + ')':<26}"
                  f"{spearman([r['tool'] for r in part], [r['mean'] for r in part]):>10.3f}"
                  f"{spearman([r['terms'] for r in part], [r['mean'] for r in part]):>10.3f}"
                  f"{spearman([r['occ'] for r in part], [r['mean'] for r in part]):>10.3f}"
                  f"{spearman([r['a'] for r in part], [r['b'] for r in part]):>10.3f}")
    lo, hi = bootstrap_difference(table)
    print(f"civscore − terms on totals: {spearman(col('tool'), col('mean')) - spearman(col('terms'), col('mean')):+.3f} "
          f"(paired bootstrap 95 % interval {lo:+.3f} … {hi:+.3f})")
    tp = sum(1 for r in table if r["veto_tool"] and r["veto_read"])
    fp = sum(1 for r in table if r["veto_tool"] and not r["veto_read"])
    fn = sum(1 for r in table if not r["veto_tool"] and r["veto_read"])
    print(f"\nveto: both {tp}, tool only {fp}, readers only {fn}")
    neg = [r for r in table if r["kind"] == "negative"]
    if neg:
        print(f"hard negatives: tool total ≤ 10 on {sum(1 for r in neg if r['tool'] <= 10)} of {len(neg)}")
        if args.evidence:
            print(f"hard negatives: {sum(1 for p in shown_pairs if p['kind'] == 'negative')} shown quotes in all")
    if gold is not None:
        g = gold_stats
        print(f"\nagainst the sentence annotations: shown quotes {g['shown']}, precision "
              f"{g['good'] / max(1, g['shown']):.1%}; items evidenced {g['evidenced']}, with a shown quote "
              f"{g['covered'] / max(1, g['evidenced']):.1%}")
    if args.per_text:
        print(f"\n{'file':<10}{'kind':<10}{'rubric':<9}{'tool':>7}{'mean':>7}{'terms':>7}")
        for r in sorted(table, key=lambda r: -r["mean"]):
            print(f"{r['file']:<10}{r['kind']:<10}{r['rubric']:<9}{r['tool']:>7.1f}{r['mean']:>7.1f}{r['terms']:>7}")
    if args.evidence:
        known = [p for p in shown_pairs if p["judged"] is not None]
        good = sum(p["judged"] for p in known)
        prec = good / len(known) if known else float("nan")
        print(f"\nshown quotes: {len(shown_pairs)}, judged {len(known)}, supporting {good:g}: precision {prec:.1%}")
        keys = {p["key"] for p in shown_pairs}
        if any(k in j for j in by_judge.values() for k in keys):
            print("  (a quote judged by several judges counts as the share of them who say it supports)")
            for j in sorted(by_judge):
                mine = [by_judge[j][k] for k in keys if k in by_judge[j]]
                if mine:
                    print(f"  judge {j}: {sum(mine)} of {len(mine)} supporting ({sum(mine) / len(mine):.1%})")
            multi = [k for k in keys if sum(k in j for j in by_judge.values()) >= 2]
            agree = sum(len({j[k] for j in by_judge.values() if k in j}) == 1 for k in multi)
            if multi:
                print(f"  judges agree on {agree} of {len(multi)} quotes judged twice or more ({agree / len(multi):.1%})")
    if args.export_unjudged:
        write_unjudged(shown_pairs, args.export_unjudged)
    return 0


def write_unjudged(shown_pairs: list[dict], path: Path) -> None:
    todo = {p["key"]: p for p in shown_pairs if p["judged"] is None}
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t")
        w.writerow(["key", "rubric", "criterion", "name", "quote"])
        for p in todo.values():
            w.writerow([p["key"], p["rubric"], p["criterion"], p["name"], p["quote"]])
    print(f"{len(todo)} unjudged pairs written to {path}")


if __name__ == "__main__":
    raise SystemExit(main())
