"""Accounts in the browser (issue 19): an administrator adds reviewers, resets passwords,
grants admin and assigns rounds on /accounts, under the login, CSRF and audit rules of
every other form; the command line's accounts are the same accounts."""

from __future__ import annotations

import sqlite3

import pytest
from web_support import Reviewer, adduser, login

from scorer.web.app import create_app


@pytest.fixture()
def data(tmp_path):
    d = tmp_path / "data"
    for name, extra in (("张三", []), ("admin", ["--admin"])):
        adduser(d, name, None, *extra)
    return d


@pytest.fixture()
def app(data):
    return create_app(data, require_login=True)


def test_an_admin_adds_a_reviewer_who_can_then_log_in_and_see_only_assigned_rounds(app, data):
    admin = login(app, "admin")
    assert "账号管理" in admin.get("/").text
    r1, r2 = admin.new_round("第一批"), admin.new_round("第二批")
    r = admin.post("/accounts/add", {"name": "王五", "password": "wangwu-pass", "password2": "wangwu-pass"})
    assert r.status_code == 200 and 'data-user="王五"' in r.text
    r = admin.post("/accounts/assign", {"name": "王五", "round": str(r2)})
    assert r.status_code == 200
    wang = login(app, "王五", "wangwu-pass")
    home = wang.get("/").text
    assert "第二批" in home and "第一批" not in home
    assert wang.get(f"/rounds/{r1}").status_code == 403
    assert wang.get(f"/rounds/{r2}").status_code == 200
    assert "账号管理" not in home
    # unassigned again: the round is gone for him
    admin.post("/accounts/unassign", {"name": "王五", "round": str(r2)})
    assert wang.get(f"/rounds/{r2}").status_code == 403
    # a reset password: the old one no longer works
    admin.post("/accounts/add", {"name": "王五", "password": "new-password-1", "password2": "new-password-1"})
    rv = Reviewer(app)
    assert rv.post("/login", {"name": "王五", "password": "wangwu-pass", "next": "/"}).status_code == 401
    login(app, "王五", "new-password-1")


def test_every_change_is_in_the_audit_log_without_passwords(app, data):
    admin = login(app, "admin")
    rid = admin.new_round("审计批次")
    admin.post("/accounts/add", {"name": "赵六", "password": "zhaoliu-pass", "password2": "zhaoliu-pass"})
    admin.post("/accounts/assign", {"name": "赵六", "round": str(rid)})
    admin.post("/accounts/admin", {"name": "赵六", "admin": "1"})
    admin.post("/accounts/admin", {"name": "赵六", "admin": "0"})
    page = admin.get("/accounts").text
    db = sqlite3.connect(data / "results.sqlite")
    rows = db.execute("SELECT who, action, target, detail FROM web_account_log ORDER BY id").fetchall()
    db.close()
    assert rows[:2] == [("命令行", "新建账号", "张三", "评审人"), ("命令行", "新建账号", "admin", "管理员")]
    assert rows[2:] == [("admin", "新建账号", "赵六", "评审人"), ("admin", "分配批次", "赵六", f"第 {rid} 批次「审计批次」"),
                        ("admin", "设为管理员", "赵六", ""), ("admin", "取消管理员", "赵六", "")]
    assert "zhaoliu-pass" not in page and "scrypt" not in page
    assert all("pass" not in " ".join(r) for r in rows)
    for action in ("新建账号", "分配批次", "设为管理员", "取消管理员"):
        assert action in page


def test_only_admins_with_a_valid_form_change_accounts(app, data):
    # no login: to the login page
    anon = Reviewer(app)
    assert anon.c.get("/accounts", follow_redirects=False).status_code == 303
    r = anon.c.post("/accounts/add", data={"name": "x", "password": "12345678", "password2": "12345678"},
                    follow_redirects=False)
    assert r.status_code in (303, 403)
    # a reviewer: refused
    zhang = login(app, "张三")
    assert zhang.get("/accounts").status_code == 403
    r = zhang.post("/accounts/add", {"name": "黑客", "password": "12345678", "password2": "12345678", "admin": "1"})
    assert r.status_code == 403
    # an admin without the CSRF token: refused, nothing saved
    admin = login(app, "admin")
    r = admin.post("/accounts/add", {"name": "无令牌", "password": "12345678", "password2": "12345678"}, csrf=False)
    assert r.status_code == 403 and "表单已失效" in r.text
    r = admin.post("/accounts/add", {"name": "错令牌", "password": "12345678", "password2": "12345678",
                                     "csrf": "forged"})
    assert r.status_code == 403
    users = {u[0] for u in app.state.wb.store.users()}
    assert users == {"张三", "admin"}
    # bad input: said in Chinese, nothing saved
    r = admin.post("/accounts/add", {"name": "短密码", "password": "1234567", "password2": "1234567"})
    assert r.status_code == 400 and "至少需要 8 位" in r.text
    r = admin.post("/accounts/add", {"name": "不一致", "password": "12345678", "password2": "12345679"})
    assert r.status_code == 400 and "不一致" in r.text
    r = admin.post("/accounts/add", {"name": "a\nb", "password": "12345678", "password2": "12345678"})
    assert r.status_code == 400
    # the last admin cannot take away their own right to manage
    r = admin.post("/accounts/admin", {"name": "admin", "admin": "0"})
    assert r.status_code == 400 and "唯一的管理员" in r.text
    assert {u[0] for u in app.state.wb.store.users()} == {"张三", "admin"}
    assert app.state.wb.store.user("admin")[1]


def test_unknown_account_or_round_is_refused(app):
    admin = login(app, "admin")
    assert admin.post("/accounts/assign", {"name": "没有的人", "round": "1"}).status_code == 404
    assert admin.post("/accounts/assign", {"name": "张三", "round": "999"}).status_code == 404
    assert admin.post("/accounts/assign", {"name": "张三", "round": "x"}).status_code == 400
