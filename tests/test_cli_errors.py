"""Bad input through the CLI: one line naming the file and the problem, exit 2, no
traceback, the good files of a batch still scored, and nothing overwritten."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pypdf
import pytest
from typer.testing import CliRunner
from weasyprint import HTML

import ingest_builders as build
from scorer.cli import app

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
SEED_TEXT = SEEDS[0].read_text(encoding="utf-8")


def _no_text_pdf(p: Path) -> Path:
    HTML(string='<div style="width:15cm;height:20cm;background:#555"></div>').write_pdf(str(p))
    return p


def _encrypted_pdf(p: Path) -> Path:
    plain = build.make_pdf(SEED_TEXT, p.with_name("plain.pdf"))
    writer = pypdf.PdfWriter(clone_from=str(plain))
    writer.encrypt(user_password="secret", owner_password="owner")
    with open(p, "wb") as handle:
        writer.write(handle)
    return p


def _corrupt_docx(p: Path) -> Path:
    data = build.make_docx(SEED_TEXT, p.with_name("ok.docx")).read_bytes()
    p.write_bytes(data[: len(data) // 2])
    return p


def _zip_bomb_docx(p: Path) -> Path:
    source = build.make_docx(SEED_TEXT, p.with_name("ok.docx"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in original.infolist():
            bomb.writestr(item, original.read(item))
        bomb.writestr("word/media/padding.bin", b"\0" * 300_000_000)
    p.write_bytes(buffer.getvalue())
    return p


def _write(data: bytes):
    def make(p: Path) -> Path:
        p.write_bytes(data)
        return p

    return make


PNG = b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + bytes(64)

# name → (builder, expected substring of the problem)
CASES = {
    "missing.txt": (None, "file not found"),
    "empty.txt": (_write(b""), "empty"),
    "blank.txt": (_write(" \n\t\n　\n".encode()), "only whitespace"),
    "junk.txt": (_write(bytes(range(256)) * 40), "binary"),
    "picture.png": (_write(PNG), "PNG image"),
    "english.txt": (_write(("The committee met on Tuesday to discuss the budget. " * 40).encode()), "almost no Chinese"),
    "scan.pdf": (_no_text_pdf, "OCR"),
    "locked.pdf": (_encrypted_pdf, "encrypted"),
    "cut.docx": (_corrupt_docx, "corrupt"),
    "bomb.docx": (_zip_bomb_docx, "zip bomb"),
}


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def assert_one_line_error(result, path: Path, expected: str):
    assert result.exit_code == 2, result.output
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, lines
    assert str(path) in lines[0] and expected.lower() in lines[0].lower(), lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_one_line_and_exit_2(name, tmp_path):
    builder, expected = CASES[name]
    path = tmp_path / name
    if builder:
        builder(path)
    assert_one_line_error(run("score", str(path)), path, expected)


def test_a_directory(tmp_path):
    assert_one_line_error(run("score", str(tmp_path)), tmp_path, "directory")


def test_over_the_size_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text(SEED_TEXT, encoding="utf-8")
    assert_one_line_error(run("score", str(path), "--max-size", "0.001"), path, "limit")


def test_batch_with_bad_files_still_scores_the_good_ones(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 10)
    result = run("score", str(SEEDS[0]), str(empty), str(SEEDS[1]), str(junk), "--json")
    assert result.exit_code == 2
    import json

    payload = json.loads(result.stdout)
    assert [Path(r["submission"]["path"]).name for r in payload] == [SEEDS[0].name, SEEDS[1].name]
    assert "2 of 4 failed" in result.stderr
    assert str(empty) in result.stderr and str(junk) in result.stderr


def test_failed_report_leaves_an_existing_scorecard_alone(tmp_path):
    target = tmp_path / "card.pdf"
    target.write_bytes(b"%PDF-1.7 an earlier, good scorecard")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = run("score", str(empty), "--pdf", str(target))
    assert result.exit_code == 2
    assert target.read_bytes() == b"%PDF-1.7 an earlier, good scorecard"
    assert [p.name for p in tmp_path.iterdir() if p.name != "empty.txt"] == ["card.pdf"]


def test_real_process_prints_no_traceback(tmp_path):
    """The installed entry point, as a user runs it: stderr is the one line."""
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "40"}
    proc = subprocess.run(
        [sys.executable, "-m", "scorer", "score", str(empty)], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert proc.returncode == 2
    # One line even in a narrow terminal, and nothing from jieba's logger.
    assert proc.stderr.splitlines() == [f"error: {empty}: the file is empty"], proc.stderr


def test_broken_rubric_yaml_is_one_line_per_problem(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: court\nversion: [1\n", encoding="utf-8")
    result = run("score", str(SEEDS[0]), "--rubric", str(bad))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "bad.yaml:" in result.stderr and "YAML" in result.stderr


def test_brackets_in_a_message_are_printed_not_read_as_markup(tmp_path):
    odd = tmp_path / "[draft] report[1].txt"
    result = run("score", str(odd))
    assert result.exit_code == 2
    assert "[draft] report[1].txt" in result.stderr


def test_rubric_pattern_that_would_backtrack_runs_in_linear_time(tmp_path):
    mini = (Path(__file__).parent / "fixtures" / "rubrics" / "mini.yaml").read_text(encoding="utf-8")
    # Alternatives over runs of Chinese characters: exponential under a backtracking engine,
    # linear under RE2 (which the rubric's patterns are compiled with), so it is accepted.
    text = mini.replace('pattern: "党建品牌"', 'pattern: "([\\\\u4e00-\\\\u9fff]|[\\\\u4e00-\\\\u9fff]{2})+X"')
    rubric = tmp_path / "hang.yaml"
    rubric.write_text(text, encoding="utf-8")
    report = tmp_path / "long.txt"
    report.write_text("党建" * 50_000 + "!\n", encoding="utf-8")  # 100,000 characters the pattern runs over
    result = run("score", str(report), "--rubric", str(rubric), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["bonus"]["items"][0]["evidence"] == []  # no X: no match
    checked = run("rubric", "check", str(rubric), "--no-corpus")
    assert checked.exit_code == 0, checked.output


def test_quiet_and_verbose_are_accepted_after_the_command(tmp_path, monkeypatch):
    from scorer.cli.common import hoist_global_options

    seed = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))[0]
    before = CliRunner().invoke(app, ["-q", "score", str(seed), "--json"])
    after = CliRunner().invoke(app, ["score", str(seed), "--json", "-q"])
    assert before.exit_code == after.exit_code == 0, after.output
    assert json.loads(before.stdout)["total"] == json.loads(after.stdout)["total"]
    assert CliRunner().invoke(app, ["score", "-v", str(seed)]).exit_code == 0
    # after `--` a "-q" is an argument (a file so named), not the flag
    assert hoist_global_options(["score", "a.txt", "-q", "--", "-q"]) == ["-q", "score", "a.txt", "--", "-q"]
    (tmp_path / "-q").write_text("某某法院开展志愿服务活动，组织干警40人走进社区。", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(app, ["score", "--json", "--", "-q"])  # the file named -q, given as "-q"
    assert out.exit_code == 0, out.output
    assert Path(json.loads(out.stdout)["submission"]["path"]).name == "-q"
