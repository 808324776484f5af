"""Benchmark document ingest: scorer.ingest.load_document per report.

    python bench/bench_ingest.py [-n 150] [--warm 20] [--repeat 3]

Builds N distinct reports as bench_batch.py does (~3,400 characters each, from seeds/),
loads the first --warm of them to warm up (imports, OpenCC's dictionaries, regex caches),
then times load_document (decode, normalize, boilerplate, metadata) over the rest, and
prints the best of --repeat runs in ms per report. The machine is shared: take the best
of several runs, and compare two versions run by turns.

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

    from scorer.ingest import load_document

    with tempfile.TemporaryDirectory() as folder:
        paths = [str(p) for p in build_reports(args.n, Path(folder))]
        for p in paths[: args.warm]:
            load_document(p)
        timed = paths[args.warm :]
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            for p in timed:
                load_document(p)
            best = min(best, (time.perf_counter() - start) / len(timed))
    print(f"load_document: {best * 1000:.2f} ms a report (best of {args.repeat}, {len(timed)} reports)")


if __name__ == "__main__":
    main()
