"""Installed as a wheel and run from another directory, civscore finds its bundled
rubrics and templates (they ship under scorer/_data)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True, capture_output=True, text=True,
    )
    [whl] = out.glob("civscore-*.whl")
    return whl


def test_wheel_carries_rubrics_and_templates(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "scorer/_data/rubric/court.yaml",
        "scorer/_data/rubric/general.yaml",
        "scorer/_data/rubric/court.judge",  # the sentence judges ship beside their rubrics
        "scorer/_data/rubric/general.judge",
        "scorer/_data/templates/scorecard.html.j2",
        "scorer/_data/templates/scorecard.css",
        "scorer/ingest/vocabulary.yaml",
    ):
        assert expected in names, expected


def test_installed_wheel_scores_from_another_directory(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True, capture_output=True, text=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    report = elsewhere / "report.txt"
    report.write_text(next((ROOT / "seeds").glob("000_*.txt")).read_text(encoding="utf-8"), encoding="utf-8")
    # The wheel's copy comes first on the path; the dependencies come from this interpreter.
    env = {**os.environ, "PYTHONPATH": str(target)}
    proc = subprocess.run(
        [sys.executable, "-c",
         "import scorer, scorer.resources as r; print(scorer.__file__); print(r.default_rubric_path())"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=True,
    )
    module_file, rubric_path = proc.stdout.split()
    assert module_file.startswith(str(target)) and rubric_path.startswith(str(target))
    proc = subprocess.run(
        [sys.executable, "-m", "scorer", "score", "report.txt", "--json"],
        cwd=elsewhere, env=env, capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["rubric"]["id"] == "court" and result["total"] > 30
