"""`names_break` on a `near` matcher: a person's name (the rubric's `person_names`) in the clause
of the chain's next term, and not the first term's own, breaks the chain."""

from __future__ import annotations

from pathlib import Path

import pytest

from scorer.engine import Scorer
from scorer.rubric import load_rubric

from rubric_support import line_of, problems

MINI = Path(__file__).parent / "fixtures" / "rubrics" / "mini.yaml"
NAMES = 'person_names: "[王李张陈]某某?"\n'
NEAR = """  - id: staff_near
    name: 干警被判刑
    matchers:
      - type: near
        label: 干警被判处
        within: 20
        scope: sentence
        names_break: {flag}
        groups:
          - [干警, 法官]
          - [被]
          - [判处]
"""


def rubric(tmp_path: Path, *, names: str = NAMES, flag: str = "true") -> Path:
    text = MINI.read_text(encoding="utf-8").replace("slogans:", names + "slogans:") + NEAR.format(flag=flag)
    p = tmp_path / "r.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def vetoed(path: Path, sentence: str) -> bool:
    return "staff_near" in [v.id for v in Scorer(load_rubric(path)).score_text(sentence).vetoes]


@pytest.mark.parametrize(
    "sentence, flagged",
    [
        ("法官依法审理王某受贿案，王某被判处有期徒刑。", False),  # another person, in the passive's clause
        ("法官审理了张某某盗窃案，张某某被依法判处有期徒刑。", False),
        ("干警王某涉嫌受贿，王某被依法判处有期徒刑。", True),  # the role's own name, again
        ("干警王某、李某因受贿被依法判处有期徒刑。", True),  # a list of the role's names
        ("干警、市人大代表王某因受贿被依法判处有期徒刑。", True),  # the role's name after a concurrent title
        ("干警、市政协副主席王某因受贿被依法判处有期徒刑。", True),
        ("法官王某审理陈某案时收受贿赂，被判处有期徒刑。", True),  # 陈某 is in another clause than 被
        ("干警因受贿被判处有期徒刑。", True),  # no name at all
    ],
)
def test_a_name_not_the_roles_own_breaks_the_chain(tmp_path, sentence, flagged):
    with_names = rubric(tmp_path)
    assert vetoed(with_names, sentence) is flagged


def test_without_the_flag_names_change_nothing(tmp_path):
    assert vetoed(rubric(tmp_path, flag="false"), "法官依法审理王某受贿案，王某被判处有期徒刑。")


def test_the_flag_needs_the_rubrics_person_names(tmp_path):
    p = rubric(tmp_path, names="")
    [msg] = problems(p)
    assert f"r.yaml:{line_of(p.read_text(encoding='utf-8'), 'names_break')}:" in msg and "person_names" in msg


def test_a_person_names_pattern_that_does_not_compile_names_its_line(tmp_path):
    p = rubric(tmp_path, names='person_names: "[王李(某"\n')
    [msg] = problems(p)
    assert f"r.yaml:{line_of(p.read_text(encoding='utf-8'), 'person_names')}:" in msg and "compile" in msg


@pytest.mark.parametrize(
    "text, flagged",
    [
        # the name a role carries stands for it later in the paragraph, as its clause's subject
        ("干警王某涉嫌受贿。2021年5月，王某被依法判处有期徒刑。", True),
        ("干警王某涉嫌受贿，经审查起诉，王某被依法判处有期徒刑。", True),
        # not into another paragraph
        ("干警王某涉嫌受贿。\n\n王某被依法判处有期徒刑。", False),
        # the first name of its clause, after a date or an attribute, is its subject
        ("干警王某涉嫌受贿。现年51岁的王某被依法判处有期徒刑。", True),
        # not where another name comes first in the clause, nor where its nearer mention is a case's party
        ("干警王某荣获先进。刑庭审理李某、王某诈骗案，李某被判处有期徒刑。", False),
        ("法官王某荣获先进。刑庭审理李某、王某等人诈骗案，王某被判处有期徒刑。", False),
        # a name no role carries is no one's
        ("法官审理陈某受贿案。陈某被判处有期徒刑。", False),
    ],
)
def test_a_roles_name_is_carried_through_its_paragraph(tmp_path, text, flagged):
    assert vetoed(rubric(tmp_path), text) is flagged


COOCCUR = """  - id: staff_clause
    name: 干警被判刑
    matchers:
      - type: cooccur
        label: 干警被判处
        scope: clause
        names_break: true
        groups:
          - [干警, 法官]
          - [被判处, 受到处分]
"""


@pytest.mark.parametrize(
    "sentence, flagged",
    [
        ("法官审理的王某被判处有期徒刑。", False),  # 王某 between the role and the penalty
        ("法官王某被判处有期徒刑。", True),  # the role's own name
        ("受到处分的干警王某已调离。", True),  # the penalty before the role: no name between
        ("干警被判处有期徒刑。", True),
    ],
)
def test_the_clause_rule_keeps_a_role_from_what_befell_a_name_after_it(tmp_path, sentence, flagged):
    text = MINI.read_text(encoding="utf-8").replace("slogans:", NAMES + "slogans:") + COOCCUR
    p = tmp_path / "c.yaml"
    p.write_text(text, encoding="utf-8")
    got = "staff_clause" in [v.id for v in Scorer(load_rubric(p)).score_text(sentence).vetoes]
    assert got is flagged


def test_a_name_after_de_is_the_roles_own(tmp_path):
    """时任…干警的王某: the name after 的 is the role's where a word says the role was held (时任, 身为);
    not after a deed done to the role (殴打干警的王某), nor across a longer gap (干警的协助下，王某…)."""
    with_names = rubric(tmp_path)
    assert vetoed(with_names, "时任执行局干警的王某因受贿被依法判处有期徒刑。")
    assert not vetoed(with_names, "在干警的协助下，王某被依法判处有期徒刑。")
    assert not vetoed(with_names, "多次殴打干警的王某被依法判处有期徒刑。")  # no word says the role was held


def test_a_case_party_in_the_clause_of_what_befell_is_who_it_befell(tmp_path):
    """`party_names`: a person named by their part in a case breaks the chain as a stranger's name does,
    as the subject of what befell (right before it), not as the deed's object nor before the role's own name."""
    with_parties = rubric(tmp_path, names=NAMES + "party_names: [罪犯, 当事人]\n")
    assert not vetoed(with_parties, "在干警的努力下，潜逃多年的罪犯被依法判处有期徒刑。")
    assert vetoed(with_parties, "干警王某收受当事人财物，被依法判处有期徒刑。")  # the party in another clause
    assert vetoed(with_parties, "干警王某因收受当事人财物被依法判处有期徒刑。")  # the deed's object, not the subject
    assert vetoed(with_parties, "干警王某受贿一案宣判，罪犯王某被依法判处有期徒刑。")  # the role's own name follows
    assert vetoed(rubric(tmp_path), "在干警的努力下，潜逃多年的罪犯被依法判处有期徒刑。")  # without the words
