"""Issue 9.1: outputs never replace inputs. Every output is resolved and checked
before any work; a file civscore did not write is never replaced; scorecards of
same-named files from different folders never collide."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ingest_builders as build
from scorer.cli import app
from scorer.errors import OutputError
from scorer.outputs import atomic_write, is_own_output

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
SEED_TEXT = SEEDS[0].read_text(encoding="utf-8")


def run(*args: str, input: str | bytes | None = None):
    return CliRunner().invoke(app, list(args), input=input)


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def error_lines(result) -> list[str]:
    return [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]


def test_pdf_naming_its_own_input_is_refused(tmp_path):
    report = build.make_pdf(SEED_TEXT, tmp_path / "r.pdf")
    before = report.read_bytes()
    result = run("score", str(report), "--pdf", str(report))
    assert result.exit_code == 2
    assert error_lines(result) == [f"error: {report}: --pdf: is an input of this run; refusing to overwrite it"]
    assert "Traceback" not in result.output
    assert report.read_bytes() == before


def test_pdf_dir_equal_to_the_intake_of_pdfs_replaces_nothing(tmp_path):
    intake = tmp_path / "in"
    intake.mkdir()
    for i, seed in enumerate(SEEDS[:2]):
        build.make_pdf(seed.read_text(encoding="utf-8"), intake / f"unit{i}.pdf")
    before = digest(intake)
    result = run("score", *map(str, sorted(intake.glob("*.pdf"))), "--pdf-dir", str(intake))
    assert result.exit_code == 2
    assert len(error_lines(result)) == 2 and all("refusing to overwrite" in ln for ln in error_lines(result))
    assert digest(intake) == before


def test_readme_pdf_dir_example_with_the_same_folder_keeps_every_input(tmp_path):
    """`civscore score seeds/*.txt --pdf-dir seeds/`, in a copy: scorecards go beside the reports."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for p in SEEDS:
        shutil.copy(p, seeds / p.name)
    before = digest(seeds)
    args = ["score", *map(str, sorted(seeds.glob("*.txt"))), "--pdf-dir", str(seeds)]
    result = run(*args)
    assert result.exit_code == 0, result.output
    after = digest(seeds)
    assert {k: v for k, v in after.items() if k in before} == before  # no input replaced
    cards = sorted(seeds.glob("*.pdf"))
    assert [p.stem for p in cards] == [p.stem for p in SEEDS]
    assert all(is_own_output(p) for p in cards)
    # Run again: the scorecards are civscore's own, so they are replaced; inputs still untouched.
    again = run(*args)
    assert again.exit_code == 0, again.output
    assert {k: v for k, v in digest(seeds).items() if k in before} == before


def test_a_foreign_file_where_a_scorecard_would_go_is_kept(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    report = folder / "unit.txt"
    report.write_text(SEED_TEXT, encoding="utf-8")
    theirs = build.make_pdf(SEED_TEXT, folder / "unit.pdf")  # the applicant's own PDF, not a scorecard
    before = theirs.read_bytes()
    result = run("score", str(report), "--pdf-dir", str(folder))
    assert result.exit_code == 2
    assert "was not written by civscore; refusing to overwrite it" in result.stderr
    assert theirs.read_bytes() == before


def test_same_file_names_from_different_folders_get_their_own_scorecards(tmp_path):
    reports = []
    for i, folder in enumerate(["a", "b", "c/d"]):
        p = tmp_path / folder / "report.txt"
        p.parent.mkdir(parents=True)
        p.write_text(SEEDS[i].read_text(encoding="utf-8"), encoding="utf-8")
        reports.append(p)
    cards = tmp_path / "cards"
    result = run("score", *map(str, reports), "--pdf-dir", str(cards))
    assert result.exit_code == 0, result.output
    shown = [ln.split("scorecard: ", 1)[1] for ln in result.stdout.splitlines() if ln.startswith("scorecard: ")]
    assert len(shown) == 3 and len(set(shown)) == 3
    written = sorted(p.relative_to(cards).as_posix() for p in cards.rglob("*.pdf"))
    assert written == ["a/report.pdf", "b/report.pdf", "c/d/report.pdf"]


def test_out_is_the_one_spelling_for_score(tmp_path):
    report = tmp_path / "r.txt"
    report.write_text(SEED_TEXT, encoding="utf-8")
    one = run("score", str(report), "-o", str(tmp_path / "card.pdf"))
    assert one.exit_code == 0, one.output
    assert is_own_output(tmp_path / "card.pdf")
    many = run("score", str(report), "--out", str(tmp_path / "cards"))
    assert many.exit_code == 0 and is_own_output(tmp_path / "cards" / "r.pdf")
    both = run("score", str(report), "--out", str(tmp_path / "x.pdf"), "--pdf", str(tmp_path / "y.pdf"))
    assert both.exit_code == 2 and len(error_lines(both)) == 1


def test_batch_out_inside_the_intake_does_not_overwrite_a_submission(tmp_path):
    data = tmp_path / "data"
    (data / "2024").mkdir(parents=True)
    (data / "unit.txt").write_text(SEED_TEXT, encoding="utf-8")
    submission = build.make_pdf(SEEDS[1].read_text(encoding="utf-8"), data / "2024" / "unit.pdf")
    before = submission.read_bytes()
    result = run("batch", str(data), "--out", str(data / "2024"), "--workers", "1")
    assert result.exit_code == 2
    assert len(error_lines(result)) == 1 and "2024/unit.pdf" in error_lines(result)[0]
    assert "intake" in error_lines(result)[0] and "refusing to overwrite" in error_lines(result)[0]
    assert submission.read_bytes() == before
    assert not (data / "2024" / "results.sqlite").exists()  # refused before any work


def test_batch_refuses_a_foreign_results_database(tmp_path):
    intake, out = tmp_path / "in", tmp_path / "out"
    intake.mkdir()
    out.mkdir()
    shutil.copy(SEEDS[0], intake / SEEDS[0].name)
    theirs = out / "results.sqlite"
    db = sqlite3.connect(theirs)
    db.execute("CREATE TABLE budget (item TEXT, amount REAL)")
    db.commit()
    db.close()
    before = theirs.read_bytes()
    result = run("batch", str(intake), "--out", str(out), "--no-pdf", "--workers", "1")
    assert result.exit_code == 2 and "results.sqlite" in result.stderr
    assert theirs.read_bytes() == before


def test_diff_outputs_are_checked_before_work(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copy(SEEDS[0], reports / SEEDS[0].name)
    court = ROOT / "rubric" / "court.yaml"
    folder = tmp_path / "a-folder.csv"
    folder.mkdir()
    result = run("diff", "--base", str(court), "--rubric", str(court), str(reports), "--csv", str(folder))
    assert result.exit_code == 2 and error_lines(result) == [f"error: {folder}: --csv: is a folder, not a file"]
    notes = tmp_path / "notes.md"
    notes.write_text("# my notes\n", encoding="utf-8")
    result = run("diff", "--base", str(court), "--rubric", str(court), str(reports), "-o", str(notes))
    assert result.exit_code == 2 and notes.read_text(encoding="utf-8") == "# my notes\n"
    report = reports / SEEDS[0].name
    result = run("diff", "--base", str(court), "--rubric", str(court), str(reports), "--csv", str(report))
    assert result.exit_code == 2 and "is an input of this run" in result.stderr
    assert report.read_bytes() == SEEDS[0].read_bytes()


def test_markers_tell_own_outputs_from_foreign_files(tmp_path):
    report = tmp_path / "r.txt"
    report.write_text(SEED_TEXT, encoding="utf-8")
    assert run("score", str(report), "-o", str(tmp_path / "card.pdf")).exit_code == 0
    assert is_own_output(tmp_path / "card.pdf")
    assert not is_own_output(build.make_pdf(SEED_TEXT, tmp_path / "plain.pdf"))  # a WeasyPrint PDF, not ours
    (tmp_path / "fake.pdf").write_bytes(b"%PDF-1.7 civscore\n")
    assert not is_own_output(tmp_path / "fake.pdf")
    (tmp_path / "rank.csv").write_text("rank,unit,total,grade,x\n", encoding="utf-8")
    (tmp_path / "other.csv").write_text("name,amount\n", encoding="utf-8")
    assert is_own_output(tmp_path / "rank.csv") and not is_own_output(tmp_path / "other.csv")
    (tmp_path / "fake.xlsx").write_bytes(b"PK\x03\x04 not really")
    assert not is_own_output(tmp_path / "fake.xlsx")
    assert not is_own_output(tmp_path / "missing.pdf")


def test_atomic_write_names_the_file_for_each_os_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="is a file, not a folder|a part of the path is a file"):
        with atomic_write(blocker / "sub" / "out.csv") as fh:
            fh.write(b"x")
    with pytest.raises(OutputError, match="is a folder, not a file"):
        with atomic_write(tmp_path) as fh:
            fh.write(b"x")
    long_name = tmp_path / ("名" * 90 + ".csv")  # 274 bytes: over the 255-byte limit of a name
    with pytest.raises(OutputError, match="file name too long"):
        with atomic_write(long_name) as fh:
            fh.write(b"x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_new_files_get_the_umask_mode_and_replaced_files_keep_theirs(tmp_path):
    old = os.umask(0o027)
    try:
        with atomic_write(tmp_path / "a.csv") as fh:
            fh.write(b"rank,unit,total,grade\n")
    finally:
        os.umask(old)
    assert (tmp_path / "a.csv").stat().st_mode & 0o777 == 0o640
    os.chmod(tmp_path / "a.csv", 0o600)
    with atomic_write(tmp_path / "a.csv") as fh:
        fh.write(b"rank,unit,total,grade\n1\n")
    assert (tmp_path / "a.csv").stat().st_mode & 0o777 == 0o600


def test_batch_replaces_scorecards_its_store_lists_even_without_the_mark(tmp_path):
    """Scorecards written before PDFs carried the mark are known from the store's scorecards table."""
    intake, out = tmp_path / "in", tmp_path / "out"
    intake.mkdir()
    shutil.copy(SEEDS[0], intake / "unit.txt")
    assert run("batch", str(intake), "--out", str(out), "--workers", "1").exit_code == 0
    card = out / "unit.pdf"
    build.make_pdf(SEED_TEXT, card)  # an unmarked PDF where the store says our scorecard is
    build.make_pdf(SEED_TEXT, out / "overview.pdf")
    assert not is_own_output(card)
    result = run("batch", str(intake), "--out", str(out), "--workers", "1", "--force")
    assert result.exit_code == 0, result.output
    assert is_own_output(card) and is_own_output(out / "overview.pdf")


def test_checking_a_live_database_keeps_its_locks(tmp_path):
    """Issue 16.1: is_own_output reads the mark through SQLite. A plain open()/close() of the
    file drops this process's POSIX locks, and another process closing its connection then
    deletes the -wal and -shm under this one."""
    import subprocess
    import sys

    from scorer.batch.store import ResultStore

    folder = tmp_path / "a?b#c%d"  # characters that mean something in a URI
    folder.mkdir()
    path = folder / "results.sqlite"
    with ResultStore(path):
        pass
    live = sqlite3.connect(path, isolation_level=None)
    live.execute("PRAGMA journal_mode=WAL")
    live.execute("CREATE TABLE notes (t TEXT)")
    live.execute("INSERT INTO notes VALUES ('edit')")
    assert is_own_output(path)
    other = "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.execute('SELECT 1 FROM notes').fetchall(); db.close()"
    subprocess.run([sys.executable, "-c", other, str(path)], check=True)
    assert Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists()
    live.execute("INSERT INTO notes VALUES ('after')")
    live.close()
    check = sqlite3.connect(path)
    assert [r[0] for r in check.execute("SELECT t FROM notes")] == ["edit", "after"]
    check.close()
    (folder / "fake.sqlite").write_bytes(b"not a database at all, but long enough" * 4)
    assert not is_own_output(folder / "fake.sqlite")
    foreign = sqlite3.connect(folder / "theirs.sqlite")
    foreign.execute("CREATE TABLE budget (x)")
    foreign.commit()
    foreign.close()
    assert not is_own_output(folder / "theirs.sqlite")
