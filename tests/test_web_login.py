"""Login mode (any address but loopback): accounts, passwords, assigned rounds."""

from __future__ import annotations

import sqlite3

import pytest
from typer.testing import CliRunner
from web_support import SEEDS, Reviewer, adduser, login, seed_bytes

from scorer.cli import app as cli_app
from scorer.web.app import create_app, is_loopback
from scorer.web.security import Signer, hash_password, verify_password


@pytest.fixture()
def data(tmp_path):
    d = tmp_path / "data"
    for name, extra in (("张三", []), ("李四", []), ("admin", ["--admin"])):
        adduser(d, name, None, *extra)
    return d


@pytest.fixture()
def app(data):
    return create_app(data, require_login=True)


def test_passwords_are_scrypt_hashes(data):
    db = sqlite3.connect(data / "results.sqlite")
    rows = db.execute("SELECT name, pw_hash FROM web_users").fetchall()
    db.close()
    assert len(rows) == 3
    for name, h in rows:
        assert h.startswith("scrypt$") and name not in h and "secret" not in h
    assert verify_password("abc12345", hash_password("abc12345"))
    assert not verify_password("abc12346", hash_password("abc12345"))
    assert not verify_password("x", "garbage")


def test_every_page_needs_a_login(app):
    rv = Reviewer(app)
    r = rv.c.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    r = rv.get("/")
    assert "登录评审工作台" in r.text
    assert rv.c.get("/rounds/1/ranking.csv", follow_redirects=False).status_code == 303


def test_wrong_password_is_refused_in_chinese(app):
    rv = Reviewer(app)
    r = rv.post("/login", {"name": "张三", "password": "wrong-password"})
    assert r.status_code == 401 and "用户名或密码不正确" in r.text
    r = rv.post("/login", {"name": "nobody", "password": "whatever1"})
    assert r.status_code == 401 and "用户名或密码不正确" in r.text
    # still not logged in
    assert rv.c.get("/", follow_redirects=False).status_code == 303


def test_login_without_csrf_is_refused(app):
    rv = Reviewer(app)
    r = rv.post("/login", {"name": "张三", "password": "pw-张三-secret"}, csrf=False)
    assert r.status_code == 403 and "安全令牌" in r.text


def test_a_reviewer_sees_only_assigned_rounds(app, data):
    a = login(app, "张三")
    rid = a.new_round("张三的批次")
    r = a.upload(rid, SEEDS[0].name, seed_bytes(0))
    item_url = str(r.url.path)
    b = login(app, "李四")
    assert "张三的批次" not in b.get("/").text
    for url in (f"/rounds/{rid}", item_url, item_url + "/scorecard.pdf", f"/rounds/{rid}/ranking.csv"):
        r = b.get(url)
        assert r.status_code == 403 and "没有被分配到这个评审批次" in r.text, url
    r = b.upload(rid, SEEDS[1].name, seed_bytes(1))
    assert r.status_code == 403
    r = b.post(item_url + "/level", {"version": "0", "crit": "x", "level": "D", "reason": "x"})
    assert r.status_code == 403
    db = sqlite3.connect(data / "results.sqlite")
    assert db.execute("SELECT count(*) FROM web_items").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM web_changes").fetchone()[0] == 0
    db.close()
    # assigned by the command, 李四 may open it; the admin sees every round
    res = CliRunner().invoke(cli_app, ["serve", "assign", "李四", str(rid), "--data", str(data)])
    assert res.exit_code == 0, res.output
    assert b.get(f"/rounds/{rid}").status_code == 200
    assert "张三的批次" in login(app, "admin").get("/").text


def test_logout_ends_the_session(app):
    a = login(app, "张三")
    r = a.post("/logout", {})
    assert "登录评审工作台" in r.text
    assert a.c.get("/", follow_redirects=False).status_code == 303


def test_forged_session_cookie_is_ignored(app, data):
    from scorer.web.security import COOKIE, Session

    forged = Signer(b"not-the-secret").dump(Session.new("admin"))
    rv = Reviewer(app)
    rv.c.cookies.set(COOKIE, forged)
    assert rv.c.get("/", follow_redirects=False).status_code == 303


def test_open_redirect_is_not_followed(app):
    rv = Reviewer(app)
    for target in ("//evil.example/", "/\t/evil.example/", "/\\evil.example", "https://evil.example/"):
        rv = Reviewer(app)  # a login starts a new session (new CSRF token)
        r = rv.post("/login", {"name": "张三", "password": "pw-张三-secret", "next": target}, follow=False)
        assert r.status_code == 303 and r.headers["location"] == "/", target


def test_serve_refuses_a_public_address_without_accounts(tmp_path):
    res = CliRunner().invoke(cli_app, ["serve", "--host", "0.0.0.0", "--data", str(tmp_path / "empty")])
    assert res.exit_code == 2
    assert "adduser" in res.output
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.2")


def test_adduser_rejects_short_passwords(tmp_path):
    res = CliRunner().invoke(cli_app, ["serve", "adduser", "王五", "--data", str(tmp_path), "--password-stdin"],
                             input="short\n")
    assert res.exit_code == 2 and "at least 8" in res.output


def test_serve_refuses_a_database_civscore_did_not_write(tmp_path):
    """Outputs never replace inputs: --data holding someone else's results.sqlite is left alone."""
    data = tmp_path / "data"
    data.mkdir()
    foreign = sqlite3.connect(data / "results.sqlite")
    foreign.execute("CREATE TABLE accounts (id INTEGER)")
    foreign.commit()
    foreign.close()
    before = (data / "results.sqlite").read_bytes()
    res = CliRunner().invoke(cli_app, ["serve", "adduser", "王五", "--data", str(data), "--password-stdin"],
                             input="long-enough-pw\n")
    assert res.exit_code == 2 and "not written by civscore" in res.output
    assert (data / "results.sqlite").read_bytes() == before


def test_serve_is_its_own_command_module_and_the_workbench_imports_no_command():
    """`civscore serve` lives in scorer/cli/serve_cmds.py (wired in root.py); scorer/web imports nothing of scorer.cli."""
    import ast
    import importlib
    from pathlib import Path

    from scorer.cli.serve_cmds import app as serve_app

    main = importlib.import_module("scorer.cli.root")

    assert any(g.typer_instance is serve_app and g.name == "serve" for g in main.app.registered_groups)
    web = Path(main.__file__).resolve().parent.parent / "web"
    for path in web.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                target = ("." * node.level) + (node.module or "")
                assert not target.startswith(("scorer.cli", "..cli")), (path.name, target)
