"""Issue 9.2 and 9.5, issue 10.5: spreadsheet-safe cells, one error path (one escaped
line, exit 2), special files reported, JSON without NaN/Infinity, and the thin CLI
(--version, -h, `-` for standard input, -q, file modes, one-way wiring)."""

from __future__ import annotations

import ast
import csv
import io
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from scorer.cli import app

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
SEED_TEXT = SEEDS[0].read_text(encoding="utf-8")
COURT = ROOT / "rubric" / "court.yaml"
CLI_DIR = ROOT / "scorer" / "cli"

HOSTILE_NAMES = [
    '=HYPERLINK("http:__evil.example","点此").txt',
    "@SUM(1+1).txt",
    "+cmd.txt",
    "-2+3.txt",
]


def run(*args: str, input=None):
    return CliRunner().invoke(app, list(args), input=input)


def error_lines(result) -> list[str]:
    return [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]


def civscore(*args: str, stdin=None, preexec=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scorer", *args], stdin=stdin, capture_output=True,
                          cwd=ROOT, preexec_fn=preexec, timeout=600)


# -- 9.2 spreadsheet-safe cells ----------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory):
    intake = tmp_path_factory.mktemp("intake")
    for name, seed in zip(HOSTILE_NAMES, SEEDS):
        (intake / name).write_bytes(seed.read_bytes())
    out = tmp_path_factory.mktemp("out")
    result = run("batch", str(intake), "--out", str(out), "--no-pdf", "--workers", "1")
    assert result.exit_code == 0, result.output
    return out


def test_csv_cells_never_start_a_formula(hostile_batch):
    text = (hostile_batch / "ranking.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert sorted(r["文件"] for r in rows) == sorted("'" + n for n in HOSTILE_NAMES)
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r")), value
            assert not (value.startswith("-") and not value.lstrip("-").replace(".", "").isdigit()), value


def test_xlsx_cells_are_strings_not_formulas(hostile_batch):
    ws = load_workbook(hostile_batch / "ranking.xlsx").active
    header = [c.value for c in ws[1]]
    col = header.index("文件")
    files = []
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.value
            if isinstance(cell.value, str):
                assert cell.data_type == "s"
        files.append(row[col].value)
    assert sorted(files) == sorted("'" + n for n in HOSTILE_NAMES)


# -- 9.5 one error path ---------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0", "-1"])
def test_max_size_must_be_finite_and_positive(tmp_path, value):
    report = tmp_path / "r.txt"
    report.write_text(SEED_TEXT, encoding="utf-8")
    result = run("score", str(report), "--max-size", value)
    assert result.exit_code == 2
    assert len(error_lines(result)) == 1 and "--max-size" in error_lines(result)[0]
    assert "Traceback" not in result.output


def test_a_bad_option_value_is_one_line(tmp_path):
    result = run("score", "x.txt", "--max-size", "lots")
    assert result.exit_code == 2 and len(error_lines(result)) == 1
    assert len(result.stderr.strip().splitlines()) == 1


def test_pdf_naming_a_folder_or_a_path_under_a_file(tmp_path):
    report = tmp_path / "r.txt"
    report.write_text(SEED_TEXT, encoding="utf-8")
    folder = tmp_path / "d"
    folder.mkdir()
    result = run("score", str(report), "--pdf", str(folder))
    assert result.exit_code == 2 and error_lines(result) == [f"error: {folder}: --pdf: is a folder, not a file"]
    under = report / "card.pdf"
    result = run("score", str(report), "--pdf", str(under))
    assert result.exit_code == 2 and error_lines(result) == [f"error: {under}: --pdf: {report} is a file, not a folder"]
    result = run("batch", str(tmp_path), "--out", str(report / "out"))
    assert result.exit_code == 2 and len(error_lines(result)) == 1


def test_newline_and_bidi_in_a_file_name_are_escaped(tmp_path):
    forged = tmp_path / "a\nerror: all files passed\u202etxt.exe.txt"
    forged.write_bytes(b"")
    good = tmp_path / "good.txt"
    good.write_text(SEED_TEXT, encoding="utf-8")
    result = run("score", str(forged), str(good))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert [ln for ln in lines if ln.startswith("error:")] == [
        f"error: {tmp_path}/a\\nerror: all files passed\\u202etxt.exe.txt: the file is empty"
    ]
    assert "\u202e" not in result.stderr and "all files passed" not in "".join(
        ln for ln in lines if not ln.startswith(("error:", "  "))
    )
    assert "总分" in result.stdout  # the good file is still scored


def test_a_long_name_fails_alone_and_the_next_file_is_scored(tmp_path):
    long_report = tmp_path / ("报" * 84 + ".md")  # 255 bytes; 报…报.pdf would be 256: too long
    long_report.write_text(SEED_TEXT, encoding="utf-8")
    long_report2 = tmp_path / ("y" * 252 + ".md")  # 255 bytes; y…y.pdf would be 256
    long_report2.write_text(SEED_TEXT, encoding="utf-8")
    good = tmp_path / "good.txt"
    good.write_text(SEED_TEXT, encoding="utf-8")
    cards = tmp_path / "cards"
    result = run("score", str(long_report), str(long_report2), str(good), "--pdf-dir", str(cards))
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert (cards / "good.pdf").is_file()
    assert result.exit_code == 2
    assert len(error_lines(result)) == 2 and all("file name too long" in e for e in error_lines(result))


def test_json_never_holds_infinity(tmp_path, monkeypatch):
    from scorer.engine import Scorer

    real = Scorer.score_path

    def infinite(self, path, **limits):
        return real(self, path, **limits).model_copy(update={"total": float("inf")})

    monkeypatch.setattr(Scorer, "score_path", infinite)
    report = tmp_path / "r.txt"
    report.write_text(SEED_TEXT, encoding="utf-8")
    # A named rubric scores with Scorer itself (without one, the chooser picks a Scorer per report).
    result = run("score", str(report), "--json", "--rubric", "court")
    assert result.exit_code == 2
    assert "Infinity" not in result.stdout and "NaN" not in result.stdout
    assert len(error_lines(result)) == 1 and "not finite" in error_lines(result)[0]


def test_a_full_disk_is_one_line_and_the_batch_of_files_goes_on(tmp_path):
    """RLIMIT_FSIZE makes every write past 64 kB fail with EFBIG, as a full disk fails with ENOSPC."""
    reports = []
    for seed in SEEDS[:2]:
        reports.append(tmp_path / seed.name)
        reports[-1].write_bytes(seed.read_bytes())

    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    proc = civscore("score", *map(str, reports), "--pdf-dir", str(tmp_path / "cards"), preexec=small_files)
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert "Traceback" not in err
    errors = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert len(errors) == 2 and all("cannot write" in e for e in errors)
    assert not [p for p in (tmp_path / "cards").iterdir() if p.name.endswith(".tmp")]


def test_diff_csv_naming_a_folder(tmp_path):
    result = run("diff", "--base", "court", str(SEEDS[0]), "--csv", str(tmp_path))
    assert result.exit_code == 2 and error_lines(result) == [f"error: {tmp_path}: --csv: is a folder, not a file"]


# -- batch: bad rows and special files ---------------------------------------------------------


def test_batch_lists_special_files_as_skipped(tmp_path):
    intake, out = tmp_path / "in", tmp_path / "out"
    intake.mkdir()
    (intake / "good.txt").write_text(SEED_TEXT, encoding="utf-8")
    os.mkfifo(intake / "pipe.txt")
    os.symlink(intake / "loop-b.txt", intake / "loop-a.txt")
    os.symlink(intake / "loop-a.txt", intake / "loop-b.txt")
    os.symlink(intake / "gone.txt", intake / "dangling.txt")
    result = run("batch", str(intake), "--out", str(out), "--no-pdf", "--workers", "1")
    assert result.exit_code == 0, result.output
    skipped = {ln.split(": ", 2)[1]: ln for ln in result.stderr.splitlines() if ln.startswith("skipped:")}
    assert set(skipped) == {"pipe.txt", "loop-a.txt", "loop-b.txt", "dangling.txt"}
    assert "FIFO" in skipped["pipe.txt"] and "loop" in skipped["loop-a.txt"]
    assert "dangling" in skipped["dangling.txt"]
    assert "scored 1" in result.stdout


def test_one_corrupt_row_does_not_abort_the_batch(tmp_path):
    intake, out = tmp_path / "in", tmp_path / "out"
    intake.mkdir()
    for seed in SEEDS[:3]:
        (intake / seed.name).write_bytes(seed.read_bytes())
    first = run("batch", str(intake), "--out", str(out), "--no-pdf", "--workers", "1")
    assert first.exit_code == 0, first.output
    db = sqlite3.connect(out / "results.sqlite")
    db.execute("UPDATE results SET summary = '{\"broken' WHERE id = (SELECT min(id) FROM results)")
    db.commit()
    db.close()
    again = run("batch", str(intake), "--out", str(out), "--no-pdf", "--workers", "1")
    assert again.exit_code == 0, again.output
    assert "scored 1, skipped as already scored 2" in again.stdout
    assert any("unreadable stored result" in ln for ln in again.stderr.splitlines() if ln.startswith("skipped:"))
    assert len((out / "ranking.csv").read_text(encoding="utf-8-sig").splitlines()) == 4


# -- 10.5 the thin CLI ------------------------------------------------------------------------


def test_version_and_h():
    proc = civscore("--version")
    assert proc.returncode == 0 and proc.stdout.decode().startswith("civscore ")
    proc = civscore("-h")
    assert proc.returncode == 0 and "Usage" in proc.stdout.decode() and "score" in proc.stdout.decode()
    for sub in (["score"], ["rubric", "check"], ["diff"], ["batch"], ["calibrate"], ["history"]):
        r = run(*sub, "-h")
        assert r.exit_code == 0 and "Usage" in r.stdout, sub


def test_score_reads_standard_input():
    with open(SEEDS[0], "rb") as fh:
        proc = civscore("score", "-", stdin=fh)
    assert proc.returncode == 0, proc.stderr.decode()
    direct = run("score", str(SEEDS[0]))
    total = [ln for ln in direct.stdout.splitlines() if ln.startswith("总分")]
    assert total and total[0] in proc.stdout.decode()
    as_json = run("score", "-", "--json", input=SEEDS[0].read_bytes())
    assert as_json.exit_code == 0 and json.loads(as_json.stdout)["submission"]["path"] == "<stdin>"
    empty = run("score", "-", input=b"")
    assert empty.exit_code == 2 and error_lines(empty) == ["error: <stdin>: the file is empty"]


def test_quiet_shows_results_and_errors_only(tmp_path):
    report = tmp_path / "r.txt"
    report.write_text(SEED_TEXT, encoding="utf-8")
    loud = run("score", str(report), "-o", str(tmp_path / "a.pdf"))
    quiet = run("-q", "score", str(report), "-o", str(tmp_path / "b.pdf"))
    assert "scorecard:" in loud.stdout and "scorecard:" not in quiet.stdout
    assert "总分" in quiet.stdout
    verbose = run("-v", "score", str(report))
    assert "sha256" in verbose.stderr and "sha256" not in loud.stderr


def test_diff_csv_and_calibrate_fit_files_are_0644_under_umask_022(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    for seed in SEEDS[:3]:
        (reports / seed.name).write_bytes(seed.read_bytes())
    labels = tmp_path / "labels.csv"
    labels.write_text("file,total\n" + "".join(f"{s.name},{60 + 5 * i}\n" for i, s in enumerate(SEEDS[:3])),
                      encoding="utf-8")
    old = os.umask(0o022)
    try:
        d = run("diff", "--base", str(COURT), "--rubric", str(COURT), str(reports), "--csv", str(tmp_path / "d.csv"))
        c = run("calibrate", "--labels", str(labels), str(reports), "--fit", str(tmp_path / "fit.yaml"),
                "--allow-few-labels")  # 3 labels for 27 points: only when asked for (issue 16.4)
    finally:
        os.umask(old)
    assert d.exit_code == 0, d.output
    assert c.exit_code == 0, c.output
    assert (tmp_path / "d.csv").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "fit.yaml").stat().st_mode & 0o777 == 0o644
    # A second run replaces its own outputs (they carry civscore's mark).
    again = run("diff", "--base", str(COURT), "--rubric", str(COURT), str(reports), "-o", str(tmp_path / "d.csv"))
    assert again.exit_code == 0, again.output


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names.add(node.module or "")
    return names


def test_cli_is_wired_one_way_and_prints_errors_in_one_place():
    commands = sorted(CLI_DIR.glob("*_cmds.py"))
    assert {p.stem for p in commands} == {"score_cmds", "rubric_cmds", "tuning_cmds", "batch_cmds", "serve_cmds", "train_cmds"}
    for p in commands:
        assert _imports(p) <= {"common"}, (p.name, _imports(p))
        assert "typer.Typer(" not in p.read_text(encoding="utf-8") or "new_app" in p.read_text(encoding="utf-8")
    # process (the process's own settings) is the bottom layer, common the next
    assert _imports(CLI_DIR / "process.py") == set()
    assert _imports(CLI_DIR / "common.py") == {"process"}
    assert _imports(CLI_DIR / "__init__.py") == {"root", "process"}
    built = [p.name for p in CLI_DIR.glob("*.py") if '("error:"' in p.read_text(encoding="utf-8")]
    assert built == ["common.py"]


def test_scorer_batch_imports_without_fcntl():
    code = "import sys; sys.modules['fcntl'] = None; import scorer.batch; print('ok')"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0 and proc.stdout.decode().strip() == "ok", proc.stderr.decode()


def test_diff_csv_text_cells_are_neutralized_and_numbers_kept(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    for name, seed in zip(HOSTILE_NAMES, SEEDS):
        (reports / name).write_bytes(seed.read_bytes())
    harder = tmp_path / "harder.yaml"
    # The judge's need (what fills an item) doubled: a harder rubric.
    text = COURT.read_text(encoding="utf-8")
    assert text.count("\n  need: 1.0\n") == 1
    harder.write_text(text.replace("\n  need: 1.0\n", "\n  need: 2.0\n"), encoding="utf-8")
    out = tmp_path / "d.csv"
    result = run("diff", "--base", str(COURT), "--rubric", str(harder), str(reports), "--csv", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert {r["file"] for r in rows} == {"'" + n for n in HOSTILE_NAMES}
    assert any(float(r["delta"]) < 0 for r in rows)  # "-3" stays a number
    for r in rows:
        for key, value in r.items():
            if key not in ("before", "after", "delta"):
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (key, value)


def _in_mount_namespace(mounts: str, *args: str) -> subprocess.CompletedProcess:
    """Run civscore in its own user+mount namespace (unshare -rm), after `mounts`."""
    cmd = " ".join(f"'{a}'" for a in [sys.executable, "-m", "scorer", *args])
    return subprocess.run(["unshare", "-rm", "sh", "-c", f"{mounts} && exec {cmd}"], capture_output=True,
                          cwd=ROOT, timeout=600)


def test_out_on_a_read_only_file_system(tmp_path):
    intake, ro = tmp_path / "in", tmp_path / "ro"
    intake.mkdir()
    ro.mkdir()
    (intake / "r.txt").write_text(SEED_TEXT, encoding="utf-8")
    mount = f"mount -t tmpfs -o ro tmpfs '{ro}'"
    for args in (("batch", str(intake), "--out", str(ro / "out"), "--no-pdf"),
                 ("score", str(intake / "r.txt"), "-o", str(ro / "card.pdf"))):
        proc = _in_mount_namespace(mount, *args)
        err = proc.stderr.decode()
        assert proc.returncode == 2, err
        assert "Traceback" not in err
        lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
        assert len(lines) == 1 and "read-only file system" in lines[0], err


def test_a_full_disk(tmp_path):
    intake, full = tmp_path / "in", tmp_path / "full"
    intake.mkdir()
    full.mkdir()
    (intake / "r.txt").write_text(SEED_TEXT, encoding="utf-8")
    proc = _in_mount_namespace(f"mount -t tmpfs -o size=16k tmpfs '{full}'",
                               "score", str(intake / "r.txt"), "-o", str(full / "card.pdf"))
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert lines == [f"error: {full / 'card.pdf'}: cannot write: no space left on the device"], err
