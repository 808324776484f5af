"""The SQLite results store: one row per (submission, rubric), history, scorecard records."""

from __future__ import annotations

import sqlite3

import pytest

from scorer.batch.store import PendingWrites, ResultStore
from scorer.batch.summary import DimScore, Summary
from scorer.errors import InputError, OutputError


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


def test_json_as_utf8_bytes_is_stored_as_the_same_text(tmp_path):
    text = '{"unit":"甲法院","total":70.0}'
    with ResultStore(tmp_path / "a.sqlite") as a, ResultStore(tmp_path / "b.sqlite") as b:
        a.put(summary("s1", "甲法院", 70.0), text, rubric_sha256="r1", rubric_id="court", rubric_version="1",
              scored_at="2024-01-01T00:00:00.000Z")
        b.put(summary("s1", "甲法院", 70.0), text.encode("utf-8"), rubric_sha256="r1", rubric_id="court",
              rubric_version="1", scored_at="2024-01-01T00:00:00.000Z")
        q = "SELECT *, typeof(result_json), CAST(result_json AS BLOB) FROM results"
        assert a.db.execute(q).fetchall() == b.db.execute(q).fetchall()
        assert b.result_json("s1", "r1") == text
        assert b.db.execute("SELECT typeof(result_json) FROM results").fetchone()[0] == "text"


def count_rows(db, table: str = "results") -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def test_pending_writes_commit_a_group_at_a_time(tmp_path):
    db = tmp_path / "results.sqlite"
    with ResultStore(db) as store:
        pending = PendingWrites(store, every=3, seconds=3600)

        def add(i: int, card: bool = False) -> None:
            sha = f"s{i}"
            pending.add(result=(summary(sha, "甲法院", 70.0 + i), b'{"n":%d}' % i, "r1", "court", "1", "t"),
                        choice=(sha, "c1", "r1"), scorecard=(f"/out/{i}.pdf", sha, "r1", "t") if card else None)

        add(1)
        add(2, card=True)
        # Not committed yet: another connection sees none of them.
        assert count_rows(db) == count_rows(db, "choices") == count_rows(db, "scorecards") == 0
        add(3)  # the third: the group is committed, every row of every report in it
        assert count_rows(db) == count_rows(db, "choices") == 3 and count_rows(db, "scorecards") == 1
        add(4)
        assert count_rows(db) == 3
        pending.flush()
        pending.flush()  # nothing waits: nothing to do
        assert count_rows(db) == count_rows(db, "choices") == 4
        assert store.result_json("s4", "r1") == '{"n":4}'
        assert store.stored_choices("c1", ["s1", "s4"])["s4"][0] == "r1"
        # The oldest waiting report is older than `seconds`: the next one commits the group.
        pending.seconds = 0
        add(5)
        assert count_rows(db) == 5


def test_pending_writes_keep_their_rows_when_a_commit_fails(tmp_path):
    db = tmp_path / "results.sqlite"
    with ResultStore(db) as store:
        pending = PendingWrites(store, every=100)
        pending.add(result=(summary("s1", "甲法院", 70.0), b"{}", "r1", "court", "1", "t"), choice=("s1", "c1", "r1"))
        other = sqlite3.connect(db, timeout=0)
        other.execute("BEGIN IMMEDIATE")  # another writer holds the database
        store.db.execute("PRAGMA busy_timeout = 0")
        with pytest.raises(OutputError):
            pending.flush()
        assert not store.db.in_transaction
        other.rollback()
        other.close()
        pending.flush()  # tried again: nothing was lost
        assert count_rows(db) == count_rows(db, "choices") == 1


def test_summary_json_is_what_asdict_gives():
    import json
    from dataclasses import asdict

    s = Summary(sha256="s", path="/in/一.txt", unit=None, title="题", total=61.5, max_total=110.0, grade="合格",
                vetoed=True, dimensions=(DimScore("a", "甲", 12.0, 22.0), DimScore("b", "乙", 0.0, 18.0)),
                vetoes=("领导班子成员严重违纪违法",), tier="veto", rubric_id="court")
    assert s.to_json() == json.dumps(asdict(s), ensure_ascii=False, separators=(",", ":"))
    assert Summary.from_json(s.to_json()) == s
