"""Vetoes (issue 11): phrasings with inserted words raise them; a cue inside a stated cause
(因未…/因没有…/因不…) does not negate the event; a court's own trials, warning education
about another unit's case and negated statements stay silent."""

from __future__ import annotations

import pytest

from scorer.engine import Scorer
from scorer.match.lexicon import Lexicon
from scorer.segment import segment

LEAD = "我院坚持党建引领，扎实开展文明创建工作，全年组织志愿服务活动12次。"

RAISE = [
    ("veto.staff_crime", "一名干警因受贿被依法判处有期徒刑三年。"),
    ("veto.staff_crime", "干警张某被某某区人民法院以受贿罪判处有期徒刑。"),
    ("veto.staff_crime", "执行局干警王某因涉嫌滥用职权被公安机关依法刑事拘留。"),
    ("veto.leader_violation", "副院长张某因未按规定报告个人有关事项被开除党籍。"),
    ("veto.staff_crime", "干警王某因没有守住纪律底线被判处有期徒刑。"),
    ("veto.staff_crime", "干警李某因不作为被判处有期徒刑。"),
    ("veto.leader_violation", "副院长刘某被市纪委监委立案审查。"),
    # The expulsion in a clause of its own, after its cause (found at stop 25).
    ("veto.staff_crime", "执行局副局长王某因违规发放贷款被立案审查，受到开除党籍处分。"),
    ("veto.staff_crime", "一名干警因违规插手案件，受到开除党籍、开除公职处分。"),
    ("veto.staff_crime", "一名法官助理因醉酒驾驶被给予开除党籍处分。"),
    # A supervisory commission's detention (留置) and the standard announcement of an
    # investigation of a leader, its authority between 接受 and the review (stop 26).
    ("veto.staff_crime", "一名干警因涉嫌职务犯罪被区监委依法留置。"),
    ("veto.staff_crime", "执行局干警王某涉嫌受贿犯罪，被市监委采取留置措施。"),
    ("veto.leader_violation", "原副院长张某涉嫌严重违纪违法，目前正接受市纪委监委纪律审查和监察调查。"),
    ("veto.leader_violation", "院党组成员、副院长赵某接受纪律审查和监察调查。"),
    # As the supervisory commissions' announcements word it (public news pages, names changed).
    ("veto.leader_violation", "副院长、党组成员张某涉嫌严重违纪违法，目前正接受组织调查。"),
    ("veto.leader_violation", "副院长王某涉嫌严重违法，接受市监察委员会监察调查。"),
    ("veto.leader_violation", "原党组成员、副院长李某接受审查调查。"),
    # An accident at the unit told by its deaths, without 重大/较大.
    # 严重违纪 without 违法 (stop 27).
    ("veto.leader_violation", "院长张某因严重违纪被免去院长职务。"),
    ("veto.leader_violation", "副院长李某涉嫌严重违纪，正接受组织审查。"),
    # A sentencing court or police named with 某 is not another unit's case (stop 27).
    ("veto.staff_crime", "干警张某被某法院以受贿罪判处有期徒刑。"),
    ("veto.staff_crime", "干警张某被某地公安机关依法刑事拘留。"),
    # The role's own name, or a list of names, and a passive whose subject is the topic (stop 28).
    ("veto.staff_crime", "法官王某审理陈某案时收受贿赂，被判处有期徒刑。"),
    ("veto.staff_crime", "干警张某、李某因受贿被依法判处有期徒刑。"),
    ("veto.leader_violation", "副院长张某涉嫌受贿，张某被市监委采取留置措施。"),
    # The unit's possessive before the role, then the crime (stop 28, from eval/vetoes' misses).
    ("veto.leader_violation", "我院原副院长张某某涉嫌受贿一案，由市检察院侦查终结后提起公诉。"),
    ("veto.leader_violation", "市中级法院对我院原副院长裴某某受贿罪做出一审判决。"),
    ("veto.staff_crime", "我院原执行局局长席某某因涉嫌滥用职权，近日在市中级人民法院受审。"),
    # Warning education about the unit's own leader is still the unit's case (own_case, stop 28).
    ("veto.leader_violation", "召开警示教育大会，通报我院原副院长张某严重违纪违法问题。"),
    ("veto.leader_violation", "以我院原副院长张某严重违纪违法案为反面教材，开展警示教育。"),
    # The role's own name after a remark in brackets or more titles (review, stop 28).
    ("veto.leader_violation", "原副院长（已退休）张某某因受贿罪被判处有期徒刑。"),
    ("veto.staff_crime", "原执行局局长（副处级）赵某被判处有期徒刑。"),
    ("veto.leader_violation", "我院原副院长、二级高级法官张某某被开除党籍。"),
    ("veto.safety_accident", "我院机关食堂发生火灾，造成2人死亡、3人受伤。"),
    ("veto.safety_accident", "5月12日，我院新址施工现场发生一起安全生产事故，造成1名工人死亡。"),
]

SILENT = [
    "刑庭法官依法审结的受贿案中被告人王某被依法判处有期徒刑三年。",  # the court's own trial
    "我院依法判处被告人李某有期徒刑五年。",
    "组织干警开展警示教育，通报了某县法院副院长张某因受贿被判处有期徒刑的案件。",  # another unit's case
    "全年没有一名干警受到处分。",  # negated
    "没有一名干警因违法违纪被追究刑事责任。",
    "全年未发生干警被判处刑罚的情况。",
    "全年没有一名干警受到开除党籍处分。",
    "组织干警观看警示片，某法院执行局副局长因受贿受到开除党籍处分。",
    "严明纪律，干警违反规定的，将受到开除党籍处分。",  # a rule, not an event
    "干警如有违纪违法行为，一律受到开除党籍处分。",
    "我院审结一起案件，被告人系某局副局长，此前已受到开除党籍处分。",  # a party to a trial
    "院长带领书记员对拒收文书的被告留置送达。",  # serving court papers, not a detention
    "全年没有一名干警被留置。",
    "全年没有一名班子成员接受纪律审查。",
    "纪检组长依规依纪依法开展纪律审查和监察调查工作。",  # the court's own disciplinary work
    "班子成员如有违纪违法行为，一律接受纪律审查。",  # a rule, not an event
    "组织干警观看警示片，某法院原副院长涉嫌严重违纪违法接受纪律审查和监察调查。",
    "全年未发生造成人员死亡的安全生产事故。",
    "院党组坚持全面从严治党，班子成员带头接受党员群众监督。",
    "组织干警观看警示教育片，某中院副院长涉嫌严重违纪违法接受组织调查的案例令人警醒。",
    "我院审结一起交通事故致人死亡案件，被告人被判处有期徒刑三年。",  # a case, not an accident here
    "辖区发生一起交通事故造成1人死亡，我院法官第一时间赶赴现场开展诉前调解。",
    "组织干警观看安全事故警示片，学习某厂爆炸事故造成5人死亡的教训。",
    "为防止发生火灾造成人员死亡，定期开展消防演练。",
    # A circular (通报) about another unit's case, relayed or studied: warning education (stop 27).
    "院党组书记、院长主持召开会议，传达某市中院副院长严重违纪被开除党籍的通报。",
    "组织干警学习了省纪委关于某县法院副院长王某被开除党籍的通报。",
    "院长传达了市纪委关于某局副局长受贿被开除党籍的通报精神。",
    "班子成员无一人严重违纪。",
    "要求班子成员引以为戒，防止发生严重违纪问题。",
    # Another unit named as 某中院/某县法院/某单位…, a film, 身边人身边事 (stop 27).
    "院党组书记、院长以身边人身边事为例，讲述了某法院副院长因受贿被判刑的教训。",
    "组织观看《迷途之鉴》，片中某市中院原院长被判处有期徒刑十二年。",
    "召开全院干警大会，通报某基层法院执行局长被留置的情况。",
    "组织干警深入学习某县法院院长严重违纪违法案件剖析材料。",
    # The court's own trial with the defendant named (王某) between the judge and the sentence:
    # the one sentenced is the name in the passive's clause (names_break, stop 28).
    "我院法官依法审理王某受贿案，王某被判处有期徒刑十年。",
    "刑庭法官审理了张某某故意伤害案，张某某被判处有期徒刑三年。",
    "院长主持审理王某滥用职权案，王某被判处有期徒刑。",
    "院长带头办理李某某非法吸收公众存款案，李某某被依法判处有期徒刑七年。",
    "我院干警赵某依法审理陈某诈骗案，陈某被判处有期徒刑五年。",
    "我院法官王某荣获全省优秀法官称号。刑庭审理李某、王某等人诈骗案，王某被判处有期徒刑三年。",
    "法官王某荣获全省优秀法官称号。王某审理的陈某受贿案中，陈某被判处有期徒刑。",
    # A trial of another unit's official, the court's possessive before it (stop 28).
    "我院审理原某局局长张某涉嫌受贿一案，依法判处其有期徒刑五年。",
    "我院院长带头审理一起受贿案件。",
    "组织干警到监狱开展教育，此犯人是一所医院药剂科的科长，因受贿被判处有期徒刑10年。",
    "2023年，全市共发生各类生产安全事故140起、死亡94人。",
    # Found by this session's review: a name after the role joined by another character than
    # 、, a stranger with its own passive before the one the chain reaches, a party named with
    # the role's pseudonym in a later sentence, and a court fighting crime.
    "法官张某对王某盗窃案当庭宣判，王某被判处有期徒刑三年。",
    "干警张某将李某移交公安机关，李某被刑事拘留。",
    "法官张某对王某依法宣判。王某被判处有期徒刑三年。",
    "院长审理王某案，王某被判处有期徒刑，其同伙亦被判处缓刑。",
    "法官审理的王某被判处有期徒刑三年，其余两人被判处缓刑。",
    "执行局局长王某带队开展凌晨执行行动。被执行人王某因涉嫌拒执罪被公安机关刑事拘留。",
    "我院法官严厉打击贪污受贿犯罪。",
    "我院法官办结受贿案件15件。",
    "我院干警要远离受贿。",
    "本院法官认为，受贿罪的构成要件已经具备。",
    "本院干警以一起受贿案为反面教材开展教育。",
    "传达了我院关于某县法院副院长王某被开除党籍的通报。",  # 我院 is the sender, not the role's unit
    "组织我院干警观看警示教育片，片中某法院副院长因受贿被开除党籍。",  # our staff watch; the case is another's
    "院长审理的王某被判处有期徒刑。",  # one clause: the clause rule keeps the name too
    # Real sentences the oldest accident rule (重大 + 火灾事故 in a clause) raised: a warning film
    # (eval/vetoes5 z084) and a province's inspection order (eval/corpus/479.txt).
    "在学院的统一安排下,各专业班级有序进入指定教室,集中观看了《四川自贡九鼎大楼“7·17”重大火灾事故原因查明》"
    "《火灾猛于虎,责任重如山》二部警示教育片。",
    "检查范围包括全省所有地区、所有行业领域、所有生产经营单位和人员密集场所,对重大隐患治理不力的视同安全生产事故。",
]


@pytest.fixture(scope="module")
def court():
    return Scorer.load("court")


@pytest.mark.parametrize("veto,sentence", RAISE)
def test_inserted_words_and_cause_negation_raise_the_veto(court, veto, sentence):
    result = court.score_text(LEAD + sentence)
    assert result.vetoed
    assert veto in {v.id for v in result.vetoes}
    hit = next(v for v in result.vetoes if v.id == veto)
    assert result.text[hit.start : hit.end] == hit.text and sentence.rstrip("。") in hit.text


# The role named in an earlier sentence of the paragraph, its name the next clause's subject (stop 28).
CARRIED = [
    ("veto.leader_violation", "原副院长张某涉嫌受贿。", "2021年5月，张某被市监委采取留置措施，后被依法判处有期徒刑六年。"),
    ("veto.staff_crime", "我院干警李某醉酒驾驶机动车被公安机关查获。", "后经法院审理，李某被判处拘役二个月。"),
    ("veto.leader_violation", "我院原副院长王某某严重违反廉洁纪律。", "经市纪委监委研究，王某某被开除党籍、开除公职。"),
]


@pytest.mark.parametrize("veto,before,sentence", CARRIED)
def test_a_roles_name_carries_the_role_into_a_later_sentence(court, veto, before, sentence):
    result = court.score_text(LEAD + before + sentence)
    hit = next(v for v in result.vetoes if v.id == veto)
    assert hit.text == sentence and result.text[hit.start : hit.end] == sentence
    first = hit.match.terms[0]
    assert first.text in before and first.text in sentence  # the name, crediting the role named before
    assert not court.score_text(LEAD + sentence).vetoed  # the sentence alone names no one's role


@pytest.mark.parametrize("sentence", SILENT)
def test_own_trials_warning_education_and_negations_stay_silent(court, sentence):
    result = court.score_text(LEAD + sentence)
    assert not result.vetoed, [v.text for v in result.vetoes]


def test_general_rubric_vetoes_a_tax_officer_sentenced_with_words_between():
    general = Scorer.load("general")
    lead = "我局坚持党建引领，扎实开展文明创建工作，全年组织志愿服务活动12次。"
    assert general.score_text(lead + "一名工作人员因受贿被市人民法院依法判处有期徒刑。").vetoed
    assert general.score_text(lead + "副局长王某因未如实报告个人事项被开除党籍。").vetoed
    assert not general.score_text(lead + "全局没有一名工作人员被追究刑事责任。").vetoed
    assert general.score_text(lead + "一名工作人员因涉嫌职务犯罪被市监委依法留置。").vetoed
    assert general.score_text(lead + "副局长王某涉嫌严重违纪违法，目前正接受市纪委监委纪律审查和监察调查。").vetoed
    assert not general.score_text(lead + "纪检组长依规依纪依法开展纪律审查和监察调查工作。").vetoed
    assert not general.score_text(lead + "工作人员如有违纪违法行为，一律接受纪律审查。").vetoed
    assert general.score_text(lead + "去年我局仓库发生火灾，造成2人死亡。").vetoed
    assert not general.score_text(lead + "一村民家中发生火灾，丈夫不幸身亡，我局干部职工为其捐款1万元。").vetoed
    # A hospital's own fire that kills its patients is its accident; its patients' symptoms and the
    # injured it treats are its daily work (patients silence the symptom rule only).
    hospital = "我院坚持党建引领，扎实开展文明创建工作，全年组织志愿服务活动12次。"
    assert general.score_text(hospital + "我院住院部发生火灾，造成3名患者不幸死亡。").vetoed
    assert general.score_text(hospital + "我院住院部发生火灾，多名患者受伤。").vetoed
    assert not general.score_text(hospital + "我院全年收治火灾伤员12名，无一死亡。").vetoed
    assert not general.score_text(hospital + "我院多名患者出现呕吐、腹泻症状，经治疗后好转出院。").vetoed
    # The unit as the passive's agent: a procuratorate investigating another body's official
    # (eval/vetoes6 z031) is the unit acting, not what befell its own people.
    procuratorate = "我院坚持党建引领，扎实开展文明创建工作，全年组织志愿服务活动12次。"
    assert not general.score_text(procuratorate + "市房产局副局长熊某因涉嫌受贿被我院立案侦查。").vetoed
    assert general.score_text(procuratorate + "我院副检察长熊某因涉嫌受贿被市监委立案调查。").vetoed
    assert general.score_text(lead + "局长张某因严重违纪被免去局长职务。").vetoed
    assert not general.score_text(lead + "局长主持召开会议，传达某县副县长严重违纪被开除党籍的通报。").vetoed
    assert not general.score_text(lead + "组织观看警示教育专题片，片中某局原局长被判处有期徒刑。").vetoed
    assert general.score_text(lead + "副局长王某被某区人民法院以受贿罪判处有期徒刑五年。").vetoed
    assert not general.score_text(lead + "学习市纪委通报的5起违反中央八项规定精神典型问题，其中某区卫健委主任被开除党籍。").vetoed
    assert general.score_text(lead + "我院副院长张某因收受医药回扣被开除党籍、开除公职。").vetoed
    assert general.score_text(lead + "我行一名员工因挪用资金被公安机关刑事拘留。").vetoed
    # a case the unit handles, its party named between the officer and the penalty (stop 28)
    assert not general.score_text(lead + "局长主持审理王某违纪案，王某被市纪委监委立案审查。").vetoed
    assert general.score_text(lead + "副局长张某涉嫌受贿，张某被市纪委监委立案审查。").vetoed
    # stop 28, from eval/vetoes' misses: the possessive and the crime; a leader named first, then
    # the sanction after a long cause; a procuratorate's leader
    assert general.score_text(lead + "我校原校长曾某某涉嫌受贿一案，经市检察院提起公诉。").vetoed
    assert general.score_text(lead + "2023年2月，我局副局长文某某醉驾被查，血液中酒精含量为224.90mg/100ml，"
                                     "2024年3月文某某受到开除党籍、开除公职处分。").vetoed
    assert general.score_text(lead + "我院原党组成员、副检察长唐某某因严重违纪违法问题被立案审查调查。").vetoed
    assert not general.score_text(lead + "我局局长从不收受贿赂，带头拒绝受贿。").vetoed
    assert not general.score_text(lead + "我局纪检干部严查受贿行为。").vetoed
    # a prisoner is warning education only as 此犯人 …; a prison officer's crime still vetoes
    assert general.score_text(lead + "我监狱民警张某因收受服刑人员家属财物被判处有期徒刑。").vetoed
    assert general.score_text(lead + "原副院长、党组副书记张某某被开除党籍。").vetoed


def _negated(lexicon: Lexicon, text: str, term: str) -> bool:
    hits, _ = lexicon.scan(segment(text))
    return next(h for sent in hits for h in sent if h.surface == term).negated


def test_a_cue_inside_a_stated_cause_stops_at_the_cause_end():
    plain = Lexicon(terms=["开除党籍", "报告"], blocks=[], cues=["未", "没有"], breakers=[])
    causal = Lexicon(
        terms=["开除党籍", "报告"], blocks=[], cues=["未", "没有"], breakers=[],
        cause_markers=["因"], cause_ends=["被"],
    )
    text = "张某因没有按规定报告个人有关事项被开除党籍。"
    assert _negated(plain, text, "开除党籍")  # without the rule the cause negates the event
    assert not _negated(causal, text, "开除党籍")
    assert _negated(causal, text, "报告")  # inside the cause the cue still negates
    # A cue not opened by a cause marker keeps its whole clause.
    assert _negated(causal, "没有一名干警被开除党籍。", "开除党籍")


# A rule about vetoes stated, and the list it opens: not the unit's event, whatever it lists
# (eval/vetoes10 held these; the rules raised five). `rule_statements` silences the sentence and the
# numbered or ；-joined items right after it (MatcherSpec.unless_list); an event after the list still vetoes.
RULES_STATED = [
    "2018年1月1日以来，存在下列情形的，不得申报：1.单位主要负责人或领导班子成员2名以上严重违纪、违法犯罪被查处；"
    "2.员工3人以上被追究刑事责任；3.发生重大安全生产责任事故；",
    "有下列情形之一的不得参与文明单位评选：申报前12个月内班子成员被双规或追究刑事责任尚未结案的。",
    "若单位在任期内出现重大安全事故或领导班子严重违纪等问题，可能撤销其荣誉称号。",
    "对发生重特大生产安全事故的，领导评先评优时实行“一票否决”。",
    "根据测评体系，存在下列情形的，不得申报：\n1.单位主要负责人或领导班子成员严重违纪违法被查处；\n2.员工3人以上被追究刑事责任；"
    "\n3.发生重大安全生产责任事故。",
    "有以下情况之一的，不能参评文明单位：领导班子成员因违纪违法被立案审查；干警被追究刑事责任。",
]


@pytest.mark.parametrize("rubric", ["court", "general"])
@pytest.mark.parametrize("statement", RULES_STATED)
def test_a_rule_stated_and_the_list_it_opens_are_no_veto(rubric, statement):
    scorer = Scorer.load(rubric)
    result = scorer.score_text(LEAD + "\n" + statement)
    assert not result.vetoed, [v.text for v in result.vetoes]
    # the same paragraph's silencer does not reach the next paragraph's event
    event = scorer.score_text(LEAD + "\n" + statement + "\n我院副院长张某因受贿被依法判处有期徒刑五年。")
    assert [v.text for v in event.vetoes if v.id == "veto.leader_violation"] == ["我院副院长张某因受贿被依法判处有期徒刑五年。"]


# Found by eval/vetoes10 (spent): a party title with 原 inside it, the role's name after 的, the
# penalties' short forms (被捕, 被刑拘, 批准逮捕).
@pytest.mark.parametrize("veto,sentence", [
    ("veto.leader_violation", "我院党委原书记何某涉嫌严重违纪违法，目前正接受市纪委监委纪律审查和监察调查。"),
    ("veto.leader_violation", "我公司党委原副书记李某因严重违纪违法被开除党籍。"),
    ("veto.staff_crime", "时任我院业务科科长的何某被刑拘。"),
    ("veto.staff_crime", "我院药剂科原主任马某被捕。"),
    ("veto.staff_crime", "我院职工傅某因收受贿赂被区检察院批准逮捕。"),
])
def test_inserted_titles_the_roles_name_after_de_and_short_penalties_raise_the_veto(veto, sentence):
    general = Scorer.load("general")
    assert veto in {v.id for v in general.score_text(LEAD + sentence).vetoes}


# Found by review of the first form of these mends (stop 36): a rule statement mentioned beside a real event
# does not hide it; 的 makes a name the role's own only where the role is said held (时任, 身为); a party is
# who what befell only as its subject; another company's 法定代表人 and 被捕 inside 被捕鸟网 are no veto.
@pytest.mark.parametrize("rubric, text, veto", [
    ("general", "我局将安全生产纳入年度考核，实行一票否决。今年3月，我局办公楼发生火灾，造成2人死亡。", "veto.safety_accident"),
    ("court", "我院对违纪违法问题实行“一票否决”。2022年，我院原副院长张某因受贿被依法判处有期徒刑五年。",
     "veto.leader_violation"),
    ("court", "我院把党风廉政建设纳入一票否决事项，召开警示教育大会，通报我院原副院长张某严重违纪违法问题。",
     "veto.leader_violation"),
    ("general", "我校严格执行师德师风“一票否决”制度。去年，我校教师王某因猥亵学生被刑事拘留。", "veto.staff_crime"),
    ("court", "我院执行员李某因殴打当事人被刑拘。", "veto.staff_crime"),
    ("court", "时任我院执行局副局长的刘某因受贿被依法判处有期徒刑六年。", "veto.staff_crime"),
    ("general", "身为我行员工的赵某因挪用资金被判处有期徒刑三年。", "veto.staff_crime"),
    ("court", "多次殴打我院执行干警的李某被公安机关依法刑事拘留。", None),
    ("general", "伤害我院护士的陈某被依法判处有期徒刑三年。", None),
    ("general", "我行依法起诉欠款企业，该企业法定代表人张某因涉嫌骗取贷款罪被刑事拘留。", None),
    ("general", "我站工作人员巡查时发现一只白鹭被捕鸟网缠住，立即将其解救放飞。", None),
])
def test_rule_statements_beside_events_de_names_and_parties(rubric, text, veto):
    result = Scorer.load(rubric).score_text(LEAD + text)
    if veto is None:
        assert not result.vetoed, [v.text for v in result.vetoes]
    else:
        assert veto in {v.id for v in result.vetoes}, [v.text for v in result.vetoes]
