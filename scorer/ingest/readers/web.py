"""HTML (.html/.htm): the article text of a saved web page, without the site around it.

Court reports are often submitted as saved news pages. We drop the site's chrome
(nav, header, footer, aside, scripts, and elements whose class/id says nav, menu,
footer, breadcrumb, copyright …), then keep the densest block: the element holding
most of the remaining non-link text, descending while one child holds nearly all
of it. The article's <h1> is kept when it sits outside that block (often inside a
<header> we drop), since it is usually the report title. Block elements and <br> become line breaks; inline
whitespace collapses as a browser would.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from . import RawText, ReadProblem
from .plain import decode_text

_DROP_TAGS = frozenset(
    "script style noscript template iframe svg canvas form button select "
    "nav header footer aside menu".split()
)
_CHROME_NAME = re.compile(
    r"nav|menu|footer|foot\b|breadcrumb|crumb|copyright|sidebar|banner|topbar|toolbar|share|"
    r"position|location|weizhi|daohang|banquan",
    re.IGNORECASE,
)
_BLOCK_TAGS = frozenset(
    "p div br h1 h2 h3 h4 h5 h6 li ul ol tr td th table section article main blockquote pre "
    "dd dt dl figcaption figure caption hr center address".split()
)
_CONTAINERS = frozenset("body div section article main td center".split())
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\n\f]+")
_MARK = "\x00"  # block boundary; NUL never survives HTML parsing as text

# A child holding this share of its parent's text is "the same block, tighter".
_DESCEND_SHARE = 0.8


def read_html(data: bytes) -> RawText:
    text, encoding = _decode(data)
    tree = LexborHTMLParser(text.replace(_MARK, ""))
    root = tree.body or tree.root
    if root is None:
        raise ReadProblem("the HTML page has no body")
    title = _title(tree)
    _drop_chrome(root)
    block = _densest_block(root)
    block_text = _SPACES.sub(" ", block.text(deep=True))
    lines = _block_lines(block)
    if title and title not in block_text:
        lines.insert(0, title)
    return RawText("\n".join(lines), encoding)


def _decode(data: bytes) -> tuple[str, str]:
    declared = _META_CHARSET.search(data[:4096])
    if declared and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        name = declared.group(1).decode("ascii").lower()
        name = "gb18030" if name in {"gb2312", "gbk", "gb_2312-80", "x-gbk"} else name
        try:
            return data.decode(name), name
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration is common; fall back to detection
    return decode_text(data)


def _drop_chrome(root: LexborNode) -> None:
    """Remove site chrome. Only top-most matches are removed: decompose() frees the
    subtree, so touching a descendant afterwards would use freed memory."""
    doomed = []
    stack = list(root.iter())
    while stack:
        node = stack.pop()
        names = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if node.tag in _DROP_TAGS or _CHROME_NAME.search(names):
            doomed.append(node)
        else:
            stack.extend(node.iter())
    for node in doomed:
        node.decompose()


def _text_weight(node: LexborNode) -> int:
    """Non-space characters of text outside links: how much article text a node holds."""
    total = len(_SPACES.sub("", node.text(deep=True)))
    links = sum(len(_SPACES.sub("", a.text(deep=True))) for a in node.css("a"))
    return max(total - links, 0)


def _densest_block(root: LexborNode) -> LexborNode:
    node, weight = root, _text_weight(root)
    while weight:
        children = [c for c in node.iter() if c.tag in _CONTAINERS]
        best = max(children, key=_text_weight, default=None)
        if best is None:
            break
        best_weight = _text_weight(best)
        if best_weight < _DESCEND_SHARE * weight:
            break
        node, weight = best, best_weight
    return node


def _block_lines(block: LexborNode) -> list[str]:
    """Text of the block with one line per block-level element."""
    for node in block.css(", ".join(sorted(_BLOCK_TAGS))):
        node.insert_after(_MARK)
        if node.tag != "br":
            node.insert_before(_MARK)
    text = block.text(deep=True)
    lines = (_SPACES.sub(" ", part).strip() for part in text.split(_MARK))
    return [line for line in lines if line]


def _title(tree: LexborHTMLParser) -> str | None:
    """The article's <h1>: one inside <article>/<main>, else one outside site chrome."""
    fallback = None
    for node in tree.css("h1"):
        title = _SPACES.sub(" ", node.text(deep=True)).strip()
        if not title:
            continue
        ancestors = _ancestor_tags(node)
        if ancestors & {"article", "main"}:
            return title
        if fallback is None and not ancestors & _DROP_TAGS:
            fallback = title
    return fallback


def _ancestor_tags(node: LexborNode) -> set[str]:
    tags = set()
    parent = node.parent
    while parent is not None:
        tags.add(parent.tag)
        parent = parent.parent
    return tags
