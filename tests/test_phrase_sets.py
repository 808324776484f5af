"""Phrase sets: a list of phrases many matchers share (`phrase_sets`), named once and referenced
from a matcher's `unless_sentence_sets`, with every mistake reported on its own line."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest

from scorer.engine import Scorer
from scorer.rubric import load_rubric
from scorer.rubric.walk import owners

from rubric_support import line_of, problems

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "rubrics" / "mini.yaml"
MINI_TEXT = MINI.read_text(encoding="utf-8")

SETS = "phrase_sets:\n  warning_education: [警示教育, 以案促改, 片中]\n  conditionals: [一经查实, 一律]\n"
VETO = "        unless: [处分条例]\n"
WARNING = "组织全体干警观看警示教育片，片中一名干警因受贿被判处有期徒刑。"
OWN = "2015年，一名干警因受贿被判处有期徒刑，教训深刻。"


def rubric_with(tmp_path: Path, *, sets: str = SETS, veto: str = "", name: str = "r.yaml") -> tuple[Path, str]:
    text = MINI_TEXT.replace("slogans:", sets + "slogans:").replace(VETO, VETO + veto)
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p, text


def vetoes(path: Path, text: str) -> list[str]:
    return [v.id for v in Scorer(load_rubric(path)).score_text(text).vetoes]


def test_a_named_set_silences_a_sentence_as_its_phrases_written_inline_do(tmp_path):
    plain, _ = rubric_with(tmp_path, name="plain.yaml")
    by_set, _ = rubric_with(tmp_path, veto="        unless_sentence_sets: [warning_education]\n", name="set.yaml")
    inline, _ = rubric_with(tmp_path, veto="        unless_sentence: [警示教育, 以案促改, 片中]\n", name="inline.yaml")
    assert vetoes(plain, WARNING) == ["staff_crime"]  # without the set, another unit's case vetoes
    assert vetoes(by_set, WARNING) == [] == vetoes(inline, WARNING)
    assert vetoes(by_set, OWN) == ["staff_crime"] == vetoes(inline, OWN)  # the unit's own case still does
    # the compiled rule holds the set's phrases with its own
    [rule] = Scorer(load_rubric(by_set)).compiled.rules["staff_crime"]
    assert rule.unless_sentence == frozenset({"警示教育", "以案促改", "片中"})


def test_own_phrases_and_several_sets_add_up(tmp_path):
    p, _ = rubric_with(
        tmp_path, veto="        unless_sentence_sets: [warning_education, conditionals]\n        unless_sentence: [专题片]\n"
    )
    [rule] = Scorer(load_rubric(p)).compiled.rules["staff_crime"]
    assert rule.unless_sentence == frozenset({"专题片", "警示教育", "以案促改", "片中", "一经查实", "一律"})
    assert vetoes(p, "干警如有受贿行为，一经查实，一律判处开除。") == []


def test_an_unknown_set_is_reported_on_the_line_that_names_it(tmp_path):
    p, text = rubric_with(tmp_path, veto="        unless_sentence_sets: [warning_educaton]\n")
    [msg] = problems(p)
    assert f"r.yaml:{line_of(text, 'unless_sentence_sets: [warning_educaton]')}:" in msg
    assert "vetoes.0.matchers.0.unless_sentence_sets.0" in msg
    assert "warning_educaton" in msg and "warning_education, conditionals" in msg


def test_a_set_named_without_any_sets_says_there_are_none(tmp_path):
    p, text = rubric_with(tmp_path, sets="", veto="        unless_sentence_sets: [warning_education]\n")
    [msg] = problems(p)
    assert f":{line_of(text, 'unless_sentence_sets')}:" in msg and "none" in msg


@pytest.mark.parametrize(
    "sets, needle, words",
    [
        ("phrase_sets:\n  Warning: [警示教育]\n", "Warning:", ["'Warning'", "lower-case"]),
        ("phrase_sets:\n  warning: []\n", "warning: []", ["'warning'", "empty"]),
        ("phrase_sets:\n  warning: [警示教育, 片中, 警示教育]\n", "warning: [", ["'警示教育' twice"]),
        ("phrase_sets:\n  warning: [警示教育, ' 片中']\n", "warning: [", ["leading or trailing spaces"]),
        ("phrase_sets:\n  warning: 警示教育\n", "warning: 警示教育", ["phrase_sets.warning", "list"]),
    ],
)
def test_a_bad_set_is_reported_on_its_own_line(tmp_path, sets, needle, words):
    p, text = rubric_with(tmp_path, sets=sets)
    [msg] = problems(p)
    assert f"r.yaml:{line_of(text, needle)}:" in msg, msg
    assert all(w in msg for w in words), msg


def test_a_bad_name_in_a_matcher_is_reported_on_its_line(tmp_path):
    p, text = rubric_with(tmp_path, veto="        unless_sentence_sets: [Warning-Education]\n")
    [msg] = problems(p)
    assert f":{line_of(text, 'unless_sentence_sets')}:" in msg and "'Warning-Education'" in msg


def test_a_rubric_uses_its_bases_sets_and_may_replace_one(tmp_path):
    _, base = rubric_with(tmp_path, name="base.yaml")
    (tmp_path / "child.yaml").write_text(
        "extends: base.yaml\nid: child\n"
        "vetoes:\n  - id: staff_crime\n    name: 干警违法犯罪\n    matchers:\n"
        "      - type: cooccur\n        label: 干警受到刑事处罚\n        scope: clause\n"
        "        unless_sentence_sets: [warning_education]\n"
        "        groups:\n          - [干警, 工作人员]\n          - [判处, 有期徒刑, 受贿]\n",
        encoding="utf-8",
    )
    child = tmp_path / "child.yaml"
    assert vetoes(child, WARNING) == []
    # replacing the set by name in the child replaces it whole: 片中 no longer silences
    text = child.read_text(encoding="utf-8").replace("vetoes:", "phrase_sets:\n  warning_education: [警示教育]\nvetoes:")
    child.write_text(text, encoding="utf-8")
    assert vetoes(child, "片中一名干警因受贿被判处有期徒刑。") == ["staff_crime"]
    assert vetoes(child, WARNING) == []


@pytest.mark.parametrize("name", ["court", "general"])
def test_the_shipped_rubrics_keep_no_copy_of_a_shared_phrase_list(name):
    """The warning-education phrases once stood copied in 13 veto rules; now each list that
    several matchers share is a named set. No two matchers may again share five phrases of
    their own, and every veto matcher is silenced by the warning-education set."""
    loaded = load_rubric(ROOT / "rubric" / f"{name}.yaml")
    r = loaded.rubric
    own = [(o.id, mi, set(m.unless_sentence)) for o in owners(r) for mi, _loc, m in o.matcher_locs()]
    for (a, ai, pa), (b, bi, pb) in combinations(own, 2):
        shared = pa & pb
        assert len(shared) < 5, f"{a}#{ai + 1} and {b}#{bi + 1} both list {sorted(shared)}: make it a phrase set"
    assert len(r.phrase_sets["warning_education"]) >= 20
    for o in owners(r, ("veto",)):
        for mi, _loc, m in o.matcher_locs():
            # the accident rule's first two (重大…事故, 集体食物中毒) name no person and need no silencing
            if o.id != "veto.safety_accident" or mi == 2:
                assert "warning_education" in m.unless_sentence_sets, f"{o.id}#{mi + 1}"


def test_rubric_show_names_the_sets_a_matcher_uses():
    from typer.testing import CliRunner

    from scorer.cli import app

    from scorer.tuning.show import rubric_rows

    out = CliRunner().invoke(app, ["rubric", "show", "court"]).stdout
    # each set once, with the number of matchers that name it
    [line] = [ln for ln in out.splitlines() if "• warning_education:" in ln]
    users = sum(name == "warning_education" for o in owners(load_rubric(ROOT / "rubric" / "court.yaml").rubric)
                for m in (*o.matchers, *getattr(o.item, "candidates", ())) for name in m.unless_sentence_sets)
    assert f"used by {users} matchers" in line and users >= 7 and "警示教育" in line
    # and each matcher says which sets silence it
    vetoes = [row for row in rubric_rows(load_rubric(ROOT / "rubric" / "court.yaml").rubric) if row[0] == "veto"]
    assert "silenced by warning_education" in vetoes[0][5]


# -- a set in a term list or a phrase list ---------------------------------------------------

PEOPLE = "phrase_sets:\n  people: [干警, 工作人员]\n  papers: [处分条例]\n"


def test_a_set_in_a_term_list_stands_for_its_phrases(tmp_path):
    p, _ = rubric_with(tmp_path, sets=PEOPLE)
    text = p.read_text(encoding="utf-8").replace("          - [干警, 工作人员]\n", "          - [{set: people}, 法警]\n")
    text = text.replace("        unless: [处分条例]\n", "        unless: [{set: papers}]\n")
    p.write_text(text, encoding="utf-8")
    veto = load_rubric(p).rubric.vetoes[0].matchers[0]
    # the set's first phrase in its place, the rest after the written items
    assert [t.term for t in veto.groups[0]] == ["干警", "法警", "工作人员"]
    assert veto.unless == ["处分条例"]
    assert vetoes(p, "一名法警因受贿被判处有期徒刑。") == ["staff_crime"]  # the list's own term
    assert vetoes(p, "一名工作人员因受贿被判处有期徒刑。") == ["staff_crime"]  # the set's
    assert vetoes(p, "院党组严格执行工作人员处分条例。") == []  # the set in `unless`


def test_an_unknown_set_in_a_term_list_is_reported_on_its_line(tmp_path):
    p, _ = rubric_with(tmp_path, sets=PEOPLE)
    text = p.read_text(encoding="utf-8").replace("          - [干警, 工作人员]\n", "          - [法警, {set: peple}]\n")
    p.write_text(text, encoding="utf-8")
    [msg] = problems(p)
    assert f"r.yaml:{line_of(text, '{set: peple}')}:" in msg
    assert "vetoes.0.matchers.0.groups.0.1.set" in msg and "'peple'" in msg and "people, papers" in msg


@pytest.mark.parametrize("name", ["_base", "court", "general"])
def test_no_rubric_file_repeats_a_list(name):
    """A list of five or more phrases written twice in one file is a copy the next edit will
    miss: it belongs in `phrase_sets`, named where it is used."""
    import yaml
    from collections import Counter

    data = yaml.safe_load((ROOT / "rubric" / f"{name}.yaml").read_text(encoding="utf-8"))
    seen: Counter = Counter()
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, list):
            if len(x) >= 5 and all(isinstance(i, str) for i in x):
                seen[tuple(x)] += 1
            stack.extend(x)
    repeated = [list(k[:4]) for k, n in seen.items() if n > 1]
    assert not repeated, f"{name}.yaml repeats these lists: {repeated}"


def test_a_written_item_after_a_set_keeps_its_own_line(tmp_path):
    """The set's phrases do not shift the items written after it: a bad term is reported on its
    own line, not on the line of whatever item now sits at its index."""
    p, _ = rubric_with(tmp_path, sets="phrase_sets:\n  people: [干警, 工作人员, 法官助理]\n")
    text = p.read_text(encoding="utf-8").replace(
        "          - [干警, 工作人员]\n",
        "          -\n            - {set: people}\n            - 书记员\n            - ' 法官'\n            - 审判员\n")
    p.write_text(text, encoding="utf-8")
    [msg] = problems(p)
    assert f"r.yaml:{line_of(text, chr(39) + ' 法官')}:" in msg and "groups.0.2.term" in msg, msg


def test_a_sets_users_are_the_matchers_that_name_it():
    """Usage is read from what the rubric writes, not guessed from the phrases: litigants is
    used by the matchers that name it, not by every list that happens to hold its phrases."""
    from scorer.rubric.walk import phrase_set_users

    loaded = load_rubric(ROOT / "rubric" / "court.yaml")
    users = phrase_set_users(loaded)
    naming = sorted([f"{o.id}#{mi + 1}" for o in owners(loaded.rubric) for mi, m in enumerate(o.matchers)
                     if "litigants" in m.unless_sentence_sets]
                    # a veto's candidates (what only the judgement decides over) are named owner#cN
                    + [f"{o.id}#c{ci + 1}" for o in owners(loaded.rubric) if o.kind == "veto"
                       for ci, m in enumerate(o.item.candidates) if "litigants" in m.unless_sentence_sets])
    assert sorted(users["litigants"]) == naming and len(naming) >= 2
    # case_parties holds every litigant phrase, and the rules naming it are not litigants' users
    case_parties = set(users["case_parties"])
    assert case_parties and not case_parties & (set(users["litigants"]) - set(naming))
    assert all(users[name] for name in loaded.rubric.phrase_sets)  # the shipped sets are all used


def test_a_set_no_matcher_names_is_unused_even_inside_another(tmp_path):
    from scorer.tuning import lint

    p, text = rubric_with(tmp_path, sets="phrase_sets:\n  people: [干警, 工作人员]\n  some: [干警]\n")
    text = text.replace("          - [干警, 工作人员]\n", "          - [{set: people}]\n")
    p.write_text(text, encoding="utf-8")
    found = list(lint.unused_phrase_set(lint.LintContext(load_rubric(p), "r.yaml")))
    assert [("'some'" in f.message, f.line) for f in found] == [(True, line_of(text, "some: ["))]



def test_own_case_spares_a_sentence_about_the_units_own_staff(tmp_path):
    sets = SETS + "  own: [我院]\n  people: [干警]\n"
    p, text = rubric_with(tmp_path, sets=sets, veto="        unless_sentence_sets: [warning_education]\n"
                                                  "        own_case: [own, people]\n")
    assert vetoes(p, "召开警示教育大会，通报我院干警王某因受贿被判处有期徒刑。") == ["staff_crime"]
    assert vetoes(p, WARNING) == []  # another unit's case told as warning education stays silent
    bad = text.replace("own_case: [own, people]", "own_case: [own, people, own]")
    p.write_text(bad, encoding="utf-8")
    [msg] = problems(p)
    assert f":{line_of(bad, 'own_case')}:" in msg and "two phrase sets" in msg
    p.write_text(text.replace("own_case: [own, people]", "own_case: [own, peple]"), encoding="utf-8")
    [msg] = problems(p)
    assert "own_case.1" in msg and "'peple'" in msg


CANDIDATE = ("    candidates:\n"
             "      - type: cooccur\n"
             "        label: 本单位工作人员涉案（待判定）\n"
             "        groups:\n"
             "          - [我院, 本院]\n"
             "          - [{set: peple}]\n")


def test_a_vetos_candidates_are_checked_and_located_as_its_matchers_are(tmp_path):
    p, _ = rubric_with(tmp_path, sets=PEOPLE)
    text = p.read_text(encoding="utf-8").replace("          - [判处, 有期徒刑, 处分, 受贿]\n",
                                                  "          - [判处, 有期徒刑, 处分, 受贿]\n" + CANDIDATE)
    p.write_text(text, encoding="utf-8")
    [msg] = problems(p)
    assert f"r.yaml:{line_of(text, '{set: peple}')}:" in msg
    assert "vetoes.0.candidates.0.groups.1.0.set" in msg and "'peple'" in msg
    # Named right, the set is used by the candidate (`owner#cN`), and the candidate is compiled
    # apart from the rules: it proposes to the judgement and never raises a veto itself.
    p.write_text(text.replace("{set: peple}", "{set: people}"), encoding="utf-8")
    loaded = load_rubric(p)
    assert "staff_crime#c1" in loaded.set_uses["people"]
    scorer = Scorer(loaded)
    c = scorer.compiled
    assert [r.id for r in c.relaxed["staff_crime"]][-1] == "staff_crime#c1"
    assert all("#c" not in r.id for rs in c.rules.values() for r in rs)
    sentence = "我院一名工作人员涉嫌挪用公款。"
    _rule, cands = c.veto_candidates(c.analyze(sentence))
    assert list(cands) == [0] and cands[0][1].id == "staff_crime#c1"
    assert vetoes(p, sentence) == []  # no judge file: the candidate is no veto
