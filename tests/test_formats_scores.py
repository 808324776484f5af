"""The same report delivered as GB18030 text, .docx, .pdf and a web page scores as its UTF-8 text."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest_builders import make_docx, make_html, make_pdf, make_txt_gb18030
from scorer.engine import Scorer

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
BUILDERS = {"gb18030.txt": make_txt_gb18030, "docx": make_docx, "pdf": make_pdf, "html": make_html}


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer.load()


@pytest.mark.parametrize("seed", SEEDS, ids=[p.name[:3] for p in SEEDS])
def test_every_format_scores_within_two_points(scorer, seed, tmp_path):
    reference = scorer.score_path(seed)
    text = seed.read_text(encoding="utf-8")
    for suffix, build in BUILDERS.items():
        path = build(text, tmp_path / f"{seed.stem}.{suffix}")
        got = scorer.score_path(path)
        assert got.submission.format == suffix.split(".")[-1].replace("gb18030", "txt")
        assert abs(got.total - reference.total) <= 2, f"{suffix}: {got.total} vs {reference.total}"
        for mine, ref in zip(got.dimensions, reference.dimensions):
            assert abs(mine.score - ref.score) <= 2, f"{suffix} {mine.id}: {mine.score} vs {ref.score}"
        assert got.submission.unit == reference.submission.unit
