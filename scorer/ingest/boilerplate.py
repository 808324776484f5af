"""Recognise lines that are page furniture or website chrome rather than report text.

Lines are matched after character cleanup (NFKC, spaces next to Chinese removed),
so colons may be ":" or "：" and breadcrumb arrows are ASCII ">". Only short lines
qualify: a long paragraph that happens to mention 版权所有 is report text.
"""

from __future__ import annotations

import re
from bisect import bisect_right


from .vocabulary import VOCABULARY

MAX_BOILERPLATE_CHARS = 100
MAX_FOOTER_CHARS = 250  # a whole site footer run into one line

_COLON = "[:：]"

_BREADCRUMB = re.compile(
    rf"^您?(?:当前|现在|所在)?的?位置是?\s*{_COLON}"
    r"|^当前位置"
    r"|首页\s*(?:>|»|›|→|/)"
    r"|>>|»"
)

_SPONSOR = "|".join(VOCABULARY["web_chrome"]["sponsor_labels"])

_BOILERPLATE = re.compile(
    "|".join(
        [
            # Footers.
            r"copyright|all\s*rights\s*reserved|©|版权所有|版权归",
            r"备案号|icp\s*备|icp\s*证|公网安备|网安备",
            rf"^(?:联系)?(?:地址|电话|邮编|传真){_COLON}",
            rf"^(?:e-?mail|邮箱|电子邮箱){_COLON}",
            rf"技术支持{_COLON}|^(?:{_SPONSOR})(?:单位)?{_COLON}",
            r"网群$",
            # Header and page tools.
            r"^欢迎(?:光临|访问|来到)",
            r"打印本页|打印此页|关闭窗口|【打印】|【关闭】|返回顶部|加入收藏|设为首页",
            r"^(?:上一篇|下一篇|上一条|下一条|上一页|下一页)|分享到",
            rf"字号{_COLON}?\s*[大中小]",
            # Article byline: 来源/作者/编辑/时间/阅读 lines.
            rf"(?:来源|稿源|出处){_COLON}.{{0,40}}(?:编辑|作者|时间|日期|发布)",
            rf"^(?:来源|稿源|出处|作者|编辑|责任编辑|责编|审核|审校|校对|供稿|撰稿|摄影|发布者|发布人){_COLON}",
            rf"(?:发布|更新|发表)(?:时间|日期){_COLON}|^(?:时间|日期){_COLON}\s*\d",
            rf"(?:阅读|浏览|点击)(?:次数|量|数|率)?{_COLON}?\s*\d+\s*次?$",
            # A credit line in brackets: "（青海省高级人民法院机关党委供稿）", "(通讯员 张三 李四)".
            r"^[（(][^（）()]{0,40}(?:供稿|撰稿|来稿|通讯员|记者|摄影|编辑|作者)[^（）()]{0,16}[）)]$",
        ]
    ),
    re.IGNORECASE,
)

_FOOTER_MARKER = re.compile(
    r"copyright|all\s*rights\s*reserved|©|版权所有|备案号|icp\s*备|icp\s*证|公网安备|技术支持", re.IGNORECASE
)

_PAGE_NOISE = re.compile(
    r"^[-—–~_\s]*\d{1,4}[-—–~_\s]*$"  # 3, - 3 -, —3—
    r"|^第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?$"  # 第 3 页 共 8 页
    r"|^共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页$"
    r"|^\d{1,4}\s*/\s*\d{1,4}$"  # 3 / 8
    r"|^page\s*\d{1,4}(?:\s*of\s*\d{1,4})?$",
    re.IGNORECASE,
)


def is_breadcrumb(line: str) -> bool:
    """"您当前的位置是：首页 > 政法 > 法院" and the like."""
    if len(line) > MAX_BOILERPLATE_CHARS:
        return False
    return bool(_BREADCRUMB.search(line)) or (line.count(">") >= 2 and "。" not in line)


def is_boilerplate(line: str) -> bool:
    """Website chrome: breadcrumbs, bylines, footers, page tools.

    A longer line still counts when it carries two different footer markers
    (Copyright … 版权所有 … ICP备): one footer element flattened into one line.
    """
    if len(line) > MAX_BOILERPLATE_CHARS:
        if len(line) > MAX_FOOTER_CHARS:
            return False
        markers = {m.group().lower() for m in _FOOTER_MARKER.finditer(line)}
        return len(markers) >= 2
    return is_breadcrumb(line) or bool(_BOILERPLATE.search(line))


# Every pattern above contains one of these words; one pass over the whole text finds
# the few lines worth the full regex check (matched lowercased).
_TRIGGER_WORDS = (
    "copyright rights © 版权 备案 icp 网安备 地址 电话 邮编 传真 mail 邮箱 技术支持 "
    "网群 欢迎 打印 关闭 返回顶部 收藏 首页 上一 下一 分享 字号 来源 稿源 出处 作者 编辑 责编 审核 "
    "审校 校对 供稿 撰稿 摄影 发布 时间 日期 阅读 浏览 点击 位置 > »"
).split() + list(VOCABULARY["web_chrome"]["sponsor_labels"])


# The trigger words as one regex (no word holds a line break, so a match lies inside one line).
_TRIGGER_RE = re.compile("|".join(map(re.escape, _TRIGGER_WORDS)))


def boilerplate_indices(lines: list[str]) -> set[int]:
    """Indices of the lines that are website chrome (see is_boilerplate)."""
    # Each line lowercased on its own and placed by its lowercased length: "İ" lowercases to two
    # characters, and placing matches by the original lengths credited a trigger word after one
    # to the wrong line.
    lowered = [line.lower() for line in lines]
    starts = []
    pos = 0
    for line in lowered:
        starts.append(pos)
        pos += len(line) + 1
    ends = [m.end() - 1 for m in _TRIGGER_RE.finditer("\n".join(lowered))]
    candidates = {bisect_right(starts, end) - 1 for end in ends}
    return {i for i in candidates if is_boilerplate(lines[i])}


def is_page_noise(line: str) -> bool:
    """Page numbers in their usual print forms."""
    return len(line) <= 30 and bool(_PAGE_NOISE.match(line))
