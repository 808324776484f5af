"""A realistic, hand-made `ScoreResult` for the scorecard tests and the PDF benchmark.

The text is seed 000 (a court's 文明单位 report) lightly normalized: the lines of a
paragraph joined, paragraphs separated by a blank line. Every evidence sentence and
every matched term is located in that text, so `result.text[e.start:e.end] == e.text`
holds exactly as it does for the engine's output.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from scorer import __version__
from scorer.result import (
    BonusResult,
    CriterionResult,
    DimensionResult,
    Evidence,
    Match,
    Missing,
    RubricInfo,
    ScoreResult,
    Span,
    SubmissionInfo,
    VetoHit,
)

ROOT = Path(__file__).resolve().parent.parent
SEED = next(iter(sorted((ROOT / "seeds").glob("000_*.txt"))))

UNIT = "青海省海西州格尔木市人民法院"
TITLE = "擎起文明司法一面旗——青海省海西州格尔木市人民法院文明单位创建纪实"

_SENTENCE_END = "。！？；"


def normalized_text(raw: str) -> str:
    paras = ["".join(line.strip() for line in block.splitlines()) for block in raw.split("\n\n")]
    return "\n\n".join(p for p in paras if p)


class _Text:
    def __init__(self, text: str):
        self.text = text
        self.para_starts = [0] + [m.end() for m in re.finditer("\n\n", text)]

    def paragraph(self, pos: int) -> int:
        n = 0
        for i, start in enumerate(self.para_starts):
            if start <= pos:
                n = i + 1
        return n

    def sentence(self, needle: str) -> tuple[int, int]:
        at = self.text.find(needle)
        if at < 0:
            raise ValueError(f"not in the seed: {needle!r}")
        start = at
        while start > 0 and self.text[start - 1] not in _SENTENCE_END and self.text[start - 1] != "\n":
            start -= 1
        end = at + len(needle)
        while end < len(self.text) and self.text[end - 1] not in _SENTENCE_END and self.text[end] != "\n":
            end += 1
        return start, end

    def evidence(self, needle: str, terms: list[str], rule: str) -> Evidence:
        start, end = self.sentence(needle)
        sentence = self.text[start:end]
        spans = []
        for term in terms:
            i = sentence.find(term)
            if i < 0:
                raise ValueError(f"term {term!r} not in {sentence!r}")
            spans.append(Span(text=term, start=start + i, end=start + i + len(term), term=term))
        spans.sort(key=lambda s: s.start)
        return Evidence(
            text=sentence, start=start, end=end, matches=[_match(rule, spans)], paragraph=self.paragraph(start),
            terms=spans,
        )


def _match(rule: str, spans=()) -> Match:
    """`keywords:党建` → a keywords match labelled 党建."""
    kind, _, label = rule.partition(":")
    return Match(rule=f"sample#{kind}", type=kind, label=label, terms=list(spans), note="、".join(s.term for s in spans))


def _level(satisfaction: float) -> str:
    for name, floor in (("A", 0.85), ("B", 0.6), ("C", 0.3)):
        if satisfaction >= floor:
            return name
    return "D"


def _criterion(cid, name, points, satisfaction, evidence=(), missing=(), hint="") -> CriterionResult:
    return CriterionResult(
        id=cid,
        name=name,
        score=round(points * satisfaction, 1),
        max=points,
        level=_level(satisfaction),
        satisfaction=satisfaction,
        evidence=list(evidence),
        missing=[Missing(label=m, status="absent") for m in missing],
        hint=hint,
    )


def _dimension(did, name, criteria) -> DimensionResult:
    return DimensionResult(
        id=did,
        name=name,
        score=round(sum(c.score for c in criteria), 1),
        max=sum(c.max for c in criteria),
        criteria=criteria,
    )


def build_sample(*, vetoed: bool = True, extra_paragraph: str | None = None, unit: str = UNIT,
                 title: str | None = TITLE) -> ScoreResult:
    """The sample result. `extra_paragraph` is appended to the text and quoted as the
    first evidence of the first criterion (the safety tests put hostile markup there)."""
    raw = SEED.read_text(encoding="utf-8")
    text = normalized_text(raw)
    if extra_paragraph is not None:
        text += "\n\n" + extra_paragraph
    t = _Text(text)
    ev = t.evidence

    lead_first = [ev("全面加强党组、党支部及团支部建设", ["党支部", "战斗堡垒", "先锋模范"], "keywords:基层党组织建设")]
    if extra_paragraph is not None:
        start = len(text) - len(extra_paragraph)
        lead_first.insert(0, Evidence(text=extra_paragraph, start=start, end=len(text), matches=[_match("keywords:党建")],
                                      paragraph=t.paragraph(start), terms=[]))

    leadership = _dimension("leadership", "党建与组织领导", [
        _criterion("leadership.party", "基层党组织建设", 8, 0.9, lead_first + [
            ev("每季度组织党组成员集中学习不少于3次", ["党组", "集中学习"], "quantity:党组学习"),
        ]),
        _criterion("leadership.organization", "创建工作组织领导", 9, 1.0, [
            ev("做到组织领导落实、研究部署落实", ["文明单位创建", "组织领导"], "cooccur:创建+领导"),
            ev("专题研究文明单位创建工作3次", ["民主生活会", "文明单位创建"], "quantity:专题研究创建"),
            ev("成立了以院党组书记、院长为组长", ["领导小组", "文化建设规划"], "keywords:领导小组"),
            ev("实行一岗双责，落实党风廉政建设目标责任制", ["一岗双责", "目标责任制"], "keywords:责任制"),
            ev("严格落实防止干预司法“三个规定”", ["三个规定"], "keywords:制度落实"),
        ]),
        _criterion("leadership.integrity", "党风廉政建设", 8, 0.7, [
            ev("加强党风廉政教育、监督和制度建设", ["党风廉政", "主体责任", "一岗双责"], "keywords:党风廉政"),
        ], missing=["廉政风险防控台账"]),
    ])
    culture = _dimension("culture", "法院文化建设", [
        _criterion("culture.spirit", "法院精神培育", 7, 0.9, [
            ev("的价值追求和行动指南、精心培育法院精神内核", ["法院精神"], "keywords:法院精神"),
        ]),
        _criterion("culture.venues", "文化阵地与文体活动", 7, 0.8, [
            ev("以院史馆、健身房、阅览室、道德讲堂为主要载体", ["院史馆", "阅览室", "道德讲堂"], "keywords:文化阵地"),
            ev("举行“我们的节日”“送法进校园”", ["我们的节日", "文体比赛"], "keywords:文体活动"),
        ]),
        _criterion("culture.environment", "机关环境建设", 6, 0.6, [
            ev("建起了职工食堂、健身房、宿舍", ["职工食堂", "绿化达标"], "keywords:环境建设"),
        ], missing=["文明创建宣传阵地"]),
    ])
    education = _dimension("education", "思想道德教育与学习培训", [
        _criterion("education.values", "理想信念与警示教育", 8, 0.9, [
            ev("共邀请专家讲座3次、开展各类警示教育活动13次", ["专家讲座", "警示教育"], "quantity:教育活动"),
            ev("以培育和践行社会主义核心价值观为根本", ["社会主义核心价值观", "两学一做"], "keywords:理想信念"),
        ]),
        _criterion("education.moral", "道德讲堂", 6, 0.8, [
            ev("等主题开展一系列道德讲堂活动", ["道德讲堂"], "keywords:道德讲堂"),
            ev("通过身边人说身边事", ["社会公德", "职业道德", "家庭美德", "个人品德"], "keywords:四德教育"),
        ]),
        _criterion("education.training", "学习培训档案", 6, 0.0, [],
                   missing=["年度学习培训计划", "培训考核结果"],
                   hint="写明年度学习培训计划、培训期数、参训人次和考核结果，并附培训档案。"),
    ])
    volunteer = _dimension("volunteer", "志愿服务与社会帮扶", [
        _criterion("volunteer.team", "志愿服务队伍与活动", 5, 0.9, [
            ev("格尔木市人民法院志愿者服务队先后到城镇社区", ["志愿者服务队", "送法活动"], "keywords:志愿服务"),
            ev("党员志愿者迅速行动起来", ["党员志愿者", "微心愿"], "keywords:志愿服务"),
        ]),
        _criterion("volunteer.aid", "结对帮扶成效", 6, 1.0, [
            ev("志愿者服务队为帮扶对象共投入扶贫资金", ["扶贫资金", "捐款"], "quantity:帮扶资金"),
            ev("派驻东村的驻村干部为该村争取到了", ["驻村干部", "帮扶资金"], "quantity:帮扶资金"),
        ]),
        _criterion("volunteer.system", "志愿服务制度化", 4, 0.0, [],
                   missing=["志愿服务登记制度", "服务时长记录"],
                   hint="说明志愿者注册人数、志愿服务登记与时长记录制度，以及年度服务次数。"),
    ])
    judicial = _dimension("judicial", "审判执行与司法为民", [
        _criterion("judicial.caseload", "审判执行质效", 8, 0.8, [
            ev("共受理各类案件16574件", ["受理", "结案"], "quantity:结案"),
        ], missing=["结案率、调解撤诉率等质效指标"]),
        _criterion("judicial.service", "诉讼服务与司法便民", 7, 0.9, [
            ev("建成了以“电子卷宗+线上流转+电子送达+庭审直播”为特征", ["司法为民", "电子送达", "智慧诉服"],
               "keywords:诉讼服务"),
        ]),
        _criterion("judicial.enforcement", "执行工作", 5, 0.8, [
            ev("始终把执行工作摆在重要位置", ["执行工作", "限制高消费", "司法拘留"], "keywords:执行"),
        ]),
    ])
    dimensions = [leadership, culture, education, volunteer, judicial]

    bonus_items = [
        _criterion("bonus.honours", "国家级、省级荣誉表彰", 3, 1.0, [
            ev("共获得国家级奖6项", ["国家级奖", "省级"], "quantity:荣誉"),
        ]),
        _criterion("bonus.poverty", "精准扶贫特色做法", 2, 0.5, [
            ev("每年都到郭镇盐桥村看望两户精准扶贫户", ["精准扶贫"], "keywords:精准扶贫"),
        ]),
    ]
    bonus = BonusResult(name="特色工作", score=round(sum(i.score for i in bonus_items), 1), max=5,
                        items=bonus_items)

    vetoes = []
    if vetoed:
        start, end = t.sentence("开展法院队伍时有发生违纪违法问题")
        vetoes.append(VetoHit(id="veto.discipline", name="干警违纪违法受到查处", text=text[start:end],
                              start=start, end=end, match=_match("keywords:违纪违法")))

    base = round(sum(d.score for d in dimensions), 1)
    max_base = sum(d.max for d in dimensions)
    total = round(base + bonus.score, 1)
    if vetoed:
        grade, tier = "不合格（一票否决）", "veto"
    else:
        grade, tier = next((name, tier) for name, floor, tier in (
            ("优秀", 90, "excellent"), ("良好", 75, "good"), ("合格", 60, "pass"), ("不合格", 0, "fail"))
            if total >= floor)
    raw_bytes = SEED.read_bytes()
    return ScoreResult(
        submission=SubmissionInfo(
            path=str(SEED.relative_to(ROOT)),
            sha256=hashlib.sha256(raw_bytes).hexdigest(),
            chars=len(text),
            bytes=len(raw_bytes),
            format="txt",
            title=title,
            unit=unit,
            date=None,
            author="李美德",
        ),
        rubric=RubricInfo(
            id="court",
            version="2024.1",
            sha256=hashlib.sha256(b"civscore sample rubric court 2024.1").hexdigest(),
            title="人民法院文明单位创建申报材料评分标准",
            path="rubric/court.yaml",
        ),
        tool_version=__version__,
        total=total,
        base=base,
        max_total=max_base + bonus.max,
        max_base=max_base,
        grade=grade,
        tier=tier,
        vetoed=vetoed,
        dimensions=dimensions,
        bonus=bonus,
        vetoes=vetoes,
        text=text,
    )


def check_offsets(result: ScoreResult) -> None:
    """The schema's promise: every start/end slices `result.text` to the quoted text."""
    items = [c for d in result.dimensions for c in d.criteria] + list(result.bonus.items)
    for c in items:
        for e in c.evidence:
            assert result.text[e.start:e.end] == e.text, (c.id, e.text)
            for s in e.terms:
                assert result.text[s.start:s.end] == s.text, (c.id, s.text)
                assert e.start <= s.start and s.end <= e.end
    for v in result.vetoes:
        assert result.text[v.start:v.end] == v.text


# ---- helpers for the PDF tests ---------------------------------------------------------

def pdf_text(pdf_path: Path) -> str:
    """The PDF's text as pdftotext extracts it (pypdf when poppler is not installed)."""
    import shutil
    import subprocess

    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf_path), "-"], check=True,
                              capture_output=True, text=True).stdout
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(str(pdf_path)).pages)


def squash(text: str) -> str:
    """Whitespace removed: pdftotext breaks lines (and letter-spaced headings) anywhere."""
    return re.sub(r"\s+", "", text)


def pdffonts(pdf_path: Path) -> list[dict]:
    """`pdffonts` rows as dicts (name, type, emb)."""
    import subprocess

    out = subprocess.run(["pdffonts", str(pdf_path)], check=True, capture_output=True, text=True).stdout
    lines = out.splitlines()
    header, rule = lines[0], lines[1]
    # Columns are fixed-width; the rule line of dashes marks them.
    cols = [(m.start(), m.end()) for m in re.finditer(r"-+", rule)]
    names = [header[a:b].strip() or header[a:].split()[0] for a, b in cols]
    rows = []
    for line in lines[2:]:
        cells = [line[a:b if i < len(cols) - 1 else None].strip() for i, (a, b) in enumerate(cols)]
        rows.append(dict(zip(names, cells)))
    return rows
