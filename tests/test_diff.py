"""`civscore diff`: what a rubric edit does to every seed report."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
import tempfile

from lexical_rubric import without_judge

import pytest
from typer.testing import CliRunner

from scorer.cli import app
from scorer.engine import Scorer
from scorer.rubric import load_rubric
from scorer.tuning.corpus import read_corpus
from scorer.tuning.diff import diff_corpus, to_csv, to_markdown

ROOT = Path(__file__).resolve().parent.parent
# The matchers' own verdict (court.yaml without its sentence judge): what a synonym or a need
# changes shows in the scores directly. (With the judge, matchers only propose candidates.)
COURT = without_judge("court", Path(tempfile.mkdtemp(prefix="civscore-lexical-")))
SEEDS_DIR = ROOT / "seeds"
SEEDS = sorted(SEEDS_DIR.glob("*.txt"))

# Synonyms removed in the tests, with the criterion whose keyword list holds them.
# (Each appears once in court.yaml.)
REMOVED = [("巡回法庭", "judicial.service"), ("爱国主义", "education.campaigns")]


@pytest.fixture(scope="module")
def corpus():
    return read_corpus(SEEDS_DIR)


@pytest.fixture(scope="module")
def court():
    return Scorer(load_rubric(COURT))


@pytest.fixture(scope="module")
def before(court, corpus):
    return {p.name: court.score_document(d) for p, d in corpus}


def without_synonym(text: str, synonym: str) -> str:
    """Remove one synonym from the one flow list that holds it."""
    pattern = re.compile(r"(synonyms: \[[^\]]*?)(?:, " + re.escape(synonym) + r"(?=[,\]])|" + re.escape(synonym) + r", )")
    new, n = pattern.subn(r"\1", text)
    assert n == 1, f"{synonym} is not in exactly one synonym list"
    return new


def relying_reports(before, synonym: str, criterion: str) -> set[str]:
    """Computed from the results alone: reports with an evidence sentence for `criterion`
    whose only matched term is `synonym`; those lose it when the synonym goes."""
    out = set()
    for name, result in before.items():
        for d in result.dimensions:
            for c in d.criteria:
                if c.id == criterion and any(e.terms and all(t.text == synonym for t in e.terms) for e in c.evidence):
                    out.add(name)
    return out


def test_a_rubric_against_itself_changes_nothing(court, corpus):
    diffs = diff_corpus(court, court, corpus, SEEDS_DIR)
    assert len(diffs) == len(SEEDS) == 5
    for d in diffs:
        assert not d.changed and d.delta == 0 and d.criteria == []
        assert all(dim.delta == 0 for dim in d.dimensions)


def test_cli_diff_of_a_rubric_against_itself(tmp_path):
    out_csv, out_md = tmp_path / "d.csv", tmp_path / "d.md"
    result = CliRunner().invoke(
        app, ["diff", "--base", str(COURT), "--rubric", str(COURT), str(SEEDS_DIR), "--csv", str(out_csv),
              "--markdown", str(out_md)]
    )
    assert result.exit_code == 0, result.output
    assert "5 reports, 0 changed" in result.stdout
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert {r["file"] for r in rows} == {p.name for p in SEEDS}
    assert all(float(r["delta"]) == 0 for r in rows)
    assert not [r for r in rows if r["kind"] == "criterion"]
    assert "5 reports, 0 changed." in out_md.read_text(encoding="utf-8")
    # Both rubrics' sentence judges (this lexical copy has none: it says so, twice).
    text = " ".join(result.stdout.split())
    assert "sentence judge before:" in text and "sentence judge after:" in text
    assert text.count("no sentence judge: the matchers decide every item") == 2


def test_cli_diff_names_each_rubrics_sentence_judge_and_its_figures():
    from scorer.judge.model import load_judge

    shipped = Path(__file__).resolve().parents[1] / "rubric" / "court.yaml"
    result = CliRunner().invoke(app, ["diff", "--base", str(shipped), "--rubric", str(shipped), str(SEEDS_DIR)])
    assert result.exit_code == 0, result.output
    version = load_judge(shipped.parent / "court.judge").meta["version"]
    text = " ".join(result.stdout.split())
    assert text.count(version) == 2 and text.count("cross-validated by text: quote precision") == 2


@pytest.mark.parametrize("synonym,criterion", REMOVED)
def test_removing_a_synonym_shows_exactly_the_reports_that_relied_on_it(synonym, criterion, court, corpus, before,
                                                                         tmp_path):
    expected = relying_reports(before, synonym, criterion)
    assert expected, f"no seed relies on {synonym}; pick another synonym"
    edited = tmp_path / "edited.yaml"
    edited.write_text(without_synonym(COURT.read_text(encoding="utf-8"), synonym), encoding="utf-8")
    diffs = diff_corpus(court, Scorer(load_rubric(edited)), corpus, SEEDS_DIR)
    changed = {d.name: d for d in diffs if d.changed}
    assert set(changed) == expected
    for name, d in changed.items():
        assert [c.id for c in d.criteria] == [criterion]
        c = d.criteria[0]
        assert c.gained == []
        assert c.lost and all(synonym in s for s in c.lost)
        old = before[name]
        lost_expected = {
            e.text for dd in old.dimensions for cc in dd.criteria if cc.id == criterion
            for e in cc.evidence if e.terms and all(t.text == synonym for t in e.terms)
        }
        assert set(c.lost) == lost_expected
    # the untouched reports come after the changed ones
    order = [d.name for d in diffs]
    assert set(order[: len(changed)]) == set(changed)


def test_cli_diff_lists_lost_evidence_and_writes_csv_and_markdown(tmp_path, before):
    synonym, criterion = REMOVED[0]
    edited = tmp_path / "edited.yaml"
    edited.write_text(without_synonym(COURT.read_text(encoding="utf-8"), synonym), encoding="utf-8")
    out_csv, out_md = tmp_path / "d.csv", tmp_path / "d.md"
    result = CliRunner().invoke(
        app, ["diff", "--base", str(COURT), "--rubric", str(edited), str(SEEDS_DIR), "--csv", str(out_csv),
              "--markdown", str(out_md)],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    expected = relying_reports(before, synonym, criterion)
    assert f"5 reports, {len(expected)} changed" in result.stdout
    assert criterion in result.stdout and "− " in result.stdout
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    crit_rows = [r for r in rows if r["kind"] == "criterion"]
    assert {r["file"] for r in crit_rows} == expected
    assert all(r["id"] == criterion and synonym in r["lost"] and r["gained"] == "" for r in crit_rows)
    md = out_md.read_text(encoding="utf-8")
    for name in expected:
        assert f"## {name}" in md
    assert f"**{criterion}**" in md


def test_diffs_are_sorted_by_size_of_change(court, corpus, tmp_path):
    # Doubling a need halves what that matcher earns: every report that had evidence moves.
    text = COURT.read_text(encoding="utf-8")
    edited = tmp_path / "needs.yaml"
    edited.write_text(text.replace("need: 1.7", "need: 3.4"), encoding="utf-8")
    diffs = diff_corpus(court, Scorer(load_rubric(edited)), corpus, SEEDS_DIR)
    sizes = [abs(d.delta) for d in diffs]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > 0
    assert all(d.delta <= 0 for d in diffs)
    for d in diffs:
        deltas = [abs(c.delta) for c in d.criteria]
        assert deltas == sorted(deltas, reverse=True)
        assert d.total_after == pytest.approx(d.total_before + d.delta)
    # csv and markdown carry the same numbers
    rows = list(csv.DictReader(io.StringIO(to_csv(diffs))))
    totals = {r["file"]: float(r["delta"]) for r in rows if r["kind"] == "total"}
    assert totals == {d.name: d.delta for d in diffs}
    assert to_markdown(diffs, "a", "b").count("\n## ") == sum(d.changed for d in diffs)


def test_diff_refuses_a_missing_folder_and_a_broken_rubric(tmp_path):
    r = CliRunner().invoke(app, ["diff", "--base", str(COURT), str(tmp_path / "none")])
    assert r.exit_code == 2 and "no such folder" in r.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["diff", "--base", str(bad), str(SEEDS_DIR)])
    assert r.exit_code == 2 and "bad.yaml:" in r.stderr and "Traceback" not in r.output
