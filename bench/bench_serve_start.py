"""Benchmark: how long `civscore serve` takes before it answers, and when it says it is ready.

    python bench/bench_serve_start.py [--runs 3] [--workers N]

For each run: seconds from spawning the process to its ready line on stderr, and to the
first HTTP 200 for `/`, beside `python -c pass` and jieba's own dictionary load timed in
the same run. Target: the workbench answers within 3 s, and prints its line only once it does.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def once(workers: int) -> tuple[float, float, bool]:
    data = tempfile.mkdtemp(prefix="bench-serve-")
    port = free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "scorer", "serve", "--data", data, "--port", str(port),
                             "--workers", str(workers)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    line_at: list[float] = []
    answered_at_line: list[bool] = []

    def read() -> None:
        for line in proc.stderr:
            if "评审工作台" in line and not line_at:
                line_at.append(time.perf_counter() - t0)
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                        answered_at_line.append(r.status == 200)
                except OSError:
                    answered_at_line.append(False)

    threading.Thread(target=read, daemon=True).start()
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.02)
    answered = time.perf_counter() - t0
    deadline = time.monotonic() + 30
    while not answered_at_line and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.terminate()
    proc.wait(30)
    return line_at[0] if line_at else float("nan"), answered, bool(answered_at_line and answered_at_line[0])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1))
    args = ap.parse_args()
    ref = []
    for cmd in ([sys.executable, "-c", "pass"],
                [sys.executable, "-c", "import jieba; jieba.setLogLevel(60); jieba.initialize()"]):
        xs = []
        for _ in range(args.runs):
            t = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            xs.append(time.perf_counter() - t)
        ref.append(statistics.median(xs))
    rows = [once(args.workers) for _ in range(args.runs)]
    print(f"civscore serve --workers {args.workers} (median of {args.runs})")
    print(f"  python -c pass                      {ref[0]:6.2f} s")
    print(f"  jieba's dictionary load             {ref[1]:6.2f} s")
    line = statistics.median(r[0] for r in rows)
    answered = statistics.median(r[1] for r in rows)
    print(f"  ready line printed                  {line:6.2f} s   {line / ref[1]:5.2f}× jieba's load")
    print(f"  first 200 for /                     {answered:6.2f} s   {answered / ref[1]:5.2f}× jieba's load")
    print(f"  answered when the line was printed  {sum(r[2] for r in rows)} of {len(rows)}   (target: all; ≤ 3 s)")


if __name__ == "__main__":
    main()
