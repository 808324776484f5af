"""Check, once per process, that this machine can render a scorecard properly.

Two system dependencies matter and neither is a Python package:

* a CJK font: the template asks for Noto Sans/Serif CJK SC (Debian `fonts-noto-cjk`);
  without one every Chinese character comes out as an empty box (tofu);
* HarfBuzz's subsetter (`libharfbuzz-subset.so.0`, Debian `libharfbuzz-subset0`):
  without it WeasyPrint subsets the 20 MB CJK fonts with fontTools and a single page
  takes 10–15 s instead of a fraction of a second.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import shutil
import subprocess

from scorer.errors import EnvironmentProblem

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC")
FONT_PACKAGE = "fonts-noto-cjk"
HARFBUZZ_PACKAGE = "libharfbuzz-subset0"
_HARFBUZZ_NAMES = ("libharfbuzz-subset.so.0", "libharfbuzz-subset-0.dll", "libharfbuzz-subset.0.dylib")


def cjk_font_families() -> set[str] | None:
    """Font families fontconfig offers for Chinese (`fc-list :lang=zh family`).

    None when fontconfig's `fc-list` itself is not there to ask."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        out = subprocess.run(
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    families: set[str] = set()
    for line in out.splitlines():
        families.update(name.strip() for name in line.split(",") if name.strip())
    return families


def harfbuzz_subset_available() -> bool:
    """True when HarfBuzz's subsetting library loads and exports `hb_subset_or_fail`."""
    candidates = [ctypes.util.find_library("harfbuzz-subset"), *_HARFBUZZ_NAMES]
    for name in candidates:
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        if hasattr(lib, "hb_subset_or_fail"):
            return True
    return False


@functools.lru_cache(maxsize=1)
def _problems() -> tuple[str, ...]:
    problems = []
    families = cjk_font_families()
    if families is None:
        problems.append(
            f"fontconfig's fc-list was not found, so no CJK font can be located "
            f"(install the Debian packages fontconfig and {FONT_PACKAGE})"
        )
    elif not any(f in families for f in CJK_FAMILIES):
        problems.append(
            f"no Noto CJK font for Chinese (fc-list :lang=zh lists none of {', '.join(CJK_FAMILIES)}); "
            f"install the Debian package {FONT_PACKAGE}"
        )
    if not harfbuzz_subset_available():
        problems.append(
            "HarfBuzz font subsetting (libharfbuzz-subset.so.0) is missing, without it every page "
            f"takes 10-15 s; install the Debian package {HARFBUZZ_PACKAGE}"
        )
    return tuple(problems)


def check_pdf_environment(*, refresh: bool = False) -> None:
    """Raise `EnvironmentProblem` (one line, naming the Debian packages) if a scorecard
    cannot be rendered properly here. The probes run once per process; `refresh=True`
    runs them again."""
    if refresh:
        _problems.cache_clear()
    problems = _problems()
    if problems:
        raise EnvironmentProblem(None, "environment.pdf", problems="; ".join(problems))
