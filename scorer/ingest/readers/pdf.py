"""PDF: the text layer, page by page, via PDFium (pypdfium2).

A PDF that opens but yields (almost) no text is a scan: we say so rather than
grade an empty report. A PDF that needs a password to open cannot be read; one
with only an owner password (printing/copying restrictions) opens normally.

Budgets: the page count is checked before any page is read (max_pages), and
extracted characters are counted page by page (max_chars).

Text a reader would not see is not read: text objects drawn invisible (render
mode 3, or clip-only) or fully transparent. Invisible text lying over an image is
the OCR layer of a scan, which the reader does see (as the image), so it is
kept. pdfium's text page tells, for each character, the text object it came
from (FPDFText_GetTextObject); the characters of hidden objects are dropped and
counted in RawText.hidden_chars.
"""

from __future__ import annotations

import ctypes

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..limits import CharBudget, Limits, OverLimit
from . import RawText, ReadProblem

# Fewer visible characters per page than this means there is no real text layer
# (a scan may still carry a page number or a stray watermark letter).
_MIN_CHARS_PER_PAGE = 5


def read_pdf(data: bytes, limits: Limits | None = None) -> RawText:
    limits = limits or Limits()
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        if getattr(err, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise ReadProblem("input.pdf-encrypted") from None
        raise ReadProblem("input.pdf-damaged", reason=_reason(err)) from None
    budget = CharBudget(limits.max_chars, "the PDF")
    pages: list[str] = []
    hidden = 0
    try:
        count = len(pdf)
        if count > limits.max_pages:
            raise OverLimit("input.limit-pages", pages=count, limit=limits.max_pages)
        for i in range(count):
            text, page_hidden = _page_text(pdf, i)
            budget.take(len(text) + 1)
            pages.append(text)
            hidden += page_hidden
    except pdfium.PdfiumError as err:
        raise ReadProblem("input.pdf-page-damaged", reason=_reason(err)) from None
    finally:
        pdf.close()
    visible = sum(len("".join(page.split())) for page in pages)
    if visible < _MIN_CHARS_PER_PAGE * max(len(pages), 1):
        raise ReadProblem("input.pdf-no-text")
    return RawText("\n".join(pages), hidden_chars=hidden)


def _page_text(pdf: pdfium.PdfDocument, index: int) -> tuple[str, int]:
    """The page's visible text and the number of non-space characters left out as unseen."""
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            unseen = _unseen_text_objects(page)
            if not unseen:
                return textpage.get_text_bounded(), 0
            return _text_without(textpage, unseen)
        finally:
            textpage.close()
    finally:
        page.close()


_FILL_MODES = {0: "fill", 1: "stroke", 2: "both", 4: "fill", 5: "stroke", 6: "both"}
_MAX_FORM_DEPTH = 4


def _unseen_text_objects(page: pdfium.PdfPage) -> set[int]:
    """Addresses of the page's text objects a reader would not see."""
    texts: list[tuple[int, object]] = []
    images: list[tuple[float, float, float, float]] = []
    _collect(page.raw, pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject, texts, images, 0)
    unseen = set()
    for address, obj in texts:
        if _invisible(obj) and not _over_image(obj, images):
            unseen.add(address)
    return unseen


def _collect(holder, count_fn, get_fn, texts, images, depth) -> None:
    for i in range(count_fn(holder)):
        obj = get_fn(holder, i)
        if not obj:
            continue
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            texts.append((ctypes.cast(obj, ctypes.c_void_p).value, obj))
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            bounds = _bounds(obj)
            if bounds:
                images.append(bounds)
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < _MAX_FORM_DEPTH:
            _collect(obj, pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject, texts, images, depth + 1)


def _invisible(obj) -> bool:
    mode = pdfium_c.FPDFTextObj_GetTextRenderMode(obj)
    if mode in (pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE, 7):  # 7: add to clipping path only
        return True
    paint = _FILL_MODES.get(mode)
    if paint is None:
        return False
    fill = paint in ("fill", "both") and _alpha(pdfium_c.FPDFPageObj_GetFillColor, obj)
    stroke = paint in ("stroke", "both") and _alpha(pdfium_c.FPDFPageObj_GetStrokeColor, obj)
    return not fill and not stroke


def _alpha(get_color, obj) -> int:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not get_color(obj, ctypes.byref(r), ctypes.byref(g), ctypes.byref(b), ctypes.byref(a)):
        return 255  # unknown colour: assume it shows
    return a.value


def _bounds(obj) -> tuple[float, float, float, float] | None:
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    if not pdfium_c.FPDFPageObj_GetBounds(obj, ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top)):
        return None
    return left.value, bottom.value, right.value, top.value


def _over_image(obj, images) -> bool:
    """Does the text object's centre lie on an image (the OCR layer of a scan)?"""
    if not images:
        return False
    bounds = _bounds(obj)
    if bounds is None:
        return False
    x, y = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
    return any(left <= x <= right and bottom <= y <= top for left, bottom, right, top in images)


def _text_without(textpage: pdfium.PdfTextPage, unseen: set[int]) -> tuple[str, int]:
    """The text page's characters, except those of the unseen text objects."""
    raw = textpage.raw
    kept: list[str] = []
    hidden = 0
    for i in range(pdfium_c.FPDFText_CountChars(raw)):
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        obj = pdfium_c.FPDFText_GetTextObject(raw, i)
        ch = chr(code) if 0 < code < 0x110000 else ""
        if obj and ctypes.cast(obj, ctypes.c_void_p).value in unseen:
            if not ch.isspace():
                hidden += len(ch)
            continue
        kept.append(ch)
    return "".join(kept), hidden


def _reason(err: Exception) -> str:
    """PDFium's reason without the 'Failed to load document' preamble."""
    text = str(err)
    return text[text.find("PDFium: ") + 8 : -2] if "PDFium: " in text else text
