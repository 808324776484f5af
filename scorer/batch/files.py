"""Write a file so that its final name only ever holds complete content."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator


@contextmanager
def atomic_write(target: Path) -> Iterator[BinaryIO]:
    """Yield a binary file beside `target`; on success it is fsynced and moved over
    `target` (os.replace). On any failure, or a kill, `target` keeps its old bytes."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


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
