"""Benchmark: start-up cost and per-report scoring time after warm-up.

    python bench/bench_score.py [--rubric court] [--repeat 50] [--runs 3]

The whole process is timed first (`civscore score REPORT`, with and without
`-o card.pdf`; `-o card.pdf` with CIVSCORE_PDF_SPLIT=0: the child lays out the whole
scorecard alone instead of in two halves with its helper; and with CIVSCORE_PDF_CHILD=0: the
scorecard rendered after scoring, without the child that loads WeasyPrint meanwhile), next to
`python -c pass` and jieba's own dictionary load in the same run, interleaved, wall
and CPU time, since this machine's load moves every figure. Start-up is then measured
in fresh interpreters (import, jieba dictionary, rubric load + compile). Scoring is
measured on a 10,000-character report assembled from the seed reports, after one
warm-up call, split into normalize and analyze+score. Target: ≤ 30 ms per 10,000-character report.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STARTUP = r"""
import time, sys, json
t0 = time.perf_counter()
import jieba
from scorer.engine import Scorer
t1 = time.perf_counter()
from scorer.match.wordfreq import install; install()
t2 = time.perf_counter()
Scorer.load(sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "-" else "court").compiled
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "jieba": t2 - t1, "rubric": t3 - t2}))
"""


def startup(rubric: str | None, runs: int = 3) -> dict[str, float]:
    import json

    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", STARTUP, rubric or "-"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        samples.append(json.loads(out.strip().splitlines()[-1]))
    return {k: statistics.median(s[k] for s in samples) for k in samples[0]}


def whole_process(runs: int = 3) -> list[tuple[str, float, float]]:
    """Wall time of whole commands, median of `runs`, beside two references timed in the
    same run: a bare interpreter and jieba's own dictionary load (its cache warm). Also the
    median CPU time (user + system) of each, which other work on a shared machine moves less."""
    import os
    import resource
    import tempfile

    def cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime

    seed = str(sorted((ROOT / "seeds").glob("*.txt"))[0])
    civscore = [sys.executable, "-m", "scorer"]
    out = tempfile.mkdtemp(prefix="bench-score-")
    commands = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("python: import jieba; jieba.initialize()",
         [sys.executable, "-c", "import jieba; jieba.setLogLevel(60); jieba.initialize()"]),
        ("civscore score REPORT", civscore + ["score", seed]),
        ("civscore score REPORT -o card.pdf", civscore + ["score", seed, "-o", os.path.join(out, "card.pdf")]),
        # The same with the child laying out the whole scorecard alone (scorer.report.split off).
        ("  … laid out in one piece", civscore + ["score", seed, "-o", os.path.join(out, "card4.pdf")]),
        # The same without the renderer child (scorer.report.prewarm): WeasyPrint loads after scoring.
        ("  … rendered in-process", civscore + ["score", seed, "-o", os.path.join(out, "card2.pdf")]),
        # The same with WeasyPrint parsing its C declarations itself (scorer.report.fastffi off).
        ("  … C declarations parsed", civscore + ["score", seed, "-o", os.path.join(out, "card3.pdf")]),
    ]
    in_process = dict(os.environ, CIVSCORE_PDF_CHILD="0")
    parsed = dict(os.environ, CIVSCORE_FAST_FFI="0")
    one_piece = dict(os.environ, CIVSCORE_PDF_SPLIT="0")
    envs = {name: in_process if name.endswith("in-process") else parsed if name.endswith("parsed")
            else one_piece if name.endswith("one piece") else None for name, _ in commands}
    for name, cmd in commands:  # warm the OS page cache and civscore's own cache once
        subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True, env=envs[name])
    walls: dict[str, list[float]] = {name: [] for name, _ in commands}
    cpus: dict[str, list[float]] = {name: [] for name, _ in commands}
    for _ in range(runs):  # interleaved, so a change of load touches every command alike
        for name, cmd in commands:
            c0, t0 = cpu(), time.perf_counter()
            subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True, env=envs[name])
            walls[name].append(time.perf_counter() - t0)
            cpus[name].append(cpu() - c0)
    return [(name, statistics.median(walls[name]), statistics.median(cpus[name])) for name, _ in commands]


def ten_thousand_chars() -> str:
    from scorer.ingest.normalize import normalize

    parts, n = [], 0
    for p in sorted((ROOT / "seeds").glob("*.txt")):
        for para in normalize(p.read_text(encoding="utf-8")).text.split("\n"):
            if n >= 10_000:
                break
            parts.append(para)
            n += len(para) + 1
    return "\n".join(parts)[:10_000]


def ms(xs: list[float]) -> str:
    xs = sorted(xs)
    return f"median {statistics.median(xs) * 1000:6.1f} ms   p90 {xs[int(len(xs) * 0.9) - 1] * 1000:6.1f} ms   min {xs[0] * 1000:6.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rubric", default=None)
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--runs", type=int, default=3, help="runs of each whole command (median)")
    args = ap.parse_args()

    rows = whole_process(args.runs)
    jieba_ref, jieba_cpu = rows[1][1], rows[1][2]
    print(f"whole process, wall and CPU time (median of {args.runs}, interleaved, after one warm run)")
    for name, t, c in rows:
        print(f"  {name:42s} {t * 1000:7.0f} ms   {t / jieba_ref:5.2f}× jieba's dictionary load   "
              f"cpu {c * 1000:6.0f} ms  {c / jieba_cpu:5.2f}×")
    print("  targets: score ≤ 1.0 s, score -o card.pdf ≤ 2.0 s\n")

    s = startup(args.rubric)
    print("start-up (fresh interpreter, median of 3)")
    print(f"  import civscore      {s['import'] * 1000:7.0f} ms")
    print(f"  jieba dictionary     {s['jieba'] * 1000:7.0f} ms")
    print(f"  rubric load+compile  {s['rubric'] * 1000:7.0f} ms")
    print(f"  total                {sum(s.values()) * 1000:7.0f} ms")

    import jieba

    jieba.setLogLevel(60)
    from scorer.engine import Scorer, document_from_text

    scorer = Scorer.load(args.rubric)
    scorer.compile_all()  # the warm-up of a long-lived process (workbench, batch worker)
    text = ten_thousand_chars()
    scorer.score_text(text)  # warm-up

    norm, analyze, total, lcut = [], [], [], []
    cpu_analyze, cpu_lcut = [], []
    for _ in range(args.repeat):
        # The reference, in the same process on the same text, interleaved: a raw jieba.lcut.
        c0, t0 = time.process_time(), time.perf_counter()
        jieba.lcut(text)
        lcut.append(time.perf_counter() - t0)
        cpu_lcut.append(time.process_time() - c0)
        t0 = time.perf_counter()
        # What load_document does after reading the file: normalize, and a second
        # pass that keeps web bylines for the metadata.
        doc = document_from_text(text)
        t1 = time.perf_counter()
        c1 = time.process_time()
        scorer.score_document(doc)
        t2 = time.perf_counter()
        cpu_analyze.append(time.process_time() - c1)
        norm.append(t1 - t0)
        analyze.append(t2 - t1)
        total.append(t2 - t0)
    print(f"\nscoring one {len(text):,}-character report after warm-up ({args.repeat} runs)")
    print(f"  normalize + metadata {ms(norm)}")
    print(f"  analyze + score      {ms(analyze)}")
    print(f"  total                {ms(total)}   (target ≤ 30 ms)")
    print(f"  jieba.lcut (reference) {ms(lcut)}")
    print(f"  analyze + score / jieba.lcut: {statistics.median(analyze) / statistics.median(lcut):.2f}x (wall medians), "
          f"{min(cpu_analyze) / min(cpu_lcut):.2f}x (CPU minima)   (target ≤ 1.0x)")

    print("\nper seed (analyze + score, median of 10)")
    for p in sorted((ROOT / "seeds").glob("*.txt")):
        d = document_from_text(p.read_text(encoding="utf-8"), path=str(p))
        xs = []
        for _ in range(10):
            t0 = time.perf_counter()
            r = scorer.score_document(d)
            xs.append(time.perf_counter() - t0)
        print(f"  {p.name:28s} {len(d.text):6,} chars  {statistics.median(xs) * 1000:6.1f} ms   total {r.total:g}")


if __name__ == "__main__":
    main()
