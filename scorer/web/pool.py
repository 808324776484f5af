"""Scoring in worker processes, so that both cores score and the server's event loop
stays free for pages while a report is being read.

Each worker loads jieba and the bundled rubrics once (initializer) and scores the
bytes it is sent; it answers with plain data (result JSON, summary JSON, or the
Chinese refusal), never with an exception object. `workers=0` scores in the server
process itself (the tests' default, and a fallback).
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .uploads import UploadRefused, score_upload

_SCORERS: dict = {}
# The upload form's default: each submission gets the shipped rubric for its kind of unit
# (scorer.engine.RubricChooser; the result says why in `rubric.chosen_by`).
AUTO = "auto"


@dataclass(frozen=True)
class Scored:
    result_json: str
    summary_json: str
    sha256: str
    rubric_sha256: str
    rubric_id: str
    rubric_version: str
    name: str


def _scorer(rubric: str):
    """A bundled rubric's Scorer, or for AUTO the RubricChooser (both score_path alike)."""
    if rubric not in _SCORERS:
        from scorer.engine import load_scorer

        _SCORERS[rubric] = load_scorer(rubric)
    return _SCORERS[rubric]


def _init(rubrics: tuple[str, ...]) -> None:
    import gc

    for name in rubrics:
        _scorer(name).compile_all()  # the chooser compiles each rubric on first use otherwise
        _scorer(name).score_text("预热用的一段文字，不是申报材料。" * 4)
    gc.collect()
    gc.freeze()  # jieba's dictionary is never garbage: keep the collector from walking it


def score_job(rubric: str, data: bytes, client_name: str | None, uploads_dir: str, max_bytes: int):
    """→ ("ok", Scored) or ("refused", message, detail, status, code)."""
    from scorer.batch.summary import Summary

    try:
        r = score_upload(_scorer(rubric), data, client_name, Path(uploads_dir), max_bytes=max_bytes)
    except UploadRefused as e:
        return ("refused", e.message, e.detail, e.status, e.code)
    return ("ok", Scored(r.model_dump_json(), Summary.of(r).to_json(), r.submission.sha256, r.rubric.sha256,
                         r.rubric.id, r.rubric.version, r.submission.path))


class ScoringPool:
    def __init__(self, workers: int, rubrics: tuple[str, ...]):
        self.workers = workers
        self.rubrics = rubrics
        self._pool: ProcessPoolExecutor | None = None
        if workers > 0:
            # spawn, not fork: the server has threads (and SQLite connections) by then.
            self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_init, initargs=(rubrics,))

    def warm(self, timeout: float = 120) -> None:
        """Start every worker and wait until each has loaded the rubrics (a worker runs its
        initializer before its first job, so one answer from each pid is enough)."""
        if self._pool is None:
            return
        import time

        seen: set[int] = set()
        deadline = time.monotonic() + timeout
        while len(seen) < self.workers and time.monotonic() < deadline:
            seen.update(self._pool.map(_whoami, range(self.workers * 2)))

    def warm_in_background(self) -> None:
        """Warm the workers in a thread: the pages answer at once, and an upload that comes
        before a worker is ready waits in the pool's queue."""
        import threading

        def run() -> None:
            try:
                self.warm()
            except Exception:  # shut down meanwhile, or a worker that failed: the first job says why
                pass

        threading.Thread(target=run, name="civscore-pool-warm", daemon=True).start()

    async def score(self, rubric: str, data: bytes, client_name: str | None, uploads_dir: Path, max_bytes: int):
        job = functools.partial(score_job, rubric, data, client_name, str(uploads_dir), max_bytes)
        if self._pool is None:
            return job()
        return await asyncio.get_running_loop().run_in_executor(self._pool, job)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _whoami(_) -> int:
    import os
    import time

    time.sleep(0.05)  # long enough that the jobs spread over the workers
    return os.getpid()
