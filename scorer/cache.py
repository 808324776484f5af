"""A small on-disk cache for what start-up would otherwise rebuild in every process: the
parsed rubric and jieba's word-frequency trie.

Every entry is keyed by the sha256 of what it was made from (and of the code that made
it), so a changed input is a new key, never a stale hit. Each file starts with the
sha256 of its own payload: a torn or corrupt file is a miss (and is rebuilt), never an
error. Files are written whole (a temporary file renamed over the target).

Where: `$CIVSCORE_CACHE` if set, else `$XDG_CACHE_HOME/civscore`, else
`~/.cache/civscore` — a folder civscore owns. `CIVSCORE_CACHE=off` disables it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

_HEAD = 64  # hex sha256 of the payload


def cache_dir() -> Path | None:
    env = os.environ.get("CIVSCORE_CACHE")
    if env:
        return None if env.lower() == "off" else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "civscore"


def _path(kind: str, key: str) -> Path | None:
    d = cache_dir()
    return None if d is None else d / f"{kind}-{key}.bin"


def get(kind: str, key: str) -> bytes | None:
    """The payload stored under (kind, key), or None when absent, unreadable or corrupt."""
    p = _path(kind, key)
    if p is None:
        return None
    try:
        data = p.read_bytes()
    except OSError:
        return None
    head, payload = data[:_HEAD], data[_HEAD:]
    if head != hashlib.sha256(payload).hexdigest().encode():
        return None
    return payload


def put(kind: str, key: str, payload: bytes) -> None:
    """Store a payload; a cache that cannot be written is simply not used."""
    p = _path(kind, key)
    if p is None:
        return
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{kind}-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(hashlib.sha256(payload).hexdigest().encode() + payload)
            os.replace(tmp, p)
        except BaseException:
            with _quiet():
                os.unlink(tmp)
            raise
    except OSError:
        return


def source_key(*packages: Path) -> str:
    """The sha256 of the code that makes an entry (every .py under these folders)."""
    h = hashlib.sha256()
    for folder in packages:
        for f in sorted(folder.rglob("*.py")):
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()


class _quiet:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return exc[0] is not None and issubclass(exc[0], OSError)


__all__ = ["cache_dir", "get", "put", "source_key"]
