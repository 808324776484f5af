"""Scoring in worker processes (civscore serve's default) gives the same results and the
same Chinese refusals as scoring in the server process."""

from __future__ import annotations

import pytest
from web_support import SEEDS, Reviewer, reviewed_total, seed_bytes

from scorer.engine import Scorer
from scorer.report.format import fmt_score
from scorer.web.app import create_app


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = create_app(tmp_path_factory.mktemp("pool") / "data", score_workers=1, warm=True)
    yield app
    app.state.wb.pool.close()


def test_worker_process_scores_like_the_cli(app):
    rv = Reviewer(app)
    rid = rv.new_round()
    r = rv.upload(rid, SEEDS[3].name, seed_bytes(3))
    assert r.status_code == 200
    assert reviewed_total(r.text) == fmt_score(Scorer.load("court").score_path(SEEDS[3]).total)
    r = rv.post(f"/rounds/{rid}/upload", {"rubric": "general"},
                files=[("files", ("bad.txt", b"\x00\xff" * 100)), ("files", (SEEDS[4].name, seed_bytes(4)))])
    assert r.status_code == 200
    assert "二进制文件" in r.text and "已评分 1 份" in r.text
    general = Scorer.load("general").score_path(SEEDS[4])
    assert fmt_score(general.total) in r.text
