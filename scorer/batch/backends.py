"""Where batch tasks run: a local process pool, or a Dask distributed cluster.

Both take `Task`s, run `worker.run_task` on them and hand back `Outcome`s as they
complete; the batch runner does everything else (store, ranking, PDFs) the same
way for both. Tasks can be submitted while results are being consumed (a duplicate
file's scorecard is rendered once its twin has been scored).
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import time
import uuid
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from queue import Empty, SimpleQueue
from typing import Iterator

from scorer.errors import CivscoreError
from scorer.messages import render

from .worker import Outcome, Task, WorkerConfig, WorkerSetupError, init_pool_worker, run_chunk, run_task, warm_up

CRASHED = render("batch.crashed", {})  # the English line, as the outcome's error says it


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class LocalBackend:
    """A ProcessPoolExecutor whose workers load the scorer (and fonts) once, in the
    pool's initializer. 'spawn' start method: the main process runs a progress
    thread and holds a SQLite connection, neither of which survives fork well.

    At most `window` tasks are in the pool at a time: results are stored as they
    arrive, so a killed batch loses only those (and the last uncommitted group). If a worker dies (a crash in a
    native library, the OOM killer), the tasks it may have held are retried one at
    a time in a fresh pool, so only the file that kills a worker is marked failed.

    Score-only tasks go to the pool in chunks of up to `chunk` (`worker.run_chunk`):
    every call of the pool costs the main process a message each way, a wake-up of
    the pool's result thread and a future, and the main process shares the cores
    with the workers. The chunks shrink as the queue empties, so both workers finish
    together. Tasks that render a scorecard (~0.3 s each) go one at a time."""

    def __init__(self, config: WorkerConfig, workers: int, *, window_per_worker: int = 8, task_fn=run_task,
                 chunk: int = 4):
        self.config = config
        self.task_fn = task_fn  # a module-level function(task, config) -> Outcome (tests swap it)
        self.workers = max(1, workers)
        self.window_per_worker = window_per_worker
        self.chunk = 1 if config.pdf else max(1, chunk)
        self.queue: deque[Task] = deque()
        self.suspects: deque[Task] = deque()
        self.inflight: dict[Future, list[Task]] = {}
        self.done: SimpleQueue[Future] = SimpleQueue()  # futures as they complete (their callbacks)
        self.pool: ProcessPoolExecutor | None = None
        self.warming: list[Future] = []
        self.isolating = False

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=init_pool_worker,
            initargs=(self.config, os.getpid()),
        )

    def start(self) -> None:
        """Start the workers; they load while the main process hashes the files."""
        self.window = self.workers * self.window_per_worker
        self.pool = self._new_pool()
        self.warming = [self.pool.submit(warm_up, self.config) for _ in range(self.workers)]

    def submit(self, task: Task) -> None:
        self.queue.append(task)

    def _submit(self, tasks: list[Task]) -> None:
        fut = self.pool.submit(run_chunk, self.task_fn, tasks, self.config)
        self.inflight[fut] = tasks
        fut.add_done_callback(self.done.put)

    def _fill(self) -> None:
        if self.suspects:
            if not self.inflight:  # a suspect runs alone
                self._submit([self.suspects.popleft()])
                self.isolating = True
            return
        self.isolating = False
        held = sum(len(t) for t in self.inflight.values())
        while self.queue and held < self.window:
            # Whole chunks while the queue is long; smaller ones near its end.
            n = max(1, min(self.chunk, len(self.queue) // (2 * self.workers), self.window - held))
            self._submit([self.queue.popleft() for _ in range(min(n, len(self.queue)))])
            held += n

    def _check_warm_up(self) -> None:
        for fut in self.warming:
            try:
                fut.result()
            except WorkerSetupError as e:
                raise e.error from None
            except BrokenProcessPool:
                raise CivscoreError(None, "batch.workers-failed") from None
        self.warming = []

    def results(self, idle: float | None = None) -> Iterator[Outcome | None]:
        """Outcomes as they complete. With `idle`, also None whenever `idle` seconds pass
        without one (the batch commits what it holds)."""
        self._check_warm_up()
        while self.queue or self.suspects or self.inflight:
            self._fill()
            try:
                fut = self.done.get(timeout=idle)
            except Empty:
                yield None
                continue
            tasks = self.inflight.pop(fut, None)
            if tasks is None:  # a future of a pool that broke and was replaced
                continue
            try:
                outcomes = fut.result()
            except BrokenProcessPool:
                yield from self._replace_pool(tasks)
                continue
            except WorkerSetupError as e:
                raise e.error from None
            yield from outcomes

    def _replace_pool(self, tasks: list[Task]) -> Iterator[Outcome]:
        """A worker died: keep what other calls finished, retry the rest one at a time."""
        lost = list(tasks)
        for fut, held in self.inflight.items():
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                yield from fut.result()
            else:
                lost.extend(held)
        self.inflight.clear()
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._new_pool()
        if self.isolating:  # it ran alone: it is the file that kills a worker
            yield Outcome.failed(lost[0].index, CivscoreError(lost[0].path, "batch.crashed"))
            lost = lost[1:]
        self.suspects.extend(sorted(lost, key=lambda t: t.index))

    def close(self, *, cancel: bool = False) -> None:
        """Stop the pool. Idle workers exit on their own; nothing is waited for."""
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=cancel)
            self.pool = None


class DaskBackend:
    """The same tasks on a Dask distributed cluster. Each Dask worker process builds
    the scorer once (the module-level cache in `worker`) and keeps it. Workers read
    the reports and write scorecards by path: they must see the intake folder and
    --out at the same paths as this machine (a shared file system)."""

    def __init__(self, config: WorkerConfig, address: str, *, window_per_thread: int = 8):
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise CivscoreError(None, "batch.needs-dask") from None
        self.config = dataclasses.replace(config, remote=True)
        self.address = address
        self.window_per_thread = window_per_thread
        self.queue: deque[Task] = deque()
        self.inflight: dict = {}
        self.client = None
        self.workers = 0
        self.serial = 0
        self.run_id = uuid.uuid4().hex[:12]

    def start(self) -> None:
        from distributed import Client

        try:
            self.client = Client(self.address, timeout="10s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as e:
            raise CivscoreError(None, "batch.scheduler-unreachable", address=self.address, error=str(e)) from None
        try:
            peaks = self.client.run(warm_up, self.config)
        except WorkerSetupError as e:
            self.close(cancel=True)
            raise e.error from None
        self.workers = max(1, len(peaks))
        threads = sum(self.client.nthreads().values()) or 1
        self.window = threads * self.window_per_thread

    def submit(self, task: Task) -> None:
        self.queue.append(task)

    def _fill(self, done_queue) -> None:
        while self.queue and len(self.inflight) < self.window:
            task = self.queue.popleft()
            self.serial += 1
            fut = self.client.submit(run_task, task, self.config, pure=False,
                                     key=f"civscore-{self.run_id}-{task.index}-{self.serial}")
            self.inflight[fut] = task
            done_queue.add(fut)

    def results(self, idle: float | None = None) -> Iterator[Outcome | None]:
        """Outcomes as they complete; with `idle`, None whenever `idle` seconds pass without one."""
        from distributed import as_completed

        done_queue = as_completed(loop=self.client.loop, raise_errors=False)
        while self.queue or self.inflight:
            self._fill(done_queue)
            if idle is not None and not done_queue.has_ready():
                deadline = time.monotonic() + idle
                while not done_queue.has_ready() and time.monotonic() < deadline:
                    time.sleep(0.01)
                if not done_queue.has_ready():
                    yield None
                    continue
            fut = next(done_queue)
            task = self.inflight.pop(fut)
            try:
                outcome = fut.result()
            except WorkerSetupError as e:
                raise e.error from None
            except Exception as e:  # KilledWorker and friends: this file, not the batch
                outcome = Outcome.failed(task.index, CivscoreError(task.path, "batch.dask-task-failed",
                                                                   type=type(e).__name__, error=str(e)))
            finally:
                fut.release()
            yield outcome

    def close(self, *, cancel: bool = False) -> None:
        if self.client is not None:
            if cancel and self.inflight:
                self.client.cancel(list(self.inflight))
            self.inflight.clear()
            self.client.close()
            self.client = None
