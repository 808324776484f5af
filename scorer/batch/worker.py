"""The work one batch task does, in a worker process (local pool or Dask worker).

A worker loads jieba, the rubric (and its automaton) and, when scorecards are
wanted, the fonts and templates once, on its first task or in the pool's
initializer, and keeps them in a module-level cache for every later task. A task
scores one file (or re-renders a stored result's missing scorecard) and sends back
the result as JSON (UTF-8 bytes) for the store, a small `Summary` for the ranking,
and the worker's peak memory. A local pool hands a worker several tasks at once
(`run_chunk`): one message each way per chunk instead of per report.

Set CIVSCORE_COUNT_SCORING=PATH to have every worker append one line (the file's
path) to PATH per report it scores; the tests use it to prove a resumed batch does
not score a report twice.
"""

from __future__ import annotations

import os
import resource
import signal
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from scorer.errors import CivscoreError

from .summary import Summary

COUNT_ENV = "CIVSCORE_COUNT_SCORING"


@dataclass(frozen=True)
class WorkerConfig:
    rubric: str  # absolute path of the rubric file, or "auto": choose by unit kind (RubricChooser)
    rubric_sha256: str  # the scorer's choice_sha256 in the main process; a worker that loads other bytes refuses
    pdf: bool
    max_bytes: int
    remote: bool = False  # running on a Dask worker


@dataclass(frozen=True)
class Task:
    index: int
    path: str  # absolute path of the report
    scorecard: str | None = None  # absolute path of the scorecard to write, if any
    stored_json: str | bytes | None = None  # a stored result: only (re-)render its scorecard


@dataclass(frozen=True)
class Outcome:
    index: int
    summary: Summary | None = None
    # Set when the task scored the report: `model_dump_json()`'s text as UTF-8 bytes, made so by
    # pydantic and stored so by SQLite (never decoded to a str and encoded again on the way).
    result_json: bytes | None = None
    error: str | None = None  # one line, naming the file (English: the ranking and the summary keep it)
    failure: CivscoreError | None = None  # the error itself when the report could not be scored: its code, fields
    scorecard_written: bool = False
    # the rubric that scored it (with the chooser, each report's own)
    rubric_sha256: str | None = None
    rubric_id: str | None = None
    rubric_version: str | None = None
    pid: int = 0
    maxrss_mb: float = 0.0
    seconds: float = 0.0  # wall time of the task in the worker
    cpu_seconds: float = 0.0  # CPU time of the task in the worker

    @property
    def ok(self) -> bool:
        return self.error is None

    @classmethod
    def failed(cls, index: int, e: CivscoreError) -> "Outcome":
        """A report that could not be scored, for this error."""
        return cls(index, error=e.message, failure=e)


class WorkerSetupError(Exception):
    """A worker cannot score at all (rubric, fonts). It carries the CivscoreError (which
    pickles as its code and fields) across the process boundary; the batch raises that."""

    @property
    def error(self) -> CivscoreError:
        return self.args[0]


class _State:
    def __init__(self, config: WorkerConfig):
        import logging

        import jieba

        from scorer.engine import load_scorer

        jieba.setLogLevel(logging.WARNING)  # one "Building prefix dict" per worker is noise

        self.config = config
        self.scorer = load_scorer(config.rubric)
        self.scorer.compile_all()  # once per worker, before its first report
        if self.scorer.choice_sha256 != config.rubric_sha256:
            raise CivscoreError(config.rubric, "batch.rubric-changed")
        self.write_scorecard = None
        if config.pdf:
            from scorer.report.environment import check_pdf_environment
            from scorer.report.pdf import renderer, write_scorecard

            check_pdf_environment()
            renderer()  # templates, CSS and FontConfiguration, once per process
            self.write_scorecard = write_scorecard
        self.count_path = os.environ.get(COUNT_ENV) or None


_STATE: _State | None = None
_STATE_LOCK = threading.Lock()
_TASK_LOCK = threading.Lock()


def state(config: WorkerConfig) -> _State:
    """This process's scorer (and renderer) for `config`, built on first use."""
    global _STATE
    with _STATE_LOCK:
        if _STATE is None or _STATE.config != config:
            try:
                _STATE = _State(config)
            except CivscoreError as e:
                raise WorkerSetupError(e) from None
        return _STATE


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _count(path: str, line: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line.replace("\n", " ") + "\n").encode("utf-8"))
    finally:
        os.close(fd)


def run_task(task: Task, config: WorkerConfig) -> Outcome:
    """Score (or re-render) one report. Never raises for a bad report: the reason comes
    back as `Outcome.error`. Raises only when the worker itself cannot be set up."""
    st = state(config)
    # One task at a time per process: a Dask worker may run several threads, and the
    # scorer and WeasyPrint are CPU-bound Python (threads would gain nothing) that is
    # not promised to be thread-safe. Scale with processes (dask worker --nthreads 1).
    with _TASK_LOCK:
        return _run_task(st, task, config)


def _run_task(st: _State, task: Task, config: WorkerConfig) -> Outcome:
    t0, c0 = time.perf_counter(), time.process_time()
    summary = result_json = error = failure = None
    written = False
    try:
        if task.stored_json is None:
            if config.remote and not os.path.exists(task.path):
                raise CivscoreError(task.path, "batch.not-on-worker", host=socket.gethostname())
            result = st.scorer.score_path(task.path, max_bytes=config.max_bytes)
            if st.count_path:
                _count(st.count_path, task.path)
            result_json = json_bytes(result)
        else:
            from scorer.result import ScoreResult

            result = ScoreResult.model_validate_json(task.stored_json)
            if result.submission.path != task.path:  # a duplicate, or a folder that moved
                result = result.model_copy(
                    update={"submission": result.submission.model_copy(update={"path": task.path})}
                )
        summary = Summary.of(result)
        if task.scorecard and st.write_scorecard is not None:
            st.write_scorecard(result, Path(task.scorecard))
            written = True
    except CivscoreError as e:
        error = e.message if summary is None else f"{task.path}: scored, but the scorecard failed: {e.problem}"
        failure = e if summary is None else None
    except Exception as e:  # a bug or a library failure on one file must not end the batch
        first = str(e).splitlines()[0] if str(e) else ""
        what = "internal error" if summary is None else "scored, but the scorecard failed"
        error = f"{task.path}: {what}: {type(e).__name__}: {first}"
    # A report that scored but whose scorecard failed still carries its result: the
    # store keeps it and a re-run renders only the missing scorecard.
    info = result.rubric if summary is not None else None
    return Outcome(
        task.index, summary=summary, result_json=result_json, error=error, failure=failure, scorecard_written=written,
        rubric_sha256=info and info.sha256, rubric_id=info and info.id, rubric_version=info and info.version,
        pid=os.getpid(), maxrss_mb=_peak_mb(), seconds=time.perf_counter() - t0,
        cpu_seconds=time.process_time() - c0,
    )


def run_chunk(task_fn, tasks: list[Task], config: WorkerConfig) -> list[Outcome]:
    """Several tasks in one call of a local pool: the pool's messages, its result thread
    and the futures cost the main process (which shares the cores with the workers) per
    call, not per report."""
    return [task_fn(task, config) for task in tasks]


_DUMP_JSON: dict | None = None  # model_dump_json()'s own keyword defaults, whatever the pydantic version


def json_bytes(model) -> bytes:
    """`model.model_dump_json().encode()` without the round trip: model_dump_json is this
    very call followed by `.decode()`. Byte for byte the same JSON (tested)."""
    global _DUMP_JSON
    if _DUMP_JSON is None:
        import inspect

        from pydantic import BaseModel

        params = inspect.signature(BaseModel.model_dump_json).parameters.values()
        _DUMP_JSON = {p.name: p.default for p in params if p.kind is p.KEYWORD_ONLY}
    return model.__pydantic_serializer__.to_json(model, **_DUMP_JSON)


def init_pool_worker(config: WorkerConfig, parent_pid: int) -> None:
    """ProcessPoolExecutor initializer: load everything once, leave Ctrl-C to the main
    process, and exit if the main process dies (a killed batch leaves no orphans)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(1)
            time.sleep(0.5)

    threading.Thread(target=watch, name="civscore-parent-watch", daemon=True).start()
    try:
        state(config)
    except WorkerSetupError:
        pass  # raised again by the first task, whose future carries it to the main process


def warm_up(config: WorkerConfig) -> float:
    """Load everything now (Dask: `client.run(warm_up, config)`); returns peak MB."""
    state(config)
    return _peak_mb()
