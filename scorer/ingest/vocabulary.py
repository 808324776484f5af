"""Ingest's structural vocabulary (unit-name forms, website chrome), loaded once from vocabulary.yaml."""

from __future__ import annotations

from pathlib import Path

import yaml

# libyaml's C parser where PyYAML has it (the same data, ~5x faster at every start-up).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
VOCABULARY: dict = yaml.load(Path(__file__).with_name("vocabulary.yaml").read_text(encoding="utf-8"), Loader=_LOADER)
