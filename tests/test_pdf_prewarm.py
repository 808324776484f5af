"""Issue 19: `score … -o card.pdf` renders through a forked child that loaded WeasyPrint
while the parent scored (scorer.report.prewarm). What the user gets must not change: the
same bytes, the same one-line errors and exit codes, no leftover file, and a child that
never outlives the command. Each case runs the CLI in a fresh interpreter, as a user does."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from scorer.cli import writes_scorecards

ROOT = Path(__file__).resolve().parent.parent
SEED = sorted((ROOT / "seeds").glob("*.txt"))[0]

# Runs the CLI as `python -m scorer` does, after the test's own lines (a patch the forked
# child inherits). On exit it records, in $PREWARM_PROBE, whether this process imported
# WeasyPrint (it did not when the child rendered) and which children it had left.
_HARNESS = """
import atexit, json, os, sys
def _probe():
    kids = open(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read().split()
    with open(os.environ["PREWARM_PROBE"], "w") as f:
        json.dump({"weasyprint": "weasyprint" in sys.modules, "children": kids}, f)
atexit.register(_probe)
%s
sys.argv = ["civscore", *sys.argv[1:]]
from scorer.cli import main
main()
"""


def civscore(tmp_path: Path, *args: str, patch: str = "", env: dict | None = None):
    """The CLI in a fresh interpreter. The child lays out each scorecard in two halves with its
    helper (scorer.report.split) unless `env` says otherwise: whether a core is free must not
    decide which path a test takes."""
    probe = tmp_path / "probe.json"
    code = _HARNESS % textwrap.dedent(patch)
    env = {"CIVSCORE_PDF_SPLIT": "force", **(env or {})}
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env=dict(os.environ, PREWARM_PROBE=str(probe), **env))
    return proc, json.loads(probe.read_text())


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_the_child_writes_the_same_pdf_as_this_process(tmp_path):
    # One process lays out the whole here; tests/test_split_scorecard.py holds the halves to it.
    child, child_probe = civscore(tmp_path, "score", str(SEED), "-o", str(tmp_path / "child.pdf"),
                                  env={"CIVSCORE_PDF_SPLIT": "0"})
    here, here_probe = civscore(tmp_path, "score", str(SEED), "-o", str(tmp_path / "here.pdf"),
                                env={"CIVSCORE_PDF_CHILD": "0"})
    assert child.returncode == here.returncode == 0, child.stderr + here.stderr
    assert child_probe == {"weasyprint": False, "children": []}  # the child rendered, and is gone
    assert here_probe["weasyprint"] is True
    assert (tmp_path / "child.pdf").read_bytes() == (tmp_path / "here.pdf").read_bytes()
    assert child.stdout.replace("child.pdf", "X") == here.stdout.replace("here.pdf", "X")
    assert child.stderr == here.stderr == ""


def test_a_folder_of_scorecards_through_the_child(tmp_path):
    reports = tmp_path / "in"
    reports.mkdir()
    seeds = sorted((ROOT / "seeds").glob("*.txt"))[:2]
    for s in seeds:
        (reports / s.name).write_bytes(s.read_bytes())
    proc, probe = civscore(tmp_path, "score", *(str(reports / s.name) for s in seeds), "-o", str(tmp_path / "out") + "/")
    assert proc.returncode == 0, proc.stderr
    assert probe["weasyprint"] is False
    assert leftovers(tmp_path / "out") == sorted(s.stem + ".pdf" for s in seeds)


def test_an_error_in_the_child_is_one_line_and_leaves_no_file(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    # The rename that ends the atomic write fails as on a read-only file system; only the
    # child writes, so only it meets the failure.
    patch = """
    import errno, os, types, scorer.outputs
    def _replace(src, dst):
        raise OSError(errno.EROFS, "Read-only file system")
    scorer.outputs.os = types.SimpleNamespace(**{**vars(os), "replace": _replace})
    """
    proc, probe = civscore(tmp_path, "--lang", "en", "score", str(SEED), "-o", str(out / "card.pdf"), patch=patch)
    assert proc.returncode == 2
    assert probe == {"weasyprint": False, "children": []}
    assert proc.stderr.splitlines() == [f"error: {out / 'card.pdf'}: cannot write: read-only file system"]
    assert "Traceback" not in proc.stdout + proc.stderr
    assert leftovers(out) == []


def test_an_environment_problem_found_by_the_child_stops_before_any_result(tmp_path):
    patch = """
    import scorer.report.environment as environment
    environment.cjk_font_families = lambda: {"DejaVu Sans"}
    """
    proc, probe = civscore(tmp_path, "--lang", "en", "score", str(SEED), "-o", str(tmp_path / "card.pdf"),
                           patch=patch)
    assert proc.returncode == 2
    assert probe["weasyprint"] is False and probe["children"] == []
    [line] = proc.stderr.splitlines()
    assert line.startswith("error: ") and "fonts-noto-cjk" in line
    assert proc.stdout == ""
    assert not (tmp_path / "card.pdf").exists()


_DIES_RENDERING = """
import os, scorer.report.pdf as pdf
_parent, _write = os.getpid(), pdf.ScorecardRenderer.write_pdf
def _dies(self, *a, **k):
    if os.getpid() != _parent:
        os._exit(9)
    return _write(self, *a, **k)
pdf.ScorecardRenderer.write_pdf = _dies
"""


# The child dies while it lays out its half of a split scorecard.
_DIES_IN_A_HALF = """
import os, scorer.report.split as split
_parent, _half = os.getpid(), split.render_half
def _dies(renderer, result, part, *a, **k):
    if os.getpid() != _parent and part[0] == "front":
        os._exit(9)
    return _half(renderer, result, part, *a, **k)
split.render_half = _dies
"""


@pytest.mark.parametrize("patch, split", [
    ("import os\ndef _fork():\n    raise OSError(11, 'Resource temporarily unavailable')\nos.fork = _fork", "force"),
    ("import os, scorer.report.prewarm as p\np._serve = lambda *a: os._exit(1)", "force"),
    (_DIES_RENDERING, "0"),
    (_DIES_IN_A_HALF, "force"),
], ids=["no-fork", "child-dies-at-once", "child-dies-rendering", "child-dies-in-a-half"])
def test_without_a_working_child_this_process_renders(tmp_path, patch, split):
    here, _ = civscore(tmp_path, "score", str(SEED), "-o", str(tmp_path / "here.pdf"), env={"CIVSCORE_PDF_CHILD": "0"})
    out = tmp_path / "out"
    proc, probe = civscore(tmp_path, "score", str(SEED), "-o", str(out / "card.pdf"), patch=patch,
                           env={"CIVSCORE_PDF_SPLIT": split})
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert probe["weasyprint"] is True and probe["children"] == []
    assert (out / "card.pdf").read_bytes() == (tmp_path / "here.pdf").read_bytes()
    assert leftovers(out) == ["card.pdf"]


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


def _as_at_a_terminal() -> None:
    """In the command's process before it starts: Ctrl-C as a terminal's foreground job has it. A
    test run started in the background of a non-interactive shell (`bash -c '… &'`) ignores SIGINT,
    every process it starts inherits that, and Python then installs no handler: Ctrl-C would be
    ignored by design, not by a fault of civscore's."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_with_child(tmp_path: Path, report: str = str(SEED)):
    proc = subprocess.Popen([sys.executable, "-m", "scorer", "score", report, "-o", str(tmp_path / "card.pdf")],
                            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, preexec_fn=_as_at_a_terminal)
    deadline = time.monotonic() + 120
    while not _children(proc.pid):
        assert proc.poll() is None and time.monotonic() < deadline, "no renderer child appeared"
        time.sleep(0.01)
    return proc, _children(proc.pid)[0]


def _reading_stdin(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/wchan").read_text().endswith("pipe_read")
    except OSError:
        return False


def test_the_child_dies_with_a_killed_parent(tmp_path):
    proc, child = _start_with_child(tmp_path)
    proc.kill()
    proc.wait(timeout=60)
    deadline = time.monotonic() + 60
    while not _gone(child):
        assert time.monotonic() < deadline, "the renderer child outlived its parent"
        time.sleep(0.05)


def test_the_childs_helper_dies_with_them(tmp_path):
    # The renderer child forks a helper for the back half of each scorecard (scorer.report.split)
    # once it is warm; `score -` waits on standard input, so the helper has time to appear.
    proc, child = _start_with_child(tmp_path, "-")
    deadline = time.monotonic() + 120
    while not _children(child):
        assert proc.poll() is None and time.monotonic() < deadline, "the child forked no helper"
        time.sleep(0.02)
    helper = _children(child)[0]
    proc.kill()
    proc.wait(timeout=60)
    deadline = time.monotonic() + 60
    while not (_gone(child) and _gone(helper)):
        assert time.monotonic() < deadline, "the renderer child or its helper outlived the command"
        time.sleep(0.05)


def test_ctrl_c_ends_both_and_leaves_no_file(tmp_path):
    # `score - -o card.pdf` waits for its report on standard input: Ctrl-C then reaches the
    # command itself (not the imports before it), with the child loading or waiting.
    proc, child = _start_with_child(tmp_path, "-")
    deadline = time.monotonic() + 120
    while not _reading_stdin(proc.pid):
        assert proc.poll() is None and time.monotonic() < deadline, "never read its standard input"
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal sends to the foreground group
    # As at a terminal, standard input stays open until the command has ended (communicate() would
    # close it at once, and a command that missed the interrupt would then read an empty report).
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("Ctrl-C did not end `score - -o card.pdf` within 60 s")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "error" not in err
    assert _gone(child)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, expected", [
    (["score", "a.txt", "-o", "card.pdf"], True),
    (["score", "a.txt", "b.txt", "-o", "out/"], True),
    (["-q", "--lang", "zh", "score", "a.txt", "--pdf=card.pdf"], True),
    (["score", "a.txt", "--pdf-dir", "out"], True),
    (["score", "a.txt", "-ocard.pdf"], True),
    (["score", "a.txt"], False),
    (["score", "a.txt", "--json"], False),
    (["score", "a.txt", "-o", "card.pdf", "--watch"], False),
    (["score", "--help", "-o", "x.pdf"], False),
    (["batch", "in", "--out", "out"], False),
    (["--lang", "score", "check", "a.txt", "-o", "x.pdf"], False),
    (["score", "--", "-o"], False),
])
def test_which_command_lines_start_the_child(args, expected):
    assert writes_scorecards(args) is expected
