"""Build the same report in every input format, for ingest tests and score comparisons.

Each builder takes report text (as in seeds/*.txt) and writes a file the way real
submissions arrive: GB18030 text from Chinese Windows, a Word document with one
paragraph per line, a PDF typeset by WeasyPrint (which re-wraps the text, so the
reader must join lines again) and a saved web page wrapped in site chrome.
"""

from __future__ import annotations

import html
from pathlib import Path

import docx
from weasyprint import HTML

# Strings that only the site chrome of make_html carries; none may survive ingest.
HTML_CHROME = ("网站首页", "您当前的位置", "机构设置", "Copyright", "版权所有", "备案号", "ICP备", "技术支持")

CJK_FONT = "'Noto Sans CJK SC', 'Noto Serif CJK SC', sans-serif"


def blocks(text: str) -> list[list[str]]:
    """Blank-line separated blocks of the text, each a list of its non-empty lines."""
    result, current = [], []
    for line in text.splitlines():
        if line.strip():
            current.append(line.strip())
        elif current:
            result.append(current)
            current = []
    if current:
        result.append(current)
    return result


def make_txt_utf8(text: str, path: Path) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def make_txt_gb18030(text: str, path: Path) -> Path:
    path.write_bytes(text.encode("gb18030"))
    return path


def make_docx(text: str, path: Path) -> Path:
    """One Word paragraph per non-empty line, as when a PDF is pasted into Word."""
    document = docx.Document()
    for line in text.splitlines():
        if line.strip():
            document.add_paragraph(line.strip())
    document.save(str(path))
    return path


def make_pdf(text: str, path: Path) -> Path:
    """Typeset each block as a paragraph: WeasyPrint wraps it to the page width."""
    paragraphs = "\n".join(f"<p>{html.escape(''.join(block))}</p>" for block in blocks(text))
    page = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
      @page {{ size: A4; margin: 2cm; }}
      body {{ font-family: {CJK_FONT}; font-size: 12pt; line-height: 1.6; }}
    </style></head><body>{paragraphs}</body></html>"""
    HTML(string=page).write_pdf(str(path))
    return path


def make_html(text: str, path: Path) -> Path:
    """The report as a saved court news page: nav, breadcrumb, sidebar, footer around it.

    Lines of a block stay in one <p> separated by newlines, which a browser (and the
    reader) shows as spaces: the web version has no layout breaks.
    """
    paragraphs = "\n".join(
        f"<p>{html.escape(chr(10).join(block))}</p>" for block in blocks(text)
    )
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>文明创建 - 人民法院网</title>
<style>body {{ font-family: sans-serif; }}</style>
<script>var tracker = "统计代码不应出现";</script></head>
<body>
<header><div class="logo">人民法院网</div>
<nav><a href="/">网站首页</a> | <a href="/jg">机构设置</a> | <a href="/dj">党建工作</a></nav></header>
<div class="breadcrumb">您当前的位置：<a href="/">首页</a> &gt; <a href="/dj">党建工作</a> &gt; 文明创建</div>
<div class="wrap">
  <div class="sidebar"><ul><li><a href="/1">工作动态</a></li><li><a href="/2">通知公告</a></li></ul></div>
  <div class="article">
{paragraphs}
  </div>
</div>
<footer><p>Copyright © 2017-2020 人民法院网 版权所有</p>
<p>备案号：鲁ICP备14025379号 技术支持：某某网络公司</p></footer>
</body></html>"""
    path.write_text(page, encoding="utf-8")
    return path
