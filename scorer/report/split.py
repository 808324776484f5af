"""A scorecard laid out in two halves by two processes side by side (issue 19).

WeasyPrint lays out a document on one core. A scorecard written by `civscore score -o` is
rendered by a forked child (scorer.report.prewarm) while the parent, its scoring done, waits
on the other core. Every dimension of the scorecard starts a page (templates/scorecard.css),
so the document falls into two halves that lay out exactly as the whole does:

    front  the cover and the first k dimensions           (this process)
    back   the other dimensions, the bonus items, the appendix   (a helper forked from it)

Two things join them. The page numbers (第 N 页 / 共 M 页) count both halves: each half lays
out its pages, the halves tell each other how many they have before their margin boxes are
laid out, and the back's numbers start after the front's (`_Numbering`, a hook on WeasyPrint's
margin-box layout). The PDF bytes are then merged by pikepdf (qpdf), with the outline (bookmarks)
rebuilt as WeasyPrint nests it for the whole document.

Whatever goes wrong on the way (the helper died, hung or failed; WeasyPrint laid out the
margin boxes some other way than this module expects) ends in the whole scorecard rendered
by this process, as before: the split is only ever faster, never different.
tests/test_split_scorecard.py holds the halves to the whole page by page, pixel for pixel.
"""

from __future__ import annotations

import io
import os
import pickle
import select
import signal
import time

from .messages import close_quietly, end_process, recv as _recv, send as _send

ENV_SWITCH = "CIVSCORE_PDF_SPLIT"  # "0": never split; "force": always; else when a core is free
HELPER_TIMEOUT = 600.0  # s for the helper's half (the whole job has the same deadline)

# Layout cost of the parts, in characters of quoted text: a rough model (the cover costs about
# a page of quotes). On the five seeds the point it picks gives halves within 5 % of the best
# split's slower half, measured.
_COVER_COST = 1600
_CRITERION_COST = 90
_APPENDIX_COST = 700
_QUOTE_CAP = 240  # long sentences are quoted as an excerpt


class SplitFailed(Exception):
    """The halves could not be rendered or joined: the caller renders the whole scorecard."""


def _criterion_cost(c) -> int:
    from .pdf import MAX_QUOTES

    return _CRITERION_COST + sum(min(len(e.text), _QUOTE_CAP) for e in c.shown(MAX_QUOTES))


def split_point(result) -> int | None:
    """k: the front holds the first k dimensions, chosen so the halves cost about the same;
    None when the scorecard has too little to split."""
    dims = [sum(_criterion_cost(c) for c in d.criteria) for d in result.dimensions]
    back_tail = _APPENDIX_COST + sum(_criterion_cost(c) for c in result.bonus.items) + _CRITERION_COST
    if not dims:
        return None
    best = None
    # The front holds at least one dimension: the first dimension's rows follow the table's head
    # on the page that opens the details; a back that began with them would start a page more.
    for k in range(1, len(dims) + 1):
        front = _COVER_COST + sum(dims[:k])
        back = back_tail + sum(dims[k:])
        cost = max(front, back)
        if best is None or cost < best[0]:
            best = (cost, k)
    return best[1]


# -- page numbers across the halves ----------------------------------------------------

_active: _Numbering | None = None  # the half being laid out in this process, if any


class _Numbering:
    """Before a half's first margin box: learn the other half's page count (`span(own) ->
    (offset, total)`), then number this half's pages from offset + 1 out of total."""

    def __init__(self, span):
        self.span = span
        self.offset_total: tuple[int, int] | None = None
        self.pages = 0

    def number(self, state) -> None:
        counters = state[1]  # WeasyPrint's page state: (quotes, counter values, scopes, groups)
        if self.offset_total is None:
            self.offset_total = self.span(counters["pages"][-1])
        offset, total = self.offset_total
        counters["page"] = [*counters["page"][:-1], counters["page"][-1] + offset]
        counters["pages"] = [total]
        self.pages += 1


def _install() -> bool:
    """Wrap WeasyPrint's margin-box layout (once per process); False where it is not there."""
    import weasyprint.layout as layout

    original = getattr(layout, "make_margin_boxes", None)
    if original is None:
        return False
    if getattr(original, "_civscore_numbering", False):
        return True

    def make_margin_boxes(context, page, state):
        if _active is not None:
            _active.number(state)
        return original(context, page, state)

    make_margin_boxes._civscore_numbering = True
    layout.make_margin_boxes = make_margin_boxes
    return True


def prepare() -> bool:
    """Import what joining halves needs and install the numbering hook; False: no split here."""
    if os.environ.get(ENV_SWITCH, "1") == "0":
        return False
    try:
        import pikepdf  # noqa: F401

        return _install()
    except Exception:
        return False


def render_half(renderer, result, part: tuple[str, int], generated, span) -> tuple[bytes, list[int]]:
    """Lay out and write one half; `span(own_pages) -> (offset, total)` numbers its pages.
    Returns the PDF bytes and the bookmark levels in order (for the merged outline)."""
    global _active
    from weasyprint import HTML

    from .pdf import mark

    html = HTML(string=renderer.html(result, generated=generated, part=part), base_url=renderer.base_url,
                url_fetcher=renderer.fetcher)
    numbering = _Numbering(span)
    with renderer._lock:
        _active = numbering
        try:
            document = html.render(stylesheets=[renderer.css], font_config=renderer.font_config)
        finally:
            _active = None
        if numbering.offset_total is None or numbering.pages != len(document.pages):
            raise SplitFailed("the page numbers of a half were not set")
        levels = [b[0] for page in document.pages for b in page.bookmarks]
        return mark(document).write_pdf(), levels


def merge(front: bytes, back: bytes, front_levels: list[int], back_levels: list[int]) -> bytes:
    """One PDF: the front (its document information and catalog, /Lang with them), the back's
    pages after its own, and one outline nested as WeasyPrint nests the whole document's:
    an item goes under the nearest earlier item of a lower bookmark level."""
    import pikepdf

    pdf = pikepdf.Pdf.open(io.BytesIO(front))
    other = pikepdf.Pdf.open(io.BytesIO(back))
    offset = len(pdf.pages)
    back_index = {page.obj.objgen: i for i, page in enumerate(other.pages)}
    pdf.pages.extend(other.pages)
    marks = []  # (level, title, destination, closed) in reading order
    with other.open_outline() as outline:
        flat = list(_flatten(outline.root))
    if len(flat) != len(back_levels):
        raise SplitFailed("the back's outline does not match its bookmarks")
    back_marks = []
    for level, (title, dest, closed) in zip(back_levels, flat):
        page = pdf.pages[offset + back_index[dest[0].objgen]].obj
        back_marks.append((level, title, pikepdf.Array([page, *list(dest)[1:]]), closed))
    with pdf.open_outline() as outline:
        flat = list(_flatten(outline.root))
        if len(flat) != len(front_levels):
            raise SplitFailed("the front's outline does not match its bookmarks")
        marks = [(level, title, dest, closed) for level, (title, dest, closed) in zip(front_levels, flat)]
        marks += back_marks
        outline.root.clear()
        stack: list = []  # (level, item) of the open ancestors
        for level, title, dest, closed in marks:
            while stack and stack[-1][0] >= level:
                stack.pop()
            item = pikepdf.OutlineItem(title, dest)
            item.is_closed = closed
            (stack[-1][1].children if stack else outline.root).append(item)
            stack.append((level, item))
    out = io.BytesIO()
    # deterministic_id: the trailer's /ID is a digest of the content, so the same report gives the same bytes
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, deterministic_id=True)
    return out.getvalue()


def _flatten(items):
    """(title, destination, closed) of every outline item, in reading order."""
    for item in items:
        yield item.title, item.destination, item.is_closed
        yield from _flatten(item.children)


def runnable_tasks() -> int | None:
    """Tasks runnable on this machine at this moment, this process among them (Linux's
    /proc/loadavg); None where it cannot tell."""
    try:
        with open("/proc/loadavg", "rb") as f:
            return int(f.read().split()[3].split(b"/")[0])
    except (OSError, ValueError, IndexError):
        return None


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _running(pid: int | None) -> bool:
    """The process is on a core or waiting for one now (state R in /proc)."""
    if pid is None:
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] == b"R"
    except (OSError, IndexError):
        return False


def core_free(helper: Helper | None = None) -> bool:
    """Another core is idle now, for the helper's half (or the switch says "force"). On a busy
    machine two halves would only take turns on the cores, and the merge would be extra work.
    The helper itself, still settling in after its fork, does not count as another task, nor
    does a task runnable for an instant only.
    Where the moment's count is unknown, the one-minute load average stands in."""
    switch = os.environ.get(ENV_SWITCH, "1")
    if switch in ("force", "0"):
        return switch == "force"
    n = cores()
    if n < 2:
        return False
    # The fewest runnable over a few samples a millisecond apart: a kernel thread writing back
    # the last scorecard's pages is runnable for an instant, and is no other work.
    samples = []
    for i in range(3):
        if i:
            time.sleep(0.001)
        count = runnable_tasks()
        if count is None:
            break
        samples.append(count - _running(helper.pid if helper is not None else None))
    if samples:
        return min(samples) <= n - 1
    try:
        return os.getloadavg()[0] < n - 1
    except OSError:
        return False


def write(helper: Helper | None, result, target, generated):
    """`pdf.write_scorecard(result, target)`, from two halves when `helper` was told of this job
    (`Helper.announce`): the same checks, the same atomic write, the same pages; the whole in
    this process otherwise."""
    from pathlib import Path

    from scorer.outputs import atomic_write

    from . import pdf
    from .environment import check_pdf_environment

    announced = helper is not None and helper.announced
    if announced:
        helper.announced = False  # this job only
    k = split_point(result) if announced else None
    if k is None:
        return pdf.write_scorecard(result, target, generated=generated)
    check_pdf_environment()
    try:
        data = helper.pdf(pdf.renderer(), result, k, generated)
    except SplitFailed:
        return pdf.write_scorecard(result, target, generated=generated)
    target = Path(target)
    with atomic_write(target) as fh:
        fh.write(data)
    return target


# -- the helper: the back half, in a process forked from the renderer child --------------


class Helper:
    """This process's handle on its helper: `announce` a job, then `pdf` gives the scorecard's
    bytes from the two halves or raises `SplitFailed` (the caller then renders the whole).

    Every message carries its job's number, and the helper ends every job it was told of with
    one last word: ("pdf", n, bytes, levels), ("failed", n) or ("skip", n) when it does not
    split. A word of another job is never taken for this one's, whatever failed where."""

    def __init__(self, pid: int, to_helper: int, from_helper: int):
        self.pid = pid
        self.to_helper = to_helper
        self.from_helper = from_helper
        self.broken = False
        self.announced = False  # the helper has the job in hand: it lays out its half if it splits
        self.job = 0

    def announce(self, job: bytes, generated) -> None:
        """Hand the helper the job as it came (the pickled (result, target, methods)), before this
        process unpickles it: both read it at once, and each finds the same split point."""
        self.announced = False
        if self.broken:
            return
        self.job += 1
        try:
            while select.select([self.from_helper], [], [], 0)[0]:  # words left from earlier jobs
                self._recv(time.monotonic() + HELPER_TIMEOUT)
            _send(self.to_helper, ("job", self.job, job, generated), time.monotonic() + HELPER_TIMEOUT)
        except Exception:
            self._break()
        else:
            self.announced = True

    def pdf(self, renderer, result, k: int, generated) -> bytes:
        """The scorecard's bytes from the two halves (after `announce`)."""
        if self.broken:
            raise SplitFailed("the helper is gone")
        try:
            return self._pdf(renderer, result, k, generated)
        except SplitFailed:
            raise
        except Exception as e:  # a pipe that broke, a merge that failed: the whole, here
            self._break()
            raise SplitFailed(f"the halves failed: {e}") from e

    def _pdf(self, renderer, result, k: int, generated) -> bytes:
        start = time.monotonic()
        exchanged = False
        final = None  # the helper's last word on this job, once read

        def patience() -> float:
            """The helper lays out about as much as this process: a deadline of three times this
            process's own time so far (at least 30 s), not the whole job's."""
            now = time.monotonic()
            return min(start + HELPER_TIMEOUT, now + max(30.0, 3 * (now - start)))

        def span(own: int) -> tuple[int, int]:
            nonlocal exchanged, final
            _send(self.to_helper, ("count", self.job, own), patience())
            exchanged = True
            msg = self._next(patience())
            if msg[0] != "count":
                final = msg
                raise SplitFailed("the helper's half failed")
            return 0, own + msg[2]

        front = levels = None
        try:
            front, levels = render_half(renderer, result, ("front", k), generated, span)
        except Exception:
            if not exchanged:
                _send(self.to_helper, ("cancel", self.job), patience())
        if final is None:
            final = self._final(patience())
        if front is None or final[0] != "pdf":
            raise SplitFailed("a half failed")
        return merge(front, final[2], levels, final[3])

    def _recv(self, deadline: float):
        try:
            msg = _recv(self.from_helper, deadline)
        except Exception as e:  # died, hung, torn
            self._break()
            raise SplitFailed("the helper stopped answering") from e
        if not (isinstance(msg, tuple) and len(msg) >= 2 and msg[0] in ("count", "pdf", "failed", "skip")):
            self._break()
            raise SplitFailed("the helper spoke nonsense")
        return msg

    def _next(self, deadline: float):
        """The helper's next word on this job (words on earlier jobs are passed over)."""
        while True:
            msg = self._recv(deadline)
            if msg[1] == self.job:
                return msg

    def _final(self, deadline: float):
        """The helper's last word on this job: ("pdf", n, bytes, levels), ("failed", n) or ("skip", n)."""
        while True:
            msg = self._next(deadline)
            if msg[0] != "count":
                return msg

    def _break(self) -> None:
        self.broken = True
        self.close()

    def close(self) -> None:
        close_quietly(self.to_helper, self.from_helper)
        self.to_helper = self.from_helper = -1
        if self.pid is None:
            return
        pid, self.pid = self.pid, None
        end_process(pid, signal.SIGKILL, 0.0)  # it holds no file: nothing to clean up


def start_helper(renderer, close_fds=()) -> Helper | None:
    """Fork the helper (after `prepare()`, with WeasyPrint imported and the renderer built, so the
    helper starts warm); None where it cannot. `close_fds`: this process's own pipes, which the
    helper must not hold open."""
    to_r, to_w = os.pipe()
    from_r, from_w = os.pipe()
    me = os.getpid()
    try:
        pid = os.fork()
    except OSError:
        close_quietly(to_r, to_w, from_r, from_w)
        return None
    if pid == 0:
        code = 0
        try:
            close_quietly(to_w, from_r, *close_fds)
            _serve_helper(me, renderer, to_r, from_w)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(to_r)
    os.close(from_w)
    os.set_blocking(to_w, False)  # a helper that stops reading never blocks a write past its deadline
    return Helper(pid, to_w, from_r)


class _NextJob(Exception):
    """The owner announced another job while this one waited: it gave this one up."""

    def __init__(self, msg):
        self.msg = msg


def _serve_helper(owner: int, renderer, jobs_fd: int, replies_fd: int) -> None:
    """The helper's loop: for each job, the back half, and one last word; it never writes a file."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass
    if os.getppid() != owner:
        return
    from .format import remember_methods

    pending = None  # a job announced while the one before waited for the owner's count
    while True:
        if pending is not None:
            msg, pending = pending, None
        else:
            try:
                msg = _recv(jobs_fd)
            except EOFError:
                return
        if not (isinstance(msg, tuple) and len(msg) == 4 and msg[0] == "job"):
            continue  # a count or cancel of a job given up here
        n = msg[1]
        try:
            result, _target, methods = pickle.loads(msg[2])
            generated = msg[3]
            remember_methods(result, methods)
            k = split_point(result)
        except Exception:  # the owner unpickles the same bytes; it would fail there too
            _send(replies_fd, ("failed", n))
            continue
        if k is None:
            _send(replies_fd, ("skip", n))  # the owner renders this one whole (it finds the same None)
            continue

        def span(own: int) -> tuple[int, int]:
            _send(replies_fd, ("count", n, own))
            while True:
                answer = _recv(jobs_fd)
                if not (isinstance(answer, tuple) and len(answer) >= 2):
                    continue
                if answer[0] == "job":
                    raise _NextJob(answer)
                if answer[1] != n:
                    continue  # a word on a job given up here
                if answer[0] == "count":
                    return answer[2], own + answer[2]
                if answer[0] == "cancel":
                    raise SplitFailed("the front was cancelled")

        try:
            data, levels = render_half(renderer, result, ("back", k), generated, span)
        except EOFError:
            return
        except _NextJob as e:
            pending = e.msg
            _send(replies_fd, ("failed", n))
        except Exception:
            _send(replies_fd, ("failed", n))
        else:
            _send(replies_fd, ("pdf", n, data, levels))


__all__ = ["ENV_SWITCH", "Helper", "SplitFailed", "cores", "merge", "prepare", "render_half", "runnable_tasks",
           "split_point", "start_helper", "write"]
