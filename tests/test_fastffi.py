"""Issue 19: WeasyPrint's C declarations come from civscore's cache (scorer.report.fastffi)
instead of being parsed by pycparser in every process. What a user gets must not change:
the same PDF bytes, and WeasyPrint's own parse whenever the cache cannot serve."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scorer.report import fastffi

ROOT = Path(__file__).resolve().parent.parent
SEED = sorted((ROOT / "seeds").glob("*.txt"))[0]

# Renders the seed's scorecard in a fresh interpreter and says how the declarations were had.
_RENDER = """
import datetime, json, sys
from pathlib import Path
from scorer.engine import load_scorer
from scorer.report.pdf import write_scorecard
from scorer.report import fastffi
import weasyprint.text.ffi as wffi
result = load_scorer().score_path(sys.argv[1])
write_scorecard(result, Path(sys.argv[2]), generated=datetime.date(2026, 1, 2))
print(json.dumps({"stats": fastffi.stats, "ffi": type(wffi.ffi).__module__,
                  "pycparser": "pycparser" in sys.modules}))
"""


def render(out: Path, **env) -> dict:
    proc = subprocess.run([sys.executable, "-c", _RENDER, str(SEED), str(out)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, env=dict(os.environ, **env))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return json.loads(proc.stdout.strip().splitlines()[-1])


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob(f"{fastffi.KIND}-*.bin"))


def test_built_once_then_read_and_the_pdf_is_the_same_bytes(tmp_path):
    cache = tmp_path / "cache"
    first = render(tmp_path / "first.pdf", CIVSCORE_CACHE=str(cache))
    assert first["stats"] == {"hit": 0, "built": 1, "parsed": 0}
    assert len(entries(cache)) == 1
    second = render(tmp_path / "second.pdf", CIVSCORE_CACHE=str(cache))
    assert second["stats"] == {"hit": 1, "built": 0, "parsed": 0}
    assert second["ffi"] == "_cffi_backend"  # the out-of-line FFI itself, not the stand-in
    assert second["pycparser"] is False  # nothing was parsed
    plain = render(tmp_path / "plain.pdf", CIVSCORE_FAST_FFI="0", CIVSCORE_CACHE=str(tmp_path / "other"))
    assert plain["stats"] == {"hit": 0, "built": 0, "parsed": 0} and plain["ffi"] == "cffi.api"
    assert not (tmp_path / "other").exists() or not entries(tmp_path / "other")
    pdfs = {n: (tmp_path / f"{n}.pdf").read_bytes() for n in ("first", "second", "plain")}
    assert pdfs["first"] == pdfs["second"] == pdfs["plain"]


def test_a_damaged_entry_is_rebuilt_not_an_error(tmp_path):
    cache = tmp_path / "cache"
    render(tmp_path / "a.pdf", CIVSCORE_CACHE=str(cache))
    (entry,) = entries(cache)
    data = entry.read_bytes()
    entry.write_bytes(data[:64] + data[64:-40])  # torn: the checksum no longer holds
    again = render(tmp_path / "b.pdf", CIVSCORE_CACHE=str(cache))
    assert again["stats"] == {"hit": 0, "built": 1, "parsed": 0}
    assert entry.read_bytes() == data
    # A sound file whose module does not build an FFI (another cffi's, say): parsed and rebuilt.
    key = entry.name[len(fastffi.KIND) + 1 : -len(".bin")]
    env = dict(os.environ, CIVSCORE_CACHE=str(cache))
    subprocess.run([sys.executable, "-c", f"from scorer import cache; cache.put({fastffi.KIND!r}, {key!r}, "
                    "b'raise ImportError(\"cffi version mismatch\")')"], env=env, check=True, cwd=ROOT)
    third = render(tmp_path / "c.pdf", CIVSCORE_CACHE=str(cache))
    assert third["stats"] == {"hit": 0, "built": 1, "parsed": 0}
    assert entry.read_bytes() == data
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes() == (tmp_path / "c.pdf").read_bytes()


def test_without_a_cache_weasyprint_parses_as_always(tmp_path):
    out = render(tmp_path / "x.pdf", CIVSCORE_CACHE="off")
    assert out["stats"] == {"hit": 0, "built": 0, "parsed": 0} and out["ffi"] == "cffi.api"


# The stand-in on modules of other shapes than WeasyPrint's: each must run exactly as written.
_SHAPES = {
    "one cdef": "import cffi\nffi = cffi.FFI()\nffi.cdef('int abs(int);')\nlib = ffi.dlopen(None)\n"
                "value = lib.abs(-7)\nptr = ffi.new('int *', 5)[0]\n",
    "cdef with options": "import cffi\nffi = cffi.FFI()\nffi.cdef('int abs(int);', override=True)\n"
                         "lib = ffi.dlopen(None)\nvalue = lib.abs(-7)\nptr = ffi.new('int *', 5)[0]\n",
    "two cdefs": "import cffi\nffi = cffi.FFI()\nffi.cdef('int abs(int);')\nffi.cdef('long labs(long);')\n"
                 "lib = ffi.dlopen(None)\nvalue = lib.abs(-7) + lib.labs(0)\nptr = ffi.new('int *', 5)[0]\n",
    "used before cdef": "import cffi\nffi = cffi.FFI()\nptr = ffi.new('int *', 5)[0]\nffi.cdef('int abs(int);')\n"
                        "lib = ffi.dlopen(None)\nvalue = lib.abs(-7)\n",
}


@pytest.mark.parametrize("shape", sorted(_SHAPES))
def test_the_stand_in_runs_any_module_as_written(tmp_path, monkeypatch, shape):
    import cffi

    monkeypatch.setenv("CIVSCORE_CACHE", str(tmp_path / "cache"))
    src = tmp_path / "shape.py"
    src.write_text(_SHAPES[shape])
    spec = importlib.util.spec_from_file_location("civscore_test_shape", src)
    spec.loader = fastffi._Loader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (module.value, module.ptr) == (7, 5)
    assert cffi.FFI.__module__ == "cffi.api"  # put back
    assert not isinstance(module.ffi, fastffi._Declarations)
    assert module.__file__ == str(src)
    if shape == "one cdef":  # the one shape it is made for: cached, and read from the cache next time
        assert entries(tmp_path / "cache")
        again = importlib.util.module_from_spec(spec)
        before = fastffi.stats["hit"]
        spec.loader.exec_module(again)
        assert fastffi.stats["hit"] == before + 1 and again.value == 7
