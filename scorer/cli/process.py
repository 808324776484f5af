"""The `civscore` process itself: what it sets before anything heavy is imported, when its
start-up is over, and how it ends.

A one-report `civscore score` spends most of its second starting and stopping, not
scoring (bench/bench_score.py times the whole process). Three settings of the process,
none of which changes a result:

- **One BLAS thread.** numpy's OpenBLAS starts a thread per core on import; the judge's
  products are small, and batch runs one worker per core already. `OPENBLAS_NUM_THREADS`
  (and OMP's) default to 1 unless the user set them.
- **No pydantic plugins.** pydantic looks for plugins by scanning every installed
  package's entry points (importlib.metadata) the first time a model validates; civscore
  uses none. `PYDANTIC_DISABLE_PLUGINS` defaults to `__all__` unless the user set it.
- **No cyclic garbage collection during start-up.** Start-up builds hundreds of thousands
  of objects (modules, pydantic schemas, the rubric, jieba's terms) that all live until
  exit, so the collector's passes over them free nothing. It is off from the first line
  until `startup_over()`: right away for commands that run long (batch, serve, train, …),
  after the first report for `score` and `check`. Then the start-up objects are frozen out
  of its passes (`gc.freeze`) and it runs as usual.

And the end: when the command has returned with no other thread alive, every atexit handler
runs (temporary files, child processes, logging), stdout and stderr are flushed and the
process exits with `os._exit`, skipping the interpreter's teardown, which only frees memory
the operating system reclaims anyway (about 80 ms for a scored report). With other threads
alive (a batch's worker pool, the workbench) the interpreter ends as usual, since it stops
threads before it runs the atexit handlers that join child processes.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
import threading

# Commands that score reports and exit: the collector stays off until their first report is
# done (`score --watch` runs long and turns it on when it starts watching).
ONE_SHOT = frozenset({"score", "check"})

_deferred = False


def defer_collection() -> None:
    """Turn the cyclic collector off for start-up (the console script does this first)."""
    global _deferred
    if gc.isenabled():
        gc.disable()
        _deferred = True


def startup_over() -> None:
    """Start-up is over: freeze what it built out of the collector's passes and turn the
    collector back on. Idempotent; nothing to do where start-up never turned it off."""
    global _deferred
    if _deferred:
        _deferred = False
        gc.freeze()
        gc.enable()


def command_started(name: str | None) -> None:
    """The root group resolved its subcommand: a command that runs long gets its collector now."""
    if name not in ONE_SHOT:
        startup_over()


def _exit_code(code) -> int:
    """What `sys.exit(code)` would end the process with."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a closed pipe (`civscore score … | head`), a closed stream
            pass


def prepare() -> None:
    """The process's own settings, before anything heavy is imported (the console script's
    first step)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    defer_collection()


def finish(code) -> None:
    """End the process with `sys.exit`'s code for `code`: the atexit handlers run, stdout
    and stderr are flushed, and the interpreter's teardown is skipped."""
    code = _exit_code(code)
    if threading.active_count() > 1:
        # Other threads (a worker pool's manager, a server's) are stopped by the interpreter's own
        # exit, in its order: threads first, then the atexit handlers that join child processes.
        sys.exit(code)
    atexit._run_exitfuncs()
    _flush()
    os._exit(code)
