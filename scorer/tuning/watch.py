"""Re-run a command when its rubric or its reports change (`--watch`).

The file system tells us (watchfiles: inotify, FSEvents, ReadDirectoryChangesW),
instead of a loop that polls every file. A watched file is watched through its
folder, so an editor that saves by replacing the file is seen; a watched folder
is watched recursively, so a report added to it is seen. Ctrl-C ends the watch
quietly (the command then exits 0).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, Iterator

import typer
from rich.console import Console
from rich.text import Text

from ..errors import CivscoreError, printable
from ..messages import language

# After this many ms without a change the watcher reports a quiet tick; `tick` is
# called on each (tests use it to make an edit while the watcher is running).
TICK_MS = 400
tick: Callable[[], None] = lambda: None  # noqa: E731


def _suffixes() -> frozenset[str]:
    from ..ingest import SUPPORTED_SUFFIXES

    return frozenset(s.lower() for s in SUPPORTED_SUFFIXES)


def relevant(changed: Iterable[Path], targets: list[Path]) -> list[Path]:
    """The changed paths that matter: a watched file itself, or a report under a watched folder."""
    suffixes = _suffixes()
    files = {t.resolve() for t in targets if not t.is_dir()}
    folders = [t.resolve() for t in targets if t.is_dir()]
    out = set()
    for p in changed:
        p = Path(p).resolve()
        if p in files:
            out.add(p)
        elif p.suffix.lower() in suffixes and not p.name.startswith(".") and any(f in p.parents for f in folders):
            out.add(p)
    return sorted(out)


def file_changes(targets: list[Path]) -> Iterator[set[Path]]:
    """Sets of changed paths from watchfiles; an empty set after TICK_MS of quiet."""
    import watchfiles

    roots = sorted({str((t if t.is_dir() else t.parent).resolve()) for t in targets if t.is_dir() or t.parent.is_dir()})
    for batch in watchfiles.watch(*roots, debounce=1600, step=50, rust_timeout=TICK_MS, yield_on_timeout=True,
                                  raise_interrupt=True):
        yield {Path(path) for _, path in batch}


def run_once(run: Callable[[], None], console: Console,
             on_error: Callable[[CivscoreError], object] | None = None) -> bool:
    """Run the command; a failure is shown and the watch goes on. True when it succeeded."""
    try:
        run()
    except typer.Exit as e:
        return (e.exit_code or 0) == 0
    except CivscoreError as e:
        if on_error is not None:
            on_error(e)
        else:
            console.print(Text(f"error: {printable(e.text(language()))}", style="red"), soft_wrap=True)
        return False
    return True


def watch(
    targets: list[Path],
    run: Callable[[], None],
    *,
    console: Console | None = None,
    on_error: Callable[[CivscoreError], object] | None = None,
    changes: Iterable[set[Path]] | None = None,
) -> int:
    """Run `run` now and again after every change to `targets`; return how many times it ran."""
    console = console or Console(stderr=True, highlight=False)
    targets = [Path(t) for t in targets]
    runs = 1
    run_once(run, console, on_error)
    names = ", ".join(str(t) for t in targets[:3]) + (f" and {len(targets) - 3} more" if len(targets) > 3 else "")
    console.print(Text(f"watching {printable(names)} — Ctrl-C to stop", style="dim"), soft_wrap=True)
    try:
        for batch in changes if changes is not None else file_changes(targets):
            changed = relevant(batch, targets)
            if not changed:
                tick()
                continue
            what = ", ".join(str(p) for p in changed[:3]) + (f" (+{len(changed) - 3})" if len(changed) > 3 else "")
            console.rule(Text(f"{datetime.now():%H:%M:%S} changed: {printable(what)}", style="dim"))
            run_once(run, console, on_error)
            runs += 1
    except KeyboardInterrupt:
        console.print(Text("stopped watching", style="dim"))
    return runs


def rubric_target(rubric: str | None) -> list[Path]:
    """The rubric file(s) a `--rubric` value names, to watch ([] when it names nothing);
    every shipped rubric for the chooser by unit kind (no value, or `auto`)."""
    from ..engine import AUTO, resolve_rubric
    from ..resources import bundled_rubrics

    if rubric is None or str(rubric) == AUTO:
        return bundled_rubrics()
    try:
        return [resolve_rubric(rubric)]
    except CivscoreError:
        return []
