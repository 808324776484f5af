"""A killed batch resumes where it stopped: nothing stored is scored again, no
scorecard under its final name is ever truncated, no worker outlives the batch."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_batch import build_reports  # noqa: E402


def stored_paths(db: Path) -> set[str]:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return {r[0] for r in con.execute("SELECT path FROM results")}
        finally:
            con.close()
    except sqlite3.Error:
        return set()


def children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def start_batch(intake: Path, out: Path, count: Path, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, CIVSCORE_COUNT_SCORING=str(count))
    return subprocess.Popen(
        [sys.executable, "-m", "scorer", "batch", str(intake), "--out", str(out), "--workers", "2", *extra],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def kill_midway(proc: subprocess.Popen, db: Path, total: int, *, at_least: int, timeout: float = 120,
                sig: int = signal.SIGKILL) -> set[int]:
    """Send `sig` to the batch once the store has `at_least` rows; return the workers' pids."""
    deadline = time.monotonic() + timeout
    workers: set[int] = set()
    while time.monotonic() < deadline:
        workers.update(children(proc.pid))
        n = len(stored_paths(db)) if db.exists() else 0
        if n >= at_least:
            break
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.005)
    else:
        proc.kill()
        pytest.fail("the batch stored nothing in time")
    workers.update(children(proc.pid))
    proc.send_signal(sig)
    proc.wait(timeout=30)
    return workers


def wait_gone(pids, timeout: float = 10) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = [p for p in pids if alive(p)]
        if not left:
            return []
        time.sleep(0.05)
    return [p for p in pids if alive(p)]


def test_killed_score_only_batch_resumes_without_rescoring(tmp_path):
    n = 200
    intake = tmp_path / "intake"
    build_reports(n, intake)
    out = tmp_path / "out"
    db = out / "results.sqlite"
    count1, count2 = tmp_path / "count1.txt", tmp_path / "count2.txt"

    proc = start_batch(intake, out, count1, "--no-pdf")
    workers = kill_midway(proc, db, n, at_least=5)
    proc.stderr.close()
    assert not wait_gone(workers), "worker processes outlived the killed batch"
    done = stored_paths(db)
    assert 5 <= len(done) < n, f"killed too late: {len(done)} of {n} stored"
    # Whatever a worker scored after the kill was never stored, and will be scored again.

    proc = start_batch(intake, out, count2, "--no-pdf")
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    rescored = count2.read_text(encoding="utf-8").splitlines()
    assert not set(rescored) & done, "a stored report was scored again"
    assert len(rescored) == len(set(rescored)) == n - len(done)
    assert stored_paths(db) == {str(p) for p in intake.glob("*.txt")}
    ranking = (out / "ranking.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(ranking) == 1 + n


def test_killed_pdf_batch_leaves_no_truncated_scorecard(tmp_path):
    n = 6
    intake = tmp_path / "intake"
    build_reports(n, intake, seed=7)
    out = tmp_path / "out"
    db = out / "results.sqlite"

    proc = start_batch(intake, out, tmp_path / "count1.txt")
    workers = kill_midway(proc, db, n, at_least=1)
    proc.stderr.close()
    assert not wait_gone(workers)
    done = stored_paths(db)
    assert len(done) < n

    def check_pdfs() -> list[Path]:
        pdfs = sorted(out.rglob("*.pdf"))
        for p in pdfs:
            data = p.read_bytes()
            assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), f"{p.name} is truncated"
            PdfReader(str(p)).pages[0]
        return pdfs

    check_pdfs()
    count2 = tmp_path / "count2.txt"
    proc = start_batch(intake, out, count2)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err.decode()
    rescored = count2.read_text(encoding="utf-8").splitlines()
    assert not set(rescored) & done
    names = sorted(p.name for p in check_pdfs())
    assert names == sorted([f"report_{i:04d}.pdf" for i in range(n)] + ["overview.pdf"])
    assert not list(out.rglob("*.tmp"))


def test_sigterm_stops_cleanly_with_exit_130(tmp_path):
    n = 200
    intake = tmp_path / "intake"
    build_reports(n, intake, seed=3)
    out = tmp_path / "out"
    proc = start_batch(intake, out, tmp_path / "count.txt", "--no-pdf")
    workers = kill_midway(proc, out / "results.sqlite", n, at_least=5, sig=signal.SIGTERM)
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "run the same command again" in err
    assert "Traceback" not in err
    assert not wait_gone(workers)
    assert 5 <= len(stored_paths(out / "results.sqlite")) < n
