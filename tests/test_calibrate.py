"""`civscore calibrate`: agreement with reviewers' scores, and fitting points to them."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from scorer.cli import app
from scorer.engine import Scorer
from scorer.rubric import load_rubric
from scorer.tuning import calibrate as cal

ROOT = Path(__file__).resolve().parent.parent
COURT = ROOT / "rubric" / "court.yaml"
SEEDS_DIR = ROOT / "seeds"
SEEDS = sorted(SEEDS_DIR.glob("*.txt"))
N_SYNTHETIC = 30


@pytest.fixture(scope="module")
def scorer():
    return Scorer.load(COURT)


@pytest.fixture(scope="module")
def seed_results(scorer):
    return {p.name: scorer.score_path(p) for p in SEEDS}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory, seed_results, scorer):
    """Reports assembled from random paragraphs of the seeds, so criterion levels vary
    independently enough to identify every criterion's points."""
    folder = tmp_path_factory.mktemp("synthetic")
    paragraphs = [p for r in seed_results.values() for p in r.text.split("\n") if len(p) > 30]
    rng = random.Random(20240501)
    results = {}
    for k in range(N_SYNTHETIC):
        body = "\n".join(rng.sample(paragraphs, rng.randint(6, 40)))
        path = folder / f"syn{k:02d}.txt"
        path.write_text(body, encoding="utf-8")
        results[path.name] = scorer.score_path(path)
    return folder, results


def write_labels(path: Path, rows: dict[str, dict[str, float]], columns: list[str]) -> Path:
    lines = [",".join(["file", *columns])]
    for name, values in rows.items():
        lines.append(",".join([name, *(f"{values[c]:.3f}" if c in values else "" for c in columns)]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_monotone_labels_give_spearman_one(tmp_path, seed_results):
    labels = write_labels(
        tmp_path / "labels.csv",
        {name: {"total": 2 * r.total + 5} for name, r in seed_results.items()},
        ["total"],
    )
    result = CliRunner().invoke(app, ["calibrate", "--labels", str(labels), str(SEEDS_DIR)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    [row] = [ln for ln in result.stdout.splitlines() if "│ total" in ln]
    cells = [c.strip() for c in row.strip("│ ").split("│")]
    assert cells[:4] == ["total", "5", "1.000", "1.000"]
    # the largest gap is the highest total (2x + 5 − x grows with x)
    top = max(seed_results, key=lambda n: seed_results[n].total)
    assert "disagree most" in result.stdout
    first = result.stdout.split("disagree most", 1)[1].strip().splitlines()[0]
    assert first.startswith(top)


def test_agreement_per_dimension_and_mae(seed_results):
    pairs = [cal.Pair(n, r, {"total": r.total, "culture": r.dimension("culture").score + 1.0})
             for n, r in seed_results.items()]
    total, culture = cal.agreements(pairs, ["total", "culture"])
    assert total.spearman == pytest.approx(1.0) and total.kendall == pytest.approx(1.0) and total.mae == 0
    assert culture.mae == pytest.approx(1.0) and culture.bias == pytest.approx(-1.0)
    assert culture.spearman == pytest.approx(1.0)


def test_labels_file_problems_are_one_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("file,total,leadershp\nx.txt,50,3\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["calibrate", "--labels", str(bad), str(SEEDS_DIR)])
    assert r.exit_code == 2 and "unknown column 'leadershp'" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    nan = tmp_path / "nan.csv"
    nan.write_text(f"file,total\n{SEEDS[0].name},abc\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["calibrate", "--labels", str(nan), str(SEEDS_DIR)])
    assert r.exit_code == 2 and "not a number" in r.stderr


def true_points(r) -> np.ndarray:
    """Known points: the current ones moved by up to ±1.5, still multiples of 0.5 summing to 100."""
    p0 = np.array([c.points for c in r.criteria()])
    rng = np.random.default_rng(11)
    return cal.round_to_total(p0 + rng.choice([-1.5, -1.0, -0.5, 0.5, 1.0, 1.5], size=len(p0)), r.total)


@pytest.mark.parametrize("with_dimensions", [True, False])
def test_fit_recovers_the_points_that_made_the_labels(with_dimensions, synthetic, scorer):
    folder, results = synthetic
    r = scorer.rubric
    truth = true_points(r)
    names = list(results)
    X = cal.shares_matrix(r, [results[n] for n in names])
    ids = cal.criterion_ids(r)
    rows = {}
    for i, n in enumerate(names):
        row = {"total": float(X[i] @ truth) + results[n].bonus.score}
        if with_dimensions:
            for d in r.dimensions:
                idx = [ids.index(c.id) for c in d.criteria]
                row[d.id] = float(X[i, idx] @ truth[idx])
        rows[n] = row
    pairs = [cal.Pair(n, results[n], rows[n]) for n in names]
    fit = cal.fit_points(r, pairs)
    got = np.array([fit.new[c] for c in ids])
    assert got.sum() == pytest.approx(r.total)
    assert np.all(got >= 0.5) and np.all((got * 2) == np.round(got * 2))
    assert np.abs(got - truth).max() <= 1.5
    assert np.corrcoef(got, truth)[0, 1] >= 0.95
    assert fit.after.spearman >= fit.before.spearman - 1e-9
    for d in r.dimensions:
        assert fit.dimensions[d.id] == pytest.approx(sum(fit.new[c.id] for c in d.criteria))


def test_cli_fit_writes_a_rubric_that_loads_and_keeps_comments(tmp_path, synthetic, scorer):
    folder, results = synthetic
    r = scorer.rubric
    truth = true_points(r)
    names = list(results)
    X = cal.shares_matrix(r, [results[n] for n in names])
    rows = {n: {"total": float(X[i] @ truth) + results[n].bonus.score} for i, n in enumerate(names)}
    labels = write_labels(tmp_path / "labels.csv", rows, ["total"])
    out = tmp_path / "fitted.yaml"
    result = CliRunner().invoke(app, ["calibrate", "--labels", str(labels), str(folder), "--fit", str(out)],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "fitted rubric:" in result.stdout
    fitted = load_rubric(out).rubric
    assert fitted.total == 100 and sum(c.points for c in fitted.criteria()) == pytest.approx(100)
    got = np.array([c.points for c in fitted.criteria()])
    assert np.corrcoef(got, truth)[0, 1] >= 0.95
    # only points (and the version) changed: every comment and every other line is as it was
    old_lines = COURT.read_text(encoding="utf-8").splitlines()
    new_lines = out.read_text(encoding="utf-8").splitlines()
    header = [ln for ln in new_lines if ln.startswith("# Points fitted")]
    assert len(header) == 1
    body = new_lines[len(new_lines) - len(old_lines):]
    assert len(body) == len(old_lines)
    changed = [(a, b) for a, b in zip(old_lines, body) if a != b]
    assert changed and all(a.strip().startswith(("points:", "version:")) for a, _ in changed)
    assert fitted.version.endswith("+fit")
    assert [c.id for c in fitted.criteria()] == [c.id for c in r.criteria()]


def test_fit_refuses_to_overwrite_the_input(tmp_path, seed_results):
    rubric = tmp_path / "mine.yaml"
    rubric.write_bytes(COURT.read_bytes())
    labels = write_labels(tmp_path / "l.csv", {n: {"total": r.total} for n, r in seed_results.items()}, ["total"])
    before = rubric.read_bytes()
    result = CliRunner().invoke(
        app, ["calibrate", "--labels", str(labels), "--rubric", str(rubric), str(SEEDS_DIR), "--fit", str(rubric)]
    )
    assert result.exit_code == 2 and "refusing to overwrite" in result.stderr
    assert rubric.read_bytes() == before
    link = tmp_path / "link.yaml"
    link.symlink_to(rubric)
    result = CliRunner().invoke(
        app, ["calibrate", "--labels", str(labels), "--rubric", str(rubric), str(SEEDS_DIR), "--fit", str(link)]
    )
    assert result.exit_code == 2 and rubric.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_round_to_total_keeps_the_sum():
    values = np.array([3.26, 0.1, 7.9, 4.74, 4.0])
    got = cal.round_to_total(values * (20 / values.sum()), 20)
    assert got.sum() == 20 and np.all(got >= 0.5) and np.all((got * 2) % 1 == 0)


def test_round_to_total_keeps_the_sum_when_many_criteria_are_fitted_to_nothing():
    # A fit on the five seeds that set 17 of 27 criteria to 0: each still gets the minimum 0.5,
    # and those 8.5 points must come back from the others (one unit each was not enough: 102.5).
    raw = np.array([0, 4.12, 0, 0.82, 0, 0, 0, 5.19, 0, 0, 2.53, 4.52, 0, 0, 0, 49.77, 0, 0, 0, 2.84, 1.55, 0,
                    17.07, 0, 0, 11.58, 0])
    got = cal.round_to_total(raw * (100 / raw.sum()), 100)
    assert got.sum() == 100 and np.all(got >= 0.5) and np.all((got * 2) % 1 == 0)
    assert got[15] == max(got) and got[0] == 0.5
