"""Vetoes on a held-out set of real sentences: what the rules raise against blind labels.

    python bench/eval_vetoes.py [--set eval/vetoes] [--rubric auto|court|general] [--show]

The set (eval/vetoes/) holds real sentences quoted from public pages (`sentences.tsv`, each
with its address; a unit's own name may be adapted to 我院, said per row), and two blind
labellings (`labels_A.tsv`, `labels_B.tsv`: `id, veto, family`) made by readers who saw
neither the rules nor any output; `labels_C.tsv`, a third reading, settles the rows where
they disagree. Each sentence is scored as a report of its own under the rubric; a row is
raised when any veto is. With `--rubric auto` (the default) each row is scored by the rubric
of its unit's kind: the first shipped rubric whose `applies_to.unit_names` the sentence or its
note (which keeps the unit's name before adaptation: '…人民法院'->'我院') names, else the
fallback rubric, as the chooser does for a report.

Printed beside the rules: the term baseline, which raises a row when, for some veto rule,
every group of the rule has one of its terms somewhere in the sentence (no clause, order,
negation, `unless` or names): what counting the rubric's terms would flag. `terms` counts the
veto rules' terms (as on every set before vetoes8); `all terms` the terms of the veto's
`candidates` too, the wider lists the learned judgement reads.

Figures: recall on the rows the gold labels as a veto (and on the right veto id), false
vetoes per family of the rows labelled `-`, and the labellers' agreement (Cohen's κ on
veto / no veto).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from scorer.judge.veto import claimant, read_tsv  # noqa: E402
from scorer.judge.veto import veto_gold as gold_labels  # noqa: E402  (id → (veto, family), κ, disagreements)


def term_baseline(compiled, text: str, candidates: bool = False) -> set[str]:
    """The veto ids whose some rule has every group's terms somewhere in the text; with
    `candidates`, the rules the judgement reads (a veto's `candidates`) count too."""
    raised = set()
    for owner in compiled.owners:
        if owner.kind != "veto":
            continue
        for m in (*owner.matchers, *(owner.item.candidates if candidates else ())):
            groups = [{s for t in terms for s in t.surfaces} for _loc, terms in m.term_lists()]
            if groups and all(any(s in text for s in g) for g in groups):
                raised.add(owner.id)
    return raised


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", type=Path, default=ROOT / "eval" / "vetoes")
    ap.add_argument("--rubric", default="auto", help="auto (by the unit each row names), or one rubric for every row")
    ap.add_argument("--show", action="store_true", help="print each row the rules get wrong")
    args = ap.parse_args(argv)

    from scorer.engine import RubricChooser, Scorer

    if args.rubric == "auto":
        scorers = [Scorer(loaded) for loaded in RubricChooser().loaded_rubrics]
    else:
        scorers = [Scorer.load(args.rubric)]
    fallback = next((s for s in scorers if s.loaded.rubric.applies_to and s.loaded.rubric.applies_to.fallback),
                    scorers[-1])

    def scorer_for(row: dict) -> Scorer:
        at = claimant(row["sentence"], row.get("note", ""), [s.loaded.rubric.applies_to for s in scorers])
        return next((s for s in scorers if at is not None and s.loaded.rubric.applies_to is at), fallback)

    rows = {r["id"]: r for r in read_tsv(args.set / "sentences.tsv")}
    kinds: Counter = Counter()
    gold, k, disagree = gold_labels(args.set)

    per_family: dict[str, Counter] = defaultdict(Counter)
    wrong = []
    for i, (veto, family) in sorted(gold.items()):
        text = rows[i]["sentence"]
        scorer = scorer_for(rows[i])
        kinds[scorer.loaded.rubric.id] += 1
        raised = {v.id for v in scorer.score_text(text).vetoes}
        base = term_baseline(scorer.compiled, text)
        wide = term_baseline(scorer.compiled, text, candidates=True)
        c = per_family["veto" if veto != "-" else family]
        c["n"] += 1
        c["rules"] += bool(raised)
        c["rules_right"] += veto in raised
        c["terms"] += bool(base)
        c["terms_right"] += veto in base
        c["wide"] += bool(wide)
        if bool(raised) != (veto != "-"):
            wrong.append((i, veto, sorted(raised), text))

    print(f"veto set {args.set} ({len(rows)} sentences, {len(gold)} with a gold label); rubric {args.rubric}: "
          + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    if k is not None:
        print(f"labellers A and B: κ {k:.3f} on veto / no veto; {disagree} disagreements"
              f"{' (settled by C)' if (args.set / 'labels_C.tsv').exists() else ' (left out: no third reading)'}")
    if len(gold) < len(rows):
        print(f"left out: {len(rows) - len(gold)} rows with no gold label (a disagreement no third reading settles)")
    pos = per_family.get("veto", Counter())
    print()
    print(f"{'rows':<28}{'n':>5}{'civscore':>12}{'terms':>10}{'all terms':>11}")
    if pos["n"]:
        print(f"{'vetoes raised (recall)':<28}{pos['n']:>5}{pos['rules'] / pos['n']:>11.1%} {pos['terms'] / pos['n']:>9.1%}"
              f" {pos['wide'] / pos['n']:>10.1%}")
        print(f"{'  … the labelled veto':<28}{pos['n']:>5}{pos['rules_right'] / pos['n']:>11.1%} "
              f"{pos['terms_right'] / pos['n']:>9.1%}")
    neg_n = neg_r = neg_t = neg_w = 0
    for family, c in sorted(per_family.items()):
        if family == "veto":
            continue
        neg_n, neg_r, neg_t, neg_w = neg_n + c["n"], neg_r + c["rules"], neg_t + c["terms"], neg_w + c["wide"]
        print(f"{'false vetoes: ' + family:<28}{c['n']:>5}{c['rules']:>12}{c['terms']:>10}{c['wide']:>11}")
    if neg_n:
        print(f"{'false vetoes, all':<28}{neg_n:>5}{neg_r:>5} ({neg_r / neg_n:.1%}){neg_t:>4} ({neg_t / neg_n:.1%})"
              f"{neg_w:>4} ({neg_w / neg_n:.1%})")
    if args.show:
        print()
        for i, veto, raised, text in wrong:
            print(f"{i}  gold {veto}  raised {raised or '-'}  {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
