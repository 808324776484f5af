"""`--watch`: score and diff run again when the rubric or a report changes; Ctrl-C exits 0."""

from __future__ import annotations

import re
from pathlib import Path
import tempfile

from lexical_rubric import without_judge

from typer.testing import CliRunner

from scorer.cli import app
from scorer.tuning import watch as watch_mod

ROOT = Path(__file__).resolve().parent.parent
# The matchers' own verdict (court.yaml without its sentence judge): what a synonym or a need
# changes shows in the scores directly. (With the judge, matchers only propose candidates.)
COURT = without_judge("court", Path(tempfile.mkdtemp(prefix="civscore-lexical-")))
SEED = sorted((ROOT / "seeds").glob("*.txt"))[0]
TOTAL = re.compile(r"总分 ([\d.]+) /")


def harder(text: str) -> str:
    """The same rubric asking for twice the evidence: every score goes down."""
    return text.replace("need: 1.7", "need: 3.4")


class Script:
    """Runs one step on each quiet tick of the (real) file watcher, then presses Ctrl-C."""

    def __init__(self, *steps):
        self.steps = list(steps)
        self.polls = 0

    def __call__(self):
        self.polls += 1
        if not self.steps:
            raise KeyboardInterrupt
        self.steps.pop(0)()


def test_watch_loop_reruns_on_change_only(tmp_path, monkeypatch):
    a, folder = tmp_path / "a.yaml", tmp_path / "reports"
    a.write_text("one", encoding="utf-8")
    folder.mkdir()
    (folder / "r1.txt").write_text("甲", encoding="utf-8")
    runs = []
    steps = Script(
        lambda: None,  # nothing changed: no run
        lambda: a.write_text("one, two", encoding="utf-8"),  # rubric edited
        lambda: (folder / "r2.txt").write_text("乙", encoding="utf-8"),  # a report added
        lambda: None,
    )
    monkeypatch.setattr(watch_mod, "tick", steps)
    n = watch_mod.watch([a, folder], lambda: runs.append(steps.polls))
    assert n == 3 and runs == [0, 2, 3]


def test_watch_loop_survives_a_failing_run_and_stops_on_ctrl_c(tmp_path, monkeypatch):
    a = tmp_path / "a.yaml"
    a.write_text("x", encoding="utf-8")
    calls = []

    def run():
        calls.append(1)
        if len(calls) == 1:
            raise __import__("typer").Exit(2)

    monkeypatch.setattr(watch_mod, "tick", Script(lambda: a.write_text("xy", encoding="utf-8")))
    assert watch_mod.watch([a], run) == 2  # ran, failed, ran again after the edit, then Ctrl-C
    assert len(calls) == 2


def test_score_watch_rescoring_after_a_rubric_edit(tmp_path, monkeypatch):
    rubric = tmp_path / "court.yaml"
    rubric.write_text(COURT.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(
        watch_mod, "tick", Script(lambda: rubric.write_text(harder(rubric.read_text(encoding="utf-8")), encoding="utf-8"))
    )
    result = CliRunner().invoke(app, ["score", str(SEED), "--rubric", str(rubric), "--watch"])
    assert result.exit_code == 0, result.output
    totals = [float(x) for x in TOTAL.findall(result.stdout)]
    assert len(totals) == 2 and totals[1] < totals[0]
    assert "changed:" in result.stderr and "stopped watching" in result.stderr


def test_score_watch_keeps_going_when_the_edit_breaks_the_rubric(tmp_path, monkeypatch):
    rubric = tmp_path / "court.yaml"
    text = COURT.read_text(encoding="utf-8")
    rubric.write_text(text, encoding="utf-8")
    monkeypatch.setattr(
        watch_mod, "tick",
        Script(
            lambda: rubric.write_text(text.replace("total: 100", "total: 101"), encoding="utf-8"),
            lambda: rubric.write_text(text + "\n# fixed\n", encoding="utf-8"),
        ),
    )
    result = CliRunner().invoke(app, ["score", str(SEED), "--rubric", str(rubric), "--watch"])
    assert result.exit_code == 0
    assert len(TOTAL.findall(result.stdout)) == 2  # before the break and after the fix
    assert "add up to" in result.stderr


def test_diff_watch(tmp_path, monkeypatch):
    new = tmp_path / "new.yaml"
    new.write_text(COURT.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(
        watch_mod, "tick", Script(lambda: new.write_text(harder(new.read_text(encoding="utf-8")), encoding="utf-8"))
    )
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / SEED.name).write_bytes(SEED.read_bytes())
    result = CliRunner().invoke(app, ["diff", "--base", str(COURT), "--rubric", str(new), str(reports), "--watch"])
    assert result.exit_code == 0, result.output
    summaries = re.findall(r"1 report, (\d) changed", result.stdout)
    assert summaries == ["0", "1"]
