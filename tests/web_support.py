"""Shared by the workbench tests: a client that keeps its CSRF token, seeds, a veto text."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.testclient import TestClient

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
VETO_SENTENCE = "本年度，我院一名法官因受贿被判处有期徒刑三年。"
BASE = "http://127.0.0.1:8000"  # the workbench answers only to its own host names (issue 20.1)
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def seed_bytes(i: int = 0) -> bytes:
    return SEEDS[i].read_bytes()


class Reviewer:
    """One browser's worth of state: cookies, and the CSRF token of the last page."""

    def __init__(self, app, name: str | None = None):
        self.c = TestClient(app, base_url=BASE)
        self.csrf = None
        self.get("/")
        if name:
            self.post("/login", {"name": name, "password": "x" * 8})

    def _keep(self, r):
        m = _CSRF.search(r.text) if r.headers.get("content-type", "").startswith("text/html") else None
        if m:
            self.csrf = m.group(1)
        return r

    def get(self, url: str, **kw):
        return self._keep(self.c.get(url, **kw))

    def post(self, url: str, data: dict | None = None, *, files=None, csrf: bool = True, follow: bool = True):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf", self.csrf)
        return self._keep(self.c.post(url, data=data, files=files, follow_redirects=follow))

    def new_round(self, name: str = "测试批次", rubric: str = "court") -> int:
        r = self.post("/rounds", {"name": name, "rubric": rubric}, follow=False)
        assert r.status_code == 303, r.text
        return int(r.headers["location"].rsplit("/", 1)[1])

    def upload(self, round_id: int, name: str, data: bytes, **kw):
        return self.post(f"/rounds/{round_id}/upload", {"rubric": "court"}, files=[("files", (name, data))], **kw)


def review_url(r) -> str:
    return str(r.url.path)


def reviewed_total(html: str) -> str:
    return re.search(r'id="reviewed-total"[^>]*>([^<]+)<', html).group(1)


def version_of(html: str) -> int:
    return int(re.search(r'name="version" value="(\d+)"', html).group(1))


def first_quote(html: str) -> tuple[str, int, int]:
    """(criterion id, start, end) of the first machine quote on a review page."""
    for block in re.finditer(r'<article class="crit[^"]*" id="c-[^"]+" data-crit="([^"]+)">(.*?)</article>', html, re.S):
        quotes = re.search(r'<ol class="quotes">(.*?)</ol>', block.group(2), re.S)  # not the weaker list
        m = quotes and re.search(r'<a href="#s-(\d+)-(\d+)" class="quote"', quotes.group(1))
        if m:
            return block.group(1), int(m.group(1)), int(m.group(2))
    raise AssertionError("no quote on the page")


def crit_levels(html: str) -> list[tuple[str, str]]:
    """(criterion id, level shown) for every criterion on a review page."""
    return re.findall(r'data-crit="([^"]+)">\s*<header>\s*<span class="name">[^<]*</span>\s*'
                      r'<span class="lvl level-\w" title="等级">(\w)</span>', html)


def lowerable(html: str) -> str:
    """A criterion with quotes whose level is not D (so it can be lowered to D)."""
    levels = dict(crit_levels(html))
    for block in re.finditer(r'data-crit="([^"]+)">(.*?)</article>', html, re.S):
        if levels.get(block.group(1)) != "D" and 'class="quote"' in block.group(2):
            return block.group(1)
    raise AssertionError("no criterion to lower")


def serve_in_thread(app, port: int):
    """Run `app` on uvicorn at 127.0.0.1:`port` in a daemon thread; return (server, thread) once
    it listens (set the server's `should_exit`, then join the thread, to stop it)."""
    import threading
    import time

    import uvicorn

    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    return srv, thread


# -- accounts (login mode) ---------------------------------------------------------------------


def adduser(data, name: str, password: str | None = None, *extra: str):
    """`civscore serve adduser NAME --data DATA` (password on stdin; default `pw-NAME-secret`)."""
    from typer.testing import CliRunner

    from scorer.cli import app as cli_app

    res = CliRunner().invoke(cli_app, ["serve", "adduser", name, "--data", str(data), "--password-stdin", *extra],
                             input=(password or f"pw-{name}-secret") + "\n")
    assert res.exit_code == 0, res.output
    return res


def login(app, name: str, password: str | None = None) -> Reviewer:
    """A client logged in as `name` (its password `pw-NAME-secret` unless given)."""
    rv = Reviewer(app)
    r = rv.post("/login", {"name": name, "password": password or f"pw-{name}-secret", "next": "/"})
    assert r.status_code == 200 and "评审批次" in r.text, r.text[:300]
    return rv
