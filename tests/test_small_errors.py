"""Issue 16.5: small errors. A --max-size that is not a usable size (1e308, inf, nan) is a
usage error (one line, exit 2) for every command that takes it, civscore serve too; a refused
output says why in words that fit the case."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ingest_builders as build
from scorer.cli import app

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def error_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("value", ["1e308", "inf", "nan", "2e6"])
def test_serve_max_size_is_a_usage_error(tmp_path, value):
    """The real command in its own process: it must stop before it binds a port."""
    res = subprocess.run([sys.executable, "-m", "scorer", "serve", "--data", str(tmp_path / "d"), "--port", "1",
                          "--max-size", value], capture_output=True, text=True, timeout=120)
    assert res.returncode == 2, res.stderr
    lines = error_lines(res.stderr)
    assert len(lines) == 1 and lines[0].startswith("error: --max-size: "), res.stderr
    assert "internal error" not in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("command", ["score", "batch"])
def test_a_huge_max_size_is_a_usage_error_everywhere(tmp_path, command):
    report = tmp_path / "in" / "r.txt"
    report.parent.mkdir()
    report.write_bytes(SEEDS[0].read_bytes())
    args = [str(report)] if command == "score" else [str(report.parent), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(app, [command, *args, "--max-size", "1e308"])
    assert result.exit_code == 2
    assert error_lines(result.stderr) == ["error: --max-size: 1e+308 MB is too large; give at most 1048576 MB (1 TiB)"]
    assert not (tmp_path / "out").exists()


def test_a_refused_output_that_is_not_an_input_is_not_called_one(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    report = folder / "unit.txt"
    report.write_bytes(SEEDS[0].read_bytes())
    notes = build.make_pdf(SEEDS[1].read_text(encoding="utf-8"), folder / "notes.pdf")  # not a report of this run
    before = notes.read_bytes()
    result = CliRunner().invoke(app, ["score", str(report), "-o", str(notes)])
    assert result.exit_code == 2
    assert error_lines(result.stderr) == [
        f"error: {notes}: --pdf: is in the intake {folder} but not one of this run's inputs, and was not written "
        "by civscore; refusing to overwrite it"]
    assert notes.read_bytes() == before
    elsewhere = tmp_path / "elsewhere.pdf"
    elsewhere.write_bytes(before)
    result = CliRunner().invoke(app, ["score", str(report), "-o", str(elsewhere)])
    assert error_lines(result.stderr) == [
        f"error: {elsewhere}: --pdf: exists and was not written by civscore; refusing to overwrite it"]
