"""The SQLite results store: one row per (submission, rubric), history, scorecard records."""

from __future__ import annotations

import sqlite3

import pytest

from scorer.batch.store import ResultStore
from scorer.batch.summary import DimScore, Summary
from scorer.errors import InputError


def summary(sha: str, unit: str | None, total: float, path: str = "/in/r.txt") -> Summary:
    return Summary(sha256=sha, path=path, unit=unit, title="题", total=total, max_total=110.0, grade="合格",
                   vetoed=False, dimensions=(DimScore("a", "甲", total, 100.0),), vetoes=())


def test_roundtrip_and_upsert(tmp_path):
    db = tmp_path / "results.sqlite"
    with ResultStore(db) as store:
        store.put(summary("s1", "甲法院", 70.0), '{"total": 70.0}', rubric_sha256="r1", rubric_id="court",
                  rubric_version="1.0.0", scored_at="2024-01-01T00:00:00.000Z")
        store.put(summary("s2", "乙法院", 60.0), "{}", rubric_sha256="r1", rubric_id="court", rubric_version="1.0.0")
        assert set(store.stored("r1", ["s1", "s2", "s3", None])) == {"s1", "s2"}
        assert store.stored("r2", ["s1"]) == {}
        assert store.stored("r1", ["s1"])["s1"] == summary("s1", "甲法院", 70.0)
        assert store.result_json("s1", "r1") == '{"total": 70.0}'
        # Same submission, same rubric: replaced. Another rubric: a second row.
        store.put(summary("s1", "甲法院", 72.0), '{"total": 72.0}', rubric_sha256="r1", rubric_id="court",
                  rubric_version="1.0.0", scored_at="2024-02-01T00:00:00.000Z")
        store.put(summary("s1", "甲法院", 75.0), "{}", rubric_sha256="r2", rubric_id="court",
                  rubric_version="1.1.0", scored_at="2024-03-01T00:00:00.000Z")
        assert store.count() == 3
    # Another connection sees every committed row (WAL).
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM results").fetchone()[0] == 3
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_history_exact_then_partial(tmp_path):
    with ResultStore(tmp_path / "r.sqlite") as store:
        for sha, unit, total, when in [("a", "格尔木市人民法院", 70, "2024-01"), ("b", "格尔木市人民法院", 80, "2025-01"),
                                       ("c", "西宁市人民法院", 60, "2024-06"), ("d", None, 50, "2024-07")]:
            store.put(summary(sha, unit, total), "{}", rubric_sha256="r", rubric_id="court",
                      rubric_version="1.0.0", scored_at=when)
        rows, exact = store.history("格尔木市人民法院")
        assert exact and [r.total for r in rows] == [70, 80]
        rows, exact = store.history("人民法院")
        assert not exact and [r.unit for r in rows] == ["格尔木市人民法院", "格尔木市人民法院", "西宁市人民法院"]
        assert store.history("100%")[0] == []


def test_scorecard_records(tmp_path):
    card = tmp_path / "x.pdf"
    with ResultStore(tmp_path / "r.sqlite") as store:
        assert not store.scorecard_is_current(str(card), "s", "r")
        store.put_scorecard(str(card), "s", "r")
        assert not store.scorecard_is_current(str(card), "s", "r")  # recorded but not on disk
        card.write_bytes(b"%PDF-")
        assert store.scorecard_is_current(str(card), "s", "r")
        assert not store.scorecard_is_current(str(card), "s", "r2")


def test_missing_or_broken_database(tmp_path):
    with pytest.raises(InputError, match="no results database"):
        ResultStore(tmp_path / "none.sqlite", create=False)
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InputError, match="not a usable results database"):
        ResultStore(bad)


def test_a_transaction_keeps_all_of_a_reports_rows_or_none(tmp_path):
    db = tmp_path / "results.sqlite"
    with ResultStore(db) as store:
        with store.transaction():
            store.put(summary("s1", "甲法院", 70.0), "{}", rubric_sha256="r1", rubric_id="court", rubric_version="1")
            store.put_choice("s1", "c1", "r1")
            # Not committed yet: another connection does not see the row.
            assert sqlite3.connect(db).execute("SELECT count(*) FROM results").fetchone()[0] == 0
        assert sqlite3.connect(db).execute("SELECT count(*) FROM results").fetchone()[0] == 1
        with pytest.raises(RuntimeError):
            with store.transaction():
                store.put(summary("s2", "乙法院", 60.0), "{}", rubric_sha256="r1", rubric_id="court",
                          rubric_version="1")
                raise RuntimeError("the worker's outcome was bad")
        assert set(store.stored("r1", ["s1", "s2"])) == {"s1"}
        assert store.stored_choices("c1", ["s1"])["s1"][0] == "r1"


def test_summary_json_is_what_asdict_gives():
    import json
    from dataclasses import asdict

    s = Summary(sha256="s", path="/in/一.txt", unit=None, title="题", total=61.5, max_total=110.0, grade="合格",
                vetoed=True, dimensions=(DimScore("a", "甲", 12.0, 22.0), DimScore("b", "乙", 0.0, 18.0)),
                vetoes=("领导班子成员严重违纪违法",), tier="veto", rubric_id="court")
    assert s.to_json() == json.dumps(asdict(s), ensure_ascii=False, separators=(",", ":"))
    assert Summary.from_json(s.to_json()) == s
