"""Issue 16.4: calibrate must not mislead. --from-reviews compares each reviewed submission
with the rubric it was reviewed with; --fit is judged out of sample (leave-one-out); a fit
with fewer labels than the points it fits is refused unless asked for, with a warning."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner
from web_support import SEEDS, Reviewer, crit_levels, seed_bytes, version_of

from scorer.cli import app as cli_app
from scorer.engine import Scorer
from scorer.tuning import calibrate as cal
from scorer.web.app import create_app

HOSPITAL = Path(__file__).parent / "fixtures" / "general" / "hospital.txt"
COURT_POINTS = len(cal.criterion_ids(Scorer.load("court").rubric))


def run(*args: str):
    return CliRunner().invoke(cli_app, list(args), terminal_width=200)


def flat(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def mixed_reviews(tmp_path_factory):
    """A round chosen by unit kind: a court's report (court) and a hospital's (general), each
    with one criterion lowered by the reviewer."""
    data = tmp_path_factory.mktemp("mixrev") / "data"
    app = create_app(data)
    rv = Reviewer(app, "张三")
    rid = rv.new_round(rubric="auto")
    for name, body in ((SEEDS[0].name, seed_bytes(0)), (HOSPITAL.name, HOSPITAL.read_bytes())):
        page = rv.post(f"/rounds/{rid}/upload", {"rubric": "auto"}, files=[("files", (name, body))])
        url = str(page.url.path)
        crit = next(c for c, lv in crit_levels(page.text) if lv == "A")
        r = rv.post(url + "/level", {"version": version_of(page.text), "crit": crit, "level": "C", "reason": "依据不足"})
        assert r.status_code == 200
    app.state.wb.store.close()
    return data


def test_from_reviews_pairs_each_submission_with_its_own_rubric(mixed_reviews):
    res = run("calibrate", "--from-reviews", str(mixed_reviews))
    assert res.exit_code == 0, res.output
    out = flat(res.stdout)
    court, general = Scorer.load("court").rubric, Scorer.load("general").rubric
    assert f"calibrationcourt{court.version}" in out and f"calibrationgeneral{general.version}" in out
    assert out.count("1reviewedsubmissions(thosereviewedwithcourt)") == 1
    assert out.count("1reviewedsubmissions(thosereviewedwithgeneral)") == 1
    # the general review's table has general's dimensions, each criterion compared once
    general_part = out[out.index(f"calibrationgeneral{general.version}"):]
    assert all(f"│{d.id}│1│" in general_part for d in general.dimensions)
    assert "agreeswiththereviewerson" in general_part
    m = re.findall(r"agreeswiththereviewerson(\d+)of(\d+)", out)
    assert [int(n) - int(h) for h, n in m] == [1, 1]  # exactly the one level each reviewer moved


def test_a_named_rubric_takes_only_the_reviews_made_with_it(mixed_reviews, tmp_path):
    res = run("calibrate", "--from-reviews", str(mixed_reviews), "--rubric", "court")
    assert res.exit_code == 0, res.output
    assert "1reviewedsubmissions(thosereviewedwithcourt)" in flat(res.stdout)
    assert "calibrationgeneral" not in flat(res.stdout)
    assert "1 submission reviewed with rubric general, not court" in " ".join(res.stderr.split())
    res = run("diff", "--base", "general", "--rubric", "general", "--from-reviews", str(mixed_reviews))
    assert res.exit_code == 0, res.output
    assert "1reviewedsubmissions" in flat(res.stdout) and HOSPITAL.name in res.stdout
    assert SEEDS[0].name not in res.stdout
    # one fit cannot serve two rubrics
    res = run("calibrate", "--from-reviews", str(mixed_reviews), "--fit", str(tmp_path / "f.yaml"))
    assert res.exit_code == 2
    assert [ln for ln in res.stderr.splitlines() if ln.strip()] == [
        f"error: --fit fits one rubric's points, and the reviews in {mixed_reviews} were made with court, general: "
        "name one with --rubric"]
    assert not (tmp_path / "f.yaml").exists()


@pytest.fixture(scope="module")
def seed_labels(tmp_path_factory):
    path = tmp_path_factory.mktemp("labels") / "labels.csv"
    scorer = Scorer.load("court")
    totals = [60, 85, 40, 75, 55]
    path.write_text("file,total\n" + "".join(f"{p.name},{t}\n" for p, t in zip(SEEDS, totals)), encoding="utf-8")
    return path, scorer


def test_fit_with_fewer_labels_than_points_is_refused(seed_labels, tmp_path):
    labels, _ = seed_labels
    out = tmp_path / "fitted.yaml"
    res = run("calibrate", "--labels", str(labels), str(SEEDS[0].parent), "--fit", str(out))
    assert res.exit_code == 2
    assert [ln for ln in res.stderr.splitlines() if ln.strip()] == [
        f"error: {labels}: --fit: 5 labels for {COURT_POINTS} criterion points of court; a fit needs at least as "
        "many labels (totals and dimension scores) as points: label more reports or their dimensions, "
        "or pass --allow-few-labels"]
    assert "Traceback" not in res.output and not out.exists()


def test_an_explicit_fit_warns_and_reports_out_of_sample(seed_labels, tmp_path):
    labels, _ = seed_labels
    out = tmp_path / "fitted.yaml"
    res = run("calibrate", "--labels", str(labels), str(SEEDS[0].parent), "--fit", str(out), "--allow-few-labels")
    assert res.exit_code == 0, res.output
    assert f"warning: {labels}: 5 labels for {COURT_POINTS} criterion points of court: the fit is underdetermined" \
        in " ".join(res.stderr.split())
    text = " ".join(res.stdout.split())
    loo = re.search(r"out of sample \(leave-one-out over 5 reports.*?MAE ([\d.]+) → ([\d.]+)", text)
    ins = re.search(r"in sample \(the labels the fit saw, optimistic\).*?MAE ([\d.]+) → ([\d.]+)", text)
    assert loo and ins, text
    # what the fit is worth on reports it did not see is not what it shows on those it saw
    assert float(loo.group(2)) > float(ins.group(2))
    assert out.is_file()


def test_leave_one_out_predicts_each_total_without_it(seed_labels):
    labels, scorer = seed_labels
    r = scorer.rubric
    lab = cal.read_labels(labels, [d.id for d in r.dimensions])
    pairs = [cal.Pair(p.name, scorer.score_path(p), lab.rows[p.name]) for p in SEEDS]
    fit = cal.fit_points(r, pairs)
    assert fit.held_out_before is not None and fit.held_out_after.n == len(pairs)
    predicted = []
    for i in range(len(pairs)):
        fold = cal.fit_points(r, pairs[:i] + pairs[i + 1:], held_out=False)
        x = cal.shares_matrix(r, [pairs[i].result])[0]
        predicted.append(float(x @ np.array([fold.new[c] for c in fold.ids])) + pairs[i].result.bonus.score)
    truth = [p.labels["total"] for p in pairs]
    assert fit.held_out_after.mae == pytest.approx(float(np.mean(np.abs(np.array(predicted) - truth))))
    assert fit.held_out_before.mae == pytest.approx(fit.before.mae)
