"""Submission text is untrusted: markup in it is printed as text, nothing is fetched,
long strings stay on the page, and the URL fetcher refuses all but template assets."""

from __future__ import annotations

import http.server
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from scorecard_sample import build_sample, pdf_text, squash
from scorer.report.fetcher import DATA_URL_LIMIT, RefusedURL, TemplateAssetFetcher
from scorer.report.pdf import TEMPLATE, render_scorecard_html, write_scorecard
from scorer.resources import templates_dir

LONG = "https://example.invalid/" + "x" * 260  # one unbroken "word", far wider than a line


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802
        type(self).requests.append(self.path)
        body = b"body { color: red }"
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_HEAD = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def listener():
    """A local HTTP server that records every request it gets. Stops with the module."""
    _Recorder.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.timeout = 0.5
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def hostile(listener):
    port = listener.server_address[1]
    strings = {
        "img": '<img src="file:///etc/passwd">',
        "link": f'<link rel=stylesheet href="http://127.0.0.1:{port}/x.css">',
        "jinja": "{{ 7*7 }}",
        "style": f"<style>@import url(http://127.0.0.1:{port}/i.css);</style>",
        "svg": f'<svg><image href="http://127.0.0.1:{port}/s.png"/></svg>',
    }
    # The quoted evidence (cut to a window when long), the unit and the title all carry markup.
    paragraph = "本院党建工作扎实。" + strings["img"] + strings["link"] + strings["jinja"] + "。"
    result = build_sample(
        extra_paragraph=paragraph,
        unit="某某法院" + strings["jinja"] + strings["img"] + strings["svg"],
        title="标题" + strings["link"] + strings["style"] + LONG,
    )
    return result, strings


@pytest.fixture(scope="module")
def hostile_pdf(hostile, tmp_path_factory):
    result, _ = hostile
    out = tmp_path_factory.mktemp("hostile") / "hostile.pdf"
    write_scorecard(result, out)
    return out


def test_markup_is_escaped_in_html(hostile):
    result, strings = hostile
    html = render_scorecard_html(result)
    assert "<img" not in html
    assert "<link" not in html
    assert "<style>@import" not in html
    assert "<image" not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert "{{ 7*7 }}" in html and "49" not in re.sub(r"[0-9a-f]{64}", "", html).split("{{ 7*7 }}")[0][-50:]


def test_markup_printed_as_literal_text(hostile, hostile_pdf):
    _, strings = hostile
    text = squash(pdf_text(hostile_pdf))
    for s in strings.values():
        assert squash(s) in text, s
    # pdftotext reads the wrapped lines of LONG around the table's label: check its parts
    assert "https://example.invalid/" in text
    assert text.count("x") >= LONG.count("x")


def test_nothing_fetched(listener, hostile_pdf):
    assert _Recorder.requests == []


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) not installed")
def test_long_unbroken_string_stays_on_the_page(hostile_pdf):
    """Every word's box lies inside the page's text area (A4, 18 mm side margins)."""
    html = subprocess.run(["pdftotext", "-bbox", str(hostile_pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    page_w = float(re.search(r'<page width="([\d.]+)"', html).group(1))
    margin = 18 / 25.4 * 72
    boxes = [(float(a), float(b)) for a, b in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', html)]
    assert boxes
    for x_min, x_max in boxes:
        assert x_min >= margin - 2 and x_max <= page_w - margin + 2, (x_min, x_max, page_w)


def test_template_never_marks_text_safe():
    source = (Path(templates_dir()) / TEMPLATE).read_text(encoding="utf-8")
    assert not re.search(r"\|\s*safe\b", source)
    assert "autoescape false" not in source


# ---- the URL fetcher --------------------------------------------------------------------

@pytest.fixture()
def fetcher():
    return TemplateAssetFetcher(templates_dir())


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/x.css",
    "https://example.com/x.png",
    "ftp://example.com/x",
    "file:///etc/passwd",
    "file://otherhost/etc/passwd",
    "gopher://x/",
])
def test_fetcher_refuses_everything_but_templates(fetcher, url):
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    with pytest.raises(RefusedURL):
        fetcher(url)


def test_fetcher_refuses_file_outside_templates_even_via_dotdot(fetcher, tmp_path):
    outside = tmp_path / "secret.css"
    outside.write_text("body{}")
    with pytest.raises(RefusedURL):
        fetcher.fetch(outside.as_uri())
    sneaky = templates_dir().as_uri() + "/../pyproject.toml"
    with pytest.raises(RefusedURL):
        fetcher.fetch(sneaky)


def test_fetcher_refuses_symlink_out_of_templates(tmp_path):
    root = tmp_path / "templates"
    root.mkdir()
    (root / "ok.css").write_text("p{}")
    (root / "link.css").symlink_to("/etc/passwd")
    f = TemplateAssetFetcher(root)
    assert f.fetch((root / "ok.css").as_uri()).read() == b"p{}"
    with pytest.raises(RefusedURL):
        f.fetch((root / "link.css").as_uri())


def test_fetcher_refuses_large_data_url(fetcher):
    big = "data:text/plain;base64," + "A" * DATA_URL_LIMIT
    with pytest.raises(RefusedURL):
        fetcher.fetch(big)


def test_fetcher_serves_template_assets_and_small_data(fetcher):
    css = templates_dir() / "scorecard.css"
    response = fetcher.fetch(css.as_uri())
    assert response.read() == css.read_bytes()
    assert response.content_type == "text/css"
    small = fetcher.fetch("data:text/plain;base64,aGk=")
    assert small.read() == b"hi"
