"""Issue 20: the workbench lets in only those who should (host and origin checks, body
limits, sessions, login throttling, file modes, signatures, per-round records, small ones).
The browser side of DNS rebinding is in test_web_browser.py."""

from __future__ import annotations

import sqlite3

import pytest
from starlette.testclient import TestClient
from web_support import SEEDS, Reviewer, seed_bytes, version_of

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
    import threading
    import time

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(data, max_bytes=1 * MB)
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
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
