"""Rubrics that share (issue 18): a rubric extends a base, problems name the file and line
they are in, `rubric show` says where each part comes from, the sha256 covers every file of
the chain, and level ids and the bonus section are rubric data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scorer.cli import app
from scorer.engine import Scorer
from scorer.errors import RubricError
from scorer.report.pdf import render_scorecard_html
from scorer.rubric import load_rubric

ROOT = Path(__file__).resolve().parent.parent

BASE = """\
# a shared base: levels, grades, negation, scoring marks, vetoes
levels:
  - {id: A, share: 1.0, min: 0.85}
  - {id: B, share: 0.66, min: 0.55}
  - {id: C, share: 0.33, min: 0.2}
  - {id: D, share: 0.0, min: 0.0}
grades:
  - {name: 优秀, min: 9}
  - {name: 合格, min: 0}
negation:
  cues: [没有, 未]
scoring:
  min_prose_chars: 0
  near_copy: 0.6
  marks:
    - id: plan
      why: 今后的打算
      pattern: '下一步|将继续'
      weight: 0.3
    - id: award
      why: 获奖消息
      pattern: '被评为|荣获'
vetoes:
  - id: veto.crime
    name: 违法犯罪
    matchers:
      - type: cooccur
        label: 职工被判刑
        scope: clause
        groups:
          - [职工]
          - [被判处]
  - id: veto.accident
    name: 安全事故
    matchers:
      - type: cooccur
        label: 发生重大事故
        scope: clause
        groups:
          - [重大]
          - [安全事故]
"""

CHILD = """\
extends: base.yaml
id: child
version: "1"
title: 继承测试
total: 10
scoring:
  near_copy: 0.8
  marks:
    - id: award
      why: 获奖、获评消息
      pattern: '被评为|荣获|获评'
dimensions:
  - id: work
    name: 工作
    points: 10
    criteria:
      - id: work.volunteer
        name: 志愿服务
        points: 10
        full: 组建志愿服务队伍，开展志愿服务活动。
        matchers:
          - {type: keywords, label: 志愿服务, need: 1, terms: [志愿服务队, 志愿服务]}
bonus:
  max: 2
  items:
    - id: bonus.brand
      name: 服务品牌
      points: 2
      matchers:
        - {type: keywords, label: 服务品牌, need: 1, terms: [服务品牌]}
vetoes:
  - id: veto.crime
    name: 干警违法犯罪
    matchers:
      - type: cooccur
        label: 干警被判刑
        scope: clause
        groups:
          - [干警, 职工]
          - [被判处]
  - id: veto.own
    name: 本单位否决项
    matchers:
      - {type: keywords, label: 造假, terms: [材料造假]}
"""


def _line(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def _write(folder: Path, **files: str) -> None:
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")


def _problems(path: Path) -> str:
    with pytest.raises(RubricError) as e:
        load_rubric(path)
    return "\n".join(e.value.problems)


def test_a_rubric_inherits_its_base_and_overrides_what_it_names(tmp_path):
    _write(tmp_path, base=BASE, child=CHILD)
    loaded = load_rubric(tmp_path / "child.yaml")
    r = loaded.rubric
    base, child = tmp_path / "base.yaml", tmp_path / "child.yaml"
    # inherited whole
    assert [lv.id for lv in r.levels] == ["A", "B", "C", "D"] and r.negation.cues == ["没有", "未"]
    assert loaded.file_of(("levels", 0)) == base and loaded.line_of(("levels", 0)) == _line(BASE, "  - {id: A")
    # a mapping merges key by key
    assert r.scoring.near_copy == 0.8 and r.scoring.min_prose_chars == 0
    assert loaded.file_of(("scoring", "near_copy")) == child and loaded.file_of(("scoring", "min_prose_chars")) == base
    # a list of items with ids merges by id: replaced in place, new ones after the base's
    assert [m.id for m in r.scoring.marks] == ["plan", "award"]
    assert r.scoring.marks[1].why == "获奖、获评消息" and r.scoring.marks[0].weight == 0.3
    assert r.scoring.marks[1].weight == 1.0  # a mark only, unless it names a weight
    assert [v.id for v in r.vetoes] == ["veto.crime", "veto.accident", "veto.own"]
    assert r.vetoes[0].name == "干警违法犯罪" and r.vetoes[1].name == "安全事故"
    assert loaded.file_of(("vetoes", 0, "name")) == child and loaded.line_of(("vetoes", 0, "name")) == _line(CHILD, "    name: 干警违法犯罪")
    assert loaded.file_of(("vetoes", 1, "name")) == base and loaded.line_of(("vetoes", 1, "name")) == _line(BASE, "    name: 安全事故")
    assert loaded.chain == (child, base)
    # and it scores: the base's veto and the child's own both fire
    s = Scorer(loaded)
    res = s.score_text("本单位组建志愿服务队，开展志愿服务12次。本单位发生重大安全事故。干警张某被判处有期徒刑。")
    assert res.dimensions[0].criteria[0].score > 0
    assert {v.id for v in res.vetoes} == {"veto.crime", "veto.accident"}


def test_a_problem_in_a_base_names_the_base_and_its_line(tmp_path):
    broken = BASE.replace("  - {id: B, share: 0.66, min: 0.55}", "  - {id: B, share: 1.66, min: 0.55}")
    _write(tmp_path, base=broken, child=CHILD)
    msg = _problems(tmp_path / "child.yaml")
    assert f"{tmp_path / 'base.yaml'}:{_line(broken, '  - {id: B')}: levels.1.share" in msg
    # a YAML error in the base: the base's file and line
    _write(tmp_path, base=BASE.replace("  cues: [没有, 未]", "  cues: [没有, 未"))
    msg = _problems(tmp_path / "child.yaml")
    assert f"{tmp_path / 'base.yaml'}:" in msg and "YAML does not parse" in msg
    # a problem in the child's own values names the child
    _write(tmp_path, base=BASE, child=CHILD.replace("near_copy: 0.8", "near_copy: 3"))
    msg = _problems(tmp_path / "child.yaml")
    assert f"{tmp_path / 'child.yaml'}:{_line(CHILD, 'near_copy: 0.8')}: scoring.near_copy" in msg


def test_a_missing_base_and_a_cycle_are_one_line_each(tmp_path):
    _write(tmp_path, child=CHILD.replace("extends: base.yaml", "extends: nowhere.yaml"))
    msg = _problems(tmp_path / "child.yaml")
    assert msg.count("\n") == 0
    assert msg.startswith(f"{tmp_path / 'child.yaml'}:1: extends: the base rubric 'nowhere.yaml' is not found")
    _write(tmp_path, a="extends: b.yaml\n" + CHILD.replace("extends: base.yaml\n", ""), b="# b\nextends: a.yaml\n" + BASE)
    msg = _problems(tmp_path / "a.yaml")
    assert msg.count("\n") == 0
    assert msg == f"{tmp_path / 'b.yaml'}:2: extends: the bases form a cycle: a.yaml → b.yaml → a.yaml"
    _write(tmp_path, selfish="extends: selfish.yaml\n" + CHILD.replace("extends: base.yaml\n", ""))
    assert "the bases form a cycle: selfish.yaml → selfish.yaml" in _problems(tmp_path / "selfish.yaml")


def test_the_shipped_rubrics_share_a_base_and_their_judges_are_current():
    for name in ("court", "general"):
        loaded = load_rubric(ROOT / "rubric" / f"{name}.yaml")
        assert loaded.chain[1] == ROOT / "rubric" / "_base.yaml"
        for part in ("grades", "negation", "scoring"):
            assert loaded.file_of((part,)) == ROOT / "rubric" / "_base.yaml"
        for part in ("levels", "dimensions", "bonus"):
            assert loaded.file_of((part,)) == ROOT / "rubric" / f"{name}.yaml"
        assert not Scorer.load(name).rubric_info.judge.stale
    # the base is not a rubric to choose
    from scorer.resources import bundled_rubrics

    assert [p.name for p in bundled_rubrics()] == ["court.yaml", "general.yaml"]


def test_an_edit_to_the_base_is_a_new_rubric_even_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CIVSCORE_CACHE", str(tmp_path / "cache"))
    _write(tmp_path, base=BASE, child=CHILD)
    first = load_rubric(tmp_path / "child.yaml")
    again = load_rubric(tmp_path / "child.yaml")  # from the cache
    assert again.sha256 == first.sha256 and again.rubric == first.rubric
    assert again.file_of(("levels", 0)) == tmp_path / "base.yaml"
    assert list((tmp_path / "cache").glob("rubric-*.bin"))
    _write(tmp_path, base=BASE.replace("near_copy: 0.6", "near_copy: 0.6\n  decay: 0.5"))
    changed = load_rubric(tmp_path / "child.yaml")
    assert changed.sha256 != first.sha256 and changed.rubric.scoring.decay == 0.5
    # a comment in the base is still another file: another sha256 (a judge trained before is stale)
    _write(tmp_path, base="# a note\n" + BASE)
    assert load_rubric(tmp_path / "child.yaml").sha256 not in (first.sha256, changed.sha256)


def test_rubric_show_says_where_each_part_comes_from():
    result = CliRunner().invoke(app, ["rubric", "show", "court"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Where each part comes from" in out
    base_line = next(line for line in out.splitlines() if "_base.yaml (base):" in line)
    own_line = next(line for line in out.splitlines() if "court.yaml (own):" in line)
    for part in ("grades", "negation", "scoring"):
        assert part in base_line and part not in own_line.split(":", 1)[1]
    assert "levels" in own_line and "levels" not in base_line
    assert "dimensions: leadership" in own_line and "vetoes: veto.leader_violation" in own_line
    # general takes the base's vetoes as they are
    out = CliRunner().invoke(app, ["rubric", "show", "general"], env={"COLUMNS": "400"}).stdout
    base_line = next(line for line in out.splitlines() if "_base.yaml (base):" in line)
    assert "vetoes: veto.leader_violation, veto.staff_crime, veto.safety_accident" in base_line


LEVELS_CN = """\
id: cn-levels
version: "1"
title: 其他等级
total: 10
levels:
  - {id: 优, share: 1.0, min: 0.85}
  - {id: 良, share: 0.6, min: 0.4}
  - {id: 差, share: 0.0, min: 0.0}
grades:
  - {name: 合格, min: 0}
negation:
  cues: [没有]
dimensions:
  - id: work
    name: 工作
    points: 10
    criteria:
      - id: work.volunteer
        name: 志愿服务
        points: 5
        full: 组建志愿服务队伍。
        matchers:
          - {type: keywords, label: 志愿服务, need: 1, terms: [志愿服务队]}
      - id: work.venues
        name: 文化阵地
        points: 5
        full: 建有图书室。
        matchers:
          - {type: keywords, label: 图书室, need: 1, terms: [图书室]}
bonus:
  id: extra
  name: 加分
  max: 2
  items:
    - id: extra.brand
      name: 品牌
      points: 2
      matchers:
        - {type: keywords, label: 品牌, need: 1, terms: [服务品牌]}
"""


def test_a_rubric_with_other_level_ids_scores_and_renders(tmp_path):
    path = tmp_path / "cn.yaml"
    path.write_text(LEVELS_CN, encoding="utf-8")
    res = Scorer.load(path).score_text("本单位组建志愿服务队，开展志愿服务活动12次，深受群众好评。打造服务品牌。")
    crit = {c.id: c for c in res.dimensions[0].criteria}
    assert crit["work.volunteer"].level == "优" and crit["work.venues"].level == "差"
    assert res.rubric.level_ids == ["优", "良", "差"] and res.bonus.id == "extra"
    html = render_scorecard_html(res)
    assert 'class="lvl level-a">优<' in html and 'class="lvl level-d">差<' in html
    assert [lv["id"] for lv in json.loads(res.model_dump_json())["rubric"]["levels"]] == ["优", "良", "差"]
    # the reviewed total keys the bonus by the rubric's own id, and levels by its own table
    from scorer.review import Review, reviewed

    state = Review.model_validate({"levels": {"work.venues": {"level": "良", "reason": "有图书室"}}})
    rv = reviewed(res, state)
    assert [s.id for s in rv.sections] == ["work", "extra"] and rv.sections[1].is_bonus
    assert rv.sections[0].score == pytest.approx(res.dimensions[0].score + 3.0)
    assert rv.bonus == res.bonus.score


def test_a_bonus_id_that_is_a_dimension_id_is_refused(tmp_path):
    path = tmp_path / "clash.yaml"
    path.write_text(LEVELS_CN.replace("  id: extra\n", "  id: work\n"), encoding="utf-8")
    assert "bonus.id 'work' is also a dimension's id" in _problems(path)


def test_the_former_name_discounts_is_still_read(tmp_path):
    _write(tmp_path, base=BASE.replace("  marks:\n", "  discounts:\n"), child=CHILD.replace("  marks:\n", "  discounts:\n"))
    r = load_rubric(tmp_path / "child.yaml").rubric
    assert [m.id for m in r.scoring.marks] == ["plan", "award"]


def test_a_rubric_elsewhere_that_extends_a_shipped_one_finds_the_judge_its_base_names(tmp_path):
    """`judge.file` is found beside the file that names it: a maintainer's child of court.yaml in
    another folder scores with the shipped court judge (flagged as trained for another rubric)."""
    child = tmp_path / "child.yaml"
    child.write_text('extends: court.yaml\nid: court-child\nversion: "1"\n', encoding="utf-8")
    seed = sorted((Path(__file__).resolve().parents[1] / "seeds").glob("001_*.txt"))[0]
    res = Scorer.load(child).score_path(seed)
    assert res.rubric.id == "court-child" and res.rubric.judge is not None
    assert res.rubric.judge.version.startswith("court-judge-") and res.rubric.judge.stale
    assert res.total > 20
