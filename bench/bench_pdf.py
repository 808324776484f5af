"""How long one PDF scorecard takes to render, against a bare page of the same text.

    python bench/bench_pdf.py [--runs N] [--seed PATH] [--sample-only]

For each input it renders the scorecard once to warm up, then N times, and prints the
median. In the same run it renders a bare document holding the same report text
(`result.text`, one <p> per paragraph) in the scorecard's font with the same
FontConfiguration, and prints the ratio of the two medians.

Inputs: the hand-made sample (tests/scorecard_sample.py, seed 000 with 15 criteria)
and, when the engine can score it, a real seed scored by `scorer.engine` (the
default rubric has about 30 criteria and quotes up to 3 sentences for each).

Targets on the project's machine (2 cores): scorecard <= 0.5 s, ratio <= 2. Rendering
is single-threaded, so on an idle machine CPU time equals wall-clock time; the
targets are checked against the CPU-time medians because other work on a shared
machine inflates wall-clock times. Both are printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from markupsafe import escape  # noqa: E402

from scorer.report.environment import check_pdf_environment  # noqa: E402
from scorer.report.pdf import renderer  # noqa: E402

TARGET_SECONDS = 0.5
TARGET_RATIO = 2.0

# The scorecard's font (templates/scorecard.css), at its body size.
BARE_CSS = """
@page { size: A4; margin: 24mm 18mm 20mm 18mm; }
html { font-family: "Noto Sans CJK SC", sans-serif; font-size: 10pt; line-height: 1.55; }
p { margin: 0 0 1.5mm 0; }
"""


def _median_time(fn, runs: int) -> tuple[float, float]:
    """Median wall-clock and median CPU seconds of `fn()`, after one warm-up call."""
    fn()
    wall, cpu = [], []
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def bench(label: str, result, runs: int) -> None:
    from weasyprint import CSS, HTML

    r = renderer()
    bare_css = CSS(string=BARE_CSS, font_config=r.font_config)
    paras = [p for p in result.text.split("\n") if p.strip()]
    bare_html = "<!DOCTYPE html><html lang='zh-CN'><body>" + "".join(
        f"<p>{escape(p)}</p>" for p in paras) + "</body></html>"

    def scorecard() -> bytes:
        return r.pdf_bytes(result)

    def bare() -> bytes:
        return HTML(string=bare_html, url_fetcher=r.fetcher).write_pdf(
            stylesheets=[bare_css], font_config=r.font_config)

    card_wall, card = _median_time(scorecard, runs)
    plain_wall, plain = _median_time(bare, runs)
    card_pdf, bare_pdf = scorecard(), bare()
    pages = len(r.document(result).pages)
    bare_pages = len(HTML(string=bare_html).render(stylesheets=[bare_css], font_config=r.font_config).pages)
    criteria = sum(len(d.criteria) for d in result.dimensions) + len(result.bonus.items)
    ratio = card / plain
    print(f"{label}: {result.submission.path}, {len(result.text)} chars, {criteria} criteria, "
          f"{runs} runs after one warm-up")
    print(f"  scorecard  median {card:.3f} s CPU ({card_wall:.3f} s wall)  {pages} pages, "
          f"{len(card_pdf) // 1024} KiB   target <= {TARGET_SECONDS} s: {'ok' if card <= TARGET_SECONDS else 'OVER'}")
    print(f"  bare text  median {plain:.3f} s CPU ({plain_wall:.3f} s wall)  {bare_pages} pages, "
          f"{len(bare_pdf) // 1024} KiB")
    print(f"  ratio      {ratio:.2f} (CPU; {card_wall / plain_wall:.2f} wall)   target <= {TARGET_RATIO}: "
          f"{'ok' if ratio <= TARGET_RATIO else 'OVER'}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--seed", type=Path, default=next(iter(sorted((ROOT / "seeds").glob("000_*.txt"))), None),
                    help="a report to score with scorer.engine (default: seed 000)")
    ap.add_argument("--sample-only", action="store_true", help="only the hand-made sample")
    args = ap.parse_args(argv)

    check_pdf_environment()
    from scorecard_sample import build_sample

    bench("sample", build_sample(), args.runs)
    if args.sample_only or args.seed is None:
        return 0
    try:
        from scorer.engine import Scorer

        result = Scorer.load().score_path(args.seed)
    except ImportError as err:  # the engine is not there (yet)
        print(f"engine: not available ({err}); real-seed benchmark skipped")
        return 0
    bench("engine", result, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
