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
