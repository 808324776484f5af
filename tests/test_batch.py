"""`civscore batch` on the five seed reports plus two bad files (issue 6).

One batch with PDFs is run for the module (rendering is the slow part); later tests
re-run it to check skipping, re-rendering, a changed rubric and `history`."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from scorer.batch.store import ResultStore
from scorer.cli import app
from scorer.engine import Scorer

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
COURT = ROOT / "rubric" / "court.yaml"


def run_cli(*args: str):
    return CliRunner().invoke(app, list(args))


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "ranking.csv carries a UTF-8 BOM for Excel"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True)
        return re.sub(r"\s+", "", out.stdout.decode("utf-8"))
    return re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in PdfReader(str(path)).pages))


def assert_complete_pdf(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), path
    assert len(PdfReader(str(path)).pages) >= 1


@pytest.fixture(scope="module")
def intake(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("intake")
    for p in SEEDS:
        shutil.copy(p, d / p.name)
    (d / "empty.txt").write_bytes(b"")
    (d / "scan.pdf").write_bytes(b"\x00\x01\x02 not a pdf at all \xff\xfe")
    return d


@pytest.fixture(scope="module")
def first_run(intake, tmp_path_factory, monkeypatch_module):
    out = tmp_path_factory.mktemp("out")
    count = out.parent / "first-count.txt"
    monkeypatch_module.setenv("CIVSCORE_COUNT_SCORING", str(count))
    result = run_cli("batch", str(intake), "--out", str(out), "--workers", "2")
    monkeypatch_module.delenv("CIVSCORE_COUNT_SCORING")
    return out, result, count


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.fixture(scope="module")
def expected():
    scorer = Scorer.load()
    return {p.name: scorer.score_path(p) for p in SEEDS}


def test_exit_code_and_failures_reported(first_run):
    out, result, _ = first_run
    assert result.exit_code == 2, result.output
    summary = result.stdout
    assert re.search(r"scored 5, skipped as already scored 0, failed 2", summary), summary
    for name in ("empty.txt", "scan.pdf"):
        assert re.search(rf"^  {re.escape(name)}: \S", summary, re.M), summary  # listed with a reason
        assert name in result.stderr  # and reported when it happened


def test_five_scorecards_all_complete(first_run):
    out, _, _ = first_run
    cards = sorted(p.name for p in out.glob("*.pdf") if p.name != "overview.pdf")
    assert cards == sorted(p.stem + ".pdf" for p in SEEDS)
    for p in out.rglob("*.pdf"):
        assert_complete_pdf(p)
    assert not list(out.rglob("*.tmp"))


def test_ranking_csv_in_rank_order_matching_the_json(first_run, expected):
    out, _, _ = first_run
    rows = read_csv(out / "ranking.csv")
    rubric = Scorer.load().rubric
    dim_names = [d.name for d in rubric.dimensions]
    # Chinese headers for reviewers (issue 16.3); the seeds are all courts: court's dimensions only
    assert list(rows[0]) == ["名次", "申报单位", "总分", "等级", "评分标准", *dim_names, "一票否决", "文件"]
    assert [r["名次"] for r in rows] == ["1", "2", "3", "4", "5"]
    assert sorted(r["文件"] for r in rows) == sorted(expected)
    by_file = {r["文件"]: r for r in rows}
    for name, res in expected.items():
        row = by_file[name]
        assert float(row["总分"]) == res.total
        assert row["等级"] == res.grade
        assert row["申报单位"] == (res.submission.unit or "")
        assert row["评分标准"] == res.rubric.id == "court"
        for d in res.dimensions:
            assert float(row[d.name]) == d.score
    key = [(expected[r["文件"]].vetoed, -expected[r["文件"]].total, r["文件"]) for r in rows]
    assert key == sorted(key)


def test_ranking_xlsx_matches_csv(first_run):
    out, _, _ = first_run
    rows = read_csv(out / "ranking.csv")
    ws = load_workbook(out / "ranking.xlsx", read_only=True)["ranking"]
    cells = [list(r) for r in ws.iter_rows(values_only=True)]
    assert cells[0] == list(rows[0])
    assert len(cells) == 1 + len(rows)
    for got, want in zip(cells[1:], rows):
        assert got[0] == int(want["名次"]) and got[1] == want["申报单位"] and got[-1] == want["文件"]
        assert got[2] == float(want["总分"])


def test_store_holds_the_full_json(first_run, expected):
    out, _, _ = first_run
    db = sqlite3.connect(out / "results.sqlite")
    rows = db.execute("SELECT submission_sha256, rubric_sha256, path, unit, total, grade, vetoed, scored_at, "
                      "result_json FROM results").fetchall()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert len(rows) == 5
    rubric_sha = Scorer.load().rubric_info.sha256
    by_name = {Path(r[2]).name: r for r in rows}
    for name, res in expected.items():
        sha, rsha, path, unit, total, grade, vetoed, scored_at, blob = by_name[name]
        stored = json.loads(blob)
        assert (sha, rsha) == (res.submission.sha256, rubric_sha)
        assert (unit, total, grade, bool(vetoed)) == (res.submission.unit, res.total, res.grade, res.vetoed)
        assert stored["total"] == res.total and stored["text"] == res.text
        assert [d["score"] for d in stored["dimensions"]] == [d.score for d in res.dimensions]
        assert re.match(r"\d{4}-\d\d-\d\dT", scored_at)


def test_overview_lists_units_by_rank(first_run):
    out, _, _ = first_run
    assert_complete_pdf(out / "overview.pdf")
    text = pdf_text(out / "overview.pdf")
    rows = read_csv(out / "ranking.csv")
    positions = [text.find(re.sub(r"\s+", "", r["文件"])) for r in rows]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), positions
    assert "未能评分的材料" in text and "empty.txt" in text


def test_each_report_scored_once(first_run):
    _, _, count = first_run
    lines = count.read_text(encoding="utf-8").splitlines()
    assert sorted(Path(x).name for x in lines) == sorted(p.name for p in SEEDS)


def test_rerun_skips_and_renders_only_missing_scorecards(first_run, intake, tmp_path, monkeypatch):
    out, _, _ = first_run
    cards = {p: p.stat().st_mtime_ns for p in out.glob("0*.pdf")}
    missing = sorted(cards)[1]
    missing.unlink()
    count = tmp_path / "count.txt"
    monkeypatch.setenv("CIVSCORE_COUNT_SCORING", str(count))
    result = run_cli("batch", str(intake), "--out", str(out), "--workers", "2")
    assert result.exit_code == 2  # the bad files still fail
    assert "scored 0, skipped as already scored 5, failed 2" in result.stdout
    assert not count.exists()  # nothing was scored again
    assert_complete_pdf(missing)
    for p, mtime in cards.items():
        if p != missing:
            assert p.stat().st_mtime_ns == mtime, f"{p.name} was rewritten"


def test_changed_rubric_rescores_and_history_shows_both(first_run, intake, tmp_path, monkeypatch):
    out, _, _ = first_run
    changed = tmp_path / "court-v2.yaml"
    changed.write_text(COURT.read_text(encoding="utf-8").replace('version: "1.0.0"', 'version: "1.0.1"', 1),
                       encoding="utf-8")
    count = tmp_path / "count.txt"
    monkeypatch.setenv("CIVSCORE_COUNT_SCORING", str(count))
    result = run_cli("batch", str(intake), "--out", str(out), "--rubric", str(changed), "--no-pdf")
    assert result.exit_code == 2
    assert "scored 5, skipped as already scored 0" in result.stdout
    assert len(count.read_text().splitlines()) == 5
    with ResultStore(out / "results.sqlite") as store:
        assert store.count() == 10
    unit = read_csv(out / "ranking.csv")[0]["申报单位"]
    hist = run_cli("history", unit, "--db", str(out / "results.sqlite"))
    assert hist.exit_code == 0, hist.output
    assert "court 1.0.0" in hist.stdout and "court 1.0.1" in hist.stdout
    assert hist.stdout.index("court 1.0.0") < hist.stdout.index("court 1.0.1")  # oldest first

    # --force scores again with the same rubric; the row is replaced, not added.
    result = run_cli("batch", str(intake), "--out", str(out), "--rubric", str(changed), "--no-pdf", "--force")
    assert "scored 5, skipped as already scored 0" in result.stdout
    with ResultStore(out / "results.sqlite") as store:
        assert store.count() == 10


def test_history_errors(tmp_path):
    r = run_cli("history", "某法院", "--db", str(tmp_path / "none.sqlite"))
    assert r.exit_code == 2 and "no results database" in r.stderr


def test_batch_errors(tmp_path):
    r = run_cli("batch", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o"))
    assert r.exit_code == 2 and "no such folder" in r.stderr
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.xyz").write_text("x")
    r = run_cli("batch", str(tmp_path / "in"), "--out", str(tmp_path / "o"))
    assert r.exit_code == 2 and "no reports found" in r.stderr


def test_out_inside_the_intake_is_not_scored(tmp_path):
    intake = tmp_path / "in"
    intake.mkdir()
    shutil.copy(SEEDS[0], intake / SEEDS[0].name)
    out = intake / "reports"
    for _ in range(2):
        r = run_cli("batch", str(intake), "--out", str(out), "--no-pdf", "--workers", "1")
        assert r.exit_code == 0, r.output
    assert len(read_csv(out / "ranking.csv")) == 1
