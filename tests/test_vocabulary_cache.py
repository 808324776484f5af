"""Ingest's vocabulary.yaml is read through civscore's cache (scorer/ingest/vocabulary.py): the
same data as PyYAML parses, PyYAML not imported once the entry is there, and a damaged entry
parsed again, never an error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
_PROBE = ("import json, sys; from scorer.ingest.vocabulary import VOCABULARY; "
          "print(json.dumps({'yaml': 'yaml' in sys.modules, 'data': VOCABULARY}, ensure_ascii=False))")


def probe(cache) -> dict:
    proc = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, CIVSCORE_CACHE=str(cache)))
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_the_vocabulary_comes_from_the_cache_as_yaml_parses_it(tmp_path):
    expected = yaml.safe_load((ROOT / "scorer" / "ingest" / "vocabulary.yaml").read_text(encoding="utf-8"))
    cache = tmp_path / "cache"
    first = probe(cache)
    assert first == {"yaml": True, "data": expected}  # parsed, and kept
    (entry,) = cache.glob("vocabulary-*.bin")
    assert probe(cache) == {"yaml": False, "data": expected}  # read back without PyYAML
    entry.write_bytes(entry.read_bytes()[:-7])  # torn
    assert probe(cache) == {"yaml": True, "data": expected}
    assert probe("off")["data"] == expected
