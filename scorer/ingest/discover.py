"""Which files in a folder are reports civscore can read."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .sniff import SUPPORTED_SUFFIXES

_SUFFIXES = frozenset(s.lower() for s in SUPPORTED_SUFFIXES)


def skipped_name(name: str) -> bool:
    """Hidden files, editor/Office lock files (~$报告.docx) and partial downloads."""
    return name.startswith((".", "~$")) or name.endswith((".tmp", ".part", ".crdownload"))


@dataclass
class Intake:
    """What a walk over a folder found: the reports, and what it passed over with why."""

    reports: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (relative path, reason)


def walk_intake(source: Path, *, recursive: bool = True, exclude: Path | None = None) -> Intake:
    """Every supported file under `source`, sorted by its path relative to `source`, and
    every entry passed over although it could look like a report: FIFOs, sockets,
    devices, symbolic-link loops, dangling links, linked folders and entries that
    cannot be examined.

    `exclude` (an output folder inside `source`) is not searched; linked folders
    are not followed, since they could loop."""
    source = Path(source).resolve()
    skip = exclude.resolve() if exclude is not None else None
    found: list[tuple[str, Path]] = []
    passed: list[tuple[str, str]] = []
    stack = [source]
    while stack:
        folder = stack.pop()
        if skip is not None and folder == skip:
            continue
        try:
            entries = list(os.scandir(folder))
        except OSError as e:
            if folder != source:
                passed.append((folder.relative_to(source).as_posix(), f"folder cannot be listed ({e.strerror})"))
            continue
        for entry in entries:
            if skipped_name(entry.name):
                continue
            path = Path(entry.path)
            rel = path.relative_to(source).as_posix()
            kind, reason = _classify(path)
            if kind == "dir":
                if recursive:
                    stack.append(path)
            elif kind == "file":
                if path.suffix.lower() in _SUFFIXES:
                    found.append((rel, path))
            else:
                passed.append((rel, reason))
    found.sort(key=lambda t: t[0])
    passed.sort()
    return Intake([p for _, p in found], passed)


def _classify(path: Path) -> tuple[str, str]:
    """("dir" | "file" | "skip", reason): a followed link counts as its target, except a
    linked folder, which is not followed."""
    try:
        st = os.lstat(path)
    except OSError as e:
        return "skip", f"cannot be examined ({e.strerror})"
    if stat.S_ISLNK(st.st_mode):
        try:
            st = os.stat(path)
        except OSError as e:
            if e.errno == errno.ELOOP:
                return "skip", "skipped: a symbolic-link loop"
            if e.errno == errno.ENOENT:
                return "skip", "skipped: a dangling symbolic link (its target does not exist)"
            return "skip", f"skipped: a link that cannot be followed ({e.strerror})"
        if stat.S_ISDIR(st.st_mode):
            return "skip", "skipped: a linked folder (not followed, it could loop)"
    if stat.S_ISDIR(st.st_mode):
        return "dir", ""
    if stat.S_ISREG(st.st_mode):
        return "file", ""
    kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode)
            else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "not a regular file")
    return "skip", f"skipped: {kind}"


def find_reports(source: Path, *, recursive: bool = True, exclude: Path | None = None) -> list[Path]:
    """Every supported file under `source`, sorted by its path relative to `source`."""
    return walk_intake(source, recursive=recursive, exclude=exclude).reports
