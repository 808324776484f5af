"""Scorecards rendered by a forked child that got ready while the parent scored (issue 19).

A command that will write scorecard PDFs calls `start()` as early as it can. That forks a
child which checks the PDF environment (fonts, HarfBuzz), imports WeasyPrint, builds the
renderer (`scorer.report.pdf.renderer()`), all on the other core while the parent imports
the engine and scores; if it is then still idle and a core is free, it warms the renderer
by laying out and writing a tiny document in the scorecard's own stylesheet (font loading,
fontconfig/pango caches, the HarfBuzz subsetter, cffi's type parsing). The parent then hands each `ScoreResult` to the child over a pipe
(pickled) and the child writes it with `write_scorecard`, exactly as in-process: the same
atomic write, file name and errors (a `CivscoreError` crosses back by pickling and is said
by the parent, in its language). Warm, the child forks a helper of its own: when a core is
free, the two lay out the scorecard's halves side by side and the child joins them
(scorer.report.split), the same pages in about half the time.

    start()                      # early; idempotent; None where it cannot fork
    write = writer()             # the environment check (the child's answer), then a writer
    write(result, target)        # the child writes it, or this process does
    stop()                       # always (a finally): the child never outlives the command

Whenever the child cannot serve — no fork (another OS, other threads running, or
CIVSCORE_PDF_CHILD=0), a fork that fails, a child that died, hung or met an error that
is not a `CivscoreError` — the scorecard is rendered in this process as before, so the
user sees what an in-process run shows. The child dies with the parent (PR_SET_PDEATHSIG
on Linux, and end of file on its pipe everywhere); SIGTERM or Ctrl-C in the child ends a
write the way an interrupted in-process write ends: the temp file removed, the target
untouched.

Only standard-library modules are imported here: the parent must not pay for WeasyPrint.
"""

from __future__ import annotations

import gc
import glob
import os
import pickle
import select
import signal
import sys
import threading
import time

from .messages import close_quietly, end_process, read_message, recv as _recv, send as _send

ENV_SWITCH = "CIVSCORE_PDF_CHILD"  # "0": never fork, render in this process
READY_TIMEOUT = 120.0  # s for the child's environment check (fc-list has 30 s of its own)
JOB_TIMEOUT = 600.0  # s for one scorecard; a child slower than that is taken for hung
_STOP_GRACE = 5.0  # s for a stopped child to clean up its temp file before SIGKILL

# A small document in the scorecard's stylesheet: CJK and Latin text, digits, a table, a
# running header, page counters and an SVG with text, as the scorecard has them.
_WARM_HTML = (
    '<div class="run-head"><span class="run-unit">样例页眉</span></div>'
    '<div class="run-foot">civscore 0.1 / 9 · 样例页脚</div>'
    "<h1>样例标题 Sample</h1><p>甲乙丙丁，样例段落。87.5 / 90，丙等。</p>"
    '<table class="summary"><tr><th>样例</th><td class="score">7.5</td><td class="lvl">甲</td></tr></table>'
    '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20" viewBox="0 0 60 20">'
    '<rect x="0" y="0" width="30" height="10" fill="#23426b"/>'
    '<text x="2" y="18" font-family="Noto Sans CJK SC" font-size="9">样例 8</text></svg>'
)

_child: _Child | None = None


class _Stop(BaseException):
    """Raised in the child by SIGTERM: unwinds like Ctrl-C (atomic_write removes its temp file)."""


_writing = False  # the child is inside write_scorecard: a stop must unwind to remove its temp file


def _on_sigterm(signum, frame):
    """SIGTERM or Ctrl-C in the child. Before a write there is nothing to clean up: it ends at
    once and quietly (an exception raised while it imports could land in a weakref callback,
    where Python prints it and goes on). During a write it unwinds, as an in-process write does."""
    if not _writing:
        os._exit(1)
    raise _Stop()


def can_fork() -> bool:
    """Forking is safe only with one thread: a lock another thread holds stays held in the child."""
    return (hasattr(os, "fork") and os.environ.get(ENV_SWITCH, "1") != "0"
            and threading.active_count() == 1)


def start() -> _Child | None:
    """Fork the renderer child unless one is running; None (render in-process) where it cannot."""
    global _child
    if _child is not None:
        return _child
    if not can_fork():
        return None
    for stream in (sys.stdout, sys.stderr):  # nothing buffered is written twice
        try:
            stream.flush()
        except Exception:
            pass
    jobs_r, jobs_w = os.pipe()
    replies_r, replies_w = os.pipe()
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError:
        for fd in (jobs_r, jobs_w, replies_r, replies_w):
            os.close(fd)
        return None
    if pid == 0:  # the child: never returns into the caller's code
        code = 0
        try:
            os.close(jobs_w)
            os.close(replies_r)
            _serve(parent, jobs_r, replies_w)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(jobs_r)
    os.close(replies_w)
    _child = _Child(pid, jobs_w, replies_r)
    return _child


def stop() -> None:
    """End the child (if any) and reap it."""
    global _child
    child, _child = _child, None
    if child is not None:
        child.close()


def writer():
    """Check the PDF environment once (the child's check, else this process's) and return
    `write(result, target)`. Raises `EnvironmentProblem` like `check_pdf_environment`."""
    child = _child
    if child is not None and child.ready():
        return child.write
    stop()
    return _write_here()


def _write_here():
    """The in-process writer, after the environment check, as before the child."""
    from .environment import check_pdf_environment

    check_pdf_environment()

    def write(result, target) -> None:
        from .pdf import write_scorecard

        write_scorecard(result, target)

    return write


class _Child:
    """The parent's handle on the child: a pipe for jobs, one for replies."""

    def __init__(self, pid: int, jobs_fd: int, replies_fd: int):
        self.pid = pid
        self.jobs = jobs_fd
        self.replies = replies_fd
        os.set_blocking(jobs_fd, False)  # a hung child never blocks a write past its deadline
        self.failed = False
        self._ready: bool | None = None
        self._here = None

    def _reply(self, timeout: float):
        """The child's next message, or None when it died, hung or spoke nonsense."""
        try:
            return _recv(self.replies, time.monotonic() + timeout)
        except Exception:  # end of file (it died), a torn message, the deadline
            return None

    def _give_up(self) -> None:
        """From now on every scorecard is rendered in this process."""
        self.failed = True
        self.close()

    def ready(self) -> bool:
        """True once the child found the environment sound; raises its `EnvironmentProblem`;
        False when it cannot serve (the caller checks in-process)."""
        if self._ready is None:
            msg = self._reply(READY_TIMEOUT)
            self._ready = isinstance(msg, tuple) and len(msg) == 2 and msg[0] == "env"
            if not self._ready:
                self._give_up()
            elif msg[1] is not None:
                self._ready = False
                self.close()
                raise msg[1]
        return self._ready and not self.failed

    def write(self, result, target) -> None:
        """Have the child write `result`'s scorecard to `target`; raise what it raised, as
        `write_scorecard` would; render in this process when the child cannot."""
        if not self.failed:
            from .format import matching_methods

            job = (result, str(target), matching_methods(result))
            before = _temp_files(target)
            deadline = time.monotonic() + JOB_TIMEOUT
            try:
                _send(self.jobs, job, deadline)
                msg = _recv(self.replies, deadline)
            except Exception:  # the child is gone (EPIPE, end of file) or hung
                msg = None
            if isinstance(msg, tuple) and len(msg) == 2 and msg[0] == "done":
                if msg[1] is None:
                    return
                raise msg[1]
            self._give_up()  # dead, hung, or an error that is not ours to say: this process tries
            for tmp in _temp_files(target) - before:  # what a child killed mid-write left
                tmp.unlink(missing_ok=True)
        if self._here is None:
            self._here = _write_here()
        self._here(result, target)

    def close(self) -> None:
        """Close the job pipe (the child ends at its end), stop it if it is still busy, reap it."""
        close_quietly(self.jobs, self.replies)
        self.jobs = self.replies = -1
        if self.pid is None:
            return
        pid, self.pid = self.pid, None
        # SIGTERM finds it warming or waiting, never mid-write (writes are awaited); a write it
        # was in removes its temp file within the grace.
        end_process(pid, signal.SIGTERM, _STOP_GRACE)


def _temp_files(target) -> set:
    """The temp files of `atomic_write(target)` there now."""
    from pathlib import Path

    from scorer.outputs import _temp_prefix

    target = Path(target)
    try:
        return set(target.parent.glob(glob.escape(_temp_prefix(target)) + "*.tmp"))
    except OSError:
        return set()


# -- the child -----------------------------------------------------------------------


def _die_with_parent(parent: int) -> None:
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGINT, _on_sigterm)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except Exception:
            pass
    if os.getppid() != parent:  # the parent died before the line above
        raise _Stop()


def _quiet_std_streams() -> None:
    """Standard input and output to /dev/null: the child never reads or prints, and must not
    hold a pipe open for a reader of the parent's output. Standard error stays (a library's
    warning goes where it goes in-process)."""
    fd = os.open(os.devnull, os.O_RDWR)
    for target in (0, 1):
        os.dup2(fd, target)
    os.close(fd)


def _idle_core() -> bool:
    """No more tasks runnable than cores (the parent scoring, this child, and nothing else on a
    2-core machine): the warm-up then costs the parent nothing. On a busy machine it would take
    CPU from the parent's scoring. Where the moment's count is unknown, the one-minute load
    average stands in."""
    from .split import cores, runnable_tasks

    runnable = runnable_tasks()
    if runnable is not None:
        return runnable <= cores()
    try:
        return os.getloadavg()[0] < cores() - 1
    except OSError:
        return False


def _warm(renderer, jobs_fd: int) -> None:
    """Lay out and write the small document, unless a job is already waiting (the real render
    warms the same caches, and a warm-up it waits for only delays it) or no core is free."""
    from weasyprint import HTML

    def waiting() -> bool:  # a job, or the end of the pipe
        return bool(select.select([jobs_fd], [], [], 0)[0])

    if waiting() or not _idle_core():
        return
    html = HTML(string=_WARM_HTML, base_url=renderer.base_url, url_fetcher=renderer.fetcher)
    document = html.render(stylesheets=[renderer.css], font_config=renderer.font_config)
    if not waiting():
        document.write_pdf()


def _serve(parent: int, jobs_fd: int, replies_fd: int) -> None:
    global _writing
    _die_with_parent(parent)
    _quiet_std_streams()
    from scorer.errors import CivscoreError

    from .environment import check_pdf_environment

    try:
        check_pdf_environment()
    except CivscoreError as e:
        _send(replies_fd, ("env", e))
        return
    _send(replies_fd, ("env", None))
    from . import format as fmt, pdf, split

    try:
        _warm(pdf.renderer(), jobs_fd)
    except Exception:  # warming is only a head start: the real render says what is wrong
        pass
    # The child renders every scorecard of the run: the collector, which the command line
    # keeps off during start-up (scorer.cli.process), runs as usual from here.
    gc.freeze()
    gc.enable()
    # A helper forked from here, warm, lays out the back half of each scorecard on the
    # other core while this process lays out the front (scorer.report.split).
    helper = None
    try:
        if split.prepare():
            helper = split.start_helper(pdf.renderer(), close_fds=(jobs_fd, replies_fd))
    except Exception:
        helper = None
    while True:
        try:
            raw = read_message(jobs_fd)
        except EOFError:
            if helper is not None:
                helper.close()
            return
        generated = fmt.today()  # one date for the whole scorecard, both halves
        if helper is not None and split.core_free(helper):
            helper.announce(raw, generated)  # before unpickling here: the halves start together
        result, target, methods = pickle.loads(raw)
        fmt.remember_methods(result, methods)
        try:
            _writing = True
            try:
                split.write(helper, result, target, generated)
            finally:
                _writing = False
        except CivscoreError as e:
            _send(replies_fd, ("done", e))
        except Exception:  # not a user's error: the parent renders it in-process and says it there
            _send(replies_fd, ("failed", None))
            return
        else:
            _send(replies_fd, ("done", None))


__all__ = ["ENV_SWITCH", "can_fork", "start", "stop", "writer"]
