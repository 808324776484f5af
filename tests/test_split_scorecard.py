"""Issue 19: a scorecard laid out in two halves side by side (scorer.report.split) is the same
scorecard: page for page the same pixels and text (page numbers counted across both halves),
the same outline, document information and language, as the whole laid out by one process.
And a helper that dies or fails costs nothing but time: the whole is rendered instead."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pytest

from scorer.report import split

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def _score(seed: Path, out: Path, mode: str) -> None:
    env = dict(os.environ, CIVSCORE_PDF_SPLIT=mode)
    if mode == "whole":
        env.update(CIVSCORE_PDF_CHILD="0", CIVSCORE_PDF_SPLIT="0")
    proc = subprocess.run([sys.executable, "-m", "scorer", "score", str(seed), "-o", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr


def _outline(path: Path) -> list:
    reader = pypdf.PdfReader(path)

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                yield from walk(item, depth + 1)
            else:
                yield (depth, item.title, reader.get_destination_page_number(item), round(float(item.top), 2),
                       item.get("/%is_open%"))

    return list(walk(reader.outline, 0))


def _fonts(path: Path) -> set:
    """The font objects the pages use (each half embeds its own subset)."""
    reader = pypdf.PdfReader(path)
    return {ref.idnum for page in reader.pages for ref in page["/Resources"]["/Font"].values()}


def assert_same_pages(whole: Path, halves: Path) -> None:
    a, b = pdfium.PdfDocument(whole), pdfium.PdfDocument(halves)
    assert len(a) == len(b)
    for i in range(len(a)):
        pa, pb = a[i], b[i]
        assert pa.get_textpage().get_text_range() == pb.get_textpage().get_text_range(), f"page {i + 1}: text"
        assert pa.render(scale=1).to_pil().tobytes() == pb.render(scale=1).to_pil().tobytes(), f"page {i + 1}: pixels"
    assert _outline(whole) == _outline(halves)
    ra, rb = pypdf.PdfReader(whole), pypdf.PdfReader(halves)
    assert dict(ra.metadata) == dict(rb.metadata)
    assert ra.trailer["/Root"]["/Lang"] == rb.trailer["/Root"]["/Lang"] == "zh-CN"


@pytest.mark.parametrize("seed", [SEEDS[0], SEEDS[3]], ids=lambda p: p.name[:3])
def test_two_halves_make_the_whole_scorecard(tmp_path, seed):
    _score(seed, tmp_path / "whole.pdf", "whole")
    _score(seed, tmp_path / "halves.pdf", "force")
    whole, halves = tmp_path / "whole.pdf", tmp_path / "halves.pdf"
    assert len(_fonts(halves)) > len(_fonts(whole))  # it was split: each half brought its fonts
    assert_same_pages(whole, halves)
    n = len(pdfium.PdfDocument(halves))
    last = pdfium.PdfDocument(halves)[n - 1].get_textpage().get_text_range()
    assert f"第 {n} 页 / 共 {n} 页" in last  # the back half's pages are numbered after the front's
    if seed == SEEDS[0]:  # no date or random id: the same report gives the same bytes
        _score(seed, tmp_path / "again.pdf", "force")
        assert (tmp_path / "again.pdf").read_bytes() == halves.read_bytes()


# Runs in a fresh interpreter: the child forks its helper, which is only safe single-threaded.
_HELPER_SCRIPT = """
import os, pickle, signal, sys, datetime
from pathlib import Path
from scorer.engine import Scorer
from scorer.report import pdf, split
result = Scorer.load().score_path(Path(sys.argv[1]))
out = Path(sys.argv[2])
generated = datetime.date(2026, 12, 6)
pdf.write_scorecard(result, out / "whole.pdf", generated=generated)
assert split.prepare()
how = sys.argv[3]
if how.startswith("k="):  # a split point forced on both sides (the helper is forked below)
    k = len(result.dimensions) if how == "k=last" else int(how[2:])
    split.split_point = lambda result: k
helper = split.start_helper(pdf.renderer())
job = pickle.dumps((result, "x.pdf", "methods"))
if how == "killed-before":
    os.kill(helper.pid, signal.SIGKILL)
    os.waitpid(helper.pid, 0)
    helper.pid = None
if how == "fails":
    # The helper cannot read this job (as if its unpickling failed): it says so and goes on.
    helper.announce(b"not a pickle", generated)
else:
    helper.announce(job, generated)
if how == "killed-during":
    os.kill(helper.pid, signal.SIGKILL)
split.write(helper, result, out / "card.pdf", generated)
print("broken" if helper.broken else "alive")
if how == "fails":  # the next job splits again
    helper.announce(job, generated)
    split.write(helper, result, out / "again.pdf", generated)
    print("broken" if helper.broken else "alive")
helper.close()
"""


@pytest.mark.parametrize("k", ["k=1", "k=last"])
def test_the_halves_match_the_whole_at_either_end(tmp_path, k):
    # The front with one dimension, or with every dimension (the back: the bonus items and appendix).
    proc = subprocess.run([sys.executable, "-c", _script(), str(SEEDS[2]), str(tmp_path), k], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, env=dict(os.environ, CIVSCORE_PDF_SPLIT="1"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[0] == "alive"
    assert len(_fonts(tmp_path / "card.pdf")) > len(_fonts(tmp_path / "whole.pdf"))  # it was split
    assert_same_pages(tmp_path / "whole.pdf", tmp_path / "card.pdf")


def _script() -> str:
    script = textwrap.dedent(_HELPER_SCRIPT)
    # The whole is rendered as the child renders it: with the methods line the job carries.
    return script.replace('pdf.write_scorecard(result, out / "whole.pdf", generated=generated)',
                          'from scorer.report import format as fmt\nfmt.remember_methods(result, "methods")\n'
                          'pdf.write_scorecard(result, out / "whole.pdf", generated=generated)')


@pytest.mark.parametrize("how, alive", [("killed-before", False), ("killed-during", False), ("fails", True)])
def test_a_helper_that_cannot_serve_costs_only_time(tmp_path, how, alive):
    proc = subprocess.run([sys.executable, "-c", _script(), str(SEEDS[0]), str(tmp_path), how], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, env=dict(os.environ, CIVSCORE_PDF_SPLIT="1"))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.split()
    assert lines[0] == ("alive" if alive else "broken")
    if alive:  # it answered "failed": the owner rendered the whole, byte for byte
        assert (tmp_path / "card.pdf").read_bytes() == (tmp_path / "whole.pdf").read_bytes()
        assert lines[1] == "alive"
        assert_same_pages(tmp_path / "whole.pdf", tmp_path / "again.pdf")
        assert len(_fonts(tmp_path / "again.pdf")) > len(_fonts(tmp_path / "whole.pdf"))
    else:
        assert (tmp_path / "card.pdf").read_bytes() == (tmp_path / "whole.pdf").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["whole.pdf", "card.pdf"] + (["again.pdf"] if alive else []))


def test_page_numbers_run_on_from_the_other_half():
    asked = []

    def span(own):
        asked.append(own)
        return 5, own + 5

    numbering = split._Numbering(span)
    states = [(0, {"page": [i], "pages": [3]}, [], []) for i in (1, 2, 3)]
    for state in states:
        numbering.number(state)
    assert asked == [3]  # the other half is asked once, with this half's page count
    assert [s[1]["page"] for s in states] == [[6], [7], [8]]
    assert all(s[1]["pages"] == [8] for s in states)
    assert numbering.pages == 3


def test_the_split_point_balances_the_halves():
    from scorer.engine import Scorer

    scorer = Scorer.load()
    for seed in SEEDS:
        result = scorer.score_path(seed)
        k = split.split_point(result)
        assert 0 <= k <= len(result.dimensions)
        costs = [sum(split._criterion_cost(c) for c in d.criteria) for d in result.dimensions]
        tail = split._APPENDIX_COST + sum(split._criterion_cost(c) for c in result.bonus.items) + split._CRITERION_COST

        def worst(j):
            return max(split._COVER_COST + sum(costs[:j]), tail + sum(costs[j:]))

        assert worst(k) == min(worst(j) for j in range(len(costs) + 1))  # no other point does better


@pytest.mark.parametrize("mode, expected", [("0", False), ("force", True)])
def test_the_switch(monkeypatch, mode, expected):
    monkeypatch.setenv(split.ENV_SWITCH, mode)
    assert split.core_free() is expected
    assert split.prepare() is expected


_MISMATCH_SCRIPT = """
import datetime, pickle, sys
from pathlib import Path
from scorer.engine import Scorer
from scorer.report import format as fmt, pdf, split
scorer = Scorer.load()
first, second = (scorer.score_path(Path(p)) for p in sys.argv[1:3])
out = Path(sys.argv[3])
generated = datetime.date(2026, 12, 6)
fmt.remember_methods(second, "methods")
pdf.write_scorecard(second, out / "whole.pdf", generated=generated)
assert split.prepare()
helper = split.start_helper(pdf.renderer())
# From here on this process alone (the helper is forked) declines to split the first job, so the
# helper lays out a back half nobody asks for, and waits for a count that never comes.
chosen, calls = split.split_point, []
split.split_point = lambda result: None if not calls.append(1) and len(calls) == 1 else chosen(result)
helper.announce(pickle.dumps((first, "a.pdf", "methods")), generated)
split.write(helper, first, out / "first.pdf", generated)
helper.announce(pickle.dumps((second, "b.pdf", "methods")), generated)
split.write(helper, second, out / "second.pdf", generated)
print("broken" if helper.broken else "alive")
helper.close()
"""


def test_a_job_the_two_sides_see_differently_never_mixes_into_the_next(tmp_path):
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(_MISMATCH_SCRIPT), str(SEEDS[0]), str(SEEDS[3]),
                           str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, CIVSCORE_PDF_SPLIT="1"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["alive"]
    assert len(_fonts(tmp_path / "second.pdf")) > len(_fonts(tmp_path / "whole.pdf"))  # the second was split
    assert_same_pages(tmp_path / "whole.pdf", tmp_path / "second.pdf")  # and is the second report's, whole


def test_a_process_on_a_core_is_told_from_one_asleep():
    # core_free does not count the helper as another task while it settles in after its fork.
    assert split._running(os.getpid())  # this test, running
    asleep = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        import time

        time.sleep(0.5)
        assert not split._running(asleep.pid)
    finally:
        asleep.kill()
        asleep.wait()
    assert not split._running(None) and not split._running(asleep.pid)  # reaped: gone
