"""normalize(): character cleanup, line joining, caption collapse, furniture removal, offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from scorer.ingest import load_document
from scorer.ingest.normalize import normalize, normalize_document

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SENTENCE_END = "。！？；…"
CLOSERS = "”’」』）)》】"


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def paragraphs(raw: str) -> list[str]:
    return normalize(raw).text.split("\n")


# --- characters ---------------------------------------------------------------


def test_full_width_digits_and_latin_become_ascii():
    assert normalize("院党组集中学习６２次，ＡＢＣ法庭。").text == "院党组集中学习62次，ABC法庭。"


def test_chinese_punctuation_stays_full_width():
    text = "（一）领导重视：措施得力；“文明庭室”、“文明家庭”！是否？好，……完成。"
    assert normalize(text).text == text


def test_control_and_zero_width_characters_are_dropped():
    assert normalize("\ufeff文明\u200b单位\x00创建\u00ad活动。").text == "文明单位创建活动。"


# --- spaces --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("院党组集中学习 62 次，召开民主生活会 6 次。", "院党组集中学习62次，召开民主生活会6次。"),
        ("青 海 省 高 级 人 民 法 院", "青海省高级人民法院"),
        ("省 教 育 厅 、省 总 工 会 等 单 位 授 予", "省教育厅、省总工会等单位授予"),
        ("于\u30002019 年\u00a011月 22日向“许愿人”送去", "于2019年11月22日向“许愿人”送去"),
        ("采用 Deep  Learning\t技术", "采用Deep Learning技术"),
    ],
)
def test_spaces_go_inside_chinese_and_stay_between_latin_words(raw, expected):
    assert normalize(raw).text == expected


# --- doubled captions ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("市法院市法院““道德讲堂道德讲堂””活动现场活动现场", "市法院“道德讲堂”活动现场"),
        ("精准扶贫工作得到认可精准扶贫工作得到认可", "精准扶贫工作得到认可"),
        ("市法院干警参加卫生整治活动市法院干警参加卫生整治活动 市法院巡回法庭走进大格勒乡市法院巡回法庭走进大格勒乡",
         "市法院干警参加卫生整治活动\n市法院巡回法庭走进大格勒乡"),
    ],
)
def test_doubled_captions_collapse(raw, expected):
    assert normalize(raw).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "引导党员干部常学常新常悟，永葆政治本色。",
        "形成人人参与、互促互进的文明创建氛围。",
        "人人",
        "常学常新",
        "谢谢谢谢",  # too short to be a caption
        "一是强化阵地建设，拓宽教育平台。",
    ],
)
def test_legitimate_repeats_stay(text):
    assert normalize(text).text == text


# --- page furniture and website chrome -------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "- 3 -",
        "— 12 —",
        "第 3 页 共 8 页",
        "第3页",
        "3 / 8",
        "7",
        "您当前的位置是:首页 > 政法 > 法院",
        "当前位置: 网站首页 >> 党建工作 >> 文明创建",
        "首页 > 新闻中心 > 法院动态",
        "来源:陈平编辑:管理员时间:2017-07-14",
        "作者: ltfyyjs     时间:2014-11-03 阅读:1042",
        "发布时间：2019-05-06 浏览次数：321",
        "Copyright 2017-2018 www.zzszfw.com All Rights Reserved",
        "版权所有:中共枣庄市委政法委员会",
        "备案号:鲁ICP备14025379号",
        "地址:枣庄市光明大道2621号市政大厦十楼",
        "欢迎光临 黄冈市罗田县人民法院网站",
        "枣庄长安网群",
        "【打印本页】 【关闭窗口】",
        "上一篇：关于开展文明创建的通知",
        "下一篇：法院召开党组会",
    ],
)
def test_furniture_and_chrome_lines_are_removed(line):
    body = "近年来，法院深入开展文明单位创建活动。"
    assert normalize(f"{body}\n{line}\n{body[:-1]}，成效明显。").text == f"{body}\n{body[:-1]}，成效明显。"


def test_running_header_repeated_on_pages_is_removed():
    sentences = [f"第{i}项：党组成员集中学习，坚持集体研究和民意相结合。" for i in range(24)]
    pages = [
        "格尔木市人民法院创建材料\n" + "\n".join(sentences[i : i + 6]) + f"\n- {i // 6 + 1} -"
        for i in range(0, 24, 6)
    ]
    assert paragraphs("\n".join(pages)) == sentences


def test_wrapped_report_pasted_twice_keeps_both_bodies():
    """Wrapped lines are short and unfinished, yet no header: repeats of them must stay."""
    once = normalize(seed("000")).text
    twice = normalize(seed("000") + "\n\n" + seed("000")).text
    body = "院党组集中学习62次，召开民主生活会6次，专题研究文明单位创建工作3次"
    assert once.count(body) == 1 and twice.count(body) == 2
    assert twice.count("擎起文明司法一面旗") == 1  # the repeated title goes


def test_text_made_of_repeated_lines_is_not_taken_for_headers():
    terms = ["文明单位", "精神文明建设", "志愿服务", "道德讲堂"]
    assert paragraphs("\n".join(terms * 50)) == terms


def test_repeated_title_line_kept_once():
    raw = "薛城区人民法院强化基层党建工作\n来源:陈平\n薛城区人民法院强化基层党建工作\n近年来，该院坚持支部建在庭上。"
    assert paragraphs(raw) == ["薛城区人民法院强化基层党建工作", "近年来，该院坚持支部建在庭上。"]


def test_long_paragraph_mentioning_copyright_is_kept():
    text = "我院" + "依法保护知识产权，审结涉版权所有人权益纠纷案件，" * 8 + "成效明显。"
    assert normalize(text).text == text


# --- paragraphs -------------------------------------------------------------------


def test_wrapped_lines_join_and_sentence_ends_break():
    raw = (
        "近年来，青海省海西州格尔木市\n人民法院以习近平新时代中国特\n色社会主义思想为指导，忠实履\n"
        "行宪法法律赋予的职责，深入开\n展文明单位创建活动。\n\n强化干警政治和业务素质，树立\n"
        "良好形象，汇聚文明创建的动力\n源泉。\n贯彻从严治党要求，全面加强党\n组、党支部及团支部建设。"
    )
    assert paragraphs(raw) == [
        "近年来，青海省海西州格尔木市人民法院以习近平新时代中国特色社会主义思想为指导，忠实履行宪法法律赋予的职责，深入开展文明单位创建活动。",
        "强化干警政治和业务素质，树立良好形象，汇聚文明创建的动力源泉。",
        "贯彻从严治党要求，全面加强党组、党支部及团支部建设。",
    ]


def test_headings_and_titles_stay_own_paragraphs():
    raw = (
        "2013—2014年度省级文明单位创建工作总结\n一、加强组织领导，深入开展文明单位创建活动\n"
        "（一）领导重视，措施得力。我院把文明创建工作纳入党组重要议事日程，与审判业务工作相结合\n"
        "1、注重宣传到位\n在年初的工作会议上着重强调文明创建工作，要求各庭室、全体干警对现今工作中存在的问题有清楚的认识\n"
        "（二）紧盯目标，严格落实。"
    )
    assert paragraphs(raw) == [
        "2013—2014年度省级文明单位创建工作总结",
        "一、加强组织领导，深入开展文明单位创建活动",
        "（一）领导重视，措施得力。我院把文明创建工作纳入党组重要议事日程，与审判业务工作相结合",
        "1、注重宣传到位",
        "在年初的工作会议上着重强调文明创建工作，要求各庭室、全体干警对现今工作中存在的问题有清楚的认识",
        "（二）紧盯目标，严格落实。",
    ]


def test_mid_sentence_break_in_unwrapped_text_joins():
    raw = "坚持“严管就是厚爱”，严格推行廉政谈话、提醒谈话等\n\n制度，对发现的苗头性问题及时提醒。"
    assert paragraphs(raw) == ["坚持“严管就是厚爱”，严格推行廉政谈话、提醒谈话等制度，对发现的苗头性问题及时提醒。"]


def test_latin_words_split_across_lines_get_a_space():
    raw = "The court held a meeting on the new working rules for\nall staff members。"
    assert normalize(raw).text == "The court held a meeting on the new working rules for all staff members。"


def test_output_shape():
    text = normalize("\n\n  第一段。 \r\n\r\n\n第二段。\u2028第三段。\n\n").text
    assert text == "第一段。\n第二段。\n第三段。"


# --- offsets ------------------------------------------------------------------------


def test_offsets_point_at_the_raw_characters():
    raw = "  院党组集中学习 ６２ 次，\n召开民主生活会。"
    result = normalize(raw)
    assert result.text == "院党组集中学习62次，召开民主生活会。"
    for i, ch in enumerate(result.text):
        source = raw[result.to_raw(i)]
        assert source == ch or (ch.isdigit() and source in "６２")
    assert result.to_raw(len(result.text)) == len(raw)
    start = result.text.index("62")
    assert raw[slice(*result.span_to_raw(start, start + 2))] == "６２"


def test_offsets_of_collapsed_caption_point_at_first_copy():
    raw = "正文第一段。\n市法院市法院““道德讲堂道德讲堂””"
    result = normalize(raw)
    caption_start = result.text.index("市法院“")
    assert result.to_raw(caption_start) == raw.index("市法院市法院")


def test_to_raw_rejects_out_of_range():
    result = normalize("文明单位。")
    with pytest.raises(IndexError):
        result.to_raw(len(result.text) + 1)


# --- the seeds ------------------------------------------------------------------------


def _is_sentence_end(paragraph: str) -> bool:
    return paragraph.rstrip(CLOSERS)[-1:] in tuple(SENTENCE_END)


def test_seed_000_has_no_line_break_inside_a_sentence():
    for paragraph in paragraphs(seed("000")):
        assert _is_sentence_end(paragraph) or len(paragraph) <= 30, paragraph


def test_seed_000_layout_breaks_are_joined():
    text = normalize(seed("000")).text
    # Each of these crossed a line break, some a blank line, in the raw text.
    for phrase in (
        "2016年度全省法院系统信息化工作先进集体",
        "院党组集中学习62次，召开民主生活会6次",
        "引导干警牢固树立正确的世界观",
        "使之成为全体干警的价值追求和行动指南",
        "强力推动文明单位创建工作再上新的台阶。",
    ):
        assert phrase in text


def test_seed_000_doubled_captions_appear_once():
    text = normalize(seed("000")).text
    assert text.count("市法院“道德讲堂”活动现场") == 1
    assert "市法院市法院" not in text
    assert "活动现场活动现场" not in text
    assert "精准扶贫工作得到认可" in text.split("\n")


def test_seed_001_letter_spacing_and_wrapping():
    text = normalize(seed("001")).text
    assert "省教育厅、省总工会等单位授予" in text
    assert "翻阅青海省高级人民法院70载发展史册，艰辛与奋斗同频、奉献与成就同辉。" in text.split("\n")


@pytest.mark.parametrize(
    ("prefix", "chrome"),
    [
        ("003", ["您当前的位置", "来源:", "编辑:", "网群", "Copyright", "All Rights Reserved", "版权所有", "地址:", "备案号"]),
        ("004", ["欢迎光临", "当前位置", "网站首页", "作者:", "阅读:"]),
    ],
)
def test_seed_web_boilerplate_is_gone(prefix, chrome):
    result = paragraphs(seed(prefix))
    text = "\n".join(result)
    for fragment in chrome:
        assert fragment not in text
    assert result[0] in ("薛城区人民法院“三心”系天平强化基层党建工作", "2013—2014年度省级文明单位创建工作总结")
    assert text.count(result[0]) == 1


def test_keep_boilerplate_keeps_bylines_as_own_paragraphs():
    result = normalize(seed("004"), keep_boilerplate=True).text.split("\n")
    assert "作者: ltfyyjs时间:2014-11-03阅读:1042" in result


def test_a_report_pasted_three_times_keeps_its_short_lines_while_running_headers_go():
    report = "荣誉榜单：\n2019年度全国法院先进集体。\n一、加强组织领导\n院党组专题研究文明创建工作3次。"
    kept = paragraphs("\n".join([report] * 3))
    assert "荣誉榜单：" in kept and "一、加强组织领导" in kept
    body = "\n".join(f"第{{i}}页第{j}段，记录审判执行工作第{j}项进展情况。" for j in range(1, 7))
    pages = [f"某某法院工作简报\n{body.format(i=i)}" for i in range(1, 5)]
    assert "某某法院工作简报" not in paragraphs("\n".join(pages))


# --- one normalization per document ---------------------------------------------------


def _samples() -> list[str]:
    corpus = sorted((SEEDS.parent / "eval" / "corpus").glob("*.txt"))
    web = "\n".join(["网站首页 > 新闻中心 > 工作动态", "某某法院开展文明创建活动", "作者: 张三 来源: 本院 时间: 2020-01-02",
                     "院党组专题研究文明创建工作，", "部署全年任务。", "Copyright © 2020 某某法院 版权所有", "ICP备12345号"])
    wrapped = "\n".join(["院党组把文明创建工作纳入全院工作总体布局，与审判执行工作同部署、同落"] * 8)
    # No line is chrome until two are joined (…首页>新闻…: a breadcrumb): the body and the
    # text with bylines part only in a confirming pass.
    joined = "青海法院的本站，首页\n> 新闻动态\n正文第一段讲述了法院的工作。\n"
    samples = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")) + corpus[:40]]
    return samples + [web, wrapped, joined, ""]


def test_normalize_document_gives_both_texts_of_normalize():
    from scorer.ingest.normalize import normalize_document

    for raw in _samples():
        body, with_bylines = normalize_document(raw)
        assert body == normalize(raw)
        assert with_bylines == normalize(raw, keep_boilerplate=True)


def test_a_document_is_read_once(monkeypatch, tmp_path):
    """Loading a file or a text reads its characters (cleanup, script conversion) once."""
    from scorer.engine import document_from_text
    from scorer.ingest import load_document
    from scorer.ingest import normalize as module

    calls = []
    real = module.to_simplified
    monkeypatch.setattr(module, "to_simplified", lambda text, offs: calls.append(1) or real(text, offs))
    raw = seed("004")
    document_from_text(raw)
    assert len(calls) == 1
    path = tmp_path / "report.txt"
    path.write_text(raw, encoding="utf-8")
    load_document(path)
    assert len(calls) == 2


def test_boilerplate_lines_are_those_holding_a_trigger_word():
    """boilerplate_indices finds trigger words in one pass over the joined, lowercased lines; it
    must pick exactly the lines that hold a trigger word and are boilerplate, also after a line
    with "İ" (which lowercases to two characters and once shifted every later match)."""
    import random

    from scorer.ingest import boilerplate

    def line_by_line(lines):
        return {i for i, line in enumerate(lines)
                if any(w in line.lower() for w in boilerplate._TRIGGER_WORDS) and boilerplate.is_boilerplate(line)}

    rng = random.Random(3)
    words = boilerplate._TRIGGER_WORDS + ["：", ":", " ", "2020", "法院", "工作", "。", "责", "COPYRIGHT", "İ", "İİİ", "ICP"]
    for _ in range(2000):
        lines = ["".join(rng.choice(words) for _ in range(rng.randint(1, 6))) for _ in range(rng.randint(1, 8))]
        assert boilerplate.boilerplate_indices(lines) == line_by_line(lines), lines
    # The byline after a line of "İ" is found as that line's (it was credited to the next line).
    lines = ["İ" * 30, "责任编辑：张三", "我院开展志愿服务活动工作情况总结"]
    assert boilerplate.boilerplate_indices(lines) == {1}


def test_flattened_ruby_readings_are_dropped_with_offsets_kept():
    # A 繁體 page whose ruby pinyin was flattened into the text (eval/corpus/315.txt).
    raw = "本報(bào)訊 為貫徹落實(shí)北鎮(zhèn)市委部署，北鎮市人民法院組織黨員幹警（李娇）走進社區(a)。"
    text = normalize_document(raw)[0].text
    assert "(bào)" not in text and "落实北镇市委" in text
    assert "（李娇）" in text and "(a)" in text  # brackets without a toned syllable stay
    n = normalize_document(raw)[0]
    i = n.text.index("北镇市委")
    assert raw[n.to_raw(i)] == "北"


def test_a_ruby_page_names_its_unit():
    doc = load_document(ROOT / "eval" / "corpus" / "315.txt")
    assert doc.meta.unit == "北镇市人民法院" and "报道" in doc.text
