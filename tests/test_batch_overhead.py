"""What a batch's main process does per report, made cheap and kept right: a worker's JSON as
UTF-8 bytes (the same bytes model_dump_json gives), tasks to a local pool in chunks, a pause in
the results said as None, and the output guard checking n scorecards against n reports
without resolving every report for every scorecard."""

from __future__ import annotations

import os
import time
from pathlib import Path

from scorer.batch.backends import LocalBackend
from scorer.batch.worker import Outcome, Task, WorkerConfig, json_bytes
from scorer.engine import Scorer

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def test_json_bytes_are_model_dump_json_encoded():
    scorer = Scorer.load()
    for seed in SEEDS:
        result = scorer.score_path(seed)
        data = json_bytes(result)
        assert isinstance(data, bytes)
        assert data == result.model_dump_json().encode("utf-8")


def slow_on_marked(task: Task, config: WorkerConfig) -> Outcome:
    """Stands in for run_task: a file named slow* takes a while."""
    if Path(task.path).name.startswith("slow"):
        time.sleep(0.6)
    return Outcome(task.index, pid=os.getpid(), seconds=time.monotonic())


def config() -> WorkerConfig:
    info = Scorer.load().rubric_info
    return WorkerConfig(rubric=info.path, rubric_sha256=info.sha256, pdf=False, max_bytes=1 << 20)


def test_every_task_comes_back_once_in_chunks_and_a_pause_is_said(tmp_path):
    backend = LocalBackend(config(), 2, task_fn=slow_on_marked)
    names = [f"r{i}.txt" for i in range(40)] + ["slow.txt"]
    backend.start()
    try:
        for i, name in enumerate(names):
            backend.submit(Task(i, str(tmp_path / name)))
        got = list(backend.results(idle=0.1))
    finally:
        backend.close()
    outcomes = [o for o in got if o is not None]
    assert sorted(o.index for o in outcomes) == list(range(len(names)))
    assert None in got  # the slow file alone at the end: the results paused


def test_scorecard_tasks_go_one_at_a_time():
    import dataclasses

    assert LocalBackend(config(), 2).chunk == 4
    assert LocalBackend(dataclasses.replace(config(), pdf=True), 2).chunk == 1


def test_guard_refuses_an_output_that_is_an_input_by_any_name(tmp_path):
    import pytest

    from scorer.errors import OutputError
    from scorer.outputs import OutputGuard

    reports = []
    for i in range(50):
        reports.append(tmp_path / "in" / f"r{i}.txt")
        reports[-1].parent.mkdir(exist_ok=True)
        reports[-1].write_text("报告", encoding="utf-8")
    (tmp_path / "out").mkdir()
    os.link(reports[7], tmp_path / "out" / "hard.pdf")
    os.symlink(reports[8], tmp_path / "out" / "soft.pdf")
    guard = OutputGuard()
    guard.add_inputs(reports)
    for i in range(50):
        guard.add_output(tmp_path / "out" / f"r{i}.pdf", "--out (scorecard)")
    for name in ("hard.pdf", "soft.pdf"):
        with pytest.raises(OutputError, match="is an input of this run"):
            guard.add_output(tmp_path / "out" / name, "--out (scorecard)")
    with pytest.raises(OutputError, match="is an input of this run"):
        guard.add_output(tmp_path / "in" / ".." / "in" / "r3.txt", "--out")
    # An input added after the first checks counts too.
    late = tmp_path / "late.txt"
    late.write_text("迟到", encoding="utf-8")
    guard.add_inputs([late])
    with pytest.raises(OutputError, match="is an input of this run"):
        guard.add_output(late, "--out")
