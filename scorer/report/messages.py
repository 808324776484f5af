"""Messages between civscore's renderer processes over pipes (scorer.report.prewarm and
scorer.report.split): an 8-byte length, then a pickle; and the ends of their pipes and processes. Standard library only: the parent
that imports this must not pay for WeasyPrint. A deadline (time.monotonic()) bounds every
wait; None waits for ever (the other end's exit still ends it: EOFError)."""

from __future__ import annotations

import os
import pickle
import select
import signal
import time


def _wait(fd: int, write: bool, deadline: float | None) -> None:
    while True:
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            raise TimeoutError
        r, w, _ = select.select([] if write else [fd], [fd] if write else [], [], left)
        if r or w:
            return


def send(fd: int, obj, deadline: float | None = None) -> None:
    data = pickle.dumps(obj, pickle.HIGHEST_PROTOCOL)
    view = memoryview(len(data).to_bytes(8, "big") + data)
    while view:
        _wait(fd, True, deadline)
        try:
            view = view[os.write(fd, view):]
        except BlockingIOError:
            pass


def read(fd: int, n: int, deadline: float | None) -> bytes:
    chunks = []
    while n:
        _wait(fd, False, deadline)
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_message(fd: int, deadline: float | None = None) -> bytes:
    """One message's pickle, not yet unpickled (to pass on as it came)."""
    return read(fd, int.from_bytes(read(fd, 8, deadline), "big"), deadline)


def recv(fd: int, deadline: float | None = None):
    return pickle.loads(read_message(fd, deadline))


def close_quietly(*fds: int) -> None:
    """Close each pipe end; one already closed (or never opened, -1) is no error."""
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


def end_process(pid: int, first: int, grace: float) -> None:
    """Reap a child of this process: at once if it has ended, else after signal `first` and up to
    `grace` seconds for it to end, else after SIGKILL. One already reaped is no error."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0]:
            return
        os.kill(pid, first)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if os.waitpid(pid, os.WNOHANG)[0]:
                return
            time.sleep(0.005)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ChildProcessError, ProcessLookupError):
        pass


__all__ = ["close_quietly", "end_process", "read", "read_message", "recv", "send"]
