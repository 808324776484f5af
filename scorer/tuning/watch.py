"""Re-run a command when its rubric or its reports change (`--watch`).

A polling loop over (mtime, size) of the watched files: no extra dependency,
works on every file system, and a handful of files costs nothing to poll.
Folders are listed again on every poll, so a report added to one is seen.
Ctrl-C ends the loop quietly (the command then exits 0).
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Callable

import typer
from rich.console import Console
from rich.text import Text

from ..errors import CivscoreError

INTERVAL_S = 0.5

# Tests replace these to run a bounded number of polls.
sleep: Callable[[float], None] = time.sleep
max_polls: int | None = None


def files_of(targets: list[Path]) -> list[Path]:
    from .corpus import find_reports_in

    out: list[Path] = []
    for t in targets:
        if t.is_dir():
            out.extend(find_reports_in(t))
        else:
            out.append(t)
    return out


def snapshot(targets: list[Path]) -> dict[Path, tuple[int, int] | None]:
    snap: dict[Path, tuple[int, int] | None] = {}
    for f in files_of(targets):
        try:
            st = f.stat()
            snap[f] = (st.st_mtime_ns, st.st_size)
        except OSError:
            snap[f] = None
    for t in targets:  # a watched file that vanished (editors replace files on save)
        if not t.is_dir() and t not in snap:
            snap[t] = None
    return snap


def changed_files(old: dict, new: dict) -> list[Path]:
    return sorted(p for p in old.keys() | new.keys() if old.get(p) != new.get(p))


def run_once(run: Callable[[], None], console: Console) -> bool:
    """Run the command; a failure is shown and the watch goes on. True when it succeeded."""
    try:
        run()
    except typer.Exit as e:
        return (e.exit_code or 0) == 0
    except CivscoreError as e:
        console.print(Text(f"error: {e.message}", style="red"))
        return False
    return True


def watch(
    targets: list[Path],
    run: Callable[[], None],
    *,
    console: Console | None = None,
    interval: float = INTERVAL_S,
    polls: int | None = None,
) -> int:
    """Run `run` now and again after every change to `targets`; return how many times it ran."""
    console = console or Console(stderr=True, highlight=False)
    polls = max_polls if polls is None else polls
    runs = 1
    run_once(run, console)
    names = ", ".join(str(t) for t in targets[:3]) + (f" and {len(targets) - 3} more" if len(targets) > 3 else "")
    console.print(Text(f"watching {names} — Ctrl-C to stop", style="dim"))
    snap = snapshot(targets)
    n = 0
    try:
        while polls is None or n < polls:
            sleep(interval)
            n += 1
            new = snapshot(targets)
            changed = changed_files(snap, new)
            if not changed:
                continue
            snap = new
            what = ", ".join(str(p) for p in changed[:3]) + (f" (+{len(changed) - 3})" if len(changed) > 3 else "")
            console.rule(Text(f"{datetime.now():%H:%M:%S} changed: {what}", style="dim"))
            run_once(run, console)
            runs += 1
    except KeyboardInterrupt:
        console.print(Text("stopped watching", style="dim"))
    return runs


def rubric_target(rubric: str | None) -> list[Path]:
    """The rubric file a `--rubric` value names, to watch it ([] when it names nothing)."""
    from ..engine import resolve_rubric

    try:
        return [resolve_rubric(rubric)]
    except CivscoreError:
        return []
