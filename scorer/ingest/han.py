"""Character classes for Chinese text, shared by normalization, metadata and the loader."""

from __future__ import annotations

import re

# CJK Unified Ideographs, Extension A, compatibility ideographs, Extensions B–H.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"

# Characters that sit inside Chinese running text without spaces around them:
# ideographs, kana/hangul, CJK and full-width punctuation, curly quotes, ellipsis,
# em dashes and the middle dot.
CJKISH = (
    HAN
    + "\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u31a0-\u31bf\uac00-\ud7af"
    + "\uff00-\uffef\ufe30-\ufe4f\u2018-\u201f\u2025\u2026\u2014\u2015\u00b7"
)

HAN_RE = re.compile(f"[{HAN}]")
CJKISH_RE = re.compile(f"[{CJKISH}]")
_HAN_RUN = re.compile(f"[{HAN}]+")


def count_han(text: str) -> int:
    return sum(map(len, _HAN_RUN.findall(text)))  # by runs: one string a run, not one a character


def chinese_share(text: str) -> tuple[int, float]:
    """(number of Han characters, their share among all letters) — the 'is this Chinese?' test."""
    han = count_han(text)
    letters = sum(map(str.isalpha, text))
    return han, (han / letters if letters else 0.0)
