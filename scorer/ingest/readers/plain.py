"""Plain text (.txt, .md): decode bytes, trying what Chinese reports actually use.

Order: a byte-order mark wins; then strict UTF-8 (valid UTF-8 is almost never
anything else); then charset-normalizer. Its guess is taken when it says GB (read
as GB18030, the superset of GB2312/GBK) or when it decodes more cleanly than
GB18030 does; a weak guess loses to GB18030, the usual encoding of Chinese
Windows files.
"""

from __future__ import annotations

import codecs


from ..limits import CharBudget, Limits
from . import RawText, ReadProblem

_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_GB_FAMILY = {"gb18030", "gbk", "gb2312", "hz", "cp936"}


def read_text(data: bytes, limits: Limits | None = None) -> RawText:
    text, encoding = decode_text(data)
    if limits is not None and len(text) > limits.max_chars:
        CharBudget(limits.max_chars, "the text").take(len(text))
    return RawText(text, encoding)


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding name) or ReadProblem."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                raise ReadProblem("input.bad-bom", encoding=encoding) from None
    if b"\x00" in data:
        raise ReadProblem("input.binary")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only for text that is not UTF-8 (~15 ms to import)
    from charset_normalizer.md import mess_ratio

    gb = _try_decode(data, "gb18030")
    guess = from_bytes(data).best()
    if guess is not None and guess.encoding in _GB_FAMILY and gb is not None:
        return gb, "gb18030"
    if guess is not None and (gb is None or mess_ratio(str(guess)) < mess_ratio(gb)):
        return str(guess), guess.encoding
    if gb is not None:
        return gb, "gb18030"
    raise ReadProblem("input.undecodable")


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None
