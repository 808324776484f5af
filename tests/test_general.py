"""rubric/general.yaml: the same engine on units that are not courts, with data only.

Also the guard that keeps it that way: no Python file under scorer/ names a
keyword or a dimension of either shipped rubric.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

from scorer.engine import Scorer
from scorer.rubric import load_rubric
from scorer.tuning.lint import owners, term_places_of

ROOT = Path(__file__).resolve().parent.parent
RUBRICS = [ROOT / "rubric" / "court.yaml", ROOT / "rubric" / "general.yaml"]
REPORTS = sorted((Path(__file__).parent / "fixtures" / "general").glob("*.txt"))
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))

# Hits in files this test's author does not own, reported to the lead instead of edited
# (file relative to scorer/, word). Remove an entry when the file is fixed: the test then
# makes sure the word does not come back.


@pytest.fixture(scope="module")
def general():
    return Scorer.load("general")


@pytest.fixture(scope="module")
def results(general):
    return {p.name: general.score_path(p) for p in REPORTS}


def test_general_rubric_loads_with_100_points_bonus_and_the_national_vetoes():
    r = load_rubric(RUBRICS[1]).rubric
    assert r.id == "general" and r.total == 100 and r.bonus.max == 10
    assert len(r.dimensions) == 5 and sum(d.points for d in r.dimensions) == 100
    assert {v.id for v in r.vetoes} == {"veto.leader_violation", "veto.staff_crime", "veto.safety_accident"}
    court = load_rubric(RUBRICS[0]).rubric
    assert not {d.id for d in r.dimensions} & {d.id for d in court.dimensions}


def test_fixtures_are_real_reports():
    assert 1 <= len(REPORTS) <= 3
    for p in REPORTS:
        text = p.read_text(encoding="utf-8")
        assert len(text) >= 1500
        assert "法院" not in text and "法官" not in text


def test_each_dimension_has_evidence_in_each_non_court_report(results):
    for name, res in results.items():
        assert res.rubric.id == "general"
        assert not res.vetoed, (name, [v.text for v in res.vetoes])
        for d in res.dimensions:
            evidence = [e for c in d.criteria for e in c.evidence]
            assert evidence, f"{name}: no evidence for {d.id}"
            assert d.score > 0
            for e in evidence:
                assert res.text[e.start : e.end] == e.text
        assert res.total >= 60, f"{name} scores {res.total}"


def test_general_rubric_does_not_inflate_court_seeds(general):
    # Scored under the general rubric, the court seeds earn no more in sum than under the court
    # rubric, and no report is a gross misfit (20 points). Until
    # stop 32 the court rubric's sum was more than 10 points higher; the general judge retrained
    # with fresh13 and train10 (465 texts, was 384) finds as much in them (309.6 each at stop 33),
    # so what is asserted is that general does not inflate them, within 3 % of the sum. Items
    # are weighed differently: general's items are fewer and larger (one 结对帮扶 sentence earns its
    # 8-point aid item, where the court splits aid over poverty and charity items), so seed 004
    # scores 72.0 under general and 56.9 under the court rubric, its volunteer and aid work worth
    # 12 of general's points and 7.3 of the court's.
    court = Scorer.load("court")
    pairs = [(general.score_path(p).base, court.score_path(p).base) for p in SEEDS]
    assert sum(g for g, _ in pairs) <= 1.03 * sum(c for _, c in pairs), pairs
    for g, c in pairs:
        assert g < c + 20, pairs


def test_a_veto_fires_on_a_non_court_report(general):
    text = REPORTS[0].read_text(encoding="utf-8") + "\n2023年5月，医院食堂发生集体食物中毒事件，造成32名职工住院治疗。\n"
    res = general.score_text(text, path="veto.txt")
    assert res.vetoed and [v.id for v in res.vetoes] == ["veto.safety_accident"]


# -- no rubric keyword in the code ------------------------------------------------------


def rubric_words() -> tuple[set[str], set[str]]:
    """(terms, synonyms, contexts and group terms of length ≥ 2; dimension ids) of both rubrics."""
    words: set[str] = set()
    dims: set[str] = set()
    for path in RUBRICS:
        r = load_rubric(path).rubric
        dims.update(d.id for d in r.dimensions)
        for owner in owners(r):
            for m in owner.matchers:
                for t in term_places_of(m):
                    words.update(s for s in t.surfaces if len(s) >= 2)
    return words, dims


def docstring_positions(source: str) -> set[tuple[int, int]]:
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                out.add((body[0].value.lineno, body[0].value.col_offset))
    return out


def code_tokens(path: Path):
    """(line, kind, text) of every string literal (docstrings excluded) and identifier."""
    source = path.read_text(encoding="utf-8")
    docs = docstring_positions(source)
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.STRING and tok.start not in docs:
            try:
                value = ast.literal_eval(tok.string)
            except (ValueError, SyntaxError):  # f-strings: check their source text
                value = tok.string
            yield tok.start[0], "string", value if isinstance(value, str) else repr(value)
        elif tok.type == tokenize.NAME:
            yield tok.start[0], "name", tok.string


def test_no_python_file_under_scorer_names_a_rubric_keyword():
    words, dims = rubric_words()
    assert len(words) > 500 and len(dims) == 10
    # one alternation, longest first; overlapping matches found with a lookahead
    finder = re.compile("(?=(" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + "))")
    hits = []
    for path in sorted((ROOT / "scorer").rglob("*.py")):
        rel = str(path.relative_to(ROOT / "scorer"))
        for line, kind, text in code_tokens(path):
            found = {w for w in words if w in text} if finder.search(text) else set()
            for w in sorted(found):
                hits.append(f"scorer/{rel}:{line}: {kind} contains rubric term {w!r}")
            if kind == "string" and text in dims:
                hits.append(f"scorer/{rel}:{line}: string literal is the dimension id {text!r}")
    assert not hits, "\n".join(hits)


def test_the_keyword_guard_itself_finds_a_planted_keyword(tmp_path):
    words, dims = rubric_words()
    planted = tmp_path / "planted.py"
    planted.write_text('"""Docstrings may say 志愿服务."""\nLABEL = "优秀志愿服务组织"\nDIM = "judicial"\n', encoding="utf-8")
    found = [(line, text) for line, kind, text in code_tokens(planted)
             if any(w in text for w in words) or (kind == "string" and text in dims)]
    assert found == [(2, "优秀志愿服务组织"), (3, "judicial")]
