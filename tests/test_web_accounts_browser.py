"""Accounts in a real browser (Debian's chromium, driven by playwright): an administrator
logs in, opens 账号管理, adds a reviewer, assigns a round; the reviewer logs in in another
browser context and sees that round and no other. Screenshots go to tmp_path (and to
$CIVSCORE_SCREENSHOTS when set)."""

from __future__ import annotations

from web_support import serve_in_thread


import pytest
from test_web_browser import Shots, browser, free_port  # noqa: F401  (the browser fixture)
from typer.testing import CliRunner

from scorer.cli import app as cli_app
from scorer.web.app import create_app


@pytest.fixture()
def login_server(tmp_path):
    data = tmp_path / "data"
    res = CliRunner().invoke(cli_app, ["serve", "adduser", "管理员甲", "--admin", "--data", str(data),
                                       "--password-stdin"], input="admin-secret-1\n")
    assert res.exit_code == 0, res.output
    port = free_port()
    app = create_app(data, require_login=True)
    rid_a = app.state.wb.store.create_round("2026年度初评（一组）", "court", "")
    rid_b = app.state.wb.store.create_round("2026年度初评（二组）", "court", "")
    srv, thread = serve_in_thread(app, port)
    yield f"http://127.0.0.1:{port}", rid_a, rid_b
    srv.should_exit = True
    thread.join(10)


def _login(page, base: str, name: str, password: str) -> None:
    page.goto(base + "/")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def test_an_admin_manages_accounts_in_the_browser(login_server, browser, tmp_path):  # noqa: F811
    base, rid_a, rid_b = login_server
    shots = Shots(tmp_path)
    admin = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    _login(admin, base, "管理员甲", "admin-secret-1")
    admin.click("#accounts-link")
    admin.wait_for_url(base + "/accounts")
    form = admin.locator("#add-user")
    form.locator("input[name=name]").fill("评审员乙")
    form.locator("input[name=password]").fill("reviewer-pass-2")
    form.locator("input[name=password2]").fill("reviewer-pass-2")
    form.locator("button[type=submit]").click()
    admin.wait_for_selector('tr[data-user="评审员乙"]')
    row = admin.locator('tr[data-user="评审员乙"]')
    assert "评审人" in row.inner_text()
    row.locator("select[name=round]").select_option(str(rid_b))
    row.locator("button:has-text('分配')").click()
    admin.wait_for_selector('tr[data-user="评审员乙"] form.chip')
    row = admin.locator('tr[data-user="评审员乙"]')
    assert "2026年度初评（二组）" in row.locator("form.chip").inner_text()
    log = admin.locator("#account-log").inner_text()
    assert "新建账号" in log and "分配批次" in log and "管理员甲" in log
    shots(admin, "accounts", full_page=True)

    # a wrong form is said in Chinese and saves nothing
    form = admin.locator("#add-user")
    form.locator("input[name=name]").fill("丙")
    form.locator("input[name=password]").fill("12345678")
    form.locator("input[name=password2]").fill("87654321")
    form.locator("button[type=submit]").click()
    admin.wait_for_selector("#accounts-error")
    assert "不一致" in admin.locator("#accounts-error").inner_text()
    assert admin.locator('tr[data-user="丙"]').count() == 0
    shots(admin, "accounts-error", full_page=True)

    reviewer = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN").new_page()
    _login(reviewer, base, "评审员乙", "reviewer-pass-2")
    home = reviewer.locator("main").inner_text()
    assert "2026年度初评（二组）" in home and "2026年度初评（一组）" not in home
    assert reviewer.locator("#accounts-link").count() == 0
    shots(reviewer, "accounts-reviewer-home", full_page=True)
    resp = reviewer.goto(base + "/accounts")
    assert resp.status == 403 and "只有管理员" in reviewer.locator("main").inner_text()
    resp = reviewer.goto(base + f"/rounds/{rid_a}")
    assert resp.status == 403

    # withdrawn in the admin's browser: the reviewer loses the round
    admin.locator('tr[data-user="评审员乙"] form.chip button').click()
    admin.wait_for_selector('tr[data-user="评审员乙"] form.chip', state="detached")
    assert reviewer.goto(base + f"/rounds/{rid_b}").status == 403
