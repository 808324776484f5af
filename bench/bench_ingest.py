"""Benchmark document ingest: scorer.ingest.load_document per report.

    python bench/bench_ingest.py [-n 150] [--warm 20] [--repeat 3]

Builds N distinct reports as bench_batch.py does (~3,400 characters each, from seeds/),
loads the first --warm of them to warm up (imports, OpenCC's dictionaries, regex caches),
then times load_document (decode, normalize, boilerplate, metadata) over the rest, and
prints the best of --repeat runs in ms per report, beside a simple reference timed the same
way in the same run: reading each file, decoding it as UTF-8 and converting it to simplified
characters with OpenCC (what any reader of these reports does at least), and their ratio.
The machine is shared: take the best of several runs, and compare two versions by turns.

Target: the batch's 20 ms a report leaves ingest about 3.5 ms (it was 7.2 ms).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=150)
    parser.add_argument("--warm", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from bench_batch import build_reports

    import opencc

    from scorer.ingest import load_document

    converter = opencc.OpenCC("t2s")

    def reference(path: str) -> str:
        with open(path, "rb") as f:
            return converter.convert(f.read().decode("utf-8"))

    def best_of(load, timed: list[str]) -> float:
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            for p in timed:
                load(p)
            best = min(best, (time.perf_counter() - start) / len(timed))
        return best

    with tempfile.TemporaryDirectory() as folder:
        paths = [str(p) for p in build_reports(args.n, Path(folder))]
        for p in paths[: args.warm]:
            load_document(p)
            reference(p)
        timed = paths[args.warm :]
        best = best_of(load_document, timed)
        ref = best_of(reference, timed)
    print(f"load_document: {best * 1000:.2f} ms a report (best of {args.repeat}, {len(timed)} reports)")
    print(f"reference (read, decode, OpenCC t2s): {ref * 1000:.2f} ms a report; ratio {best / ref:.1f}x")


if __name__ == "__main__":
    main()
