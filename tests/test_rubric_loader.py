"""A broken rubric is reported with the YAML line and the field, every problem at once."""

from __future__ import annotations

from pathlib import Path

from scorer.rubric import load_rubric

from rubric_support import line_of, problems

MINI = Path(__file__).parent / "fixtures" / "rubrics" / "mini.yaml"
MINI_TEXT = MINI.read_text(encoding="utf-8")


def broken(tmp_path: Path, old: str, new: str, count: int = 1) -> tuple[Path, str]:
    assert old in MINI_TEXT
    text = MINI_TEXT.replace(old, new, count)
    p = tmp_path / "broken.yaml"
    p.write_text(text, encoding="utf-8")
    return p, text


def test_mini_rubric_loads():
    r = load_rubric(MINI).rubric
    assert r.id == "mini" and r.total == 10 and len(r.dimensions) == 2


def test_unknown_key_names_line_and_field(tmp_path):
    p, text = broken(tmp_path, "        full: 志愿服务队到社区服务群众\n", "        full: 志愿服务队到社区服务群众\n        fulll: typo\n")
    [msg] = problems(p)
    assert f"broken.yaml:{line_of(text, 'fulll')}:" in msg
    assert "dimensions.1.criteria.0.fulll" in msg and "unknown key" in msg


def test_points_that_do_not_add_up(tmp_path):
    p, text = broken(tmp_path, "        points: 3\n        full: 每年集中学习不少于4次", "        points: 2\n        full: 每年集中学习不少于4次")
    msgs = problems(p)
    assert any("add up to 5, not the dimension's 6" in m and f":{line_of(text, 'id: vol')}:" in m for m in msgs)


def test_duplicate_id_points_at_the_second_one(tmp_path):
    p, text = broken(tmp_path, "id: vol.study", "id: vol.team")
    [msg] = problems(p)
    assert f"broken.yaml:{line_of(text, 'id: vol.team', 2)}:" in msg
    assert "duplicate id 'vol.team'" in msg and f"first at line {line_of(text, 'id: vol.team')}" in msg


def test_pattern_that_does_not_compile(tmp_path):
    p, text = broken(tmp_path, 'pattern: "党建品牌"', 'pattern: "党建(品牌"')
    [msg] = problems(p)
    assert f":{line_of(text, 'pattern: ')}:" in msg and "does not compile" in msg


def test_wrong_type_and_missing_field(tmp_path):
    p, text = broken(tmp_path, "    points: 4\n    criteria:", "    points: many\n    criteria:")
    msgs = problems(p)
    assert any(f":{line_of(text, 'points: many')}:" in m and "dimensions.0.points" in m for m in msgs)


def test_unknown_matcher_type(tmp_path):
    p, text = broken(tmp_path, "type: quantity", "type: quantities")
    [msg] = problems(p)
    assert f":{line_of(text, 'type: quantities')}:" in msg and "quantities" in msg


def test_yaml_syntax_error_has_a_line(tmp_path):
    p, text = broken(tmp_path, "title: 单元测试用评分细则", "title: [单元测试用评分细则")
    [msg] = problems(p)
    assert "YAML does not parse" in msg and "broken.yaml:" in msg


def test_duplicate_mapping_key(tmp_path):
    p, text = broken(tmp_path, "version: \"0.1\"\n", "version: \"0.1\"\nversion: \"0.2\"\n")
    [msg] = problems(p)
    second = line_of(text, 'version: "0.2"')
    assert f":{second}:" in msg and "duplicate key" in msg


def test_missing_and_empty_files(tmp_path):
    assert "not found" in problems(tmp_path / "nope.yaml")[0]
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert "empty" in problems(empty)[0]
