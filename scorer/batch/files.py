"""Files of a batch's output folder. Writing goes through `scorer.outputs.atomic_write`
(re-exported here), so a final name only ever holds complete content."""

from __future__ import annotations

from pathlib import Path

from scorer.outputs import atomic_write

__all__ = ["atomic_write", "remove_stale_temp_files"]


def remove_stale_temp_files(folder: Path) -> int:
    """Delete `.NAME.XXXX.tmp` files a killed run left under `folder` (atomic writes
    in flight when the process died). Only call while holding the batch lock."""
    n = 0
    if not folder.is_dir():
        return 0
    for p in folder.rglob(".*.tmp"):
        if p.is_file() and any(f".{ext}." in p.name for ext in ("pdf", "csv", "xlsx")):
            try:
                p.unlink()
                n += 1
            except OSError:
                pass
    return n
