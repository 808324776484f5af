"""Title, unit, date and author of the seed reports, and the rules behind them."""

from __future__ import annotations

from pathlib import Path

import pytest

from scorer.ingest import load_document
from scorer.ingest.metadata import extract_metadata

EVAL_CORPUS = Path(__file__).resolve().parent.parent / "eval" / "corpus"
SEEDS = {p.name[:3]: p for p in sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))}


@pytest.fixture(scope="module")
def meta():
    return {key: load_document(path).meta for key, path in SEEDS.items()}


@pytest.mark.parametrize(
    ("key", "unit", "title"),
    [
        ("000", "青海省海西州格尔木市人民法院", "擎起文明司法一面旗——青海省海西州格尔木市人民法院文明单位创建纪实"),
        ("001", "青海省高级人民法院", "秉公执法润文明——青海省高级人民法院创建省级文明单位纪实"),
        ("002", "鄂尔多斯市鄂托克旗人民法院", "党旗飞扬激励奋进勤政为民尽展光辉——鄂尔多斯市鄂托克旗人民法院打造“红色领航·安睦隆”党建品牌工作纪实"),
        ("003", "薛城区人民法院", "薛城区人民法院“三心”系天平强化基层党建工作"),
        ("004", "黄冈市罗田县人民法院", "2013—2014年度省级文明单位创建工作总结"),
    ],
)
def test_seed_unit_and_title(meta, key, unit, title):
    assert meta[key].unit == unit
    assert meta[key].title == title


@pytest.mark.parametrize(("key", "date"), [("003", "2017-07-14"), ("004", "2014-11-03"), ("000", None)])
def test_seed_dates(meta, key, date):
    assert meta[key].date == date


@pytest.mark.parametrize(("key", "author"), [("000", "李美德"), ("002", "李娇"), ("003", "陈平"), ("004", "ltfyyjs")])
def test_seed_authors(meta, key, author):
    assert meta[key].author == author


@pytest.mark.parametrize(
    ("closing", "date"),
    [
        ("二〇一九年十二月五日", "2019-12-05"),
        ("一四年十一月三日", "2014-11-03"),
        ("青海省高级人民法院\n2020年1月31日", "2020-01-31"),
        ("二〇一九年十三月五日", None),
    ],
)
def test_closing_dates(closing, date):
    text = f"文明单位创建工作总结\n一年来，我院扎实开展文明创建工作，成效明显。\n{closing}"
    assert extract_metadata(text).date == date


def test_labelled_date_beats_closing_date():
    text = "工作总结\n发布时间：2019-05-06 10:20\n正文内容。\n2019年4月30日"
    assert extract_metadata(text).date == "2019-05-06"


def test_unit_prefers_fullest_form_and_trims_prose():
    text = (
        "以下简称格尔木市人民法院的工作\n"
        "近年来，格尔木市人民法院扎实工作。翻阅青海省海西州格尔木市人民法院的发展史册，与格尔木市人民法院同行。"
    )
    assert extract_metadata(text).unit == "青海省海西州格尔木市人民法院"


@pytest.mark.parametrize(
    ("file", "unit"),
    [
        ("033.txt", "蓬溪县人民法院"),  # …对蓬溪法院长所作的蓬溪县人民法院…
        ("285.txt", "延吉市人民法院"),  # …公开审理案件是延吉市人民法院…
        ("356.txt", "互助县人民法院"),  # 原来他们是互助县人民法院…
    ],
)
def test_prose_before_a_unit_name_is_cut_at_its_last_function_word(file, unit):
    # Real pages whose unit was read with the clause before it (eval/corpus).
    assert load_document(EVAL_CORPUS / file).meta.unit == unit


def test_unit_falls_back_to_other_organisations():
    text = "擎起文明旗帜\n——枣庄市公安局文明单位创建纪实\n近年来，枣庄市公安局深入开展创建活动。"
    assert extract_metadata(text).unit == "枣庄市公安局"


def test_bylines():
    assert extract_metadata("标题在此处\n作者：张三 编辑：李四\n正文。").author == "张三"
    assert extract_metadata("标题在此处\n文/王五\n正文。").author == "王五"
    assert extract_metadata("标题在此处\n正文内容很长。\n（作者：赵六）").author == "赵六"


def test_nothing_to_find():
    assert extract_metadata("") == extract_metadata("。") == type(extract_metadata(""))()


def test_unit_mentions_are_those_finditer_finds():
    """_mentions only tries the unit patterns near an anchor (人民法院, a suffix); it must find what finditer does."""
    import random

    from scorer.ingest import metadata

    rng = random.Random(5)
    pieces = list("青海省西州格尔木市黄冈区县旗人民法院高级中级委员会办公室局厅学校中心公司，。在与的 ab") + [
        "人民法院",
        "中级人民法院",
        "自治区",
        "维吾尔自治区",
        "检察院",
        "欢迎光临",
    ]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        for pattern, suffix in (
            (metadata._COURT, metadata._COURT_ANCHOR),
            (metadata._OTHER_UNIT, metadata._OTHER_ANCHOR),
        ):
            got = [m.span() for m in metadata._mentions(pattern, suffix, text)]
            assert got == [m.span() for m in pattern.finditer(text)], text


def test_a_mention_that_stays_prose_is_no_unit():
    # The workbench read "月被市中级人民法院" as a unit out of 今年5月被市中级人民法院评为…
    text = "干警风采\n今年5月被市中级人民法院评为先进集体。"
    assert extract_metadata(text).unit is None
    assert extract_metadata("和平区人民法院开展活动\n和平区人民法院组织干警。").unit == "和平区人民法院"
