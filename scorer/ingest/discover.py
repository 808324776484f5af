"""Which files in a folder are reports civscore can read."""

from __future__ import annotations

from pathlib import Path

from .sniff import SUPPORTED_SUFFIXES

_SUFFIXES = frozenset(s.lower() for s in SUPPORTED_SUFFIXES)


def skipped_name(name: str) -> bool:
    """Hidden files, editor/Office lock files (~$报告.docx) and partial downloads."""
    return name.startswith((".", "~$")) or name.endswith((".tmp", ".part", ".crdownload"))


def find_reports(source: Path, *, recursive: bool = True, exclude: Path | None = None) -> list[Path]:
    """Every supported file under `source`, sorted by its path relative to `source`.

    `exclude` (an output folder inside `source`) is not searched; linked folders
    are not followed, since they could loop."""
    source = source.resolve()
    skip = exclude.resolve() if exclude is not None else None
    found: list[tuple[str, Path]] = []
    stack = [source]
    while stack:
        folder = stack.pop()
        if skip is not None and folder == skip:
            continue
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if skipped_name(entry.name):
                continue
            if entry.is_dir():
                if recursive and not entry.is_symlink():
                    stack.append(entry)
            elif entry.is_file() and entry.suffix.lower() in _SUFFIXES:
                found.append((entry.relative_to(source).as_posix(), entry))
    found.sort(key=lambda t: t[0])
    return [p for _, p in found]
