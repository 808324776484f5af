"""An honest scale (issue 11): the total is out of the base points with the bonus shown
apart, and a grade judges the material, so a real unit's genuine summary is not branded
a failure for covering fewer items than a full dossier."""

from __future__ import annotations

from pathlib import Path

import pytest

from scorer.engine import Scorer

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


@pytest.mark.parametrize("name", ["court", "general"])
def test_total_is_out_of_the_base_points_and_never_past_them(name):
    scorer = Scorer.load(name)
    r = scorer.rubric
    assert r.max_total == r.total == 100
    # A report rich enough to fill every criterion and the bonus still totals at most 100.
    text = "\n".join(SEED.read_text(encoding="utf-8") for SEED in SEEDS)
    result = scorer.score_text(text)
    assert result.max_total == 100 and result.total <= 100
    assert result.total == pytest.approx(min(100, result.base + result.bonus.score), abs=0.05)


def test_the_weakest_seed_a_provincial_units_own_summary_is_not_branded_a_failure():
    court = Scorer.load("court")
    weakest = min((court.score_path(p) for p in SEEDS), key=lambda r: r.total)
    assert weakest.tier != "fail" and "不合格" not in weakest.grade
    assert "材料" in weakest.grade  # the grade names what it judges
    assert "不是对单位创建工作本身的认定" in weakest.rubric.grade_note


def test_thin_material_is_graded_thin_and_coloured_as_such():
    court = Scorer.load("court")
    r = court.score_text("我院组织干警到社区开展学雷锋志愿服务活动，为群众提供法律咨询。")
    assert r.total < 20 and r.tier == "fail" and r.grade == "材料单薄"
