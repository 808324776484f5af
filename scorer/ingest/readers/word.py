"""Word (.docx): the visible text of word/document.xml, streamed, within budgets.

A .docx is a zip archive, and a few hundred kilobytes can unpack to hundreds of
megabytes of XML. So nothing is parsed into a tree: before reading, the sizes the
archive declares are checked against max_unpacked_bytes; then document.xml is
inflated in chunks and fed to a streaming XML parser (expat), which counts bytes,
elements, nesting depth and extracted characters as it goes and stops at the
first budget exceeded. Memory stays at one chunk plus the text kept.

(python-docx builds the whole lxml tree first and then wraps every paragraph in
Python objects; on a 150 MB document.xml that was minutes and gigabytes before
any limit could be checked. Its reading order is what we keep: body paragraphs
and tables in order, one line per paragraph, each table cell once.)

What Word would not show is not read: runs marked hidden (w:vanish, w:specVanish,
w:webHidden), directly or through a character or paragraph style in styles.xml.
Their characters are counted in RawText.hidden_chars. mc:Fallback holds a second
copy of content given in mc:Choice (text boxes), so it is skipped.
"""

from __future__ import annotations

import io
import zipfile
from xml.parsers import expat

from ..limits import CharBudget, Limits, OverLimit
from . import RawText, ReadProblem

_W_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # strict OOXML
)
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_HIDING = frozenset({"vanish", "specVanish", "webHidden"})
_FALSE = frozenset({"0", "false", "off"})
_CHUNK = 64 * 1024
# In a run: what these elements stand for in the text (as python-docx reads them).
_RUN_CHARS = {"tab": "\t", "ptab": "\t", "br": "\n", "cr": "\n", "noBreakHyphen": "-"}


def read_docx(data: bytes, limits: Limits | int) -> RawText:
    if isinstance(limits, int):  # the old signature: read_docx(data, max_unpacked)
        limits = Limits(max_unpacked_bytes=limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ReadProblem("input.docx-bad-zip") from None
    with archive:
        check_archive(archive.infolist(), limits.max_unpacked_bytes)
        budget = _ByteBudget(limits.max_unpacked_bytes)
        try:
            hidden_styles, hidden_default = _hidden_styles(archive, budget, limits)
            reader = _DocumentReader(limits, hidden_styles, hidden_default)
            _stream(archive, "word/document.xml", reader.parser, budget)
        except ReadProblem:
            raise
        except expat.ExpatError as err:
            raise ReadProblem("input.docx-bad-xml", error=str(err)) from None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as err:
            # zipfile stops a member at its declared size and then fails the CRC check.
            raise ReadProblem("input.docx-corrupt", error=f"{type(err).__name__}: {_first_line(err)}") from None
    return RawText("\n".join(reader.lines), hidden_chars=reader.hidden_chars)


def check_archive(members, max_unpacked: int) -> None:
    """ReadProblem unless the archive holds word/document.xml and declares a sane unpacked size."""
    if isinstance(members, (bytes, bytearray)):  # the old signature: check_archive(data, limit)
        try:
            with zipfile.ZipFile(io.BytesIO(members)) as archive:
                members = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
            raise ReadProblem("input.docx-bad-zip") from None
    if not any(m.filename == "word/document.xml" for m in members):
        raise ReadProblem("input.docx-no-document")
    unpacked = sum(m.file_size for m in members)
    if unpacked > max_unpacked:
        raise OverLimit("input.limit-unpack", size=unpacked, limit=max_unpacked)


class _ByteBudget:
    """Bytes actually inflated, across the members we read."""

    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0

    def take(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise OverLimit("input.limit-unpacked", limit=self.limit)


def _stream(archive: zipfile.ZipFile, name: str, parser, budget: _ByteBudget) -> None:
    with archive.open(name) as member:
        while chunk := member.read(_CHUNK):
            budget.take(len(chunk))
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _parser(limits: Limits, start, end, chars=None):
    """An expat parser ("uri local" names) that enforces depth and element budgets.

    `start` gets (name, attrs, parent) with the parent's name; the stack of open
    element names is kept here, so the handlers stay cheap (they run for every
    element of a file that may hold a million).
    """
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    stack: list[str] = [""]
    push, pop = stack.append, stack.pop
    max_depth, max_elements = limits.max_depth + 1, limits.max_elements
    elements = 0

    def on_start(name, attrs):
        nonlocal elements
        elements += 1
        if elements > max_elements:
            raise OverLimit("input.limit-docx-elements", limit=max_elements)
        start(name, attrs, stack)
        push(name)
        if len(stack) > max_depth:
            raise OverLimit("input.limit-docx-depth", limit=limits.max_depth)

    def on_end(name):
        pop()
        end(name, stack)

    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    if chars is not None:
        parser.CharacterDataHandler = chars
    # No DTDs, no entities of its own: a .docx needs neither.
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def no_doctype(*_):
        raise ReadProblem("input.docx-dtd")

    parser.StartDoctypeDeclHandler = no_doctype
    return parser


def _names(local: str) -> frozenset[str]:
    """The full names ("uri local") of a WordprocessingML element in both namespaces."""
    return frozenset(f"{ns} {local}" for ns in _W_NAMESPACES)


_P, _R, _T, _PPR, _RPR = _names("p"), _names("r"), _names("t"), _names("pPr"), _names("rPr")
_PSTYLE, _RSTYLE, _STYLE, _BASED, _RPR_DEFAULT = (
    _names("pStyle"), _names("rStyle"), _names("style"), _names("basedOn"), _names("rPrDefault")
)
_HIDING_NAMES = frozenset().union(*(_names(local) for local in _HIDING))
_RUN_CHAR_NAMES = {full: ch for local, ch in _RUN_CHARS.items() for full in _names(local)}
_FALLBACK = f"{_MC} Fallback"


def _split(name: str) -> tuple[str, str]:
    uri, _, local = name.rpartition(" ")
    return uri, local


def _val(attrs: dict) -> str | None:
    for key, value in attrs.items():
        if _split(key)[1] == "val":
            return value
    return None


def _is_on(attrs: dict) -> bool:
    """A toggle property (<w:vanish/>, <w:vanish w:val="false"/>) is on unless val says off."""
    value = _val(attrs)
    return value is None or value.lower() not in _FALSE


def _hidden_styles(archive: zipfile.ZipFile, budget: _ByteBudget, limits: Limits) -> tuple[set[str], bool]:
    """Style ids whose text is hidden (following basedOn), and whether the defaults hide text."""
    if "word/styles.xml" not in archive.namelist():
        return set(), False
    styles: dict[str, tuple[str | None, bool | None]] = {}  # id -> (basedOn, own vanish)
    current: dict = {}
    default = [False]

    def start(name, attrs, stack):
        if name in _STYLE:
            current.clear()
            current["id"] = next((v for k, v in attrs.items() if _split(k)[1] == "styleId"), None)
            current["open"] = True
        elif name in _BASED and current.get("open"):
            current["based"] = _val(attrs)
        elif name in _HIDING_NAMES and stack[-1] in _RPR:
            if current.get("open"):
                current["vanish"] = _is_on(attrs)
            elif any(n in _RPR_DEFAULT for n in stack):
                default[0] = _is_on(attrs)

    def end(name, stack):
        if name in _STYLE:
            if current.get("id"):
                styles[current["id"]] = (current.get("based"), current.get("vanish"))
            current.clear()

    parser = _parser(limits, start, end)
    try:
        _stream(archive, "word/styles.xml", parser, budget)
    except expat.ExpatError:
        return set(), False  # Word itself falls back to default styles

    def hidden(style_id: str) -> bool:
        seen = set()
        while style_id in styles and style_id not in seen:
            seen.add(style_id)
            based, vanish = styles[style_id]
            if vanish is not None:
                return vanish
            style_id = based
        return default[0]

    return {sid for sid in styles if hidden(sid)}, default[0]


class _DocumentReader:
    """Expat callbacks that collect visible paragraph text from document.xml."""

    def __init__(self, limits: Limits, hidden_styles: set[str], hidden_default: bool):
        self.lines: list[str] = []
        self.hidden_chars = 0
        self.budget = CharBudget(limits.max_chars, "the .docx")
        self.hidden_styles = hidden_styles
        self.hidden_default = hidden_default
        self.paragraphs: list[list] = []  # [parts, paragraph style hidden?]
        self.runs: list[list] = []  # [direct hidden (None = not said), character style hidden?]
        self.skip = 0  # depth inside mc:Fallback
        self.in_text = False
        self.parser = _parser(limits, self.start, self.end, self.chars)

    def _run_hidden(self) -> bool:
        direct, style = self.runs[-1]
        if direct is not None:
            return direct
        if style:
            return True
        return self.paragraphs[-1][1] if self.paragraphs else self.hidden_default

    def start(self, name, attrs, stack):
        if self.skip:
            self.skip += 1
            return
        parent = stack[-1]
        if name in _P:
            self.paragraphs.append([[], self.hidden_default])
        elif name in _R:
            self.runs.append([None, False])
        elif parent in _R:
            if name in _T:
                self.in_text = bool(self.paragraphs and self.runs)
            elif name in _RUN_CHAR_NAMES and self.paragraphs and self.runs:
                self._text(_RUN_CHAR_NAMES[name])
        elif parent in _RPR:
            if len(stack) >= 2 and stack[-2] in _R and self.runs:
                if name in _HIDING_NAMES:
                    on = _is_on(attrs)
                    if on or self.runs[-1][0] is None:
                        self.runs[-1][0] = on
                elif name in _RSTYLE:
                    self.runs[-1][1] = _val(attrs) in self.hidden_styles
        elif name in _PSTYLE and parent in _PPR and self.paragraphs:
            self.paragraphs[-1][1] = _val(attrs) in self.hidden_styles or self.hidden_default
        elif name == _FALLBACK:
            self.skip = 1

    def end(self, name, stack):
        if self.skip:
            self.skip -= 1
            return
        if name in _P:
            if self.paragraphs:
                parts, _ = self.paragraphs.pop()
                self.budget.take(1)  # the line break
                if parts:
                    self.lines.append("".join(parts))
        elif name in _T:
            self.in_text = False
        elif name in _R and self.runs:
            self.runs.pop()

    def chars(self, data: str) -> None:
        if self.in_text and not self.skip:
            self._text(data)

    def _text(self, data: str) -> None:
        if self._run_hidden():
            self.hidden_chars += len("".join(data.split()))
            return
        self.budget.take(len(data))
        self.paragraphs[-1][0].append(data)


def _first_line(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else ""
