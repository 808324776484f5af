"""Issue 16.3: mixed intakes. Choosing the rubric by unit kind is the default of `score`,
`batch` and the workbench; `--rubric auto` is accepted; the exports of a mixed round name
each row's rubric, give every rubric its own dimension columns (and the workbook a sheet
per rubric without blanks), Chinese headers for reviewers; the overview is titled by the
round; the batch table says how many rows it left out; and resume works with the chooser."""

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
from typer.testing import CliRunner
from web_support import SEEDS, Reviewer, seed_bytes

from scorer.cli import app as cli_app
from scorer.engine import RubricChooser, Scorer
from scorer.web.app import create_app

GENERAL = sorted((Path(__file__).parent / "fixtures" / "general").glob("*.txt"))
COURT_DIMS = [d.name for d in Scorer.load("court").rubric.dimensions]
GENERAL_DIMS = [d.name for d in Scorer.load("general").rubric.dimensions]


def run(*args: str):
    return CliRunner().invoke(cli_app, list(args), terminal_width=200)


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True)
    return re.sub(r"\s+", "", out.stdout.decode("utf-8"))


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """Every seed (courts) and the two general fixtures (a hospital, a tax bureau), batched
    with no --rubric."""
    root = tmp_path_factory.mktemp("mixed")
    intake = root / "intake"
    intake.mkdir()
    for p in [*SEEDS, *GENERAL]:
        shutil.copy(p, intake / p.name)
    out = root / "2026年度初评"
    res = run("batch", str(intake), "--out", str(out), "--workers", "2")
    assert res.exit_code == 0, res.output
    return intake, out, res


def test_score_chooses_by_default_and_accepts_auto():
    res = run("score", "-h")
    flat = " ".join(res.output.split())
    assert "Default: court" not in flat and "Default: auto" in flat
    for args in ([], ["--rubric", "auto"]):
        res = run("score", str(GENERAL[0]), str(SEEDS[0]), "--json", *args)
        assert res.exit_code == 0, res.output
        got = json.loads(res.stdout)
        assert [r["rubric"]["id"] for r in got] == ["general", "court"]
        assert all(r["rubric"]["chosen_by"] for r in got)
    res = run("batch", "-h")
    assert "Default: auto" in " ".join(res.output.split())


def test_batch_csv_names_the_rubric_with_its_own_columns(mixed):
    _, out, _ = mixed
    rows = read_csv((out / "ranking.csv").read_bytes())
    head = list(rows[0])
    assert head == ["名次", "申报单位", "总分", "等级", "评分标准", *(f"{n}（court）" for n in COURT_DIMS),
                    *(f"{n}（general）" for n in GENERAL_DIMS), "一票否决", "文件"]
    chooser = RubricChooser()
    by_file = {r["文件"]: r for r in rows}
    assert sorted(by_file) == sorted(p.name for p in [*SEEDS, *GENERAL])
    for p in [*SEEDS, *GENERAL]:
        res = chooser.score_path(p)
        row = by_file[p.name]
        assert row["评分标准"] == res.rubric.id
        assert float(row["总分"]) == res.total
        for d in res.dimensions:  # every dimension of its own rubric is filled in
            assert float(row[f"{d.name}（{res.rubric.id}）"]) == d.score
    assert {r["评分标准"] for r in rows} == {"court", "general"}


def test_batch_workbook_has_a_sheet_per_rubric_without_blanks(mixed):
    _, out, _ = mixed
    wb = load_workbook(out / "ranking.xlsx", read_only=True)
    assert wb.sheetnames == ["ranking", "court", "general"]
    for rid, dims, files in (("court", COURT_DIMS, SEEDS), ("general", GENERAL_DIMS, GENERAL)):
        cells = [list(r) for r in wb[rid].iter_rows(values_only=True)]
        assert cells[0] == ["名次", "申报单位", "总分", "等级", "评分标准", *dims, "一票否决", "文件"]
        assert sorted(r[-1] for r in cells[1:]) == sorted(p.name for p in files)
        for r in cells[1:]:
            assert r[4] == rid and all(isinstance(v, float | int) for v in r[5:5 + len(dims)])
    ranks = [r[0] for sheet in ("court", "general") for r in list(wb[sheet].iter_rows(values_only=True))[1:]]
    assert sorted(ranks) == list(range(1, len(SEEDS) + len(GENERAL) + 1))  # the round's ranks


def test_batch_overview_is_titled_by_the_round(mixed):
    _, out, _ = mixed
    text = pdf_text(out / "overview.pdf")
    assert "2026年度初评" in text
    court, general = Scorer.load("court").rubric.title, Scorer.load("general").rubric.title
    assert f"评分标准court：{court}（{len(SEEDS)}份）" in text
    assert f"评分标准general：{general}（{len(GENERAL)}份）" in text
    for name in GENERAL_DIMS:
        assert name in text


def test_batch_table_says_how_many_rows_it_left_out(mixed):
    _, out, res = mixed
    n = len(SEEDS) + len(GENERAL)
    flat = "".join(res.stdout.split())
    assert f"前5名；另有{n - 5}行未列出，全部{n}行见" in flat


def test_sqlite_keeps_machine_keys_and_resume_works_with_the_chooser(mixed, tmp_path, monkeypatch):
    intake, out, _ = mixed
    db = sqlite3.connect(out / "results.sqlite")
    try:
        got = dict(db.execute("SELECT path, rubric_id FROM results").fetchall())
    finally:
        db.close()
    assert {Path(p).name: r for p, r in got.items()} == {
        **{p.name: "court" for p in SEEDS}, **{p.name: "general" for p in GENERAL}}
    count = tmp_path / "count.txt"
    monkeypatch.setenv("CIVSCORE_COUNT_SCORING", str(count))
    res = run("batch", str(intake), "--out", str(out), "--no-pdf", "--workers", "1", "--rubric", "auto")
    assert res.exit_code == 0, res.output
    assert f"scored 0, skipped as already scored {len(SEEDS) + len(GENERAL)}" in res.stdout
    assert not count.exists()
    # one rubric named: a stored chooser result of that rubric is resumed, the others scored
    res = run("batch", str(intake), "--out", str(out), "--no-pdf", "--workers", "1", "--rubric", "general")
    assert res.exit_code == 0, res.output
    assert f"scored {len(SEEDS)}, skipped as already scored {len(GENERAL)}" in res.stdout


def test_a_mixed_workbench_round_exports_by_rubric(tmp_path):
    app = create_app(tmp_path / "data")
    rv = Reviewer(app)
    rid = rv.new_round("市级文明单位复审", rubric="auto")
    files = [("files", (SEEDS[0].name, seed_bytes(0))), ("files", (GENERAL[0].name, GENERAL[0].read_bytes()))]
    r = rv.post(f"/rounds/{rid}/upload", {"rubric": "auto"}, files=files)
    assert r.status_code == 200 and "已评分 2 份" in r.text
    rows = read_csv(rv.get(f"/rounds/{rid}/ranking.csv").content)
    assert {r["文件"]: r["评分标准"] for r in rows} == {SEEDS[0].name: "court", GENERAL[0].name: "general"}
    general = next(r for r in rows if r["评分标准"] == "general")
    assert all(general[f"{n}（general）"] for n in GENERAL_DIMS)
    x = rv.get(f"/rounds/{rid}/ranking.xlsx")
    path = tmp_path / "r.xlsx"
    path.write_bytes(x.content)
    assert load_workbook(path, read_only=True).sheetnames == ["ranking", "court", "general"]
    ov = rv.get(f"/rounds/{rid}/overview.pdf")
    pdf = tmp_path / "ov.pdf"
    pdf.write_bytes(ov.content)
    text = pdf_text(pdf)
    assert "市级文明单位复审" in text and "评分标准general" in text and "评分标准court" in text
