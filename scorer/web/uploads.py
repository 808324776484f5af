"""Uploaded bytes → a scored result, or a one-line reason in Chinese.

The bytes go through the same reader as the CLI (`load_document`) from a private
temporary file whose name the server makes; the client's file name is only shown,
never used as a path. A file that scores is kept under its sha256 in
`DATA/uploads/` (written with `scorer.outputs.write_bytes`, as every output, then
made owner-only like the rest of the data folder); one that fails leaves nothing behind.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

from scorer.errors import InputError
from scorer.outputs import write_bytes
from scorer.result import ScoreResult

ALLOWED_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

# The CLI's one-line reasons (scorer/ingest), in Chinese; the English line is shown beside.
_CN = [
    (r"^is civscore's own scorecard", "这是 civscore 生成的评分表，不是申报材料，请上传原始申报材料"),
    (r"^is civscore's own overview", "这是 civscore 生成的批次总览，不是申报材料，请上传原始申报材料"),
    (r"^is civscore's own ranking", "这是 civscore 导出的排名表，不是申报材料，请上传原始申报材料"),
    (r"^is civscore's own", "这是 civscore 生成的文件，不是申报材料，请上传原始申报材料"),
    (r"^file is .*over the .* limit", "文件过大，超过上传上限"),
    (r"^the file is empty", "文件是空的"),
    (r"^binary data", "这是二进制文件，不是文本材料"),
    (r"^unsupported file format: a zip archive", "这是一个压缩包，请解压后上传其中的申报材料"),
    (r"^unsupported file format", "不支持的文件格式，请另存为 .docx、.pdf 或 .txt 后上传"),
    (r"^the text cannot be decoded", "无法识别文本编码（不是 UTF-8、GB18030 等常见编码）"),
    (r"^the \.docx file is corrupt", "Word 文档已损坏，无法打开"),
    (r"^the \.pdf file is corrupt|^the PDF is damaged", "PDF 文件已损坏，无法打开"),
    (r"^the PDF has no text layer", "PDF 没有文字层（扫描件需先做文字识别）"),
    (r"^the PDF is encrypted", "PDF 设有密码，请去除密码后上传"),
    (r"^the HTML page has no body", "网页没有正文"),
    (r"^the file has no text", "文件中没有文字"),
    (r"^no report text is left", "去除页眉页脚和网页模板后没有剩下正文"),
    (r"^almost no Chinese text", "文件中几乎没有中文，不像一份中文申报材料"),
    (r"cannot be read", "文件无法读取"),
]


def size_cn(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n / 1024:.0f} KB"


def chinese_reason(problem: str) -> str:
    for pattern, cn in _CN:
        if re.search(pattern, problem):
            return cn
    return "文件无法读取"


class UploadRefused(Exception):
    """`message` is the Chinese sentence for the reviewer; `detail` the CLI's line."""

    def __init__(self, message: str, detail: str = "", status: int = 400):
        self.message = message
        self.detail = detail
        self.status = status
        super().__init__(message)


def display_name(client_name: str | None) -> str:
    """The client's file name reduced to a safe label: last path component, no control
    characters, at most 120 characters. Only ever shown (escaped), never a path."""
    name = (client_name or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return name[:120] or "未命名文件"


def _suffix(name: str) -> str:
    s = Path(name).suffix.lower()
    return s if s in ALLOWED_SUFFIXES else ""


def score_upload(scorer, data: bytes, client_name: str | None, uploads_dir: Path, *,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> ScoreResult:
    """Score uploaded bytes. Raises UploadRefused with a Chinese message; stores nothing then."""
    name = display_name(client_name)
    if len(data) > max_bytes:
        raise UploadRefused(f"{name}：文件过大（{size_cn(len(data))}），上传上限为 {size_cn(max_bytes)}，未保存。",
                            status=413)
    if not data:
        raise UploadRefused(f"{name}：文件是空的，未保存。")
    uploads_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    uploads_dir.chmod(0o700)  # the data folder is owner-only (issue 20.5)
    fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=_suffix(name), dir=uploads_dir)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            result = scorer.score_path(tmp, max_bytes=max_bytes)
        except InputError as e:
            raise UploadRefused(f"{name}：{chinese_reason(e.problem)}，未保存。", f"{name}: {e.problem}") from None
        target = uploads_dir / result.submission.sha256
        if not target.exists():
            write_bytes(target, data)  # as every civscore output: whole, or not at all
            target.chmod(0o600)  # …but owner-only, as everything in the data folder
        sub = result.submission.model_copy(update={"path": name})
        return result.model_copy(update={"submission": sub})
    finally:
        Path(tmp).unlink(missing_ok=True)
