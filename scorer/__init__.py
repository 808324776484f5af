"""civscore: grade 文明单位 application reports against a YAML rubric.

Pipeline: ingest → normalize → segment → match → score → report.
"""

# The one place the version is written: pyproject.toml reads it from here (hatch's
# `[tool.hatch.version]`), so start-up need not import importlib.metadata (~0.1 s).
__version__ = "0.1.0"
