"""HTML (.html/.htm): the article text of a saved web page, without the site around it.

Court reports are often submitted as saved news pages. We drop the site's chrome
(nav, header, footer, aside, scripts, and elements whose class/id says nav, menu,
footer, breadcrumb, copyright …), then keep the densest block: the element holding
most of the remaining non-link text, descending while one child holds nearly all
of it. The article's <h1> is kept when it sits outside that block (often inside a
<header> we drop), since it is usually the report title. Block elements and <br> become line breaks; inline
whitespace collapses as a browser would.

Two things are settled before anything is parsed or kept:

- Budgets. lexbor's tree builder is quadratic in nesting depth (100,000 nested
  <div> took minutes), so a linear scan of the tags first counts elements and
  tracks nesting, and the page is refused past max_depth or max_elements.
- What a reader would not see is not text. Elements hidden by the `hidden`
  attribute, aria-hidden="true", or by CSS, inline or in a <style> sheet
  (display:none, visibility:hidden, opacity:0, font-size:0, transparent colour,
  off-screen positioning, zero-size clipping) are removed, and their characters
  counted in RawText.hidden_chars. Stylesheets are parsed with tinycss2 and
  their selectors matched by lexbor; rules for :hover and the like, and
  @media print, are not applied.
"""

from __future__ import annotations

import re

import tinycss2
from charset_normalizer.md import mess_ratio
from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from ..limits import CharBudget, Limits, OverLimit
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


def read_html(data: bytes, limits: Limits | None = None) -> RawText:
    limits = limits or Limits()
    text, encoding = _decode(data)
    text = text.replace(_MARK, "")
    check_structure(text, limits)
    tree = LexborHTMLParser(text)
    root = tree.body or tree.root
    if root is None:
        raise ReadProblem("input.html-no-body")
    hidden = _drop_hidden(tree, root)
    title = _title(tree)
    _drop_chrome(root)
    block = _densest_block(root)
    block_text = _SPACES.sub(" ", block.text(deep=True))
    CharBudget(limits.max_chars, "the HTML page").take(len(block_text))
    lines = _block_lines(block)
    if title and title not in block_text:
        lines.insert(0, title)
    return RawText("\n".join(lines), encoding, hidden_chars=hidden)


# --- decoding -----------------------------------------------------------------

_UTF8_NAMES = {"utf-8", "utf8", "unicode-1-1-utf-8"}
_MESS_SAMPLE = 20_000  # characters of each candidate decoding compared for mojibake
_MESS_MARGIN = 0.05


def _decode(data: bytes) -> tuple[str, str]:
    """The declared charset unless the bytes say otherwise.

    Pages are often saved as UTF-8 while still declaring the site's old charset
    (iso-8859-1, gb2312). Valid UTF-8 with non-ASCII bytes is UTF-8 whatever the
    page claims; otherwise detection overrules a declaration whose decoding is
    clearly more garbled (charset-normalizer's mess ratio).
    """
    declared = _META_CHARSET.search(data[:4096])
    if declared and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        name = declared.group(1).decode("ascii").lower()
        name = "gb18030" if name in {"gb2312", "gbk", "gb_2312-80", "x-gbk"} else name
        try:
            text = data.decode(name)
        except (LookupError, UnicodeDecodeError):
            return decode_text(data)  # a wrong declaration is common; fall back to detection
        if name in _UTF8_NAMES or data.isascii():
            return text, name
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
        try:
            detected, detected_name = decode_text(data)
        except ReadProblem:
            return text, name
        if detected_name != name and mess_ratio(detected[:_MESS_SAMPLE]) + _MESS_MARGIN < mess_ratio(
            text[:_MESS_SAMPLE]
        ):
            return detected, detected_name
        return text, name
    return decode_text(data)


# --- budgets before parsing ---------------------------------------------------

_TAG = re.compile(r"<(?:(!--)|(/?)([A-Za-z][A-Za-z0-9:-]*)([^<>]*)>)")
_VOID = frozenset("area base br col embed hr img input keygen link meta param source track wbr".split())
# Elements the parser closes by itself (a <p> ends at the next <p>, a <td> at the next
# <td>): they never nest by themselves, so they are not counted as depth.
_SELF_CLOSING_FAMILY = frozenset(
    "p li dt dd option optgroup rb rt rtc rp tr td th tbody thead tfoot caption colgroup".split()
)
_RAW_TEXT = frozenset("script style textarea title xmp iframe noembed noframes".split())
_RAW_TEXT_END = {name: re.compile(f"</{name}", re.IGNORECASE) for name in _RAW_TEXT}


def _comment_end(text: str, start: int) -> int:
    """Where a comment whose body starts at `start` ends; -1 if it runs to the end.

    "<!-->" and "<!--->" are complete (empty) comments, and "--!>" closes one too:
    a scan that looked only for "-->" would skip real tags an attacker put there.
    """
    if text.startswith(">", start):
        return start + 1
    if text.startswith("->", start):
        return start + 2
    ends = [i for i in (text.find("-->", start), text.find("--!>", start)) if i >= 0]
    if not ends:
        return -1
    first = min(ends)
    return first + (3 if text.startswith("-->", first) else 4)


def check_structure(text: str, limits: Limits) -> None:
    """Count elements and track nesting with a linear scan of the tags; OverLimit past a budget.

    An approximation of what the parser will build, erring towards the page: an
    end tag closes everything opened after its start tag, as the parser does for
    ordinary elements, and elements that close themselves are not counted.
    """
    stack: list[str] = []
    open_count: dict[str, int] = {}
    elements = 0
    pos = 0
    search = _TAG.search
    while (m := search(text, pos)) is not None:
        pos = m.end()
        if m.group(1):  # a comment: skip to its end, as the HTML tokenizer does
            pos = _comment_end(text, m.start() + 4)
            if pos < 0:
                break
            continue
        name = m.group(3).lower()
        if m.group(2):  # an end tag
            if open_count.get(name):
                while stack:
                    top = stack.pop()
                    open_count[top] -= 1
                    if top == name:
                        break
            continue
        elements += 1
        if elements > limits.max_elements:
            raise OverLimit("input.limit-html-elements", limit=limits.max_elements)
        if name in _RAW_TEXT:  # its content is text, not tags
            closing = _RAW_TEXT_END[name].search(text, pos)
            if closing is None:
                break
            pos = closing.start()
            continue
        if name in _VOID or name in _SELF_CLOSING_FAMILY:
            continue
        if m.group(4).endswith("/") and (open_count.get("svg") or open_count.get("math")):
            continue  # <path/> in SVG closes itself; in HTML <div/> does not
        stack.append(name)
        open_count[name] = open_count.get(name, 0) + 1
        if len(stack) > limits.max_depth:
            raise OverLimit("input.limit-html-depth", limit=limits.max_depth)


# --- hidden content -----------------------------------------------------------

_HIDDEN_MARK = "data-civscore-hidden"
_NOT_TEXT = frozenset("script style noscript template head title meta link".split())
_DYNAMIC = re.compile(
    r":(?:hover|focus|focus-within|focus-visible|active|visited|target|checked|link|any-link)\b"
    r"|::?(?:before|after|first-line|first-letter|placeholder|selection|marker|backdrop)\b",
    re.IGNORECASE,
)
_ZERO = re.compile(r"^[+-]?0*\.?0+(?:[a-z%]+)?$")
_LENGTH = re.compile(r"^(-?\d+(?:\.\d+)?)(px|pt|em|rem|vw|vh|%|cm|mm|in)?$")
_FAR = {"px": 999, "pt": 750, "em": 60, "rem": 60, "vw": 100, "vh": 100, "%": 100, "cm": 26, "mm": 260, "in": 10, None: 999}
_OFFSETS = ("left", "top", "right", "bottom", "text-indent", "margin-left", "margin-top")
_TRANSPARENT = re.compile(r"^(?:transparent|rgba?\(.*[,/]\s*0*\.?0+%?\s*\)|hsla?\(.*[,/]\s*0*\.?0+%?\s*\))$")
_MAX_SHEET_RULES = 500  # hiding selectors applied from <style> sheets, at most


def hides(declarations: dict[str, str]) -> bool:
    """Do these CSS declarations (lower-case name → value) make an element unseen?"""
    get = declarations.get
    if get("display") == "none" or get("visibility") in ("hidden", "collapse"):
        return True
    if _is_zero(get("opacity")) or _is_zero(get("font-size")):
        return True
    if _TRANSPARENT.match(get("color", "")):
        return True
    for name in _OFFSETS:
        if _far_negative(get(name)):
            return True
    clip = get("clip", "")
    if clip.startswith("rect(") and clip.endswith(")"):
        sides = [v for v in re.split(r"[\s,]+", clip[5:-1]) if v]
        if len(sides) == 4 and (sides[0] == sides[2] or sides[1] == sides[3]):
            return True  # rect(top, right, bottom, left) of no area
    if get("clip-path", "").replace(" ", "") in ("inset(50%)", "inset(100%)", "circle(0)", "circle(0px)"):
        return True
    if get("overflow") == "hidden" and any(_is_zero(get(k)) for k in ("height", "max-height", "width", "max-width")):
        return True
    return False


def _is_zero(value: str | None) -> bool:
    return value is not None and bool(_ZERO.match(value))


def _far_negative(value: str | None) -> bool:
    if not value or not value.startswith("-"):
        return False
    m = _LENGTH.match(value)
    return bool(m) and -float(m.group(1)) >= _FAR.get(m.group(2), 999)


def _declarations(tokens) -> dict[str, str]:
    result: dict[str, str] = {}
    for item in tinycss2.parse_declaration_list(tokens, skip_comments=True, skip_whitespace=True):
        if item.type == "declaration":
            value = tinycss2.serialize(item.value).strip().lower()
            result[item.lower_name] = re.sub(r"\s+", " ", value)
    return result


def _hiding_selectors(css: str) -> list[str]:
    """Selectors of the rules in a stylesheet that hide what they match."""
    selectors: list[str] = []
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    while rules:
        rule = rules.pop(0)
        if rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports") and rule.content:
            if "print" not in tinycss2.serialize(rule.prelude).lower():
                rules[:0] = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
            continue
        if rule.type != "qualified-rule" or not hides(_declarations(rule.content)):
            continue
        for selector in tinycss2.serialize(rule.prelude).split(","):
            selector = selector.strip()
            if selector and not _DYNAMIC.search(selector):
                selectors.append(selector)
    return selectors


def _drop_hidden(tree: LexborHTMLParser, root: LexborNode) -> int:
    """Remove what a reader would not see; return its number of non-space characters.

    Hidden elements are marked first (an attribute), then the outermost marked
    ones are removed: decompose() frees a subtree, so nothing inside it may be
    touched afterwards. Hidden site chrome (a collapsed menu) is removed without
    being counted: it says nothing about the report.
    """
    selectors: list[str] = []
    for style in tree.css("style"):
        selectors.extend(_hiding_selectors(style.text(deep=True)))
    marked = False
    for node in root.css("[hidden], [aria-hidden], [style]"):
        attrs = node.attributes
        style = attrs.get("style")
        if (
            "hidden" in attrs
            or (attrs.get("aria-hidden") or "").strip().lower() == "true"
            or (style and hides(_declarations(style)))
        ):
            node.attrs[_HIDDEN_MARK] = "1"
            marked = True
    for selector in selectors[:_MAX_SHEET_RULES]:
        try:
            matches = root.css(selector)
        except (SelectolaxError, ValueError):
            continue  # a selector lexbor does not support: not applied
        for node in matches:
            node.attrs[_HIDDEN_MARK] = "1"
            marked = True
    if not marked:
        return 0
    nested = {node.mem_id for node in root.css(f"[{_HIDDEN_MARK}] [{_HIDDEN_MARK}]")}
    outermost = [node for node in root.css(f"[{_HIDDEN_MARK}]") if node.mem_id not in nested]
    if root.attributes.get(_HIDDEN_MARK):
        outermost = [root]
    hidden = 0
    for node in outermost:
        if node.tag not in _NOT_TEXT and not _in_chrome(node):
            hidden += len(_SPACES.sub("", node.text(deep=True)))
    for node in outermost:
        if node is root or node.mem_id == root.mem_id:
            for child in list(root.iter()):
                child.decompose()
        else:
            node.decompose()
    return hidden


def _in_chrome(node: LexborNode) -> bool:
    """Is this element site chrome (nav, a menu, a footer), or inside it?"""
    while node is not None and node.tag not in ("body", "html"):
        names = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if node.tag in _DROP_TAGS or _CHROME_NAME.search(names):
            return True
        node = node.parent
    return False


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


_MAX_TITLES = 50  # <h1> elements looked at for the title


def _title(tree: LexborHTMLParser) -> str | None:
    """The article's <h1>: one inside <article>/<main>, else one outside site chrome."""
    fallback = None
    for node in tree.css("h1")[:_MAX_TITLES]:
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
