"""Issue 20: the workbench lets in only those who should (host and origin checks, body
limits, sessions, login throttling, file modes, signatures, per-round records, small ones).
The browser side of DNS rebinding is in test_web_browser.py."""

from __future__ import annotations


import sqlite3

import pytest
from starlette.testclient import TestClient
from web_support import SEEDS, Reviewer, adduser, login, seed_bytes, serve_in_thread, version_of

from scorer.web.app import create_app


@pytest.fixture()
def data(tmp_path):
    return tmp_path / "data"


@pytest.fixture()
def app(data):
    return create_app(data)


def opinions(data) -> list[str]:
    db = sqlite3.connect(data / "results.sqlite")
    try:
        return [r[0] for r in db.execute("SELECT after FROM web_changes WHERE action = 'opinion'")]
    finally:
        db.close()


def one_item(app):
    rv = Reviewer(app)
    rid = rv.new_round()
    r = rv.upload(rid, SEEDS[0].name, seed_bytes(0))
    assert r.status_code == 200 and "/items/" in str(r.url), r.text[:300]
    return rv, rid, str(r.url.path), r


# -- 1. DNS rebinding: only the server's own host names; a foreign Origin is refused -----------


def test_a_foreign_host_name_reads_nothing(app):
    rv, rid, item, _ = one_item(app)
    for host in ("attacker.example:8731", "attacker.example", "127.0.0.1.nip.io", "localhost.attacker.example",
                 "10.1.2.3:8000", "", "exa mple"):
        for url in ("/", f"/rounds/{rid}", f"/rounds/{rid}/ranking.csv", item, item + "/scorecard.pdf", "/login"):
            r = rv.c.get(url, headers={"host": host})
            assert r.status_code == 400, (host, url, r.status_code)
            assert "主机名无效" in r.text and "csrf" not in r.text
            assert "申报单位" not in r.text and SEEDS[0].name not in r.text
    # the server's own names still work
    for host in ("127.0.0.1:8000", "localhost:8000", "LOCALHOST", "[::1]:8000", "127.0.0.2"):
        r = rv.c.get(f"/rounds/{rid}/ranking.csv", headers={"host": host})
        assert r.status_code == 200, host


def test_a_rebound_page_cannot_write_even_with_a_token(app, data):
    rv, rid, item, page = one_item(app)
    form = {"csrf": rv.csrf, "version": str(version_of(page.text)), "opinion": "来自攻击者的意见",
            "reviewer": "x", "checker": ""}
    r = rv.c.post(item + "/opinion", data=form, headers={"host": "attacker.example:8000"})
    assert r.status_code == 400
    assert opinions(data) == []


def test_a_valid_token_from_a_foreign_origin_is_refused(app, data):
    rv, rid, item, page = one_item(app)
    form = {"csrf": rv.csrf, "version": str(version_of(page.text)), "opinion": "跨站提交的意见",
            "reviewer": "x", "checker": ""}
    for origin in ("http://attacker.example:8000", "null", "http://127.0.0.1:9999", "file://",
                   "http://localhost:8000"):
        r = rv.c.post(item + "/opinion", data=form, headers={"origin": origin}, follow_redirects=False)
        assert r.status_code == 403 and "来源无效" in r.text, origin
    assert opinions(data) == []
    # the same post from the page's own origin is stored
    r = rv.c.post(item + "/opinion", data=form, headers={"origin": "http://127.0.0.1:8000"}, follow_redirects=False)
    assert r.status_code == 303
    assert len(opinions(data)) == 1


def test_a_public_bind_accepts_its_addresses_and_the_names_given(data):
    app = create_app(data, bind="0.0.0.0", allowed_hosts=["review.example.org"])
    c = TestClient(app, base_url="http://192.168.7.9:8000")
    assert c.get("/").status_code == 200  # an address cannot be rebound
    assert c.get("/", headers={"host": "review.example.org"}).status_code == 200
    assert c.get("/", headers={"host": "review.example.org.attacker.example"}).status_code == 400
    assert c.get("/", headers={"host": "attacker.example"}).status_code == 400
    app = create_app(data, bind="192.168.7.9")
    c = TestClient(app, base_url="http://192.168.7.9:8000")
    assert c.get("/").status_code == 200
    assert c.get("/", headers={"host": "192.168.7.10:8000"}).status_code == 400


# -- 2. the body cap holds while the body streams in, whatever Content-Length says ----------------

MB = 1024 * 1024
CHUNK = 64 * 1024


async def _stream(app, path: str, content_type: bytes, body_chunks, *, content_length: int | None = None):
    """POST `body_chunks` to the ASGI app as a chunked body (no Content-Length unless given);
    returns (status, response body, bytes the app pulled)."""
    pulled = 0
    chunks = iter(body_chunks)
    headers = [(b"host", b"127.0.0.1:8000"), (b"content-type", content_type), (b"transfer-encoding", b"chunked")]
    if content_length is not None:
        headers.append((b"content-length", str(content_length).encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"", "headers": headers,
             "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000)}

    async def receive():
        nonlocal pulled
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        pulled += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    out = {"status": None, "body": b""}

    async def send(message):
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return out["status"], out["body"].decode("utf-8", "replace"), pulled


def _multipart(size: int, boundary: str = "b0undary"):
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.txt\"\r\n"
            "Content-Type: text/plain\r\n\r\n").encode()
    yield head
    line = ("本院开展志愿服务活动。" * 200).encode()[:CHUNK]
    sent = 0
    while sent < size:  # bounded: `size` bytes in CHUNK pieces
        yield line
        sent += len(line)
    yield f"\r\n--{boundary}--\r\n".encode()


@pytest.mark.parametrize("declared", [None, 1000])
def test_a_chunked_upload_stops_at_the_cap(data, declared):
    import anyio

    app = create_app(data, max_bytes=1 * MB)
    rid = Reviewer(app).new_round()
    status, text, pulled = anyio.run(lambda: _stream(
        app, f"/rounds/{rid}/upload", b"multipart/form-data; boundary=b0undary", _multipart(4 * MB),
        content_length=declared))
    assert status == 413 and "文件过大" in text and "未保存" in text
    assert pulled <= 1 * MB + 2 * CHUNK  # stopped at the cap, not at 4 MB
    assert not (data / "uploads").exists() or not any((data / "uploads").iterdir())


def test_a_chunked_form_stops_at_one_mb_on_every_route(data):
    import anyio

    app = create_app(data)
    rid = Reviewer(app).new_round()

    def body():
        yield b"name=" + b"a" * 100
        for _ in range(5 * MB // CHUNK):  # 5 MB of form field, bounded
            yield b"a" * CHUNK

    for path in ("/login", "/rounds", "/logout"):
        status, text, pulled = anyio.run(lambda: _stream(app, path, b"application/x-www-form-urlencoded", body()))
        assert status == 413, (path, status, text[:200])
        assert pulled <= MB + CHUNK, (path, pulled)
    # a route that answers before it reads (no such item) reads nothing at all
    status, _, pulled = anyio.run(lambda: _stream(app, f"/rounds/{rid}/items/1/opinion",
                                                  b"application/x-www-form-urlencoded", body()))
    assert status == 404 and pulled == 0
    # several files, each under the cap but together over the whole upload's limit
    small = create_app(data, max_bytes=64 * 1024)

    def many():
        for i in range(200):  # more bytes than 50 files × 64 KB + 1 MB, bounded
            yield (f"--b\r\nContent-Disposition: form-data; name=\"x{i}\"; filename=\"f{i}.txt\"\r\n\r\n").encode()
            yield b"x" * 60000 + b"\r\n"
        yield b"--b--\r\n"

    status, text, pulled = anyio.run(lambda: _stream(small, f"/rounds/{rid}/upload", b"multipart/form-data; boundary=b",
                                                     many()))
    assert status == 413
    assert pulled <= 50 * 64 * 1024 + MB + 2 * 60100


@pytest.fixture()
def live(data):
    """A real uvicorn server on a free loopback port, in a thread; (base URL, app)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(data, max_bytes=1 * MB)
    srv, thread = serve_in_thread(app, port)
    yield ("127.0.0.1", port), app
    srv.should_exit = True
    thread.join(10)


@pytest.mark.parametrize("route", ["upload", "login"])
def test_a_real_server_answers_413_to_a_chunked_body(live, route):
    """Over a socket: a chunked body of 4 MB against a 1 MB cap gets its 413 (a login form
    was read whole before, and then refused for its missing token)."""
    import socket

    (host, port), app = live
    rid = Reviewer(app).new_round()
    if route == "upload":
        path, ctype, pieces = f"/rounds/{rid}/upload", "multipart/form-data; boundary=b0undary", _multipart(4 * MB)
    else:
        path, ctype = "/login", "application/x-www-form-urlencoded"
        pieces = [b"name=x&password="] + [b"a" * CHUNK] * (4 * MB // CHUNK)
    sock = socket.create_connection((host, port), timeout=30)
    try:
        sock.sendall((f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                      f"Content-Type: {ctype}\r\nTransfer-Encoding: chunked\r\n\r\n").encode())
        try:
            for piece in pieces:  # bounded: 4 MB
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading at the cap and closed
        reply = b""
        while b"\r\n\r\n" not in reply and len(reply) < 65536:
            got = sock.recv(4096)
            if not got:
                break
            reply += got
    finally:
        sock.close()
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]


# -- 3. sessions end on the server: logout, a new password, a removed account --------------------


@pytest.fixture()
def accounts(data):
    for name in ("张三", "李四"):
        adduser(data, name, f"pw-{name}-secret")
    return data



def replay(app, cookie: str) -> Reviewer:
    """A second browser holding a cookie saved earlier."""
    from scorer.web.security import COOKIE

    other = Reviewer.__new__(Reviewer)
    other.c = TestClient(app, base_url="http://127.0.0.1:8000")
    other.c.cookies.set(COOKIE, cookie)
    other.csrf = None
    return other


def saved_cookie(rv: Reviewer) -> str:
    from scorer.web.security import COOKIE

    return rv.c.cookies.get(COOKIE)


@pytest.mark.parametrize("how", ["logout", "password", "deluser"])
def test_a_saved_cookie_dies_with_its_session(accounts, how):
    from typer.testing import CliRunner

    from scorer.cli import app as cli_app

    app = create_app(accounts, require_login=True)
    a = login(app, "张三")
    rid = a.new_round("张三的批次")
    r = a.upload(rid, SEEDS[0].name, seed_bytes(0))
    item = str(r.url.path)
    page = a.get(item)
    cookie, token = saved_cookie(a), a.csrf
    # the saved cookie works while the session lives
    assert replay(app, cookie).c.get(f"/rounds/{rid}/ranking.csv").status_code == 200
    if how == "logout":
        assert "登录评审工作台" in a.post("/logout", {}).text
    elif how == "password":
        adduser(accounts, "张三", "a-new-password")
    else:
        res = CliRunner().invoke(cli_app, ["serve", "deluser", "张三", "--data", str(accounts)])
        assert res.exit_code == 0 and "sessions have ended" in res.output, res.output
    old = replay(app, cookie)
    r = old.c.get(f"/rounds/{rid}/ranking.csv", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    r = old.c.post(item + "/opinion", data={"csrf": token, "version": str(version_of(page.text)),
                                            "opinion": "注销后写入", "reviewer": "", "checker": ""},
                   follow_redirects=False)
    assert r.status_code in (303, 403) and r.headers.get("location", "/login").startswith("/login")
    assert opinions(accounts) == []
    if how == "deluser":
        rv = Reviewer(app)
        r = rv.post("/login", {"name": "张三", "password": "pw-张三-secret"})
        assert r.status_code == 401
    elif how == "password":
        login(app, "张三", "a-new-password")
    # the other reviewer's session is untouched
    b = login(app, "李四")
    b2 = replay(app, saved_cookie(b))
    assert b2.c.get("/", follow_redirects=False).status_code == 200


def test_deluser_of_nobody_is_an_error(accounts):
    from typer.testing import CliRunner

    from scorer.cli import app as cli_app

    res = CliRunner().invoke(cli_app, ["serve", "deluser", "王五", "--data", str(accounts)])
    assert res.exit_code == 2 and "no reviewer named 王五" in res.output


# -- 5. the data folder is owner-only; the signing secret is not in results.sqlite ----------------


def test_the_data_folder_and_its_files_are_owner_only(data):
    import os
    import stat

    old = os.umask(0o022)
    try:
        app = create_app(data)
        rv, rid, item, _ = one_item(app)
        assert rv.get(item).status_code == 200
    finally:
        os.umask(old)
    files = [data, data / "results.sqlite", data / "results.sqlite-wal", data / "results.sqlite-shm",
             data / "uploads", data / "session.key", *(data / "uploads").iterdir()]
    assert len(files) == 7
    for p in files:
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode == (0o700 if p.is_dir() else 0o600), (p.name, oct(mode))


def test_the_signing_secret_is_not_in_the_database(data):
    import os
    import stat

    from scorer.web.security import COOKIE, Session, Signer

    app = create_app(data)
    rv = Reviewer(app)
    db = sqlite3.connect(data / "results.sqlite")
    try:
        rows = db.execute("SELECT key, value FROM web_meta").fetchall()
        # a database from before issue 20 kept it there: it is removed at the next start
        db.execute("INSERT INTO web_meta (key, value) VALUES ('secret', ?)", ("ab" * 32,))
        db.commit()
    finally:
        db.close()
    assert all(k != "secret" for k, _ in rows)
    key = bytes.fromhex((data / "session.key").read_text().strip())
    assert rv.c.cookies.get(COOKIE) and Signer(key).load(rv.c.cookies.get(COOKIE)) is not None
    create_app(data)
    db = sqlite3.connect(data / "results.sqlite")
    try:
        assert db.execute("SELECT count(*) FROM web_meta WHERE key = 'secret'").fetchone()[0] == 0
    finally:
        db.close()
    # a database that was copied around (without the key) signs nothing the server accepts
    copied = Signer(bytes.fromhex("ab" * 32)).dump(Session.new("admin"))
    assert Signer(key).load(copied) is None
    assert stat.S_IMODE(os.stat(data / "session.key").st_mode) == 0o600


def test_a_cookie_signed_with_the_right_key_still_needs_a_live_session(accounts):
    """Even a reader of session.key cannot make a session: it must be recorded on the server."""
    from scorer.web.security import COOKIE, Session, Signer

    app = create_app(accounts, require_login=True)
    key = bytes.fromhex((accounts / "session.key").read_text().strip())
    forged = Signer(key).dump(Session.new("张三"))
    rv = Reviewer(app)
    rv.c.cookies.set(COOKIE, forged)
    assert rv.c.get("/", follow_redirects=False).status_code == 303


# -- 4. login is throttled per account and per address; failures go to the audit log -------------


def from_address(app, address: str) -> Reviewer:
    rv = Reviewer.__new__(Reviewer)
    rv.c = TestClient(app, base_url="http://127.0.0.1:8000", client=(address, 50000))
    rv.csrf = None
    rv.get("/login")
    return rv


def test_login_is_throttled_per_account(accounts):
    from scorer.web.app import THROTTLE_PER_ACCOUNT
    from scorer.web.store import WebStore

    app = create_app(accounts, require_login=True)
    guesser = from_address(app, "10.0.0.7")
    for i in range(THROTTLE_PER_ACCOUNT):
        assert guesser.post("/login", {"name": "张三", "password": f"guess-{i}"}).status_code == 401
    # the right password, even from another address, is refused now: 429, not logged in
    owner = from_address(app, "10.0.0.8")
    r = owner.post("/login", {"name": "张三", "password": "pw-张三-secret"})
    assert r.status_code == 429 and "登录失败次数过多" in r.text and r.headers["retry-after"]
    assert owner.c.get("/", follow_redirects=False).status_code == 303
    # another account from the guesser's address is not locked out by 张三's failures
    assert from_address(app, "10.0.0.7").post("/login", {"name": "李四", "password": "pw-李四-secret"}).status_code == 200
    log = WebStore(accounts).audit_log()
    failed = [row for row in log if row[1] == "login-failed"]
    assert [(u, a) for _, _, u, a in failed] == [("张三", "10.0.0.7")] * THROTTLE_PER_ACCOUNT
    assert ("login-throttled", "张三", "10.0.0.8") in [(e, u, a) for _, e, u, a in log]
    assert ("login", "李四", "10.0.0.7") in [(e, u, a) for _, e, u, a in log]
    # when the window has passed, the right password works again
    db = sqlite3.connect(accounts / "results.sqlite")
    db.execute("UPDATE web_audit SET epoch = epoch - 16 * 60")
    db.commit()
    db.close()
    assert owner.post("/login", {"name": "张三", "password": "pw-张三-secret"}).status_code == 200


def test_login_is_throttled_per_address(accounts):
    from scorer.web.app import THROTTLE_PER_ADDRESS

    app = create_app(accounts, require_login=True)
    guesser = from_address(app, "10.0.0.9")
    for i in range(THROTTLE_PER_ADDRESS):  # a different name each time: no account reaches its limit
        assert guesser.post("/login", {"name": f"user{i}", "password": "guess"}).status_code == 401
    r = guesser.post("/login", {"name": "李四", "password": "pw-李四-secret"})
    assert r.status_code == 429
    assert from_address(app, "10.0.0.10").post("/login", {"name": "李四", "password": "pw-李四-secret"}).status_code == 200


# -- 8. small ones ---------------------------------------------------------------------------------


@pytest.mark.parametrize("cookie", ["é", "abc.ü", "x.y.z", "." * 10, "eyJ1IjoxfQ.bad", "%FF%FE.%00",
                                    "e30.aGVsbG8", "bm90IGpzb24.x" * 3])
@pytest.mark.parametrize("login_mode", [False, True])
def test_a_malformed_cookie_is_no_session_not_a_500(accounts, cookie, login_mode):
    from scorer.web.security import COOKIE

    app = create_app(accounts, require_login=login_mode)
    c = TestClient(app, base_url="http://127.0.0.1:8000", raise_server_exceptions=False)
    raw = f"{COOKIE}={cookie}".encode("utf-8")  # what a browser could send, byte for byte
    for url in ("/", "/rounds/1", "/login", "/static/web.css", "/nowhere"):
        r = c.get(url, headers={"cookie": raw}, follow_redirects=False)
        assert r.status_code in (200, 303, 404), (url, r.status_code)
        assert r.headers["x-content-type-options"] == "nosniff"
        if url != "/static/web.css":
            assert r.headers["x-frame-options"] == "DENY"
    r = c.post("/rounds", data={"name": "x", "csrf": "x"}, headers={"cookie": raw},
               follow_redirects=False)
    assert r.status_code in (303, 403)


def test_the_error_page_keeps_its_headers_when_the_page_fails(app, monkeypatch):
    from scorer.web import app as web_app

    def broken(*a, **kw):
        raise RuntimeError("template broke")

    c = TestClient(app, base_url="http://127.0.0.1:8000", raise_server_exceptions=False)
    monkeypatch.setattr(web_app, "page", broken)
    r = c.get("/")
    assert r.status_code == 500 and "内部错误" in r.text
    assert r.headers["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"


def test_ids_past_sqlites_range_are_404(app):
    rv, rid, item, page = one_item(app)
    big = str(2**63)
    huge = "9" * 40
    for url in (f"/rounds/{big}", f"/rounds/{huge}", f"/rounds/{rid}/items/{big}", f"/rounds/{big}/items/1",
                f"/rounds/{huge}/ranking.csv", f"/rounds/{huge}/overview.pdf", f"/rounds/{rid}/items/{huge}/scorecard.pdf"):
        r = rv.c.get(url)
        assert r.status_code == 404 and "页面不存在" in r.text, url
    for url in (f"/rounds/{big}/upload", f"/rounds/{rid}/items/{huge}/opinion"):
        assert rv.post(url, {"version": "0"}).status_code == 404, url
    r = rv.post(item + "/undo", {"version": str(version_of(page.text)), "change": huge})
    assert r.status_code == 400 and "没有这条修改记录" in r.text
    r = rv.post(item + "/opinion", {"version": huge, "opinion": "x", "reviewer": "", "checker": ""})
    assert r.status_code == 409


BIDI = "\u202e\u2066\u200f\u061c"


def test_bidi_controls_are_dropped_from_what_reviewers_type(app, data):
    rv = Reviewer(app)
    rid = rv.new_round(f"批次{BIDI[0]}甲{BIDI[1]}")
    assert "批次甲" in rv.get("/").text and BIDI[0] not in rv.get("/").text
    r = rv.upload(rid, SEEDS[0].name, seed_bytes(0))
    item = str(r.url.path)
    page = rv.get(item).text
    r = rv.post(item + "/opinion", {"version": str(version_of(page)), "opinion": f"同意{BIDI}。",
                                    "reviewer": f"王{BIDI[0]}五", "checker": f"赵{BIDI[2]}六"})
    assert r.status_code == 200
    r = rv.post(item + "/withdraw", {"version": str(version_of(r.text)), "reason": f"重复{BIDI[3]}上传"})
    assert r.status_code == 200
    # a name given at the local login
    other = Reviewer(app)
    other.post("/login", {"name": f"李{BIDI[0]}四"})
    assert "李四" in other.get("/").text
    db = sqlite3.connect(data / "results.sqlite")
    try:
        stored = " ".join(str(v) for row in db.execute("SELECT * FROM web_changes") for v in row)
        stored += " ".join(str(v) for row in db.execute("SELECT * FROM web_reviews") for v in row)
        stored += " ".join(str(v) for row in db.execute("SELECT name FROM web_rounds") for v in row)
    finally:
        db.close()
    assert "同意。" in stored and "王五" in stored and "赵六" in stored and "重复上传" in stored
    assert not any(ch in stored for ch in BIDI)


def test_adduser_refuses_bidi_in_a_name(tmp_path):
    from typer.testing import CliRunner

    from scorer.cli import app as cli_app

    res = CliRunner().invoke(cli_app, ["serve", "adduser", f"张{BIDI[0]}三", "--data", str(tmp_path),
                                       "--password-stdin"], input="long-enough-pw\n")
    assert res.exit_code == 2 and "bidi" in res.output


def test_review_pages_and_pdfs_are_not_stored(app):
    rv, rid, item, _ = one_item(app)
    for url in ("/", f"/rounds/{rid}", item, item + "/scorecard.pdf", f"/rounds/{rid}/ranking.csv",
                f"/rounds/{rid}/ranking.xlsx", "/login"):
        r = rv.c.get(url)
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store", url


def test_serve_over_tls_sets_secure_cookies(tmp_path):
    """`civscore serve --ssl-certfile --ssl-keyfile` (uvicorn's TLS) on a loopback port: HTTPS, and
    the session cookie is Secure."""
    import socket
    import subprocess
    import sys
    import time

    import httpx

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "scorer", "serve", "--data", str(tmp_path / "data"), "--port",
                             str(port), "--workers", "0", "--ssl-certfile", str(cert), "--ssl-keyfile", str(key)],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:  # bounded by the deadline
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                time.sleep(0.2)
        r = httpx.get(f"https://127.0.0.1:{port}/", verify=str(cert), timeout=60)
        assert r.status_code == 200 and "评审批次" in r.text
        cookie = r.headers["set-cookie"].lower()
        assert "secure" in cookie and "httponly" in cookie
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{port}/", timeout=10)  # no clear-text HTTP on the TLS port
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


def test_serve_takes_a_certificate_with_its_key(tmp_path):
    from typer.testing import CliRunner

    from scorer.cli import app as cli_app

    res = CliRunner().invoke(cli_app, ["serve", "--data", str(tmp_path), "--ssl-certfile", str(tmp_path / "c.pem")])
    assert res.exit_code == 2 and "go together" in res.output
    res = CliRunner().invoke(cli_app, ["serve", "--data", str(tmp_path), "--ssl-certfile", str(tmp_path / "c.pem"),
                                       "--ssl-keyfile", str(tmp_path / "k.pem")])
    assert res.exit_code == 2 and "no such file" in res.output


# -- 7. each round keeps its own record of a submission --------------------------------------------


def pdf_text(data: bytes, tmp_path) -> str:
    import subprocess

    f = tmp_path / "card.pdf"
    f.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(f), "-"], capture_output=True, text=True, check=True).stdout


def test_the_same_bytes_in_another_round_change_nothing_here(accounts, tmp_path):
    app = create_app(accounts, require_login=True)
    a, b = login(app, "张三"), login(app, "李四")
    ra, rb = a.new_round("张三的批次"), b.new_round("李四的批次")
    item_a = str(a.upload(ra, "甲单位申报材料.txt", seed_bytes(0)).url.path)
    before = a.c.get(item_a + "/scorecard.pdf")
    assert "甲单位申报材料.txt" in pdf_text(before.content, tmp_path)
    r = b.upload(rb, "乙的改名.txt", seed_bytes(0))
    assert r.status_code == 200 and "/items/" in str(r.url)
    assert "乙的改名.txt" in pdf_text(b.c.get(str(r.url.path) + "/scorecard.pdf").content, tmp_path)
    after = a.c.get(item_a + "/scorecard.pdf")
    text = pdf_text(after.content, tmp_path)
    assert "甲单位申报材料.txt" in text and "乙的改名" not in text
    assert after.content == before.content
    for page in (a.get(f"/rounds/{ra}").text, a.get(item_a).text):
        assert "乙的改名" not in page


# -- 6. in login mode the signatures are accounts, with their times --------------------------------


def test_signatures_are_accounts_and_the_checker_confirms_in_their_own_session(accounts, tmp_path):
    import re

    from typer.testing import CliRunner

    from scorer.cli import app as cli_app

    app = create_app(accounts, require_login=True)
    a = login(app, "张三")
    rid = a.new_round("签署测试")
    item = str(a.upload(rid, SEEDS[0].name, seed_bytes(0)).url.path)
    assert CliRunner().invoke(cli_app, ["serve", "assign", "李四", str(rid), "--data", str(accounts)]).exit_code == 0
    page = a.get(item)
    # the typed names are ignored: 评审人 is the account that saved the opinion
    r = a.post(item + "/opinion", {"version": str(version_of(page.text)), "opinion": "材料翔实。",
                                   "reviewer": "李四", "checker": "局长"})
    assert r.status_code == 200
    assert 'name="reviewer"' not in r.text and 'name="checker"' not in r.text
    assert re.search(r'id="signed-reviewer">评审人：<strong>张三</strong>（\d{4}-\d\d-\d\d \d\d:\d\d UTC\+08:00 签署）', r.text)
    assert "局长" not in r.text
    # the 评审人 cannot be their own 复核人
    r = a.post(item + "/check", {"version": str(version_of(r.text))})
    assert r.status_code == 400 and "另一位评审人员" in r.text
    # 李四 confirms in their own session
    b = login(app, "李四")
    page = b.get(item)
    assert "我已复核，确认" in page.text
    r = b.post(item + "/check", {"version": str(version_of(page.text))})
    assert r.status_code == 200
    assert re.search(r'id="signed-checker">复核人：<strong>李四</strong>（\d{4}-\d\d-\d\d \d\d:\d\d UTC\+08:00 确认）', r.text)
    pdf = pdf_text(a.c.get(item + "/scorecard.pdf").content, tmp_path)
    sign = pdf[pdf.index("评审人（签字）"):]
    assert re.search(r"评审人（签字）\s+张三\s+日\s*期\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\+08:00", sign)
    assert re.search(r"复核人（签字）\s+李四\s+日\s*期\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\+08:00", sign)
    assert "局长" not in pdf
    # a later change by anyone ends the confirmation: 李四 confirmed another review
    page = a.get(item)
    from web_support import lowerable

    crit = lowerable(page.text)
    r = a.post(item + "/level", {"version": str(version_of(page.text)), "crit": crit, "level": "D",
                                 "reason": "台账不全"})
    assert r.status_code == 200 and "李四 的复核确认随之失效" in r.text
    assert "尚未复核" in r.text
    pdf = pdf_text(a.c.get(item + "/scorecard.pdf").content, tmp_path)
    assert "李四" not in pdf[pdf.index("复核人（签字）"):pdf.index("复核人（签字）") + 80]
    # nobody can forge a checker through the opinion form
    page = b.get(item)
    r = b.post(item + "/opinion", {"version": str(version_of(page.text)), "opinion": "材料翔实。",
                                   "reviewer": "张三", "checker": "李四"})
    assert r.status_code == 200 and "<strong>李四</strong>（" in r.text and "尚未复核" in r.text


def test_a_local_workbench_keeps_typed_names_with_their_dates(app, tmp_path):
    import re

    rv, rid, item, page = one_item(app)
    r = rv.post(item + "/opinion", {"version": str(version_of(page.text)), "opinion": "同意。",
                                    "reviewer": "王五", "checker": "赵六"})
    assert r.status_code == 200 and 'value="王五"' in r.text and 'value="赵六"' in r.text
    assert rv.post(item + "/check", {"version": str(version_of(r.text))}).status_code == 404
    pdf = pdf_text(rv.c.get(item + "/scorecard.pdf").content, tmp_path)
    assert re.search(r"复核人（签字）\s+赵六\s+日\s*期\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\+08:00", pdf)
