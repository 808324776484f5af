"""A real `civscore serve` (a subprocess on a loopback port) while other civscore commands
open the same data folder: no reviewer's edit and no upload may be lost (issue 16.1).

Closing any file descriptor of a file drops every POSIX lock the process holds on it;
a check that opened results.sqlite with plain open() inside the server let the next
command that closed its connection believe it was the last one, checkpoint, and delete
the -wal and -shm files under the running server."""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from web_support import SEEDS

CIVSCORE = [sys.executable, "-m", "scorer"]
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """One reviewer over HTTP: cookies and the CSRF token of the last page."""

    def __init__(self, base: str):
        self.c = httpx.Client(base_url=base, timeout=120, follow_redirects=True)
        self.csrf = None
        self.get("/")

    def _keep(self, r):
        m = _CSRF.search(r.text) if r.headers.get("content-type", "").startswith("text/html") else None
        if m:
            self.csrf = m.group(1)
        return r

    def get(self, url: str):
        return self._keep(self.c.get(url))

    def post(self, url: str, data: dict, files=None):
        return self._keep(self.c.post(url, data={**data, "csrf": self.csrf}, files=files))


@pytest.fixture()
def server(tmp_path):
    data = tmp_path / "评审数据"
    port = free_port()
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen([*CIVSCORE, "serve", "--data", str(data), "--port", str(port), "--workers", "0"],
                            stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError((tmp_path / "serve.log").read_text(errors="replace"))
            time.sleep(0.2)
    yield proc, data, f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(30)
    log.close()


def deleted_db_files(pid: int) -> list[str]:
    """The server's open files under results.sqlite that are gone from the folder."""
    out = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if "results.sqlite" in target and target.endswith("(deleted)"):
            out.append(target)
    return out


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CIVSCORE, *args], input=stdin, capture_output=True, text=True, timeout=300)


def test_commands_beside_a_live_server_lose_nothing(server):
    proc, data, base = server
    rv = Browser(base)
    r = rv.post("/rounds", {"name": "在线批次", "rubric": "court"})
    assert r.status_code == 200
    rid = int(re.search(r"/rounds/(\d+)", str(r.url)).group(1))
    r = rv.post(f"/rounds/{rid}/upload", {"rubric": "court"}, files=[("files", (SEEDS[0].name, SEEDS[0].read_bytes()))])
    assert r.status_code == 200 and "/items/" in str(r.url), r.text[:300]
    item = str(r.url.path)
    version = int(re.search(r'name="version" value="(\d+)"', r.text).group(1))
    opinions = []

    def edit(tag: str) -> None:
        nonlocal version
        text = f"评审意见第{len(opinions) + 1}稿（{tag}）"
        page = rv.post(item + "/opinion", {"version": str(version), "opinion": text, "reviewer": "张三", "checker": ""})
        assert page.status_code == 200 and text in page.text, page.text[:300]
        version += 1
        opinions.append(text)

    commands = [
        ("serve", "adduser", "张三", "--data", str(data), "--password-stdin"),
        ("serve", "assign", "张三", str(rid), "--data", str(data)),
        ("calibrate", "--from-reviews", str(data)),
        ("diff", "--base", "court", "--rubric", "court", "--from-reviews", str(data)),
    ]
    edit("开始")
    uploads = 1
    for cmd in commands:
        edit(f"{cmd[0]} 之前")
        res = run(*cmd, stdin="pw-zhang-secret\n" if "adduser" in cmd else None)
        assert res.returncode == 0, res.stderr
        assert deleted_db_files(proc.pid) == [], cmd
        edit(f"{cmd[0]} 之后")
        seed = SEEDS[uploads % len(SEEDS)]
        r = rv.post(f"/rounds/{rid}/upload", {"rubric": "court"}, files=[("files", (seed.name, seed.read_bytes()))])
        assert r.status_code == 200, (cmd, r.status_code, r.text[:300])
        uploads += 1
        assert rv.get(f"/rounds/{rid}").status_code == 200
        # what a new connection reads is on disk (the -wal the server writes is the folder's)
        db = sqlite3.connect(f"file:{data / 'results.sqlite'}?mode=ro", uri=True)
        try:
            on_disk = [row[0] for row in db.execute("SELECT after FROM web_changes ORDER BY id")]
            items = db.execute("SELECT count(*) FROM web_items WHERE round_id = ?", (rid,)).fetchone()[0]
        finally:
            db.close()
        assert [o for o in opinions if not any(o in a for a in on_disk)] == [], cmd
        assert items == min(uploads, len(SEEDS)), cmd
    proc.terminate()
    assert proc.wait(30) == 0 or proc.returncode is not None
    db = sqlite3.connect(data / "results.sqlite")
    try:
        after = [row[0] for row in db.execute("SELECT after FROM web_changes ORDER BY id")]
        users = [row[0] for row in db.execute("SELECT user FROM web_assignments")]
    finally:
        db.close()
    assert all(any(o in a for a in after) for o in opinions)
    assert len(after) == len(opinions) == 1 + 2 * len(commands)
    assert "张三" in users
