"""PDF: the text layer, page by page, via PDFium (pypdfium2).

A PDF that opens but yields (almost) no text is a scan: we say so rather than
grade an empty report. A PDF that needs a password to open cannot be read; one
with only an owner password (printing/copying restrictions) opens normally.
"""

from __future__ import annotations

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from . import RawText, ReadProblem

# Fewer visible characters per page than this means there is no real text layer
# (a scan may still carry a page number or a stray watermark letter).
_MIN_CHARS_PER_PAGE = 5


def read_pdf(data: bytes) -> RawText:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        if getattr(err, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise ReadProblem("the PDF is encrypted (password-protected); remove the password first") from None
        raise ReadProblem(f"the PDF is damaged and cannot be opened ({_reason(err)})") from None
    try:
        pages = [_page_text(pdf, i) for i in range(len(pdf))]
    except pdfium.PdfiumError as err:
        raise ReadProblem(f"the PDF is damaged: a page cannot be read ({_reason(err)})") from None
    finally:
        pdf.close()
    visible = sum(len("".join(page.split())) for page in pages)
    if visible < _MIN_CHARS_PER_PAGE * max(len(pages), 1):
        raise ReadProblem("the PDF has no text layer — a scanned PDF needs OCR first")
    return RawText("\n".join(pages))


def _page_text(pdf: pdfium.PdfDocument, index: int) -> str:
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            return textpage.get_text_bounded()
        finally:
            textpage.close()
    finally:
        page.close()


def _reason(err: Exception) -> str:
    """PDFium's reason without the 'Failed to load document' preamble."""
    text = str(err)
    return text[text.find("PDFium: ") + 8 : -2] if "PDFium: " in text else text
