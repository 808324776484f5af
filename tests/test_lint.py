"""`civscore rubric check`: schema errors and lint findings, each on the right YAML line.

Every lint rule has its own unit test on a small rubric built from
tests/fixtures/rubrics/mini.yaml; the CLI tests build defective copies of
rubric/court.yaml and check `file:line: severity:` lines and the exit code.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scorer.cli import app
from scorer.rubric import parse_rubric
from scorer.tuning import lint

ROOT = Path(__file__).resolve().parent.parent
COURT = ROOT / "rubric" / "court.yaml"
GENERAL = ROOT / "rubric" / "general.yaml"
MINI = Path(__file__).parent / "fixtures" / "rubrics" / "mini.yaml"
GENERAL_REPORTS = Path(__file__).parent / "fixtures" / "general"
FINDING = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<severity>error|warning|info): (?P<message>.+)$")

# A report that evidences the party criterion of mini.yaml and nothing else.
PARTY_REPORT = (
    "机关党建工作总结\n"
    "今年我们把党建工作摆在首位，党委每季度专门研究一次，全年召开推进会四次。\n"
    "各支部围绕业务开展党建活动，先后组织了十余次主题明确的集中交流。\n"
)


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the nth line containing needle."""
    hits = [i for i, ln in enumerate(text.splitlines(), 1) if needle in ln]
    assert len(hits) >= nth, f"{needle!r} not in text"
    return hits[nth - 1]


def ctx_for(text: str, corpus: lint.CorpusStats | None = None, name: str = "r.yaml") -> lint.LintContext:
    loaded = parse_rubric(text, Path(name))
    return lint.LintContext(loaded, name, corpus)


def findings(result) -> list[dict]:
    out = []
    for ln in result.stdout.splitlines():
        m = FINDING.match(ln)
        if m:
            out.append(m.groupdict() | {"line": int(m.group("line"))})
    return out


def run_check(path: Path, *extra: str):
    return CliRunner().invoke(app, ["rubric", "check", str(path), *extra])


# -- each rule on its own ------------------------------------------------------------


def test_rule_duplicate_term():
    text = MINI.read_text(encoding="utf-8").replace(
        "      - id: vol.study",
        "      - id: vol.study\n        # added\n",
    )
    # give vol.team a keywords matcher that repeats mini's party term 党建
    text = text.replace(
        "        full: 志愿服务队到社区服务群众\n        matchers:\n",
        "        full: 志愿服务队到社区服务群众\n        matchers:\n"
        "          - type: keywords\n            label: 党建带志愿\n            terms: [党建, 志愿者]\n",
    )
    got = list(lint.duplicate_terms(ctx_for(text)))
    assert len(got) == 1
    f = got[0]
    assert f.severity == "warning" and f.code == "duplicate-term"
    assert f.line == line_of(text, "terms: [党建, 志愿者]")
    assert "'党建'" in f.message and "party.building" in f.message and "vol.team" in f.message
    assert f"line {line_of(text, '{term: 党建')}" in f.message


def test_rule_duplicate_term_is_quiet_on_a_clean_rubric():
    assert list(lint.duplicate_terms(ctx_for(MINI.read_text(encoding="utf-8")))) == []


def _stats(loaded_text: str, tmp_path: Path, reports: dict[str, str]) -> lint.CorpusStats:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, body in reports.items():
        (folder / name).write_text(body, encoding="utf-8")
    stats, failures = lint.corpus_stats(parse_rubric(loaded_text, Path("r.yaml")), folder)
    assert failures == []
    return stats


def test_rule_unreached_criterion(tmp_path):
    text = MINI.read_text(encoding="utf-8")
    stats = _stats(text, tmp_path, {"party.txt": PARTY_REPORT})
    assert stats.reports == 1 and stats.reached.get("party.building") == 1
    got = list(lint.unreached_criteria(ctx_for(text, stats)))
    assert {f.line for f in got} == {line_of(text, "- id: vol.team"), line_of(text, "- id: vol.study")}
    assert all(f.severity == "warning" and f.code == "unreached-criterion" for f in got)
    assert any("vol.team" in f.message for f in got)


def test_rule_unused_synonym(tmp_path):
    text = MINI.read_text(encoding="utf-8")
    stats = _stats(text, tmp_path, {"party.txt": PARTY_REPORT})
    got = list(lint.unused_synonyms(ctx_for(text, stats)))
    by_message = {f.message: f for f in got}
    synonym = [f for f in got if "'党的建设'" in f.message]
    assert len(synonym) == 1 and synonym[0].line == line_of(text, "{term: 党建, synonyms: [党的建设]}")
    assert synonym[0].severity == "info"
    # 党建 itself occurs, so the term is not reported as a whole
    assert not any("term '党建'" in m for m in by_message)
    # a term none of whose surfaces occurs is reported once, at its line
    assert any("'孤寡老人'" in f.message and f.line == line_of(text, "孤寡老人") for f in got)


# Patterns are compiled with RE2 (linear time whatever the pattern): the shapes the
# old backtracking probe refused, (x+)+ and overlapping alternations, load, pass
# lint and score in linear time; what RE2 lacks is refused by the loader, with the line.


def test_nested_quantifier_and_overlapping_alternation_load_and_lint_clean():
    for pattern in ["(党建\\\\w+)+品牌", "(建|建建)+品牌"]:
        text = MINI.read_text(encoding="utf-8").replace('pattern: "党建品牌"', f'pattern: "{pattern}"')
        ctx = ctx_for(text)
        assert not [f for f in lint.run_rules(ctx) if f.severity == "error"], pattern


def test_ordinary_patterns_load():
    for ok in ["党建品牌", r"第[一二三四五六七八九十]+届", r"\d+(?:\.\d+)?%", r"(?:\d+、)+", r"[^，。]{2,20}先进集体"]:
        text = MINI.read_text(encoding="utf-8").replace('pattern: "党建品牌"', "pattern: '" + ok + "'")
        assert ctx_for(text).rubric.bonus.items[0].matchers[0].pattern == ok


def test_rule_idle_unless():
    text = MINI.read_text(encoding="utf-8").replace(
        "            label: 党建工作\n", "            label: 党建工作\n            unless: [文明城市, 党建带团建]\n"
    )
    got = list(lint.idle_unless(ctx_for(text)))
    assert [("文明城市" in f.message, f.line) for f in got] == [(True, line_of(text, "unless: [文明城市"))]


SETS = "phrase_sets:\n  warning_education: [警示教育, 以案促改]\n  honours: [荣获, 被评为]\n"


def test_rule_unused_phrase_set():
    text = MINI.read_text(encoding="utf-8").replace("slogans:", SETS + "slogans:").replace(
        "        unless: [处分条例]\n", "        unless: [处分条例]\n        unless_sentence_sets: [warning_education]\n"
    )
    got = list(lint.unused_phrase_set(ctx_for(text)))
    assert [("'honours'" in f.message, f.line) for f in got] == [(True, line_of(text, "honours: ["))]


def test_rule_phrase_in_set():
    text = MINI.read_text(encoding="utf-8").replace("slogans:", SETS + "slogans:").replace(
        "        unless: [处分条例]\n",
        "        unless: [处分条例]\n        unless_sentence_sets: [warning_education]\n"
        "        unless_sentence: [专题片, 以案促改]\n",
    )
    got = list(lint.phrase_in_set(ctx_for(text)))
    assert [("'以案促改'" in f.message and "warning_education" in f.message, f.line) for f in got] == [
        (True, line_of(text, "unless_sentence: [专题片"))
    ]


def test_a_vetos_candidates_are_linted_as_its_matchers_are():
    # A veto's `candidates` (what only the learned judgement decides over) are built into rules too:
    # an unless that blocks nothing and a phrase its set already holds are found on their own lines.
    text = MINI.read_text(encoding="utf-8").replace("slogans:", SETS + "slogans:").replace(
        "          - [判处, 有期徒刑, 处分, 受贿]\n",
        "          - [判处, 有期徒刑, 处分, 受贿]\n"
        "    candidates:\n"
        "      - type: cooccur\n"
        "        label: 干警涉案（待判定）\n"
        "        unless: [文明城市]\n"
        "        unless_sentence_sets: [warning_education]\n"
        "        unless_sentence: [以案促改]\n"
        "        groups:\n"
        "          - [干警]\n"
        "          - [受贿]\n",
    )
    idle = list(lint.idle_unless(ctx_for(text)))
    assert [(f.line, "文明城市" in f.message) for f in idle] == [(line_of(text, "unless: [文明城市]"), True)]
    held = list(lint.phrase_in_set(ctx_for(text)))
    assert [(f.line, "'以案促改'" in f.message) for f in held] == [(line_of(text, "unless_sentence: [以案促改]"), True)]


def test_term_places_walk_a_vetos_candidates_after_its_matchers():
    # Every term a rule is built from has a place a finding can point at, a candidate's included.
    loaded = parse_rubric(GENERAL.read_text(encoding="utf-8"), GENERAL)
    places = list(lint.term_places(loaded.rubric, ("veto",)))
    cands = [p for p in places if "candidates" in p.loc]
    assert cands and places.index(cands[0]) > 0 and all("candidates" in p.loc for p in places[places.index(cands[0]):]
                                                        if p.owner is cands[0].owner)
    staff = [p for p in cands if p.owner.id == "veto.staff_crime"]
    assert "被抓获" in {s for p in staff for s in p.term.surfaces}


def test_every_rule_has_a_code_a_severity_and_a_test():
    here = Path(__file__).read_text(encoding="utf-8")
    for code, r in lint.RULES.items():
        assert r.severity in lint.SEVERITIES
        assert f"lint.{r.func.__name__}(" in here, f"no unit test calls rule {code}"


# -- the command ---------------------------------------------------------------------


@pytest.mark.parametrize("name", [str(COURT), "court"])  # a path, or the bundled rubric's name as `show` takes it
def test_shipped_court_rubric_has_no_error_or_warning(name):
    result = run_check(Path(name))
    assert result.exit_code == 0, result.output
    found = findings(result)
    assert not [f for f in found if f["severity"] in ("error", "warning")], found
    assert all(f["file"] == str(COURT) for f in found)
    summary = result.stdout.strip().splitlines()[-1]
    assert "ok" in summary and "0 errors" in summary and "corpus: 5 reports" in summary


def test_shipped_general_rubric_has_no_error_or_warning_on_its_reports():
    result = run_check(GENERAL, "--corpus", str(GENERAL_REPORTS))
    assert result.exit_code == 0, result.output
    severities = {f["severity"] for f in findings(result)}
    assert severities <= {"info"}, result.stdout
    assert "0 errors, 0 warnings" in result.stdout


def test_general_rubric_has_no_error_on_the_court_seeds_either():
    result = run_check(GENERAL)
    assert result.exit_code == 0
    assert not [f for f in findings(result) if f["severity"] == "error"]


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_points_that_do_not_add_up(tmp_path):
    court = COURT.read_text(encoding="utf-8")
    text = court.replace("    name: 党建与组织领导\n    points: 22\n", "    name: 党建与组织领导\n    points: 23\n")
    assert text != court
    path = write(tmp_path, "points.yaml", text)
    result = run_check(path)
    assert result.exit_code == 2
    errors = [f for f in findings(result) if f["severity"] == "error"]
    lines = {f["line"] for f in errors}
    # at the dimension's points line (not the dimension's first line)
    assert lines == {line_of(text, "    points: 23")}
    assert any("criteria points add up to 22, not the dimension's 23" in f["message"] for f in errors)
    assert "does not load" in result.stdout.splitlines()[-1]


def test_criterion_points_that_do_not_add_up(tmp_path):
    court = COURT.read_text(encoding="utf-8")
    text = court.replace("      - id: leadership.mechanism\n        name: 文明创建组织领导与工作机制\n        points: 6\n",
                         "      - id: leadership.mechanism\n        name: 文明创建组织领导与工作机制\n        points: 7\n")
    assert text != court
    result = run_check(write(tmp_path, "crit.yaml", text))
    assert result.exit_code == 2
    [f] = [f for f in findings(result) if "add up" in f["message"]]
    assert f["line"] == line_of(text, "    points: 22") and "criteria points add up to 23" in f["message"]


def test_duplicate_term_in_court_copy(tmp_path):
    court = COURT.read_text(encoding="utf-8")
    old = "              - {term: 创建档案, synonyms: [文明创建档案, 创建工作档案]}"
    text = court.replace(old, "              - {term: 创建档案, synonyms: [文明创建档案, 创建工作档案, 三会一课]}")
    assert text != court
    result = run_check(write(tmp_path, "dup.yaml", text), "--no-corpus")
    assert result.exit_code == 0  # a warning does not fail the check
    dups = [f for f in findings(result) if "'三会一课'" in f["message"]]
    assert len(dups) == 1 and dups[0]["severity"] == "warning"
    # reported where it appears the second time (leadership.party_org), naming the first
    assert dups[0]["line"] == line_of(text, "              - 三会一课")
    assert f"line {line_of(text, '创建工作档案, 三会一课')}" in dups[0]["message"]


def test_unreached_criterion_and_unused_synonym_in_court_copy(tmp_path):
    """A criterion whose only matcher looks for words no seed uses (the matchers' own verdict: a
    rubric without a judge, whose criteria only their matchers can reach)."""
    from lexical_rubric import without_judge

    court = without_judge("court", tmp_path).read_text(encoding="utf-8")
    start = court.index("      - id: judicial.openness")
    block_end = court.index("# 首都文明单位测评体系", start)
    block = court[start:block_end]
    matchers_at = block.index("        matchers:\n")
    new_block = block[:matchers_at] + (
        "        matchers:\n"
        "          - type: keywords\n"
        "            label: 区块链存证\n"
        "            terms:\n"
        "              - {term: 区块链存证, synonyms: [链上存证]}\n\n"
    )
    text = court[:start] + new_block + court[block_end:]
    result = run_check(write(tmp_path, "unreached.yaml", text), "-v")  # info lines come with -v
    assert result.exit_code == 0, result.output
    found = findings(result)
    unreached = [f for f in found if "judicial.openness" in f["message"] and f["severity"] == "warning"]
    assert [f["line"] for f in unreached] == [line_of(text, "- id: judicial.openness")]
    unused = [f for f in found if "'区块链存证'" in f["message"]]
    assert len(unused) == 1 and unused[0]["severity"] == "info"
    assert unused[0]["line"] == line_of(text, "{term: 区块链存证")


def _with_pattern(pattern_yaml: str) -> str:
    """court.yaml with a pattern matcher added to bonus.innovation."""
    court = COURT.read_text(encoding="utf-8")
    anchor = "            - {term: 首创, synonyms: [全省首创, 全国首创, 走在全国前列, 位居全市前列]}\n"
    assert anchor in court
    return court.replace(
        anchor,
        anchor + "        - type: pattern\n          label: 经验被推广\n          pattern: " + pattern_yaml + "\n",
    )


def test_nested_quantifier_in_court_copy_passes_the_check(tmp_path):
    text = _with_pattern(r"'(?:[^。]*推广[^。]*)+经验'")
    result = run_check(write(tmp_path, "nested.yaml", text), "--no-corpus")
    assert result.exit_code == 0, result.output
    assert not [f for f in findings(result) if f["severity"] == "error"]


def test_overlapping_alternation_in_court_copy_passes_the_check(tmp_path):
    text = _with_pattern(r"'(推|推推)+广'")
    result = run_check(write(tmp_path, "slow.yaml", text), "--no-corpus")
    assert result.exit_code == 0, result.output


def test_back_reference_in_court_copy_is_an_error_on_its_line(tmp_path):
    text = _with_pattern(r"'(推广)\1经验'")
    result = run_check(write(tmp_path, "backref.yaml", text), "--no-corpus")
    assert result.exit_code == 2
    errors = [f for f in findings(result) if f["severity"] == "error"]
    assert [f["line"] for f in errors] == [line_of(text, "pattern: '(推广)")]
    assert "back-reference" in errors[0]["message"] and "RE2" in errors[0]["message"]
    assert "Traceback" not in result.output


def test_schema_errors_keep_their_format(tmp_path):
    text = COURT.read_text(encoding="utf-8").replace("        full: 成立文明创建领导小组", "        fulll: 成立文明创建领导小组", 1)
    result = run_check(write(tmp_path, "typo.yaml", text))
    assert result.exit_code == 2
    found = findings(result)
    assert any(f["severity"] == "error" and f["line"] == line_of(text, "fulll:") and "unknown key 'fulll'" in f["message"]
               for f in found)
    assert "Traceback" not in result.output


def test_corpus_folder_must_exist(tmp_path):
    result = run_check(COURT, "--corpus", str(tmp_path / "nope"))
    assert result.exit_code == 2 and "no such folder" in result.stderr


def test_no_info_hides_info_lines_but_counts_them():
    result = run_check(COURT, "--no-info")
    assert result.exit_code == 0
    assert "info" not in {f["severity"] for f in findings(result)}
    assert re.search(r"[1-9]\d* info", result.stdout.splitlines()[-1])


# -- a quiet default (issue 19) ---------------------------------------------------------


def test_default_prints_errors_and_warnings_and_a_summary_info_with_v():
    quiet_default = run_check(COURT, "--corpus", str(ROOT / "seeds"))
    verbose = run_check(COURT, "--corpus", str(ROOT / "seeds"), "-v")
    assert quiet_default.exit_code == verbose.exit_code == 0
    default_found = findings(quiet_default)
    assert {f["severity"] for f in default_found} <= {"error", "warning"}
    lines = quiet_default.stdout.strip().splitlines()
    assert len(lines) == len(default_found) + 1  # the findings, then one summary line
    n_info = int(re.search(r"(\d+) info", lines[-1]).group(1))
    assert n_info > 100 and "-v lists the info" in lines[-1]
    verbose_found = findings(verbose)
    assert sum(f["severity"] == "info" for f in verbose_found) == n_info
    assert [f for f in verbose_found if f["severity"] != "info"] == default_found


def test_q_prints_only_errors_and_the_summary(tmp_path):
    court = COURT.read_text(encoding="utf-8")
    text = court.replace("    name: 党建与组织领导\n    points: 22\n", "    name: 党建与组织领导\n    points: 23\n")
    broken = run_check(write(tmp_path, "points.yaml", text), "-q")
    assert broken.exit_code == 2 and [f["severity"] for f in findings(broken)] == ["error"]
    fine = run_check(COURT, "-q")
    assert fine.exit_code == 0 and findings(fine) == []
    assert len(fine.stdout.strip().splitlines()) == 1 and re.search(r"0 errors, \d+ warnings", fine.stdout)


def test_general_is_not_linted_against_court_material(tmp_path):
    """"Never matches" speaks of the rubric's own kind of unit: court seeds do not count for general."""
    only_courts = run_check(GENERAL, "--corpus", str(ROOT / "seeds"), "-v")
    assert only_courts.exit_code == 0
    assert "never matches" not in only_courts.stdout
    assert "corpus: 0 reports in" in only_courts.stdout and "5 of another kind of unit left out" in only_courts.stdout
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    for p in [*sorted((ROOT / "seeds").glob("*.txt"))[:3], *sorted(GENERAL_REPORTS.glob("*.txt"))]:
        (mixed / p.name).write_bytes(p.read_bytes())
    result = run_check(GENERAL, "--corpus", str(mixed), "-v")
    own = run_check(GENERAL, "--corpus", str(GENERAL_REPORTS), "-v")
    assert "corpus: 2 reports in" in result.stdout and "3 of another kind of unit left out" in result.stdout
    # the same findings as on the general reports alone: the court reports changed nothing
    strip = lambda r: [(f["line"], f["severity"], re.sub(r"\(\d+ in [^)]*\)", "", f["message"])) for f in findings(r)]
    assert strip(result) == strip(own)
    # and the court rubric, on the same folder, reads only the three courts
    court = run_check(COURT, "--corpus", str(mixed))
    assert "corpus: 3 reports in" in court.stdout and "2 of another kind of unit left out" in court.stdout
