"""The learned veto judgement (issue 17: "vetoes use the same judgement, with the rubric's rules
as a floor"): it decides over what a veto rule raises without its distance and clause limits
(`Rule.relaxed_spec`), never against the rubric's `judge.veto_unless`, and ships inside the
judge file."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scorer.engine import RubricChooser, Scorer
from scorer.judge.model import JudgeModel

ROOT = Path(__file__).resolve().parents[1]
CIVSCORE = [sys.executable, "-m", "scorer"]


@pytest.fixture(scope="module")
def court():
    return Scorer.load("court")


@pytest.fixture(scope="module")
def general():
    return Scorer.load("general")


def candidates(scorer, text: str) -> tuple[list[float], dict[int, str]]:
    """Per sentence: does a veto rule raise it; and sentence → the veto id a relaxed rule proposes."""
    c = scorer.compiled
    rule, cands = c.veto_candidates(c.analyze(text))
    return rule.tolist(), {si: v[0].id for si, v in cands.items()}


def judged(result) -> list:
    return [v for v in result.vetoes if v.match is not None and v.match.type == "judge"]


def test_relaxed_rules_lift_distance_and_clause_and_keep_every_exclusion(court):
    # The penalty far from the role, in another clause: the rule does not raise it, its relaxed
    # form proposes it to the judge.
    far = "我院原副院长张某在担任执行局长期间利用职务便利多次收受他人财物共计五十余万元，今年5月被市中级人民法院以受贿罪判处有期徒刑八年。"
    rule, cands = candidates(court, far)
    assert rule == [0.0] and 0 in cands
    # The court's own trial: the rule's name condition still holds, so nothing is proposed.
    assert candidates(court, "我院法官依法审理王某受贿案，王某被判处有期徒刑十年。")[1] == {}
    assert candidates(court, "法官审理的王某被判处有期徒刑三年，其同伙亦被判处缓刑。")[1] == {}
    # A negated penalty is no hit (the lexicon's negation).
    assert candidates(court, "我院副院长张某从未受到任何处分。")[1] == {}
    # A rule stated, not an event: the rubric's judge.veto_unless (conditionals) keeps it from the judge.
    assert candidates(court, "干警如有违纪违法行为，一律受到开除党籍处分。")[1] == {}


def test_a_shipped_veto_judgement_is_no_worse_than_the_rules_or_is_left_out_with_why(court, general):
    from scorer.judge.train import veto_left_out

    for s in (court, general):
        head = s.compiled.judge_model.veto
        figures = s.compiled.rubric_info.judge.figures
        meta = s.compiled.judge_model.meta
        # Cross-validated with each veto set held out in turn, beside the rules' own figures.
        assert {"cv_veto_recall", "cv_veto_rules_recall", "cv_veto_false", "veto_positives"} <= set(figures)
        assert "vetoes" in meta["training_data"]
        why = veto_left_out(figures)
        if head is None:
            assert why and meta["veto_left_out"] == why
        else:
            assert not why and "veto_left_out" not in meta and 0 < head.threshold < 1
            assert figures["cv_veto_recall"] >= figures["cv_veto_rules_recall"]
            assert figures["cv_veto_false"] <= figures["cv_veto_rules_false"]
    # The court's judgement raises more than its rules at no more false vetoes. For other units it
    # raised one false veto more than the rules while vetoes5 was the newest set (stop 30: left
    # out); with vetoes6 it raises as many as the rules (10 and 10) for 1.3 points of recall, and ships.
    assert court.compiled.judge_model.veto is not None


def test_the_veto_gate_reads_the_cross_validated_figures():
    from scorer.judge.train import veto_left_out

    ok = {"cv_veto_false": 1, "cv_veto_rules_false": 1, "cv_veto_report_sentences_raised": 0}
    assert veto_left_out(ok) == ""
    assert "9 false vetoes where the rules alone raise 8" in veto_left_out({**ok, "cv_veto_false": 9,
                                                                           "cv_veto_rules_false": 8})
    assert "2 annotated report sentences" in veto_left_out({**ok, "cv_veto_report_sentences_raised": 2})
    assert veto_left_out({}) != ""


def test_the_judge_raises_what_the_rules_miss_and_shows_why(court):
    text = ("某某人民法院创建文明单位工作总结\n"
            "我院原副院长张某在担任执行局长期间利用职务便利多次收受他人财物共计五十余万元，今年5月被市中级人民法院以受贿罪判处有期徒刑八年。\n")
    res = court.score_text(text)
    assert res.vetoed
    hits = judged(res)
    assert hits, [v.match for v in res.vetoes]
    v = hits[0]
    # The quote is the sentence the judge read, at its offsets; the match names the terms and P.
    assert res.text[v.start:v.end] == v.text and "副院长" in v.text and "判处" in v.text
    assert v.match.rule == f"{v.id}#judge" and v.match.value >= court.compiled.veto_head.threshold
    assert all(res.text[t.start:t.end] == t.text for t in v.match.terms)
    assert v.basis().startswith("句子判定")


@pytest.mark.parametrize("sentence", [
    # the court sitting in judgement over someone else's crime (judge.veto_unless)
    "昨天，原某市委常委徐松林受贿一案在我院受审。我院院长郑某某亲自担任审判长，当庭宣判，徐松林因受贿罪被判处有期徒刑10年。",
    # the court's own trials: a stranger's name stands between the role and the penalty
    # (a relaxed rule keeps its names_break)
    "我院法官依法审理王某受贿案，王某被判处有期徒刑十年。",
    "刑庭法官依法审结的受贿案中被告人王某被依法判处有期徒刑三年。",
    "我院刑庭法官审理的被告人李某受贿一案，李某被判处有期徒刑五年。",
    "院长主持审理王某滥用职权案，王某被判处有期徒刑五年。",
    # an allegation found untrue (judge.veto_unless)
    "去年8月，市纪委监委收到实名举报，反映本院法官胡某娟在审理案件过程中枉法裁判，经核查，举报人反映的有关问题均不属实。",
    # negated statements
    "我院没有一名干警受到处分，全年未发生违法违纪案件。",
    "2023年，我院干警无一人因违纪违法受到党纪政务处分，无一人被追究刑事责任。",
    # warning education about another unit's case
    "组织全院干警观看警示教育片，片中某法院原副院长因受贿被判处有期徒刑十年。",
])
def test_no_veto_on_own_trials_refuted_allegations_negations_or_warning_education(court, sentence):
    res = court.score_text("某某人民法院创建文明单位工作总结\n" + sentence + "\n")
    assert not res.vetoed, [(v.id, v.text, v.match.rule if v.match else None) for v in res.vetoes]


def test_veto_unless_keeps_a_window_from_the_judge_but_not_from_the_rules(court):
    c = court.compiled
    assert "担任审判长" in c.veto_unless and "不属实" in c.veto_unless
    text = "昨天，徐松林受贿一案在我院受审。我院院长郑某某担任审判长，徐松林因受贿罪被判处有期徒刑10年。"
    _rule, cands = c.veto_candidates(c.analyze(text))
    assert cands == {}


def test_no_text_of_the_evaluation_corpus_that_its_readers_found_no_veto_in_is_vetoed():
    # 312 real texts (courts, other units, hard negatives); both readers gave veto 0 to all but none.
    chooser = RubricChooser()
    readings: dict[str, list[int]] = {}
    for p in sorted((ROOT / "eval" / "readings").glob("reader_*.csv")):
        with p.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                readings.setdefault(row["file"], []).append(int(float(row["veto"])))
    clean = sorted(f for f, v in readings.items() if not any(v))
    assert len(clean) >= 300
    vetoed = []
    for f in clean:
        res = chooser.score_path(ROOT / "eval" / "corpus" / f)
        if res.vetoed:
            vetoed.append((f, [(v.id, v.text[:40]) for v in res.vetoes]))
    assert vetoed == []


def test_the_veto_judgement_round_trips_in_the_judge_file(court):
    model = court.compiled.judge_model
    again = JudgeModel.from_bytes(model.to_bytes())
    assert again.veto is not None
    assert again.veto.grams == model.veto.grams and again.veto.features == model.veto.features
    texts = ["本院原副院长张某因受贿被判处有期徒刑。", "我院组织干警开展志愿服务。"]
    feats = np.zeros((2, len(model.veto.features)))
    assert np.allclose(again.veto.probabilities(texts, feats), model.veto.probabilities(texts, feats))


def test_fitting_the_veto_judgement_is_deterministic(general):
    from scorer.judge import train as T
    from scorer.judge.veto import read_veto_set

    rows = []
    for folder in ("vetoes", "vetoes2"):
        for _i, sentence, veto, _fam, _note in read_veto_set(ROOT / "eval" / folder):
            rows.append(T.VetoRow(sentence, float(veto != "-"), 0.0, 1.0, f"set:{folder}"))
    sets = dict(general.rubric.phrase_sets)
    a = T.fit_veto(rows, sets, T.Params())
    b = T.fit_veto(rows, sets, T.Params())
    assert a.grams == b.grams and np.array_equal(a.weights, b.weights) and a.bias == b.bias


def test_a_folder_that_is_no_veto_set_is_one_line_naming_it(tmp_path):
    bad = tmp_path / "notaset"
    bad.mkdir()
    out = tmp_path / "x.judge"
    r = subprocess.run([*CIVSCORE, "train", "--rubric", "general", "--vetoes", str(bad), "--out", str(out)],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2, r.stderr
    assert "notaset" in r.stderr and "veto set" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr and not out.exists()


def test_a_veto_set_lacking_a_column_is_one_line_naming_the_file_before_any_training(tmp_path):
    bad = tmp_path / "vset"
    bad.mkdir()
    (bad / "sentences.tsv").write_text("id\tsentence\nx1\t我院法官张某被判处有期徒刑。\n", encoding="utf-8")
    (bad / "labels_A.tsv").write_text("id\tlabel\nx1\t-\n", encoding="utf-8")
    out = tmp_path / "x.judge"
    r = subprocess.run([*CIVSCORE, "train", "--rubric", "general", "--vetoes", str(bad), "--out", str(out)],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 2, r.stderr
    assert "labels_A.tsv" in r.stderr and "veto, family" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr and not out.exists()


# Real sentences from the spent veto sets (the unit's name adapted as noted there; the judgements
# were trained on them, so this checks the path, not how far it generalises), in the families the
# rules missed: a verdict told from the court's side with the role first (滁州市中级法院…判处其), a
# second-instance verdict reported by a defence lawyer; an accident told by what it cost, a role the
# rules lack, a defendant said to be the unit's own, the unit's possessive as the press writes it.
COURT_MISSED_BY_RULES = [
    ("某某人民法院", "2007年1月29日，刚刚过罢60周岁生日的我院原院长刘某某接到了滁州市中级法院的判决结果，法院以受贿罪，"
                   "判处其有期徒刑13年。", "veto.leader_violation"),
    ("某某人民法院", "4月20日,澎湃新闻从本院原法官王某某辩护律师处获悉,当天下午,通化法院对王某某案作出二审宣判:维持一审判决,"
                   "认定王某某犯民事枉法裁判罪,判处有期徒刑三年。", "veto.staff_crime"),
]
MISSED_BY_RULES = [
    ("某某幼儿园", "2010年16日下午,我园着火,9名孩子逃生,一名女童被困丧生。", "veto.safety_accident"),
    ("某某国土资源局", "我局开发区分局原会计高某,私自将单位公款60万元挪作他用,被判刑5年。", "veto.staff_crime"),
    ("某某幼儿园", "被告人张某因犯虐待被看护人罪,被判处有期徒刑二年,并被禁止从事密切接触未成年人的工作。"
                 "法院经审理查明,被告人张某系我园学前班教师。", "veto.staff_crime"),
    ("某某集团", "其中,本集团原董事长王某某受贿人民币507万元、美元67万余元、港币5万元,被判处无期徒刑。",
     "veto.leader_violation"),
]


@pytest.mark.parametrize("unit, sentence, veto", COURT_MISSED_BY_RULES)
def test_a_vetos_candidates_reach_what_its_rules_miss_and_only_the_judge_decides(court, unit, sentence, veto):
    text = f"{unit}创建文明单位工作总结\n{sentence}\n"
    c = court.compiled
    rule, cands = candidates(court, text)
    # No rule raises it: the veto's `candidates` propose it (rule ids owner#cN), or a relaxed rule does.
    assert not any(rule) and veto in cands.values(), cands
    res = court.score_text(text)
    hits = judged(res)
    assert [v.id for v in hits] == [veto], [(v.id, v.match.rule) for v in res.vetoes]
    assert hits[0].match.rule == f"{veto}#judge" and hits[0].match.value >= c.veto_head.threshold
    assert res.text[hits[0].start:hits[0].end] == hits[0].text


@pytest.mark.parametrize("unit, sentence, veto", MISSED_BY_RULES)
def test_where_a_rubrics_veto_judgement_is_left_out_its_candidates_only_propose(general, unit, sentence, veto):
    # The general judge file carries no veto judgement: cross-validated it raised more false vetoes than
    # the rules (training's veto_left_out, said in the file's meta). Its candidates still propose these
    # sentences, and nothing raises them: the rules decide alone.
    c = general.compiled
    assert c.veto_head is None and "false vetoes" in c.judge_model.meta.get("veto_left_out", "")
    text = f"{unit}创建文明单位工作总结\n{sentence}\n"
    rule, cands = candidates(general, text)
    assert not any(rule) and veto in cands.values(), cands
    assert not general.score_text(text).vetoed


@pytest.mark.parametrize("sentence, proposed", [
    # 抓获 (the unit catching someone) silences a crime candidate, but not from inside 被抓获, one of
    # the candidate's own terms (Rule._held); 宣传 and 培训 silence as the activity, not as an office's name
    ("本集团原出纳王某因挪用资金被抓获。", True),
    ("我局宣传科原出纳李某挪用公款60万元，获刑5年。", True),
    ("我站开展宣传活动，原会计张某因挪用公款获刑。", False),
    ("我所保安抓获一名盗窃嫌疑人，该嫌疑人已被判处拘役。", False),
    # 抢救 (treating others) silences an accident candidate, but not inside 抢救无效, an outcome
    ("我厂车间着火，一名职工经抢救无效丧生。", True),
    ("我院医生连夜抢救一名在爆炸中受伤的工人。", False),
    ("我院一名工人在爆炸中受伤。", True),
])
def test_a_silencer_inside_a_candidates_own_term_or_an_office_name_silences_nothing(general, sentence, proposed):
    rule, cands = candidates(general, "某某单位创建文明单位工作总结\n" + sentence + "\n")
    assert not any(rule)
    assert bool(cands) == proposed, cands


@pytest.mark.parametrize("sentence", [
    # the unit itself handling others' cases, a procuratorate's voice (judge.veto_unless: unit_handling)
    "近期,我院在查办原海口市国土资源管理局秀英分局科员符某某玩忽职守案件中,发现符某某在核实宅基地的过程中,出具确认土地性质的虚假证明。",
    "经山东省济南市检察院指定管辖,我院近日以受贿罪、贪污罪依法对济南明水经济技术开发区管理委员会原副主任袁某某提起公诉。",
    # a rumour denied (refuted)
    "我校领导表示,网上此说法属谣传,目前只有一名学生出现疑似食物中毒的情况。",
    # a rule stated (conditionals)
    "若未履行规定的职责,造成火灾事故发生的,除按照《我校违纪处分规定》对相关人员进行处分外,将视情节轻重由国家机关依法依规追究其行政、刑事责任。",
])
def test_the_candidates_never_reach_the_families_the_rubric_excludes(general, sentence):
    res = general.score_text("某某单位创建文明单位工作总结\n" + sentence + "\n")
    assert not res.vetoed, [(v.id, v.text, v.match.rule if v.match else None) for v in res.vetoes]


@pytest.mark.parametrize("sentence", [
    # a unit's own work on others' crimes, accidents and illnesses, and its good deeds: the
    # candidates' silencers (fighting_crime, treating_others, others_aided) and the judgement
    "我院全年收治火灾伤员12名，无一死亡。",
    "我行柜员成功堵截一起电信诈骗，为客户挽回损失5万元。",
    "我所民警成功抓获盗窃犯罪嫌疑人3名，破获案件12起。",
    "我局干部深入社区开展反诈骗宣传，发放资料3000份。",
    "我校教师带领学生参观监狱，接受法治教育，了解犯罪的危害。",
    "我院医生连夜抢救一名煤气中毒的老人，使其转危为安。",
    "我所民警在处置一起交通事故时，及时救出受伤司机。",
    "我校保安在校门口抓获一名盗窃电动车的嫌疑人。",
    "我站职工冒着大火抢救国家财产，事迹被省电视台报道。",
    "我园教师在幼儿午睡时发现一名幼儿呕吐，及时送医救治。",
    "一村民家中发生火灾，丈夫不幸身亡，我局干部职工为其捐款1万元。",
])
def test_the_units_own_work_on_others_crimes_and_accidents_is_no_veto(general, sentence):
    res = general.score_text("我单位坚持党建引领，扎实开展文明创建工作，全年组织志愿服务活动12次。" + sentence)
    assert not res.vetoed, [(v.id, v.text, v.match.rule if v.match else None) for v in res.vetoes]


@pytest.mark.parametrize("sentence", [
    # a court's own enforcement news told in the passive: the one caught is named between the court's
    # people and what befell (names_break on the candidates), or the work is named (fighting_crime: 蹲守, 老赖)
    "在我院法警的协助下，潜逃多年的王某被抓获。",
    "经我院执行干警连续蹲守，拒不执行判决的王某被抓获。",
    "我院干警配合公安机关，涉嫌拒执罪的李某在外地被抓获。",
    "在我院执行干警的努力下，失信被执行人王某被抓获。",
    "经我院干警连续蹲守，“老赖”王某被抓获。",
    # the one caught named by their part in the case (the rubric's party_names), not by name
    "在我院法警的协助下，潜逃多年的被执行人被抓获。",
    "经我院干警连续蹲守，拒不履行的被申请执行人被抓获归案。",
])
def test_a_courts_own_enforcement_told_in_the_passive_is_no_veto(court, sentence):
    text = "某某人民法院创建文明单位工作总结\n我院坚持党建引领，扎实开展文明创建工作。" + sentence + "\n"
    rule, cands = candidates(court, text)
    assert not any(rule) and not cands, cands
    assert not court.score_text(text).vetoed


@pytest.mark.parametrize("sentence, read", [
    # the court's own people rescuing others or trained in safety: treating_others (救出) and prevention
    # (培训, 宣传, 知识) silence the accident candidate, so its outcomes (起火, 死亡, 着火) propose nothing
    ("我院干警途经车祸现场，将重伤司机救出并送医。", False),
    ("我院法警冲进着火的民房，救出被困老人。", False),
    ("我院组织干警开展消防培训，讲解起火后如何逃生。", False),
    ("我院开展急救培训，讲解心脏骤停导致死亡的急救方法。", False),
    ("我院组织干警学习应急救护知识，掌握触电、溺水、着火等情况下的自救互救技能。", False),
    # the court's own people befallen, told beside enforcement words: still read (no silencer for
    # 追逃, 协助下 or 老赖, which tell these as often as the court's own work)
    ("我院原副院长张某潜逃境外，在“天网行动”追逃中被抓获。", True),
    ("我院执行局原局长张某收受被执行人贿赂，在公安机关协助下被抓获。", True),
    ("我院执行干警张某收受老赖好处费被立案审查。", True),
    # a leader named after a concurrent title (、市政协副主席) is the role's: the names condition holds
    ("我院原院长、市政协副主席魏某受贿案一审宣判。", True),
    ("我院原副院长、市人大代表魏某受贿案一审宣判。", True),
])
def test_a_courts_rescue_and_training_propose_nothing_and_its_own_cases_beside_them_are_read(court, sentence, read):
    rule, cands = candidates(court, "某某人民法院创建文明单位工作总结\n" + sentence + "\n")
    assert (any(rule) or bool(cands)) == read, cands
