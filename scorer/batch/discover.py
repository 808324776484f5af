"""Find the reports under an intake folder and give each its scorecard's name.

Deterministic: the same folder always yields the same files in the same order
(sorted by their path relative to the folder, as POSIX text) and the same
scorecard names, whatever the file system's listing order.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from scorer.ingest import find_reports
from scorer.ingest.discover import walk_intake

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
    over without reading although it could look like a report. Sorted by path."""
    return walk_intake(source, exclude=exclude).skipped


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
