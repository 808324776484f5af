"""Loading a rubric is safe (issue 9): regular files under a size limit, no YAML aliases or
non-standard tags, finite numbers only; patterns run in linear time (RE2); problems are data;
lint grows linearly with the number of synonyms."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scorer.cli import app
from scorer.engine import Scorer
from scorer.errors import RubricError
from scorer.rubric import Problem, load_rubric, parse_rubric
from scorer.rubric import loader
from scorer.rubric.walk import owners
from scorer.tuning import lint

from rubric_support import line_of, problems

ROOT = Path(__file__).resolve().parent.parent
COURT = ROOT / "rubric" / "court.yaml"
MINI = ROOT / "tests" / "fixtures" / "rubrics" / "mini.yaml"
MINI_TEXT = MINI.read_text(encoding="utf-8")


def one_line_exit_2(path: Path) -> str:
    """`civscore score` with this rubric: exit 2, one line on stderr, no traceback."""
    result = CliRunner().invoke(app, ["score", str(ROOT / "seeds" / "000_d547af74112a8ae0.txt"), "--rubric", str(path)])
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


# -- the file ----------------------------------------------------------------------


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "rubric.yaml"
    os.mkfifo(fifo)
    # In a child process, so that a regression shows as a failure rather than a hung suite.
    code = "from scorer.rubric import load_rubric\ntry:\n    load_rubric(%r)\nexcept Exception as e:\n    print(e)\n" % str(fifo)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert "not a regular file" in out.stdout and str(fifo) in out.stdout


def test_a_device_is_refused_before_it_is_read():
    [p] = problems(Path("/dev/zero"))
    assert str(p) == "/dev/zero: is not a regular file (a pipe, a device or a socket); a rubric is a YAML file"


def test_a_file_over_the_size_limit_is_problems(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "MAX_RUBRIC_BYTES", 1000)
    big = tmp_path / "big.yaml"
    big.write_text(MINI_TEXT, encoding="utf-8")
    assert big.stat().st_size > 1000
    [p] = problems(big)
    assert str(big) in p and "over the limit of 1,000 (MAX_RUBRIC_BYTES)" in p
    assert "MAX_RUBRIC_BYTES" in one_line_exit_2(big)


def test_the_cap_holds_while_reading(tmp_path):
    p = tmp_path / "r.yaml"
    p.write_bytes(b"x" * 5000)
    with pytest.raises(RubricError) as e:
        loader.read_rubric_bytes(p, max_bytes=100)
    assert "100" in str(e.value.problems[0])


# -- the YAML ----------------------------------------------------------------------


BOMB = """\
a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_an_alias_bomb_is_refused_at_its_first_alias(tmp_path):
    p = tmp_path / "bomb.yaml"
    p.write_text(BOMB, encoding="utf-8")
    [problem] = problems(p)
    assert problem.line == 2 and "aliases (*a) are not allowed" in problem
    assert one_line_exit_2(p).endswith(f"{p}:2: YAML aliases (*a) are not allowed in a rubric")


def test_an_alias_in_an_otherwise_good_rubric_is_problems(tmp_path):
    text = MINI_TEXT.replace("slogans: [两学一做", "slogans: &s [两学一做").replace("vetoes:", "extra: *s\nvetoes:")
    p = tmp_path / "alias.yaml"
    p.write_text(text, encoding="utf-8")
    [problem] = problems(p)
    assert problem.line == line_of(text, "extra: *s")


@pytest.mark.parametrize("value, shown", [
    ("!!python/name:os.system ''", "!!python/name:os.system"),
    ("!!python/object/apply:os.system [echo hi]", "!!python/object/apply:os.system"),
    ("!custom 3", "!custom"),
])
def test_non_standard_tags_are_refused_with_the_line(tmp_path, value, shown):
    text = MINI_TEXT.replace('title: 单元测试用评分细则', f"title: {value}")
    assert text != MINI_TEXT
    p = tmp_path / "tag.yaml"
    p.write_text(text, encoding="utf-8")
    [problem] = problems(p)
    assert problem.line == line_of(text, "title: ") and f"the tag {shown} is not allowed" in problem
    assert one_line_exit_2(p).startswith(f"error: {p}:{problem.line}: title: ") or f"{p}:{problem.line}:" in one_line_exit_2(p)


def test_deep_nesting_is_refused_not_a_recursion_error():
    with pytest.raises(RubricError) as e:
        parse_rubric("a: " + "[" * 5000 + "]" * 5000, Path("deep.yaml"))
    assert "MAX_YAML_DEPTH" in e.value.problems[0]


@pytest.mark.parametrize("old, new, field", [
    ("bonus:\n  max: 2\n", "bonus:\n  max: .inf\n", "bonus.max"),
    ("bonus:\n  max: 2\n", "bonus:\n  max: .nan\n", "bonus.max"),
    ("            need: 1.7\n", "            need: .inf\n", "dimensions.0.criteria.0.matchers.0.need"),
    ("            min: 4\n", "            min: -.inf\n", "dimensions.1.criteria.1.matchers.0.min"),
])
def test_non_finite_numbers_are_refused_with_the_fields_line(tmp_path, old, new, field):
    assert old in MINI_TEXT
    text = MINI_TEXT.replace(old, new)
    p = tmp_path / "inf.yaml"
    p.write_text(text, encoding="utf-8")
    found = problems(p)
    mine = [q for q in found if q.field == field]
    assert mine and mine[0].line == line_of(text, new.strip().splitlines()[-1])
    assert "finite" in mine[0].message


# -- problems are data ---------------------------------------------------------------


def test_problems_carry_path_line_field_code_and_message(tmp_path):
    text = MINI_TEXT.replace("id: vol.study", "id: vol.team")
    p = tmp_path / "dup.yaml"
    p.write_text(text, encoding="utf-8")
    [problem] = problems(p)  # one duplicate-id check, one problem
    second = text.index("id: vol.team", text.index("id: vol.team") + 1)
    line = text[:second].count("\n") + 1
    assert (problem.path, problem.line, problem.code) == (str(p), line, "duplicate-id")
    assert problem.loc == ("dimensions", 1, "criteria", 1, "id")
    assert str(problem) == f"{p}:{line}: dimensions.1.criteria.1.id: {problem.message}"
    # lint reads the objects, not the string
    [finding] = lint.schema_findings(RubricError(p, [problem]), p, "shown.yaml")
    assert (finding.path, finding.line, finding.severity) == ("shown.yaml", line, "error")


def test_problems_survive_pickling():
    import pickle

    p = Problem("r.yaml", 3, ("a", 0), "code", "bad")
    q = pickle.loads(pickle.dumps(p))
    assert q == p and (q.line, q.loc, q.code, q.message) == (3, ("a", 0), "code", "bad")


# -- patterns: RE2 -------------------------------------------------------------------


def _with_pattern(pattern: str) -> str:
    return MINI_TEXT.replace('pattern: "党建品牌"', "pattern: '" + pattern + "'")


def test_a_back_reference_is_refused_with_its_line(tmp_path):
    text = _with_pattern(r"(党建)\1品牌")
    p = tmp_path / "backref.yaml"
    p.write_text(text, encoding="utf-8")
    [problem] = problems(p)
    assert problem.line == line_of(text, "pattern: '(党建)")
    assert problem.field == "bonus.items.0.matchers.0.pattern" and "back-reference" in problem.message
    one_line_exit_2(p)


@pytest.mark.parametrize("pattern, what", [
    (r"党建(?=品牌)", "look-ahead"),
    (r"(?<!打造)品牌", "negative look-behind"),
])
def test_look_arounds_are_refused_with_their_line(tmp_path, pattern, what):
    text = _with_pattern(pattern)
    with pytest.raises(RubricError) as e:
        parse_rubric(text, Path("look.yaml"))
    [problem] = e.value.problems
    assert problem.line == line_of(text, "pattern: '") and what in problem.message


def test_a_catastrophic_pattern_for_re_runs_through_100k_characters(tmp_path):
    # (a+)+$ on "aaaa…!" takes exponential time under Python's re; RE2 is linear.
    text = _with_pattern(r"(a+)+$").replace("label: 打造党建品牌", "label: 全是a")
    p = tmp_path / "aa.yaml"
    p.write_text(text, encoding="utf-8")
    s = Scorer(load_rubric(p))
    report = "党建工作扎实推进，" + "a" * 100_000 + "!"
    r = s.score_text(report, normalize=False)
    assert r.bonus.items[0].evidence == []  # no match: the run ends in "!"
    r = s.score_text("党建工作扎实推进，" + "a" * 100_000, normalize=False)
    [ev] = r.bonus.items[0].evidence  # ...and a match when it does not
    assert ev.matches[0].terms[0].end == len(r.text)


def test_python_unicode_escapes_still_work_in_patterns(tmp_path):
    text = _with_pattern(r"[\u4e00-\u9fff]{2}品牌")
    s = Scorer(parse_rubric(text, Path("u.yaml")))
    [ev] = s.score_text("我院着力打造党建品牌，成效明显。", normalize=False).bonus.items[0].evidence
    assert ev.matches[0].terms[0].text == "党建品牌"


# -- one walk ------------------------------------------------------------------------


def test_one_walk_serves_score_lint_show_and_calibrate():
    loaded = load_rubric(COURT)
    r = loaded.rubric
    walked = list(owners(r))
    assert [o.id for o in walked if o.kind == "criterion"] == [c.id for c in r.criteria()]
    assert [o.id for o in walked if o.kind == "bonus"] == [b.id for b in r.bonus.items]
    assert [o.id for o in walked if o.kind == "veto"] == [v.id for v in r.vetoes]
    text = COURT.read_text(encoding="utf-8").splitlines()
    for o in walked:
        assert text[loaded.line_of(o.loc + ("id",)) - 1].strip().endswith(f"id: {o.id}")
    scorer = Scorer(loaded)
    assert list(scorer.compiled.rules) == [o.id for o in walked]


# -- lint grows linearly -------------------------------------------------------------


def test_lint_with_many_synonyms_finds_every_unused_one(tmp_path):
    def unused(n: int) -> list:
        synonyms = "".join(f", 党建甲{i:05d}" for i in range(n))
        text = MINI_TEXT.replace("{term: 党建, synonyms: [党的建设]}", f"{{term: 党建, synonyms: [党的建设{synonyms}]}}")
        loaded = parse_rubric(text, Path("many.yaml"))
        stats = lint.CorpusStats(root=tmp_path, reports=1, reached={}, surfaces={"党建", "党的建设"})
        return list(lint.unused_synonyms(lint.LintContext(loaded, "many.yaml", stats)))

    base, many = unused(0), unused(20_000)
    added = [f for f in many if "党建甲" in f.message]
    assert len(many) - len(base) == len(added) == 20_000
    # each on its own line of the flow list (all on one line here), named by its index in the list
    assert {f.line for f in added} == {next(f.line for f in added)}
    assert added[-1].message.startswith("synonym '党建甲19999' of '党建'")
