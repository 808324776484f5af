"""Each matcher type on its own, through the mini rubric (tests/fixtures/rubrics/mini.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scorer.engine import Scorer
from scorer.ingest import Document
from scorer.match.quantity import chinese_number, compile_units, find_quantities, yearly_factor
from scorer.rubric import load_rubric

MINI = Path(__file__).parent / "fixtures" / "rubrics" / "mini.yaml"


@pytest.fixture(scope="module")
def mini() -> Scorer:
    return Scorer(load_rubric(MINI))


def score(scorer: Scorer, text: str):
    return scorer.score_document(Document(path="t.txt", sha256="0" * 64, size=len(text), format="txt", text=text))


def crit(result, cid):
    return next(c for d in result.dimensions for c in d.criteria if c.id == cid)


# -- keywords -----------------------------------------------------------------


def test_keyword_evidence_quotes_the_sentence_with_offsets(mini):
    text = "近年来，我院全面加强党建工作，推动支部建设不断深入。"
    r = score(mini, text)
    c = crit(r, "party.building")
    assert c.score > 0 and c.evidence
    for ev in c.evidence:
        assert r.text[ev.start : ev.end] == ev.text
        for span in ev.terms:
            assert r.text[span.start : span.end] == span.text
    assert {s.term for s in c.evidence[0].terms} == {"党建", "支部"}


def test_synonym_credits_the_canonical_term(mini):
    r = score(mini, "院党组始终把党的建设摆在突出位置，层层压实责任。")
    spans = crit(r, "party.building").evidence[0].terms
    assert [(s.text, s.term) for s in spans] == [("党的建设", "党建")]


def test_keyword_respects_word_boundaries(mini):
    # 党建 straddles 政党|建设 here: not a match.
    r = score(mini, "课题组围绕政党建设理论开展了为期一年的深入研究。")
    assert crit(r, "party.building").evidence == []


def test_keyword_matches_as_prefix_of_a_compound(mini):
    r = score(mini, "院机关定期召开党建工作会议，研究部署各项重点任务。")
    assert crit(r, "party.building").evidence


def test_repeating_a_keyword_in_one_sentence_counts_once(mini):
    once = score(mini, "全院上下持续加强党建引领，凝聚干事创业的强大合力。")
    many = score(mini, "全院上下持续加强党建党建党建党建党建引领，凝聚干事创业的强大合力。")
    assert crit(many, "party.building").score <= crit(once, "party.building").score


def test_distinct_sentences_raise_the_level(mini):
    one = score(mini, "全院上下持续加强党建引领，凝聚干事创业的强大合力。")
    two = score(mini, "全院上下持续加强党建引领，凝聚干事创业的强大合力。各庭室按月开展党建主题活动，党员参与率达到百分之百。")
    assert crit(one, "party.building").level == "B"
    assert crit(two, "party.building").level == "A"


def test_negated_positive_term_is_not_evidence(mini):
    r = score(mini, "过去一段时间该院没有开展党建工作，组织生活流于形式。")
    assert crit(r, "party.building").evidence == []


def test_keyword_list_without_prose_earns_nothing(mini):
    r = score(mini, "党建。支部。党建、支部、党的建设。")
    assert crit(r, "party.building").score == 0


# -- co-occurrence -------------------------------------------------------------


def test_cooccur_needs_every_group_in_one_sentence(mini):
    full = score(mini, "院志愿服务队每月走进杨树巷社区，上门慰问辖区内的孤寡老人并帮助打扫卫生。")
    assert crit(full, "vol.team").score == 3
    ev = crit(full, "vol.team").evidence[0]
    assert {s.term for s in ev.terms} >= {"志愿服务队", "慰问", "孤寡老人"}
    partial = score(mini, "院志愿服务队每月组织一次集中培训。干警到社区慰问困难群众。")
    assert crit(partial, "vol.team").evidence == []


# -- quantities ----------------------------------------------------------------


@pytest.mark.parametrize(
    "numeral,value", [("三", 3), ("十", 10), ("十二", 12), ("二十", 20), ("一百零五", 105), ("两", 2), ("三千", 3000)]
)
def test_chinese_numerals(numeral, value):
    assert chinese_number(numeral) == value


@pytest.mark.parametrize(
    "text,expected",
    [
        ("集中学习62次", [(62, "次")]),
        ("集中学习 62 次", [(62, "次")]),
        ("开展讲座十余场", [(10, "场")]),
        ("捐款1.2万余元", [(12000, "元")]),
        ("投入扶贫资金6.7万元", [(67000, "元")]),
        ("结案率达98.5%", [(98.5, "%")]),
        ("参训干警1104人（次）", [(1104, "人次")]),
        ("举办第三届运动会", []),
        ("深入开展两学一做学习教育", []),
        ("三严三实专题教育", []),
    ],
)
def test_find_quantities(text, expected):
    units = compile_units(["次", "场", "元", "万元", "%", "人次", "届"])
    found = [(q.value, q.unit) for q in find_quantities(units, text, 0, len(text))]
    assert found == [(float(v), u) for v, u in expected]


def test_yearly_factor():
    assert yearly_factor("每季度组织学习", 0, 7) == 4
    assert yearly_factor("每月开展一次", 0, 6) == 12
    assert yearly_factor("全年共开展", 0, 5) == 1
    assert yearly_factor("共开展", 0, 3) is None


def test_quantity_threshold_per_year(mini):
    below = score(mini, "院党组坚持理论学习制度，全年组织集中学习3次，效果良好。")
    assert crit(below, "vol.study").score == 0
    above = score(mini, "院党组坚持理论学习制度，每季度组织集中学习2次，效果良好。")
    c = crit(above, "vol.study")
    [m] = c.evidence[0].matches
    assert c.score == 3 and m.type == "quantity" and m.value == 8
    assert "折合每年8" in m.describe()  # the prose, where it is displayed


def test_numbered_slogans_are_not_quantities(mini):
    r = score(mini, "全院深入开展两学一做学习教育，增强四个意识，做到两个维护，组织学习。")
    assert crit(r, "vol.study").score == 0


# -- pattern and bonus ---------------------------------------------------------


def test_pattern_matcher_earns_bonus(mini):
    r = score(mini, "该院倾力打造红色领航党建品牌，形成一支部一特色的工作格局。")
    assert r.bonus.score == 2
    assert r.bonus.items[0].evidence[0].text.startswith("该院倾力打造")


# -- negation and vetoes -------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2013年以来，没有一名干警受到上级法院和纪检监察部门处分，队伍风清气正。",
        "近三年来全院未发生干警受到处分的情况。",
        "院党组严格执行人民法院工作人员处分条例等规定，严明纪律。",
        "坚决杜绝干警受贿等违法违纪行为发生，筑牢廉洁防线。",
    ],
)
def test_negated_or_normative_statements_raise_no_veto(mini, text):
    r = score(mini, text)
    assert r.vetoes == [] and not r.vetoed


def test_plain_violation_raises_a_veto(mini):
    r = score(mini, "2015年，一名干警因受贿被判处有期徒刑，教训深刻。")
    assert r.vetoed
    assert r.grade == load_rubric(MINI).rubric.veto_grade
    v = r.vetoes[0]
    assert v.id == "staff_crime" and r.text[v.start : v.end] == v.text


def test_breaker_ends_negation_scope(mini):
    # 未 negates the first part only; after 但 the violation stands.
    r = score(mini, "该院未及时上报，但一名干警因受贿被判处有期徒刑。")
    assert r.vetoed


# -- negation cues are words of their own ------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "term"),
    [
        # Sentences of the seeds and the eval corpus: a cue's character beginning a longer word.
        ("该院坚持把学习教育放在首位,深入开展向邹碧华同志学习活动,将政治理论学习与法律业务学习相结合,不断提升队伍整体素质。", "学习"),
        ("扶贫助学70余人次,接待未成年人社会体验服务17000余人次,无偿献血累计超过80000毫升。", "献血"),
        ("我院不断深化志愿服务,开展普法宣传。", "志愿服务"),
        ("我院干警不同程度参与志愿服务。", "志愿服务"),
    ],
)
def test_a_cue_inside_a_longer_word_negates_nothing(sentence, term):
    from scorer.engine import load_scorer
    from scorer.segment import segment

    hits, _ = load_scorer("court", choose=False).compiled.lexicon.scan(segment(sentence))
    found = [h for hs in hits for h in hs if h.surface == term]
    assert found and not any(h.negated for h in found)


@pytest.mark.parametrize(
    ("sentence", "term"),
    [("全年没有一名干警受到处分。", "受到处分"), ("全年未发生安全事故。", "安全事故"), ("我院不开展志愿服务。", "志愿服务")],
)
def test_a_standalone_cue_still_negates(sentence, term):
    from scorer.engine import load_scorer
    from scorer.segment import segment

    hits, _ = load_scorer("court", choose=False).compiled.lexicon.scan(segment(sentence))
    found = [h for hs in hits for h in hs if h.surface == term]
    assert found and all(h.negated for h in found)
