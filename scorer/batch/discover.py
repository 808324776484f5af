"""Find the reports under an intake folder and give each its scorecard's name.

Deterministic: the same folder always yields the same files in the same order
(sorted by their path relative to the folder, as POSIX text) and the same
scorecard names, whatever the file system's listing order.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from scorer.ingest import find_reports
from scorer.ingest.discover import skipped_name

# Files the batch writes at the top of --out; no scorecard may take these names.
OVERVIEW_NAME = "overview.pdf"
RESERVED_NAMES = frozenset({OVERVIEW_NAME})


@dataclass(frozen=True)
class Submission:
    """A report found in the intake folder."""

    index: int
    path: Path  # absolute
    rel: str  # relative to the intake folder, POSIX separators: the ranking's `file`
    scorecard: str  # the scorecard's path relative to --out, POSIX separators


def scorecard_names(rels: list[str]) -> list[str]:
    """A unique scorecard path (relative to --out) for each relative input path.

    The folder structure is kept and `.pdf` replaces the suffix: `2024/东区/法院.docx`
    → `2024/东区/法院.pdf`. When two inputs share a stem in one folder (`a.txt`,
    `a.docx`), both keep their suffix (`a.txt.pdf`, `a.docx.pdf`); any clash left
    gets `~2`, `~3`, … in input order. Names are compared case-insensitively, so the
    result is also unique on case-insensitive file systems."""
    stems: dict[str, int] = {}
    for rel in rels:
        p = PurePosixPath(rel)
        key = str(p.parent / p.stem).casefold()
        stems[key] = stems.get(key, 0) + 1
    used = {n.casefold() for n in RESERVED_NAMES}
    out = []
    for rel in rels:
        p = PurePosixPath(rel)
        shared = stems[str(p.parent / p.stem).casefold()] > 1
        base = str(p.parent / (p.name if shared else p.stem))
        name, n = f"{base}.pdf", 1
        while name.casefold() in used:
            n += 1
            name = f"{base}~{n}.pdf"
        used.add(name.casefold())
        out.append(name)
    return out


def discover(source: Path, *, exclude: Path | None = None) -> list[Submission]:
    source = Path(source).resolve()
    paths = find_reports(source, exclude=exclude)
    rels = [p.relative_to(source).as_posix() for p in paths]
    return [
        Submission(index=i, path=p, rel=r, scorecard=s)
        for i, (p, r, s) in enumerate(zip(paths, rels, scorecard_names(rels)))
    ]


def special_files(source: Path, *, exclude: Path | None = None) -> list[tuple[str, str]]:
    """(relative path, reason) for every entry under `source` that `discover` passes
    over without reading although it could look like a report: FIFOs, sockets,
    devices, symbolic-link loops, dangling links, linked folders (not followed) and
    entries that cannot be examined. Sorted by path."""
    source = Path(source).resolve()
    skip = exclude.resolve() if exclude is not None else None
    found: list[tuple[str, str]] = []
    stack = [source]
    while stack:
        folder = stack.pop()
        if skip is not None and folder == skip:
            continue
        try:
            entries = list(os.scandir(folder))
        except OSError as e:
            if folder != source:
                found.append((folder.relative_to(source).as_posix(), f"folder cannot be listed ({e.strerror})"))
            continue
        for entry in entries:
            if skipped_name(entry.name):
                continue
            path = Path(entry.path)
            rel = path.relative_to(source).as_posix()
            try:
                st = os.lstat(path)
            except OSError as e:
                found.append((rel, f"cannot be examined ({e.strerror})"))
                continue
            if stat.S_ISLNK(st.st_mode):
                try:
                    target = os.stat(path)
                except OSError as e:
                    if e.errno == errno.ELOOP:
                        found.append((rel, "skipped: a symbolic-link loop"))
                    elif e.errno == errno.ENOENT:
                        found.append((rel, "skipped: a dangling symbolic link (its target does not exist)"))
                    else:
                        found.append((rel, f"skipped: a link that cannot be followed ({e.strerror})"))
                    continue
                if stat.S_ISDIR(target.st_mode):
                    found.append((rel, "skipped: a linked folder (not followed, it could loop)"))
                    continue
                st = target
            if stat.S_ISDIR(st.st_mode):
                if not entry.is_symlink():
                    stack.append(path)
                continue
            if stat.S_ISREG(st.st_mode):
                continue
            kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode)
                    else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "not a regular file")
            found.append((rel, f"skipped: {kind}"))
    found.sort()
    return found


def file_sha256(path: Path) -> str | None:
    """sha256 of the file's bytes (what ingest records as the submission's sha256);
    None when the file cannot be read (the worker then reports why)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()
