"""Benchmark: hostile submissions are refused (or read) in bounded time and memory.

    python bench/bench_bombs.py [--keep DIR]

Builds each bomb in a temporary folder (tests/hostile.py), then runs
load_document on it in a fresh child process and prints the child's wall time
and peak memory (the child's VmHWM, its peak resident set) with the outcome. Target for every row:
≤ 10 s and ≤ 1 GB. Wall time includes interpreter start-up and importing
civscore (about 0.5 s); the "load" column is load_document alone.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import hostile  # noqa: E402

CHILD = r"""
import json, sys, time
from scorer.errors import InputError
from scorer.ingest import load_document
t0 = time.perf_counter()
try:
    doc = load_document(sys.argv[1])
    outcome = f"read: {len(doc.text):,} chars, {doc.hidden_chars:,} hidden"
except InputError as err:
    outcome = "refused: " + err.problem
load = time.perf_counter() - t0
# VmHWM: this process's peak resident memory. (ru_maxrss from wait4 would also do,
# but Linux carries it over from the forking parent, so a big parent hides the child.)
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"load": load, "outcome": outcome, "hwm": hwm * 1024}))
"""

GB = 1024**3
TIME_LIMIT = 10.0


def build(folder: Path, seeds: list[str]) -> list[tuple[str, Path]]:
    weak, strong = seeds[4], seeds[0]
    cases: list[tuple[str, Path]] = []

    def add(name: str, path: Path) -> None:
        cases.append((name, path))

    deep = folder / "deep.html"
    deep.write_bytes(hostile.deep_html(100_000))
    add("HTML, 100,000 nested <div>", deep)
    add(".docx, 190 MB of empty paragraphs", hostile.docx_empty_paragraphs(folder / "empty.docx", 190_000_000))
    add(".docx, 150 MB of text", hostile.docx_of_text(folder / "text.docx", 150_000_000))
    add(".docx, 45 MB of empty paragraphs (under unpack limit)", hostile.docx_empty_paragraphs(folder / "empty45.docx", 45_000_000))
    add(".docx, 45 MB of text (under unpack limit)", hostile.docx_of_text(folder / "text45.docx", 45_000_000))
    add(".docx, 150 MB of text, sizes declared as 1 kB", hostile.lying_docx(folder / "text.docx", folder / "lying.docx"))
    add(".docx, 5,000 nested elements", hostile.docx_deep(folder / "deep.docx"))
    add("PDF, 10,000 pages", hostile.many_pages_pdf(folder / "pages10k.pdf", 10_000))
    add("PDF, 5,000 pages", hostile.many_pages_pdf(folder / "pages5k.pdf", 5_000))
    add("PDF, 500 pages of text (at the page limit)", hostile.many_pages_pdf(folder / "pages500.pdf", 500, lines=24))
    big = folder / "big.txt"
    big.write_bytes((strong * (20 * 2**20 // len(strong.encode("utf-8")))).encode("utf-8"))
    add("text, 20 MiB of Chinese (at the size limit)", big)
    spaced = folder / "spaced.txt"
    spaced.write_text("\n".join(["法 院 文 明 单 位 创 建 工 作 扎 实 推 进 ，成 效 显 著"] * 26_000), encoding="utf-8")
    add("text, 990,000 letter-spaced characters (at max_chars)", spaced)
    hidden_html = folder / "hidden.html"
    hidden_html.write_text(hostile.html_page(weak, strong * 50, "stylesheet-class"), encoding="utf-8")
    add("HTML, report + 50 reports hidden by CSS", hidden_html)
    add(".docx, report + 50 reports in w:vanish runs", hostile.docx_of_report(weak, folder / "vanish.docx", hidden=strong * 50))
    add("PDF, report + a report in render mode 3", hostile.pdf_with_invisible_text(weak, strong, folder / "invisible.pdf"))
    return cases


def run(path: Path) -> dict:
    t0 = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    result = json.loads(out.strip().splitlines()[-1]) if child.returncode == 0 and out.strip() else {
        "load": float("nan"), "outcome": f"child exited {child.returncode}"}
    # ru_maxrss (KiB) when the child died before reporting its own VmHWM.
    result.update(wall=wall, peak=result.get("hwm", usage.ru_maxrss * 1024))
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", type=Path, help="build the inputs here and keep them")
    args = ap.parse_args()
    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        cases = build(folder, seeds)
        print(f"built {len(cases)} inputs in {time.perf_counter() - t0:.1f} s\n")
        header = f"{'input':52s} {'file':>9s} {'wall':>7s} {'load':>7s} {'peak RSS':>9s}  ok  outcome"
        print(header)
        print("-" * len(header))
        failures = 0
        for name, path in cases:
            r = run(path)
            ok = r["wall"] <= TIME_LIMIT and r["peak"] <= GB
            failures += not ok
            print(
                f"{name:52s} {path.stat().st_size / 1e6:7.2f}MB {r['wall']:6.2f}s {r['load']:6.2f}s "
                f"{r['peak'] / 2**20:7.0f}MB  {'yes' if ok else 'NO '} {r['outcome'][:110]}"
            )
        print(f"\n{len(cases) - failures}/{len(cases)} within {TIME_LIMIT:g} s and 1 GB")


if __name__ == "__main__":
    main()
