"""Ingest's structural vocabulary (unit-name forms, website chrome), loaded once from vocabulary.yaml."""

from __future__ import annotations

from pathlib import Path

import yaml

VOCABULARY: dict = yaml.safe_load(Path(__file__).with_name("vocabulary.yaml").read_text(encoding="utf-8"))
