"""The results store: one SQLite row per (submission sha256, rubric sha256).

A second table records which scorecard PDF was written for which result, so a
re-run renders a scorecard again only when it is missing or out of date. A third,
`choices`, records which rubric the chooser by unit kind gave a submission, under the
chooser's identity (the sha256 of all its rubrics): a re-run with the same rubrics
finds the stored result of the rubric each report got, and a changed rubric (which
may change the choice) scores again.

Each row keeps where the report was, its unit, total, grade and veto flag, when it
was scored, with which rubric, a small summary for rankings and the full result
JSON (`ScoreResult.model_dump_json()`). The batch commits results in small groups
(`PendingWrites`: every 64 reports or half a second, and whatever has arrived when it
is interrupted), in WAL mode, so a killed run loses at most the reports in flight and
the last half second of results, and the next run skips what is already stored with
the same rubric.
"""

from __future__ import annotations

import datetime as _dt
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scorer.errors import InputError, OutputError

from scorer.outputs import SQLITE_APPLICATION_ID

from .summary import Summary

DB_NAME = "results.sqlite"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    id                INTEGER PRIMARY KEY,
    submission_sha256 TEXT NOT NULL,
    rubric_sha256     TEXT NOT NULL,
    rubric_id         TEXT NOT NULL,
    rubric_version    TEXT NOT NULL,
    path              TEXT NOT NULL,
    unit              TEXT,
    total             REAL NOT NULL,
    grade             TEXT NOT NULL,
    vetoed            INTEGER NOT NULL,
    scored_at         TEXT NOT NULL,
    summary           TEXT NOT NULL,
    result_json       TEXT NOT NULL,
    UNIQUE (submission_sha256, rubric_sha256)
);
CREATE INDEX IF NOT EXISTS results_unit ON results (unit);
CREATE TABLE IF NOT EXISTS choices (
    submission_sha256 TEXT NOT NULL,
    choice_sha256     TEXT NOT NULL,
    rubric_sha256     TEXT NOT NULL,
    PRIMARY KEY (submission_sha256, choice_sha256)
);
CREATE TABLE IF NOT EXISTS scorecards (
    path              TEXT PRIMARY KEY,
    submission_sha256 TEXT NOT NULL,
    rubric_sha256     TEXT NOT NULL,
    written_at        TEXT NOT NULL
);
"""


# result_json may come as the JSON's UTF-8 bytes (a batch worker's Outcome): CAST stores them as
# the same TEXT a str gives (the database's encoding is UTF-8), without decoding them in Python.
_PUT_SQL = """
    INSERT INTO results (submission_sha256, rubric_sha256, rubric_id, rubric_version, path, unit,
                         total, grade, vetoed, scored_at, summary, result_json)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT))
    ON CONFLICT (submission_sha256, rubric_sha256) DO UPDATE SET
        rubric_id = excluded.rubric_id, rubric_version = excluded.rubric_version,
        path = excluded.path, unit = excluded.unit, total = excluded.total,
        grade = excluded.grade, vetoed = excluded.vetoed, scored_at = excluded.scored_at,
        summary = excluded.summary, result_json = excluded.result_json
"""
_CHOICE_SQL = (
    "INSERT INTO choices (submission_sha256, choice_sha256, rubric_sha256) VALUES (?, ?, ?) "
    "ON CONFLICT (submission_sha256, choice_sha256) DO UPDATE SET rubric_sha256 = excluded.rubric_sha256"
)
_SCORECARD_SQL = (
    "INSERT INTO scorecards (path, submission_sha256, rubric_sha256, written_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (path) DO UPDATE SET submission_sha256 = excluded.submission_sha256, "
    "rubric_sha256 = excluded.rubric_sha256, written_at = excluded.written_at"
)


def _result_row(summary: Summary, result_json: str | bytes, rubric_sha256: str, rubric_id: str,
                rubric_version: str, scored_at: str) -> tuple:
    return (summary.sha256, rubric_sha256, rubric_id, rubric_version, summary.path, summary.unit,
            summary.total, summary.grade, int(summary.vetoed), scored_at, summary.to_json(), result_json)


@dataclass(frozen=True)
class HistoryRow:
    scored_at: str
    rubric_id: str
    rubric_version: str
    total: float
    grade: str
    vetoed: bool
    unit: str | None
    path: str


def utc_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ResultStore:
    """A results database. Use as a context manager or call `close()`."""

    def __init__(self, path: str | Path, *, create: bool = True):
        self.path = Path(path)
        self.bad_rows: list[str] = []  # one line per stored row that could not be read (skipped)
        if not create and not self.path.is_file():
            raise InputError(self.path, "input.no-results-db")
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a committed row survives the process being killed (not a power cut).
            self.db.execute("PRAGMA synchronous=NORMAL")
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise InputError(self.path, "input.results-db-newer", version=version)
            self.db.executescript(_SCHEMA)
            if version < SCHEMA_VERSION:
                self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            if create:  # civscore's mark: a later run writes only to a database that carries it
                self.db.execute(f"PRAGMA application_id={SQLITE_APPLICATION_ID}")
        except sqlite3.DatabaseError as e:
            raise InputError(self.path, "input.results-db-unusable", error=str(e)) from None

    def __enter__(self) -> "ResultStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self):
        """The writes inside as one transaction: all of them are kept, or none. A report's
        result, its rubric choice and its scorecard row are committed together, once (each
        statement on its own was a commit of its own)."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise OutputError(self.path, "output.store", error=str(e)) from None
        try:
            yield self
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        try:
            self.db.execute("COMMIT")
        except sqlite3.Error as e:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise OutputError(self.path, "output.store", error=str(e)) from None

    # -- batch -----------------------------------------------------------------------

    def put_choice(self, submission_sha256: str, choice_sha256: str, rubric_sha256: str) -> None:
        self.db.execute(_CHOICE_SQL, (submission_sha256, choice_sha256, rubric_sha256))

    def stored_choices(self, choice_sha256: str, submission_sha256s) -> dict[str, tuple[str, Summary]]:
        """submission sha256 → (the rubric sha256 it got, its stored summary), for the
        submissions the chooser `choice_sha256` already scored."""
        wanted = list(dict.fromkeys(s for s in submission_sha256s if s))
        chosen: dict[str, list[str]] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            try:
                rows = self.db.execute(
                    f"SELECT submission_sha256, rubric_sha256 FROM choices "
                    f"WHERE choice_sha256 = ? AND submission_sha256 IN ({marks})",
                    [choice_sha256, *chunk],
                ).fetchall()
            except sqlite3.DatabaseError as e:
                raise InputError(self.path, "input.results-db-unusable", error=str(e)) from None
            for sub, rub in rows:
                chosen.setdefault(rub, []).append(sub)
        out: dict[str, tuple[str, Summary]] = {}
        for rub, subs in chosen.items():
            for sub, summary in self.stored(rub, subs).items():
                out[sub] = (rub, summary)
        return out

    def stored(self, rubric_sha256: str, submission_sha256s) -> dict[str, Summary]:
        """Summaries already stored for these submissions with this rubric."""
        wanted = list(dict.fromkeys(s for s in submission_sha256s if s))
        found: dict[str, Summary] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            try:
                rows = self.db.execute(
                    f"SELECT id, submission_sha256, summary FROM results "
                    f"WHERE rubric_sha256 = ? AND submission_sha256 IN ({marks})",
                    [rubric_sha256, *chunk],
                ).fetchall()
            except sqlite3.DatabaseError as e:
                raise InputError(self.path, "input.results-db-unusable", error=str(e)) from None
            for row_id, sha, summary in rows:
                try:
                    found[sha] = Summary.from_json(summary)
                except Exception as e:  # a damaged row: score that report again, say so, go on
                    self.bad_rows.append(f"{self.path}: row {row_id}: unreadable stored result "
                                         f"({type(e).__name__}); the report is scored again")
        return found

    def result_json(self, submission_sha256: str, rubric_sha256: str) -> str | None:
        row = self.db.execute(
            "SELECT result_json FROM results WHERE submission_sha256 = ? AND rubric_sha256 = ?",
            (submission_sha256, rubric_sha256),
        ).fetchone()
        return row[0] if row else None

    def put(self, summary: Summary, result_json: str | bytes, *, rubric_sha256: str, rubric_id: str,
            rubric_version: str, scored_at: str | None = None) -> None:
        """Insert or replace the row for (submission, rubric); committed at once unless inside
        `transaction()`. `result_json` is the JSON text, or its UTF-8 bytes (stored as the same TEXT)."""
        try:
            self._put(summary, result_json, rubric_sha256=rubric_sha256, rubric_id=rubric_id,
                      rubric_version=rubric_version, scored_at=scored_at)
        except sqlite3.Error as e:  # a full disk, a read-only file: stop the batch with one line
            raise OutputError(self.path, "output.store", error=str(e)) from None

    def _put(self, summary: Summary, result_json: str | bytes, *, rubric_sha256: str, rubric_id: str,
             rubric_version: str, scored_at: str | None = None) -> None:
        self.db.execute(_PUT_SQL, _result_row(summary, result_json, rubric_sha256, rubric_id, rubric_version,
                                              scored_at or utc_now()))

    def scorecard_is_current(self, path: str, submission_sha256: str, rubric_sha256: str) -> bool:
        """True when the scorecard at `path` exists and was written for this result
        (a --no-pdf run after a rubric change leaves older scorecards behind)."""
        row = self.db.execute(
            "SELECT submission_sha256, rubric_sha256 FROM scorecards WHERE path = ?", (path,)
        ).fetchone()
        return row == (submission_sha256, rubric_sha256) and Path(path).is_file()

    def put_scorecard(self, path: str, submission_sha256: str, rubric_sha256: str) -> None:
        self.db.execute(_SCORECARD_SQL, (path, submission_sha256, rubric_sha256, utc_now()))

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM results").fetchone()[0]

    # -- history ---------------------------------------------------------------------

    def history(self, unit: str) -> tuple[list[HistoryRow], bool]:
        """A unit's results over rounds, oldest first. Exact unit name first; if none,
        every unit whose name contains `unit` (the flag says which)."""
        cols = "scored_at, rubric_id, rubric_version, total, grade, vetoed, unit, path"
        rows = self.db.execute(
            f"SELECT {cols} FROM results WHERE unit = ? ORDER BY scored_at, id", (unit,)
        ).fetchall()
        exact = bool(rows)
        if not rows:
            pattern = "%" + unit.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            rows = self.db.execute(
                f"SELECT {cols} FROM results WHERE unit LIKE ? ESCAPE '\\' ORDER BY unit, scored_at, id",
                (pattern,),
            ).fetchall()
        return [HistoryRow(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7]) for r in rows], exact


class PendingWrites:
    """A batch's results on their way to the store, committed a group at a time: when `every`
    reports wait, or the oldest has waited `seconds`, or `flush()` is called (the batch calls
    it when no result came for a moment, at its end, and when it is interrupted). A report's
    rows (result, rubric choice, scorecard) are always in the same transaction: all kept or
    none. One transaction per report cost the main process, which shares the cores with the
    workers, a BEGIN, a COMMIT and their WAL work for every report; a kill now loses at most
    the last `seconds` of results besides those in flight, and a resumed batch scores only
    what is not committed."""

    def __init__(self, store: ResultStore, *, every: int = 64, seconds: float = 0.5):
        self.store = store
        self.every = every
        self.seconds = seconds
        self.results: list[tuple] = []
        self.choices: list[tuple] = []
        self.scorecards: list[tuple] = []
        self.reports = 0
        self.oldest = 0.0  # time.monotonic() of the oldest waiting report

    def add(self, *, result: tuple | None = None, choice: tuple | None = None,
            scorecard: tuple | None = None) -> None:
        """One report's rows (as `put`, `put_choice`, `put_scorecard` take them); commits the
        group when it is due."""
        if result is not None:
            self.results.append(_result_row(*result))
        if choice is not None:
            self.choices.append(choice)
        if scorecard is not None:
            self.scorecards.append(scorecard)
        now = time.monotonic()
        if not self.reports:
            self.oldest = now
        self.reports += 1
        if self.reports >= self.every or now - self.oldest >= self.seconds:
            self.flush()

    def flush(self) -> None:
        """Commit every waiting row, in one transaction."""
        if not self.reports:
            return
        db = self.store.db
        with self.store.transaction():
            try:
                if self.results:
                    db.executemany(_PUT_SQL, self.results)
                if self.choices:
                    db.executemany(_CHOICE_SQL, self.choices)
                if self.scorecards:
                    db.executemany(_SCORECARD_SQL, self.scorecards)
            except sqlite3.Error as e:  # a full disk, a read-only file: stop the batch with one line
                raise OutputError(self.store.path, "output.store", error=str(e)) from None
        self.results, self.choices, self.scorecards = [], [], []
        self.reports = 0
