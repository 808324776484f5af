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
import uuid
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Iterator

from scorer.errors import CivscoreError
from scorer.messages import render

from .worker import Outcome, Task, WorkerConfig, WorkerSetupError, init_pool_worker, run_task, warm_up

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
    arrive, so a killed batch loses only those. If a worker dies (a crash in a
    native library, the OOM killer), the tasks it may have held are retried one at
    a time in a fresh pool, so only the file that kills a worker is marked failed."""

    def __init__(self, config: WorkerConfig, workers: int, *, window_per_worker: int = 8, task_fn=run_task):
        self.config = config
        self.task_fn = task_fn  # a module-level function(task, config) -> Outcome (tests swap it)
        self.workers = max(1, workers)
        self.window_per_worker = window_per_worker
        self.queue: deque[Task] = deque()
        self.suspects: deque[Task] = deque()
        self.inflight: dict[Future, Task] = {}
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

    def _submit(self, task: Task) -> None:
        self.inflight[self.pool.submit(self.task_fn, task, self.config)] = task

    def _fill(self) -> None:
        if self.suspects:
            if not self.inflight:  # a suspect runs alone
                self._submit(self.suspects.popleft())
                self.isolating = True
            return
        self.isolating = False
        while self.queue and len(self.inflight) < self.window:
            self._submit(self.queue.popleft())

    def _check_warm_up(self) -> None:
        for fut in self.warming:
            try:
                fut.result()
            except WorkerSetupError as e:
                raise e.error from None
            except BrokenProcessPool:
                raise CivscoreError(None, "batch.workers-failed") from None
        self.warming = []

    def results(self) -> Iterator[Outcome]:
        self._check_warm_up()
        while self.queue or self.suspects or self.inflight:
            self._fill()
            done, _ = wait(list(self.inflight), return_when=FIRST_COMPLETED)
            broken: list[Task] = []
            for fut in done:
                task = self.inflight.pop(fut)
                try:
                    outcome = fut.result()
                except BrokenProcessPool:
                    broken.append(task)
                    continue
                except WorkerSetupError as e:
                    raise e.error from None
                yield outcome
            if broken:
                lost = broken + list(self.inflight.values())
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

    def results(self) -> Iterator[Outcome]:
        from distributed import as_completed

        done_queue = as_completed(loop=self.client.loop, raise_errors=False)
        while self.queue or self.inflight:
            self._fill(done_queue)
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
