"""`civscore batch --scheduler`: the same batch on a Dask cluster gives the same files.

One local cluster (two worker processes on 127.0.0.1) for the module."""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scorer.cli import app

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_batch import build_reports  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address=None, scheduler_port=0, silence_logs=40) as c:
        yield c


@pytest.fixture(scope="module")
def intake(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("intake")
    for p in SEEDS:
        shutil.copy(p, d / p.name)
    build_reports(15, d / "more")
    (d / "more" / "broken.docx").write_bytes(b"PK\x03\x04 not really a docx")
    return d


def batch(*args: str):
    return CliRunner().invoke(app, ["batch", *args])


def xlsx_cells(path: Path) -> list[list]:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    return [[c.value for c in row] for ws in wb.worksheets for row in ws.iter_rows()]


def stored(db: Path) -> dict[str, dict]:
    con = sqlite3.connect(db)
    rows = {sha: json.loads(blob) for sha, blob in con.execute("SELECT submission_sha256, result_json FROM results")}
    con.close()
    return rows


def test_dask_and_local_give_identical_rankings(cluster, intake, tmp_path):
    local, remote = tmp_path / "local", tmp_path / "dask"
    r1 = batch(str(intake), "--out", str(local), "--no-pdf", "--workers", "2")
    r2 = batch(str(intake), "--out", str(remote), "--no-pdf", "--scheduler", cluster.scheduler_address)
    for r in (r1, r2):
        assert r.exit_code == 2, r.output  # the broken .docx
        assert "scored 20, skipped as already scored 0, failed 1" in r.stdout
        assert "more/broken.docx" in r.stdout
    assert (local / "ranking.csv").read_bytes() == (remote / "ranking.csv").read_bytes()
    assert xlsx_cells(local / "ranking.xlsx") == xlsx_cells(remote / "ranking.xlsx")
    a, b = stored(local / "results.sqlite"), stored(remote / "results.sqlite")
    assert a == b and len(a) == 20

    # The Dask run resumes from its store like a local one.
    r3 = batch(str(intake), "--out", str(remote), "--no-pdf", "--scheduler", cluster.scheduler_address)
    assert "scored 0, skipped as already scored 20, failed 1" in r3.stdout


def test_dask_run_writes_scorecards_and_overview(cluster, tmp_path):
    intake = tmp_path / "in"
    intake.mkdir()
    for p in SEEDS[:2]:
        shutil.copy(p, intake / p.name)
    out = tmp_path / "out"
    r = batch(str(intake), "--out", str(out), "--scheduler", cluster.scheduler_address)
    assert r.exit_code == 0, r.output
    pdfs = sorted(p.name for p in out.glob("*.pdf"))
    assert pdfs == sorted([p.stem + ".pdf" for p in SEEDS[:2]] + ["overview.pdf"])
    for p in out.glob("*.pdf"):
        data = p.read_bytes()
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    local = tmp_path / "local"
    batch(str(intake), "--out", str(local), "--no-pdf", "--workers", "1")
    assert (local / "ranking.csv").read_bytes() == (out / "ranking.csv").read_bytes()


def test_unreachable_scheduler_is_one_line(tmp_path):
    intake = tmp_path / "in"
    intake.mkdir()
    shutil.copy(SEEDS[0], intake / SEEDS[0].name)
    r = batch(str(intake), "--out", str(tmp_path / "o"), "--no-pdf", "--scheduler", "tcp://127.0.0.1:9")
    assert r.exit_code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in r.stderr
    assert "Traceback" not in r.output


def test_without_dask_installed(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    intake = tmp_path / "in"
    intake.mkdir()
    shutil.copy(SEEDS[0], intake / SEEDS[0].name)
    r = batch(str(intake), "--out", str(tmp_path / "o"), "--no-pdf", "--scheduler", "tcp://127.0.0.1:8786")
    assert r.exit_code == 2
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1 and "pip install 'civscore[dask]'" in err, err
