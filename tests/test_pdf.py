"""The PDF scorecard shows what the JSON says: unit, total, every dimension score,
quoted evidence, the veto, the rubric's and the input's identity; fonts embedded.

One scorecard is rendered for the whole module (rendering is the slow part)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil

import pytest
from pypdf import PdfReader

from scorecard_sample import UNIT, build_sample, check_offsets, pdf_text, pdffonts, squash
from scorer.report.format import fmt_score, highlight
from scorer.report.pdf import MAX_QUOTES, write_scorecard

GENERATED = dt.date(2024, 5, 17)


@pytest.fixture(scope="module")
def sample():
    result = build_sample()
    check_offsets(result)
    return result


@pytest.fixture(scope="module")
def pdf(sample, tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf") / "scorecard.pdf"
    assert write_scorecard(sample, out, generated=GENERATED) == out
    return out


@pytest.fixture(scope="module")
def text(pdf):
    return squash(pdf_text(pdf))


@pytest.fixture(scope="module")
def as_json(sample):
    """The values as the `--json` output carries them."""
    return json.loads(sample.model_dump_json())


def test_is_a_pdf_with_pages(pdf):
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert len(PdfReader(str(pdf)).pages) >= 3


def test_unit_and_grade(text, sample):
    assert squash(UNIT) in text
    assert squash(sample.grade) in text


def test_total_exactly_as_in_json(text, as_json):
    shown = fmt_score(as_json["total"])
    assert float(shown) == as_json["total"]  # formatting loses nothing
    assert f"{shown}/{fmt_score(as_json['max_total'])}" in text
    assert f"基础分{fmt_score(as_json['base'])}/{fmt_score(as_json['max_base'])}" in text


def test_every_dimension_score(text, as_json):
    for d in as_json["dimensions"]:
        shown = fmt_score(d["score"])
        assert float(shown) == d["score"]
        # the dimension's own heading in the details ...
        assert f"{squash(d['name'])}得分{shown}/{fmt_score(d['max'])}" in text
        # ... and the bar chart's label
        assert f"{shown}/{fmt_score(d['max'])}" in text


def test_every_criterion_score(text, as_json):
    for d in as_json["dimensions"]:
        for c in d["criteria"]:
            assert f"{squash(c['name'])}" in text
            assert f"{fmt_score(c['score'])}/{fmt_score(c['max'])}" in text


def _shown_quote(ev) -> str:
    """The quote as printed: the (possibly cut) sentence without the highlight tags."""
    return squash(re.sub(r"<[^>]+>", "", str(highlight(ev).html)).replace("&#34;", '"').replace("&#39;", "'"))


def test_evidence_quoted_for_every_dimension(text, sample):
    for d in sample.dimensions:
        quoted = [ev for c in d.criteria for ev in c.evidence[:MAX_QUOTES]]
        assert quoted, d.id
        found = [ev for ev in quoted if _shown_quote(ev) in text]
        assert found, f"no evidence quote of {d.name} in the PDF"
        # and where it stands
        assert f"第{found[0].paragraph}段" in text


def test_at_most_max_quotes_and_the_rest_counted(text, sample):
    crit = sample.dimension("leadership").criteria[1]
    assert len(crit.evidence) == 5
    strongest = sorted(crit.evidence, key=lambda e: (-e.weight, e.start))
    for ev in strongest[:MAX_QUOTES]:
        assert _shown_quote(ev) in text
    for ev in strongest[MAX_QUOTES:]:
        assert _shown_quote(ev) not in text
    assert f"另有{len(crit.evidence) - MAX_QUOTES}条" in text


def test_criterion_without_evidence_gives_the_hint(text, sample):
    crit = sample.dimension("education").criteria[2]
    assert not crit.evidence
    assert "未见相关材料" in text
    assert squash(crit.hint) in text
    for item in crit.missing:
        assert squash(item.describe()) in text


def test_veto_box(text, sample):
    assert "一票否决" in text
    for v in sample.vetoes:
        assert squash(v.name) in text
        assert squash(v.text) in text


def test_bonus_items(text, sample):
    assert "特色工作" in text
    assert f"加分{fmt_score(sample.bonus.score)}/{fmt_score(sample.bonus.max)}" in text
    for item in sample.bonus.items:
        assert squash(item.name) in text
        assert _shown_quote(item.evidence[0]) in text


def test_appendix_identifies_rubric_input_and_tool(text, sample):
    assert sample.rubric.sha256 in text
    assert sample.submission.sha256 in text
    assert f"{sample.submission.bytes:,}字节" in text
    assert f"civscore{sample.tool_version}" in text
    assert f"{sample.rubric.id}/{sample.rubric.version}" in text
    assert "状态描述法" in text


def test_page_header_and_footer_on_every_page(pdf, sample):
    pages = PdfReader(str(pdf)).pages
    n = len(pages)
    footer = f"评分标准{sample.rubric.id}v{sample.rubric.version}·sha256{sample.rubric.sha256[:12]}·生成日期{GENERATED}"
    for i in range(1, n + 1):
        page = squash(_page_text(pdf, i))
        assert f"第{i}页/共{n}页" in page
        assert squash(UNIT) in page
        assert footer in page


def _page_text(pdf, number: int) -> str:
    if shutil.which("pdftotext"):
        import subprocess

        return subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
                              check=True, capture_output=True, text=True).stdout
    return PdfReader(str(pdf)).pages[number - 1].extract_text()


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="pdffonts (poppler-utils) not installed")
def test_cjk_font_embedded_and_no_type3(pdf):
    fonts = pdffonts(pdf)
    assert fonts
    assert any("CJK" in f["name"] and f["emb"] == "yes" for f in fonts), fonts
    assert all(f["emb"] == "yes" for f in fonts), fonts
    assert not any("Type 3" in f["type"] for f in fonts), fonts
    # One face (Noto Sans CJK SC Regular): each face costs a subset of a 20 MB font per
    # PDF. A submission with characters outside it may add a fallback font, the sample not.
    assert len(fonts) == 1, fonts


@pytest.mark.skipif(not shutil.which("fc-match"), reason="fontconfig's fc-match not installed")
def test_every_character_is_in_the_font(sample):
    """No tofu: every character the scorecard prints (template text, numbers, the
    sample's quotes) has a glyph in the font the stylesheet names."""
    import html as html_lib
    import subprocess

    from fontTools.ttLib import TTFont

    from scorer.report.pdf import render_scorecard_html

    found = subprocess.run(["fc-match", "-f", "%{file}:%{index}", "Noto Sans CJK SC"],
                           check=True, capture_output=True, text=True).stdout
    path, index = found.rsplit(":", 1)
    cmap = TTFont(path, fontNumber=int(index or 0), lazy=True).getBestCmap()
    body = render_scorecard_html(sample)
    body = body[body.index("<body>"):]
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", body)) + "第 页 / 共 页"  # + the page counter
    missing = sorted({c for c in text if not c.isspace() and ord(c) not in cmap})
    assert not missing, missing
