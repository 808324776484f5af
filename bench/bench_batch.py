"""Benchmark `civscore batch`: throughput at 1 and 2 workers, with and without PDFs.

    python bench/bench_batch.py [-n 200] [--pdf-n 40] [--workers 1,2] [--keep DIR]

Builds N distinct reports from the seed reports (each one a seed's heading and a
shuffled mix of paragraphs from all five seeds, fixed random seed) in a temporary
folder, then runs the batch (scorer.batch.run_batch, fresh output folder each time,
so nothing is skipped) for every worker count: score-only on N reports, score +
PDF scorecards on the first --pdf-n of them.

Printed per run:
  steady     reports/s between the first and the last result (workers are warm)
  end-to-end reports/s over the whole run: worker start-up (jieba, rubric, fonts),
             hashing, the store, ranking.csv/.xlsx and, with PDFs, overview.pdf
  peak MB    the largest ru_maxrss reported by a worker process

Targets on the project's 2-core machine: score-only >= 100 reports/s with 2 workers,
score + PDF >= 3 reports/s, <= 500 MB per worker, 2 workers >= 1.7x one.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
HEAD = 4  # paragraphs of a seed's heading kept in place (kicker, title, unit, author)


def _paragraphs(path: Path) -> list[str]:
    from scorer.ingest.normalize import normalize

    return [p for p in normalize(path.read_text(encoding="utf-8")).text.split("\n") if p.strip()]


def build_reports(n: int, dest: Path, *, seed: int = 20240517) -> list[Path]:
    """Write `n` distinct reports to `dest` (report_0000.txt …) and return their paths.

    Report i takes seed i % 5's heading, then about two thirds of that seed's body
    paragraphs and a few from the other seeds, shuffled. Same `seed`, same files."""
    rng = random.Random(seed)
    seeds = [_paragraphs(p) for p in SEEDS]
    dest.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    paths = []
    for i in range(n):
        own = seeds[i % len(seeds)]
        head, body = own[:HEAD], own[HEAD:]
        while True:
            picked = rng.sample(body, max(1, len(body) * 2 // 3))
            for j, other in enumerate(seeds):
                if j != i % len(seeds) and len(other) > HEAD:
                    picked += rng.sample(other[HEAD:], min(2, len(other) - HEAD))
            rng.shuffle(picked)
            text = "\n\n".join(head + picked) + "\n"
            if text not in seen:
                seen.add(text)
                break
        p = dest / f"report_{i:04d}.txt"
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


class _Timing:
    def __init__(self) -> None:
        self.stamps: list[float] = []

    def start(self, to_do, skipped, workers):
        pass

    def advance(self, sub, outcome):
        self.stamps.append(time.perf_counter())

    def stage(self, text):
        pass

    def stop(self):
        pass

    def steady(self) -> float:
        if len(self.stamps) < 2:
            return float("nan")
        return (len(self.stamps) - 1) / (self.stamps[-1] - self.stamps[0])


def run(src: Path, out: Path, *, workers: int, pdf: bool) -> dict:
    from scorer.batch import BatchOptions, run_batch

    timing = _Timing()
    t0 = time.perf_counter()
    report = run_batch(BatchOptions(source=src, out=out, workers=workers, pdf=pdf), timing)
    wall = time.perf_counter() - t0
    if report.failures:
        raise SystemExit(f"bench: {len(report.failures)} reports failed: {report.failures[:3]}")
    return {
        "n": report.scored,
        "steady": timing.steady(),
        "e2e": report.scored / wall,
        "wall": wall,
        "peak": max(report.worker_peak_mb.values(), default=float("nan")),
        "workers": len(report.worker_peak_mb),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=200, help="reports for the score-only runs")
    ap.add_argument("--pdf-n", type=int, default=40, help="reports for the score + PDF runs (0: skip)")
    ap.add_argument("--workers", default="1,2", help="worker counts to run, comma-separated")
    ap.add_argument("--keep", type=Path, default=None, help="build the reports and outputs here and keep them")
    args = ap.parse_args(argv)
    counts = [int(x) for x in args.workers.split(",")]

    with tempfile.TemporaryDirectory(prefix="civscore-bench-") as tmp:
        base = args.keep or Path(tmp)
        src = base / "intake"
        build_reports(args.n, src)
        pdf_src = base / "intake-pdf"
        if args.pdf_n:
            build_reports(min(args.pdf_n, args.n), pdf_src)
        rows = []
        for pdf, folder, n in ((False, src, args.n), (True, pdf_src, args.pdf_n)):
            if not n:
                continue
            for w in counts:
                r = run(folder, base / f"out-{'pdf' if pdf else 'score'}-{w}", workers=w, pdf=pdf)
                rows.append((("score + PDF" if pdf else "score only"), w, r))
                print(f"  {rows[-1][0]:<12} {w} worker(s): {r['n']} reports, steady {r['steady']:.1f}/s, "
                      f"end-to-end {r['e2e']:.1f}/s, peak {r['peak']:.0f} MB", file=sys.stderr)

    print()
    print(f"{'run':<13}{'workers':>8}{'reports':>9}{'steady/s':>10}{'end-to-end/s':>14}{'wall s':>8}"
          f"{'peak MB/worker':>16}")
    for name, w, r in rows:
        print(f"{name:<13}{w:>8}{r['n']:>9}{r['steady']:>10.1f}{r['e2e']:>14.1f}{r['wall']:>8.1f}{r['peak']:>16.0f}")
    by = {(name, w): r for name, w, r in rows}
    print()
    for name in ("score only", "score + PDF"):
        if (name, 1) in by and (name, 2) in by:
            s = by[(name, 2)]["steady"] / by[(name, 1)]["steady"]
            e = by[(name, 2)]["e2e"] / by[(name, 1)]["e2e"]
            print(f"{name}: 2 workers vs 1: steady {s:.2f}x, end-to-end {e:.2f}x (target >= 1.7x)")
    targets = []
    if ("score only", 2) in by:
        targets.append(("score only, 2 workers >= 100/s", by[("score only", 2)]["steady"] >= 100))
    if ("score + PDF", 2) in by:
        targets.append(("score + PDF, 2 workers >= 3/s", by[("score + PDF", 2)]["steady"] >= 3))
    targets.append(("peak <= 500 MB per worker", all(r["peak"] <= 500 for _, _, r in rows)))
    for what, ok in targets:
        print(f"  {'ok  ' if ok else 'MISS'} {what}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
