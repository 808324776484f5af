"""Benchmark the workbench: concurrent uploads to a running `civscore serve`.

    python bench/bench_web.py [-n 20] [--port 0] [--keep DIR]

Starts `civscore serve` as a subprocess on a free loopback port with a fresh data
folder (the server loads jieba and the rubrics before it listens), builds N
distinct reports from the seeds (a seed's heading and a shuffled mix of paragraphs
from all five, fixed random seed), and has N clients upload them at the same time,
each in its own session (GET / for the CSRF token, then POST the file; the server
answers with a redirect to the scored review page, which the client loads).

Printed:
  p50 / p95 / max  seconds from sending the upload to having the review page
  wall             seconds for all N
  server RSS       the server's resident memory after the run, and its peak (VmHWM)

Target on the project's 2-core machine: p95 <= 1 s for 20 concurrent uploads.
Traffic goes to 127.0.0.1 only; every request has a timeout and the run is bounded.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
HEAD = 4
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def variants(n: int) -> list[tuple[str, bytes]]:
    rng = random.Random(12)
    paras = [[p for p in s.read_text(encoding="utf-8").split("\n") if p.strip()] for s in SEEDS]
    pool = [p for ps in paras for p in ps[HEAD:]]
    out = []
    for i in range(n):
        head = paras[i % len(paras)][:HEAD]
        body = []
        for p in rng.sample(pool, k=len(pool)):  # about as long as a seed report (~4,000 characters)
            body.append(p)
            if sum(map(len, body)) >= 4000:
                break
        out.append((f"variant-{i:03d}.txt", "\n".join(head + body + [f"（材料编号 {i:03d}）"]).encode("utf-8")))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree(pid: int) -> list[int]:
    """The server and its worker processes."""
    out = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            out += tree(int(child))
    return out


def rss_mb(pid: int) -> list[tuple[int, float, float]]:
    """(pid, RSS MB, peak RSS MB) for the server and each of its workers."""
    rows = []
    for p in tree(pid):
        fields = {}
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            k, _, v = line.partition(":")
            fields[k] = v.strip()
        rows.append((p, int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024))
    return rows


def burst(base: str, round_path: str, reports: list[tuple[str, bytes]]):
    """Upload every report at once, each from its own session; → (seconds each, wall, client CPU, errors)."""
    clients = []
    for _ in reports:
        c = httpx.Client(base_url=base, timeout=60)
        clients.append((c, CSRF.search(c.get("/").text).group(1)))
    times: list[float] = [0.0] * len(reports)
    errors: list[str] = []
    barrier = threading.Barrier(len(reports))

    def one(i: int) -> None:
        c, tok = clients[i]
        name, body = reports[i]
        barrier.wait()
        start = time.perf_counter()
        resp = c.post(round_path + "/upload", data={"csrf": tok, "rubric": "court"},
                      files=[("files", (name, body, "text/plain"))], follow_redirects=True)
        times[i] = time.perf_counter() - start
        if resp.status_code != 200 or 'id="reviewed-total"' not in resp.text:
            errors.append(f"{name}: HTTP {resp.status_code}")

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(reports))]
    cpu = time.process_time()
    wall = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    for c, _ in clients:
        c.close()
    return times, wall, cpu, errors


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=20)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--keep", type=Path, help="use this data folder and keep it")
    ap.add_argument("--workers", type=int, default=None, help="civscore serve --workers (default: its own)")
    ap.add_argument("--rounds", type=int, default=3, help="bursts of N uploads, one after another (distinct reports)")
    args = ap.parse_args()
    port = args.port or free_port()
    tmp = tempfile.TemporaryDirectory()
    data = args.keep or Path(tmp.name) / "data"
    exe = Path(sys.executable).parent / "civscore"
    cmd = [str(exe), "serve", "--port", str(port), "--data", str(data)]
    if args.workers:
        cmd += ["--workers", str(args.workers)]
    t0 = time.perf_counter()
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                print("server exited:", server.stderr.read(), file=sys.stderr)
                return 1
            try:
                if httpx.get(base + "/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                print("server did not start in 120 s", file=sys.stderr)
                return 1
            time.sleep(0.2)
        print(f"server ready in {time.perf_counter() - t0:.1f} s (pid {server.pid}, port {port})")
        setup = httpx.Client(base_url=base, timeout=30)
        token = CSRF.search(setup.get("/").text).group(1)
        r = setup.post("/rounds", data={"csrf": token, "name": "bench", "rubric": "court"})
        round_path = r.headers["location"]
        all_reports = variants(args.n * args.rounds)
        results = []
        for rnd in range(args.rounds):
            reports = all_reports[rnd * args.n:(rnd + 1) * args.n]
            times, wall, cpu, errors = burst(base, round_path, reports)
            if errors:
                print("errors:", *errors, sep="\n  ")
                return 1
            times.sort()
            p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
            results.append((statistics.median(times), p95))
            print(f"burst {rnd + 1}: {len(times)} concurrent uploads → scored review page: "
                  f"p50 {statistics.median(times):.3f} s   p95 {p95:.3f} s   max {times[-1]:.3f} s   "
                  f"wall {wall:.3f} s   (bench clients' own CPU {cpu:.2f} s)")
        mem = rss_mb(server.pid)
        setup.close()
        total = sum(m[1] for m in mem)
        each = ", ".join(f"{m[1]:.0f} (peak {m[2]:.0f})" for m in mem)
        p50s, p95s = [r[0] for r in results], [r[1] for r in results]
        print(f"median over {args.rounds} bursts: p50 {statistics.median(p50s):.3f} s   "
              f"p95 {statistics.median(p95s):.3f} s   (worst p95 {max(p95s):.3f} s)")
        print(f"server memory: {total:.0f} MB RSS in {len(mem)} processes [{each}]   cores {os.cpu_count()}   "
              f"load average {os.getloadavg()[0]:.2f}")
        print(f"target p95 <= 1 s (median burst): {'met' if statistics.median(p95s) <= 1.0 else 'NOT met'}")
        return 0
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
