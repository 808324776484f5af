"""civscore: grade 文明单位 application reports against a YAML rubric.

Pipeline: ingest → normalize → segment → match → score → report.
"""

from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("civscore")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.1.0"
