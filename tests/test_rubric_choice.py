"""Without --rubric, the rubric is chosen by unit kind (issue 11): a court's material gets
`court`, other units' get `general`; the choice and why are on screen, in JSON and on the
scorecard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scorer.cli import app
from scorer.engine import RubricChooser

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
FIXTURES = Path(__file__).parent / "fixtures" / "general"
EVAL_CORPUS = ROOT / "eval" / "corpus"


@pytest.fixture(scope="module")
def chooser():
    return RubricChooser()


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_court_seeds_get_the_court_rubric_with_the_reason(chooser, seed):
    result = chooser.score_path(seed)
    assert result.rubric.id == "court"
    assert "法院" in result.rubric.chosen_by and result.submission.unit in result.rubric.chosen_by


@pytest.mark.parametrize("name", ["tax_bureau.txt", "hospital.txt"])
def test_other_units_get_the_general_rubric(chooser, name):
    result = chooser.score_path(FIXTURES / name)
    assert result.rubric.id == "general"
    assert "其他单位" in result.rubric.chosen_by


def test_a_court_text_whose_unit_is_not_detected_is_still_a_courts(chooser):
    text = (
        "我院组织青年干警到社区开展志愿服务活动。来自民一庭、刑庭和巡回法庭的五名青年法官搭起宣传台，"
        "为群众开展义务法律咨询，发放法院诉讼服务指南200余份。"
    )
    result = chooser.score_text(text)
    assert result.rubric.id == "court"
    assert "次" in result.rubric.chosen_by


def test_json_and_screen_carry_the_choice_and_a_named_rubric_carries_none(tmp_path):
    runner = CliRunner()
    seed = str(SEEDS[0])
    auto = json.loads(runner.invoke(app, ["score", seed, "--json"]).stdout)
    assert auto["rubric"]["id"] == "court" and auto["rubric"]["chosen_by"]
    named = json.loads(runner.invoke(app, ["score", seed, "--json", "--rubric", "court"]).stdout)
    assert named["rubric"]["chosen_by"] == ""
    screen = runner.invoke(app, ["score", str(FIXTURES / "tax_bureau.txt")]).stdout
    assert "评分标准 general" in screen and "其他单位" in screen


def test_the_scorecard_names_the_choice(tmp_path):
    import subprocess

    out = tmp_path / "card.pdf"
    r = CliRunner().invoke(app, ["score", str(FIXTURES / "hospital.txt"), "--pdf", str(out)])
    assert r.exit_code == 0, r.output
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True).stdout
    assert "按单位类别自动选择" in text and "其他单位" in text


@pytest.mark.parametrize(
    ("file", "name"),
    [("186.txt", "五华法院"), ("250.txt", "宿城法院"), ("286.txt", "涵江法院"), ("100.txt", "滦南法院")],
)
def test_a_court_named_first_in_the_lead_gets_the_court_rubric(chooser, file, name):
    # Real court news items (eval/corpus) naming their court once, in a short form, at the top;
    # 100.txt names 滦南县委 after it (滦南法院在滦南县委…的统一部署下).
    assert name in (EVAL_CORPUS / file).read_text(encoding="utf-8")[:300]
    result = chooser.score_path(EVAL_CORPUS / file)
    assert result.rubric.id == "court", result.rubric.chosen_by
    assert "导语先提到「法院」" in result.rubric.chosen_by


def test_a_unit_named_before_a_court_in_the_lead_keeps_its_rubric(chooser):
    # A procuratorate's work report (eval/corpus/244.txt): 法院 comes up in its lead only
    # after 福建省人民检察院.
    result = chooser.score_path(EVAL_CORPUS / "244.txt")
    assert result.rubric.id == "general" and "检察院" in result.rubric.chosen_by
