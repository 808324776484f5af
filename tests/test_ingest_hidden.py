"""What a reader would not see is not scored, and the hidden characters are reported.

The attack: a weak report (seed 004, 40.7 points) carrying a strong one (seed 000,
80.1 points) in text a reader never sees. Read from every format, it must score
exactly what the weak report scores alone, and say how much it hid.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import hostile
from scorer.engine import Scorer
from scorer.ingest import load_document
from scorer.ingest.readers.web import hides

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
WEAK = SEEDS[4].read_text("utf-8")
STRONG = SEEDS[0].read_text("utf-8")
STRONG_CHARS = len("".join(STRONG.split()))  # non-space characters hidden


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer.load()


@pytest.fixture(scope="module")
def weak_total(scorer, tmp_path_factory) -> float:
    path = tmp_path_factory.mktemp("weak") / "weak.txt"
    path.write_text(WEAK, encoding="utf-8")
    total = scorer.score_path(path).total
    strong = tmp_path_factory.mktemp("strong") / "strong.txt"
    strong.write_text(WEAK + "\n" + STRONG, encoding="utf-8")
    assert scorer.score_path(strong).total > total + 20  # the attack works when the text is visible
    return total


def assert_hidden_ignored(path: Path, scorer: Scorer, weak_total: float, hidden: int = STRONG_CHARS) -> None:
    doc = load_document(path)
    assert "擎起文明司法一面旗" not in doc.text and "格尔木" not in doc.text
    assert doc.hidden_chars == hidden
    result = scorer.score_document(doc)
    assert result.total == weak_total
    assert result.submission.hidden_chars == hidden
    assert json.loads(result.model_dump_json())["submission"]["hidden_chars"] == hidden


@pytest.mark.parametrize("how", sorted(hostile.HIDING))
def test_hidden_html_is_not_scored(how, scorer, weak_total, tmp_path):
    path = tmp_path / "page.html"
    path.write_text(hostile.html_page(WEAK, STRONG, how), encoding="utf-8")
    assert_hidden_ignored(path, scorer, weak_total)


def test_visible_html_around_hidden_rules_is_kept(tmp_path):
    """:hover rules and @media print do not hide; display:block and ordinary styles show."""
    page = hostile.html_page(WEAK, "").replace(
        "</style>",
        "</style><style>.tip:hover{display:none} @media print{.screen{display:none}} .shown{display:block}</style>",
    ).replace(
        "</article>",
        '<p class="tip screen shown" style="color:#333;font-size:14px;left:-10px">格尔木市人民法院开展志愿服务。</p></article>',
    )
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    doc = load_document(path)
    assert "格尔木市人民法院开展志愿服务" in doc.text and doc.hidden_chars == 0


def test_hidden_menus_are_dropped_without_counting(tmp_path):
    """A collapsed site menu is chrome, not a hiding report: it is not counted."""
    page = hostile.html_page(WEAK, "").replace(
        "<body>", '<body><div class="nav"><ul style="display:none"><li>机构设置</li><li>诉讼服务</li></ul></div>'
    )
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    doc = load_document(path)
    assert doc.hidden_chars == 0 and "机构设置" not in doc.text


@pytest.mark.parametrize(
    "style, hidden",
    [
        ("display: none", True),
        ("visibility:collapse", True),
        ("opacity: 0.0", True),
        ("font-size: 0px", True),
        ("color: transparent", True),
        ("color: rgba(0, 0, 0, 0)", True),
        ("position:absolute; top:-5000px", True),
        ("margin-left: -200em", True),
        ("clip: rect(0 0 0 0); position: absolute", True),
        ("height: 0; overflow: hidden", True),
        ("display: block", False),
        ("opacity: 0.5", False),
        ("font-size: 10px", False),
        ("left: -20px; position: relative", False),
        ("color: rgba(0,0,0,0.8)", False),
        ("height: 0", False),
    ],
)
def test_css_that_hides(style, hidden):
    from scorer.ingest.readers.web import _declarations

    assert hides(_declarations(style)) is hidden


@pytest.mark.parametrize("how", ["vanish", "webHidden", "char-style", "para-style"])
def test_hidden_docx_runs_are_not_scored(how, scorer, weak_total, tmp_path):
    path = hostile.docx_of_report(WEAK, tmp_path / "report.docx", hidden=STRONG, how=how)
    assert_hidden_ignored(path, scorer, weak_total)


def test_docx_vanish_switched_off_is_visible(tmp_path):
    body = [hostile.paragraph(line, run_props='<w:vanish w:val="0"/>') for line in WEAK.splitlines() if line.strip()]
    doc = load_document(hostile.write_docx(tmp_path / "r.docx", body))
    assert doc.hidden_chars == 0 and len(doc.text) > 3000


def test_docx_written_by_python_docx_with_hidden_font(scorer, weak_total, tmp_path):
    """The attribute Word users set (字体 → 隐藏), as python-docx writes it."""
    import docx

    document = docx.Document()
    for line in WEAK.splitlines():
        if line.strip():
            document.add_paragraph(line.strip())
    for line in STRONG.splitlines():
        if line.strip():
            document.add_paragraph().add_run(line.strip()).font.hidden = True
    path = tmp_path / "word.docx"
    document.save(str(path))
    assert_hidden_ignored(path, scorer, weak_total)


def test_invisible_pdf_text_is_not_scored(scorer, weak_total, tmp_path):
    path = hostile.pdf_with_invisible_text(WEAK, STRONG, tmp_path / "report.pdf")
    doc = load_document(path)
    assert "擎起文明司法一面旗" not in doc.text and "格尔木" not in doc.text
    # PDF text comes re-wrapped, with the odd generated space: within a few characters.
    assert abs(doc.hidden_chars - STRONG_CHARS) <= 0.02 * STRONG_CHARS
    assert scorer.score_document(doc).total == pytest.approx(weak_total, abs=2)


def test_plain_pdf_has_no_hidden_text(tmp_path):
    import ingest_builders as build

    doc = load_document(build.make_pdf(WEAK, tmp_path / "plain.pdf"))
    assert doc.hidden_chars == 0 and len(doc.text) > 3000


def test_ocr_layer_over_a_scan_is_kept(tmp_path):
    """Invisible text over an image is what a scanned page shows: it is read."""
    import base64
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), (250, 250, 250)).save(buffer, "PNG")
    png = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    scan = (
        f'<img src="{png}" style="position:absolute;left:0;top:0;width:17cm;height:25cm">'
        '<div style="position:relative">'
    )
    page_of_text = WEAK[:600]  # stays on the first page, over the image
    path = hostile.pdf_with_invisible_text("", page_of_text, tmp_path / "ocr.pdf", before_hidden=scan, after_hidden="</div>")
    doc = load_document(path)
    assert doc.hidden_chars == 0
    assert "紧盯目标" in doc.text and "注重宣传到位" in doc.text


def test_a_page_whose_text_is_all_hidden_says_so(tmp_path):
    from scorer.errors import InputError

    path = tmp_path / "page.html"
    path.write_text(hostile.html_page("", STRONG, "display-none"), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_document(path)
    assert caught.value.problem == f"all of the file's text is hidden from a reader ({STRONG_CHARS:,} hidden characters)"


def test_invisible_characters_only_is_no_text(tmp_path):
    from scorer.errors import InputError

    path = tmp_path / "blank.txt"
    path.write_text("\u034f\ufe0f\U000e0041 \u3164\n", encoding="utf-8")
    with pytest.raises(InputError, match="only whitespace"):
        load_document(path)


def test_hidden_characters_appear_on_screen_and_on_the_scorecard(scorer, tmp_path):
    from typer.testing import CliRunner

    from scorecard_sample import pdf_text, squash
    from scorer.cli import app
    from scorer.report.pdf import write_scorecard

    path = tmp_path / "page.html"
    path.write_text(hostile.html_page(WEAK, STRONG, "stylesheet-class"), encoding="utf-8")
    line = f"已忽略 {STRONG_CHARS} 个隐藏字符"

    screen = CliRunner().invoke(app, ["score", str(path)])
    assert screen.exit_code == 0 and line in screen.output

    card = write_scorecard(scorer.score_path(path), tmp_path / "card.pdf")
    assert squash(line) in squash(pdf_text(card))

    plain = tmp_path / "plain.html"
    plain.write_text(hostile.html_page(WEAK), encoding="utf-8")
    assert "隐藏字符" not in CliRunner().invoke(app, ["score", str(plain)]).output
