"""Uploaded bytes → a scored result, or a one-line reason in Chinese.

The reason is the error's Chinese message from the catalogue (scorer.messages), by its
code: the same error the CLI reports, never a translation of its English words.

The bytes go through the same reader as the CLI (`load_document`) from a private
temporary file whose name the server makes; the client's file name is only shown,
never used as a path. A file that scores is kept under its sha256 in
`DATA/uploads/` (written with `scorer.outputs.write_bytes`, as every output, then
made owner-only like the rest of the data folder); one that fails leaves nothing behind.
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from pathlib import Path

from scorer.errors import InputError
from scorer.outputs import write_bytes
from scorer.result import ScoreResult

ALLOWED_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


class UploadRefused(Exception):
    """`message` is the Chinese sentence for the reviewer; `detail` the CLI's (English)
    line; `code` the error's catalogue code."""

    def __init__(self, message: str, detail: str = "", status: int = 400, code: str = ""):
        self.message = message
        self.detail = detail
        self.status = status
        self.code = code
        super().__init__(message)

    @classmethod
    def of(cls, name: str, error: InputError, status: int = 400) -> "UploadRefused":
        """The refusal of file `name` for `error`: its Chinese problem, and that nothing was kept."""
        return cls(f"{name}：{error.problem_in('zh')}，未保存。", f"{name}: {error.problem}", status, error.code)


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
        raise UploadRefused.of(name, InputError(name, "input.too-large", size=len(data), limit=max_bytes), 413)
    if not data:
        raise UploadRefused.of(name, InputError(name, "input.empty"))
    uploads_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    uploads_dir.chmod(0o700)  # the data folder is owner-only (issue 20.5)
    fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=_suffix(name), dir=uploads_dir)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            result = scorer.score_path(tmp, max_bytes=max_bytes)
        except InputError as e:
            raise UploadRefused.of(name, e) from None
        target = uploads_dir / result.submission.sha256
        if not target.exists():
            write_bytes(target, data)  # as every civscore output: whole, or not at all
            target.chmod(0o600)  # …but owner-only, as everything in the data folder
        sub = result.submission.model_copy(update={"path": name})
        return result.model_copy(update={"submission": sub})
    finally:
        Path(tmp).unlink(missing_ok=True)
