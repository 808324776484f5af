"""The workbench in a real browser (Debian's chromium, driven by playwright).

A real server (uvicorn, in a thread) on a free loopback port; the test uploads a
seed, sees the total, clicks a quote and finds it highlighted in the text, adds a
quote by selecting text, lowers a level with a reason, and downloads the PDF whose
text (pdftotext) holds the reviewed total and the reason. Screenshots of every page
go to tmp_path, and to $CIVSCORE_SCREENSHOTS when that is set.
"""

from __future__ import annotations


import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from web_support import SEEDS, serve_in_thread

from scorer.engine import RubricChooser
from scorer.report.format import fmt_score
from scorer.web.app import create_app

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def server(tmp_path):
    port = free_port()
    app = create_app(tmp_path / "data")
    srv, thread = serve_in_thread(app, port)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture()
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Shots:
    def __init__(self, tmp_path: Path):
        self.dirs = [tmp_path / "shots"]
        if os.environ.get("CIVSCORE_SCREENSHOTS"):
            self.dirs.append(Path(os.environ["CIVSCORE_SCREENSHOTS"]))
        for d in self.dirs:
            d.mkdir(parents=True, exist_ok=True)

    def __call__(self, page, name: str, **kw) -> Path:
        first = self.dirs[0] / f"{name}.png"
        page.screenshot(path=str(first), **kw)
        assert first.stat().st_size > 5000
        for d in self.dirs[1:]:
            shutil.copy(first, d / first.name)
        return first


def test_score_check_adjust_and_sign_in_a_browser(server, browser, tmp_path):
    shot = Shots(tmp_path)
    # a new round chooses the rubric by unit kind unless told otherwise
    expected = RubricChooser().score_path(SEEDS[0])
    page = browser.new_page(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(server + "/")
    assert "评审批次" in page.inner_text("h1")
    page.fill("input[name=name]", "2026年度文明单位初评")
    page.click("button:has-text('新建')")
    page.wait_for_url("**/rounds/*")
    shot(page, "1-round-empty", full_page=True)

    page.set_input_files("input[type=file]", str(SEEDS[0]))
    page.click("text=上传并评分")
    page.wait_for_url("**/items/*")
    assert page.inner_text("#reviewed-total") == fmt_score(expected.total)
    assert page.inner_text("#machine-total") == fmt_score(expected.total)
    assert expected.rubric.chosen_by in page.inner_text("#rubric-choice")
    shot(page, "2-review")

    # click a quote on the right: it is highlighted in the text on the left, in view
    quote = page.locator("a.quote").nth(3)
    key = quote.get_attribute("data-span")
    quote.click()
    active = page.locator("#doc mark.active")
    assert active.count() >= 1
    assert key in active.first.get_attribute("data-q").split()
    start, end = map(int, key.split("-"))
    assert "".join(active.all_inner_texts()) == expected.text[start:end]
    box, pane = active.first.bounding_box(), page.locator(".doc-pane").bounding_box()
    assert pane["y"] <= box["y"] <= pane["y"] + pane["height"]
    shot(page, "3-quote-highlighted")

    # select text the tool missed and add it as evidence
    page.evaluate("""() => {
        const seg = document.querySelector('#doc span[data-o]');
        const node = seg.firstChild;
        const r = document.createRange();
        r.setStart(node, 0); r.setEnd(node, Math.min(12, node.length));
        const s = window.getSelection(); s.removeAllRanges(); s.addRange(r);
        document.getElementById('doc').dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
    }""")
    form = page.locator("#add-quote")
    assert form.is_visible()
    assert "所选文字" in form.inner_text()
    shot(page, "4-add-quote")
    form.locator("input[name=reason]").fill("标题即体现创建主题")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("li.added").count() == 1
    assert page.locator("#doc mark.added").count() >= 1

    # lower a level with a reason
    crit = expected.dimensions[0].criteria[0]
    art = page.locator(f"article[data-crit='{crit.id}']")
    art.locator("summary").click()
    lower = "D" if crit.level != "D" else "C"
    art.locator(f"input[name=level][value={lower}]").check()
    art.locator("textarea[name=reason]").fill("台账显示该机制未实际运行")
    art.locator("button:has-text('保存调整')").click()
    page.wait_for_load_state()
    share = {"A": 1.0, "B": 0.66, "C": 0.33, "D": 0.0}[lower]
    reviewed = round(expected.total - crit.score + round(crit.max * share, 1), 1)
    assert page.inner_text("#reviewed-total") == fmt_score(reviewed)
    assert "台账显示该机制未实际运行" in page.inner_text(f"article[data-crit='{crit.id}']")
    page.fill("textarea[name=opinion]", "材料总体翔实，组织机制部分需补充台账。")
    page.fill("input[name=checker]", "赵六")
    page.click("text=保存评审意见")
    page.wait_for_load_state()
    shot(page, "5-adjusted")
    page.locator("#log").scroll_into_view_if_needed()
    shot(page, "6-change-log")

    with page.expect_download() as dl:
        page.click("#download-pdf")
    pdf = tmp_path / "card.pdf"
    dl.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert fmt_score(reviewed) in text and "台账显示该机制未实际运行" in text
    assert "机器初评与评审认定" in text and "赵六" in text
    png = subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "2", "-l", "2", str(pdf), str(tmp_path / "pdf")],
                         check=True)
    assert png.returncode == 0
    for d in shot.dirs[1:]:
        for f in tmp_path.glob("pdf*.png"):
            shutil.copy(f, d / "7-scorecard-page2.png")

    page.goto(page.url.split("/items/")[0])
    assert "已评审" in page.inner_text("table.ranking")
    assert fmt_score(reviewed) in page.inner_text("table.ranking")
    shot(page, "8-round-ranked", full_page=True)
    assert not errors, errors


def test_two_browsers_one_criterion(server, browser, tmp_path):
    shot = Shots(tmp_path)
    a = browser.new_page(viewport={"width": 1440, "height": 900})
    a.goto(server + "/")
    a.fill("input[name=name]", "并发测试")
    a.click("button:has-text('新建')")
    a.wait_for_url("**/rounds/*")
    a.set_input_files("input[type=file]", str(SEEDS[1]))
    a.click("text=上传并评分")
    a.wait_for_url("**/items/*")
    ctx_b = browser.new_context(viewport={"width": 1440, "height": 900})
    b = ctx_b.new_page()
    b.goto(server + "/login?next=" + a.url.split(server)[1])
    b.fill("input[name=name]", "李四")
    b.click("button[type=submit]")
    b.wait_for_url("**/items/*")
    crit_id = a.locator("article.crit").first.get_attribute("data-crit")
    machine = a.locator(f"article[data-crit='{crit_id}'] .lvl").inner_text()
    first, second = [lv for lv in "ABCD" if lv != machine][:2]
    for page, level, reason in ((a, first, "甲：未见实效"), (b, second, "乙：证据偏少")):
        art = page.locator(f"article[data-crit='{crit_id}']")
        art.locator("summary").click()
        art.locator(f"input[name=level][value={level}]").check()
        art.locator("textarea[name=reason]").fill(reason)
    a.locator(f"article[data-crit='{crit_id}'] button:has-text('保存调整')").click()
    a.wait_for_load_state()
    b.locator(f"article[data-crit='{crit_id}'] button:has-text('保存调整')").click()
    b.wait_for_load_state()
    conflict = b.locator("#conflict")
    assert conflict.is_visible()
    assert "本机评审人" in conflict.inner_text() and "甲：未见实效" in conflict.inner_text()
    assert f"{machine} → {first}" in conflict.inner_text()
    assert b.locator(f"article[data-crit='{crit_id}'] .lvl").inner_text() == first  # a's decision stands
    assert b.locator(f"article[data-crit='{crit_id}'] textarea[name=reason]").input_value() == "乙：证据偏少"
    conflict.scroll_into_view_if_needed()
    shot(b, "9-conflict")
    ctx_b.close()


def test_bad_file_is_explained_in_chinese(server, browser, tmp_path):
    shot = Shots(tmp_path)
    bad = tmp_path / "扫描件.pdf"
    bad.write_bytes(b"%PDF-1.4\n%garbage that is not a pdf\n")
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(server + "/")
    page.fill("input[name=name]", "错误示例")
    page.click("button:has-text('新建')")
    page.wait_for_url("**/rounds/*")
    page.set_input_files("input[type=file]", str(bad))
    page.click("text=上传并评分")
    page.wait_for_load_state()
    text = page.inner_text("ul.refused")
    assert "扫描件.pdf" in text and "PDF 文件已损坏" in text and "未保存" in text
    shot(page, "10-refused-upload")
    page.goto(server + "/rounds/999")
    assert "没有这个评审批次" in page.inner_text("#message")


def test_veto_box_cannot_be_missed(server, browser, tmp_path):
    from web_support import VETO_SENTENCE

    shot = Shots(tmp_path)
    report = tmp_path / "veto.txt"
    report.write_bytes(SEEDS[2].read_bytes() + ("\n" + VETO_SENTENCE + "\n").encode())
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(server + "/")
    page.fill("input[name=name]", "否决核实")
    page.click("button:has-text('新建')")
    page.wait_for_url("**/rounds/*")
    page.set_input_files("input[type=file]", str(report))
    page.click("text=上传并评分")
    page.wait_for_url("**/items/*")
    box = page.locator(".veto-box")
    assert box.is_visible()
    assert box.bounding_box()["y"] < 900  # in the first screen, without scrolling
    assert "一票否决" in page.inner_text("#reviewed-grade")
    assert page.locator("#doc mark.veto").count() >= 1
    shot(page, "11-veto")
    box.locator("input[name=reason]").fill("所述法官系外单位人员，与本院无关")
    box.locator("button:has-text('认定不成立')").click()
    page.wait_for_load_state()
    assert "一票否决" not in page.inner_text("#reviewed-grade")
    assert "已认定不成立" in page.inner_text(".veto-box")


def test_dns_rebinding_reads_and_writes_nothing(server, tmp_path):
    """A page at a name that resolves to 127.0.0.1 (Chromium's --host-resolver-rules stands in
    for the attacker's DNS) runs in the origin http://rebind.test:PORT and fetches the workbench
    as its own site: every request is refused by Host, so it reads no round and no CSRF token,
    and a post with a token it somehow knew stores nothing (issue 20.1)."""
    import re
    import sqlite3

    shot = Shots(tmp_path)
    port = server.rsplit(":", 1)[1]
    # Chromium's own Private Network Access checks would stop the attacker's page (served from
    # the route below, outside the loopback address space) first; other browsers have none,
    # so they are turned off: the workbench must refuse by itself.
    NO_PNA = ("--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,"
              "PrivateNetworkAccessRespectPreflightResults,LocalNetworkAccessChecks")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM,
                              args=ARGS + ["--host-resolver-rules=MAP rebind.test 127.0.0.1", NO_PNA])
        try:
            page = b.new_page(viewport={"width": 1280, "height": 720})
            # the reviewer's own tab: a round with one submission
            page.goto(server + "/")
            page.fill("input[name=name]", "重绑定测试")
            page.click("button:has-text('新建')")
            page.wait_for_url("**/rounds/*")
            page.set_input_files("input[type=file]", str(SEEDS[0]))
            page.click("text=上传并评分")
            page.wait_for_url("**/items/*")
            item = page.url.split(server)[1]
            rid = item.split("/")[2]
            token = page.locator("input[name=csrf]").first.get_attribute("value")
            version = page.locator("input[name=version]").first.get_attribute("value")

            evil = b.new_page(viewport={"width": 1280, "height": 720})
            response = evil.goto(f"http://rebind.test:{port}/")
            assert response.status == 400
            assert "主机名无效" in evil.inner_text("body")
            shot(evil, "12-rebinding-refused")
            # the attacker's own page, as its server gave it before the name was rebound
            evil.route(f"http://rebind.test:{port}/attack.html", lambda route: route.fulfill(
                status=200, content_type="text/html", body="<!doctype html><title>attack</title><p>hello</p>"))
            evil.goto(f"http://rebind.test:{port}/attack.html")
            got = evil.evaluate("""async ([rid, item, token, version]) => {
                const out = {};
                for (const url of ['/', '/rounds/' + rid, '/rounds/' + rid + '/ranking.csv', item]) {
                    const r = await fetch(url);
                    out[url] = [r.status, await r.text()];
                }
                const body = new URLSearchParams({csrf: token, version, opinion: '重绑定写入的意见',
                                                   reviewer: 'x', checker: ''});
                const w = await fetch(item + '/opinion', {method: 'POST', body});
                out.post = [w.status, await w.text()];
                return out;
            }""", [rid, item, token, version])
            for url, (status, text) in got.items():
                assert status in (400, 403), (url, status)
                assert not re.search(r'name="csrf"', text) and "重绑定测试" not in text, url
        finally:
            b.close()
    data = Path(tmp_path) / "data" / "results.sqlite"
    db = sqlite3.connect(data)
    try:
        stored = [r[0] for r in db.execute("SELECT after FROM web_changes")]
    finally:
        db.close()
    assert not any("重绑定写入的意见" in s for s in stored)
