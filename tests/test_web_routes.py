"""The workbench without a browser: upload, review, adjust, undo, PDF, round view,
and every route's bad input answered in Chinese with nothing stored."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess

import pytest
from web_support import (SEEDS, VETO_SENTENCE, Reviewer, crit_levels, first_quote, lowerable, reviewed_total, seed_bytes,
                         version_of)

from scorer.engine import Scorer
from scorer.report.format import fmt_score
from scorer.web.app import create_app


@pytest.fixture()
def app(tmp_path):
    return create_app(tmp_path / "data")


@pytest.fixture()
def data(tmp_path):
    return tmp_path / "data"


def counts(data) -> tuple[int, int, int]:
    """(results rows, round items, files under uploads/)."""
    db = sqlite3.connect(data / "results.sqlite")
    try:
        n_results = db.execute("SELECT count(*) FROM results").fetchone()[0]
        n_items = db.execute("SELECT count(*) FROM web_items").fetchone()[0]
    finally:
        db.close()
    uploads = data / "uploads"
    return n_results, n_items, len(list(uploads.iterdir())) if uploads.exists() else 0


def uploaded(app, i=0):
    rv = Reviewer(app)
    rid = rv.new_round()
    r = rv.upload(rid, SEEDS[i].name, seed_bytes(i))
    assert r.status_code == 200 and "/items/" in str(r.url), r.text[:500]
    return rv, str(r.url.path), r


def test_upload_scores_and_shows_the_review_page(app, data):
    rv, url, r = uploaded(app)
    expected = Scorer.load("court").score_path(SEEDS[0])
    assert reviewed_total(r.text) == fmt_score(expected.total)
    assert expected.submission.unit in r.text
    # every quote is marked in the text, and each quote link points at its mark
    crit, start, end = first_quote(r.text)
    assert f'id="s-{start}-{end}"' in r.text
    assert f'data-q="{start}-{end}"' in r.text or f" {start}-{end}" in r.text
    assert counts(data) == (1, 1, 1)
    stored = list((data / "uploads").iterdir())[0]
    assert stored.name == expected.submission.sha256
    assert "尚无修改" in r.text


def test_submission_text_is_never_markup(app):
    rv = Reviewer(app)
    rid = rv.new_round()
    hostile = seed_bytes(1) + "\n<script>alert('x')</script><img src=x onerror=alert(1)>测试材料。\n".encode()
    r = rv.upload(rid, "<b onclick=x>恶意.txt", hostile)
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "<img src=x" not in r.text
    assert "&lt;script&gt;" in r.text
    round_page = rv.get(f"/rounds/{rid}").text
    assert "&lt;b onclick=x&gt;恶意.txt" in round_page and "<b onclick" not in round_page


def test_oversized_upload_is_refused_and_nothing_stored(tmp_path):
    data = tmp_path / "data"
    app = create_app(data, max_bytes=40_000)
    rv = Reviewer(app)
    rid = rv.new_round()
    big = seed_bytes(0) * 20
    assert len(big) > 40_000
    r = rv.upload(rid, "big.txt", big)
    assert r.status_code == 413
    assert "文件过大" in r.text and "未保存" in r.text
    assert counts(data) == (0, 0, 0)


def test_binary_file_is_refused_in_chinese(app, data):
    rv = Reviewer(app)
    rid = rv.new_round()
    r = rv.upload(rid, "report.txt", b"\x00\x01\x02binary\x00" * 200)
    assert r.status_code == 400
    assert "二进制文件" in r.text and "未保存" in r.text
    assert "report.txt: binary data" in r.text  # the CLI's own line beside it
    assert counts(data) == (0, 0, 0)
    assert not any((data / "uploads").iterdir())  # no temporary file left behind


def test_several_files_some_bad(app, data):
    rv = Reviewer(app)
    rid = rv.new_round()
    files = [("files", (SEEDS[0].name, seed_bytes(0))), ("files", ("empty.txt", b"")),
             ("files", ("zip.docx", b"PK\x03\x04garbage")), ("files", (SEEDS[1].name, seed_bytes(1)))]
    r = rv.post(f"/rounds/{rid}/upload", {"rubric": "general"}, files=files)
    assert r.status_code == 200
    assert "已评分 2 份" in r.text and "未能评分 2 份" in r.text
    assert "文件是空的" in r.text and "Word 文档已损坏" in r.text
    assert counts(data) == (2, 2, 2)


def test_forged_forms_without_csrf_are_refused(app, data):
    rv = Reviewer(app)
    rid = rv.new_round()
    r = rv.post(f"/rounds/{rid}/upload", {"rubric": "court"}, files=[("files", ("a.txt", seed_bytes(0)))],
                csrf=False)
    assert r.status_code == 403 and "安全令牌" in r.text and "未保存" in r.text
    assert counts(data) == (0, 0, 0)
    r = rv.post("/rounds", {"name": "伪造", "csrf": "forged-token"})
    assert r.status_code == 403
    assert "伪造" not in rv.get("/").text
    # a level change without the token leaves the review untouched
    rv, url, page = uploaded(app)
    crit, _, _ = first_quote(page.text)
    r = rv.post(url + "/level", {"version": "0", "crit": crit, "level": "D", "reason": "x"}, csrf=False)
    assert r.status_code == 403
    assert version_of(rv.get(url).text) == 0
    # a token from another session does not work either
    other = Reviewer(app)
    r = rv.post(url + "/level", {"version": "0", "crit": crit, "level": "D", "reason": "x", "csrf": other.csrf})
    assert r.status_code == 403


@pytest.mark.parametrize("path", [
    "/static/..%2f..%2f..%2fetc%2fpasswd",
    "/static/../../etc/passwd",
    "/rounds/1/items/..%2f..%2fresults.sqlite",
    "/rounds/..%2f..%2f/items/1",
    "/uploads/..%2fresults.sqlite",
])
def test_paths_never_reach_the_file_system(app, path):
    rv = Reviewer(app)
    rv.new_round()
    r = rv.get(path)
    assert r.status_code == 404
    assert "页面不存在" in r.text
    assert "root:" not in r.text and "SQLite" not in r.text


def test_uploaded_file_name_is_only_a_label(app, data, tmp_path):
    rv = Reviewer(app)
    rid = rv.new_round()
    r = rv.upload(rid, "../../../evil.txt", seed_bytes(2))
    assert r.status_code == 200
    assert not (tmp_path / "evil.txt").exists() and not (data / "evil.txt").exists()
    assert [p.name for p in (data / "uploads").iterdir()] == [Scorer.load().score_path(SEEDS[2]).submission.sha256]
    assert "evil.txt" in rv.get(f"/rounds/{rid}").text


def test_static_assets_served_by_name_only(app):
    rv = Reviewer(app)
    r = rv.get("/static/web.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert rv.get("/static/web.css").status_code == 200
    assert rv.get("/static/review.html.j2").status_code == 404


def test_adjust_level_needs_a_reason_and_changes_the_total(app):
    rv, url, page = uploaded(app)
    machine = Scorer.load("court").score_path(SEEDS[0])
    crit = lowerable(page.text)
    r = rv.post(url + "/level", {"version": "0", "crit": crit, "level": "D", "reason": "  "})
    assert r.status_code == 400 and "须填写理由" in r.text
    r = rv.post(url + "/level", {"version": "0", "crit": crit, "level": "Z", "reason": "x"})
    assert r.status_code == 400 and "等级须为" in r.text
    r = rv.post(url + "/level", {"version": "0", "crit": "no.such", "level": "D", "reason": "x"})
    assert r.status_code == 400 and "没有这个评分项" in r.text
    r = rv.post(url + "/level", {"version": "0", "crit": crit, "level": "D", "reason": "材料与事实不符"})
    assert r.status_code == 200
    same = rv.post(url + "/level", {"version": "1", "crit": crit, "level": "D", "reason": "再次"})
    assert same.status_code == 400 and "无需调整" in same.text
    c = next(c for d in machine.dimensions for c in d.criteria if c.id == crit)
    assert reviewed_total(same.text) == fmt_score(round(machine.total - c.score, 1))
    assert "材料与事实不符" in same.text and f"机器初评 {c.level}" in same.text
    assert version_of(same.text) == 1


def test_undo_restores_the_machine_level(app):
    rv, url, page = uploaded(app)
    machine_total = reviewed_total(page.text)
    crit = lowerable(page.text)
    r = rv.post(url + "/level", {"version": "0", "crit": crit, "level": "D", "reason": "不实"})
    assert reviewed_total(r.text) != machine_total
    change_id = int(__import__("re").search(r'name="change" value="(\d+)"', r.text).group(1))
    r = rv.post(url + "/undo", {"version": "1", "change": str(change_id)})
    assert r.status_code == 200
    assert reviewed_total(r.text) == machine_total
    assert "撤销：" in r.text and "已撤销" in r.text
    # undoing twice is refused
    r = rv.post(url + "/undo", {"version": "2", "change": str(change_id)})
    assert r.status_code == 400 and "已经撤销过了" in r.text


def test_strike_and_add_quotes(app):
    rv, url, page = uploaded(app)
    crit, start, end = first_quote(page.text)
    r = rv.post(url + "/strike", {"version": "0", "crit": crit, "strike": f"{start}-{end}"})  # the quote's button
    assert r.status_code == 200 and "删除依据" in r.text
    assert 'class="struck"' in r.text and f'name="restore" value="{start}-{end}"' in r.text
    r = rv.post(url + "/strike", {"version": "1", "crit": crit, "start": start + 1, "end": end})
    assert r.status_code == 400 and "不属于该评分项" in r.text
    r = rv.post(url + "/add", {"version": "1", "crit": crit, "start": 0, "end": 12, "reason": "标题即体现"})
    assert r.status_code == 200 and "评审补充" in r.text and "标题即体现" in r.text
    r = rv.post(url + "/add", {"version": "2", "crit": crit, "start": 5, "end": 10 ** 7})
    assert r.status_code == 400 and "超出了材料范围" in r.text
    r = rv.post(url + "/add", {"version": "2", "crit": crit, "start": "x", "end": "y"})
    assert r.status_code == 400 and "位置无效" in r.text
    assert version_of(r.text) == 2


def test_two_reviewers_on_the_same_criterion(app):
    a = Reviewer(app, "张三")
    b = Reviewer(app, "李四")
    rid = a.new_round()
    r = a.upload(rid, SEEDS[0].name, seed_bytes(0))
    url = str(r.url.path)
    crit = lowerable(r.text)
    page_b = b.get(url)  # both have version 0 open
    assert version_of(page_b.text) == 0
    r = a.post(url + "/level", {"version": "0", "crit": crit, "level": "D", "reason": "张三：材料不实"})
    assert r.status_code == 200
    total_a = reviewed_total(r.text)
    r = b.post(url + "/level", {"version": "0", "crit": crit, "level": "C", "reason": "李四：证据较少"})
    assert r.status_code == 409
    assert "已被他人修改" in r.text and "张三" in r.text and "张三：材料不实" in r.text
    assert "李四：证据较少" in r.text  # b's reason comes back in the form, not lost
    assert reviewed_total(r.text) == total_a and version_of(r.text) == 1
    # b decides with the current version: both changes are in the record
    r = b.post(url + "/level", {"version": "1", "crit": crit, "level": "C", "reason": "李四：证据较少"})
    assert r.status_code == 200 and version_of(r.text) == 2
    log = r.text[r.text.index('id="log"'):]
    assert "张三" in log and "李四" in log and "D → C" in log


def test_vetoes_are_shown_and_can_be_dismissed_with_a_reason(app):
    rv = Reviewer(app)
    rid = rv.new_round()
    r = rv.upload(rid, "veto.txt", seed_bytes(0) + ("\n" + VETO_SENTENCE + "\n").encode())
    assert "一票否决事项" in r.text and "一票否决" in r.text
    assert 'class="veto-box"' in r.text
    url = str(r.url.path)
    key = __import__("re").search(r'name="key" value="([^"]+)"', r.text).group(1)
    r = rv.post(url + "/veto", {"version": "0", "key": key, "reason": ""})
    assert r.status_code == 400 and "须填写理由" in r.text
    r = rv.post(url + "/veto", {"version": "0", "key": key, "reason": "系外单位人员，与本院无关"})
    assert r.status_code == 200 and "已认定不成立" in r.text
    assert "一票否决" not in __import__("re").search(r'id="reviewed-grade"[^>]*>([^<]+)<', r.text).group(1)
    ranking = rv.get(f"/rounds/{rid}?veto=1").text
    assert "没有符合筛选条件的材料" in ranking


def test_opinion_and_signatures(app):
    rv, url, page = uploaded(app)
    r = rv.post(url + "/opinion", {"version": "0", "opinion": "材料翔实。", "reviewer": "王五", "checker": "赵六"})
    assert r.status_code == 200 and "材料翔实。" in r.text and 'value="赵六"' in r.text
    r = rv.post(url + "/opinion", {"version": "1", "opinion": "材料翔实。", "reviewer": "王五", "checker": "赵六"})
    assert r.status_code == 400 and "没有变化" in r.text


def pdf_text(data: bytes, tmp_path) -> str:
    p = tmp_path / "card.pdf"
    p.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True, text=True, check=True).stdout


def test_unadjusted_scorecard_is_byte_for_byte_the_cli_one(app, tmp_path):
    """Same render function, and WeasyPrint's output carries no date or random id: the
    workbench's PDF equals one `civscore score --pdf` writes in another process."""
    import sys
    from pathlib import Path

    rv, url, page = uploaded(app)
    web = rv.get(url + "/scorecard.pdf")
    assert web.status_code == 200 and web.headers["content-type"] == "application/pdf"
    assert "attachment" in web.headers["content-disposition"]
    out = tmp_path / "cli.pdf"
    civscore = Path(sys.executable).parent / "civscore"
    # Laid out in one piece: two halves joined (scorer.report.split) give the same pages in other
    # bytes (tests/test_split_scorecard.py holds them to the whole).
    subprocess.run([str(civscore), "score", str(SEEDS[0]), "--rubric", "court", "--pdf", str(out)], check=True,
                   capture_output=True, env=dict(os.environ, CIVSCORE_PDF_SPLIT="0"))
    assert web.content == out.read_bytes()
    for marker in (b"/CreationDate", b"/ModDate", b"/ID ["):
        assert marker not in web.content
    # an opinion makes it a reviewed scorecard: different bytes
    rv.post(url + "/opinion", {"version": "0", "opinion": "同意。", "reviewer": "王五", "checker": ""})
    assert rv.get(url + "/scorecard.pdf").content != web.content


def test_adjusted_scorecard_shows_both_and_the_reasons(app, tmp_path):
    rv, url, page = uploaded(app)
    crit = lowerable(page.text)
    r = rv.post(url + "/level", {"version": "0", "crit": crit, "level": "D", "reason": "台账与材料不符"})
    total = reviewed_total(r.text)
    rv.post(url + "/opinion", {"version": "1", "opinion": "建议补充台账。", "reviewer": "王五", "checker": "赵六"})
    text = pdf_text(rv.get(url + "/scorecard.pdf").content, tmp_path)
    assert "机器初评与评审认定" in text and "台账与材料不符" in text
    assert total in text and "建议补充台账。" in text
    assert "复核人" in text and "赵六" in text and "王五" in text


def test_round_view_ranks_by_reviewed_total_with_filters_and_downloads(app, tmp_path):
    rv = Reviewer(app)
    rid = rv.new_round()
    urls = []
    for i in range(3):
        urls.append(str(rv.upload(rid, SEEDS[i].name, seed_bytes(i)).url.path))
    page = rv.get(f"/rounds/{rid}").text
    assert page.count("未评审</span>") == 3
    # lower every criterion of the first-ranked one to D: it drops to last
    top_unit = __import__("re").search(r'<td><a href="/rounds/\d+/items/(\d+)">', page).group(1)
    url = f"/rounds/{rid}/items/{top_unit}"
    p = rv.get(url).text
    import re

    n = 0
    for crit, level in crit_levels(p):
        if level != "D":
            p = rv.post(url + "/level", {"version": str(n), "crit": crit, "level": "D", "reason": "整体不实"}).text
            n += 1
    assert n == version_of(p) > 0
    assert reviewed_total(p) == "0"
    page = rv.get(f"/rounds/{rid}").text
    last = re.findall(r'<td><a href="/rounds/\d+/items/(\d+)">', page)[-1]
    assert last == top_unit
    assert page.count("未评审</span>") == 2
    assert rv.get(f"/rounds/{rid}?unreviewed=1").text.count("<tr class") == 2
    lowest = Scorer.load("court").rubric.grades[-1].name  # the grade of a total of 0
    assert lowest in rv.get(f"/rounds/{rid}?grade={lowest}").text
    csv = rv.get(f"/rounds/{rid}/ranking.csv")
    assert csv.status_code == 200
    rows = csv.content.decode("utf-8-sig").splitlines()
    assert rows[-1].split(",")[2] == "0" and rows[-1].split(",")[3] == lowest
    xlsx = rv.get(f"/rounds/{rid}/ranking.xlsx")
    assert xlsx.content[:2] == b"PK"
    ov = rv.get(f"/rounds/{rid}/overview.pdf")
    assert ov.status_code == 200 and ov.content[:5] == b"%PDF-"
    assert lowest in pdf_text(ov.content, tmp_path)


def test_a_batch_round_opens_in_the_workbench(tmp_path):
    from typer.testing import CliRunner

    from scorer.cli import app as cli_app

    intake = tmp_path / "intake"
    intake.mkdir()
    for s in SEEDS[:2]:
        (intake / s.name).write_bytes(s.read_bytes())
    out = tmp_path / "out"
    res = CliRunner().invoke(cli_app, ["batch", str(intake), "--out", str(out), "--no-pdf", "--workers", "1"])
    assert res.exit_code == 0, res.output
    app = create_app(out)
    rv = Reviewer(app)
    home = rv.get("/").text
    assert "批量评分结果（2 份" in home
    rid = int(__import__("re").search(r'href="/rounds/(\d+)"', home).group(1))
    page = rv.get(f"/rounds/{rid}").text
    assert SEEDS[0].name in page and SEEDS[1].name in page
    # the batch's own table still reads as before
    db = sqlite3.connect(out / "results.sqlite")
    assert db.execute("SELECT count(*) FROM results").fetchone()[0] == 2
    db.close()
    # a second start does not import them again
    create_app(out)
    assert Reviewer(create_app(out)).get("/").text.count("批量评分结果") == 1


def test_bad_round_and_item_numbers(app):
    rv = Reviewer(app)
    assert rv.get("/rounds/99").status_code == 404 and "没有这个评审批次" in rv.get("/rounds/99").text
    rid = rv.new_round()
    assert "没有这份材料" in rv.get(f"/rounds/{rid}/items/5").text
    r = rv.post("/rounds", {"name": "   "})
    assert r.status_code == 400 and "请填写评审批次的名称" in r.text
    r = rv.post(f"/rounds/{rid}/upload", {"rubric": "court"})
    assert r.status_code == 400 and "请选择要上传的申报材料" in r.text
    r = rv.post(f"/rounds/{rid}/upload", {"rubric": "../../etc"}, files=[("files", ("a.txt", seed_bytes(0)))])
    assert r.status_code == 400 and "评分标准" in r.text


def test_malformed_requests_get_chinese_answers(app, data):
    rv = Reviewer(app)
    rid = rv.new_round()
    r = rv.c.post(f"/rounds/{rid}/upload", content=b"--x\r\ngarbage", headers={
        "content-type": "multipart/form-data; boundary=x"})
    assert r.status_code in (400, 403) and ("表单" in r.text)
    r = rv.c.post(f"/rounds/{rid}/upload", content=b"x" * 10, headers={"content-type": "multipart/form-data"})
    assert r.status_code in (400, 403) and "表单" in r.text
    r = rv.c.put(f"/rounds/{rid}")
    assert r.status_code == 405 and "请求方式不正确" in r.text
    r = rv.c.get("/rounds/1/items/1/level")
    assert r.status_code in (404, 405) and ("页面不存在" in r.text or "请求方式" in r.text)
    assert counts(data) == (0, 0, 0)


def test_security_headers(app):
    from starlette.testclient import TestClient

    r = TestClient(app, base_url="http://127.0.0.1:8000").get("/")
    assert r.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in r.headers["content-security-policy"]
    cookie = r.headers.get("set-cookie", "")
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()


# -- main's contract on the review page: rubric chosen by unit kind, hidden characters,
# -- structured evidence and missing items, tiers -------------------------------------------


def test_rubric_by_unit_kind_is_the_default_and_says_why(app, data):
    from pathlib import Path

    from scorer.engine import RubricChooser

    rv = Reviewer(app)
    home = rv.get("/").text
    assert "按单位类别自动选择" in home
    assert '<option value="auto" selected>' in home
    rid = rv.new_round(rubric="auto")
    hospital = Path(__file__).parent / "fixtures" / "general" / "hospital.txt"
    files = [("files", (SEEDS[0].name, seed_bytes(0))), ("files", (hospital.name, hospital.read_bytes()))]
    r = rv.post(f"/rounds/{rid}/upload", {"rubric": "auto"}, files=files)
    assert r.status_code == 200 and "已评分 2 份" in r.text
    chooser = RubricChooser()
    round_page = rv.get(f"/rounds/{rid}").text
    assert "按单位类别自动选择" in round_page
    for path in (SEEDS[0], hospital):
        expected = chooser.score_path(path)
        assert expected.rubric.chosen_by
        link = next(line for line in round_page.splitlines() if "/items/" in line and (expected.submission.unit or "")
                    in line)
        url = link.split('href="', 1)[1].split('"', 1)[0]
        page = rv.get(url).text
        assert reviewed_total(page) == fmt_score(expected.total)
        assert 'id="rubric-choice"' in page and expected.rubric.chosen_by in page
        assert f"评分标准 {expected.rubric.id} " in page
    # a rubric named for the round: no choice to explain
    rv2, url, page = uploaded(app)
    assert 'id="rubric-choice"' not in page.text
    # the overview of a round that holds both rubrics
    r = rv.get(f"/rounds/{rid}/overview.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_hidden_characters_are_reported_on_the_review_page(app):
    import hostile

    weak, strong = SEEDS[4].read_text("utf-8"), SEEDS[0].read_text("utf-8")
    rv = Reviewer(app)
    rid = rv.new_round()
    r = rv.upload(rid, "page.html", hostile.html_page(weak, strong, "stylesheet-class").encode("utf-8"))
    assert r.status_code == 200 and "/items/" in str(r.url)
    hidden = len("".join(strong.split()))
    assert f"已忽略 {hidden} 个隐藏字符" in r.text
    plain = rv.upload(rid, "plain.html", hostile.html_page(weak).encode("utf-8"))
    assert "隐藏字符" not in plain.text


def test_review_page_reads_structured_evidence_and_missing_items(app):
    rv, url, r = uploaded(app)
    result = Scorer.load("court").score_path(SEEDS[0])
    quotes = [q for c in result.criteria() for q in c.quotable()]
    assert quotes and all(q.matches for q in quotes)
    q = quotes[0]
    assert all(result.text[t.start:t.end] for t in q.terms_shown())
    assert q.matches[0].describe() in r.text.replace("&#34;", '"').replace("&#39;", "'")  # the quote's title
    missing = [m for c in result.criteria() for m in c.missing]
    assert missing and {m.status for m in missing} <= {"absent", "insufficient"}
    for m in missing:
        assert f'class="miss-{m.status}"' in r.text
        assert f"{m.status_cn}：{m.label}" in r.text
    # the machine's grade is coloured by its tier
    assert f'id="machine-grade" class="tier-{result.shown_tier}"' in r.text


def _article(html: str, crit: str) -> str:
    m = re.search(rf'<article class="crit[^"]*" id="c-{re.escape(crit)}" data-crit="{re.escape(crit)}">(.*?)</article>',
                  html, re.S)
    assert m, crit
    return m.group(1)


def test_weaker_evidence_is_listed_for_review_where_nothing_is_quoted(app):
    """An item that earned points from sentences too weak to quote lists its most likely ones (not
    as quotes), each marked in the text; adding one makes it the reviewer's evidence."""
    rv, url, r = uploaded(app, 1)
    result = Scorer.load("court").score_path(SEEDS[1])
    weak = [c for c in result.criteria() if c.score > 0 and c.evidence and not c.quotable()]
    assert weak, "seed 001 has an item scored only from unquoted sentences"
    for c in weak:
        block = _article(r.text, c.id)
        listed = c.weaker()
        assert 'class="quotes weak"' in block and "本项得分来自其中可信度较高的句子" in block
        assert [(int(s), int(e)) for s, e in re.findall(r'name="add" value="(\d+)-(\d+)"', block)] == [
            (q.start, q.end) for q in listed]
        for q in listed:
            assert f'<a id="s-{q.start}-{q.end}"></a>' in r.text  # marked in the document pane
            assert f"可信度 {q.probability:.2f}，未引用" in block
    quoted = next(c for c in result.criteria() if c.quotable())
    assert 'class="quotes weak"' not in _article(r.text, quoted.id)  # a quoted item lists no weaker ones
    c, q = weak[0], weak[0].weaker()[0]
    r = rv.post(url + "/add", {"version": "0", "crit": c.id, "add": f"{q.start}-{q.end}"})
    assert r.status_code == 200 and version_of(r.text) == 1
    block = _article(r.text, c.id)
    assert "评审补充" in block and f'name="remove" value="{q.start}-{q.end}"' in block
    assert f'name="add" value="{q.start}-{q.end}"' not in block  # no longer offered
    assert "补充依据" in r.text[r.text.index('id="log"'):]


def test_a_text_that_is_not_a_units_own_material_says_so_on_the_review_page(app):
    """A 道德模范 selection notice (eval/corpus/551.txt, a hard negative): the material judgement
    flags it, the page says why the machine gave nothing, and a unit's own report says nothing."""
    rv = Reviewer(app)
    rid = rv.new_round()
    corpus = SEEDS[0].parent.parent / "eval" / "corpus"
    r = rv.upload(rid, "551.txt", (corpus / "551.txt").read_bytes())
    assert r.status_code == 200 and "/items/" in str(r.url)
    assert 'id="material-flag"' in r.text and "不像某一单位自身的文明创建材料" in r.text
    # an item whose sentences the judge read says why they are not evidence: the text, not the sentences
    assert "但全文读来不是某一单位自身的材料" in r.text and "经句子判定均不是本单位本项工作" not in r.text
    own = rv.upload(rid, "seed.txt", SEEDS[0].read_bytes())
    assert 'id="material-flag"' not in own.text
