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
    """The rows of a tab-separated UTF-8 file (a BOM from Notepad or Excel is no column name) whose
    header holds every one of `columns` and whose every row has as many fields as the header; else
    fail() with the file, the line and the problem."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
            header = reader.fieldnames or []
            missing = [c for c in columns if c not in header]
            if missing:
                fail(f"{path}: the header line lacks {' '.join(missing)} (needs {' '.join(columns)})")
            rows = []
            for row in reader:
                if None in row or None in row.values():
                    fail(f"{path}:{reader.line_num}: {len(header)} tab-separated fields expected")
                rows.append(row)
    except FileNotFoundError:
        fail(f"{path}: no such file")
    except (UnicodeDecodeError, OSError) as e:
        fail(f"{path}: cannot be read ({e.__class__.__name__}); write it as UTF-8")
    if not rows:
        fail(f"{path}: no rows under the header line")
    return rows
