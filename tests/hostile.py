"""Hostile submissions, built at run time (nothing large is kept in the repository).

Used by the ingest tests and by bench/bench_bombs.py:
- bombs: HTML nested 100,000 deep, a .docx of 190 MB of empty paragraphs or
  150 MB of text, a PDF of 10,000 pages;
- hidden text: the same report with a strong report hidden inside it, in HTML
  (CSS, attributes), .docx (w:vanish, w:webHidden, hidden styles) and PDF
  (text render mode 3).
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
_DOC_HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NS}"><w:body>'
_DOC_TAIL = "</w:body></w:document>"


# --- .docx --------------------------------------------------------------------------


def paragraph(text: str, *, run_props: str = "", para_props: str = "") -> str:
    ppr = f"<w:pPr>{para_props}</w:pPr>" if para_props else ""
    rpr = f"<w:rPr>{run_props}</w:rPr>" if run_props else ""
    return f'<w:p>{ppr}<w:r>{rpr}<w:t xml:space="preserve">{html.escape(text)}</w:t></w:r></w:p>'


def write_docx(path: Path, body_chunks, *, styles: str | None = None, level: int = 6) -> Path:
    """A minimal .docx whose document.xml body is the concatenated chunks (streamed to disk)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        if styles is not None:
            archive.writestr(
                "word/styles.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><w:styles xmlns:w="{W_NS}">{styles}</w:styles>',
            )
        with archive.open("word/document.xml", "w") as member:
            member.write(_DOC_HEAD.encode())
            for chunk in body_chunks:
                member.write(chunk.encode() if isinstance(chunk, str) else chunk)
            member.write(_DOC_TAIL.encode())
    return path


def docx_of_report(text: str, path: Path, *, hidden: str = "", how: str = "vanish") -> Path:
    """The report one paragraph a line; `hidden` added as runs Word does not show."""
    body = [paragraph(line.strip()) for line in text.splitlines() if line.strip()]
    styles = None
    hidden_lines = [line.strip() for line in hidden.splitlines() if line.strip()]
    for line in hidden_lines:
        if how == "vanish":
            body.append(paragraph(line, run_props="<w:vanish/>"))
        elif how == "webHidden":
            body.append(paragraph(line, run_props="<w:webHidden/>"))
        elif how == "char-style":
            body.append(paragraph(line, run_props='<w:rStyle w:val="Secret"/>'))
        elif how == "para-style":
            body.append(paragraph(line, para_props='<w:pStyle w:val="Quiet"/>'))
        else:
            raise ValueError(how)
    if how in ("char-style", "para-style"):
        styles = (
            '<w:style w:type="character" w:styleId="Base"><w:rPr><w:vanish/></w:rPr></w:style>'
            '<w:style w:type="character" w:styleId="Secret"><w:basedOn w:val="Base"/></w:style>'
            '<w:style w:type="paragraph" w:styleId="Quiet"><w:rPr><w:vanish w:val="true"/></w:rPr></w:style>'
        )
    return write_docx(path, body, styles=styles)


def docx_empty_paragraphs(path: Path, unpacked: int = 190_000_000) -> Path:
    """document.xml of `unpacked` bytes of empty paragraphs: a few hundred kB zipped."""
    block = "<w:p/>" * 100_000
    return write_docx(path, (block for _ in range(unpacked // len(block))), level=9)


def docx_of_text(path: Path, unpacked: int = 150_000_000) -> Path:
    """document.xml of `unpacked` bytes, one long paragraph of report-like text after another."""
    para = paragraph("法院党组高度重视精神文明建设，组织干警开展志愿服务活动。" * 40)
    block = para * max(1, 1_000_000 // len(para.encode()))
    return write_docx(path, (block for _ in range(unpacked // len(block.encode()))), level=9)


def lying_docx(source: Path, target: Path) -> Path:
    """The same archive with document.xml declaring 1,000 bytes unpacked (central directory and local header)."""
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as archive:
        info = archive.getinfo("word/document.xml")
    name = info.filename.encode()
    # Patch every header of the member: local (size at +22) and central (size at +24).
    pos = 0
    while (pos := data.find(name, pos)) >= 0:
        if data[pos - 30 : pos - 26] == b"PK\x03\x04":
            data[pos - 8 : pos - 4] = (1000).to_bytes(4, "little")
        elif data[pos - 46 : pos - 42] == b"PK\x01\x02":
            data[pos - 22 : pos - 18] = (1000).to_bytes(4, "little")
        pos += len(name)
    target.write_bytes(bytes(data))
    return target


def docx_deep(path: Path, depth: int = 5_000) -> Path:
    """Elements nested `depth` deep inside a paragraph's run properties."""
    return write_docx(path, ["<w:p><w:r>", "<w:rPr>" * depth, "</w:rPr>" * depth, "<w:t>文明</w:t></w:r></w:p>"])


# --- HTML -----------------------------------------------------------------------------

HIDING = {
    "display-none": '<div style="display:none">{}</div>',
    "visibility-hidden": '<div style="visibility: hidden">{}</div>',
    "hidden-attribute": "<div hidden>{}</div>",
    "aria-hidden": '<div aria-hidden="true">{}</div>',
    "off-screen": '<div style="position:absolute;left:-9999px">{}</div>',
    "font-size-0": '<div style="font-size:0">{}</div>',
    "opacity-0": '<div style="opacity:0">{}</div>',
    "stylesheet-class": '<div class="x-seo">{}</div>',
    "stylesheet-id": '<section id="kw"><p>{}</p></section>',
    "text-indent": '<p style="text-indent:-10000px;overflow:hidden">{}</p>',
}
_SHEET = "<style>.x-seo{display:none !important} #kw {visibility:hidden}</style>"


def html_page(visible: str, hidden: str = "", how: str = "display-none", charset: str = "utf-8") -> str:
    """A plain page holding `visible`, and `hidden` wrapped the way `how` names."""
    paras = "\n".join(f"<p>{html.escape(line)}</p>" for line in visible.splitlines() if line.strip())
    secret = ""
    if hidden:
        inner = "<br>".join(html.escape(line) for line in hidden.splitlines() if line.strip())
        secret = HIDING[how].format(inner)
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>报告</title>{_SHEET}</head>'
        f"<body><article>{paras}{secret}</article></body></html>"
    )


def deep_html(depth: int = 100_000, text: str = "人民法院文明单位创建工作扎实推进，成效显著。") -> bytes:
    """`depth` nested <div>s around one sentence (1.1 MB at 100,000)."""
    return f"<!DOCTYPE html><html><body>{'<div>' * depth}{text}{'</div>' * depth}</body></html>".encode()


# --- PDF ------------------------------------------------------------------------------

_MARK_COLOUR = "rgb(1,2,3)"  # only the hidden text is drawn in it
_MARK_OPS = re.compile(rb"0\.003922 0\.007843 0\.011765 rg\s+BT\s(.*?)ET", re.S)


def pdf_with_invisible_text(
    visible: str, hidden: str, path: Path, *, before_hidden: str = "", after_hidden: str = ""
) -> Path:
    """A typeset PDF of `visible` plus `hidden` drawn with text render mode 3 (invisible).

    before_hidden/after_hidden: HTML around the hidden paragraphs (an image under them).
    """
    import pypdf
    from pypdf.generic import NameObject, StreamObject
    from weasyprint import HTML

    from ingest_builders import CJK_FONT, blocks

    def paras(text: str, style: str = "") -> str:
        return "\n".join(f"<p{style}>{html.escape(''.join(b))}</p>" for b in blocks(text))

    page = (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>@page {{ size: A4; margin: 2cm; }}'
        f"body {{ font-family: {CJK_FONT}; font-size: 12pt; line-height: 1.6; }}</style></head>"
        f'<body>{paras(visible)}{before_hidden}{paras(hidden, f" style=color:{_MARK_COLOUR}")}{after_hidden}'
        "</body></html>"
    )
    reader = pypdf.PdfReader(io.BytesIO(HTML(string=page).write_pdf()))
    writer = pypdf.PdfWriter(clone_from=reader)
    for pg in writer.pages:
        data = pg.get_contents().get_data()
        data = _MARK_OPS.sub(lambda m: b"0 0 0 rg\nBT\n3 Tr\n" + m.group(1) + b"0 Tr\nET", data)
        stream = StreamObject()
        stream.set_data(data)
        pg[NameObject("/Contents")] = writer._add_object(stream)
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


def many_pages_pdf(path: Path, pages: int = 10_000, lines: int = 0) -> Path:
    """A hand-written PDF of `pages` pages sharing one content stream: built in well under a second.

    lines: that many lines of 80 Latin letters (Helvetica) on every page; 0 for empty pages.
    """
    content = b"".join(
        b"BT /F1 9 Tf 30 %d Td (%s) Tj ET\n" % (800 - 12 * i, b"civilised unit report text " * 3)
        for i in range(lines)
    )
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in below
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    first = len(objects) + 1
    kids = " ".join(f"{first + i} 0 R" for i in range(pages))
    objects[1] = f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode()
    for _ in range(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R"
            b" /Resources << /Font << /F1 4 0 R >> >> >>"
        )
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    path.write_bytes(out.getvalue())
    return path
