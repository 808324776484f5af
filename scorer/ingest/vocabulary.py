"""Ingest's structural vocabulary (unit-name forms, website chrome), loaded once from vocabulary.yaml.

The parsed data is kept in civscore's cache (scorer.cache) under the file's sha256, as
marshal bytes: a run then neither imports PyYAML nor parses the file (~25 ms of start-up).
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from pathlib import Path

_FILE = Path(__file__).with_name("vocabulary.yaml")
_KIND = "vocabulary"


def _load() -> dict:
    from scorer import cache

    data = _FILE.read_bytes()
    key = hashlib.sha256(data + sys.version.encode()).hexdigest()  # marshal's format is Python's own
    cached = cache.get(_KIND, key)
    if cached is not None:
        try:
            return marshal.loads(cached)
        except (EOFError, ValueError, TypeError):
            pass
    import yaml

    # libyaml's C parser where PyYAML has it (the same data, ~5x faster).
    vocabulary = yaml.load(data.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    try:
        cache.put(_KIND, key, marshal.dumps(vocabulary))
    except ValueError:  # a value marshal cannot hold: used as parsed, not kept
        pass
    return vocabulary


VOCABULARY: dict = _load()
