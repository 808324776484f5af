"""WeasyPrint's C declarations, parsed once per machine instead of once per process (issue 19).

WeasyPrint reaches Pango, HarfBuzz and fontconfig through cffi in ABI mode: importing
`weasyprint.text.ffi` hands about 450 lines of C declarations to `cffi.FFI().cdef()`, and
cffi parses them with pycparser, about 0.3 s of every process that renders a PDF (the
largest single piece of WeasyPrint's import, and on the critical path of `score -o`).

cffi has a documented way to skip that parse: an *out-of-line ABI module*
(`ffi.set_source(name, None)` + `ffi.emit_python_code()`), a small Python file that
holds the parsed types as packed data and builds the same FFI in about 5 ms
(https://cffi.readthedocs.io/en/latest/overview.html#out-of-line-abi-level). This module
makes one from WeasyPrint's own declarations the first time they are seen and keeps it in
civscore's cache (scorer.cache), keyed by the sha256 of the declarations and the versions of
cffi and Python. Later imports of `weasyprint.text.ffi` use it: the libraries are opened with
the same `dlopen` calls, and the PDFs are byte-identical (tests/test_fastffi.py).

Anything unexpected — a different WeasyPrint whose module calls `cdef` twice or with options,
a cache that cannot be read or written, a module that does not build — leaves WeasyPrint to
parse its declarations as it always does. `CIVSCORE_FAST_FFI=0` (or `CIVSCORE_CACHE=off`)
turns it off. Only `install()` runs at import of `scorer.report`; it costs a list insert.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import os
import sys
import tempfile
import threading

TARGET = "weasyprint.text.ffi"
ENV_SWITCH = "CIVSCORE_FAST_FFI"  # "0": let WeasyPrint parse its declarations itself
KIND = "cffi-abi"
_MODULE = "_civscore_weasyprint_ffi"  # the name inside the generated module
_lock = threading.Lock()
stats = {"hit": 0, "built": 0, "parsed": 0}  # what happened in this process (for tests)


def _key(source: str) -> str:
    import _cffi_backend

    h = hashlib.sha256()
    for part in (source, _cffi_backend.__version__, sys.version, _MODULE):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


def _from_module(code: bytes):
    """The FFI a generated out-of-line module builds (it imports only _cffi_backend)."""
    namespace: dict = {"__name__": _MODULE}
    exec(compile(code, f"<{KIND}>", "exec"), namespace)  # civscore's own cache file, sha-checked
    return namespace["ffi"]


def _emit(source: str, ffi_class) -> bytes:
    """The out-of-line ABI module for these declarations (cffi's recompiler writes it);
    `ffi_class` is cffi's own FFI (cffi.FFI is the stand-in while the module runs)."""
    builder = ffi_class()
    builder.cdef(source)
    builder.set_source(_MODULE, None, compiler_verbose=False)  # no "generating …" line
    fd, tmp = tempfile.mkstemp(suffix=".py", prefix=".civscore-ffi-")
    os.close(fd)
    try:
        builder.emit_python_code(tmp)
        with open(tmp, "rb") as f:
            return f.read()
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass


class _Declarations:
    """Stands in for `cffi.FFI()` while `weasyprint.text.ffi` runs. Its one `cdef` call gets
    the cached FFI (or builds and caches it); everything else goes to that FFI. When the
    module has run, its `ffi` is replaced by the real one, so no importer ever sees this."""

    def __init__(self, real_ffi_class):
        self._real_class = real_ffi_class
        self._ffi = None

    def cdef(self, source, *args, **kwargs):
        from scorer import cache

        if self._ffi is not None or args or kwargs or not isinstance(source, str):
            return self._parse(source, *args, **kwargs)  # not the shape this was made for
        key = _key(source)
        code = cache.get(KIND, key)
        if code is not None:
            try:
                self._ffi = _from_module(code)
                stats["hit"] += 1
                return None
            except Exception:  # a module of another cffi, or damaged: parse and rebuild
                pass
        try:
            code = _emit(source, self._real_class)
            ffi = _from_module(code)
        except Exception:
            return self._parse(source)
        cache.put(KIND, key, code)
        self._ffi = ffi
        stats["built"] += 1
        return None

    def _parse(self, source, *args, **kwargs):
        if self._ffi is None:
            self._ffi = self._real_class()
        elif not hasattr(self._ffi, "cdef"):  # a second cdef after a cached one: start over, parsed
            raise _Fallback()
        stats["parsed"] += 1
        return self._ffi.cdef(source, *args, **kwargs)

    def __getattr__(self, name):
        if self._ffi is None:
            raise _Fallback()
        return getattr(self._ffi, name)


class _Fallback(Exception):
    """The module did something this stand-in was not made for: it is run again, unchanged."""


class _Loader(importlib.abc.Loader):
    def __init__(self, inner):
        self.inner = inner

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module):
        import cffi

        with _lock:
            initial = dict(module.__dict__)
            real = cffi.FFI
            cffi.FFI = lambda: _Declarations(real)
            try:
                self.inner.exec_module(module)
            except _Fallback:
                cffi.FFI = real
                module.__dict__.clear()
                module.__dict__.update(initial)
                self.inner.exec_module(module)
                return
            finally:
                cffi.FFI = real
        stand_in = module.__dict__.get("ffi")
        if isinstance(stand_in, _Declarations):
            module.ffi = stand_in._ffi  # the real FFI for every later `from .ffi import ffi`


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname != TARGET or not enabled():
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None
        spec.loader = _Loader(spec.loader)
        return spec


_finder = _Finder()


def enabled() -> bool:
    from scorer.cache import cache_dir

    return os.environ.get(ENV_SWITCH, "1") != "0" and cache_dir() is not None


def install() -> None:
    """Put the finder first on sys.meta_path (idempotent). A WeasyPrint already imported is
    left as it is."""
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)


__all__ = ["ENV_SWITCH", "enabled", "install", "stats"]
