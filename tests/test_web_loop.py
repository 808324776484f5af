"""Reviewers' decisions as labels: calibrate --from-reviews and diff --from-reviews."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner
from web_support import SEEDS, Reviewer, crit_levels, seed_bytes, version_of

from scorer.cli import app as cli_app
from scorer.resources import bundled_rubric
from scorer.rubric import load_rubric
from scorer.web.app import create_app
from scorer.web.loop import labels_of, reviewed_submissions


def flat(text: str) -> str:
    """The CLI's console wraps at 80 columns: compare without whitespace."""
    return "".join(text.split())


@pytest.fixture(scope="module")
def reviewed_round(tmp_path_factory):
    """Three seeds uploaded; two reviewed: every A lowered to B on one, one criterion raised on another."""
    data = tmp_path_factory.mktemp("loop") / "data"
    app = create_app(data)
    rv = Reviewer(app, "张三")
    rid = rv.new_round()
    urls = [str(rv.upload(rid, SEEDS[i].name, seed_bytes(i)).url.path) for i in range(3)]
    page = rv.get(urls[0]).text
    lowered = [c for c, lv in crit_levels(page) if lv == "A"]
    assert lowered
    for crit in lowered:
        page = rv.post(urls[0] + "/level", {"version": version_of(page), "crit": crit, "level": "B",
                                            "reason": "量化数据不足"}).text
    page = rv.get(urls[1]).text
    raised = next(c for c, lv in crit_levels(page) if lv == "D")
    rv.post(urls[1] + "/level", {"version": "0", "crit": raised, "level": "A", "reason": "附件台账齐全"})
    app.state.wb.store.close()
    return data, lowered, raised


def test_reviewed_submissions_are_the_labels(reviewed_round):
    data, lowered, raised = reviewed_round
    subs = reviewed_submissions(data)
    assert [s.name for s in subs] == [SEEDS[0].name, SEEDS[1].name]  # the third was not reviewed
    first, second = subs
    assert all(first.levels[c] == "B" for c in lowered)
    assert second.levels[raised] == "A" and second.reasons[raised] == "附件台账齐全"
    row = labels_of(first)
    assert row["total"] == first.review.total < first.machine.total
    assert set(row) >= {"total", "leadership", "judicial"}


def test_calibrate_from_reviews(reviewed_round, tmp_path):
    data, lowered, raised = reviewed_round
    fitted = tmp_path / "fitted.yaml"
    # two reviewed submissions are 12 labels for 27 points: a fit only when asked for (issue 16.4)
    res = CliRunner().invoke(cli_app, ["calibrate", "--from-reviews", str(data / "results.sqlite"), "--fit", str(fitted),
                                       "--allow-few-labels"], terminal_width=200)
    assert res.exit_code == 0, res.output
    out = flat(res.output)
    assert "2reviewedsubmissions" in out
    assert "量化数据不足" in out and "附件台账齐全" in out
    m = re.search(r"agreeswiththereviewerson(\d+)of(\d+)", out)
    hit, n = int(m.group(1)), int(m.group(2))
    assert n - hit == len(lowered) + 1
    assert lowered[0] in out and raised in out
    assert load_rubric(fitted).rubric.total == load_rubric(bundled_rubric("court")).rubric.total


def test_diff_on_the_reviewed_round(reviewed_round, tmp_path):
    data, lowered, raised = reviewed_round
    strict = tmp_path / "strict.yaml"
    text = bundled_rubric("court").read_text(encoding="utf-8")
    assert "{id: A, share: 1.0, min: 0.85" in text
    strict.write_text(text.replace("{id: A, share: 1.0, min: 0.85", "{id: A, share: 1.0, min: 0.99"), encoding="utf-8")
    res = CliRunner().invoke(cli_app, ["diff", "--base", "court", "--rubric", str(strict), "--from-reviews", str(data)],
                             terminal_width=200)
    assert res.exit_code == 0, res.output
    out = flat(res.output)
    assert "评审认定" in out and "2reviewedsubmissions" in out
    assert re.search(r"criterionlevelsasthereviewerssetthem:\d+/\d+→\d+/\d+", out)
    # A stricter A moves the report whose As the reviewer lowered toward the reviewed total
    # (the other report, whose As were kept, may move away: the table shows both).
    row = re.search(re.escape(SEEDS[0].name) + r"│([\d.]+)│([\d.]+)│([\d.]+)│([\d.]+)→([\d.]+)│", out)
    assert row, out
    assert float(row.group(5)) < float(row.group(4))


def test_no_database_is_a_clear_error(tmp_path):
    res = CliRunner().invoke(cli_app, ["calibrate", "--from-reviews", str(tmp_path)])
    assert res.exit_code == 2 and "noworkbenchdatabase" in flat(res.output)
    res = CliRunner().invoke(cli_app, ["calibrate"])
    assert res.exit_code == 2 and "--from-reviews" in flat(res.output)
