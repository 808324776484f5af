"""Issue 16.2: civscore's own outputs (scorecards, the overview, rankings) are refused as
submissions — on the command line with one line and exit 2, in the workbench with a
Chinese message — and a round item can be withdrawn (with a reason in the change log),
which takes it out of the ranking and the exports."""

from __future__ import annotations

import csv
import io
import shutil
import sqlite3

import pytest
from typer.testing import CliRunner
from web_support import SEEDS, Reviewer, seed_bytes, version_of

from scorer.cli import app as cli_app
from scorer.web.app import create_app


def run(*args: str):
    return CliRunner().invoke(cli_app, list(args))


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def batch_out(tmp_path_factory):
    """A real batch over two seeds: its scorecards, overview.pdf, ranking.csv and ranking.xlsx."""
    root = tmp_path_factory.mktemp("own")
    intake, out = root / "intake", root / "out"
    intake.mkdir()
    for seed in SEEDS[:2]:
        shutil.copy(seed, intake / seed.name)
    res = run("batch", str(intake), "--out", str(out), "--workers", "1")
    assert res.exit_code == 0, res.output
    return out


def test_a_scorecard_is_not_a_submission(batch_out):
    card = batch_out / SEEDS[0].with_suffix(".pdf").name
    assert card.is_file()
    res = run("score", str(card))
    assert res.exit_code == 2
    assert error_lines(res) == [f"error: {card}: is civscore's own scorecard (it carries civscore's mark), "
                                "not a submission; score the report it was made from"]
    assert "Traceback" not in res.output


@pytest.mark.parametrize("name, kind", [("overview.pdf", "overview"), ("ranking.csv", "ranking"),
                                        ("ranking.xlsx", "ranking")])
def test_the_overview_and_rankings_are_not_submissions(batch_out, name, kind):
    res = run("score", str(batch_out / name))
    assert res.exit_code == 2
    assert error_lines(res) == [f"error: {batch_out / name}: is civscore's own {kind} (it carries civscore's mark), "
                                "not a submission; score the report it was made from"]


def test_batch_lists_a_scorecard_in_the_intake_as_a_failure(batch_out, tmp_path):
    intake = tmp_path / "intake"
    intake.mkdir()
    shutil.copy(SEEDS[2], intake / SEEDS[2].name)
    shutil.copy(batch_out / SEEDS[0].with_suffix(".pdf").name, intake / "old-scorecard.pdf")
    res = run("batch", str(intake), "--out", str(tmp_path / "out"), "--no-pdf", "--workers", "1")
    assert res.exit_code == 2
    assert "old-scorecard.pdf: is civscore's own scorecard" in "".join(res.output.split("\n"))
    with open(tmp_path / "out" / "ranking.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 2 and rows[1][-1] == SEEDS[2].name  # only the real report is ranked


def test_the_workbench_refuses_a_scorecard_in_chinese(batch_out, tmp_path):
    data = tmp_path / "data"
    app = create_app(data)
    rv = Reviewer(app)
    rid = rv.new_round()
    card = (batch_out / SEEDS[0].with_suffix(".pdf").name).read_bytes()
    r = rv.upload(rid, "评分表.pdf", card)
    assert r.status_code == 400
    assert "这是 civscore 生成的评分表，不是申报材料" in r.text
    db = sqlite3.connect(data / "results.sqlite")
    try:
        assert db.execute("SELECT count(*) FROM web_items").fetchone()[0] == 0
    finally:
        db.close()
    assert not any((data / "uploads").iterdir())


def test_a_withdrawn_item_leaves_the_ranking_and_the_exports(tmp_path):
    app = create_app(tmp_path / "data")
    rv = Reviewer(app)
    rid = rv.new_round()
    urls = [str(rv.upload(rid, SEEDS[i].name, seed_bytes(i)).url.path) for i in range(3)]
    gone = urls[1]
    page = rv.get(gone).text
    assert 'id="withdraw"' in page
    # a reason is required
    r = rv.post(gone + "/withdraw", {"version": version_of(page), "reason": "  "})
    assert r.status_code == 400 and "请填写撤出理由" in r.text
    r = rv.post(gone + "/withdraw", {"version": version_of(page), "reason": "误传：这是去年的评分表"})
    assert r.status_code == 200
    assert "这份材料已撤出本批次" in r.text and "误传：这是去年的评分表" in r.text
    log = r.text[r.text.index('id="log"'):]
    assert "撤出本批次" in log and "误传：这是去年的评分表" in log
    round_page = rv.get(f"/rounds/{rid}").text
    ranking = round_page[round_page.index("<h2>排名"):round_page.index('id="withdrawn"')]
    withdrawn = round_page[round_page.index('id="withdrawn"'):]
    assert SEEDS[1].name not in ranking and SEEDS[1].name in withdrawn
    assert SEEDS[0].name in ranking and SEEDS[2].name in ranking
    assert "共 2 份材料" in round_page
    rows = list(csv.reader(io.StringIO(rv.get(f"/rounds/{rid}/ranking.csv").content.decode("utf-8-sig"))))
    assert sorted(row[-1] for row in rows[1:]) == sorted([SEEDS[0].name, SEEDS[2].name])
    assert [row[0] for row in rows[1:]] == ["1", "2"]
    # undoing the withdrawal (or restoring it) puts it back
    page = rv.get(gone).text
    r = rv.post(gone + "/withdraw", {"version": version_of(page), "restore": "1"})
    assert r.status_code == 200 and "这份材料已撤出本批次" not in r.text
    rows = list(csv.reader(io.StringIO(rv.get(f"/rounds/{rid}/ranking.csv").content.decode("utf-8-sig"))))
    assert len(rows) == 4


def test_a_database_from_before_withdrawal_opens_and_ranks(tmp_path):
    data = tmp_path / "data"
    app = create_app(data)
    rv = Reviewer(app)
    rid = rv.new_round()
    url = str(rv.upload(rid, SEEDS[0].name, seed_bytes(0)).url.path)
    page = rv.get(url).text
    rv.post(url + "/opinion", {"version": version_of(page), "opinion": "材料完整", "reviewer": "张三", "checker": ""})
    app.state.wb.store.close()
    db = sqlite3.connect(data / "results.sqlite")
    db.execute("ALTER TABLE web_reviews DROP COLUMN withdrawn")  # the schema before issue 16
    db.commit()
    db.close()
    rv = Reviewer(create_app(data))
    assert SEEDS[0].name in rv.get(f"/rounds/{rid}").text
    page = rv.get(url).text
    r = rv.post(url + "/withdraw", {"version": version_of(page), "reason": "重复提交"})
    assert r.status_code == 200 and "这份材料已撤出本批次" in r.text
