"""A worker process that dies takes down only the file it was working on."""

from __future__ import annotations

import os
from pathlib import Path

from scorer.batch.backends import CRASHED, LocalBackend
from scorer.batch.worker import Outcome, Task, WorkerConfig
from scorer.engine import Scorer


def crash_on_poison(task: Task, config: WorkerConfig) -> Outcome:
    """Stands in for run_task: dies like a segfaulting native library on one file."""
    if "poison" in task.path:
        os._exit(11)
    return Outcome(task.index, pid=os.getpid())


def test_only_the_file_that_kills_a_worker_fails(tmp_path):
    info = Scorer.load().rubric_info
    config = WorkerConfig(rubric=info.path, rubric_sha256=info.sha256, pdf=False, max_bytes=1 << 20)
    backend = LocalBackend(config, 2, window_per_worker=3, task_fn=crash_on_poison)
    names = [f"r{i}.txt" for i in range(12)]
    names[5] = "poison.txt"
    backend.start()
    try:
        for i, name in enumerate(names):
            backend.submit(Task(i, str(Path(tmp_path, name))))
        outcomes = {o.index: o for o in backend.results()}
    finally:
        backend.close()
    assert sorted(outcomes) == list(range(12))
    assert outcomes[5].error and CRASHED in outcomes[5].error and "poison.txt" in outcomes[5].error
    assert all(o.ok for i, o in outcomes.items() if i != 5)
