"""What the collection scripts share: a one-line error and a checked TSV read."""

from __future__ import annotations

import csv
import sys
from pathlib import Path


def fail(msg: str):
    """End the script with one line naming the file and the problem (exit 2), no traceback."""
    print(f"error: {msg}", file=sys.stderr)
    raise SystemExit(2)


def read_rows(path: Path, columns: tuple[str, ...]) -> list[dict]:
    """The rows of a tab-separated UTF-8 file (a BOM from Notepad or Excel is no column name) that
    has at least one row and every one of `columns`; else fail()."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    except (UnicodeDecodeError, OSError) as e:
        fail(f"{path}: cannot be read ({e.__class__.__name__}); write it as UTF-8")
    if not rows or any(c not in rows[0] for c in columns):
        fail(f"{path}: missing or without its header line ({' '.join(columns)})")
    return rows
